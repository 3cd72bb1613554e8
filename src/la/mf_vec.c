/* Vector kernels (see mf_vec.h for the determinism contract). */
#include "la/mf_vec.h"

#include <math.h>

#include "mem/mf_alloc.h"

mf_status mf_vec_layout_create(mf_idx owned_rows, mf_idx ghost_rows, int bs, mf_vec_layout **out) {
  *out = NULL;
  MF_CHECK(owned_rows >= 0 && ghost_rows >= 0 && bs > 0, MF_ERR_INTERNAL, "vector layout: %lld + %lld rows of %d",
           (long long)owned_rows, (long long)ghost_rows, bs);
  mf_vec_layout *L;
  MF_CALL(MF_CALLOC_N(L, 1, "vector layout"));
  L->n_owned_rows = owned_rows;
  L->n_ghost_rows = ghost_rows;
  L->bs = bs;
  L->n_owned = (mf_nnz)bs * owned_rows;
  L->n_local = (mf_nnz)bs * ((mf_nnz)owned_rows + ghost_rows);
  mf_status st = MF_CALLOC_N(L->ws, (size_t)((L->n_owned + MF_VEC_CHUNK - 1) / MF_VEC_CHUNK) + 1,
                             "reduction workspace");
  if (st) { mf_free(&L); return st; }
  *out = L;
  return MF_OK;
}

void mf_vec_layout_destroy(mf_vec_layout **Lp) {
  if (!*Lp) return;
  mf_free(&(*Lp)->ws);
  mf_free(Lp);
}

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

double mf_vec_sum_chunks(const mf_vec_layout *L) {
  const mf_nnz nchunk = mf_vec_chunks(L);
  double s = 0.0;
  for (mf_nnz c = 0; c < nchunk; c++) s += L->ws[c];
  return s;
}

double mf_vec_dot(const mf_vec_layout *L, const double *restrict x, const double *restrict y) {
  const mf_nnz n = L->n_owned, nchunk = mf_vec_chunks(L);
  double *restrict ws = L->ws;
#pragma omp parallel for schedule(static)
  for (mf_nnz c = 0; c < nchunk; c++) {
    mf_nnz lo = c * MF_VEC_CHUNK, hi = lo + MF_VEC_CHUNK < n ? lo + MF_VEC_CHUNK : n;
    ws[c] = mf_vec_chunk_dot(x, y, lo, hi);
  }
  return mf_vec_sum_chunks(L);
}

double mf_vec_norm2(const mf_vec_layout *L, const double *restrict x) { return sqrt(mf_vec_dot(L, x, x)); }

double mf_vec_cg_update(const mf_vec_layout *L, double alpha, const double *restrict p, double *restrict x,
                        const double *restrict q, double *restrict r) {
  const mf_nnz n = L->n_owned, nchunk = mf_vec_chunks(L);
  double *restrict ws = L->ws;
  const double na = -alpha;
#pragma omp parallel for schedule(static)
  for (mf_nnz c = 0; c < nchunk; c++) {
    mf_nnz lo = c * MF_VEC_CHUNK, hi = lo + MF_VEC_CHUNK < n ? lo + MF_VEC_CHUNK : n;
    for (mf_nnz i = lo; i < hi; i++) {
      x[i] += alpha * p[i];
      r[i] += na * q[i];
    }
    ws[c] = mf_vec_chunk_dot(r, r, lo, hi); /* the chunk just written: from cache */
  }
  return sqrt(mf_vec_sum_chunks(L));
}
