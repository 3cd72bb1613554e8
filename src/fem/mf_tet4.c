/* Closed forms of the linear tetrahedron (mf_tet4.h). */
#include "fem/mf_tet4.h"


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
