/* Vector kernels over aligned arrays, OpenMP-parallel with a static schedule.
 *
 * Reductions are deterministic: the index range is cut into fixed chunks of
 * MF_VEC_CHUNK entries whatever the thread count, each chunk summed in index order,
 * and the chunk sums added in chunk order by one thread. So a dot product is
 * bit-identical at any OMP_NUM_THREADS. The caller provides the chunk-sum workspace
 * (mf_vec_reduce_ws_size doubles), made once at setup. */
#ifndef MF_VEC_H
#define MF_VEC_H

#include "core/mf_types.h"

#define MF_VEC_CHUNK 4096

static inline size_t mf_vec_reduce_ws_size(mf_nnz n) { return (size_t)((n + MF_VEC_CHUNK - 1) / MF_VEC_CHUNK) + 1; }

void mf_vec_set(mf_nnz n, double a, double *restrict y);
void mf_vec_copy(mf_nnz n, const double *restrict x, double *restrict y);
void mf_vec_scale(mf_nnz n, double a, double *restrict y);
/* y += a x */
void mf_vec_axpy(mf_nnz n, double a, const double *restrict x, double *restrict y);
/* y = x + b y */
void mf_vec_aypx(mf_nnz n, double b, const double *restrict x, double *restrict y);
/* w = x + a y */
void mf_vec_waxpy(mf_nnz n, double a, const double *restrict x, const double *restrict y, double *restrict w);
double mf_vec_dot(mf_nnz n, const double *restrict x, const double *restrict y, double *restrict ws);
double mf_vec_norm2(mf_nnz n, const double *restrict x, double *restrict ws);

#endif
