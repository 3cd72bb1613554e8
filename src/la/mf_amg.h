/* memfem's algebraic multigrid: smoothed aggregation for elasticity on block-CSR
 * matrices (preconditioner: amg), written for memfem's memory rules.
 *
 *   near-nullspace  the six rigid-body modes from the node coordinates (mf_pc_set_
 *                   coordinates), zero on constrained degrees of freedom (rows whose
 *                   off-diagonal entries are all zero), so those stay out of the
 *                   coarse levels while the 3-unknowns-per-node blocks survive;
 *   aggregation     strength of block connections ||A_ij||_F >= theta sqrt(||A_ii||_F
 *                   ||A_jj||_F), a distance-2 maximal independent set of roots chosen
 *                   by a hash of each node's global id (Luby rounds), aggregates = root
 *                   + its strong neighbours + the nodes next to those: the same
 *                   aggregates at any thread count (and, keyed on global ids, at any
 *                   process count);
 *   prolongator     tentative P from a QR of the modes on each aggregate (coarse blocks
 *                   of 6; the coarse modes about the coordinates' origin, one frame for
 *                   every coarse node, so the coarser levels keep the rotations),
 *                   smoothed once by damped block-Jacobi, omega = 4/(3 lmax);
 *   coarse levels   Galerkin R A P in block-CSR with block size 6, each coarse row
 *                   summed over its fine rows in ascending order (as is the
 *                   restriction), so every sum has an order fixed by the mesh;
 *   smoother        Chebyshev of degree k on block-Jacobi (lmax from Lanczos started on a
 *                   fixed vector), or k sweeps of block-Jacobi damped by 4/(3 lmax); the
 *                   same smoother before and after the coarse correction, so the
 *                   V-cycle is symmetric and CG stays valid (no Gauss-Seidel: its result
 *                   would depend on how the rows are split among threads);
 *   coarsest level  dense Cholesky (a few hundred unknowns).
 * Setup: the first numeric setup also does the symbolic work (aggregates, patterns,
 * every allocation: the strength test needs values); later ones refill values in place
 * and allocate nothing. */
#ifndef MF_AMG_H
#define MF_AMG_H

#include <stddef.h>

#include "core/mf_error.h"
#include "core/mf_names.h"
#include "core/mf_types.h"

typedef enum { MF_AMG_NULLSPACE_REFERENCE, MF_AMG_NULLSPACE_CURRENT } mf_amg_nullspace;
extern const mf_name mf_amg_nullspace_names[]; /* reference, current */

/* Storage of the prolongators and coarse operators (levels >= 1): double, or single
 * (half their bytes; every operation still in double, each value rounded once when
 * stored) */
typedef enum { MF_AMG_DOUBLE, MF_AMG_SINGLE } mf_amg_precision;
extern const mf_name mf_amg_precision_names[]; /* double, single */

typedef enum { MF_AMG_CHEBYSHEV, MF_AMG_JACOBI } mf_amg_smoother;
extern const mf_name mf_amg_smoother_names[]; /* chebyshev, jacobi */

typedef struct {
  double threshold;  /* strength of connection theta (0: every connection is strong) */
  mf_amg_smoother smoother;
  int sweeps;        /* per pre- and post-smoothing: the Chebyshev degree, or Jacobi sweeps */
  double eig_ratio;  /* smoothing interval [lmax / eig_ratio, 1.1 lmax] */
  int coarse_size;   /* unknowns at or below which a level is solved directly */
  int max_levels;
  int aggressive_levels; /* levels, from the finest, aggregated at distance 2; coarser
                            ones at distance 1 (PETSc GAMG's aggressive coarsening) */
  mf_amg_nullspace nullspace; /* coordinates of the rigid-body modes */
  mf_amg_precision precision; /* of the prolongators and coarse operators */
  mf_amg_precision fine_precision; /* in which the V-cycle reads the fine matrix: its own
                                      values, or a float copy made at each set-up */
} mf_amg_options;

mf_amg_options mf_amg_options_default(void);

/* What one level holds, for the printout, summary.json and the memory report. */
typedef struct {
  mf_idx rows;       /* block rows */
  int bs;            /* unknowns per block row */
  mf_nnz nnzb;       /* blocks of the level's matrix (a symmetric one's lower triangle counted) */
  size_t bytes;      /* the level's own arrays: matrix (not level 0's), prolongator,
                        smoother, vectors; level 0's also the buffers every level's
                        Galerkin exchange shares across processes */
} mf_amg_level_info;

#define MF_AMG_MAX_LEVELS 16

typedef struct {
  int n_levels;
  mf_amg_level_info level[MF_AMG_MAX_LEVELS];
  double operator_complexity; /* sum of scalar nonzeros over levels / level 0's */
  double grid_complexity;     /* sum of unknowns over levels / level 0's */
  int setups;                 /* numeric setups done (the first also symbolic) */
} mf_amg_info;

#endif
