/* Vectors: their layout, and kernels over aligned arrays, OpenMP-parallel with a static
 * schedule.
 *
 * A layout says what a vector holds: block rows of bs entries, owned rows first, then
 * ghost rows (copies of other processes' rows; none while one process owns all). Updates
 * run over whatever range the caller gives; reductions run over the owned entries only,
 * so a dot product never counts a ghost twice.
 *
 * Reductions are deterministic: the owned range is cut into fixed chunks of MF_VEC_CHUNK
 * entries whatever the thread count, each chunk summed in index order, and the chunk
 * sums added in chunk order by one thread. So a dot product is bit-identical at any
 * OMP_NUM_THREADS. The chunk-sum workspace belongs to the layout, made once at setup. */
#ifndef MF_VEC_H
#define MF_VEC_H

#include "core/mf_error.h"
#include "core/mf_types.h"

#define MF_VEC_CHUNK 4096

typedef struct mf_vec_layout {
  mf_idx n_owned_rows, n_ghost_rows;
  int bs;            /* entries per row */
  mf_nnz n_owned;    /* bs * n_owned_rows: the entries reductions run over */
  mf_nnz n_local;    /* bs * (n_owned_rows + n_ghost_rows): the length of a vector */
  double *ws;        /* chunk sums: one reduction at a time uses it */
} mf_vec_layout;

mf_status mf_vec_layout_create(mf_idx owned_rows, mf_idx ghost_rows, int bs, mf_vec_layout **L);
void mf_vec_layout_destroy(mf_vec_layout **L);

void mf_vec_set(mf_nnz n, double a, double *restrict y);
void mf_vec_copy(mf_nnz n, const double *restrict x, double *restrict y);
void mf_vec_scale(mf_nnz n, double a, double *restrict y);
/* y += a x */
void mf_vec_axpy(mf_nnz n, double a, const double *restrict x, double *restrict y);
/* y = x + b y */
void mf_vec_aypx(mf_nnz n, double b, const double *restrict x, double *restrict y);
/* w = x + a y */
void mf_vec_waxpy(mf_nnz n, double a, const double *restrict x, const double *restrict y, double *restrict w);
/* x . y and ||x|| over the layout's owned entries. */
double mf_vec_dot(const mf_vec_layout *L, const double *restrict x, const double *restrict y);
double mf_vec_norm2(const mf_vec_layout *L, const double *restrict x);

/* Fused CG updates, one pass: x += alpha p, r -= alpha q, and ||r|| of the updated r,
 * bit-identical to the three separate kernels (the norm is summed chunk by chunk, as
 * mf_vec_dot sums). */
double mf_vec_cg_update(const mf_vec_layout *L, double alpha, const double *restrict p, double *restrict x,
                        const double *restrict q, double *restrict r);

/* The pieces of a deterministic reduction, for kernels that fuse one with other work
 * (a preconditioner's apply with its dot product): the owned range in chunks of
 * MF_VEC_CHUNK entries; a chunk's sum of x_i y_i, as mf_vec_dot forms it; the chunk sums
 * added in chunk order. */
static inline mf_nnz mf_vec_chunks(const mf_vec_layout *L) { return (L->n_owned + MF_VEC_CHUNK - 1) / MF_VEC_CHUNK; }
static inline double mf_vec_chunk_dot(const double *restrict x, const double *restrict y, mf_nnz lo, mf_nnz hi) {
  /* Eight interleaved partial sums, combined in a fixed tree: a fixed order (so still
   * deterministic) that the compiler can keep in vector registers. */
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  mf_nnz i = lo;
  for (; i + 8 <= hi; i += 8)
    for (int l = 0; l < 8; l++) acc[l] += x[i + l] * y[i + l];
  for (; i < hi; i++) acc[0] += x[i] * y[i];
  return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
}
double mf_vec_sum_chunks(const mf_vec_layout *L); /* of L->ws[0 .. chunks) */

#endif
