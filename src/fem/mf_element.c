/* Element kernel over quadrature points (formulation in mf_element.h). */
#include "fem/mf_element.h"

#include <string.h>

/* F = I + sum_a u_a (x) g_a. */
static inline void deformation_gradient(int n, const double *restrict g, const double *restrict u, double F[9]) {
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++) {
      double h = 0.0;
      for (int a = 0; a < n; a++) h += u[3 * a + i] * g[3 * a + j];
      F[3 * i + j] = (i == j) + h;
    }
}

/* B (6 x nd) for strain variations about the configuration Fb (F, or I for small strain). */
static inline void strain_displacement(int n, const double *restrict g, const double Fb[9], double *restrict B) {
  const int nd = 3 * n;
  for (int a = 0; a < n; a++)
    for (int k = 0; k < 3; k++) {
      int c = 3 * a + k;
      const double *Fk = &Fb[3 * k]; /* row k of F: F_k0, F_k1, F_k2 */
      const double *ga = &g[3 * a];
      B[0 * nd + c] = Fk[0] * ga[0];
      B[1 * nd + c] = Fk[1] * ga[1];
      B[2 * nd + c] = Fk[2] * ga[2];
      B[3 * nd + c] = Fk[0] * ga[1] + Fk[1] * ga[0];
      B[4 * nd + c] = Fk[1] * ga[2] + Fk[2] * ga[1];
      B[5 * nd + c] = Fk[0] * ga[2] + Fk[2] * ga[0];
    }
}

/* Add the contribution of point q of `rule` with part `part` of the law to fe (and Ke):
 * the first point of an element writes, later ones add - no zeroing pass, and a
 * one-point element does exactly the arithmetic of a kernel without a quadrature loop.
 * n is rule->nodes; add_point instantiates this body for the element sizes memfem has,
 * where n is a constant the compiler unrolls on. The loops and their order are the same
 * in every instance (no reassociation: ISO C, no fast-math), so are the bits. */
static inline __attribute__((always_inline)) int point_kernel(const int n, const mf_shape *rule, int q,
                                                              const mf_material *mat, mf_material_part part,
                                                              int first, const double *X, const double *u,
                                                              int want_tangent, mf_elem_scratch *s) {
  const int nd = 3 * n;
  const int finite = mf_material_is_finite_strain(mat);
  static const double I3[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
  double *restrict g = s->g, *restrict F = s->F, *restrict S = s->S;
  double *restrict B = s->B, *restrict DB = s->DB, *restrict Ke = s->Ke, *restrict fe = s->fe;
  const double *restrict D = s->D;
  double V = rule->gradients(rule, q, X, g);
  deformation_gradient(n, g, u, F);
  if (mf_material_eval_part(mat, part, F, S, s->D)) return -1;
  strain_displacement(n, g, finite ? F : I3, B);

  for (int c = 0; c < nd; c++) {
    double f = 0.0;
    for (int v = 0; v < 6; v++) f += B[v * nd + c] * S[v];
    fe[c] = first ? V * f : fe[c] + V * f;
  }
  if (!want_tangent) return 0;

  for (int v = 0; v < 6; v++)
    for (int c = 0; c < nd; c++) {
      double t = 0.0;
      for (int w = 0; w < 6; w++) t += D[6 * v + w] * B[w * nd + c];
      DB[v * nd + c] = t;
    }
  for (int r = 0; r < nd; r++) /* the upper triangle (mf_element_eval mirrors it) */
    for (int c = r; c < nd; c++) {
      double t = 0.0;
      for (int v = 0; v < 6; v++) t += B[v * nd + r] * DB[v * nd + c];
      Ke[nd * r + c] = first ? V * t : Ke[nd * r + c] + V * t;
    }
  if (finite) {
    /* Geometric stiffness: (g_a . S g_b) on the diagonal of each 3x3 block (b >= a: upper). */
    const double Sm[3][3] = {{S[0], S[3], S[5]}, {S[3], S[1], S[4]}, {S[5], S[4], S[2]}};
    for (int a = 0; a < n; a++)
      for (int b = a; b < n; b++) {
        double gsg = 0.0;
        for (int i = 0; i < 3; i++)
          for (int j = 0; j < 3; j++) gsg += g[3 * a + i] * Sm[i][j] * g[3 * b + j];
        for (int k = 0; k < 3; k++) Ke[nd * (3 * a + k) + 3 * b + k] += V * gsg;
      }
  }
  return 0;
}

static int add_point(const mf_shape *rule, int q, const mf_material *mat, mf_material_part part, int first,
                     const double *X, const double *u, int want_tangent, mf_elem_scratch *s) {
  switch (rule->nodes) {
  case 4: return point_kernel(4, rule, q, mat, part, first, X, u, want_tangent, s);   /* tet4 */
  case 8: return point_kernel(8, rule, q, mat, part, first, X, u, want_tangent, s);   /* hex8 */
  case 10: return point_kernel(10, rule, q, mat, part, first, X, u, want_tangent, s); /* tet10 */
  default: return point_kernel(rule->nodes, rule, q, mat, part, first, X, u, want_tangent, s);
  }
}

/* F^-1 (row-major); returns det F. */
static double invert3(const double F[9], double Fi[9]) {
  double c0 = F[4] * F[8] - F[5] * F[7], c1 = F[5] * F[6] - F[3] * F[8], c2 = F[3] * F[7] - F[4] * F[6];
  double det = F[0] * c0 + F[1] * c1 + F[2] * c2, id = 1.0 / det;
  Fi[0] = c0 * id, Fi[1] = (F[2] * F[7] - F[1] * F[8]) * id, Fi[2] = (F[1] * F[5] - F[2] * F[4]) * id;
  Fi[3] = c1 * id, Fi[4] = (F[0] * F[8] - F[2] * F[6]) * id, Fi[5] = (F[2] * F[3] - F[0] * F[5]) * id;
  Fi[6] = c2 * id, Fi[7] = (F[1] * F[6] - F[0] * F[7]) * id, Fi[8] = (F[0] * F[4] - F[1] * F[3]) * id;
  return det;
}

/* Spatial gradients h_a = F^-T g_a at a point: h_ai = sum_j g_aj Fi_ji. */
static void spatial_gradients(int n, const double *restrict g, const double Fi[9], double *restrict h) {
  for (int a = 0; a < n; a++)
    for (int i = 0; i < 3; i++) h[3 * a + i] = g[3 * a] * Fi[i] + g[3 * a + 1] * Fi[3 + i] + g[3 * a + 2] * Fi[6 + i];
}

/* The element's mean dilatation (mf_shape.h): reference volume V0 and, for the finite-
 * strain laws, *dil = Jbar = v / V0 with v = sum J dV the current volume and b_a =
 * dv/du_a = sum J h_a dV; for the small-strain law *dil = theta = b.u / V0 (not
 * Jbar - 1, which would lose theta's digits to the cancellation) with b_a = sum g_a dV.
 * b (nd) may be NULL; g, F, h are work space. Returns -1 where J <= 0. */
static int mean_dilatation(const mf_shape *sh, int finite, const double *X, const double *u, double *b, double *g,
                           double *F, double *h, double *V0, double *dil) {
  const int n = sh->nodes, nd = 3 * n;
  double bb[3 * MF_ELEM_MAX_NODES], Fi[9], V = 0.0, v = 0.0;
  if (!b) b = bb;
  for (int c = 0; c < nd; c++) b[c] = 0.0;
  for (int q = 0; q < sh->nqp; q++) {
    double dV = sh->gradients(sh, q, X, g);
    V += dV;
    if (!finite) {
      for (int c = 0; c < nd; c++) b[c] += dV * g[c];
      continue;
    }
    deformation_gradient(n, g, u, F);
    double J = invert3(F, Fi);
    if (!(J > 0.0)) return -1;
    spatial_gradients(n, g, Fi, h);
    v += J * dV;
    for (int c = 0; c < nd; c++) b[c] += J * dV * h[c];
  }
  if (!finite) {
    double div = 0.0;
    for (int c = 0; c < nd; c++) div += b[c] * u[c];
    *V0 = V;
    *dil = div / V;
    return 0;
  }
  *V0 = V;
  *dil = v / V;
  return 0;
}

/* The volumetric part of a mean-dilatation element, added to fe (and Ke): with
 * p = U'(Jbar) and k = U''(Jbar) (small strain: p = lambda theta, k = lambda),
 *   f_a += p b_a,   K_ab += k / V0 b_a (x) b_b + p sum J dV (h_ai h_bk - h_ak h_bi)
 * (the last term, d2v/du_a du_b, is absent at small strain). */
static int add_mean_dilatation(const mf_shape *sh, const mf_material *mat, const double *X, const double *u,
                               int want_tangent, mf_elem_scratch *s) {
  const int n = sh->nodes, nd = 3 * n;
  const int finite = mf_material_is_finite_strain(mat);
  double *restrict b = s->DB, *restrict h = s->B, *restrict g = s->g, *restrict F = s->F;
  double *restrict fe = s->fe, *restrict Ke = s->Ke;
  double V0, dil, U, p, k;
  if (mean_dilatation(sh, finite, X, u, b, g, F, h, &V0, &dil)) return -1;
  if (finite) {
    if (mf_material_volumetric(mat, dil, &U, &p, &k)) return -1;
  } else {
    p = mat->lambda * dil;
    k = mat->lambda;
  }
  for (int c = 0; c < nd; c++) fe[c] += p * b[c];
  if (!want_tangent) return 0;
  for (int r = 0; r < nd; r++) /* upper triangles here too */
    for (int c = r; c < nd; c++) Ke[nd * r + c] += k / V0 * b[r] * b[c];
  if (!finite) return 0;
  double Fi[9];
  for (int q = 0; q < sh->nqp; q++) {
    double dV = sh->gradients(sh, q, X, g);
    deformation_gradient(n, g, u, F);
    double w = p * invert3(F, Fi) * dV;
    spatial_gradients(n, g, Fi, h);
    for (int a = 0; a < n; a++)
      for (int bn = a; bn < n; bn++)
        for (int i = 0; i < 3; i++)
          for (int kk = bn == a ? i : 0; kk < 3; kk++)
            Ke[nd * (3 * a + i) + 3 * bn + kk] += w * (h[3 * a + i] * h[3 * bn + kk] - h[3 * a + kk] * h[3 * bn + i]);
  }
  return 0;
}

/* The kernels above fill Ke's upper triangle; its lower one is the mirror image. Ke is
 * then symmetric to the bit (computed both ways, its two triangles would differ in the
 * last digits), and so is the assembled tangent: the symmetric storage's products give
 * the bits of the full one's, and the work of the Ke product is about halved. */
static void mirror_upper(int nd, double *restrict Ke) {
  for (int r = 1; r < nd; r++)
    for (int c = 0; c < r; c++) Ke[nd * r + c] = Ke[nd * c + r];
}

int mf_element_eval(const mf_shape *sh, const mf_material *mat, const double *X, const double *u, int want_tangent,
                    mf_elem_scratch *s) {
  const mf_material_part part = sh->mean_dilatation ? MF_PART_REST : MF_PART_WHOLE;
  for (int q = 0; q < sh->nqp; q++)
    if (add_point(sh, q, mat, part, q == 0, X, u, want_tangent, s)) return -1;
  if (sh->mean_dilatation && add_mean_dilatation(sh, mat, X, u, want_tangent, s)) return -1;
  if (want_tangent) mirror_upper(3 * sh->nodes, s->Ke);
  return 0;
}

/* sigma = F S F^T / J, Voigt. */
static void push_forward(const double F[9], const double S[6], double sigma[6]) {
  double Sm[9] = {S[0], S[3], S[5], S[3], S[1], S[4], S[5], S[4], S[2]};
  double J = F[0] * (F[4] * F[8] - F[5] * F[7]) - F[1] * (F[3] * F[8] - F[5] * F[6]) +
             F[2] * (F[3] * F[7] - F[4] * F[6]);
  double FS[9], sg[9];
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++) {
      double t = 0.0;
      for (int k = 0; k < 3; k++) t += F[3 * i + k] * Sm[3 * k + j];
      FS[3 * i + j] = t;
    }
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++) {
      double t = 0.0;
      for (int k = 0; k < 3; k++) t += FS[3 * i + k] * F[3 * j + k];
      sg[3 * i + j] = t / J;
    }
  sigma[0] = sg[0]; sigma[1] = sg[4]; sigma[2] = sg[8];
  sigma[3] = sg[1]; sigma[4] = sg[5]; sigma[5] = sg[2];
}

/* Sum over the points of `sh` of the Cauchy stress of part `part` (Voigt). */
static int cauchy_sum(const mf_shape *sh, const mf_material *mat, mf_material_part part, const double *X,
                      const double *u, double sum[6]) {
  double g[3 * MF_ELEM_MAX_NODES], F[9], S[6], D[36], sq[6];
  for (int q = 0; q < sh->nqp; q++) {
    sh->gradients(sh, q, X, g);
    deformation_gradient(sh->nodes, g, u, F);
    if (mf_material_eval_part(mat, part, F, S, D)) return -1;
    if (mf_material_is_finite_strain(mat)) push_forward(F, S, sq);
    else memcpy(sq, S, sizeof sq);
    for (int k = 0; k < 6; k++) sum[k] += sq[k];
  }
  return 0;
}

int mf_element_cauchy(const mf_shape *sh, const mf_material *mat, const double *X, const double *u, double sigma[6]) {
  double sum[6] = {0};
  if (cauchy_sum(sh, mat, sh->mean_dilatation ? MF_PART_REST : MF_PART_WHOLE, X, u, sum)) return -1;
  for (int k = 0; k < 6; k++) sigma[k] = sum[k] / sh->nqp;
  if (!sh->mean_dilatation) return 0;
  /* the volumetric part: the pressure of the mean dilatation, p I */
  const int finite = mf_material_is_finite_strain(mat);
  double g[3 * MF_ELEM_MAX_NODES], h[3 * MF_ELEM_MAX_NODES], F[9], V0, dil, U, p, k;
  if (mean_dilatation(sh, finite, X, u, NULL, g, F, h, &V0, &dil)) return -1;
  if (!finite) p = mat->lambda * dil;
  else if (mf_material_volumetric(mat, dil, &U, &p, &k)) return -1;
  for (int i = 0; i < 3; i++) sigma[i] += p;
  return 0;
}
