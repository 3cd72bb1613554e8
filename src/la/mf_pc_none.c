/* No preconditioner: z = r. */
#include "la/mf_pc.h"
#include "la/mf_vec.h"

static void apply(const mf_pc *pc, const double *restrict r, double *restrict z) {
  const mf_nnz n = pc->layout->n_owned;
#pragma omp parallel for schedule(static)
  for (mf_nnz k = 0; k < n; k++) z[k] = r[k];
}

static double apply_dot(const mf_pc *pc, const double *restrict r, double *restrict z) {
  const mf_vec_layout *L = pc->layout;
  const mf_nnz nchunk = mf_vec_chunks(L);
#pragma omp parallel for schedule(static)
  for (mf_nnz c = 0; c < nchunk; c++) {
    mf_nnz lo, hi;
    mf_vec_chunk_range(L, c, &lo, &hi);
    for (mf_nnz k = lo; k < hi; k++) z[k] = r[k];
    mf_vec_chunk_dot(L, c, r, z, lo, hi);
  }
  return mf_vec_sum_chunks(L);
}

static double apply_bytes(const mf_pc *pc) { return (double)pc->layout->n_owned * sizeof(double) * 2; }

static const mf_pc_ops ops = {.apply = apply, .apply_dot = apply_dot, .apply_bytes = apply_bytes};

mf_status mf_pc_create_none(mf_pc *pc) {
  pc->ops = &ops;
  return MF_OK;
}
