/* A case: everything `memfem run` needs, read from a YAML file.
 *
 * Shape (unknown keys are errors naming the key and line):
 *   mesh: PATH | box:LXxLYxLZ:NXxNYxNZ      (PATH relative to the case file)
 *   materials: [{region?, model, E, nu | C10, D1}]
 *   boundary:  [{group, ux?, uy?, uz?}]   (one entry per group, at least one component)
 *   loads:     [{group, traction: [tx,ty,tz]} | {body_force: [bx,by,bz]}]
 *   steps:     {count, max_cutbacks?}
 *   newton:    {rtol?, atol?, dtol?, max_iter?, line_search?}
 *   linear:    {solver?: cg, preconditioner?: jacobi|block-jacobi|amg|none, rtol?, max_iter?,
 *               reuse?, amg?: {threshold?, smoother?, sweeps?, eig_ratio?, coarse_size?, max_levels?,
 *                              nullspace?: reference|current}}
 *   probes:    {name: [x,y,z], ...}
 *   output:    {dir?, every?, compression?}
 *   checkpoint: {every}
 *   memory:    {release_after_step?, soak_steps?}
 *   reorder:   none | metis | rcm   (node renumbering for locality)
 *   assembly:  colour | blocks      (race-free element order of assembly)
 *   matrix:    full | symmetric     (storage of the tangent: every block, or the upper triangle)
 */
#ifndef MF_CASE_H
#define MF_CASE_H

#include "core/mf_error.h"
#include "core/mf_types.h"
#include "mesh/mf_reorder.h"
#include "solver/mf_newton.h"
#include "solver/mf_problem.h"

#define MF_PATH_MAX 1024

typedef struct mf_case {
  char path[MF_PATH_MAX];      /* the case file as given */
  char mesh[MF_PATH_MAX];      /* resolved mesh path or generator spec */

  mf_problem_desc problem;     /* materials, boundary, loads, probes (origin: path) */
  mf_solver_options solver;    /* steps, newton, linear, assembly: the solver's defaults */

  char output_dir[MF_PATH_MAX]; /* default "out" relative to the working directory */
  int output_every;       /* default 1: write results every K-th step (and the last); 0: none */
  int output_compression; /* default 0: deflate level 1..9 of results.h5 datasets */
  int checkpoint_every;   /* default 0 (none): write DIR/checkpoint.h5 every K-th step */

  int release_after_step; /* default 0: hand freed memory back to the OS after each step */
  int soak_steps;         /* default 0: extra load steps of the soak mode (see mf_soak.h) */

  mf_reorder_method reorder; /* default rcm: node renumbering after mesh load (mesh/mf_reorder.h) */
} mf_case;

/* Read and validate a case file. */
mf_status mf_case_load(const char *path, mf_case **c);
/* Defaults only (used by tests that build cases in code). */
mf_status mf_case_create_default(mf_case **c);
void mf_case_destroy(mf_case **c);

#endif
