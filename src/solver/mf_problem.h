/* The discrete problem a case poses on a mesh: materials per element region,
 * constrained degrees of freedom with their values, the external force vector and the
 * probe nodes. Built once at setup; loads and prescribed values scale with the load
 * factor. Degrees of freedom are numbered 3*node + component. */
#ifndef MF_PROBLEM_H
#define MF_PROBLEM_H

#include <stdint.h>

#include "fem/mf_material.h"
#include "io/mf_case.h"
#include "mesh/mf_mesh.h"

typedef struct mf_problem {
  const mf_mesh *mesh;
  const mf_case *cs;
  mf_nnz ndof;
  mf_material *region_mat; /* n_groups + 1; [r + 1] for region r, [0] for no region */
  uint8_t *bc_mask;        /* ndof: 1 where the component is prescribed */
  double *bc_value;        /* ndof: prescribed value at load factor 1 (0 where free) */
  mf_nnz n_constrained;
  double *fext;            /* ndof: external force at load factor 1 */
  const mf_group **bc_group; /* cs->n_dirichlet: the group of each boundary entry */
  mf_idx *probe_node;        /* cs->n_probes: node nearest each probe point */
} mf_problem;

mf_status mf_problem_create(const mf_case *cs, const mf_mesh *mesh, mf_problem **pb);
void mf_problem_destroy(mf_problem **pb);

#endif
