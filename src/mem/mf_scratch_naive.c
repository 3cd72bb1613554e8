/* Naive scratch: every work array malloc'd for each element and freed right after, the
 * way code without a memory plan allocates temporaries. Same interface and the same
 * arrays as the pool, so the arithmetic (and the result) is bit-identical; only the heap
 * traffic differs, and the counting layer sees every call. */
#include <string.h>

#include "mem/mf_alloc.h"
#include "mem/mf_scratch.h"

struct mf_scratch {
  int nthreads;
  int nd; /* degrees of freedom per element */
};

const char *mf_scratch_name(void) { return "naive"; }

mf_status mf_scratch_create(int nthreads, int elem_nodes, mf_scratch **out) {
  *out = NULL;
  MF_CHECK(nthreads > 0 && elem_nodes > 0, MF_ERR_INTERNAL, "naive scratch: %d threads, %d nodes per element",
           nthreads, elem_nodes);
  mf_scratch *s;
  MF_CALL(MF_CALLOC_N(s, 1, "naive scratch"));
  s->nthreads = nthreads;
  s->nd = 3 * elem_nodes;
  *out = s;
  return MF_OK;
}

mf_status mf_scratch_acquire(mf_scratch *s, int tid, mf_elem_scratch *e) {
  (void)tid;
  memset(e, 0, sizeof *e);
  mf_status st = MF_OK;
  const int nd = s->nd;
#define ALLOC(name, len) if (!st) st = mf_malloc_plain((size_t)(len) * sizeof(double), "element scratch " #name, &e->name);
  MF_SCRATCH_ARRAYS(ALLOC, nd)
#undef ALLOC
  if (st) mf_scratch_release(s, tid, e);
  return st;
}

void mf_scratch_release(mf_scratch *s, int tid, mf_elem_scratch *e) {
  (void)s;
  (void)tid;
#define FREE(name, len) mf_free(&e->name);
  MF_SCRATCH_ARRAYS(FREE, 0)
#undef FREE
}

void mf_scratch_destroy(mf_scratch **sp) { mf_free(sp); }
