/* memfem-bench dist-cg: the cg bench's PCG (block-Jacobi, the shifted neo-Hookean tangent
 * of the bench mesh, o->iters iterations per solve) across the MPI processes it is
 * started on, at each thread count of --threads: ranks x threads.
 *
 * Every rank builds the whole problem (mesh RCM-renumbered, tangent assembled), takes its
 * METIS part's owned rows (la/mf_dist_matrix.h) and runs the distributed CG with exact
 * reductions over MPI. One CSV row per figure, printed by rank 0, each a median and
 * min-max over the repetitions of the slowest rank's time (the time a run waits for):
 * seconds per iteration, and the shares of the product (with the ghost exchange it
 * overlaps, or waits for with --overlap 0), the preconditioner and the vector kernels
 * (with their allreduces). The note carries the ranks, the overlap and the final
 * residual norm, which is the same bits at any ranks x threads, with or without the
 * overlap (a run that differs does different arithmetic). */
#include <mpi.h>
#include <omp.h>
#include <stdio.h>

#include "la/mf_cg.h"
#include "la/mf_dist_matrix.h"
#include "mem/mf_alloc.h"
#include "mesh/mf_partition.h"
#include "mf_bench.h"

typedef struct {
  mf_bench_fe fe;
  mf_comm *comm;
  mf_partition *P;
  mf_part *pt;
  mf_bcsr *A;
  mf_vec_layout *L;
  mf_halo *h;
  mf_operator *op;
  mf_pc *pc;
  mf_cg *cg;
  double *x, *b;
} dist_setup;

static mf_status setup(const mf_bench_options *o, mf_comm *comm, dist_setup *s) {
  s->comm = comm;
  MF_CALL(mf_bench_fe_create(o->mesh, o->assembly, &s->fe));
  MF_CALL(mf_bench_fe_shifted_tangent(&s->fe));
  MF_CALL(mf_partition_create(s->fe.mesh, comm->size, NULL, &s->P));
  MF_CALL(mf_part_create(s->P, comm->rank, &s->pt));
  MF_CALL(mf_dist_matrix_owned_rows(s->fe.K, s->pt, &s->A));
  MF_CALL(mf_vec_layout_create(s->pt->n_owned, s->pt->n_ghost, 3, &s->L));
  MF_CALL(mf_vec_layout_set_comm(s->L, comm));
  MF_CALL(mf_halo_create(comm, s->pt, 3, &s->h));
  MF_CALL(mf_dist_operator_create(s->A, s->L, s->h, &s->op));
  mf_dist_operator_set_overlap(s->op, o->overlap);
  const mf_pc_options pco = {.type = MF_PC_BLOCK_JACOBI};
  MF_CALL(mf_pc_create(&pco, &s->pc));
  MF_CALL(mf_pc_setup_symbolic(s->pc, s->op));
  MF_CALL(mf_pc_setup_numeric(s->pc, s->op));
  MF_CALL(mf_cg_create(s->L, &s->cg));
  MF_CALL(MF_ALLOC_N(s->x, (size_t)s->L->n_local + 1, "dist-cg x"));
  MF_CALL(MF_ALLOC_N(s->b, (size_t)s->L->n_local + 1, "dist-cg b"));
  for (mf_idx l = 0; l < s->pt->n_owned; l++) /* the cg bench's right-hand side, by mesh dof */
    for (int c = 0; c < 3; c++) s->b[3 * l + c] = 1.0 + 0.1 * (double)((3 * (mf_nnz)s->pt->nodes[l] + c) % 7);
  return MF_OK;
}

static void teardown(dist_setup *s) {
  mf_free(&s->x);
  mf_free(&s->b);
  mf_cg_destroy(&s->cg);
  mf_pc_destroy(&s->pc);
  mf_dist_operator_destroy(&s->op);
  mf_halo_destroy(&s->h);
  mf_vec_layout_destroy(&s->L);
  mf_bcsr_destroy(&s->A);
  mf_part_destroy(&s->pt);
  mf_partition_destroy(&s->P);
  mf_bench_fe_destroy(&s->fe);
}

/* t[4 * r + k]: repetition r's total, product, preconditioner and vector seconds, each
 * the largest over the ranks. */
static mf_status measure(const mf_bench_options *o, mf_comm *comm, int threads, double *t) {
  dist_setup s = {0};
  mf_status st = setup(o, comm, &s);
  int failed_rank;
  mf_status all = mf_comm_agree(comm, st, &failed_rank); /* a rank's failure ends every rank's run */
  if (all) {
    teardown(&s);
    return st ? st : MF_ERROR(all, "dist-cg: set-up failed on rank %d", failed_rank);
  }
  double rnorm = 0.0;
  for (int r = 0; r <= o->reps && !st; r++) {
    mf_cg_stats cs = {0};
    MPI_Barrier(MPI_COMM_WORLD);
    double t0 = omp_get_wtime();
    st = mf_cg_solve(s.cg, s.op, s.pc, s.b, s.x, 0.0, o->iters, &cs);
    if (!st && cs.iterations != o->iters)
      st = MF_ERROR(MF_ERR_INTERNAL, "dist-cg bench: %d iterations instead of %d", cs.iterations, o->iters);
    /* the slowest rank's times, and whether any rank failed (then every rank stops) */
    double mine[5] = {omp_get_wtime() - t0, cs.t_spmv, cs.t_pc, cs.t_vec, st != MF_OK}, all[5];
    MPI_Allreduce(mine, all, 5, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    for (int k = 0; k < 4; k++) t[4 * r + k] = all[k];
    rnorm = cs.rnorm;
    if (all[4] > 0 && !st) st = MF_ERROR(MF_ERR_INTERNAL, "dist-cg: the solve failed on another rank");
  }
  if (!st && comm->rank == 0) {
    double v[4][1000];
    const int n = o->reps < 1000 ? o->reps : 1000;
    for (int r = 1; r <= n; r++)
      for (int k = 0; k < 4; k++) v[k][r - 1] = t[4 * r + k] / (k == 0 ? o->iters : t[4 * r]);
    char note[160];
    snprintf(note, sizeof note, "ranks=%d iterations=%d rnorm=%.17g owned_rows_rank0=%lld overlap=%d", comm->size,
             o->iters, rnorm, (long long)s.pt->n_owned, o->overlap);
    static const char *metric[4] = {"cg_iteration_time", "spmv_share", "pc_share", "vec_share"};
    for (int k = 0; k < 4; k++) {
      mf_spread sp;
      mf_spread_of(v[k], n, &sp);
      if (k == 0) sp.median *= 1e3, sp.min *= 1e3, sp.max *= 1e3;
      mf_bench_csv_row("dist-cg", o->mesh, threads, n, metric[k], k == 0 ? "ms" : "ratio", &sp, note);
    }
  }
  teardown(&s);
  return st;
}

int mf_bench_dist_cg(const mf_bench_options *o, int *argc, char ***argv) {
  int provided = 0;
  MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
  mf_comm *comm = NULL;
  double *t = NULL;
  int rc = 0;
  if (mf_comm_mpi_create(&comm) || MF_ALLOC_N(t, 4 * ((size_t)o->reps + 1), "dist-cg timings")) {
    mf_error_print();
    rc = 1;
  }
  if (!rc && comm->rank == 0) mf_bench_csv_header();
  for (int k = 0; k < o->n_threads && !rc; k++) {
    omp_set_num_threads(o->threads[k]);
    if (comm->rank == 0) fprintf(stderr, "dist-cg: %d ranks x %d threads\n", comm->size, o->threads[k]);
    if (measure(o, comm, o->threads[k], t)) {
      mf_error_print();
      rc = 1;
    }
  }
  mf_free(&t);
  mf_comm_destroy(&comm);
  MPI_Finalize();
  return rc;
}
