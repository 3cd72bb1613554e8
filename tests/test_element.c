/* Element and material kernels: volumes, gradients, B, stresses against energies and
 * tangents against central finite differences of the internal force; for every shape
 * (tet4, tet10, hex8, hex8 with mean dilatation) the shape data, the
 * patch test on a distorted generated mesh, tangents and energies, and the material
 * parts that mean-dilatation elements split the law into. */
#include <stdlib.h>
#include <string.h>

#include "mf_test.h"

#include "fem/mf_element.h"
#include "fem/mf_mesh_check.h"
#include "fem/mf_shape.h"
#include "fem/mf_tet4.h"
#include "mesh/mf_mesh.h"

/* A general (not right-angled) tet with positive volume. */
static const double Xref[4][3] = {{0.1, 0.0, 0.2}, {1.3, 0.1, 0.0}, {0.2, 1.1, 0.3}, {0.3, 0.2, 0.9}};

static void test_volume_and_gradients(void **state) {
  (void)state;
  const double unit[4][3] = {{0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
  assert_near(mf_tet4_volume(unit), 1.0 / 6.0, 1e-15);
  double g[4][3];
  double V = mf_tet4_gradients(Xref, g);
  assert_near(V, mf_tet4_volume(Xref), 1e-15);
  assert_true(V > 0);
  /* Partition of unity and linear completeness: sum_a g_a = 0, sum_a X_a (x) g_a = I. */
  for (int i = 0; i < 3; i++) {
    assert_near(g[0][i] + g[1][i] + g[2][i] + g[3][i], 0.0, 1e-14);
    for (int j = 0; j < 3; j++) {
      double s = 0;
      for (int a = 0; a < 4; a++) s += Xref[a][i] * g[a][j];
      assert_near(s, i == j, 1e-14);
    }
  }
  /* Swapping two vertices inverts the tet. */
  double Xs[4][3];
  memcpy(Xs, Xref, sizeof Xs);
  memcpy(Xs[1], Xref[2], sizeof Xs[1]);
  memcpy(Xs[2], Xref[1], sizeof Xs[2]);
  assert_true(mf_tet4_volume(Xs) < 0);
}

/* Work arrays for one evaluation, laid out as the scratch provider describes them. */
#define SCRATCH_BUF(name, len) static double buf_##name[len];
MF_SCRATCH_ARRAYS(SCRATCH_BUF, 3 * MF_ELEM_MAX_NODES)
#undef SCRATCH_BUF
static mf_elem_scratch scratch(void) {
  mf_elem_scratch s;
#define SCRATCH_SET(name, len) s.name = buf_##name;
  MF_SCRATCH_ARRAYS(SCRATCH_SET, 3 * MF_ELEM_MAX_NODES)
#undef SCRATCH_SET
  return s;
}

/* The tet4 element kernel through its shape, as assembly calls it. */
static int mf_tet4_eval(const mf_material *mat, const double X[4][3], const double u[12], int want_tangent,
                        mf_elem_scratch *s) {
  return mf_element_eval(mf_shape_of(MF_ELEM_TET4), mat, &X[0][0], u, want_tangent, s);
}

static void make_materials(mf_material m[3]) {
  assert_int_equal(mf_material_from_E_nu(MF_MAT_LINEAR_ELASTIC, 210.0, 0.3, &m[0]), MF_OK);
  assert_int_equal(mf_material_from_E_nu(MF_MAT_NEO_HOOKEAN, 210.0, 0.3, &m[1]), MF_OK);
  assert_int_equal(mf_material_from_C10_D1(40.0, 0.02, &m[2]), MF_OK);
}

/* A finite deformation: stretch, shear and rotation, J well away from 1. */
static void sample_displacement(double u[12]) {
  for (int a = 0; a < 4; a++) {
    const double *X = Xref[a];
    u[3 * a + 0] = 0.20 * X[0] + 0.10 * X[1] - 0.05 * X[2] + 0.01 * a;
    u[3 * a + 1] = -0.08 * X[0] + 0.15 * X[1] + 0.12 * X[2];
    u[3 * a + 2] = 0.07 * X[0] - 0.11 * X[1] - 0.18 * X[2] + 0.02;
  }
}

static void test_tangent_matches_finite_difference(void **state) {
  (void)state;
  mf_material mats[3];
  make_materials(mats);
  for (int mi = 0; mi < 3; mi++) {
    double u[12], K[144], fp[12], fm[12];
    sample_displacement(u);
    mf_elem_scratch s = scratch();
    assert_int_equal(mf_tet4_eval(&mats[mi], Xref, u, 1, &s), 0);
    memcpy(K, s.Ke, sizeof K);
    double kmax = 0;
    for (int i = 0; i < 144; i++) kmax = fmax(kmax, fabs(K[i]));
    double err = 0;
    const double h = 1e-6;
    for (int c = 0; c < 12; c++) {
      double up[12], um[12];
      memcpy(up, u, sizeof up);
      memcpy(um, u, sizeof um);
      up[c] += h;
      um[c] -= h;
      assert_int_equal(mf_tet4_eval(&mats[mi], Xref, up, 0, &s), 0);
      memcpy(fp, s.fe, sizeof fp);
      assert_int_equal(mf_tet4_eval(&mats[mi], Xref, um, 0, &s), 0);
      memcpy(fm, s.fe, sizeof fm);
      for (int r = 0; r < 12; r++) err = fmax(err, fabs((fp[r] - fm[r]) / (2 * h) - K[12 * r + c]));
    }
    print_message("%s: max |K - dF/du| / max|K| = %.2e\n", mf_material_model_name(mats[mi].model), err / kmax);
    assert_true(err / kmax < 1e-6);
    /* Symmetry: all three laws are hyperelastic, and the kernel mirrors Ke's upper
     * triangle, so K is symmetric to the bit (symmetric storage relies on that). */
    for (int r = 0; r < 12; r++)
      for (int c = 0; c < 12; c++) assert_true(K[12 * r + c] == K[12 * c + r]);
  }
}

/* The internal force is the gradient of the stored energy V W(F(u)). */
static void test_force_is_energy_gradient(void **state) {
  (void)state;
  mf_material mats[3];
  make_materials(mats);
  for (int mi = 0; mi < 3; mi++) {
    double u[12], g[4][3], F[9];
    sample_displacement(u);
    mf_elem_scratch s = scratch();
    assert_int_equal(mf_tet4_eval(&mats[mi], Xref, u, 0, &s), 0);
    double V = mf_tet4_gradients(Xref, g), fmax_ = 0, err = 0;
    for (int c = 0; c < 12; c++) fmax_ = fmax(fmax_, fabs(s.fe[c]));
    const double h = 1e-6;
    for (int c = 0; c < 12; c++) {
      double up[12], um[12];
      memcpy(up, u, sizeof up);
      memcpy(um, u, sizeof um);
      up[c] += h;
      um[c] -= h;
      mf_tet4_deformation_gradient(g, up, F);
      double Wp = mf_material_energy(&mats[mi], F);
      mf_tet4_deformation_gradient(g, um, F);
      double Wm = mf_material_energy(&mats[mi], F);
      err = fmax(err, fabs(V * (Wp - Wm) / (2 * h) - s.fe[c]));
    }
    print_message("%s: max |f - dW/du| / max|f| = %.2e\n", mf_material_model_name(mats[mi].model), err / fmax_);
    assert_true(err / fmax_ < 1e-6);
  }
}

/* Small strains: every law's tangent at F = I is the isotropic elasticity tensor. */
static void test_laws_agree_at_small_strain(void **state) {
  (void)state;
  mf_material lin, nh, dec;
  assert_int_equal(mf_material_from_E_nu(MF_MAT_LINEAR_ELASTIC, 1000.0, 0.25, &lin), MF_OK);
  assert_int_equal(mf_material_from_E_nu(MF_MAT_NEO_HOOKEAN, 1000.0, 0.25, &nh), MF_OK);
  assert_int_equal(mf_material_from_E_nu(MF_MAT_NEO_HOOKEAN_DECOUPLED, 1000.0, 0.25, &dec), MF_OK);
  const double I[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
  double S[6], D0[36], D1[36], D2[36];
  assert_int_equal(mf_material_eval(&lin, I, S, D0), 0);
  assert_int_equal(mf_material_eval(&nh, I, S, D1), 0);
  for (int a = 0; a < 6; a++) assert_near(S[a], 0.0, 1e-12);
  assert_int_equal(mf_material_eval(&dec, I, S, D2), 0);
  for (int a = 0; a < 6; a++) assert_near(S[a], 0.0, 1e-12);
  for (int k = 0; k < 36; k++) {
    assert_near(D1[k], D0[k], 1e-9 * 1000);
    assert_near(D2[k], D0[k], 1e-9 * 1000);
  }
  assert_near(D0[0], 1000.0 * 0.75 / (1.25 * 0.5), 1e-9); /* lambda + 2 mu */
}

static void test_inverted_element_is_reported(void **state) {
  (void)state;
  mf_material nh;
  assert_int_equal(mf_material_from_E_nu(MF_MAT_NEO_HOOKEAN, 1.0, 0.3, &nh), MF_OK);
  double u[12] = {0};
  u[3 * 3 + 2] = -2.0; /* push the apex through the base */
  mf_elem_scratch s = scratch();
  const double unit[4][3] = {{0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
  assert_int_equal(mf_tet4_eval(&nh, unit, u, 1, &s), -1);
}

/* The tet4 shape's data: partition of unity, gradients summing to zero, weights summing
 * to the reference volume, and the generic isoparametric map giving the closed-form
 * gradients and volume of the affine tet. */
static void test_tet4_shape_data(void **state) {
  (void)state;
  const mf_shape *sh = mf_shape_of(MF_ELEM_TET4);
  assert_int_equal(sh->nodes, 4);
  assert_int_equal(sh->face_nodes, 3);
  double wsum = 0;
  for (int q = 0; q < sh->nqp; q++) {
    double nsum = 0, gsum[3] = {0, 0, 0};
    for (int a = 0; a < 4; a++) {
      nsum += sh->N[q * 4 + a];
      for (int k = 0; k < 3; k++) gsum[k] += sh->dN[(q * 4 + a) * 3 + k];
    }
    assert_near(nsum, 1.0, 1e-15);
    for (int k = 0; k < 3; k++) assert_near(gsum[k], 0.0, 1e-15);
    wsum += sh->qw[q];
  }
  assert_near(wsum, 1.0 / 6.0, 1e-15);
  double g_iso[12], g_tet[12];
  double V_iso = mf_shape_iso_gradients(sh, 0, &Xref[0][0], g_iso);
  double V_tet = sh->gradients(sh, 0, &Xref[0][0], g_tet);
  assert_near(V_iso, mf_tet4_volume(Xref), 1e-15);
  assert_near(V_tet, mf_tet4_volume(Xref), 1e-15);
  for (int k = 0; k < 12; k++) assert_near(g_iso[k], g_tet[k], 1e-13);
  /* The face rule integrates a constant: the triangle's area. */
  const double tri[3][3] = {{0, 0, 0}, {2, 0, 0}, {0, 3, 0}};
  double A = 0;
  for (int q = 0; q < sh->face_nqp; q++) A += mf_shape_face_measure(sh, q, &tri[0][0]);
  assert_near(A, 3.0, 1e-15);
}

static void test_material_input_checks(void **state) {
  (void)state;
  mf_material m;
  mf_error_clear();
  assert_int_equal(mf_material_from_E_nu(MF_MAT_NEO_HOOKEAN, 1.0, 0.5, &m), MF_ERR_INPUT);
  assert_non_null(strstr(mf_error_message(), "nu"));
  mf_error_clear();
  assert_int_equal(mf_material_from_E_nu(MF_MAT_LINEAR_ELASTIC, 0.0, 0.3, &m), MF_ERR_INPUT);
  mf_error_clear();
  assert_int_equal(mf_material_from_C10_D1(1.0, -1.0, &m), MF_ERR_INPUT);
  mf_error_clear();
  mf_material_model model;
  assert_int_equal(mf_material_model_parse("neo-hookean-decoupled", &model), 0);
  assert_int_equal(model, MF_MAT_NEO_HOOKEAN_DECOUPLED);
  assert_int_equal(mf_material_model_parse("mooney", &model), -1);
}

/* ---- tet10, hex8, hex8 with mean dilatation ----------------------------------------------- */

/* The element kinds under test: a type and its integration of the volumetric part. */
typedef struct {
  const char *name;
  mf_elem_type type;
  mf_volumetric vol;
} elem_kind;
static const elem_kind kinds[] = {
    {"tet10", MF_ELEM_TET10, MF_VOLUMETRIC_FULL},
    {"hex8", MF_ELEM_HEX8, MF_VOLUMETRIC_FULL},
    {"hex8-mean-dil", MF_ELEM_HEX8, MF_VOLUMETRIC_MEAN_DILATATION},
};
#define N_KINDS ((int)(sizeof kinds / sizeof kinds[0]))

static const mf_shape *kind_shape(const elem_kind *k) {
  const mf_shape *sh = mf_shape_with(k->type, k->vol);
  assert_non_null(sh);
  return sh;
}

/* memfem's (VTK) node order: tet10 edge nodes on edges 01 12 20 03 13 23 (mf_elem.h),
 * hex8 corners of [-1,1]^3 counter-clockwise at zeta = -1, then at zeta = +1. */
static const int tet_edge[6][2] = {{0, 1}, {1, 2}, {2, 0}, {0, 3}, {1, 3}, {2, 3}};
static const double hex_ref[8][3] = {{-1, -1, -1}, {1, -1, -1}, {1, 1, -1}, {-1, 1, -1},
                                     {-1, -1, 1},  {1, -1, 1},  {1, 1, 1},  {-1, 1, 1}};

/* A straight-edged tet10 on the corners C: edge nodes at the edges' midpoints. */
static void tet10_on_corners(const double C[4][3], double X[10][3]) {
  memcpy(X, C, 4 * sizeof X[0]);
  for (int k = 0; k < 6; k++)
    for (int c = 0; c < 3; c++) X[4 + k][c] = 0.5 * (C[tet_edge[k][0]][c] + C[tet_edge[k][1]][c]);
}

/* The reference element's nodes (xi of node a). */
static int reference_nodes(mf_elem_type type, double *X) {
  if (type == MF_ELEM_HEX8) {
    memcpy(X, hex_ref, sizeof hex_ref);
    return 8;
  }
  const double unit[4][3] = {{0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
  tet10_on_corners(unit, (double(*)[3])X);
  return 10;
}

/* A general element of the type: tet10 on Xref's corners; a hexahedron whose corners are
 * moved off a box so that no face is planar or a parallelogram (the trilinear map is not
 * affine, J varies in all three directions). */
static int distorted_nodes(mf_elem_type type, double *X) {
  if (type == MF_ELEM_TET10) {
    tet10_on_corners(Xref, (double(*)[3])X);
    return 10;
  }
  static const double d[8][3] = {{0.05, -0.03, 0.02}, {-0.04, 0.06, -0.05}, {0.07, 0.02, 0.04},  {-0.03, -0.05, 0.06},
                                 {0.02, 0.04, -0.06}, {0.06, -0.02, 0.03},  {-0.05, 0.05, -0.02}, {0.03, -0.06, 0.05}};
  for (int a = 0; a < 8; a++) {
    X[3 * a + 0] = 0.6 * (1 + hex_ref[a][0]) + 0.1 * hex_ref[a][1] * hex_ref[a][2] + d[a][0];
    X[3 * a + 1] = 0.45 * (1 + hex_ref[a][1]) + 0.08 * hex_ref[a][0] + d[a][1];
    X[3 * a + 2] = 0.55 * (1 + hex_ref[a][2]) - 0.07 * hex_ref[a][0] * hex_ref[a][1] + d[a][2];
  }
  return 8;
}

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;
/* Uniform in [-1, 1), reproducible. */
static double rnd(void) {
  rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
  return (double)(rng_state >> 11) / 9007199254740992.0 * 2.0 - 1.0;
}

/* Partition of unity, gradients summing to zero and weights summing to the reference
 * volume, for the rule `sh`; the reference element's own nodes give J = I. */
static void check_rule_tables(const mf_shape *sh, double ref_volume) {
  const int n = sh->nodes;
  double wsum = 0, Xr[MF_ELEM_MAX_NODES * 3], g[MF_ELEM_MAX_NODES * 3];
  assert_int_equal(reference_nodes(sh->type, Xr), n);
  for (int q = 0; q < sh->nqp; q++) {
    double nsum = 0, gsum[3] = {0, 0, 0};
    for (int a = 0; a < n; a++) {
      nsum += sh->N[q * n + a];
      for (int k = 0; k < 3; k++) gsum[k] += sh->dN[(q * n + a) * 3 + k];
    }
    assert_near(nsum, 1.0, 1e-15);
    for (int k = 0; k < 3; k++) assert_near(gsum[k], 0.0, 1e-14);
    wsum += sh->qw[q];
    /* On the reference element the physical gradients are the reference ones. */
    assert_near(sh->gradients(sh, q, Xr, g), sh->qw[q], 1e-15);
    for (int k = 0; k < 3 * n; k++) assert_near(g[k], sh->dN[q * n * 3 + k], 1e-14);
  }
  assert_near(wsum, ref_volume, 1e-14);
}

/* Integral of xi^i eta^j zeta^k over the reference element. */
static double monomial_integral(mf_elem_type type, const int p[3]) {
  if (type == MF_ELEM_HEX8) {
    double v = 1;
    for (int k = 0; k < 3; k++) v *= p[k] % 2 ? 0.0 : 2.0 / (p[k] + 1);
    return v;
  }
  double fact[10] = {1};
  for (int k = 1; k < 10; k++) fact[k] = k * fact[k - 1];
  return fact[p[0]] * fact[p[1]] * fact[p[2]] / fact[p[0] + p[1] + p[2] + 3];
}

/* The rule integrates exactly every monomial of total degree <= deg (tet) or of degree
 * <= deg in each variable (hex); the points are found through the shape functions
 * (linear completeness: xi_q = sum_a N_a(q) xi_a). */
static void check_rule_exactness(const mf_shape *sh, int deg) {
  const int n = sh->nodes;
  double Xr[MF_ELEM_MAX_NODES * 3] = {0}; /* gcc 12 -march=native cannot see reference_nodes fill it */
  reference_nodes(sh->type, Xr);
  for (int i = 0; i <= deg; i++)
    for (int j = 0; j <= deg; j++)
      for (int k = 0; k <= deg; k++) {
        if (sh->type != MF_ELEM_HEX8 && i + j + k > deg) continue;
        const int p[3] = {i, j, k};
        double Q = 0;
        for (int q = 0; q < sh->nqp; q++) {
          double xi[3] = {0, 0, 0};
          for (int a = 0; a < n; a++)
            for (int c = 0; c < 3; c++) xi[c] += sh->N[q * n + a] * Xr[3 * a + c];
          Q += sh->qw[q] * pow(xi[0], i) * pow(xi[1], j) * pow(xi[2], k);
        }
        assert_near(Q, monomial_integral(sh->type, p), 1e-15 * fmax(1.0, monomial_integral(sh->type, p)));
      }
}

/* phi(x) = 0.3 + x - 2y + 0.5z + (quadratic: 0.7 x^2 - 0.4 yz + 0.9 xz) and its gradient. */
static double field(const double x[3], int quadratic, double grad[3]) {
  double v = 0.3 + x[0] - 2 * x[1] + 0.5 * x[2];
  grad[0] = 1, grad[1] = -2, grad[2] = 0.5;
  if (quadratic) {
    v += 0.7 * x[0] * x[0] - 0.4 * x[1] * x[2] + 0.9 * x[0] * x[2];
    grad[0] += 1.4 * x[0] + 0.9 * x[2];
    grad[1] += -0.4 * x[2];
    grad[2] += -0.4 * x[1] + 0.9 * x[0];
  }
  return v;
}

/* On element X the isoparametric interpolant of phi is phi (value and gradient) at every
 * quadrature point, and sum_a X_a (x) g_a = I. Returns sum of dV. */
static double check_reproduces(const mf_shape *sh, const double *X, int quadratic) {
  const int n = sh->nodes;
  double g[MF_ELEM_MAX_NODES * 3], V = 0;
  for (int q = 0; q < sh->nqp; q++) {
    double dV = sh->gradients(sh, q, X, g);
    assert_true(dV > 0);
    V += dV;
    double x[3] = {0, 0, 0}, uh = 0, gh[3] = {0, 0, 0}, ge[3], gn[3];
    for (int a = 0; a < n; a++) {
      double ua = field(&X[3 * a], quadratic, gn);
      for (int c = 0; c < 3; c++) {
        x[c] += sh->N[q * n + a] * X[3 * a + c];
        gh[c] += g[3 * a + c] * ua;
      }
      uh += sh->N[q * n + a] * ua;
    }
    assert_near(uh, field(x, quadratic, ge), 1e-13);
    for (int c = 0; c < 3; c++) assert_near(gh[c], ge[c], 1e-12);
    for (int i = 0; i < 3; i++)
      for (int j = 0; j < 3; j++) {
        double s = 0;
        for (int a = 0; a < n; a++) s += X[3 * a + i] * g[3 * a + j];
        assert_near(s, i == j, 1e-13);
      }
  }
  return V;
}

/* Face rule on the faces of a generated box: the faces of each side add up to its area,
 * and int N_a dA is the consistent nodal share of a constant traction (6-node triangle:
 * 0 at the corners, A/3 at the edge nodes; quadrilateral: A/4 at each corner). */
static void check_face_rule(mf_elem_type type) {
  const mf_shape *sh = mf_shape_of(type);
  char spec[64];
  snprintf(spec, sizeof spec, "box:2x3x5:2x1x3:%s", mf_elem_topology_of(type)->name);
  mf_mesh *m = NULL;
  assert_int_equal(mf_mesh_generate(spec, &m), MF_OK);
  assert_int_equal(m->nfn, sh->face_nodes);
  const double L[3] = {2, 3, 5};
  static const char *const sides[6] = {"xmin", "xmax", "ymin", "ymax", "zmin", "zmax"};
  for (int f = 0; f < 6; f++) {
    const mf_group *gr = mf_mesh_find_group(m, sides[f], 2);
    assert_non_null(gr);
    double A = 0;
    for (mf_idx i = 0; i < gr->n_faces; i++) {
      const mf_idx *v = mf_mesh_face(m, gr->faces[i]);
      double Xf[MF_FACE_MAX_NODES * 3], share[MF_FACE_MAX_NODES] = {0}, Af = 0;
      for (int a = 0; a < sh->face_nodes; a++) mf_nodes_coords(&m->nodes, v[a], &Xf[3 * a]);
      for (int q = 0; q < sh->face_nqp; q++) {
        double dA = mf_shape_face_measure(sh, q, Xf);
        Af += dA;
        for (int a = 0; a < sh->face_nodes; a++) share[a] += dA * sh->face_N[q * sh->face_nodes + a];
      }
      for (int a = 0; a < sh->face_nodes; a++) {
        double expect = type == MF_ELEM_HEX8 ? Af / 4 : (a < 3 ? 0.0 : Af / 3);
        assert_near(share[a], expect, 1e-14 * Af);
      }
      A += Af;
    }
    int axis = f / 2;
    assert_near(A, L[(axis + 1) % 3] * L[(axis + 2) % 3], 1e-13);
  }
  mf_mesh_destroy(&m);
}

static void test_tet10_shape_data(void **state) {
  (void)state;
  const mf_shape *sh = mf_shape_of(MF_ELEM_TET10);
  assert_int_equal(sh->type, MF_ELEM_TET10);
  assert_int_equal(sh->nodes, 10);
  assert_int_equal(sh->face_nodes, 6);
  assert_false(sh->mean_dilatation);
  assert_null(mf_shape_with(MF_ELEM_TET10, MF_VOLUMETRIC_MEAN_DILATATION));
  check_rule_tables(sh, 1.0 / 6.0);
  check_rule_exactness(sh, 2);
  /* A straight-edged element: quadratic completeness (which also fixes the edge order
   * 01 12 20 03 13 23), its volume that of its corner tet. */
  double X[10 * 3];
  distorted_nodes(MF_ELEM_TET10, X);
  assert_near(check_reproduces(sh, X, 1), mf_tet4_volume(Xref), 1e-14);
  check_face_rule(MF_ELEM_TET10);
}

static void test_hex8_shape_data(void **state) {
  (void)state;
  const mf_shape *sh = mf_shape_of(MF_ELEM_HEX8), *sel = mf_shape_with(MF_ELEM_HEX8, MF_VOLUMETRIC_MEAN_DILATATION);
  assert_ptr_equal(mf_shape_with(MF_ELEM_HEX8, MF_VOLUMETRIC_FULL), sh);
  assert_int_equal(sh->nodes, 8);
  assert_int_equal(sh->nqp, 8);
  assert_int_equal(sh->face_nodes, 4);
  assert_false(sh->mean_dilatation);
  check_rule_tables(sh, 8.0);
  check_rule_exactness(sh, 3);
  /* Mean dilatation: the same points (for the rest of the law and the element means). */
  assert_non_null(sel);
  assert_true(sel->mean_dilatation);
  assert_int_equal(sel->nqp, 8);
  check_rule_tables(sel, 8.0);
  /* A general hexahedron: linear completeness at every point; an axis-aligned box:
   * the trilinear field xyz and its volume. */
  double X[8 * 3];
  distorted_nodes(MF_ELEM_HEX8, X);
  check_reproduces(sh, X, 0);
  double B[8 * 3], g[8 * 3];
  for (int a = 0; a < 8; a++)
    for (int c = 0; c < 3; c++) B[3 * a + c] = (c + 1) * 0.5 * (1 + hex_ref[a][c]) + c;
  assert_near(check_reproduces(sh, B, 0), 6.0, 1e-14);
  for (int q = 0; q < 8; q++) {
    sh->gradients(sh, q, B, g);
    double x[3] = {0, 0, 0}, v = 0, gr[3] = {0, 0, 0};
    for (int a = 0; a < 8; a++) {
      const double *Xa = &B[3 * a];
      double fa = Xa[0] * Xa[1] * Xa[2] + Xa[0] * Xa[1];
      for (int c = 0; c < 3; c++) {
        x[c] += sh->N[8 * q + a] * Xa[c];
        gr[c] += g[3 * a + c] * fa;
      }
      v += sh->N[8 * q + a] * fa;
    }
    assert_near(v, x[0] * x[1] * x[2] + x[0] * x[1], 1e-13);
    assert_near(gr[0], x[1] * x[2] + x[1], 1e-13);
    assert_near(gr[1], x[0] * x[2] + x[0], 1e-13);
    assert_near(gr[2], x[0] * x[1], 1e-13);
  }
  check_face_rule(MF_ELEM_HEX8);
}

/* sigma = F S F^T / J (Voigt xx yy zz xy yz xz). */
static void cauchy_of(const double F[9], const double S[6], double sig[6]) {
  const double Sm[3][3] = {{S[0], S[3], S[5]}, {S[3], S[1], S[4]}, {S[5], S[4], S[2]}};
  double J = F[0] * (F[4] * F[8] - F[5] * F[7]) - F[1] * (F[3] * F[8] - F[5] * F[6]) + F[2] * (F[3] * F[7] - F[4] * F[6]);
  static const int vi[6] = {0, 1, 2, 0, 1, 0}, vj[6] = {0, 1, 2, 1, 2, 2};
  for (int v = 0; v < 6; v++) {
    double t = 0;
    for (int k = 0; k < 3; k++)
      for (int l = 0; l < 3; l++) t += F[3 * vi[v] + k] * Sm[k][l] * F[3 * vj[v] + l];
    sig[v] = t / J;
  }
}

/* Patch test: on box:1x1x1:3x3x3:TYPE made irregular, the nodal values of u = H X + b
 * give internal forces that cancel at the interior nodes and the exact constant stress
 * in every element; for the small-strain law (H small) and the neo-Hookean law (H
 * finite: F = I + H). Irregular: `general` moves every interior node (tet10: the
 * interior corners, the edge nodes put back at their edges' midpoints, so edges stay
 * straight), making hexahedra of no special shape; otherwise the whole mesh is mapped by
 * one affine map (every hexahedron a parallelepiped, J constant in each). */
static void patch_test(const elem_kind *k, int general) {
  char spec[64];
  snprintf(spec, sizeof spec, "box:1x1x1:3x3x3:%s", mf_elem_topology_of(k->type)->name);
  mf_mesh *m = NULL;
  assert_int_equal(mf_mesh_generate(spec, &m), MF_OK);
  const mf_shape *sh = kind_shape(k);
  const int n = sh->nodes;
  const mf_idx nn = m->nodes.n_local;
  char *corner = calloc((size_t)nn, 1), *interior = calloc((size_t)nn, 1);
  assert_non_null(corner);
  assert_non_null(interior);
  for (mf_idx e = 0; e < m->n_elems; e++)
    for (int a = 0; a < m->elem->corners; a++) corner[mf_mesh_elem(m, e)[a]] = 1;
  rng_state = 42;
  mf_idx moved = 0;
  for (mf_idx i = 0; i < nn; i++) {
    double c[3];
    mf_nodes_coords(&m->nodes, i, c);
    interior[i] = 1;
    for (int d = 0; d < 3; d++) interior[i] &= c[d] > 1e-12 && c[d] < 1 - 1e-12;
    if (!general) {
      const double A[3][3] = {{1.1, 0.3, -0.2}, {-0.15, 0.9, 0.25}, {0.2, -0.1, 1.2}};
      double y[3];
      for (int d = 0; d < 3; d++) y[d] = A[d][0] * c[0] + A[d][1] * c[1] + A[d][2] * c[2];
      mf_nodes_set_coords(&m->nodes, i, y);
      continue;
    }
    if (!interior[i] || !corner[i]) continue;
    for (int d = 0; d < 3; d++) c[d] += 0.1 * rnd(); /* cells are 1/3 wide */
    mf_nodes_set_coords(&m->nodes, i, c);
    moved++;
  }
  assert_int_equal(moved, general ? 8 : 0);
  if (general && k->type == MF_ELEM_TET10)
    for (mf_idx e = 0; e < m->n_elems; e++) {
      const mf_idx *v = mf_mesh_elem(m, e);
      for (int ed = 0; ed < 6; ed++) {
        double p[3], q[3];
        mf_nodes_coords(&m->nodes, v[tet_edge[ed][0]], p);
        mf_nodes_coords(&m->nodes, v[tet_edge[ed][1]], q);
        for (int d = 0; d < 3; d++) p[d] = 0.5 * (p[d] + q[d]);
        mf_nodes_set_coords(&m->nodes, v[4 + ed], p);
      }
    }
  assert_int_equal(mf_mesh_check_elements(m), MF_OK);

  mf_material mats[2];
  assert_int_equal(mf_material_from_E_nu(MF_MAT_LINEAR_ELASTIC, 1000.0, 0.3, &mats[0]), MF_OK);
  assert_int_equal(mf_material_from_E_nu(MF_MAT_NEO_HOOKEAN, 1000.0, 0.3, &mats[1]), MF_OK);
  const double H0[9] = {1e-3, 2e-3, -1e-3, -2e-3, 5e-4, 3e-3, 1.5e-3, -1e-3, 2e-3};
  const double b[3] = {1e-3, -2e-3, 5e-4};
  double *f = malloc(3 * (size_t)nn * sizeof *f);
  assert_non_null(f);
  for (int mi = 0; mi < 2; mi++) {
    double H[9], F[9], S[6], D[36], sig_exact[6];
    for (int i = 0; i < 9; i++) H[i] = H0[i] * (mi ? 100.0 : 1.0); /* 10-30% strains for neo-Hookean */
    for (int i = 0; i < 9; i++) F[i] = (i % 4 == 0) + H[i];
    assert_int_equal(mf_material_eval(&mats[mi], F, S, D), 0);
    if (mi) cauchy_of(F, S, sig_exact);
    else memcpy(sig_exact, S, sizeof S);
    double smax = 0, stress_err = 0;
    for (int v = 0; v < 6; v++) smax = fmax(smax, fabs(sig_exact[v]));
    memset(f, 0, 3 * (size_t)nn * sizeof *f);
    mf_elem_scratch s = scratch();
    for (mf_idx e = 0; e < m->n_elems; e++) {
      const mf_idx *v = mf_mesh_elem(m, e);
      double X[MF_ELEM_MAX_NODES * 3], u[MF_ELEM_MAX_NODES * 3], sig[6];
      for (int a = 0; a < n; a++) {
        mf_nodes_coords(&m->nodes, v[a], &X[3 * a]);
        for (int i = 0; i < 3; i++)
          u[3 * a + i] = b[i] + H[3 * i] * X[3 * a] + H[3 * i + 1] * X[3 * a + 1] + H[3 * i + 2] * X[3 * a + 2];
      }
      assert_int_equal(mf_element_eval(sh, &mats[mi], X, u, 0, &s), 0);
      for (int a = 0; a < n; a++)
        for (int i = 0; i < 3; i++) f[3 * v[a] + i] += s.fe[3 * a + i];
      assert_int_equal(mf_element_cauchy(sh, &mats[mi], X, u, sig), 0);
      for (int w = 0; w < 6; w++) stress_err = fmax(stress_err, fabs(sig[w] - sig_exact[w]));
    }
    double fb = 0, fi = 0;
    for (mf_idx i = 0; i < nn; i++) {
      for (int d = 0; d < 3; d++) {
        if (interior[i]) fi = fmax(fi, fabs(f[3 * i + d]));
        else fb = fmax(fb, fabs(f[3 * i + d]));
      }
    }
    print_message("%-15s %-14s patch test (%s): max interior |f| / max boundary |f| = %.2e, stress error %.2e\n",
                  k->name, mf_material_model_name(mats[mi].model), general ? "moved nodes" : "affine map", fi / fb,
                  stress_err / smax);
    assert_true(fb > 0);
    assert_true(fi / fb < 1e-12);
    assert_true(stress_err / smax < 1e-12);
  }
  free(f);
  free(corner);
  free(interior);
  mf_mesh_destroy(&m);
}

static void test_patch_tet10(void **state) {
  (void)state;
  patch_test(&kinds[0], 1);
  patch_test(&kinds[0], 0);
}
static void test_patch_hex8(void **state) {
  (void)state;
  patch_test(&kinds[1], 1);
  patch_test(&kinds[1], 0);
}
/* Mean dilatation on parallelepipeds and on general hexahedra. (A one-point rule for
 * the volumetric part, tried first, passes on parallelepipeds only: on the moved-node
 * mesh its interior forces were 7.6e-3 of the boundary forces, since det J grad N_a is
 * quadratic in each reference coordinate.) */
static void test_patch_hex8_mean_dilatation_parallelepipeds(void **state) {
  (void)state;
  patch_test(&kinds[2], 0);
}
static void test_patch_hex8_mean_dilatation_general(void **state) {
  (void)state;
  patch_test(&kinds[2], 1);
}

/* A moderate finite deformation of element X (n nodes): a homogeneous part with
 * stretch, shear and rotation plus a random part, so that F differs between points. */
static void sample_field(int n, const double *X, double *u) {
  static const double H[9] = {0.15, 0.08, -0.05, -0.06, 0.12, 0.09, 0.05, -0.10, -0.14};
  rng_state = 7;
  for (int a = 0; a < n; a++)
    for (int i = 0; i < 3; i++)
      u[3 * a + i] = H[3 * i] * X[3 * a] + H[3 * i + 1] * X[3 * a + 1] + H[3 * i + 2] * X[3 * a + 2] + 0.03 * rnd();
}

static void test_tangent_fd_tet10_hex8(void **state) {
  (void)state;
  mf_material mats[3];
  make_materials(mats);
  for (int ki = 0; ki < N_KINDS; ki++) {
    const mf_shape *sh = kind_shape(&kinds[ki]);
    double X[MF_ELEM_MAX_NODES * 3], u[MF_ELEM_MAX_NODES * 3];
    const int n = distorted_nodes(kinds[ki].type, X), nd = 3 * n;
    sample_field(n, X, u);
    for (int mi = 0; mi < 3; mi++) {
      static double K[81 * 81], fp[81], fm[81];
      mf_elem_scratch s = scratch();
      assert_int_equal(mf_element_eval(sh, &mats[mi], X, u, 1, &s), 0);
      memcpy(K, s.Ke, (size_t)nd * nd * sizeof *K);
      double kmax = 0, err = 0, asym = 0;
      for (int i = 0; i < nd * nd; i++) kmax = fmax(kmax, fabs(K[i]));
      const double h = 1e-6;
      for (int c = 0; c < nd; c++) {
        double up[81], um[81];
        memcpy(up, u, (size_t)nd * sizeof *u);
        memcpy(um, u, (size_t)nd * sizeof *u);
        up[c] += h;
        um[c] -= h;
        assert_int_equal(mf_element_eval(sh, &mats[mi], X, up, 0, &s), 0);
        memcpy(fp, s.fe, (size_t)nd * sizeof *fp);
        assert_int_equal(mf_element_eval(sh, &mats[mi], X, um, 0, &s), 0);
        memcpy(fm, s.fe, (size_t)nd * sizeof *fm);
        for (int r = 0; r < nd; r++) err = fmax(err, fabs((fp[r] - fm[r]) / (2 * h) - K[nd * r + c]));
      }
      for (int r = 0; r < nd; r++)
        for (int c = 0; c < nd; c++) asym = fmax(asym, fabs(K[nd * r + c] - K[nd * c + r]));
      print_message("%-15s %-22s max |K - df/du| / max|K| = %.2e, asymmetry %.1e\n", kinds[ki].name,
                    mf_material_model_name(mats[mi].model), err / kmax, asym / kmax);
      assert_true(err / kmax < 1e-6);
      assert_true(asym == 0.0); /* to the bit, as for the tet4 */
    }
  }
}

/* The volumetric part of W as mf_material.h names it: lambda/2 (tr eps)^2,
 * lambda/2 (ln J)^2, (J-1)^2/D1. */
static double volumetric_energy(const mf_material *m, const double F[9]) {
  if (m->model == MF_MAT_LINEAR_ELASTIC) {
    double tr = F[0] + F[4] + F[8] - 3.0;
    return 0.5 * m->lambda * tr * tr;
  }
  double J = F[0] * (F[4] * F[8] - F[5] * F[7]) - F[1] * (F[3] * F[8] - F[5] * F[6]) + F[2] * (F[3] * F[7] - F[4] * F[6]);
  if (m->model == MF_MAT_NEO_HOOKEAN) return 0.5 * m->lambda * log(J) * log(J);
  return (J - 1.0) * (J - 1.0) / m->D1;
}

/* F = I + sum_a u_a (x) g_a at point q of `sh`; returns the point's dV. */
static double point_F(const mf_shape *sh, int q, const double *X, const double *u, double F[9]) {
  double g[MF_ELEM_MAX_NODES * 3], dV = sh->gradients(sh, q, X, g);
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++) {
      F[3 * i + j] = i == j;
      for (int a = 0; a < sh->nodes; a++) F[3 * i + j] += u[3 * a + i] * g[3 * a + j];
    }
  return dV;
}

/* Sum over the points of `rule` of dV W_part(F). */
static double rule_energy(const mf_shape *rule, const mf_material *m, mf_material_part part, const double *X,
                          const double *u) {
  double E = 0;
  for (int q = 0; q < rule->nqp; q++) {
    double F[9], dV = point_F(rule, q, X, u, F);
    double W = mf_material_energy(m, F);
    if (part == MF_PART_VOLUMETRIC) W = volumetric_energy(m, F);
    else if (part == MF_PART_REST) W -= volumetric_energy(m, F);
    E += dV * W;
  }
  return E;
}

/* The element's stored energy: the whole law at the points, or (mean dilatation) the
 * rest at the points plus V0 U(Jbar), Jbar = current volume / reference volume (small
 * strain: V0 lambda/2 theta^2 with theta the mean of div u), computed here from the
 * points' det F (the 2x2x2 rule integrates a trilinear hexahedron's volume exactly). */
static double element_energy(const mf_shape *sh, const mf_material *m, const double *X, const double *u) {
  if (!sh->mean_dilatation) return rule_energy(sh, m, MF_PART_WHOLE, X, u);
  double V0 = 0, v = 0;
  for (int q = 0; q < sh->nqp; q++) {
    double F[9], dV = point_F(sh, q, X, u, F);
    V0 += dV;
    v += dV * (m->model == MF_MAT_LINEAR_ELASTIC ? F[0] + F[4] + F[8] - 2.0
                                                 : F[0] * (F[4] * F[8] - F[5] * F[7]) - F[1] * (F[3] * F[8] - F[5] * F[6]) +
                                                       F[2] * (F[3] * F[7] - F[4] * F[6]));
  }
  double Jbar = v / V0, Uvol;
  if (m->model == MF_MAT_LINEAR_ELASTIC) Uvol = 0.5 * m->lambda * (Jbar - 1) * (Jbar - 1);
  else if (m->model == MF_MAT_NEO_HOOKEAN) Uvol = 0.5 * m->lambda * log(Jbar) * log(Jbar);
  else Uvol = (Jbar - 1) * (Jbar - 1) / m->D1;
  return rule_energy(sh, m, MF_PART_REST, X, u) + V0 * Uvol;
}

static void test_force_is_energy_gradient_tet10_hex8(void **state) {
  (void)state;
  mf_material mats[3];
  make_materials(mats);
  for (int ki = 0; ki < N_KINDS; ki++) {
    const mf_shape *sh = kind_shape(&kinds[ki]);
    double X[MF_ELEM_MAX_NODES * 3], u[MF_ELEM_MAX_NODES * 3];
    const int n = distorted_nodes(kinds[ki].type, X), nd = 3 * n;
    sample_field(n, X, u);
    for (int mi = 0; mi < 3; mi++) {
      mf_elem_scratch s = scratch();
      assert_int_equal(mf_element_eval(sh, &mats[mi], X, u, 0, &s), 0);
      double fmax_ = 0, err = 0;
      for (int c = 0; c < nd; c++) fmax_ = fmax(fmax_, fabs(s.fe[c]));
      const double h = 1e-6;
      for (int c = 0; c < nd; c++) {
        double up[81], um[81];
        memcpy(up, u, (size_t)nd * sizeof *u);
        memcpy(um, u, (size_t)nd * sizeof *u);
        up[c] += h;
        um[c] -= h;
        double dE = (element_energy(sh, &mats[mi], X, up) - element_energy(sh, &mats[mi], X, um)) / (2 * h);
        err = fmax(err, fabs(dE - s.fe[c]));
      }
      print_message("%-15s %-22s max |f - dE/du| / max|f| = %.2e\n", kinds[ki].name,
                    mf_material_model_name(mats[mi].model), err / fmax_);
      assert_true(err / fmax_ < 1e-6);
    }
  }
}

/* REST + VOLUMETRIC = WHOLE (S and D) for all three laws at random F; the volumetric
 * part alone is the stress of the volumetric energy (checked by its finite difference
 * along a random path, dW = S : dE). */
static void test_material_parts_sum_to_whole(void **state) {
  (void)state;
  mf_material mats[3];
  make_materials(mats);
  rng_state = 99;
  for (int mi = 0; mi < 3; mi++) {
    double worst_S = 0, worst_D = 0, worst_W = 0;
    for (int trial = 0; trial < 20; trial++) {
      double F[9];
      for (int i = 0; i < 9; i++) F[i] = (i % 4 == 0) + 0.3 * rnd();
      double Sw[6], Dw[36], Sr[6], Dr[36], Sv[6], Dv[36];
      int ok = mf_material_eval_part(&mats[mi], MF_PART_WHOLE, F, Sw, Dw);
      if (ok != 0) continue; /* J <= 0 */
      assert_int_equal(mf_material_eval(&mats[mi], F, Sr, Dr), 0);
      assert_memory_equal(Sr, Sw, sizeof Sw);
      assert_int_equal(mf_material_eval_part(&mats[mi], MF_PART_REST, F, Sr, Dr), 0);
      assert_int_equal(mf_material_eval_part(&mats[mi], MF_PART_VOLUMETRIC, F, Sv, Dv), 0);
      double smax = 0, dmax = 0, es = 0, ed = 0;
      for (int a = 0; a < 6; a++) {
        smax = fmax(smax, fabs(Sw[a]));
        es = fmax(es, fabs(Sr[a] + Sv[a] - Sw[a]));
      }
      for (int a = 0; a < 36; a++) {
        dmax = fmax(dmax, fabs(Dw[a]));
        ed = fmax(ed, fabs(Dr[a] + Dv[a] - Dw[a]));
      }
      worst_S = fmax(worst_S, es / smax);
      worst_D = fmax(worst_D, ed / dmax);
      /* d/dt W_vol(F + t dF) = S_vol : dE, dE = sym(F^T dF) (engineering shears), or the
       * symmetric gradient of dF for the small-strain law. */
      double dF[9], Fp[9], Fm[9], dE[6];
      for (int i = 0; i < 9; i++) dF[i] = rnd();
      const double h = 1e-6;
      for (int i = 0; i < 9; i++) Fp[i] = F[i] + h * dF[i], Fm[i] = F[i] - h * dF[i];
      double dW = (volumetric_energy(&mats[mi], Fp) - volumetric_energy(&mats[mi], Fm)) / (2 * h);
      static const int vi[6] = {0, 1, 2, 0, 1, 0}, vj[6] = {0, 1, 2, 1, 2, 2};
      for (int v = 0; v < 6; v++) {
        int i = vi[v], j = vj[v];
        double t = 0;
        if (mats[mi].model == MF_MAT_LINEAR_ELASTIC) t = 0.5 * (dF[3 * i + j] + dF[3 * j + i]);
        else
          for (int k = 0; k < 3; k++) t += 0.5 * (F[3 * k + i] * dF[3 * k + j] + dF[3 * k + i] * F[3 * k + j]);
        dE[v] = v < 3 ? t : 2 * t;
      }
      double SdE = 0, scale = 0;
      for (int v = 0; v < 6; v++) SdE += Sv[v] * dE[v], scale += fabs(Sv[v] * dE[v]);
      worst_W = fmax(worst_W, fabs(dW - SdE) / scale);
    }
    print_message("%-22s |S_rest + S_vol - S| / |S| = %.1e, |D_rest + D_vol - D| / |D| = %.1e, "
                  "|dW_vol - S_vol:dE| = %.1e\n",
                  mf_material_model_name(mats[mi].model), worst_S, worst_D, worst_W);
    assert_true(worst_S < 1e-12);
    assert_true(worst_D < 1e-12);
    assert_true(worst_W < 1e-7);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_volume_and_gradients),
      cmocka_unit_test(test_tangent_matches_finite_difference),
      cmocka_unit_test(test_force_is_energy_gradient),
      cmocka_unit_test(test_laws_agree_at_small_strain),
      cmocka_unit_test(test_inverted_element_is_reported),
      cmocka_unit_test(test_tet4_shape_data),
      cmocka_unit_test(test_material_input_checks),
      cmocka_unit_test(test_tet10_shape_data),
      cmocka_unit_test(test_hex8_shape_data),
      cmocka_unit_test(test_patch_tet10),
      cmocka_unit_test(test_patch_hex8),
      cmocka_unit_test(test_patch_hex8_mean_dilatation_parallelepipeds),
      cmocka_unit_test(test_patch_hex8_mean_dilatation_general),
      cmocka_unit_test(test_tangent_fd_tet10_hex8),
      cmocka_unit_test(test_force_is_energy_gradient_tet10_hex8),
      cmocka_unit_test(test_material_parts_sum_to_whole),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
