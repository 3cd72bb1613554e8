/* Constitutive laws (see mf_material.h for the interface and Voigt convention).
 *
 * Notation: C = F^T F, J = det F, I1 = tr C, Ci = C^-1,
 * (Ci o Ci)_ijkl = (Ci_ik Ci_jl + Ci_il Ci_jk) / 2, D_ijkl = 2 dS_ij / dC_kl. */
#include "fem/mf_material.h"

#include <math.h>
#include <string.h>

static const int voigt_i[6] = {0, 1, 2, 0, 1, 0};
static const int voigt_j[6] = {0, 1, 2, 1, 2, 2};

mf_status mf_material_from_E_nu(mf_material_model model, double E, double nu, mf_material *m) {
  MF_CHECK(isfinite(E) && E > 0.0, MF_ERR_INPUT, "Young's modulus E = %g must be positive", E);
  MF_CHECK(E >= MF_MODULUS_MIN && E <= MF_MODULUS_MAX, MF_ERR_INPUT, "Young's modulus E = %g is outside [%g, %g]", E,
           MF_MODULUS_MIN, MF_MODULUS_MAX);
  MF_CHECK(isfinite(nu) && nu > -1.0 && nu < 0.5, MF_ERR_INPUT,
           "Poisson's ratio nu = %g must lie in (-1, 0.5)", nu);
  memset(m, 0, sizeof *m);
  m->model = model;
  m->mu = E / (2.0 * (1.0 + nu));
  m->lambda = E * nu / ((1.0 + nu) * (1.0 - 2.0 * nu));
  if (model == MF_MAT_NEO_HOOKEAN_DECOUPLED) {
    double K = E / (3.0 * (1.0 - 2.0 * nu));
    m->C10 = m->mu / 2.0;
    m->D1 = 2.0 / K;
  }
  return MF_OK;
}

mf_status mf_material_from_C10_D1(double C10, double D1, mf_material *m) {
  MF_CHECK(isfinite(C10) && C10 > 0.0, MF_ERR_INPUT, "C10 = %g must be positive", C10);
  MF_CHECK(isfinite(D1) && D1 > 0.0, MF_ERR_INPUT, "D1 = %g must be positive", D1);
  MF_CHECK(C10 >= MF_MODULUS_MIN && C10 <= MF_MODULUS_MAX && 1.0 / D1 >= MF_MODULUS_MIN && 1.0 / D1 <= MF_MODULUS_MAX,
           MF_ERR_INPUT, "C10 = %g and 1/D1 = %g must lie in [%g, %g]", C10, 1.0 / D1, MF_MODULUS_MIN, MF_MODULUS_MAX);
  memset(m, 0, sizeof *m);
  m->model = MF_MAT_NEO_HOOKEAN_DECOUPLED;
  m->C10 = C10;
  m->D1 = D1;
  m->mu = 2.0 * C10;                        /* small-strain equivalents, for reports */
  m->lambda = 2.0 / D1 - 2.0 * m->mu / 3.0; /* K - 2mu/3 */
  return MF_OK;
}

const mf_name mf_material_model_names[] = {{"linear-elastic", MF_MAT_LINEAR_ELASTIC},
                                           {"neo-hookean", MF_MAT_NEO_HOOKEAN},
                                           {"neo-hookean-decoupled", MF_MAT_NEO_HOOKEAN_DECOUPLED},
                                           {NULL, 0}};

const char *mf_material_model_name(mf_material_model model) { return mf_name_of(mf_material_model_names, (int)model); }

int mf_material_model_parse(const char *name, mf_material_model *model) {
  int v;
  if (mf_name_parse(mf_material_model_names, name, &v)) return -1;
  *model = (mf_material_model)v;
  return 0;
}

static double det3(const double A[9]) {
  return A[0] * (A[4] * A[8] - A[5] * A[7]) - A[1] * (A[3] * A[8] - A[5] * A[6]) +
         A[2] * (A[3] * A[7] - A[4] * A[6]);
}

/* C = F^T F and its inverse; returns J = det F. */
static double right_cauchy_green(const double F[9], double C[9], double Ci[9]) {
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      C[3 * i + j] = F[i] * F[j] + F[3 + i] * F[3 + j] + F[6 + i] * F[6 + j];
  double J = det3(F);
  double detC = J * J;
  Ci[0] = (C[4] * C[8] - C[5] * C[7]) / detC;
  Ci[1] = (C[2] * C[7] - C[1] * C[8]) / detC;
  Ci[2] = (C[1] * C[5] - C[2] * C[4]) / detC;
  Ci[3] = Ci[1];
  Ci[4] = (C[0] * C[8] - C[2] * C[6]) / detC;
  Ci[5] = (C[2] * C[3] - C[0] * C[5]) / detC;
  Ci[6] = Ci[2];
  Ci[7] = Ci[5];
  Ci[8] = (C[0] * C[4] - C[1] * C[3]) / detC;
  return J;
}

/* Small strain: sigma = lambda tr(eps) I + 2 mu eps with eps = sym(F - I). */
static void linear_elastic(const mf_material *m, const double F[9], double S[6], double D[36]) {
  double eps[6] = {F[0] - 1.0, F[4] - 1.0, F[8] - 1.0, F[1] + F[3], F[5] + F[7], F[2] + F[6]};
  double lam = m->lambda, mu = m->mu;
  memset(D, 0, 36 * sizeof *D);
  for (int a = 0; a < 3; a++) {
    for (int b = 0; b < 3; b++) D[6 * a + b] = lam;
    D[6 * a + a] = lam + 2.0 * mu;
    D[6 * (a + 3) + (a + 3)] = mu;
  }
  for (int a = 0; a < 6; a++) {
    double s = 0.0;
    for (int b = 0; b < 6; b++) s += D[6 * a + b] * eps[b];
    S[a] = s;
  }
}

/* Compressible neo-Hookean, W = mu/2 (I1 - 3) - mu ln J + lambda/2 (ln J)^2:
 *   S = mu (I - Ci) + lambda ln J Ci
 *   D = lambda Ci x Ci + 2 (mu - lambda ln J) Ci o Ci                                   */
static void neo_hookean(const mf_material *m, const double Ci[9], double J, double S[6], double D[36]) {
  double lnJ = log(J), lam = m->lambda, mu = m->mu;
  for (int a = 0; a < 6; a++) {
    int i = voigt_i[a], j = voigt_j[a];
    S[a] = mu * ((i == j) - Ci[3 * i + j]) + lam * lnJ * Ci[3 * i + j];
    for (int b = 0; b < 6; b++) {
      int k = voigt_i[b], l = voigt_j[b];
      double CoC = 0.5 * (Ci[3 * i + k] * Ci[3 * j + l] + Ci[3 * i + l] * Ci[3 * j + k]);
      D[6 * a + b] = lam * Ci[3 * i + j] * Ci[3 * k + l] + 2.0 * (mu - lam * lnJ) * CoC;
    }
  }
}

/* Decoupled neo-Hookean (Abaqus/CalculiX), W = C10 (I1bar - 3) + (J - 1)^2 / D1 with
 * I1bar = J^(-2/3) I1 and p = dU/dJ = 2 (J - 1) / D1:
 *   S = 2 C10 J^(-2/3) (I - I1/3 Ci) + J p Ci
 *   D = 4 C10/3 J^(-2/3) [ I1/3 Ci x Ci - I x Ci - Ci x I + I1 Ci o Ci ]
 *       + J (p + J dp/dJ) Ci x Ci - 2 J p Ci o Ci                                        */
static void neo_hookean_decoupled(const mf_material *m, const double C[9], const double Ci[9], double J,
                                  double S[6], double D[36]) {
  double I1 = C[0] + C[4] + C[8];
  double Jm23 = pow(J, -2.0 / 3.0);
  double p = 2.0 * (J - 1.0) / m->D1, dp = 2.0 / m->D1;
  double a_iso = 4.0 * m->C10 / 3.0 * Jm23;
  for (int a = 0; a < 6; a++) {
    int i = voigt_i[a], j = voigt_j[a];
    double Iij = (i == j), Cij = Ci[3 * i + j];
    S[a] = 2.0 * m->C10 * Jm23 * (Iij - I1 / 3.0 * Cij) + J * p * Cij;
    for (int b = 0; b < 6; b++) {
      int k = voigt_i[b], l = voigt_j[b];
      double Ikl = (k == l), Ckl = Ci[3 * k + l];
      double CoC = 0.5 * (Ci[3 * i + k] * Ci[3 * j + l] + Ci[3 * i + l] * Ci[3 * j + k]);
      D[6 * a + b] = a_iso * (I1 / 3.0 * Cij * Ckl - Iij * Ckl - Cij * Ikl + I1 * CoC) +
                     J * (p + J * dp) * Cij * Ckl - 2.0 * J * p * CoC;
    }
  }
}

/* One part of a law (mf_material_part), the terms of the functions above regrouped. */
static void linear_elastic_part(const mf_material *m, mf_material_part part, const double F[9], double S[6],
                                double D[36]) {
  double eps[6] = {F[0] - 1.0, F[4] - 1.0, F[8] - 1.0, F[1] + F[3], F[5] + F[7], F[2] + F[6]};
  const int vol = part == MF_PART_VOLUMETRIC;
  memset(D, 0, 36 * sizeof *D);
  for (int a = 0; a < 3; a++) {
    if (vol)
      for (int b = 0; b < 3; b++) D[6 * a + b] = m->lambda;
    else {
      D[6 * a + a] = 2.0 * m->mu;
      D[6 * (a + 3) + (a + 3)] = m->mu;
    }
  }
  for (int a = 0; a < 6; a++) {
    double s = 0.0;
    for (int b = 0; b < 6; b++) s += D[6 * a + b] * eps[b];
    S[a] = s;
  }
}

static void neo_hookean_part(const mf_material *m, mf_material_part part, const double C[9], const double Ci[9],
                             double J, double S[6], double D[36]) {
  const int vol = part == MF_PART_VOLUMETRIC;
  double I1 = C[0] + C[4] + C[8], Jm23 = pow(J, -2.0 / 3.0), lnJ = log(J);
  double p = 2.0 * (J - 1.0) / m->D1, dp = 2.0 / m->D1, a_iso = 4.0 * m->C10 / 3.0 * Jm23;
  for (int a = 0; a < 6; a++) {
    int i = voigt_i[a], j = voigt_j[a];
    double Iij = (i == j), Cij = Ci[3 * i + j];
    if (m->model == MF_MAT_NEO_HOOKEAN)
      S[a] = vol ? m->lambda * lnJ * Cij : m->mu * (Iij - Cij);
    else
      S[a] = vol ? J * p * Cij : 2.0 * m->C10 * Jm23 * (Iij - I1 / 3.0 * Cij);
    for (int b = 0; b < 6; b++) {
      int k = voigt_i[b], l = voigt_j[b];
      double Ikl = (k == l), Ckl = Ci[3 * k + l];
      double CoC = 0.5 * (Ci[3 * i + k] * Ci[3 * j + l] + Ci[3 * i + l] * Ci[3 * j + k]);
      if (m->model == MF_MAT_NEO_HOOKEAN)
        D[6 * a + b] = vol ? m->lambda * Cij * Ckl - 2.0 * m->lambda * lnJ * CoC : 2.0 * m->mu * CoC;
      else
        D[6 * a + b] = vol ? J * (p + J * dp) * Cij * Ckl - 2.0 * J * p * CoC
                           : a_iso * (I1 / 3.0 * Cij * Ckl - Iij * Ckl - Cij * Ikl + I1 * CoC);
    }
  }
}

int mf_material_eval_part(const mf_material *m, mf_material_part part, const double F[9], double S[6],
                          double D[36]) {
  if (part == MF_PART_WHOLE) return mf_material_eval(m, F, S, D);
  if (m->model == MF_MAT_LINEAR_ELASTIC) {
    linear_elastic_part(m, part, F, S, D);
  } else {
    double C[9], Ci[9];
    if (!(det3(F) > 0.0)) return -1;
    double J = right_cauchy_green(F, C, Ci);
    neo_hookean_part(m, part, C, Ci, J, S, D);
  }
  for (int a = 0; a < 6; a++)
    if (!isfinite(S[a])) return -1;
  return 0;
}

int mf_material_volumetric(const mf_material *m, double J, double *U, double *dU, double *d2U) {
  if (m->model == MF_MAT_LINEAR_ELASTIC || !(J > 0.0)) return -1;
  if (m->model == MF_MAT_NEO_HOOKEAN) { /* lambda/2 (ln J)^2 */
    double l = log(J);
    *U = 0.5 * m->lambda * l * l;
    *dU = m->lambda * l / J;
    *d2U = m->lambda * (1.0 - l) / (J * J);
  } else { /* (J - 1)^2 / D1 */
    *U = (J - 1.0) * (J - 1.0) / m->D1;
    *dU = 2.0 * (J - 1.0) / m->D1;
    *d2U = 2.0 / m->D1;
  }
  return isfinite(*U) && isfinite(*dU) && isfinite(*d2U) ? 0 : -1;
}

int mf_material_eval(const mf_material *m, const double F[9], double S[6], double D[36]) {
  if (m->model == MF_MAT_LINEAR_ELASTIC) {
    linear_elastic(m, F, S, D);
  } else {
    double C[9], Ci[9];
    double J = det3(F);
    if (!(J > 0.0)) return -1;
    right_cauchy_green(F, C, Ci);
    if (m->model == MF_MAT_NEO_HOOKEAN) neo_hookean(m, Ci, J, S, D);
    else neo_hookean_decoupled(m, C, Ci, J, S, D);
  }
  for (int a = 0; a < 6; a++)
    if (!isfinite(S[a])) return -1;
  return 0;
}

double mf_material_energy(const mf_material *m, const double F[9]) {
  if (m->model == MF_MAT_LINEAR_ELASTIC) {
    double S[6], D[36];
    double eps[6] = {F[0] - 1.0, F[4] - 1.0, F[8] - 1.0, F[1] + F[3], F[5] + F[7], F[2] + F[6]};
    linear_elastic(m, F, S, D);
    double w = 0.0;
    for (int a = 0; a < 6; a++) w += 0.5 * S[a] * eps[a];
    return w;
  }
  double C[9], Ci[9];
  double J = right_cauchy_green(F, C, Ci);
  if (!(J > 0.0)) return INFINITY;
  double I1 = C[0] + C[4] + C[8];
  if (m->model == MF_MAT_NEO_HOOKEAN)
    return 0.5 * m->mu * (I1 - 3.0) - m->mu * log(J) + 0.5 * m->lambda * log(J) * log(J);
  return m->C10 * (pow(J, -2.0 / 3.0) * I1 - 3.0) + (J - 1.0) * (J - 1.0) / m->D1;
}
