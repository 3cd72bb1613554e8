/* Regression on the shipped cases:
 *  - configs/cube.yaml (unstructured Gmsh cube, decoupled neo-Hookean): the reaction
 *    follows the closed-form uniaxial curve at every step, and the displacement checksum
 *    is the same at 1 and 2 threads, with exact and with chunked reductions;
 *  - configs/cantilever.yaml (the default case): the tip displacement and the clamp
 *    reaction match stored answers. */
#include <string.h>

#include "io/mf_checksum.h"
#include "mf_test_solve.h"

#define CASE(name) MF_SOURCE_DIR "/configs/" name

static double lateral_stretch(const mf_material *m, double lam) {
  double t = 1.0;
  for (int it = 0; it < 100; it++) {
    double F[9] = {lam, 0, 0, 0, t, 0, 0, 0, t}, S[6], D[36], Sp[6], h = 1e-7;
    double Fp[9] = {lam, 0, 0, 0, t + h, 0, 0, 0, t + h};
    assert_int_equal(mf_material_eval(m, F, S, D), 0);
    assert_int_equal(mf_material_eval(m, Fp, Sp, D), 0);
    double dt = -S[1] / ((Sp[1] - S[1]) / h);
    t += dt;
    if (fabs(dt) < 1e-15) break;
  }
  return t;
}

static void set_reproducible(mf_test_run *run, void *ctx) { run->cs->solver.linear.reproducible = *(int *)ctx; }

static void cube_case(int reproducible) {
  uint64_t sums[2];
  for (int threads = 1; threads <= 2; threads++) {
    mf_test_run run;
    mf_test_run_case(&run, CASE("cube.yaml"), threads, set_reproducible, &reproducible);
    assert_int_equal(run.status, MF_OK);
    const mf_material *mat = &run.cs->problem.materials[0].mat;
    for (int s = 0; s < run.res.n_steps; s++) {
      double lam = 1.0 + 0.5 * run.res.steps[s].load_factor, t = lateral_stretch(mat, lam);
      double F[9] = {lam, 0, 0, 0, t, 0, 0, 0, t}, S[6], D[36];
      assert_int_equal(mf_material_eval(mat, F, S, D), 0);
      /* The case's default tolerances (rtol 1e-8) bound the reaction's error. */
      assert_rel_near(run.res.steps[s].reactions[3][0], lam * S[0], 1e-6);
    }
    assert_int_equal(mf_displacement_checksum(&run.mesh->nodes, mf_solver_displacement(run.solver), &sums[threads - 1]),
                     MF_OK);
    mf_test_run_free(&run);
  }
  print_message("cube checksum %016llx at 1 and 2 threads (%s reductions)\n", (unsigned long long)sums[0],
                reproducible ? "exact" : "chunked");
  assert_true(sums[0] == sums[1]);
  omp_set_num_threads(2);
}

static void test_cube_case_matches_closed_form_at_any_thread_count(void **state) {
  (void)state;
  cube_case(1);
  cube_case(0);
}

/* Answers stored from the summary.json of memfem 0.1.0 on this case; the tolerance is
 * two orders above the solver tolerances (rtol 1e-8), far below any physics change. */
static void test_default_cantilever_against_stored_answer(void **state) {
  (void)state;
  mf_test_run run;
  mf_test_run_case(&run, CASE("cantilever.yaml"), 0, NULL, NULL);
  assert_int_equal(run.status, MF_OK);
  assert_int_equal(run.res.n_steps, 10);
  const mf_step_record *last = &run.res.steps[9];
  print_message("tip ux %.15g, clamp reaction z %.15g\n", last->probe_u[0][0], last->reactions[0][2]);
  assert_near(last->probe_u[0][2], -3.0, 1e-12); /* prescribed */
  assert_rel_near(last->probe_u[0][0], -0.52452764195195944, 1e-6);
  assert_rel_near(last->reactions[0][2], 295.80168889320441, 1e-6);
  /* Equilibrium: the clamp and the tip constraint carry equal and opposite forces. */
  assert_rel_near(-last->reactions[1][2], last->reactions[0][2], 1e-6);
  mf_test_run_free(&run);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cube_case_matches_closed_form_at_any_thread_count),
      cmocka_unit_test(test_default_cantilever_against_stored_answer),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
