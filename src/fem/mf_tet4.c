/* Linear tetrahedron kernels (formulation in mf_tet4.h). */
#include "fem/mf_tet4.h"

#include <string.h>

double mf_tet4_volume(const double X[4][3]) {
  double a[3], b[3], c[3];
  for (int k = 0; k < 3; k++) {
    a[k] = X[1][k] - X[0][k];
    b[k] = X[2][k] - X[0][k];
    c[k] = X[3][k] - X[0][k];
  }
  return (a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0]) +
          a[2] * (b[0] * c[1] - b[1] * c[0])) / 6.0;
}

double mf_tet4_gradients(const double X[4][3], double g[4][3]) {
  /* Jacobian columns are the edge vectors; the rows of its inverse are g_1, g_2, g_3. */
  double J[3][3];
  for (int k = 0; k < 3; k++)
    for (int c = 0; c < 3; c++) J[k][c] = X[c + 1][k] - X[0][k];
  double det = J[0][0] * (J[1][1] * J[2][2] - J[1][2] * J[2][1]) -
               J[0][1] * (J[1][0] * J[2][2] - J[1][2] * J[2][0]) +
               J[0][2] * (J[1][0] * J[2][1] - J[1][1] * J[2][0]);
  double id = 1.0 / det;
  g[1][0] = (J[1][1] * J[2][2] - J[1][2] * J[2][1]) * id;
  g[1][1] = (J[0][2] * J[2][1] - J[0][1] * J[2][2]) * id;
  g[1][2] = (J[0][1] * J[1][2] - J[0][2] * J[1][1]) * id;
  g[2][0] = (J[1][2] * J[2][0] - J[1][0] * J[2][2]) * id;
  g[2][1] = (J[0][0] * J[2][2] - J[0][2] * J[2][0]) * id;
  g[2][2] = (J[0][2] * J[1][0] - J[0][0] * J[1][2]) * id;
  g[3][0] = (J[1][0] * J[2][1] - J[1][1] * J[2][0]) * id;
  g[3][1] = (J[0][1] * J[2][0] - J[0][0] * J[2][1]) * id;
  g[3][2] = (J[0][0] * J[1][1] - J[0][1] * J[1][0]) * id;
  for (int k = 0; k < 3; k++) g[0][k] = -(g[1][k] + g[2][k] + g[3][k]);
  return det / 6.0;
}

void mf_tet4_deformation_gradient(const double g[4][3], const double u[12], double F[9]) {
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++) {
      double h = 0.0;
      for (int a = 0; a < 4; a++) h += u[3 * a + i] * g[a][j];
      F[3 * i + j] = (i == j) + h;
    }
}

/* B (6x12) for strain variations about the configuration Fb (F, or I for small strain). */
static void strain_displacement(const double g[4][3], const double Fb[9], double *restrict B) {
  for (int a = 0; a < 4; a++)
    for (int k = 0; k < 3; k++) {
      int c = 3 * a + k;
      const double *Fk = &Fb[3 * k]; /* row k of F: F_k0, F_k1, F_k2 */
      B[0 * 12 + c] = Fk[0] * g[a][0];
      B[1 * 12 + c] = Fk[1] * g[a][1];
      B[2 * 12 + c] = Fk[2] * g[a][2];
      B[3 * 12 + c] = Fk[0] * g[a][1] + Fk[1] * g[a][0];
      B[4 * 12 + c] = Fk[1] * g[a][2] + Fk[2] * g[a][1];
      B[5 * 12 + c] = Fk[0] * g[a][2] + Fk[2] * g[a][0];
    }
}

int mf_tet4_eval(const mf_material *mat, const double X[4][3], const double u[12], int want_tangent,
                 mf_elem_scratch *s) {
  double(*g)[3] = (double(*)[3])s->g;
  double *F = s->F, *S = s->S;
  double V = mf_tet4_gradients(X, g);
  mf_tet4_deformation_gradient(g, u, F);
  if (mf_material_eval(mat, F, S, s->D)) return -1;

  int finite = mf_material_is_finite_strain(mat);
  static const double I3[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
  double *restrict B = s->B, *restrict DB = s->DB, *restrict Ke = s->Ke, *restrict fe = s->fe;
  const double *restrict D = s->D;
  strain_displacement(g, finite ? F : I3, B);

  for (int c = 0; c < 12; c++) {
    double f = 0.0;
    for (int v = 0; v < 6; v++) f += B[v * 12 + c] * S[v];
    fe[c] = V * f;
  }
  if (!want_tangent) return 0;

  for (int v = 0; v < 6; v++)
    for (int c = 0; c < 12; c++) {
      double t = 0.0;
      for (int w = 0; w < 6; w++) t += D[6 * v + w] * B[w * 12 + c];
      DB[v * 12 + c] = t;
    }
  for (int r = 0; r < 12; r++)
    for (int c = 0; c < 12; c++) {
      double t = 0.0;
      for (int v = 0; v < 6; v++) t += B[v * 12 + r] * DB[v * 12 + c];
      Ke[12 * r + c] = V * t;
    }
  if (finite) {
    /* Geometric stiffness: (g_a . S g_b) on the diagonal of each 3x3 block. */
    const double Sm[3][3] = {{S[0], S[3], S[5]}, {S[3], S[1], S[4]}, {S[5], S[4], S[2]}};
    for (int a = 0; a < 4; a++)
      for (int b = 0; b < 4; b++) {
        double gsg = 0.0;
        for (int i = 0; i < 3; i++)
          for (int j = 0; j < 3; j++) gsg += g[a][i] * Sm[i][j] * g[b][j];
        for (int k = 0; k < 3; k++) Ke[12 * (3 * a + k) + 3 * b + k] += V * gsg;
      }
  }
  return 0;
}

int mf_tet4_cauchy(const mf_material *mat, const double X[4][3], const double u[12], double sigma[6]) {
  double g[4][3], F[9], S[6], D[36];
  mf_tet4_gradients(X, g);
  mf_tet4_deformation_gradient(g, u, F);
  if (mf_material_eval(mat, F, S, D)) return -1;
  if (!mf_material_is_finite_strain(mat)) {
    memcpy(sigma, S, sizeof S);
    return 0;
  }
  /* sigma = F S F^T / J */
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
  return 0;
}
