/* The 8-node trilinear hexahedron on [-1,1]^3 (VTK/CalculiX node order), 2x2x2 Gauss
 * points as CalculiX's C3D8, 4-node quadrilateral faces with 2x2 points. The variant
 * with mean dilatation takes the volumetric part of the law (mf_material_part) from
 * the element's mean dilatation (fem/mf_element.c): the selective-reduced integration
 * against volumetric locking near nu = 0.5 in the form that also passes the patch test
 * on general hexahedra (a one-point volumetric rule does only on parallelepipeds). */
#include "fem/mf_shape.h"
#include "fem/mf_shape_tables.h"

static const double corner[8][3] = {{-1, -1, -1}, {1, -1, -1}, {1, 1, -1}, {-1, 1, -1},
                                    {-1, -1, 1},  {1, -1, 1},  {1, 1, 1},  {-1, 1, 1}};

static void basis(const double xi[3], double *N, double *dN) {
  for (int a = 0; a < 8; a++) {
    const double s[3] = {1.0 + corner[a][0] * xi[0], 1.0 + corner[a][1] * xi[1], 1.0 + corner[a][2] * xi[2]};
    N[a] = 0.125 * s[0] * s[1] * s[2];
    dN[3 * a + 0] = 0.125 * corner[a][0] * s[1] * s[2];
    dN[3 * a + 1] = 0.125 * s[0] * corner[a][1] * s[2];
    dN[3 * a + 2] = 0.125 * s[0] * s[1] * corner[a][2];
  }
}

static void face_basis(const double xi[2], double *N, double *dN) {
  static const double fc[4][2] = {{-1, -1}, {1, -1}, {1, 1}, {-1, 1}};
  for (int a = 0; a < 4; a++) {
    const double s[2] = {1.0 + fc[a][0] * xi[0], 1.0 + fc[a][1] * xi[1]};
    N[a] = 0.25 * s[0] * s[1];
    dN[2 * a + 0] = 0.25 * fc[a][0] * s[1];
    dN[2 * a + 1] = 0.25 * s[0] * fc[a][1];
  }
}

#define G 0.57735026918962576 /* 1 / sqrt 3 */
static const double points[8][3] = {{-G, -G, -G}, {G, -G, -G}, {-G, G, -G}, {G, G, -G},
                                    {-G, -G, G},  {G, -G, G},  {-G, G, G},  {G, G, G}};
static const double qw[8] = {1, 1, 1, 1, 1, 1, 1, 1};
static const double face_points[4][2] = {{-G, -G}, {G, -G}, {-G, G}, {G, G}};
static const double face_qw[4] = {1, 1, 1, 1};

static double N[8][8], dN[8][8][3], face_N[4][4], face_dN[4][4][2];

/* The two variants differ only in mean_dilatation. */
#define HEX8_SHAPE                                                                                            \
  .type = MF_ELEM_HEX8, .nodes = 8, .nqp = 8, .qw = qw, .N = &N[0][0], .dN = &dN[0][0][0],                    \
  .gradients = mf_shape_iso_gradients, .face_nodes = 4, .face_nqp = 4, .face_qw = face_qw,                    \
  .face_N = &face_N[0][0], .face_dN = &face_dN[0][0][0]

const mf_shape mf_shape_hex8 = {HEX8_SHAPE};
const mf_shape mf_shape_hex8_mean_dilatation = {HEX8_SHAPE, .mean_dilatation = 1};

void mf_shape_hex8_init(void) {
  mf_shape_tabulate(8, 8, &points[0][0], basis, &N[0][0], &dN[0][0][0]);
  mf_shape_tabulate_face(4, 4, &face_points[0][0], face_basis, &face_N[0][0], &face_dN[0][0][0]);
}
