/* Point Jacobi: z_i = r_i / A_ii, the inverse of each unknown's diagonal entry. */
#include "la/mf_pc.h"

#include <math.h>

#include "la/mf_bcsr.h"
#include "la/mf_vec.h"
#include "mem/mf_alloc.h"

/* pc->data: double inv[n], the inverted diagonal entries */

static mf_status setup_symbolic(mf_pc *pc, const mf_operator *A) {
  MF_CHECK(A->matrix, MF_ERR_INTERNAL, "jacobi preconditioner: the operator has no assembled matrix");
  mf_free(&pc->data);
  const mf_nnz n = A->layout->n_owned;
  double *inv;
  MF_CALL(MF_ALLOC_N(inv, (size_t)n + 1, "preconditioner values"));
  pc->data = inv;
#pragma omp parallel for schedule(static)
  for (mf_nnz k = 0; k < n; k++) inv[k] = 0.0;
  return MF_OK;
}

static mf_status setup_numeric(mf_pc *pc, const mf_operator *A) {
  const mf_bcsr *K = A->matrix;
  const int bs = K->bs;
  double *inv = pc->data;
  mf_idx bad = -1;
#pragma omp parallel for schedule(static) reduction(max : bad)
  for (mf_idx i = 0; i < K->n_rows; i++) {
    const double *d = &K->val[K->bs2 * K->diag[i]];
    for (int k = 0; k < bs; k++) {
      double v = d[(bs + 1) * k];
      if (!(v > 0.0) || !isfinite(v)) bad = i > bad ? i : bad;
      inv[bs * (mf_nnz)i + k] = 1.0 / v;
    }
  }
  MF_CHECK(bad < 0, MF_ERR_SOLVER,
           "jacobi preconditioner: the diagonal of local node %d is not positive "
           "(a node attached to no element, or a degenerate element?)",
           (int)bad);
  return MF_OK;
}

static void apply(const mf_pc *pc, const double *restrict r, double *restrict z) {
  const double *restrict inv = pc->data;
  const mf_nnz n = pc->layout->n_owned;
#pragma omp parallel for schedule(static)
  for (mf_nnz k = 0; k < n; k++) z[k] = inv[k] * r[k];
}

/* apply and r . z chunk by chunk, the dot over each chunk while it is in cache */
static double apply_dot(const mf_pc *pc, const double *restrict r, double *restrict z) {
  const double *restrict inv = pc->data;
  const mf_vec_layout *L = pc->layout;
  const mf_nnz nchunk = mf_vec_chunks(L);
#pragma omp parallel for schedule(static)
  for (mf_nnz c = 0; c < nchunk; c++) {
    mf_nnz lo, hi;
    mf_vec_chunk_range(L, c, &lo, &hi);
    for (mf_nnz k = lo; k < hi; k++) z[k] = inv[k] * r[k];
    mf_vec_chunk_dot(L, c, r, z, lo, hi);
  }
  return mf_vec_sum_chunks(L);
}

static double apply_bytes(const mf_pc *pc) { return (double)pc->layout->n_owned * sizeof(double) * 3; }

static size_t memory_bytes(const mf_pc *pc) { return (size_t)pc->layout->n_owned * sizeof(double); }

static void destroy(mf_pc *pc) { mf_free(&pc->data); }

static const mf_pc_ops ops = {.setup_symbolic = setup_symbolic,
                              .setup_numeric = setup_numeric,
                              .apply = apply,
                              .apply_dot = apply_dot,
                              .apply_bytes = apply_bytes,
                              .memory_bytes = memory_bytes,
                              .destroy = destroy};

mf_status mf_pc_create_jacobi(mf_pc *pc) {
  pc->ops = &ops;
  return MF_OK;
}
