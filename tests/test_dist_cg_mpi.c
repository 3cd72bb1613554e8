/* CG across processes gives the bits of CG on one process (label mpi, run by mpiexec at
 * 1..4 ranks): la/mf_dist_matrix.h (its product overlapped with the ghost exchange:
 * interior rows while it travels, boundary rows after), la/mf_halo.h and exact
 * reductions over the communicator (la/mf_vec.h).
 *
 * Every rank builds the same symmetric positive definite matrix on a mesh's node graph
 * (values a fixed function of the global indices) and right-hand side, solves it alone
 * with CG and block-Jacobi (or Jacobi), then solves its owned rows of it together with
 * the other ranks. The distributed solve must take the same number of iterations, end
 * with the same residual norm, bit for bit, and give every owned entry of the solution
 * bit for bit, at 1 and 2 threads per rank, and again with the product waiting for the
 * whole ghost exchange (mf_dist_operator_set_overlap 0). A rank's failures are summed
 * over all ranks (a rank never waits on a failed one). */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mf_test_mpi.h"
#include "la/mf_cg.h"
#include "la/mf_dist_matrix.h"
#include "la/mf_pc.h"
#include "mem/mf_alloc.h"
#include "mesh/mf_mesh.h"
#include "mesh/mf_partition.h"


/* Off the diagonal a symmetric function of (gi, gj) in [-1, -1/7]; on it the row's sum
 * of magnitudes plus 0.01: weakly dominant, so SPD but ill-conditioned (tens to
 * hundreds of CG iterations, each with its reductions and exchanges). */
static double off(long gi, long gj) { return -1.0 / (1.0 + (double)((gi * gj + gi + gj) % 7)); }

static void fill(mf_bcsr *K) {
  for (mf_idx i = 0; i < K->n_rows; i++)
    for (int r = 0; r < 3; r++) {
      const long gi = 3L * i + r;
      double sum = 0.0, *diag = NULL;
      for (mf_nnz p = K->row_ptr[i]; p < K->row_ptr[i + 1]; p++)
        for (int c = 0; c < 3; c++) {
          const long gj = 3L * K->col[p] + c;
          double *v = &K->val[9 * p + 3 * r + c];
          if (gi == gj) {
            diag = v;
          } else {
            *v = off(gi, gj);
            sum -= *v;
          }
        }
      *diag = sum + 0.01;
    }
}

static mf_status solve(const mf_operator *op, mf_pc_type type, const double *b, double *x, mf_cg_stats *st) {
  mf_pc_options po = {.type = type};
  mf_pc *pc = NULL;
  mf_cg *cg = NULL;
  mf_status s;
  if (!(s = mf_pc_create(&po, &pc)) && !(s = mf_pc_setup_symbolic(pc, op)) && !(s = mf_pc_setup_numeric(pc, op)) &&
      !(s = mf_cg_create(op->layout, &cg)))
    s = mf_cg_solve(cg, op, pc, b, x, 1e-10, 5000, st);
  mf_cg_destroy(&cg);
  mf_pc_destroy(&pc);
  return s;
}

/* Owned entries of the distributed xd whose bits differ from the one-process x. */
static mf_nnz owned_differ(const mf_part *pt, const double *xd, const double *x) {
  mf_nnz differ = 0;
  for (mf_idx l = 0; l < pt->n_owned; l++)
    for (int c = 0; c < 3; c++) differ += memcmp(&xd[3 * l + c], &x[3 * (mf_nnz)pt->nodes[l] + c], sizeof *x) != 0;
  return differ;
}

static void check(mf_comm *comm, const char *spec, mf_pc_type type, int threads) {
  omp_set_num_threads(threads);
  mf_mesh *m = NULL;
  mf_bcsr *K = NULL, *A = NULL;
  mf_vec_layout *L = NULL, *Ld = NULL;
  mf_partition *P = NULL;
  mf_part *pt = NULL;
  mf_halo *h = NULL;
  mf_operator *opd = NULL;
  double *b = NULL, *x = NULL, *bd = NULL, *xd = NULL;
  mf_cg_stats s1, sd;
  if (mf_mesh_generate(spec, &m) || mf_bcsr_create_from_mesh(m, 3, 0, &K) ||
      mf_vec_layout_create(K->n_rows, 0, 3, &L) || MF_ALLOC_N(b, 3 * (size_t)K->n_rows, "b") ||
      MF_ALLOC_N(x, 3 * (size_t)K->n_rows, "x")) {
    CHECK(0, "%s: set-up: %s", spec, mf_error_message());
    goto done;
  }
  fill(K);
  for (mf_nnz i = 0; i < 3 * (mf_nnz)K->n_rows; i++) b[i] = sin(0.37 * (double)i) + 0.5;
  const mf_operator op1 = mf_bcsr_operator(K, L);
  if (solve(&op1, type, b, x, &s1)) CHECK(0, "%s: one-process solve: %s", spec, mf_error_message());

  if (mf_partition_create(m, comm->size, NULL, &P) || mf_part_create(P, comm->rank, &pt) ||
      mf_dist_matrix_owned_rows(K, pt, &A) || mf_vec_layout_create(pt->n_owned, pt->n_ghost, 3, &Ld) ||
      mf_vec_layout_set_comm(Ld, comm) || mf_halo_create(comm, pt, 3, &h) || mf_dist_operator_create(A, Ld, h, &opd) ||
      MF_ALLOC_N(bd, (size_t)Ld->n_local + 1, "b") || MF_ALLOC_N(xd, (size_t)Ld->n_local + 1, "x")) {
    CHECK(0, "%s: distributed set-up: %s", spec, mf_error_message());
    goto done;
  }
  mf_idx interior, boundary;
  mf_dist_operator_rows(opd, &interior, &boundary);
  CHECK(interior + boundary == pt->n_owned && (comm->size == 1 ? boundary == 0 : boundary > 0),
        "%s: %lld interior and %lld boundary rows of %lld owned", spec, (long long)interior, (long long)boundary,
        (long long)pt->n_owned);
  for (mf_idx l = 0; l < pt->n_owned; l++)
    for (int c = 0; c < 3; c++) bd[3 * l + c] = b[3 * (mf_nnz)pt->nodes[l] + c];
  if (solve(opd, type, bd, xd, &sd)) CHECK(0, "%s: distributed solve: %s", spec, mf_error_message());
  CHECK(s1.converged && sd.converged, "%s: not converged", spec);
  CHECK(sd.iterations == s1.iterations, "%s %s %d threads: %d iterations, one process %d", spec, mf_pc_name(type),
        threads, sd.iterations, s1.iterations);
  CHECK(memcmp(&sd.rnorm, &s1.rnorm, sizeof sd.rnorm) == 0, "%s: residual %.17g, one process %.17g", spec, sd.rnorm,
        s1.rnorm);
  mf_nnz differ = owned_differ(pt, xd, x);
  CHECK(differ == 0, "%s %s %d threads: %lld owned entries differ from the one-process solution", spec,
        mf_pc_name(type), threads, (long long)differ);
  /* the product waiting for the whole exchange instead of overlapping it: the same bits */
  mf_dist_operator_set_overlap(opd, 0);
  mf_cg_stats sw;
  if (solve(opd, type, bd, xd, &sw)) CHECK(0, "%s: distributed solve without overlap: %s", spec, mf_error_message());
  CHECK(sw.iterations == s1.iterations && memcmp(&sw.rnorm, &s1.rnorm, sizeof sw.rnorm) == 0,
        "%s without overlap: %d iterations, residual %.17g; one process %d, %.17g", spec, sw.iterations, sw.rnorm,
        s1.iterations, s1.rnorm);
  differ = owned_differ(pt, xd, x);
  CHECK(differ == 0, "%s %s %d threads without overlap: %lld owned entries differ", spec, mf_pc_name(type), threads,
        (long long)differ);
  if (mf_test_rank == 0)
    printf("%s, %s, %d threads, %d ranks: %d iterations, residual %.17g\n", spec, mf_pc_name(type), threads,
           comm->size, sd.iterations, sd.rnorm);
done:
  mf_error_clear();
  mf_dist_operator_destroy(&opd);
  mf_halo_destroy(&h);
  mf_vec_layout_destroy(&Ld);
  mf_vec_layout_destroy(&L);
  mf_bcsr_destroy(&A);
  mf_bcsr_destroy(&K);
  mf_part_destroy(&pt);
  mf_partition_destroy(&P);
  mf_mesh_destroy(&m);
  mf_free(&b), mf_free(&x), mf_free(&bd), mf_free(&xd);
}

int main(int argc, char **argv) {
  mf_comm *comm = mf_test_mpi_start(&argc, &argv);
  for (int threads = 1; threads <= 2; threads++) {
    check(comm, "box:2x1x1:10x5x5", MF_PC_BLOCK_JACOBI, threads);
    check(comm, "box:1x1x1:4x4x3:tet10", MF_PC_JACOBI, threads);
    check(comm, "box:2x1x1:8x4x4:hex8", MF_PC_BLOCK_JACOBI, threads);
  }
  /* chunked reductions would depend on the process count: refused across processes */
  mf_vec_layout *L = NULL;
  if (!mf_vec_layout_create(10, 0, 3, &L)) {
    mf_vec_layout_set_exact(L, 0);
    mf_status st = mf_vec_layout_set_comm(L, comm);
    CHECK(comm->size == 1 ? st == MF_OK : st == MF_ERR_INPUT, "chunked reductions over %d processes: status %d",
          comm->size, (int)st);
    mf_error_clear();
    mf_vec_layout_destroy(&L);
  }
  return mf_test_mpi_finish(comm, "CG against one process");
}
