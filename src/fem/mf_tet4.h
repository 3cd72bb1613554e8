/* Closed forms of the affine 4-node tetrahedron: signed volume, constant shape-function
 * gradients, deformation gradient. The tet4 shape (mf_shape_tet4.c) computes its
 * gradients with these; the element kernel itself is fem/mf_element.h. */
#ifndef MF_TET4_H
#define MF_TET4_H

/* Signed volume of the tet with vertices X[4][3] (positive for Gmsh's orientation). */
double mf_tet4_volume(const double X[4][3]);

/* Reference gradients g[4][3] of the shape functions; returns the volume. */
double mf_tet4_gradients(const double X[4][3], double g[4][3]);

/* Deformation gradient F (row-major) from gradients and nodal displacements u[12]. */
void mf_tet4_deformation_gradient(const double g[4][3], const double u[12], double F[9]);

#endif
