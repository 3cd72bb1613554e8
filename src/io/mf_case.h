/* A case: everything `memfem run` needs, read from a YAML file.
 *
 * Shape (unknown keys are errors naming the key and line):
 *   mesh: PATH | box:LXxLYxLZ:NXxNYxNZ      (PATH relative to the case file)
 *   materials: [{region?, model, E, nu | C10, D1}]
 *   boundary:  [{group, ux?, uy?, uz?}]   (one entry per group, at least one component)
 *   loads:     [{group, traction: [tx,ty,tz]} | {body_force: [bx,by,bz]}]
 *   steps:     {count, max_cutbacks?}
 *   newton:    {rtol?, atol?, dtol?, max_iter?, line_search?}
 *   linear:    {solver?: cg, preconditioner?: jacobi|block-jacobi|none, rtol?, max_iter?}
 *   probes:    {name: [x,y,z], ...}
 *   output:    {dir?, every?, compression?}
 *   checkpoint: {every}
 *   memory:    {release_after_step?, soak_steps?}
 *   reorder:   none | metis | rcm   (node renumbering for locality)
 *   assembly:  colour | blocks      (race-free element order of assembly)
 */
#ifndef MF_CASE_H
#define MF_CASE_H

#include "core/mf_error.h"
#include "core/mf_types.h"
#include "fem/mf_material.h"
#include "fem/mf_assemble.h"
#include "mesh/mf_reorder.h"

#define MF_PATH_MAX 1024

typedef struct {
  char region[MF_NAME_MAX]; /* "" applies to every element (only allowed when alone) */
  mf_material mat;
  int line;                 /* line in the case file, for later messages */
} mf_case_material;

typedef struct {
  char group[MF_NAME_MAX];
  int fixed[3];     /* component prescribed? */
  double value[3];  /* prescribed value at load factor 1 */
  int line;
} mf_case_dirichlet;

typedef enum { MF_LOAD_TRACTION, MF_LOAD_BODY_FORCE } mf_load_kind;

typedef struct {
  mf_load_kind kind;
  char group[MF_NAME_MAX]; /* traction only */
  double vec[3];           /* traction (force/area) or body force (force/volume), at factor 1 */
  int line;
} mf_case_loading;

typedef struct {
  char name[MF_NAME_MAX];
  double X[3];
} mf_case_probe;

typedef enum { MF_PC_NONE, MF_PC_JACOBI, MF_PC_BLOCK_JACOBI } mf_pc_type;

typedef struct mf_case {
  char path[MF_PATH_MAX];      /* the case file as given */
  char mesh[MF_PATH_MAX];      /* resolved mesh path or generator spec */

  int n_materials;
  mf_case_material *materials;
  int n_dirichlet;
  mf_case_dirichlet *dirichlet;
  int n_loads;
  mf_case_loading *loads;
  int n_probes;
  mf_case_probe *probes;

  int steps;          /* default 1 */
  int max_cutbacks;   /* default 10 */

  double newton_rtol; /* default 1e-8 */
  double newton_atol; /* default 1e-10 */
  double newton_dtol; /* default 1e-12: relative increment at which Newton stagnates */
  int newton_max_iter;/* default 25 */
  int line_search;    /* default 1 */

  mf_pc_type pc;      /* default block-jacobi */
  double cg_rtol;     /* default 1e-8 */
  int cg_max_iter;    /* default 20000 */

  char output_dir[MF_PATH_MAX]; /* default "out" relative to the working directory */
  int output_every;       /* default 1: write results every K-th step (and the last); 0: none */
  int output_compression; /* default 0: deflate level 1..9 of results.h5 datasets */
  int checkpoint_every;   /* default 0 (none): write DIR/checkpoint.h5 every K-th step */

  int release_after_step; /* default 0: hand freed memory back to the OS after each step */
  int soak_steps;         /* default 0: extra load steps of the soak mode (see mf_soak.h) */

  mf_reorder_method reorder; /* default rcm: node renumbering after mesh load (mesh/mf_reorder.h) */
  mf_assembly_method assembly; /* default blocks: element order of assembly (fem/mf_assemble.h) */
} mf_case;

/* Read and validate a case file. */
mf_status mf_case_load(const char *path, mf_case **c);
/* Defaults only (used by tests that build cases in code). */
mf_status mf_case_create_default(mf_case **c);
void mf_case_destroy(mf_case **c);
const char *mf_pc_name(mf_pc_type pc);

#endif
