/* The shape table and the kernels every shape can use (see mf_shape.h). */
#include "fem/mf_shape.h"

#include <math.h>
#include <pthread.h>

#include "fem/mf_shape_tables.h"

extern const mf_shape mf_shape_tet4, mf_shape_tet10, mf_shape_hex8, mf_shape_hex8_mean_dilatation;

static const mf_shape *const table[MF_ELEM_TYPES] = {
    [MF_ELEM_TET4] = &mf_shape_tet4,
    [MF_ELEM_TET10] = &mf_shape_tet10,
    [MF_ELEM_HEX8] = &mf_shape_hex8,
};

const mf_name mf_volumetric_names[] = {
    {"full", MF_VOLUMETRIC_FULL}, {"mean-dilatation", MF_VOLUMETRIC_MEAN_DILATATION}, {NULL, 0}};

/* The tables of the quadratic and hexahedral shapes are computed from their basis
 * functions once, the first time any shape is asked for (before any parallel use). */
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;
static void fill_tables(void) {
  mf_shape_tet10_init();
  mf_shape_hex8_init();
}

const mf_shape *mf_shape_of(mf_elem_type type) {
  pthread_once(&tables_once, fill_tables);
  return (unsigned)type < MF_ELEM_TYPES ? table[type] : table[MF_ELEM_TET4];
}

const mf_shape *mf_shape_with(mf_elem_type type, mf_volumetric v) {
  if (v == MF_VOLUMETRIC_FULL) return mf_shape_of(type);
  pthread_once(&tables_once, fill_tables);
  return type == MF_ELEM_HEX8 ? &mf_shape_hex8_mean_dilatation : NULL;
}

void mf_shape_tabulate(int nodes, int nqp, const double *xi, void (*basis)(const double *, double *, double *),
                       double *N, double *dN) {
  for (int q = 0; q < nqp; q++) basis(&xi[3 * q], &N[(size_t)q * nodes], &dN[(size_t)q * nodes * 3]);
}

void mf_shape_tabulate_face(int nodes, int nqp, const double *xi,
                            void (*basis)(const double *, double *, double *), double *N, double *dN) {
  for (int q = 0; q < nqp; q++) basis(&xi[2 * q], &N[(size_t)q * nodes], &dN[(size_t)q * nodes * 2]);
}

double mf_shape_iso_gradients(const mf_shape *sh, int q, const double *restrict X, double *restrict g) {
  const int n = sh->nodes;
  const double *dN = &sh->dN[(size_t)q * n * 3];
  double J[3][3] = {{0}};
  for (int a = 0; a < n; a++)
    for (int k = 0; k < 3; k++)
      for (int c = 0; c < 3; c++) J[k][c] += X[3 * a + k] * dN[3 * a + c];
  double c00 = J[1][1] * J[2][2] - J[1][2] * J[2][1];
  double c01 = J[1][2] * J[2][0] - J[1][0] * J[2][2];
  double c02 = J[1][0] * J[2][1] - J[1][1] * J[2][0];
  double det = J[0][0] * c00 + J[0][1] * c01 + J[0][2] * c02;
  double id = 1.0 / det;
  /* Jinv[c][k] = d xi_c / d X_k */
  const double Ji[3][3] = {
      {c00 * id, (J[0][2] * J[2][1] - J[0][1] * J[2][2]) * id, (J[0][1] * J[1][2] - J[0][2] * J[1][1]) * id},
      {c01 * id, (J[0][0] * J[2][2] - J[0][2] * J[2][0]) * id, (J[0][2] * J[1][0] - J[0][0] * J[1][2]) * id},
      {c02 * id, (J[0][1] * J[2][0] - J[0][0] * J[2][1]) * id, (J[0][0] * J[1][1] - J[0][1] * J[1][0]) * id}};
  for (int a = 0; a < n; a++)
    for (int k = 0; k < 3; k++)
      g[3 * a + k] = dN[3 * a] * Ji[0][k] + dN[3 * a + 1] * Ji[1][k] + dN[3 * a + 2] * Ji[2][k];
  return sh->qw[q] * det;
}

double mf_shape_face_measure(const mf_shape *sh, int q, const double *restrict Xf) {
  const int n = sh->face_nodes;
  const double *dN = &sh->face_dN[(size_t)q * n * 2];
  double t[2][3] = {{0}};
  for (int a = 0; a < n; a++)
    for (int k = 0; k < 3; k++) {
      t[0][k] += Xf[3 * a + k] * dN[2 * a];
      t[1][k] += Xf[3 * a + k] * dN[2 * a + 1];
    }
  double n0 = t[0][1] * t[1][2] - t[0][2] * t[1][1];
  double n1 = t[0][2] * t[1][0] - t[0][0] * t[1][2];
  double n2 = t[0][0] * t[1][1] - t[0][1] * t[1][0];
  return sh->face_qw[q] * sqrt(n0 * n0 + n1 * n1 + n2 * n2);
}
