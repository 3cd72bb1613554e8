/* 3x3 block Jacobi: z_i = A_ii^-1 r_i with A_ii the diagonal block of node i, which
 * couples its three displacement components. */
#include "la/mf_pc.h"

#include <math.h>

#include "la/mf_bcsr.h"
#include "la/mf_vec.h"
#include "mem/mf_alloc.h"

/* pc->data: double inv[9 n], the inverted diagonal blocks */

/* Inverse of a 3x3 block by cofactors; returns 0 or -1 if singular. */
static int invert3(const double *restrict a, double *restrict inv) {
  double c0 = a[4] * a[8] - a[5] * a[7];
  double c1 = a[5] * a[6] - a[3] * a[8];
  double c2 = a[3] * a[7] - a[4] * a[6];
  double det = a[0] * c0 + a[1] * c1 + a[2] * c2;
  double scale = fabs(a[0]) + fabs(a[4]) + fabs(a[8]);
  if (!(fabs(det) > 1e-300) || !(fabs(det) > 1e-14 * scale * scale * scale)) return -1;
  double id = 1.0 / det;
  inv[0] = c0 * id;
  inv[1] = (a[2] * a[7] - a[1] * a[8]) * id;
  inv[2] = (a[1] * a[5] - a[2] * a[4]) * id;
  inv[3] = c1 * id;
  inv[4] = (a[0] * a[8] - a[2] * a[6]) * id;
  inv[5] = (a[2] * a[3] - a[0] * a[5]) * id;
  inv[6] = c2 * id;
  inv[7] = (a[1] * a[6] - a[0] * a[7]) * id;
  inv[8] = (a[0] * a[4] - a[1] * a[3]) * id;
  return 0;
}

static mf_status setup_symbolic(mf_pc *pc, const mf_operator *A) {
  MF_CHECK(A->matrix, MF_ERR_INTERNAL, "block-jacobi preconditioner: the operator has no assembled matrix");
  MF_CHECK(A->matrix->bs == 3, MF_ERR_INTERNAL, "block-jacobi preconditioner: blocks of %d, expected 3",
           A->matrix->bs);
  mf_free(&pc->data);
  const mf_idx n = A->matrix->n_rows;
  double *inv;
  MF_CALL(MF_ALLOC_N(inv, 9 * (size_t)n + 1, "preconditioner values"));
  pc->data = inv;
#pragma omp parallel for schedule(static)
  for (mf_idx i = 0; i < n; i++)
    for (int c = 0; c < 9; c++) inv[9 * (mf_nnz)i + c] = 0.0;
  return MF_OK;
}

/* Why node i's diagonal block cannot be inverted, in words that point at the cause: an
 * overflowed stiffness, a node no element touches, or a block too ill-conditioned (a
 * degenerate element, or stiffness many orders of magnitude from the unit rows that
 * prescribed values put into the matrix). */
static mf_status diagonal_failure(const mf_bcsr *K, mf_idx i) {
  const double *d = &K->val[9 * K->diag[i]];
  double largest = 0.0;
  int finite = 1;
  for (int k = 0; k < 9; k++) {
    finite &= isfinite(d[k]) != 0;
    if (fabs(d[k]) > largest) largest = fabs(d[k]);
  }
  if (!finite)
    return MF_ERROR(MF_ERR_SOLVER,
                    "block-jacobi preconditioner: the diagonal block of local node %d is not finite (the stiffness "
                    "overflowed: material constants, loads or prescribed values too large for double precision?)",
                    (int)i);
  if (largest == 0.0)
    return MF_ERROR(MF_ERR_SOLVER,
                    "block-jacobi preconditioner: the diagonal block of local node %d is zero (a node attached to no "
                    "element?)",
                    (int)i);
  return MF_ERROR(MF_ERR_SOLVER,
                  "block-jacobi preconditioner: the diagonal block of local node %d (largest entry %.3e) is singular, "
                  "not positive or too ill-conditioned to invert (a degenerate element, or stiffness far from 1 next "
                  "to the unit rows of prescribed values: rescale the units?)",
                  (int)i, largest);
}

static mf_status setup_numeric(mf_pc *pc, const mf_operator *A) {
  const mf_bcsr *K = A->matrix;
  double *inv = pc->data;
  mf_idx bad = -1;
#pragma omp parallel for schedule(static) reduction(max : bad)
  for (mf_idx i = 0; i < K->n_rows; i++)
    if (invert3(&K->val[9 * K->diag[i]], &inv[9 * (mf_nnz)i])) bad = i > bad ? i : bad;
  if (bad >= 0) return diagonal_failure(K, bad);
  return MF_OK;
}

static void apply(const mf_pc *pc, const double *restrict r, double *restrict z) {
  const double *restrict inv = pc->data;
  const mf_idx n = pc->layout->n_owned_rows;
#pragma omp parallel for schedule(static)
  for (mf_idx i = 0; i < n; i++) {
    const double *b = &inv[9 * (mf_nnz)i], *ri = &r[3 * (mf_nnz)i];
    double *zi = &z[3 * (mf_nnz)i];
    zi[0] = b[0] * ri[0] + b[1] * ri[1] + b[2] * ri[2];
    zi[1] = b[3] * ri[0] + b[4] * ri[1] + b[5] * ri[2];
    zi[2] = b[6] * ri[0] + b[7] * ri[1] + b[8] * ri[2];
  }
}

/* apply and r . z chunk by chunk: each chunk computes the rows it overlaps but stores only
 * its own entries (a chunked reduction's chunk may split a row; an exact one's never
 * does), then sums r . z over the chunk while it is in cache. */
static double apply_dot(const mf_pc *pc, const double *restrict r, double *restrict z) {
  const double *restrict inv = pc->data;
  const mf_vec_layout *L = pc->layout;
  const mf_nnz nchunk = mf_vec_chunks(L);
#pragma omp parallel for schedule(static)
  for (mf_nnz c = 0; c < nchunk; c++) {
    mf_nnz lo, hi;
    mf_vec_chunk_range(L, c, &lo, &hi);
    for (mf_nnz i = lo / 3; i <= (hi - 1) / 3; i++) {
      const double *b = &inv[9 * i], *ri = &r[3 * i];
      const double zi[3] = {b[0] * ri[0] + b[1] * ri[1] + b[2] * ri[2], b[3] * ri[0] + b[4] * ri[1] + b[5] * ri[2],
                            b[6] * ri[0] + b[7] * ri[1] + b[8] * ri[2]};
      for (int k = 0; k < 3; k++)
        if (3 * i + k >= lo && 3 * i + k < hi) z[3 * i + k] = zi[k];
    }
    mf_vec_chunk_dot(L, c, r, z, lo, hi);
  }
  return mf_vec_sum_chunks(L);
}

static double apply_bytes(const mf_pc *pc) { return (double)pc->layout->n_owned_rows * sizeof(double) * (9 + 6); }

static size_t memory_bytes(const mf_pc *pc) { return (size_t)pc->layout->n_owned_rows * 9 * sizeof(double); }

static void destroy(mf_pc *pc) { mf_free(&pc->data); }

static const mf_pc_ops ops = {.setup_symbolic = setup_symbolic,
                              .setup_numeric = setup_numeric,
                              .apply = apply,
                              .apply_dot = apply_dot,
                              .apply_bytes = apply_bytes,
                              .memory_bytes = memory_bytes,
                              .destroy = destroy};

mf_status mf_pc_create_block_jacobi(mf_pc *pc) {
  pc->ops = &ops;
  return MF_OK;
}
