/* Preconditioners for CG: point Jacobi (inverse diagonal) and 3x3 block Jacobi
 * (inverse of each node's diagonal block, which couples its three components). */
#ifndef MF_PRECOND_H
#define MF_PRECOND_H

#include "io/mf_case.h"
#include "la/mf_bcsr.h"

typedef struct mf_precond {
  mf_pc_type type;
  mf_idx n_rows;
  double *inv; /* jacobi: 3 per row; block-jacobi: 9 per row */
} mf_precond;

mf_status mf_precond_create(mf_pc_type type, mf_idx n_rows, mf_precond **pc);
/* Factor from the current matrix values; a singular diagonal (block) is an error naming the node. */
mf_status mf_precond_setup(mf_precond *pc, const mf_bcsr *A);
/* z = M^-1 r */
void mf_precond_apply(const mf_precond *pc, const double *restrict r, double *restrict z);
double mf_precond_apply_bytes(const mf_precond *pc);
void mf_precond_destroy(mf_precond **pc);

#endif
