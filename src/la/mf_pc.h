/* Preconditioners: an object with a function table (PETSc's PC shape).
 *
 * Life cycle: create (type and options; nothing sized yet), setup_symbolic once per
 * matrix pattern (allocates), setup_numeric for every new matrix (no allocation),
 * apply z = M^-1 r as often as CG asks, destroy. CG knows a preconditioner only
 * through this table. A new preconditioner is a new file mf_pc_<name>.c with its
 * create function, a value of mf_pc_type, a name in mf_pc_names and a row in the
 * registry of mf_pc.c. */
#ifndef MF_PC_H
#define MF_PC_H

#include <stddef.h>

#include "core/mf_names.h"
#include "la/mf_amg.h"
#include "la/mf_operator.h"

typedef enum { MF_PC_NONE, MF_PC_JACOBI, MF_PC_BLOCK_JACOBI, MF_PC_AMG, MF_PC_BOOMERAMG } mf_pc_type;
extern const mf_name mf_pc_names[]; /* none, jacobi, block-jacobi, amg, boomeramg */
const char *mf_pc_name(mf_pc_type type);

/* hypre's BoomerAMG (la/mf_pc_boomeramg.c): MFEM's elasticity options, and how many of
 * the finest levels hypre coarsens aggressively (MFEM's elasticity options: 0; its
 * scalar defaults: 1). */
typedef struct {
  int aggressive_levels;
} mf_boomeramg_options;

/* What a case or the command line chooses for the preconditioner. */
typedef struct {
  mf_pc_type type;
  mf_amg_options amg;             /* for amg */
  mf_boomeramg_options boomeramg; /* for boomeramg */
} mf_pc_options;

/* The defaults: block-jacobi, mf_amg_options_default(), boomeramg aggressive_levels 0. */
mf_pc_options mf_pc_options_default(void);

typedef struct mf_pc mf_pc;

typedef struct {
  mf_status (*setup_symbolic)(mf_pc *pc, const mf_operator *A);
  mf_status (*setup_numeric)(mf_pc *pc, const mf_operator *A);
  void (*apply)(const mf_pc *pc, const double *restrict r, double *restrict z);
  /* optional: apply and return r . z in the same pass over memory, summed chunk by chunk
   * as mf_vec_dot sums (mf_vec_chunk_dot), so the result has the same bits */
  double (*apply_dot)(const mf_pc *pc, const double *restrict r, double *restrict z);
  double (*apply_bytes)(const mf_pc *pc); /* bytes one apply moves at least */
  size_t (*memory_bytes)(const mf_pc *pc);
  void (*destroy)(mf_pc *pc); /* frees data */
  /* a multilevel preconditioner's hierarchy (NULL: one level) */
  void (*levels)(const mf_pc *pc, mf_amg_info *info);
} mf_pc_ops;

struct mf_pc {
  const mf_pc_ops *ops;
  mf_pc_type type;
  mf_pc_options opt;
  const mf_vec_layout *layout; /* set by setup_symbolic */
  const double *xyz;           /* coordinates of the block rows (3 each), or NULL */
  const mf_gidx *gid;          /* global ids of the block rows, or NULL */
  const mf_idx *row_key;       /* across processes: each local block row's row in the
                                  one-process matrix (a mesh node), or NULL */
  struct mf_halo *halo;        /* across processes: the operator's ghost exchange, or NULL */
  void *data;                  /* the implementation's */
};

mf_status mf_pc_create(const mf_pc_options *opt, mf_pc **pc);
/* The block rows' coordinates (3 each) and global ids, which a multigrid builds its
 * near-nullspace and aggregates from (PETSc's PCSetCoordinates). Kept, not copied: the
 * caller may update the coordinates between numeric setups (current configuration). */
void mf_pc_set_coordinates(mf_pc *pc, const double *xyz, const mf_gidx *gid);
/* Across processes (before setup_symbolic): each local block row's row in the
 * one-process matrix, by which a multigrid orders its sums as one process does, and the
 * operator's ghost exchange (bs values per row), both borrowed. */
void mf_pc_set_distribution(mf_pc *pc, const mf_idx *row_key, struct mf_halo *halo);
mf_status mf_pc_setup_symbolic(mf_pc *pc, const mf_operator *A);
/* Factor from A's current values; a singular diagonal (block) is an error naming the row. */
mf_status mf_pc_setup_numeric(mf_pc *pc, const mf_operator *A);
static inline void mf_pc_apply(const mf_pc *pc, const double *restrict r, double *restrict z) {
  pc->ops->apply(pc, r, z);
}
static inline double mf_pc_apply_bytes(const mf_pc *pc) { return pc->ops->apply_bytes(pc); }
/* z = M^-1 r and r . z (over the owned entries, deterministic); *fused set when the
 * preconditioner did both in one pass. */
double mf_pc_apply_dot(const mf_pc *pc, const double *restrict r, double *restrict z, int *fused);
size_t mf_pc_memory_bytes(const mf_pc *pc);
/* The hierarchy of a multilevel preconditioner; 0 levels for the others. */
void mf_pc_levels(const mf_pc *pc, mf_amg_info *info);
void mf_pc_destroy(mf_pc **pc);

/* The implementations' create functions: fill ops (and data) of a zeroed pc. */
mf_status mf_pc_create_none(mf_pc *pc);
mf_status mf_pc_create_jacobi(mf_pc *pc);
mf_status mf_pc_create_block_jacobi(mf_pc *pc);
mf_status mf_pc_create_amg(mf_pc *pc);
mf_status mf_pc_create_boomeramg(mf_pc *pc); /* hypre; an error in builds without it */
/* Whether the preconditioner builds near-nullspaces from coordinates (mf_pc_set_coordinates). */
static inline int mf_pc_wants_coordinates(mf_pc_type t) { return t == MF_PC_AMG || t == MF_PC_BOOMERAMG; }
/* Whether the preconditioner's first numeric set-up also fixes its structure from that
 * set-up's values (memfem's multigrid: aggregates and patterns), so that later set-ups
 * depend on which matrix came first; a restarted run sets it up on the first run's. */
static inline int mf_pc_structure_from_first_setup(mf_pc_type t) { return t == MF_PC_AMG; }
/* The set-up reuse factor a preconditioner runs with when the case sets none
 * (mf_linear_options.reuse): 2 for amg, whose set-up costs about as much as its solve
 * while a kept hierarchy needs the same iterations (docs/performance.md); 0, a set-up
 * per solve, for the others (block-Jacobi's is cheap; hypre's was not measured with
 * reuse). */
static inline double mf_pc_default_reuse(mf_pc_type t) { return t == MF_PC_AMG ? 2.0 : 0.0; }

#endif
