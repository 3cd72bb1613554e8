/* Jacobi and block-Jacobi preconditioners. */
#include "la/mf_precond.h"

#include <math.h>

#include "mem/mf_alloc.h"

mf_status mf_precond_create(mf_pc_type type, mf_idx n_rows, mf_precond **out) {
  mf_precond *pc;
  MF_CALL(MF_CALLOC_N(pc, 1, "preconditioner"));
  pc->type = type;
  pc->n_rows = n_rows;
  int per_row = type == MF_PC_BLOCK_JACOBI ? 9 : type == MF_PC_JACOBI ? 3 : 0;
  mf_status st = MF_ALLOC_N(pc->inv, (size_t)per_row * n_rows, "preconditioner values");
  if (st) { mf_free(&pc); return st; }
  if (per_row) {
#pragma omp parallel for schedule(static)
    for (mf_idx i = 0; i < n_rows; i++)
      for (int c = 0; c < per_row; c++) pc->inv[(mf_nnz)per_row * i + c] = 0.0;
  }
  *out = pc;
  return MF_OK;
}

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

/* Why node i's diagonal block cannot be inverted, in words that point at the cause: an
 * overflowed stiffness, a node no element touches, or a block too ill-conditioned (a
 * degenerate element, or stiffness many orders of magnitude from the unit rows that
 * prescribed values put into the matrix). */
static mf_status diagonal_failure(const mf_precond *pc, const mf_bcsr *A, mf_idx i) {
  const double *d = &A->val[9 * A->diag[i]];
  double largest = 0.0;
  int finite = 1;
  for (int k = 0; k < 9; k++) {
    finite &= isfinite(d[k]) != 0;
    if (fabs(d[k]) > largest) largest = fabs(d[k]);
  }
  const char *name = mf_pc_name(pc->type);
  if (!finite)
    return MF_ERROR(MF_ERR_SOLVER,
                    "%s preconditioner: the diagonal block of local node %d is not finite (the stiffness "
                    "overflowed: material constants, loads or prescribed values too large for double precision?)",
                    name, (int)i);
  if (largest == 0.0)
    return MF_ERROR(MF_ERR_SOLVER,
                    "%s preconditioner: the diagonal block of local node %d is zero (a node attached to no element?)",
                    name, (int)i);
  return MF_ERROR(MF_ERR_SOLVER,
                  "%s preconditioner: the diagonal block of local node %d (largest entry %.3e) is singular, not "
                  "positive or too ill-conditioned to invert (a degenerate element, or stiffness far from 1 next to "
                  "the unit rows of prescribed values: rescale the units?)",
                  name, (int)i, largest);
}

mf_status mf_precond_setup(mf_precond *pc, const mf_bcsr *A) {
  if (pc->type == MF_PC_NONE) return MF_OK;
  mf_idx bad = -1;
#pragma omp parallel for schedule(static) reduction(max : bad)
  for (mf_idx i = 0; i < A->n_rows; i++) {
    const double *d = &A->val[9 * A->diag[i]];
    if (pc->type == MF_PC_BLOCK_JACOBI) {
      if (invert3(d, &pc->inv[9 * (mf_nnz)i])) bad = i > bad ? i : bad;
    } else {
      for (int k = 0; k < 3; k++) {
        double v = d[4 * k];
        if (!(v > 0.0) || !isfinite(v)) bad = i > bad ? i : bad;
        pc->inv[3 * (mf_nnz)i + k] = 1.0 / v;
      }
    }
  }
  if (bad >= 0) return diagonal_failure(pc, A, bad);
  return MF_OK;
}

void mf_precond_apply(const mf_precond *pc, const double *restrict r, double *restrict z) {
  const double *restrict inv = pc->inv;
  if (pc->type == MF_PC_BLOCK_JACOBI) {
#pragma omp parallel for schedule(static)
    for (mf_idx i = 0; i < pc->n_rows; i++) {
      const double *b = &inv[9 * (mf_nnz)i], *ri = &r[3 * (mf_nnz)i];
      double *zi = &z[3 * (mf_nnz)i];
      zi[0] = b[0] * ri[0] + b[1] * ri[1] + b[2] * ri[2];
      zi[1] = b[3] * ri[0] + b[4] * ri[1] + b[5] * ri[2];
      zi[2] = b[6] * ri[0] + b[7] * ri[1] + b[8] * ri[2];
    }
  } else if (pc->type == MF_PC_JACOBI) {
#pragma omp parallel for schedule(static)
    for (mf_nnz k = 0; k < 3 * (mf_nnz)pc->n_rows; k++) z[k] = inv[k] * r[k];
  } else {
#pragma omp parallel for schedule(static)
    for (mf_nnz k = 0; k < 3 * (mf_nnz)pc->n_rows; k++) z[k] = r[k];
  }
}

double mf_precond_apply_bytes(const mf_precond *pc) {
  int per_row = pc->type == MF_PC_BLOCK_JACOBI ? 9 : pc->type == MF_PC_JACOBI ? 3 : 0;
  return (double)pc->n_rows * sizeof(double) * (per_row + 6);
}

void mf_precond_destroy(mf_precond **pcp) {
  if (!*pcp) return;
  mf_free(&(*pcp)->inv);
  mf_free(pcp);
}
