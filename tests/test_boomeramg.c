/* hypre's BoomerAMG behind the preconditioner table (builds with MEMFEM_HYPRE=ON): the
 * shipped cases give block-Jacobi's answer to the solver tolerance. */
#include "mf_test_solve.h"

static void test_answers_agree_with_block_jacobi(void **state) {
  (void)state;
  assert_true(mf_test_pc_difference(MF_SOURCE_DIR "/configs/cube.yaml", NULL, 0, MF_PC_BOOMERAMG) <= 1e-6);
  assert_true(mf_test_pc_difference(MF_SOURCE_DIR "/configs/box_1m.yaml", "box:2x1x1:12x6x6", 0, MF_PC_BOOMERAMG) <= 1e-6);
  assert_true(mf_test_pc_difference(MF_SOURCE_DIR "/configs/plate_hole.yaml", NULL, 0, MF_PC_BOOMERAMG) <= 1e-6);
}

/* One aggressive level (linear.boomeramg.aggressive_levels: 1): a smaller hierarchy,
 * the same answer to the solver tolerance. */
static void test_aggressive_level_agrees(void **state) {
  (void)state;
  const char *runs[3][2] = {{"block-jacobi", "0"}, {"boomeramg", "0"}, {"boomeramg", "1"}};
  double *u[3];
  long long cg[3];
  mf_idx n = 0;
  for (int k = 0; k < 3; k++) {
    char yaml[512];
    snprintf(yaml, sizeof yaml,
             "mesh: box:2x1x1:12x6x6\n"
             "materials: [{model: neo-hookean, E: 1000, nu: 0.3}]\n"
             "boundary:\n  - {group: xmin, ux: 0, uy: 0, uz: 0}\n  - {group: xmax, uz: -0.2}\n"
             "steps: {count: 2}\n"
             "linear: {preconditioner: %s, rtol: 1e-10, boomeramg: {aggressive_levels: %s}}\n",
             runs[k][0], runs[k][1]);
    mf_test_run run;
    mf_test_run_yaml(&run, yaml, 2, NULL, NULL);
    assert_int_equal(run.status, MF_OK);
    n = run.mesh->nodes.n_local;
    cg[k] = run.res.cg_iterations;
    u[k] = malloc(3 * (size_t)n * sizeof *u[k]);
    memcpy(u[k], mf_solver_displacement(run.solver), 3 * (size_t)n * sizeof *u[k]);
    mf_test_run_free(&run);
  }
  double scale, d0 = mf_test_max_difference(u[1], u[0], n, &scale), d1 = mf_test_max_difference(u[2], u[0], n, &scale);
  print_message("aggressive levels 0 / 1: %lld / %lld CG iterations, max |u - u_block-jacobi| / max |u| = %.2e / %.2e\n",
                cg[1], cg[2], d0 / scale, d1 / scale);
  assert_true(scale > 0.0 && d0 <= 1e-7 * scale && d1 <= 1e-7 * scale);
  assert_true(cg[1] != cg[2]); /* the option reaches hypre: another hierarchy */
  for (int k = 0; k < 3; k++) free(u[k]);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_answers_agree_with_block_jacobi),
                                     cmocka_unit_test(test_aggressive_level_agrees)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
