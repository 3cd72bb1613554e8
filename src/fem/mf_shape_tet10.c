/* The 10-node quadratic tetrahedron (VTK/CalculiX node order, mesh/mf_elem.h), with the
 * 4-point rule CalculiX uses for C3D10 (degree 2: exact for the stiffness of a
 * straight-edged element, whose gradients are linear), and 6-node triangular faces
 * with the 3-point edge-midpoint-free rule (degree 2: exact for N_a times a constant
 * traction on a flat face). Tables are filled once by mf_shape_init (mf_shape.c). */
#include "fem/mf_shape.h"
#include "fem/mf_shape_tables.h"

/* Barycentric L0 = 1 - xi - eta - zeta, L1 = xi, L2 = eta, L3 = zeta; corners
 * N = L (2L - 1), edge nodes N = 4 Li Lj on edges 01 12 20 03 13 23. */
static const int edge[6][2] = {{0, 1}, {1, 2}, {2, 0}, {0, 3}, {1, 3}, {2, 3}};

static void basis(const double xi[3], double *N, double *dN) {
  const double L[4] = {1.0 - xi[0] - xi[1] - xi[2], xi[0], xi[1], xi[2]};
  static const double dL[4][3] = {{-1, -1, -1}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
  for (int a = 0; a < 4; a++) {
    N[a] = L[a] * (2.0 * L[a] - 1.0);
    for (int c = 0; c < 3; c++) dN[3 * a + c] = (4.0 * L[a] - 1.0) * dL[a][c];
  }
  for (int k = 0; k < 6; k++) {
    int i = edge[k][0], j = edge[k][1];
    N[4 + k] = 4.0 * L[i] * L[j];
    for (int c = 0; c < 3; c++) dN[3 * (4 + k) + c] = 4.0 * (L[i] * dL[j][c] + L[j] * dL[i][c]);
  }
}

/* 6-node triangle: corners L (2L - 1), edge nodes 4 Li Lj on edges 01 12 20. */
static void face_basis(const double xi[2], double *N, double *dN) {
  const double L[3] = {1.0 - xi[0] - xi[1], xi[0], xi[1]};
  static const double dL[3][2] = {{-1, -1}, {1, 0}, {0, 1}};
  static const int fedge[3][2] = {{0, 1}, {1, 2}, {2, 0}};
  for (int a = 0; a < 3; a++) {
    N[a] = L[a] * (2.0 * L[a] - 1.0);
    for (int c = 0; c < 2; c++) dN[2 * a + c] = (4.0 * L[a] - 1.0) * dL[a][c];
  }
  for (int k = 0; k < 3; k++) {
    int i = fedge[k][0], j = fedge[k][1];
    N[3 + k] = 4.0 * L[i] * L[j];
    for (int c = 0; c < 2; c++) dN[2 * (3 + k) + c] = 4.0 * (L[i] * dL[j][c] + L[j] * dL[i][c]);
  }
}

#define QA 0.5854101966249685 /* (5 + 3 sqrt 5) / 20 */
#define QB 0.1381966011250105 /* (5 - sqrt 5) / 20 */
static const double points[4][3] = {{QB, QB, QB}, {QA, QB, QB}, {QB, QA, QB}, {QB, QB, QA}};
static const double qw[4] = {1.0 / 24, 1.0 / 24, 1.0 / 24, 1.0 / 24};
static const double face_points[3][2] = {{1.0 / 6, 1.0 / 6}, {2.0 / 3, 1.0 / 6}, {1.0 / 6, 2.0 / 3}};
static const double face_qw[3] = {1.0 / 6, 1.0 / 6, 1.0 / 6};

static double N[4][10], dN[4][10][3], face_N[3][6], face_dN[3][6][2];

const mf_shape mf_shape_tet10 = {
    .type = MF_ELEM_TET10,
    .nodes = 10,
    .nqp = 4,
    .qw = qw,
    .N = &N[0][0],
    .dN = &dN[0][0][0],
    .gradients = mf_shape_iso_gradients,
    .face_nodes = 6,
    .face_nqp = 3,
    .face_qw = face_qw,
    .face_N = &face_N[0][0],
    .face_dN = &face_dN[0][0][0],
};

void mf_shape_tet10_init(void) {
  mf_shape_tabulate(10, 4, &points[0][0], basis, &N[0][0], &dN[0][0][0]);
  mf_shape_tabulate_face(6, 3, &face_points[0][0], face_basis, &face_N[0][0], &face_dN[0][0][0]);
}
