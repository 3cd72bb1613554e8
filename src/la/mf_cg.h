/* Preconditioned conjugate gradients on an operator with a preconditioner (PETSc's KSPCG
 * shape: CG knows both only through their function tables).
 *
 * Life cycle: create (all work vectors allocated and first-touched here), solve many
 * times, destroy. A solve allocates nothing. Stopping test: ||r|| <= rtol ||b||. */
#ifndef MF_CG_H
#define MF_CG_H

#include "la/mf_operator.h"
#include "la/mf_pc.h"

/* The linear solver's options, as a case or the command line sets them. */
typedef struct {
  mf_pc_options pc; /* default block-jacobi */
  double rtol;      /* default 1e-8 */
  int max_iter;     /* default 20000 */
  double reuse;     /* > 0: keep the preconditioner across the Newton iterations of a load
                       step while a solve needs at most reuse x the iterations of the first
                       solve after its set-up; 0: set up for every solve; < 0 (default):
                       chosen by the preconditioner, mf_linear_reuse */
  int reproducible; /* 1 (default): exact reductions, the same bits however the rows are
                       split (la/mf_vec.h); 0: chunked, the same bits at any thread count */
} mf_linear_options;

/* The defaults above. */
mf_linear_options mf_linear_options_default(void);
/* The reuse factor in effect: o->reuse if set, else the preconditioner's default
 * (mf_pc_default_reuse). */
double mf_linear_reuse(const mf_linear_options *o);

typedef struct {
  int iterations;
  int converged;      /* 1 when the tolerance was met */
  double rnorm, bnorm;
  double t_spmv, t_pc, t_vec; /* seconds in each kind of kernel */
  double bytes;       /* bytes moved by SpMV, preconditioner and vector kernels */
} mf_cg_stats;

typedef struct mf_cg mf_cg;

/* Work vectors for systems of layout L (kept, not owned). */
mf_status mf_cg_create(const mf_vec_layout *L, mf_cg **cg);
/* Solve A x = b from x = 0. Non-convergence within max_iter is reported in stats (the
 * caller decides); a breakdown (p.Ap <= 0: A not positive definite) is MF_ERR_SOLVER. */
mf_status mf_cg_solve(mf_cg *cg, const mf_operator *A, const mf_pc *pc, const double *b, double *x, double rtol,
                      int max_iter, mf_cg_stats *stats);
void mf_cg_destroy(mf_cg **cg);

#endif
