/* Convergence under mesh refinement with the box generator:
 *  - a manufactured solution for linear elasticity shows second-order L2 convergence;
 *  - a cantilever's tip deflection approaches beam theory (Timoshenko) as h -> 0. */
#include <string.h>

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

static void mms_hook(mf_test_run *run, void *ctx) {
  (void)ctx;
  const mf_mesh *m = run->mesh;
  const mf_material *mat = &run->cs->problem.materials[0].mat;
  memset(run->pb->fext, 0, (size_t)run->pb->ndof * sizeof(double));
  for (mf_idx e = 0; e < m->n_elems; e++) {
    double X[4][3];
    const mf_idx *v = &m->conn[4 * e];
    for (int a = 0; a < 4; a++) mf_nodes_coords(&m->nodes, v[a], X[a]);
    double V = mf_tet4_volume(X);
    for (int q = 0; q < 4; q++) {
      double N[4], x[3], f[3];
      quad_point(X, q, N, x);
      mms_force(mat, x, f);
      for (int a = 0; a < 4; a++)
        for (int k = 0; k < 3; k++) run->pb->fext[3 * v[a] + k] += V / 4 * N[a] * f[k];
    }
  }
}

static double mms_l2_error(const mf_test_run *run) {
  const mf_mesh *m = run->mesh;
  const double *u = mf_solver_displacement(run->solver);
  double err2 = 0, ref2 = 0;
  for (mf_idx e = 0; e < m->n_elems; e++) {
    double X[4][3];
    const mf_idx *v = &m->conn[4 * e];
    for (int a = 0; a < 4; a++) mf_nodes_coords(&m->nodes, v[a], X[a]);
    double V = mf_tet4_volume(X);
    for (int q = 0; q < 4; q++) {
      double N[4], x[3], ue[3];
      quad_point(X, q, N, x);
      mms_exact(x, ue);
      for (int k = 0; k < 3; k++) {
        double uh = 0;
        for (int a = 0; a < 4; a++) uh += N[a] * u[3 * v[a] + k];
        err2 += V / 4 * (uh - ue[k]) * (uh - ue[k]);
        ref2 += V / 4 * ue[k] * ue[k];
      }
    }
  }
  return sqrt(err2 / ref2);
}

static void test_manufactured_solution_second_order(void **state) {
  (void)state;
  const int sizes[] = {4, 8, 16, 32};
  double err[4];
  for (int s = 0; s < 4; s++) {
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "mesh: box:1x1x1:%dx%dx%d\n"
             "materials: [{model: linear-elastic, E: 1000, nu: 0.3}]\n"
             "boundary:\n"
             "  - {group: xmin, ux: 0, uy: 0, uz: 0}\n  - {group: xmax, ux: 0, uy: 0, uz: 0}\n"
             "  - {group: ymin, ux: 0, uy: 0, uz: 0}\n  - {group: ymax, ux: 0, uy: 0, uz: 0}\n"
             "  - {group: zmin, ux: 0, uy: 0, uz: 0}\n  - {group: zmax, ux: 0, uy: 0, uz: 0}\n"
             "newton: {rtol: 1.0e-12, atol: 1.0e-14}\n"
             "linear: {rtol: 1.0e-12}\n",
             sizes[s], sizes[s], sizes[s]);
    mf_test_run run;
    mf_test_run_yaml(&run, yaml, 0, mms_hook, NULL);
    assert_int_equal(run.status, MF_OK);
    err[s] = mms_l2_error(&run);
    mf_test_run_free(&run);
    if (s == 0) print_message("MMS h=1/%-3d relative L2 error %.4e\n", sizes[s], err[s]);
    else print_message("MMS h=1/%-3d relative L2 error %.4e  rate %.3f\n", sizes[s], err[s], log2(err[s - 1] / err[s]));
  }
  /* The coarsest pair is pre-asymptotic; the rate must then approach 2. */
  assert_true(log2(err[0] / err[1]) > 1.6);
  assert_true(log2(err[1] / err[2]) > 1.85);
  assert_true(log2(err[2] / err[3]) > 1.93);
}

/* ---- cantilever: tip deflection against Timoshenko beam theory ----------------------- */

/* Linear tets lock in bending, so the error falls slowly at first and then at the
 * asymptotic O(h^2); the 3D clamp differs from beam theory by about 1%. */
static int cantilever_levels = 4; /* 5 with --slow: adds 160x16x16 (about 20 s on 2 cores) */

static void test_cantilever_approaches_beam_theory(void **state) {
  (void)state;
  const double E = 1000, nu = 0.3, L = 10, P = 0.01; /* 1x1 section: A = 1, I = 1/12 */
  const double G = E / (2 * (1 + nu)), kappa = 10 * (1 + nu) / (12 + 11 * nu);
  const double beam = P * L * L * L / (3 * E / 12.0) + P * L / (kappa * G);
  const int k_values[] = {1, 2, 4, 8, 16};
  double rel_err[5];
  for (int s = 0; s < cantilever_levels; s++) {
    int k = k_values[s];
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "mesh: box:10x1x1:%dx%dx%d\n"
             "materials: [{model: linear-elastic, E: %g, nu: %g}]\n"
             "boundary: [{group: xmin, ux: 0, uy: 0, uz: 0}]\n"
             "loads: [{group: xmax, traction: [0, 0, %g]}]\n"
             "newton: {rtol: 1.0e-12, atol: 1.0e-16}\n"
             "linear: {rtol: 1.0e-12, max_iter: 100000}\n",
             10 * k, k, k, E, nu, -P);
    mf_test_run run;
    mf_test_run_yaml(&run, yaml, 0, NULL, NULL);
    assert_int_equal(run.status, MF_OK);
    const double *u = mf_solver_displacement(run.solver);
    const mf_group *tip = mf_mesh_find_group(run.mesh, "xmax", 2);
    double uz = 0;
    for (mf_idx i = 0; i < tip->n_nodes; i++) uz += u[3 * tip->nodes[i] + 2];
    uz /= tip->n_nodes;
    rel_err[s] = fabs(-uz - beam) / beam;
    print_message("cantilever %3dx%dx%d: tip deflection %.6f, beam theory %.6f, relative error %.4f\n", 10 * k, k, k,
                  -uz, beam, rel_err[s]);
    mf_test_run_free(&run);
  }
  for (int s = 1; s < cantilever_levels; s++) assert_true(rel_err[s] < rel_err[s - 1]);
  assert_true(log2(rel_err[2] / rel_err[3]) > 1.5); /* the rate rises towards 2 */
  assert_true(rel_err[3] < 0.08);
  if (cantilever_levels > 4) assert_true(rel_err[4] < 0.03);
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "--slow") == 0) {
    cantilever_levels = 5;
    const struct CMUnitTest slow[] = {cmocka_unit_test(test_cantilever_approaches_beam_theory)};
    return cmocka_run_group_tests(slow, NULL, NULL);
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_manufactured_solution_second_order),
      cmocka_unit_test(test_cantilever_approaches_beam_theory),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
