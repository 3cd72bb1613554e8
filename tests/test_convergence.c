/* Convergence under mesh refinement with the box generator, for each element type:
 *  - a manufactured solution for linear elasticity converges in L2 at the element's
 *    order: 2 for tet4 and hex8, 3 for tet10;
 *  - a cantilever's tip deflection approaches beam theory (Timoshenko) as h -> 0, and
 *    near incompressibility locks full hex8 while mean-dilatation hex8 stays close;
 *  - uniaxial tension of a neo-Hookean cube gives the closed-form reaction at every
 *    load step on tet10 and hex8 meshes (a homogeneous finite strain, reproduced
 *    exactly by every element). */
#include <string.h>

#include "fem/mf_shape.h"
#include "fem/mf_tet4.h"
#include "mf_test_solve.h"

/* ---- manufactured solution u = c sin(pi x) sin(pi y) sin(pi z) on the unit cube ---- */

static const double mms_c[3] = {1e-2, -2e-2, 1.5e-2};

static void mms_exact(const double X[3], double u[3]) {
  double phi = sin(M_PI * X[0]) * sin(M_PI * X[1]) * sin(M_PI * X[2]);
  for (int i = 0; i < 3; i++) u[i] = mms_c[i] * phi;
}

/* Body force f = -div sigma = -[(lambda + mu) grad(c . grad phi) + mu c lap(phi)]. */
static void mms_force(const mf_material *m, const double X[3], double f[3]) {
  double s[3], c[3];
  for (int k = 0; k < 3; k++) {
    s[k] = sin(M_PI * X[k]);
    c[k] = cos(M_PI * X[k]);
  }
  double pi2 = M_PI * M_PI, phi = s[0] * s[1] * s[2];
  double H[3][3]; /* second derivatives of phi */
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++) {
      if (i == j) H[i][j] = -pi2 * phi;
      else {
        int k = 3 - i - j;
        H[i][j] = pi2 * c[i] * c[j] * s[k];
      }
    }
  for (int i = 0; i < 3; i++) {
    double grad_div = 0;
    for (int j = 0; j < 3; j++) grad_div += mms_c[j] * H[i][j];
    f[i] = -((m->lambda + m->mu) * grad_div + m->mu * mms_c[i] * (-3.0 * pi2 * phi));
  }
}

/* Degree-2 rule on a tet: four points, barycentric (a, b, b, b) and permutations. */
static const double q_a = 0.5854101966249685, q_b = 0.1381966011250105;

static void quad_point(const double X[4][3], int q, double N[4], double x[3]) {
  for (int a = 0; a < 4; a++) N[a] = (a == q) ? q_a : q_b;
  for (int k = 0; k < 3; k++) x[k] = N[0] * X[0][k] + N[1] * X[1][k] + N[2] * X[2][k] + N[3] * X[3][k];
}

/* Element e's reference coordinates X[nodes][3]. */
static int elem_coords(const mf_mesh *m, mf_idx e, double *X) {
  const mf_idx *v = mf_mesh_elem(m, e);
  for (int a = 0; a < m->npe; a++) mf_nodes_coords(&m->nodes, v[a], &X[3 * a]);
  return m->npe;
}

/* The quadrature rule of element e of mesh m: tet4 with the degree-2 rule above (its
 * shape has one point), the other types with their shape's rule (mf_shape_of). Point q:
 * its shape-function values N[nodes], position x and weight dV; returns the count. */
static int rule_points(const mf_mesh *m) {
  return m->elem->type == MF_ELEM_TET4 ? 4 : mf_shape_of(m->elem->type)->nqp;
}
static double rule_point(const mf_mesh *m, const double *X, int q, double *N, double x[3]) {
  if (m->elem->type == MF_ELEM_TET4) {
    quad_point((const double(*)[3])X, q, N, x);
    return mf_tet4_volume((const double(*)[3])X) / 4;
  }
  const mf_shape *sh = mf_shape_of(m->elem->type);
  double g[3 * MF_ELEM_MAX_NODES];
  double dV = sh->gradients(sh, q, X, g);
  for (int k = 0; k < 3; k++) x[k] = 0;
  for (int a = 0; a < sh->nodes; a++) {
    N[a] = sh->N[q * sh->nodes + a];
    for (int k = 0; k < 3; k++) x[k] += N[a] * X[3 * a + k];
  }
  return dV;
}

static void mms_hook(mf_test_run *run, void *ctx) {
  (void)ctx;
  const mf_mesh *m = run->mesh;
  const mf_material *mat = &run->cs->problem.materials[0].mat;
  memset(run->pb->fext, 0, (size_t)run->pb->ndof * sizeof(double));
  for (mf_idx e = 0; e < m->n_elems; e++) {
    double X[3 * MF_ELEM_MAX_NODES];
    const int n = elem_coords(m, e, X);
    const mf_idx *v = mf_mesh_elem(m, e);
    for (int q = 0; q < rule_points(m); q++) {
      double N[MF_ELEM_MAX_NODES], x[3], f[3];
      double dV = rule_point(m, X, q, N, x);
      mms_force(mat, x, f);
      for (int a = 0; a < n; a++)
        for (int k = 0; k < 3; k++) run->pb->fext[3 * v[a] + k] += dV * N[a] * f[k];
    }
  }
}

static double mms_l2_error(const mf_test_run *run) {
  const mf_mesh *m = run->mesh;
  const double *u = mf_solver_displacement(run->solver);
  double err2 = 0, ref2 = 0;
  for (mf_idx e = 0; e < m->n_elems; e++) {
    double X[3 * MF_ELEM_MAX_NODES];
    const int n = elem_coords(m, e, X);
    const mf_idx *v = mf_mesh_elem(m, e);
    for (int q = 0; q < rule_points(m); q++) {
      double N[MF_ELEM_MAX_NODES], x[3], ue[3];
      double dV = rule_point(m, X, q, N, x);
      mms_exact(x, ue);
      for (int k = 0; k < 3; k++) {
        double uh = 0;
        for (int a = 0; a < n; a++) uh += N[a] * u[3 * v[a] + k];
        err2 += dV * (uh - ue[k]) * (uh - ue[k]);
        ref2 += dV * ue[k] * ue[k];
      }
    }
  }
  return sqrt(err2 / ref2);
}

/* Relative L2 errors of the manufactured solution on box:1x1x1:NxNxN:TYPE for each N of
 * sizes; prints them with the rates between successive meshes. */
static void mms_errors(const char *type, const int *sizes, int n, double *err) {
  for (int s = 0; s < n; s++) {
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "mesh: box:1x1x1:%dx%dx%d:%s\n"
             "materials: [{model: linear-elastic, E: 1000, nu: 0.3}]\n"
             "boundary:\n"
             "  - {group: xmin, ux: 0, uy: 0, uz: 0}\n  - {group: xmax, ux: 0, uy: 0, uz: 0}\n"
             "  - {group: ymin, ux: 0, uy: 0, uz: 0}\n  - {group: ymax, ux: 0, uy: 0, uz: 0}\n"
             "  - {group: zmin, ux: 0, uy: 0, uz: 0}\n  - {group: zmax, ux: 0, uy: 0, uz: 0}\n"
             "newton: {rtol: 1.0e-12, atol: 1.0e-14}\n"
             "linear: {rtol: 1.0e-12}\n",
             sizes[s], sizes[s], sizes[s], type);
    mf_test_run run;
    mf_test_run_yaml(&run, yaml, 0, mms_hook, NULL);
    assert_int_equal(run.status, MF_OK);
    err[s] = mms_l2_error(&run);
    mf_test_run_free(&run);
    if (s == 0) print_message("MMS %-5s h=1/%-3d relative L2 error %.4e\n", type, sizes[s], err[s]);
    else
      print_message("MMS %-5s h=1/%-3d relative L2 error %.4e  rate %.3f\n", type, sizes[s], err[s],
                    log2(err[s - 1] / err[s]));
  }
}

static void test_manufactured_solution_second_order(void **state) {
  (void)state;
  const int sizes[] = {4, 8, 16, 32};
  double err[4];
  mms_errors("tet4", sizes, 4, err);
  /* The coarsest pair is pre-asymptotic; the rate must then approach 2. */
  assert_true(log2(err[0] / err[1]) > 1.6);
  assert_true(log2(err[1] / err[2]) > 1.85);
  assert_true(log2(err[2] / err[3]) > 1.93);
}

/* With --slow the finer meshes are added (tet10 h = 1/16, hex8 h = 1/32). */
static int mms_slow = 0;

static void test_manufactured_solution_tet10_third_order(void **state) {
  (void)state;
  const int sizes[] = {2, 4, 8, 16};
  double err[4];
  mms_errors("tet10", sizes, mms_slow ? 4 : 3, err);
  /* Measured: 2.84, 2.97, 3.00. */
  assert_true(log2(err[0] / err[1]) > 2.7);
  assert_in_range((int)(100 * log2(err[1] / err[2])), 290, 310);
  if (mms_slow) assert_in_range((int)(100 * log2(err[2] / err[3])), 295, 305);
}

static void test_manufactured_solution_hex8_second_order(void **state) {
  (void)state;
  const int sizes[] = {4, 8, 16, 32};
  double err[4];
  mms_errors("hex8", sizes, mms_slow ? 4 : 3, err);
  /* Measured: 1.965, 1.989, 1.997. */
  assert_true(log2(err[0] / err[1]) > 1.9);
  assert_in_range((int)(100 * log2(err[1] / err[2])), 195, 205);
  if (mms_slow) assert_in_range((int)(100 * log2(err[2] / err[3])), 198, 202);
}

/* ---- uniaxial tension: reaction force against the closed form at every step ---------- */

static void test_uniaxial_tet10(void **state) {
  (void)state;
  mf_test_uniaxial("box:1x1x1:2x2x2:tet10", "full", "{model: neo-hookean, E: 1000, nu: 0.3}");
  mf_test_uniaxial("box:1x1x1:2x2x2:tet10", "full", "{model: neo-hookean-decoupled, C10: 200, D1: 0.002}");
}

static void test_uniaxial_hex8(void **state) {
  (void)state;
  mf_test_uniaxial("box:1x1x1:2x2x2:hex8", "full", "{model: neo-hookean, E: 1000, nu: 0.3}");
  mf_test_uniaxial("box:1x1x1:2x2x2:hex8", "full", "{model: neo-hookean-decoupled, C10: 200, D1: 0.002}");
  mf_test_uniaxial("box:1x1x1:2x2x2:hex8", "mean-dilatation", "{model: neo-hookean, E: 1000, nu: 0.3}");
  mf_test_uniaxial("box:1x1x1:2x2x2:hex8", "mean-dilatation", "{model: neo-hookean-decoupled, C10: 200, D1: 0.002}");
}

/* ---- cantilever: tip deflection against Timoshenko beam theory ----------------------- */

/* Timoshenko deflection of the 10x1x1 cantilever under the tip load P (A = 1, I = 1/12). */
static double beam_deflection(double E, double nu, double L, double P) {
  const double G = E / (2 * (1 + nu)), kappa = 10 * (1 + nu) / (12 + 11 * nu);
  return P * L * L * L / (3 * E / 12.0) + P * L / (kappa * G);
}

/* Tip deflection of a 10 x 1 x 1 cantilever `mesh` clamped on group `fixed`, with a shear
 * traction P on group `end` (linear elastic E, nu; `volumetric`: full or mean-dilatation):
 * the mean of uz over the nodes of `end` (node_mean: tet4, as this test always did), or
 * over the face's area (tet10 and hex8 face nodes carry unequal shares). */
static double cantilever_tip_on(const char *mesh, const char *fixed, const char *end, int node_mean, double E,
                                double nu, double P, const char *volumetric) {
  char yaml[2048];
  snprintf(yaml, sizeof yaml,
           "mesh: %s\n"
           "materials: [{model: linear-elastic, E: %g, nu: %g}]\n"
           "boundary: [{group: %s, ux: 0, uy: 0, uz: 0}]\n"
           "loads: [{group: %s, traction: [0, 0, %g]}]\n"
           "volumetric: %s\n"
           "newton: {rtol: 1.0e-12, atol: 1.0e-16}\n"
           "linear: {rtol: 1.0e-12, max_iter: 100000}\n",
           mesh, E, nu, fixed, end, -P, volumetric);
  mf_test_run run;
  mf_test_run_yaml(&run, yaml, 0, NULL, NULL);
  assert_int_equal(run.status, MF_OK);
  const double *u = mf_solver_displacement(run.solver);
  const mf_group *tip = mf_mesh_find_group(run.mesh, end, 2);
  double uz = 0;
  if (node_mean) {
    for (mf_idx i = 0; i < tip->n_nodes; i++) uz += u[3 * tip->nodes[i] + 2];
    uz /= tip->n_nodes;
  } else {
    const mf_shape *sh = run.pb->shape;
    double A = 0;
    for (mf_idx f = 0; f < tip->n_faces; f++) {
      const mf_idx *v = mf_mesh_face(run.mesh, tip->faces[f]);
      double Xf[3 * MF_FACE_MAX_NODES];
      for (int a = 0; a < sh->face_nodes; a++) mf_nodes_coords(&run.mesh->nodes, v[a], &Xf[3 * a]);
      for (int q = 0; q < sh->face_nqp; q++) {
        double dA = mf_shape_face_measure(sh, q, Xf);
        A += dA;
        for (int a = 0; a < sh->face_nodes; a++) uz += dA * sh->face_N[q * sh->face_nodes + a] * u[3 * v[a] + 2];
      }
    }
    assert_true(fabs(A - 1.0) < 1e-12);
    uz /= A;
  }
  mf_test_run_free(&run);
  return -uz;
}

static double cantilever_tip(const char *type, double E, double nu, double P, const char *volumetric, int k) {
  char mesh[128];
  snprintf(mesh, sizeof mesh, "box:10x1x1:%dx%dx%d:%s", 10 * k, k, k, type);
  return cantilever_tip_on(mesh, "xmin", "xmax", strcmp(type, "tet4") == 0, E, nu, P, volumetric);
}

/* Relative errors against beam theory of the cantilever for each k of ks. */
static void cantilever_errors(const char *type, double nu, const char *volumetric, const int *ks, int n,
                              double *rel_err, double *tip) {
  const double E = 1000, P = 0.01, beam = beam_deflection(E, nu, 10, P);
  for (int s = 0; s < n; s++) {
    int k = ks[s];
    tip[s] = cantilever_tip(type, E, nu, P, volumetric, k);
    rel_err[s] = fabs(tip[s] - beam) / beam;
    print_message("cantilever %-5s %-9s nu %-6g %3dx%dx%d: tip deflection %.6f, beam theory %.6f, relative error %.4f\n",
                  type, volumetric, nu, 10 * k, k, k, tip[s], beam, rel_err[s]);
  }
}

/* Linear tets lock in bending, so the error falls slowly at first and then at the
 * asymptotic O(h^2); the 3D clamp differs from beam theory by about 1%. */
static int cantilever_levels = 4; /* 5 with --slow: adds 160x16x16 (about 20 s on 2 cores),
                                     and the finer tet10 and hex8 meshes */

static void test_cantilever_approaches_beam_theory(void **state) {
  (void)state;
  const int k_values[] = {1, 2, 4, 8, 16};
  double rel_err[5], tip[5];
  cantilever_errors("tet4", 0.3, "full", k_values, cantilever_levels, rel_err, tip);
  for (int s = 1; s < cantilever_levels; s++) assert_true(rel_err[s] < rel_err[s - 1]);
  assert_true(log2(rel_err[2] / rel_err[3]) > 1.5); /* the rate rises towards 2 */
  assert_true(rel_err[3] < 0.08);
  if (cantilever_levels > 4) assert_true(rel_err[4] < 0.03);
}

/* Quadratic tets do not lock in bending: tet10 converges fast to the 3D answer, about
 * 0.7% below beam theory (the clamp). Measured tip deflections (beam theory 0.040306):
 * 10x1x1 0.039330, 20x2x2 0.039864, 40x4x4 0.039987 - 20x2x2 (1025 nodes) is within
 * 0.4% of the 3D answer, where tet4 on 80x8x8 (6561 nodes) is 7% off. */
static void test_cantilever_tet10(void **state) {
  (void)state;
  const int ks[] = {1, 2, 4, 8};
  const int n = cantilever_levels > 4 ? 4 : 2; /* 40x4x4 and 80x8x8 with --slow */
  double rel_err[4], tip[4];
  cantilever_errors("tet10", 0.3, "full", ks, n, rel_err, tip);
  for (int s = 1; s < n; s++) assert_true(tip[s] > tip[s - 1]); /* from below, stiffer when coarse */
  assert_true(rel_err[0] < 0.03);
  assert_true(rel_err[1] < 0.015);
  if (n > 2) {
    assert_true(rel_err[2] < 0.01);
    assert_true(fabs(tip[1] - tip[2]) / tip[2] < 0.005);
    /* the change per refinement falls at least 3x (O(h^2) or better) */
    assert_true(fabs(tip[1] - tip[0]) > 3 * fabs(tip[2] - tip[1]));
  }
  if (n > 3) {
    assert_true(fabs(tip[2] - tip[3]) / tip[3] < 0.001);
    assert_true(fabs(tip[1] - tip[3]) / tip[3] < 0.005);
  }
}

/* The accuracy claim on a file mesh: meshes/cantilever_tet10.msh (Gmsh, second
 * order, h = 0.25: 6648 nodes, 3603 tet10) within 1% of the converged 3D answer, taken as
 * tet10 on the generated 40x4x4 box (0.06% from the extrapolated limit in
 * docs/elements.md). */
static void test_cantilever_tet10_gmsh_mesh(void **state) {
  (void)state;
  const double E = 1000, nu = 0.3, P = 0.01;
  double file = cantilever_tip_on(MF_SOURCE_DIR "/meshes/cantilever_tet10.msh", "fixed", "tip", 0, E, nu, P, "full");
  double ref = cantilever_tip("tet10", E, nu, P, "full", 4);
  print_message("cantilever tet10 Gmsh mesh: tip deflection %.6f, tet10 40x4x4 %.6f, relative difference %.4f\n", file,
                ref, fabs(file - ref) / ref);
  assert_true(fabs(file - ref) / ref < 0.01);
}

/* Full hex8 locks in bending less than tet4 on the same cells (tet4, above: 0.78, 0.50,
 * 0.21, 0.070); measured relative errors 0.357, 0.131, 0.0425, 0.0164; mean dilatation
 * is softer still at nu = 0.3: 0.136, 0.064, 0.0236, 0.0114. */
static void test_cantilever_hex8(void **state) {
  (void)state;
  const int ks[] = {1, 2, 4, 8, 16};
  const int n = cantilever_levels > 4 ? 5 : 3;
  double full[5], sel[5], tip[5], tip_sel[5];
  cantilever_errors("hex8", 0.3, "full", ks, n, full, tip);
  cantilever_errors("hex8", 0.3, "mean-dilatation", ks, n, sel, tip_sel);
  for (int s = 1; s < n; s++) {
    assert_true(full[s] < full[s - 1]);
    assert_true(sel[s] < sel[s - 1]);
  }
  for (int s = 0; s < n; s++) assert_true(tip_sel[s] > tip[s]);
  assert_true(full[0] < 0.45);
  assert_true(full[1] < 0.2);
  assert_true(full[2] < 0.06);
  assert_true(sel[2] < 0.03);
  if (n > 3) {
    assert_true(full[3] < 0.025);
    assert_true(sel[3] < 0.015);
    assert_true(full[4] < full[3] && sel[4] < sel[3]);
    assert_true(full[4] < 0.012 && sel[4] < 0.012);
  }
}

/* nu = 0.4999, linear elastic: full hex8 locks volumetrically (measured relative errors
 * 0.92, 0.81, 0.65 on 10x1x1, 20x2x2, 40x4x4), mean-dilatation hex8 does not (0.004, 0.079,
 * 0.041; the one-element-thick value is a coincidence of two errors). */
static void test_cantilever_nearly_incompressible(void **state) {
  (void)state;
  const int ks[] = {1, 2, 4};
  const int n = cantilever_levels > 4 ? 3 : 2; /* 40x4x4 with --slow (CG needs many iterations) */
  double full[3], sel[3], tip[3], tip_sel[3];
  cantilever_errors("hex8", 0.4999, "full", ks, n, full, tip);
  cantilever_errors("hex8", 0.4999, "mean-dilatation", ks, n, sel, tip_sel);
  for (int s = 0; s < n; s++) {
    assert_true(full[s] > 0.5);
    assert_true(tip_sel[s] > 2.5 * tip[s]);
  }
  assert_true(sel[1] < 0.1);
  if (n > 2) {
    assert_true(sel[2] < 0.05);
    assert_true(sel[2] < sel[1]);
  }
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "--slow") == 0) {
    cantilever_levels = 5;
    mms_slow = 1;
    const struct CMUnitTest slow[] = {
        cmocka_unit_test(test_cantilever_approaches_beam_theory),
        cmocka_unit_test(test_manufactured_solution_tet10_third_order),
        cmocka_unit_test(test_manufactured_solution_hex8_second_order),
        cmocka_unit_test(test_cantilever_tet10),
        cmocka_unit_test(test_cantilever_tet10_gmsh_mesh),
        cmocka_unit_test(test_cantilever_hex8),
        cmocka_unit_test(test_cantilever_nearly_incompressible),
    };
    return cmocka_run_group_tests(slow, NULL, NULL);
  }
  if (argc > 1 && strcmp(argv[1], "--new") == 0) { /* the tet10/hex8 tests alone (fast set) */
    const struct CMUnitTest t[] = {
        cmocka_unit_test(test_manufactured_solution_tet10_third_order),
        cmocka_unit_test(test_manufactured_solution_hex8_second_order),
        cmocka_unit_test(test_uniaxial_tet10),
        cmocka_unit_test(test_uniaxial_hex8),
        cmocka_unit_test(test_cantilever_tet10),
        cmocka_unit_test(test_cantilever_hex8),
        cmocka_unit_test(test_cantilever_nearly_incompressible),
    };
    return cmocka_run_group_tests(t, NULL, NULL);
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_manufactured_solution_second_order),
      cmocka_unit_test(test_manufactured_solution_tet10_third_order),
      cmocka_unit_test(test_manufactured_solution_hex8_second_order),
      cmocka_unit_test(test_cantilever_approaches_beam_theory),
      cmocka_unit_test(test_uniaxial_tet10),
      cmocka_unit_test(test_uniaxial_hex8),
      cmocka_unit_test(test_cantilever_tet10),
      cmocka_unit_test(test_cantilever_hex8),
      cmocka_unit_test(test_cantilever_nearly_incompressible),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
