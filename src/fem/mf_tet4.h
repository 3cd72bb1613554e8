/* The 4-node tetrahedron with one quadrature point, total Lagrangian.
 *
 * With reference shape-function gradients g_a = dN_a/dX (constant over the element),
 *   F = I + sum_a u_a (x) g_a,
 *   f_a = V0 B_a^T S                                  (internal force)
 *   K_ab = V0 (B_a^T D B_b + (g_a . S g_b) I)           (tangent: material + geometric)
 * where B_a maps nodal displacement variations to Green-Lagrange strain variations,
 * dE_ij = (F_ki g_j + F_kj g_i)/2 du_ak (Voigt, engineering shear). For the small-strain
 * law B is built with F = I and the geometric term is dropped. */
#ifndef MF_TET4_H
#define MF_TET4_H

#include "fem/mf_material.h"
#include "mem/mf_scratch.h"

/* Signed volume of the tet with vertices X[4][3] (positive for Gmsh's orientation). */
double mf_tet4_volume(const double X[4][3]);

/* Reference gradients g[4][3] of the shape functions; returns the volume. */
double mf_tet4_gradients(const double X[4][3], double g[4][3]);

/* Deformation gradient F (row-major) from gradients and nodal displacements u[12]. */
void mf_tet4_deformation_gradient(const double g[4][3], const double u[12], double F[9]);

/* Element internal force s->fe[12] and, if want_tangent, tangent s->Ke[12x12], with
 * every other array of s (D, B, DB, g, F, S) as work space; X and u may be s->Xe, s->ue. Returns 0, or -1 if the material cannot be evaluated
 * (J <= 0, non-finite): the caller treats that as a failed iterate. */
int mf_tet4_eval(const mf_material *mat, const double X[4][3], const double u[12], int want_tangent,
                 mf_elem_scratch *s);

/* Cauchy stress (Voigt) and J at the element's quadrature point, for output. */
int mf_tet4_cauchy(const mf_material *mat, const double X[4][3], const double u[12], double sigma[6]);

#endif
