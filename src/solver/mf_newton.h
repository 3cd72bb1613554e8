/* Load stepping with Newton-Raphson, backtracking line search and automatic cutback.
 *
 * Life cycle (PETSc style): create (pattern, vectors, preconditioner, CG work, scratch
 * pools: every allocation of the solve happens here), run, destroy. During the run a
 * Newton iteration allocates nothing; only the step records grow between steps.
 *
 * Per load step from factor l0 to l1 = l0 + dl:
 *   u_D <- l1 * value on constrained dofs (through the first linear solve, which carries
 *          the jump in prescribed values as a lifted right-hand side),
 *   R(u) = f_int(u) - l1 f_ext on free dofs; K du = -R; u <- u + alpha du,
 *   converged when the prescribed values are met and ||R|| <= atol, or
 *   ||R|| <= rtol * max ||R|| seen in this step, or ||du|| <= dtol ||u|| (stagnation at
 *   round-off). A non-finite residual, an inverted element, a CG breakdown or too many
 *   iterations halve dl (at most max_cutbacks times in a row); two easy steps in a row
 *   double it again, up to the nominal 1/count.
 *
 * The solver sees its own option structs and the problem (solver/mf_problem.h), never
 * the case file: io/mf_case.c fills these. */
#ifndef MF_NEWTON_H
#define MF_NEWTON_H

#include "core/mf_timer.h"
#include "fem/mf_assemble.h"
#include "la/mf_cg.h"
#include "core/mf_comm.h"
#include "mesh/mf_mesh.h"
#include "mesh/mf_partition.h"
#include "solver/mf_problem.h"

typedef struct {
  double rtol;     /* default 1e-8: relative to the largest ||R|| of the step */
  double atol;     /* default 1e-10 */
  double dtol;     /* default 1e-12: relative increment at which Newton stagnates */
  int max_iter;    /* default 25 */
  int line_search; /* default 1 */
} mf_newton_options;

typedef struct {
  int count;        /* default 1: nominal load steps to factor 1 */
  int max_cutbacks; /* default 10: halvings of one step in a row before the run fails */
} mf_stepping_options;

/* How the tangent is stored: every block, or the upper triangle (la/mf_bcsr.h). */
typedef enum { MF_MATRIX_FULL, MF_MATRIX_SYMMETRIC } mf_matrix_storage;
extern const mf_name mf_matrix_storage_names[]; /* full, symmetric */

typedef struct {
  mf_newton_options newton;
  mf_stepping_options steps;
  mf_linear_options linear;
  mf_assembly_method assembly; /* default blocks: element order of assembly */
  mf_matrix_storage matrix;    /* default full */
} mf_solver_options;

/* The defaults above (and la/mf_cg.h's for the linear solver). */
mf_solver_options mf_solver_options_default(void);

typedef struct {
  int step;              /* 1, 2, ... over converged steps */
  double load_factor;
  int newton_iterations; /* linear solves */
  int n_residuals;
  double *residual_norms;/* ||R|| at each iterate, first = start of step */
  int cg_iterations;     /* summed over the step's solves */
  int cg_unconverged;    /* solves that stopped at max_iter */
  int converged;
  const char *converged_by; /* "atol", "rtol", "dtol" */
  int cutbacks;          /* failed attempts before this step converged */
  mf_phase_times times;  /* output: the step hook (results.h5, checkpoints) */
  double t_other;        /* the rest of the step: residuals, line search, bookkeeping */
  double (*reactions)[3];/* per boundary entry: force the constraint applies to the body */
  double (*probe_u)[3];  /* per probe: displacement of its node */
} mf_step_record;

/* What the load-stepping loop carries from one converged step to the next. With the
 * displacement it is everything a restart needs to continue bit-identically (the CG
 * solve starts from zero and the tangent is reassembled at every step's start). */
typedef struct {
  int step;              /* converged steps so far (the last step's number) */
  int attempts;          /* step attempts so far, cutbacks included (bounded by max_steps) */
  double load_factor;    /* of the last converged step */
  double step_size;      /* load increment the next step tries */
  int easy;              /* easy steps in a row (two double a cut-back step size) */
  int soaking, soak_done, unloading; /* soak mode: phase, steps done, direction */
} mf_loop_state;

/* Called between load steps, after each converged one, with the state the next step
 * starts from, the converged displacement and whether it was the last step. An error
 * ends the run with that error. Runs outside any Newton iteration, so it may allocate.
 * Across processes every process calls it (its status is agreed). */
typedef struct {
  const double *u;       /* this process's: 3 per local node, owned rows then current ghosts
                            (on one process the whole mesh's) */
  const double *u_whole; /* the whole mesh's in its numbering: u on one process; NULL
                            across processes (each process writes its own rows) */
} mf_step_fields;
typedef mf_status (*mf_step_hook)(void *ctx, const mf_loop_state *ls, const mf_step_fields *f, int last);

typedef struct {
  int quiet;             /* no progress lines on stdout */
  int max_steps;         /* safety bound on attempted steps (default 100000) */
  int soak_steps;        /* > 0: after full load, cycle the load between 1 and 0.5 for this
                            many more steps, keeping per-step data (mf_soak.h) */
  int release_after_step;/* hand freed memory back to the OS after every step */
  mf_step_hook on_step;  /* NULL: none */
  void *on_step_ctx;
  const mf_loop_state *resume; /* non-NULL: continue from this state ... */
  const double *resume_u;      /* ... and this displacement (ndof values, the solver's own
                                  rows: across processes the local ones, ghosts included) */
} mf_run_options;

typedef struct {
  mf_status status;
  char message[512];     /* what failed, when status != MF_OK */
  int n_steps;
  mf_step_record *steps;
  double final_load_factor;
  /* totals over the run */
  long long elements_assembled;
  long long tangents_assembled; /* of those, the ones assembled with their tangent */
  mf_phase_times times;
  double cg_bytes;
  long long cg_iterations;
} mf_run_result;

typedef struct mf_solver mf_solver;
typedef struct mf_telemetry mf_telemetry;

/* pb and opt are read (opt copied); pb must outlive the solver. */
mf_status mf_solver_create(const mf_problem *pb, const mf_solver_options *opt, mf_solver **s);
/* Across processes (issue 14): this process's part of the whole problem. */
typedef struct {
  mf_comm *comm;                 /* borrowed, as the rest */
  const mf_part *part;           /* this process's */
  const mf_problem *whole;       /* the whole problem without fields (mf_problem_create_outline,
                                    on the whole mesh or its outline): what rank 0 records
                                    reactions and probes on */
  mf_assembly *part_assembly;    /* the part's plan (solver/mf_part_scatter.h), taken by the
                                    solver (whether or not its creation succeeds) */
} mf_solver_dist;

/* pb: the part's problem (solver/mf_part_scatter.h). Every
 * process runs the same Newton and load-step decisions: reductions are exact over the
 * processes, failures agreed (core/mf_comm.h), u's ghost rows follow their owners after
 * each update. Owned rows, and so the displacement, are the one-process bits. Rank 0
 * gathers u (and fint, for reactions) after each converged step; every process calls
 * the step hook with its u, rank 0 also with the whole u. Full storage, exact reductions,
 * no soak: anything else is refused by name. Collective. */
mf_status mf_solver_create_dist(const mf_problem *pb, const mf_solver_options *opt, const mf_solver_dist *d,
                                mf_solver **s);
/* Run all load steps. Returns MF_OK, or the failure (also in result->status) after
 * which result still holds the steps that converged. */
mf_status mf_solver_run(mf_solver *s, const mf_run_options *opt, mf_run_result *result);
/* Record memory telemetry at every Newton iteration (NULL: none). Not owned. */
void mf_solver_set_telemetry(mf_solver *s, mf_telemetry *tel);
/* Displacements, 3 per local node (valid after run). */
const double *mf_solver_displacement(const mf_solver *s);
/* The whole mesh's displacement after run: this one on one process; NULL across
 * processes, where no process holds it (the checksum gathers it a slice at a time,
 * io/mf_checksum.h). */
const double *mf_solver_whole_displacement(const mf_solver *s);
/* Memory held by the solver's arrays (matrix, vectors, preconditioner, assembly offsets). */
size_t mf_solver_memory_bytes(const mf_solver *s);
/* Of that, the tangent matrix (values, column indices, row pointers). */
size_t mf_solver_matrix_bytes(const mf_solver *s);
/* Seconds create spent building the matrix pattern (inside the setup time). */
double mf_solver_pattern_seconds(const mf_solver *s);
const mf_assembly *mf_solver_assembly(const mf_solver *s);
const mf_pc *mf_solver_preconditioner(const mf_solver *s);
void mf_run_result_free(mf_run_result *r);
void mf_solver_destroy(mf_solver **s);

#endif
