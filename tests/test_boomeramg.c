/* hypre's BoomerAMG behind the preconditioner table (builds with MEMFEM_HYPRE=ON): the
 * shipped cases give block-Jacobi's answer to the solver tolerance. */
#include "mf_test_solve.h"

static void test_answers_agree_with_block_jacobi(void **state) {
  (void)state;
  assert_true(mf_test_pc_difference(MF_SOURCE_DIR "/configs/cube.yaml", NULL, 0, MF_PC_BOOMERAMG) <= 1e-6);
  assert_true(mf_test_pc_difference(MF_SOURCE_DIR "/configs/box_1m.yaml", "box:2x1x1:12x6x6", 0, MF_PC_BOOMERAMG) <= 1e-6);
  assert_true(mf_test_pc_difference(MF_SOURCE_DIR "/configs/plate_hole.yaml", NULL, 0, MF_PC_BOOMERAMG) <= 1e-6);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_answers_agree_with_block_jacobi)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
