/* Vectors: their layout, and kernels over aligned arrays, OpenMP-parallel with a static
 * schedule.
 *
 * A layout says what a vector holds: block rows of bs entries, owned rows first, then
 * ghost rows (copies of other processes' rows; none while one process owns all). Updates
 * run over whatever range the caller gives; reductions run over the owned entries only,
 * so a dot product never counts a ghost twice.
 *
 * Reductions never depend on the thread count, and by default not on how the owned
 * entries are split at all (linear.reproducible, issue 14):
 *   exact   (default): each row's bs products are summed in entry order (a row always
 *           lives whole on one process) and the row sums are added exactly
 *           (la/mf_xsum.h), rounded once; the owned range is cut into chunks of
 *           MF_VEC_CHUNK_ROWS whole rows, each with its own accumulator. The same double
 *           at any thread count and any split of the rows over processes.
 *   chunked : the owned range in fixed chunks of MF_VEC_CHUNK entries, each summed in
 *           index order, the chunk sums added in chunk order by one thread: the same bits
 *           at any thread count, but a split over processes would move the chunk
 *           boundaries. About 4x cheaper per reduction; memfem's sums before exact ones.
 * The workspaces belong to the layout, made once at setup. */
#ifndef MF_VEC_H
#define MF_VEC_H

#include "core/mf_comm.h"
#include "core/mf_error.h"
#include "core/mf_types.h"
#include "la/mf_xsum.h"

/* exact: rows per reduction chunk, at most MF_XSUM_BIN_TERMS (la/mf_xsum.h), about
 * 24 KiB of each vector at 3 entries per row; chunked: entries per chunk */
#define MF_VEC_CHUNK_ROWS 1020
#define MF_VEC_CHUNK 4096
_Static_assert(MF_VEC_CHUNK_ROWS <= MF_XSUM_BIN_TERMS, "a chunk's rows must fit the exact bins");

typedef struct mf_vec_layout {
  mf_idx n_owned_rows, n_ghost_rows;
  int bs;            /* entries per row */
  mf_nnz n_owned;    /* bs * n_owned_rows: the entries reductions run over */
  mf_nnz n_local;    /* bs * (n_owned_rows + n_ghost_rows): the length of a vector */
  int exact;         /* 1: exact reductions (default); 0: chunked */
  mf_nnz chunk;      /* entries per reduction chunk: bs * MF_VEC_CHUNK_ROWS, or MF_VEC_CHUNK */
  mf_xsum *acc;      /* exact: one accumulator per chunk (one reduction at a time) */
  double *ws;        /* chunked: one sum per chunk */
  mf_comm *comm;     /* the processes whose owned rows a reduction spans; NULL: this one */
} mf_vec_layout;

mf_status mf_vec_layout_create(mf_idx owned_rows, mf_idx ghost_rows, int bs, mf_vec_layout **L);
void mf_vec_layout_destroy(mf_vec_layout **L);
/* Choose exact (1, the default) or chunked (0) reductions; before the layout is used. */
void mf_vec_layout_set_exact(mf_vec_layout *L, int exact);
/* Reductions span the owned rows of every process of comm (borrowed): each process's
 * exact sum is added to the others' as integers (core/mf_comm.h), so the result is the
 * same double as one process would get. Chunked reductions cannot span processes. */
mf_status mf_vec_layout_set_comm(mf_vec_layout *L, mf_comm *comm);

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
 * bit-identical to the three separate kernels. */
double mf_vec_cg_update(const mf_vec_layout *L, double alpha, const double *restrict p, double *restrict x,
                        const double *restrict q, double *restrict r);

/* The pieces of a reduction, for kernels that fuse one with other work (a
 * preconditioner's apply with its dot product): the owned range in chunks (whole rows
 * when exact; possibly splitting a row when chunked); chunk c's sum of x_i y_i, as
 * mf_vec_dot forms it; and the chunks' sums combined. */
static inline mf_nnz mf_vec_chunks(const mf_vec_layout *L) { return (L->n_owned + L->chunk - 1) / L->chunk; }
static inline void mf_vec_chunk_range(const mf_vec_layout *L, mf_nnz c, mf_nnz *lo, mf_nnz *hi) {
  *lo = c * L->chunk;
  *hi = *lo + L->chunk < L->n_owned ? *lo + L->chunk : L->n_owned;
}
static inline void mf_vec_chunk_dot(const mf_vec_layout *L, mf_nnz c, const double *restrict x,
                                    const double *restrict y, mf_nnz lo, mf_nnz hi) {
  if (L->exact) {
    mf_xsum_bins bins; /* a chunk has at most MF_VEC_CHUNK_ROWS <= MF_XSUM_BIN_TERMS rows */
    mf_xsum_bins_clear(&bins);
    const int bs = L->bs;
    for (mf_nnz i = lo; i < hi; i += bs) {
      double row = x[i] * y[i];
      for (int k = 1; k < bs; k++) row += x[i + k] * y[i + k];
      mf_xsum_bins_add(&bins, row);
    }
    mf_xsum_clear(&L->acc[c]);
    mf_xsum_bins_flush(&bins, &L->acc[c]);
    return;
  }
  /* Eight interleaved partial sums, combined in a fixed tree: a fixed order (so still
   * thread-count independent) that the compiler can keep in vector registers. */
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  mf_nnz i = lo;
  for (; i + 8 <= hi; i += 8)
    for (int l = 0; l < 8; l++) acc[l] += x[i + l] * y[i + l];
  for (; i < hi; i++) acc[0] += x[i] * y[i];
  L->ws[c] = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
}
/* NaN (and the error recorded) if the reduction across processes fails. */
double mf_vec_sum_chunks(const mf_vec_layout *L);

#endif
