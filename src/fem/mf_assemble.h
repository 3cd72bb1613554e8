/* Parallel assembly of the internal force vector and the tangent matrix.
 *
 * The element loop: colours in order; within a colour, elements in parallel (they share
 * no node, so scatters never collide). Each element draws its work arrays from the
 * scratch provider, evaluates mf_tet4_eval and adds into the block-CSR values found
 * through the pattern built at setup. No heap allocation happens here with the pool. */
#ifndef MF_ASSEMBLE_H
#define MF_ASSEMBLE_H

#include "fem/mf_colour.h"
#include "fem/mf_material.h"
#include "la/mf_bcsr.h"
#include "mem/mf_scratch.h"
#include "mesh/mf_mesh.h"

typedef struct mf_assembly mf_assembly;

/* region_mat[r + 1] is the material of region r (index 0: elements of no region). */
mf_status mf_assembly_create(const mf_mesh *mesh, const mf_material *region_mat, mf_assembly **asmb);
/* fint = internal force at displacement u (3 per node); K = tangent if K != NULL.
 * An element that cannot be evaluated (J <= 0, NaN) gives MF_ERR_NONFINITE naming it. */
mf_status mf_assemble(mf_assembly *asmb, const double *u, mf_bcsr *K, double *fint);
int mf_assembly_colours(const mf_assembly *asmb);
void mf_assembly_destroy(mf_assembly **asmb);

#endif
