/* memfem-bench iterate: one pass over N records, stored flat (one array of records)
 * versus one heap block per record reached through an array of pointers. It tests the
 * claim that iterating flat data is several times faster than pointer-per-item data, and
 * measures what per-item allocation costs in resident memory. Variants:
 *   flat          records back to back in one 64-byte aligned array;
 *   ptr-inorder   one malloc per record (plain malloc, not memfem's counting layer, whose
 *                 16-byte size header would be measured too), in item order, visited in
 *                 item order: the best case for pointers (a fresh heap places
 *                 consecutive blocks side by side);
 *   ptr-shuffled  the same blocks visited in an order unrelated to their addresses, as
 *                 after a heap has churned (fixed-seed permutation of the pointers);
 *   store         memfem's node store of this build (MEMFEM_LAYOUT) via mf_nodes_coords,
 *                 24-byte coordinate records only.
 * Kernel: sum over records of the record's squared norm, four records at a time into four
 * accumulators (the same arithmetic in every variant). Resident bytes per record are the
 * change of VmRSS across allocating and writing the variant's data (pointer array
 * included), after the previous variant was freed and the allocator asked to return its
 * memory (mf_allocator_release). */
#include <omp.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>

#include "mem/mf_alloc.h"
#include "mem/mf_allocator.h"
#include "mem/mf_procmem.h"
#include "mesh/mf_nodes.h"
#include "mf_bench.h"

static inline double record_norm2(const double *r, int w) {
  double s = 0.0;
  for (int j = 0; j < w; j++) s += r[j] * r[j];
  return s;
}

/* Four records from i into four accumulators. The switch gives each common width its
 * own inlined loop with a constant trip count (the compiler unswitches it out of the
 * loop); R(i) is the address of record i, the only thing that differs between variants. */
#define QUAD(R, W)                                                                       \
  (s0 += record_norm2(R(i), W), s1 += record_norm2(R(i + 1), W), s2 += record_norm2(R(i + 2), W), \
   s3 += record_norm2(R(i + 3), W))
#define SUM_RECORDS(R, n, w, out)                                                        \
  do {                                                                                   \
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;                                               \
    const long nq_ = (n) / 4;                                                            \
    _Pragma("omp parallel for schedule(static) reduction(+ : s0, s1, s2, s3)")           \
    for (long q = 0; q < nq_; q++) {                                                     \
      const long i = 4 * q;                                                              \
      switch (w) {                                                                       \
      case 2: QUAD(R, 2); break;                                                         \
      case 3: QUAD(R, 3); break;                                                         \
      case 4: QUAD(R, 4); break;                                                         \
      case 6: QUAD(R, 6); break;                                                         \
      default: QUAD(R, w);                                                               \
      }                                                                                  \
    }                                                                                    \
    for (long i = 4 * nq_; i < (n); i++) s0 += record_norm2(R(i), w); /* n % 4 left */  \
    (out) = s0 + s1 + s2 + s3;                                                           \
  } while (0)

static double sum_flat(const double *flat, long n, int w) {
  double s;
#define FLAT(i) (flat + (size_t)(i) * (size_t)w)
  SUM_RECORDS(FLAT, n, w, s);
#undef FLAT
  return s;
}

static double sum_ptr(double *const *p, long n, int w) {
  double s;
#define PTR(i) (p[i])
  SUM_RECORDS(PTR, n, w, s);
#undef PTR
  return s;
}

static inline const double *store_record(const mf_nodes *ns, long i, double X[3]) {
  mf_nodes_coords(ns, (mf_idx)i, X);
  return X;
}

static double sum_store(const mf_nodes *ns, long n) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const long nq = n / 4;
#pragma omp parallel for schedule(static) reduction(+ : s0, s1, s2, s3)
  for (long q = 0; q < nq; q++) {
    double X[3];
    const long i = 4 * q;
    s0 += record_norm2(store_record(ns, i, X), 3), s1 += record_norm2(store_record(ns, i + 1, X), 3);
    s2 += record_norm2(store_record(ns, i + 2, X), 3), s3 += record_norm2(store_record(ns, i + 3, X), 3);
  }
  double X[3];
  for (long i = 4 * nq; i < n; i++) s0 += record_norm2(store_record(ns, i, X), 3);
  return s0 + s1 + s2 + s3;
}

static int64_t rss_now(void) {
  mf_procmem pm;
  mf_procmem_read(&pm);
  return pm.rss_bytes;
}

typedef struct {
  const mf_bench_options *o;
  int threads;
  double *t;          /* reps + 1 timings */
  double flat_median; /* for the ratios */
  mf_spread flat;
} iterate_ctx;

/* Report one variant: time per record, ratio to flat, resident bytes per record. */
static void report(iterate_ctx *c, const char *variant, double rss_per_record, double checksum) {
  const mf_bench_options *o = c->o;
  char case_name[64], note[160];
  snprintf(case_name, sizeof case_name, "%s:n=%ld:bytes=%d", variant, o->nodes,
           variant[0] == 's' ? 24 : o->record_bytes);
  mf_spread t, ns;
  mf_spread_of(c->t + 1, o->reps, &t);
  ns = (mf_spread){.n = t.n, .median = t.median / o->nodes * 1e9, .min = t.min / o->nodes * 1e9,
                   .max = t.max / o->nodes * 1e9};
  snprintf(note, sizeof note, "sum=%.17g", checksum);
  mf_bench_csv_row("iterate", case_name, c->threads, o->reps, "time_per_record", "ns", &ns, note);
  if (variant[0] == 'f') c->flat = t;
  mf_spread ratio = {.n = t.n, .median = t.median / c->flat.median, .min = t.min / c->flat.max,
                     .max = t.max / c->flat.min};
  mf_bench_csv_row("iterate", case_name, c->threads, o->reps, "time_over_flat", "ratio", &ratio,
                   "min/max: extreme pairs");
  mf_spread rss = {.n = 1, .median = rss_per_record, .min = rss_per_record, .max = rss_per_record};
  snprintf(note, sizeof note, "payload %d B%s", variant[0] == 's' ? 24 : o->record_bytes,
           variant[0] == 's' ? " + global_id and tag (16 B)" : variant[0] == 'p' ? " + 8 B pointer" : "");
  mf_bench_csv_row("iterate", case_name, c->threads, 1, "resident_per_record", "bytes", &rss, note);
}

static mf_status run_flat(iterate_ctx *c) {
  const mf_bench_options *o = c->o;
  const int w = o->record_bytes / 8;
  const long n = o->nodes;
  double *flat = NULL, s = 0;
  int64_t r0 = rss_now();
  MF_CALL(MF_ALLOC_N(flat, (size_t)n * w, "iterate flat records"));
#pragma omp parallel for schedule(static)
  for (long i = 0; i < n; i++)
    for (int j = 0; j < w; j++) flat[(size_t)i * w + j] = 1e-3 * (double)((i + j) % 1000);
  double rss = (double)(rss_now() - r0) / n;
  for (int r = 0; r <= o->reps; r++) {
    double t0 = omp_get_wtime();
    s = sum_flat(flat, n, w);
    c->t[r] = omp_get_wtime() - t0;
  }
  report(c, "flat", rss, s);
  mf_free(&flat);
  mf_allocator_release();
  return MF_OK;
}

static mf_status run_ptr(iterate_ctx *c) {
  const mf_bench_options *o = c->o;
  const int w = o->record_bytes / 8;
  const long n = o->nodes;
  double **p = NULL, **q = NULL, s = 0;
  mf_status st = MF_OK;
  int64_t r0 = rss_now();
  MF_CALL(MF_CALLOC_N(p, n, "iterate record pointers"));
  for (long i = 0; i < n && !st; i++) { /* serial, as a loader allocates */
    p[i] = malloc((size_t)o->record_bytes);
    if (!p[i]) st = MF_ERROR(MF_ERR_MEMORY, "iterate: out of memory at record %ld", i);
    else
      for (int j = 0; j < w; j++) p[i][j] = 1e-3 * (double)((i + j) % 1000);
  }
  double rss = (double)(rss_now() - r0) / n;
  for (int r = 0; r <= o->reps && !st; r++) {
    double t0 = omp_get_wtime();
    s = sum_ptr(p, n, w);
    c->t[r] = omp_get_wtime() - t0;
  }
  if (!st) report(c, "ptr-inorder", rss, s);
  if (!st) st = MF_ALLOC_N(q, n, "iterate shuffled pointers");
  if (!st) {
    for (long i = 0; i < n; i++) q[i] = p[i];
    uint64_t x = 88172645463325252ULL; /* xorshift64, fixed seed: Fisher-Yates */
    for (long i = n - 1; i > 0; i--) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      long k = (long)(x % (uint64_t)(i + 1));
      double *tmp = q[i];
      q[i] = q[k], q[k] = tmp;
    }
    for (int r = 0; r <= o->reps; r++) {
      double t0 = omp_get_wtime();
      s = sum_ptr(q, n, w);
      c->t[r] = omp_get_wtime() - t0;
    }
    report(c, "ptr-shuffled", rss, s);
  }
  if (p)
    for (long i = 0; i < n; i++) free(p[i]);
  mf_free(&p);
  mf_free(&q);
  mf_allocator_release();
  return st;
}

static mf_status run_store(iterate_ctx *c) {
  const mf_bench_options *o = c->o;
  const long n = o->nodes;
  mf_nodes ns;
  double s = 0;
  int64_t r0 = rss_now();
  MF_CALL(mf_nodes_create((mf_idx)n, &ns));
  for (long i = 0; i < n; i++) {
    double X[3] = {1e-3 * (double)(i % 1000), 1e-3 * (double)((i + 1) % 1000), 1e-3 * (double)((i + 2) % 1000)};
    mf_nodes_set_coords(&ns, (mf_idx)i, X);
  }
  double rss = (double)(rss_now() - r0) / n;
  for (int r = 0; r <= o->reps; r++) {
    double t0 = omp_get_wtime();
    s = sum_store(&ns, n);
    c->t[r] = omp_get_wtime() - t0;
  }
  char name[32];
  snprintf(name, sizeof name, "store-%s", mf_nodes_layout_name());
  report(c, name, rss, s);
  mf_nodes_destroy(&ns);
  mf_allocator_release();
  return MF_OK;
}

int mf_bench_iterate(const mf_bench_options *o) {
  iterate_ctx c = {.o = o};
  if (MF_ALLOC_N(c.t, o->reps + 1, "iterate timings")) {
    mf_error_print();
    return 1;
  }
  mf_bench_csv_header();
  mf_status st = MF_OK;
  for (int k = 0; k < o->n_threads && !st; k++) {
    c.threads = o->threads[k];
    omp_set_num_threads(c.threads);
    fprintf(stderr, "iterate: %d threads, %ld records of %d bytes\n", c.threads, o->nodes, o->record_bytes);
    /* flat first: it sets the reference of the ratios, and its array is mapped and
     * unmapped whole, so the pointer variant still starts from a fresh heap. */
    if (!(st = run_flat(&c)) && !(st = run_ptr(&c)) && o->record_bytes == 24) st = run_store(&c);
  }
  if (st) mf_error_print();
  mf_free(&c.t);
  return st ? 1 : 0;
}
