/* Constitutive laws: pure functions of the deformation gradient.
 *
 * Each law returns the second Piola-Kirchhoff stress S and the material tangent
 * D = dS/dE (E the Green-Lagrange strain) as a 6x6 Voigt matrix, order
 * xx, yy, zz, xy, yz, xz with engineering shear strains. The small-strain linear law
 * uses the same interface with E replaced by the symmetric displacement gradient. */
#ifndef MF_MATERIAL_H
#define MF_MATERIAL_H

#include "core/mf_error.h"
#include "core/mf_names.h"

typedef enum {
  MF_MAT_LINEAR_ELASTIC = 0,     /* sigma = lambda tr(eps) I + 2 mu eps, small strain */
  MF_MAT_NEO_HOOKEAN,            /* W = mu/2 (I1-3) - mu lnJ + lambda/2 (lnJ)^2 */
  MF_MAT_NEO_HOOKEAN_DECOUPLED   /* W = C10 (I1bar-3) + (J-1)^2/D1 (Abaqus, CalculiX) */
} mf_material_model;

typedef struct {
  mf_material_model model;
  double lambda, mu; /* linear elastic and neo-hookean */
  double C10, D1;    /* decoupled neo-hookean */
} mf_material;

/* Moduli (E, C10, 1/D1) memfem computes with: a stiffness block's determinant is a
 * product of three modulus-sized numbers, so moduli beyond 1e100 (or below 1e-100)
 * would overflow (or underflow) double precision. */
#define MF_MODULUS_MIN 1e-100
#define MF_MODULUS_MAX 1e100

/* From Young's modulus and Poisson's ratio (E > 0, -1 < nu < 0.5); for the decoupled
 * law C10 = mu/2 and D1 = 2/K with K the bulk modulus. */
mf_status mf_material_from_E_nu(mf_material_model model, double E, double nu, mf_material *m);
/* Decoupled neo-hookean from its own constants (C10 > 0, D1 > 0). */
mf_status mf_material_from_C10_D1(double C10, double D1, mf_material *m);
/* Model names as in case files: linear-elastic, neo-hookean, neo-hookean-decoupled. */
extern const mf_name mf_material_model_names[];
const char *mf_material_model_name(mf_material_model model);
/* Parse a model name; returns 0 on success, -1 if unknown. */
int mf_material_model_parse(const char *name, mf_material_model *model);
/* Whether the law is geometrically nonlinear (total Lagrangian) or small strain. */
static inline int mf_material_is_finite_strain(const mf_material *m) {
  return m->model != MF_MAT_LINEAR_ELASTIC;
}

/* Stress and tangent at deformation gradient F (row-major 3x3). Writes S[6] and D[36].
 * Returns 0, or -1 when det F <= 0 or the result is not finite (the caller cuts back). */
int mf_material_eval(const mf_material *m, const double F[9], double S[6], double D[36]);

/* The two parts of W that mean-dilatation elements (fem/mf_shape.h) integrate
 * differently: the volumetric term U - lambda/2 (tr eps)^2, lambda/2 (ln J)^2,
 * (J-1)^2/D1 for the three laws - and the rest. The parts sum to the whole law up to
 * round-off; MF_PART_WHOLE is mf_material_eval. */
typedef enum { MF_PART_WHOLE = 0, MF_PART_REST, MF_PART_VOLUMETRIC } mf_material_part;
int mf_material_eval_part(const mf_material *m, mf_material_part part, const double F[9], double S[6],
                          double D[36]);
/* The finite-strain laws' volumetric term as a function of J: U(J), dU/dJ (the
 * pressure it contributes) and d2U/dJ2. Returns 0, or -1 for J <= 0, a non-finite
 * result or the small-strain law (whose term is lambda/2 (tr eps)^2). */
int mf_material_volumetric(const mf_material *m, double J, double *U, double *dU, double *d2U);
/* Strain energy density W(F) (per reference volume); used by tests and summaries. */
double mf_material_energy(const mf_material *m, const double F[9]);

#endif
