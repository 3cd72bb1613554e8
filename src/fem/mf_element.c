/* Element kernel over quadrature points (formulation in mf_element.h). */
#include "fem/mf_element.h"

#include <string.h>

/* F = I + sum_a u_a (x) g_a. */
static void deformation_gradient(int n, const double *restrict g, const double *restrict u, double F[9]) {
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++) {
      double h = 0.0;
      for (int a = 0; a < n; a++) h += u[3 * a + i] * g[3 * a + j];
      F[3 * i + j] = (i == j) + h;
    }
}

/* B (6 x nd) for strain variations about the configuration Fb (F, or I for small strain). */
static void strain_displacement(int n, const double *restrict g, const double Fb[9], double *restrict B) {
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

int mf_element_eval(const mf_shape *sh, const mf_material *mat, const double *X, const double *u, int want_tangent,
                    mf_elem_scratch *s) {
  const int n = sh->nodes, nd = 3 * n;
  const int finite = mf_material_is_finite_strain(mat);
  static const double I3[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
  double *restrict g = s->g, *restrict F = s->F, *restrict S = s->S;
  double *restrict B = s->B, *restrict DB = s->DB, *restrict Ke = s->Ke, *restrict fe = s->fe;
  const double *restrict D = s->D;
  for (int q = 0; q < sh->nqp; q++) {
    /* The first point writes fe and Ke, later ones add: no zeroing pass, and a one-point
     * element does exactly the arithmetic of a kernel without a quadrature loop. */
    const int first = q == 0;
    double V = sh->gradients(sh, q, X, g);
    deformation_gradient(n, g, u, F);
    if (mf_material_eval(mat, F, S, s->D)) return -1;
    strain_displacement(n, g, finite ? F : I3, B);

    for (int c = 0; c < nd; c++) {
      double f = 0.0;
      for (int v = 0; v < 6; v++) f += B[v * nd + c] * S[v];
      fe[c] = first ? V * f : fe[c] + V * f;
    }
    if (!want_tangent) continue;

    for (int v = 0; v < 6; v++)
      for (int c = 0; c < nd; c++) {
        double t = 0.0;
        for (int w = 0; w < 6; w++) t += D[6 * v + w] * B[w * nd + c];
        DB[v * nd + c] = t;
      }
    for (int r = 0; r < nd; r++)
      for (int c = 0; c < nd; c++) {
        double t = 0.0;
        for (int v = 0; v < 6; v++) t += B[v * nd + r] * DB[v * nd + c];
        Ke[nd * r + c] = first ? V * t : Ke[nd * r + c] + V * t;
      }
    if (finite) {
      /* Geometric stiffness: (g_a . S g_b) on the diagonal of each 3x3 block. */
      const double Sm[3][3] = {{S[0], S[3], S[5]}, {S[3], S[1], S[4]}, {S[5], S[4], S[2]}};
      for (int a = 0; a < n; a++)
        for (int b = 0; b < n; b++) {
          double gsg = 0.0;
          for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) gsg += g[3 * a + i] * Sm[i][j] * g[3 * b + j];
          for (int k = 0; k < 3; k++) Ke[nd * (3 * a + k) + 3 * b + k] += V * gsg;
        }
    }
  }
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

int mf_element_cauchy(const mf_shape *sh, const mf_material *mat, const double *X, const double *u, double sigma[6]) {
  double g[3 * MF_ELEM_MAX_NODES], F[9], S[6], D[36], sq[6], sum[6] = {0};
  for (int q = 0; q < sh->nqp; q++) {
    sh->gradients(sh, q, X, g);
    deformation_gradient(sh->nodes, g, u, F);
    if (mf_material_eval(mat, F, S, D)) return -1;
    if (mf_material_is_finite_strain(mat)) push_forward(F, S, sq);
    else memcpy(sq, S, sizeof sq);
    for (int k = 0; k < 6; k++) sum[k] += sq[k];
  }
  for (int k = 0; k < 6; k++) sigma[k] = sum[k] / sh->nqp;
  return 0;
}
