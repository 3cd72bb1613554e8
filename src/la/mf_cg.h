/* Preconditioned conjugate gradients on a block-CSR matrix.
 *
 * Life cycle: create (all work vectors allocated and first-touched here), solve many
 * times, destroy. A solve allocates nothing. Stopping test: ||r|| <= rtol ||b||. */
#ifndef MF_CG_H
#define MF_CG_H

#include "la/mf_bcsr.h"
#include "la/mf_precond.h"

typedef struct {
  int iterations;
  int converged;      /* 1 when the tolerance was met */
  double rnorm, bnorm;
  double t_spmv, t_pc, t_vec; /* seconds in each kind of kernel */
  double bytes;       /* bytes moved by SpMV, preconditioner and vector kernels */
} mf_cg_stats;

typedef struct mf_cg mf_cg;

mf_status mf_cg_create(mf_idx n_rows, mf_cg **cg);
/* Solve A x = b from x = 0. Non-convergence within max_iter is reported in stats (the
 * caller decides); a breakdown (p.Ap <= 0: A not positive definite) is MF_ERR_SOLVER. */
mf_status mf_cg_solve(mf_cg *cg, const mf_bcsr *A, const mf_precond *pc, const double *b, double *x,
                      double rtol, int max_iter, mf_cg_stats *stats);
void mf_cg_destroy(mf_cg **cg);

#endif
