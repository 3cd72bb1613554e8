/* Per-thread scratch pool: one aligned block per thread, made at setup.
 *
 * Each thread allocates and first-touches its own block inside a parallel region so the
 * pages land on its NUMA node; every array starts on a cache line and blocks are whole
 * cache lines, so no two threads ever write the same line (no false sharing). Acquire is
 * pointer arithmetic only. */
#include <omp.h>
#include <string.h>

#include "core/mf_types.h"
#include "mem/mf_alloc.h"
#include "mem/mf_scratch.h"

#define LINE_DOUBLES (MF_ALIGN / sizeof(double))
#define ROUND_LINE(n) (((n) + LINE_DOUBLES - 1) / LINE_DOUBLES * LINE_DOUBLES)

struct mf_scratch {
  int nthreads;
  int nd;         /* degrees of freedom per element */
  size_t doubles; /* per thread block */
  double **block; /* block[t]: thread t's arrays, back to back */
};

static size_t block_doubles(int nd) {
  size_t n = 0;
#define ADD_LEN(name, len) n += ROUND_LINE((size_t)(len));
  MF_SCRATCH_ARRAYS(ADD_LEN, nd)
#undef ADD_LEN
  return n;
}

const char *mf_scratch_name(void) { return "pool"; }

mf_status mf_scratch_create(int nthreads, int elem_nodes, mf_scratch **out) {
  *out = NULL;
  MF_CHECK(nthreads > 0 && elem_nodes > 0, MF_ERR_INTERNAL, "scratch pool: %d threads, %d nodes per element",
           nthreads, elem_nodes);
  mf_scratch *s;
  MF_CALL(MF_CALLOC_N(s, 1, "scratch pool"));
  s->nthreads = nthreads;
  s->nd = 3 * elem_nodes;
  s->doubles = block_doubles(s->nd);
  const size_t doubles = s->doubles;
  mf_status st = MF_CALLOC_N(s->block, nthreads, "scratch pool table");
  if (st) { mf_free(&s); return st; }
  int failed = 0;
#pragma omp parallel num_threads(nthreads) reduction(|| : failed)
  {
    int t = omp_get_thread_num();
    double *b = NULL;
    if (mf_malloc(doubles * sizeof(double), "per-thread scratch block", &b)) failed = 1;
    else memset(b, 0, doubles * sizeof(double)); /* first touch by the owner */
    s->block[t] = b;
  }
  if (failed) {
    mf_scratch_destroy(&s);
    return MF_ERROR(MF_ERR_MEMORY, "could not allocate the per-thread scratch pools");
  }
  *out = s;
  return MF_OK;
}

mf_status mf_scratch_acquire(mf_scratch *s, int tid, mf_elem_scratch *e) {
  if (MF_UNLIKELY(tid < 0 || tid >= s->nthreads))
    return MF_ERROR(MF_ERR_INTERNAL, "scratch pool: thread %d asked for scratch, the pool was made for %d threads",
                    tid, s->nthreads);
  double *b = s->block[tid];
  const int nd = s->nd;
#define CARVE(name, len) e->name = b; b += ROUND_LINE((size_t)(len));
  MF_SCRATCH_ARRAYS(CARVE, nd)
#undef CARVE
  return MF_OK;
}

void mf_scratch_release(mf_scratch *s, int tid, mf_elem_scratch *e) {
  (void)s;
  (void)tid;
  memset(e, 0, sizeof *e);
}

void mf_scratch_destroy(mf_scratch **sp) {
  mf_scratch *s = *sp;
  if (!s) return;
  if (s->block)
    for (int t = 0; t < s->nthreads; t++) mf_free(&s->block[t]);
  mf_free(&s->block);
  mf_free(sp);
}
