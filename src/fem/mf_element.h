/* The element kernel: internal force and tangent of one element, total Lagrangian, by
 * quadrature over its shape (fem/mf_shape.h).
 *
 * At each quadrature point, with physical shape-function gradients g_a = dN_a/dX and
 * volume weight dV = w det J,
 *   F = I + sum_a u_a (x) g_a,                S, D = material law at F
 *   f_a += dV B_a^T S                                      (internal force)
 *   K_ab += dV (B_a^T D B_b + (g_a . S g_b) I)             (material + geometric)
 * where B_a maps nodal displacement variations to Green-Lagrange strain variations,
 * dE_ij = (F_ki g_j + F_kj g_i)/2 du_ak (Voigt, engineering shear). For the small-strain
 * law B is built with F = I and the geometric term is dropped. A mean-dilatation
 * shape (mf_shape.h) evaluates the law's rest at its points and adds the volumetric
 * part U(Jbar) V0 of the element's mean dilatation Jbar (mf_element.c). */
#ifndef MF_ELEMENT_H
#define MF_ELEMENT_H

#include "fem/mf_material.h"
#include "fem/mf_shape.h"
#include "mem/mf_scratch.h"

/* Element internal force s->fe[nd] and, if want_tangent, tangent s->Ke[nd x nd]
 * (nd = 3 x nodes), with every other array of s (D, B, DB, g, F, S) as work space; X
 * (nodes x 3) and u (nd) may be s->Xe, s->ue. Returns 0, or -1 if the material cannot
 * be evaluated at some point (J <= 0, non-finite): the caller treats that as a failed
 * iterate. */
int mf_element_eval(const mf_shape *sh, const mf_material *mat, const double *X, const double *u, int want_tangent,
                    mf_elem_scratch *s);

/* Cauchy stress (Voigt xx, yy, zz, xy, yz, xz), averaged over the element's quadrature
 * points (mean dilatation: the rest averaged over the points plus the pressure of the
 * mean dilatation), for output. Returns 0, or -1 where the material cannot be evaluated. */
int mf_element_cauchy(const mf_shape *sh, const mf_material *mat, const double *X, const double *u, double sigma[6]);

#endif
