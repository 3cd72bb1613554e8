/* The discrete problem: what is posed (mf_problem_desc: materials per region, Dirichlet
 * sets, loads, probes; filled by io/mf_case.c from a case file, or by a test in code)
 * and what it becomes on a mesh (mf_problem: a material per element region,
 * constrained degrees of freedom with their values, the external force vector, the
 * probe nodes). Built once at setup; loads and prescribed values scale with the load
 * factor. Degrees of freedom are numbered 3*node + component. */
#ifndef MF_PROBLEM_H
#define MF_PROBLEM_H

#include <stdint.h>

#include "core/mf_comm.h"
#include "fem/mf_material.h"
#include "fem/mf_shape.h"
#include "mesh/mf_mesh.h"
#include "mesh/mf_partition.h"

typedef struct {
  char region[MF_NAME_MAX]; /* "" applies to every element (only allowed when alone) */
  mf_material mat;
  int line;                 /* where it was given (a case file line; 0: not from a file) */
} mf_material_assignment;

typedef struct {
  char group[MF_NAME_MAX];
  int fixed[3];     /* component prescribed? */
  double value[3];  /* prescribed value at load factor 1 */
  int line;
} mf_dirichlet_set;

typedef enum { MF_LOAD_TRACTION, MF_LOAD_BODY_FORCE } mf_load_kind;

typedef struct {
  mf_load_kind kind;
  char group[MF_NAME_MAX]; /* traction only */
  double vec[3];           /* traction (force/area) or body force (force/volume), at factor 1 */
  int line;
} mf_load;

typedef struct {
  char name[MF_NAME_MAX];
  double X[3];
} mf_probe;

typedef struct mf_problem_desc {
  const char *origin;      /* where it was written (the case file), for messages */
  int n_materials;
  mf_material_assignment *materials;
  int n_dirichlet;
  mf_dirichlet_set *dirichlet;
  int n_loads;
  mf_load *loads;
  int n_probes;
  mf_probe *probes;
  mf_volumetric volumetric; /* integration of the law's volumetric part (fem/mf_shape.h) */
} mf_problem_desc;

typedef struct mf_problem {
  const mf_mesh *mesh;
  const mf_problem_desc *desc;
  const mf_shape *shape;   /* the element shape and rule every element loop uses */
  mf_nnz ndof;
  mf_material *region_mat; /* n_groups + 1; [r + 1] for region r, [0] for no region */
  uint8_t *bc_mask;        /* ndof: 1 where the component is prescribed */
  double *bc_value;        /* ndof: prescribed value at load factor 1 (0 where free) */
  mf_nnz n_constrained;
  double *fext;            /* ndof: external force at load factor 1 */
  const mf_group **bc_group; /* desc->n_dirichlet: the group of each boundary entry */
  mf_idx *probe_node;        /* desc->n_probes: node nearest each probe point */
  double *probe_X;           /* 3 per probe: that node's coordinates (for the report, which may
                                come after the mesh's coordinates are dropped) */
  mf_gidx *probe_tag;        /* and its tag (a rank 0 holding the outline has no tags) */
} mf_problem;

/* Every mismatch between description and mesh (unknown group, region without material,
 * nothing constrained) is an error naming desc->origin, the line and what the mesh has.
 * desc and mesh must outlive the problem. */
mf_status mf_problem_create(const mf_problem_desc *desc, const mf_mesh *mesh, mf_problem **pb);
/* Across processes, on rank 0 and the other ranks alike: the problem without its
 * per-unknown fields (NULL), for the description's checks and what rank 0 records: the
 * materials of the regions, the boundary groups, the probe nodes. Rank 0 makes it on the
 * whole mesh (probe_node NULL: the nodes nearest the probes are found there, as
 * mf_problem_create finds them) and checks the description against it as
 * mf_problem_create does; a rank other than 0 makes it on the whole mesh's outline
 * (mesh/mf_mesh_pack.h) with the probe nodes rank 0 found. */
mf_status mf_problem_create_outline(const mf_problem_desc *desc, const mf_mesh *mesh, const mf_idx *probe_node,
                                    mf_problem **pb);
/* A part's problem, made by the process that holds the part (mesh/mf_partition.h,
 * mf_part_mesh): its fields on its own mesh, as mf_problem_create makes them on the
 * whole one. An owned node's rows are the whole problem's bits: every element and every
 * boundary face around it is on the part, in mesh order, so its loads are the same sums
 * in the same order. A ghost's rows may lack faces and elements the part does not hold:
 * mf_problem_share_ghosts then gives them their owners' rows, since the assembly needs
 * every ghost column's constraint. The description was checked on the whole mesh or its
 * outline; here a group may have no face on the part. bc_group and probe_node are for
 * rank 0's records, which use the outline's problem: unset here. */
mf_status mf_problem_create_part(const mf_problem_desc *desc, const mf_mesh *part_mesh, mf_problem **pb);
/* The probe nodes and their coordinates of the outline's problem `pb` (every rank's),
 * found across the parts where no process holds the whole mesh (io/mf_h5_part.h): each
 * process finds the nearest of its owned nodes as find_probes does (smallest squared
 * distance, then smallest tag), and three maxima over the processes pick the one
 * mf_problem_create would find, with its mesh number and its coordinates' bits.
 * Collective. */
mf_status mf_problem_find_probes_across(mf_comm *comm, const mf_part *part, const mf_mesh *part_mesh, mf_problem *pb);
/* Every ghost row of the part's problem (constraint, prescribed value, external force)
 * set to its owner's, and the constrained count over the local rows. Collective. */
mf_status mf_problem_share_ghosts(mf_comm *comm, const mf_part *part, mf_problem *pb);
/* 1 when every material is small strain (linear elastic): the loads are dead loads, so
 * the tangent does not depend on u and one exact linear solve is the answer. */
int mf_problem_is_linear(const mf_problem *pb);
void mf_problem_destroy(mf_problem **pb);

#endif
