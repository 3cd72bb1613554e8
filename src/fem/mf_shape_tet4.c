/* The 4-node tetrahedron: one quadrature point at the centroid (exact for the constant
 * strain of a linear tet), 3-node triangular faces with one point at their centroid. */
#include "fem/mf_shape.h"
#include "fem/mf_tet4.h"

static const double qw[1] = {1.0 / 6.0}; /* the reference tet's volume */
static const double N[1][4] = {{0.25, 0.25, 0.25, 0.25}};
static const double dN[1][4][3] = {{{-1, -1, -1}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}}};

static const double face_qw[1] = {0.5}; /* the reference triangle's area */
static const double face_N[1][3] = {{1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0}};
static const double face_dN[1][3][2] = {{{-1, -1}, {1, 0}, {0, 1}}};

/* The affine tet's gradients in closed form (mf_tet4.h), dV = det J / 6: the same
 * arithmetic as memfem's original tet kernel, so results keep their bits. */
static double tet4_gradients(const mf_shape *sh, int q, const double *restrict X, double *restrict g) {
  (void)sh, (void)q;
  return mf_tet4_gradients((const double(*)[3])X, (double(*)[3])g);
}

const mf_shape mf_shape_tet4 = {
    .type = MF_ELEM_TET4,
    .nodes = 4,
    .nqp = 1,
    .qw = qw,
    .N = &N[0][0],
    .dN = &dN[0][0][0],
    .gradients = tet4_gradients,
    .face_nodes = 3,
    .face_nqp = 1,
    .face_qw = face_qw,
    .face_N = &face_N[0][0],
    .face_dN = &face_dN[0][0][0],
};
