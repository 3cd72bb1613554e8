/* memfem-bench cg: effective memory bandwidth of the solver's kernels against what the
 * machine can stream, all measured by this one process at each thread count:
 *   triad  STREAM triad (la/mf_stream.h), 24 bytes per element;
 *   spmv   block-CSR y = A x, bytes as mf_bcsr_spmv_bytes counts them (values, indices,
 *          x and y once each), o->iters products per timed repetition;
 *   cg     o->iters iterations of block-Jacobi PCG, bytes as mf_cg_stats counts them.
 * The matrix is the neo-Hookean tangent of the benchmark mesh plus a small diagonal shift
 * (1e-3 of the mean diagonal) that removes the rigid-body null space, so that CG runs a
 * fixed number of iterations on a positive definite system without converging early. */
#include <omp.h>
#include <stdio.h>

#include "la/mf_cg.h"
#include "la/mf_stream.h"
#include "mem/mf_alloc.h"
#include "mf_bench.h"

typedef struct {
  mf_bench_fe fe;
  mf_vec_layout *L;
  mf_operator A;
  mf_pc *pc;
  mf_cg *cg;
  double *x, *b, *y;
} cg_setup;

static mf_status setup(const mf_bench_options *o, cg_setup *s) {
  MF_CALL(mf_bench_fe_create(o->mesh, o->assembly, &s->fe));
  MF_CALL(mf_bench_fe_shifted_tangent(&s->fe));
  mf_bcsr *K = s->fe.K;
  const mf_idx n = K->n_rows;
  MF_CALL(mf_vec_layout_create(n, 0, 3, &s->L));
  s->A = mf_bcsr_operator(K, s->L);
  const mf_pc_options pco = {.type = MF_PC_BLOCK_JACOBI};
  MF_CALL(mf_pc_create(&pco, &s->pc));
  MF_CALL(mf_pc_setup_symbolic(s->pc, &s->A));
  MF_CALL(mf_pc_setup_numeric(s->pc, &s->A));
  MF_CALL(mf_cg_create(s->L, &s->cg));
  MF_CALL(MF_ALLOC_N(s->x, 3 * (size_t)n, "cg bench x"));
  MF_CALL(MF_ALLOC_N(s->b, 3 * (size_t)n, "cg bench b"));
  MF_CALL(MF_ALLOC_N(s->y, 3 * (size_t)n, "cg bench y"));
  const mf_nnz ndof = 3 * (mf_nnz)n;
#pragma omp parallel for schedule(static)
  for (mf_nnz i = 0; i < ndof; i++) {
    s->b[i] = 1.0 + 0.1 * (double)(i % 7);
    s->x[i] = s->y[i] = 0.0;
  }
  return MF_OK;
}

static void teardown(cg_setup *s) {
  mf_free(&s->x);
  mf_free(&s->b);
  mf_free(&s->y);
  mf_cg_destroy(&s->cg);
  mf_pc_destroy(&s->pc);
  mf_vec_layout_destroy(&s->L);
  mf_bench_fe_destroy(&s->fe);
}

/* Each figure at one thread count; t[] holds o->reps + 1 timings. */
static mf_status measure(const mf_bench_options *o, int threads, double *t) {
  cg_setup s = {0};
  mf_status st = setup(o, &s);
  const mf_bcsr *K = s.fe.K;
  char note[128];
  mf_spread time, bw;

  /* STREAM first, by the same process, on its own arrays. */
  int capped = 0;
  size_t bytes = o->stream_mb ? (size_t)o->stream_mb << 20 : mf_stream_default_bytes(&capped);
  mf_stream_result tr;
  if (!st) st = mf_stream_triad(bytes, o->reps, &tr);
  double triad_median = 0;
  if (!st) {
    const double work = 24.0 * (double)tr.n * 1e-9;
    time = (mf_spread){.n = tr.reps, .median = tr.median_s, .min = tr.best_s, .max = tr.worst_s};
    mf_bench_rate(&time, work, &bw);
    triad_median = bw.median;
    snprintf(note, sizeof note, "arrays=%zuMiB", (bytes >> 20));
    mf_bench_csv_row("cg", o->mesh, threads, o->reps, "triad_bandwidth", "GB/s", &bw, note);
  }

  /* SpMV: o->iters products per repetition, after one untimed repetition. */
  for (int r = 0; r <= o->reps && !st; r++) {
    double t0 = omp_get_wtime();
    for (int k = 0; k < o->iters; k++) mf_bcsr_spmv(K, k % 2 ? s.y : s.b, k % 2 ? s.x : s.y);
    t[r] = omp_get_wtime() - t0;
  }
  if (!st) {
    mf_spread_of(t + 1, o->reps, &time);
    mf_bench_rate(&time, mf_bcsr_spmv_bytes(K) * o->iters * 1e-9, &bw);
    snprintf(note, sizeof note, "nodes=%lld blocks=%lld products=%d", (long long)K->n_rows, (long long)K->nnzb,
             o->iters);
    mf_bench_csv_row("cg", o->mesh, threads, o->reps, "spmv_bandwidth", "GB/s", &bw, note);
    mf_spread ratio = {.n = bw.n, .median = bw.median / triad_median, .min = bw.min / triad_median,
                       .max = bw.max / triad_median};
    mf_bench_csv_row("cg", o->mesh, threads, o->reps, "spmv_over_triad", "ratio", &ratio, "over the triad median");
  }

  /* PCG: o->iters iterations per solve (rtol 0: never converges early). */
  double cg_bytes = 0;
  for (int r = 0; r <= o->reps && !st; r++) {
    mf_cg_stats cs;
    double t0 = omp_get_wtime();
    st = mf_cg_solve(s.cg, &s.A, s.pc, s.b, s.x, 0.0, o->iters, &cs);
    t[r] = omp_get_wtime() - t0;
    cg_bytes = cs.bytes;
    if (!st && cs.iterations != o->iters)
      st = MF_ERROR(MF_ERR_INTERNAL, "cg bench: %d iterations instead of %d", cs.iterations, o->iters);
  }
  if (!st) {
    mf_spread_of(t + 1, o->reps, &time);
    mf_bench_rate(&time, cg_bytes * 1e-9, &bw);
    snprintf(note, sizeof note, "iterations=%d block-jacobi", o->iters);
    mf_bench_csv_row("cg", o->mesh, threads, o->reps, "cg_bandwidth", "GB/s", &bw, note);
    mf_spread per = {.n = time.n, .median = time.median / o->iters * 1e3, .min = time.min / o->iters * 1e3,
                     .max = time.max / o->iters * 1e3};
    mf_bench_csv_row("cg", o->mesh, threads, o->reps, "cg_iteration_time", "ms", &per, note);
    mf_spread ratio = {.n = bw.n, .median = bw.median / triad_median, .min = bw.min / triad_median,
                       .max = bw.max / triad_median};
    mf_bench_csv_row("cg", o->mesh, threads, o->reps, "cg_over_triad", "ratio", &ratio, "over the triad median");
  }
  teardown(&s);
  return st;
}

int mf_bench_cg(const mf_bench_options *o) {
  double *t = NULL;
  if (MF_ALLOC_N(t, o->reps + 1, "cg timings")) {
    mf_error_print();
    return 1;
  }
  mf_bench_csv_header();
  int rc = 0;
  for (int k = 0; k < o->n_threads && !rc; k++) {
    omp_set_num_threads(o->threads[k]);
    fprintf(stderr, "cg: %d threads\n", o->threads[k]);
    if (measure(o, o->threads[k], t)) {
      mf_error_print();
      rc = 1;
    }
  }
  mf_free(&t);
  return rc;
}
