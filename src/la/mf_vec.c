/* Vector kernels (see mf_vec.h for the determinism contract). */
#include "la/mf_vec.h"

#include <math.h>

void mf_vec_set(mf_nnz n, double a, double *restrict y) {
#pragma omp parallel for schedule(static)
  for (mf_nnz i = 0; i < n; i++) y[i] = a;
}

void mf_vec_copy(mf_nnz n, const double *restrict x, double *restrict y) {
#pragma omp parallel for schedule(static)
  for (mf_nnz i = 0; i < n; i++) y[i] = x[i];
}

void mf_vec_scale(mf_nnz n, double a, double *restrict y) {
#pragma omp parallel for schedule(static)
  for (mf_nnz i = 0; i < n; i++) y[i] *= a;
}

void mf_vec_axpy(mf_nnz n, double a, const double *restrict x, double *restrict y) {
#pragma omp parallel for schedule(static)
  for (mf_nnz i = 0; i < n; i++) y[i] += a * x[i];
}

void mf_vec_aypx(mf_nnz n, double b, const double *restrict x, double *restrict y) {
#pragma omp parallel for schedule(static)
  for (mf_nnz i = 0; i < n; i++) y[i] = x[i] + b * y[i];
}

void mf_vec_waxpy(mf_nnz n, double a, const double *restrict x, const double *restrict y, double *restrict w) {
#pragma omp parallel for schedule(static)
  for (mf_nnz i = 0; i < n; i++) w[i] = x[i] + a * y[i];
}

double mf_vec_dot(mf_nnz n, const double *restrict x, const double *restrict y, double *restrict ws) {
  mf_nnz nchunk = (n + MF_VEC_CHUNK - 1) / MF_VEC_CHUNK;
#pragma omp parallel for schedule(static)
  for (mf_nnz c = 0; c < nchunk; c++) {
    mf_nnz lo = c * MF_VEC_CHUNK, hi = lo + MF_VEC_CHUNK < n ? lo + MF_VEC_CHUNK : n;
    /* Eight interleaved partial sums, combined in a fixed tree: a fixed order (so still
     * deterministic) that the compiler can keep in vector registers. */
    double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    mf_nnz i = lo;
    for (; i + 8 <= hi; i += 8)
      for (int l = 0; l < 8; l++) acc[l] += x[i + l] * y[i + l];
    for (; i < hi; i++) acc[0] += x[i] * y[i];
    ws[c] = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
  }
  double s = 0.0;
  for (mf_nnz c = 0; c < nchunk; c++) s += ws[c];
  return s;
}

double mf_vec_norm2(mf_nnz n, const double *restrict x, double *restrict ws) {
  return sqrt(mf_vec_dot(n, x, x, ws));
}
