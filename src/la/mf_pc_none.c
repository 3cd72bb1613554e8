/* No preconditioner: z = r. */
#include "la/mf_pc.h"

static void apply(const mf_pc *pc, const double *restrict r, double *restrict z) {
  const mf_nnz n = pc->layout->n_owned;
#pragma omp parallel for schedule(static)
  for (mf_nnz k = 0; k < n; k++) z[k] = r[k];
}

static double apply_bytes(const mf_pc *pc) { return (double)pc->layout->n_owned * sizeof(double) * 2; }

static const mf_pc_ops ops = {.apply = apply, .apply_bytes = apply_bytes};

mf_status mf_pc_create_none(mf_pc *pc) {
  pc->ops = &ops;
  return MF_OK;
}
