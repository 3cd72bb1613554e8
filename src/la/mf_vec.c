/* Vector kernels (see mf_vec.h for the determinism contract). */
#include "la/mf_vec.h"

#include <math.h>
#include <string.h>

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
  /* workspaces for either kind of reduction (both small: a chunk is kilobytes) */
  mf_status st = MF_CALLOC_N(L->acc, (size_t)((owned_rows + MF_VEC_CHUNK_ROWS - 1) / MF_VEC_CHUNK_ROWS) + 1,
                             "reduction accumulators");
  if (!st) st = MF_CALLOC_N(L->ws, (size_t)((L->n_owned + MF_VEC_CHUNK - 1) / MF_VEC_CHUNK) + 1, "reduction sums");
  if (st) {
    mf_vec_layout_destroy(&L);
    return st;
  }
  mf_vec_layout_set_exact(L, 1);
  *out = L;
  return MF_OK;
}

void mf_vec_layout_destroy(mf_vec_layout **Lp) {
  if (!*Lp) return;
  mf_free(&(*Lp)->acc);
  mf_free(&(*Lp)->ws);
  mf_free(Lp);
}

mf_status mf_vec_layout_set_comm(mf_vec_layout *L, mf_comm *comm) {
  MF_CHECK(L->exact || !comm || comm->size == 1, MF_ERR_INPUT,
           "vector reductions over %d processes need linear.reproducible: true (chunked sums would depend on "
           "the process count)",
           comm->size);
  L->comm = comm;
  return MF_OK;
}

void mf_vec_layout_set_exact(mf_vec_layout *L, int exact) {
  L->exact = exact != 0;
  L->chunk = L->exact ? (mf_nnz)L->bs * MF_VEC_CHUNK_ROWS : MF_VEC_CHUNK;
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
  if (!L->exact) {
    double s = 0.0;
    for (mf_nnz c = 0; c < nchunk; c++) s += L->ws[c];
    return s;
  }
  mf_xsum sum;
  mf_xsum_clear(&sum);
  /* Digits added as they are: a chunk's digits stay below 2^43 (at most 2047 bins
   * flushed, each under 2^32 per digit), so 4096 chunks fit an int64 before a carry
   * pass is due. Exact, so the same bits as merging one by one, without two carry passes
   * per chunk. */
  for (mf_nnz c = 0; c < nchunk; c++) {
    for (int k = 0; k < MF_XSUM_DIGITS; k++) sum.d[k] += L->acc[c].d[k];
    sum.special |= L->acc[c].special;
    if ((c + 1) % 4096 == 0) mf_xsum_normalise(&sum);
  }
  if (L->comm && L->comm->size > 1) {
    /* normalised digits are below 2^32 (the top one signed): the integer sum over any
     * number of processes up to 2^31 stays exact */
    int64_t v[MF_XSUM_DIGITS + 3]; /* the digits, then how many saw +inf, -inf, NaN: one message */
    mf_xsum_normalise(&sum);
    memcpy(v, sum.d, sizeof sum.d);
    for (int k = 0; k < 3; k++) v[MF_XSUM_DIGITS + k] = (sum.special >> k) & 1u;
    if (L->comm->ops->sum_i64(L->comm, v, MF_XSUM_DIGITS + 3)) return NAN;
    memcpy(sum.d, v, sizeof sum.d);
    sum.special = 0;
    for (int k = 0; k < 3; k++) sum.special |= (uint32_t)(v[MF_XSUM_DIGITS + k] != 0) << k;
    sum.adds = 0;
    mf_xsum_normalise(&sum);
  }
  return mf_xsum_round(&sum);
}

double mf_vec_dot(const mf_vec_layout *L, const double *restrict x, const double *restrict y) {
  const mf_nnz nchunk = mf_vec_chunks(L);
#pragma omp parallel for schedule(static)
  for (mf_nnz c = 0; c < nchunk; c++) {
    mf_nnz lo, hi;
    mf_vec_chunk_range(L, c, &lo, &hi);
    mf_vec_chunk_dot(L, c, x, y, lo, hi);
  }
  return mf_vec_sum_chunks(L);
}

double mf_vec_norm2(const mf_vec_layout *L, const double *restrict x) { return sqrt(mf_vec_dot(L, x, x)); }

double mf_vec_cg_update(const mf_vec_layout *L, double alpha, const double *restrict p, double *restrict x,
                        const double *restrict q, double *restrict r) {
  const mf_nnz nchunk = mf_vec_chunks(L);
  const double na = -alpha;
#pragma omp parallel for schedule(static)
  for (mf_nnz c = 0; c < nchunk; c++) {
    mf_nnz lo, hi;
    mf_vec_chunk_range(L, c, &lo, &hi);
    for (mf_nnz i = lo; i < hi; i++) {
      x[i] += alpha * p[i];
      r[i] += na * q[i];
    }
    mf_vec_chunk_dot(L, c, r, r, lo, hi); /* the chunk just written: from cache */
  }
  return sqrt(mf_vec_sum_chunks(L));
}
