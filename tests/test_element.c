/* Element and material kernels: volumes, gradients, B, stresses against energies and
 * tangents against central finite differences of the internal force. */
#include <string.h>

#include "mf_test.h"

#include "fem/mf_element.h"
#include "fem/mf_shape.h"
#include "fem/mf_tet4.h"

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
MF_SCRATCH_ARRAYS(SCRATCH_BUF, 12)
#undef SCRATCH_BUF
static mf_elem_scratch scratch(void) {
  mf_elem_scratch s;
#define SCRATCH_SET(name, len) s.name = buf_##name;
  MF_SCRATCH_ARRAYS(SCRATCH_SET, 12)
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
    /* Symmetry: all three laws are hyperelastic. */
    for (int r = 0; r < 12; r++)
      for (int c = 0; c < 12; c++) assert_true(fabs(K[12 * r + c] - K[12 * c + r]) <= 1e-12 * kmax);
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

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_volume_and_gradients),
      cmocka_unit_test(test_tangent_matches_finite_difference),
      cmocka_unit_test(test_force_is_energy_gradient),
      cmocka_unit_test(test_laws_agree_at_small_strain),
      cmocka_unit_test(test_inverted_element_is_reported),
      cmocka_unit_test(test_tet4_shape_data),
      cmocka_unit_test(test_material_input_checks),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
