/* Unit tests for the limits of a run (core/mf_limits.c, issue 15): thread counts
 * against the cores, step counts against what the loop can attempt, mesh sizes
 * against memory (with a lowered figure, so the test does not depend on the machine)
 * and box specs whose cell products overflow 64-bit integers, all refused with a
 * message before anything is allocated. */
#include "mf_test.h"

#include <string.h>

#include "core/mf_limits.h"
#include "mem/mf_alloc.h"
#include "mf_test_fixtures.h"
#include "mesh/mf_mesh.h"

static void expect_message(mf_status st, const char *needle) {
  const char *msg = mf_error_message();
  print_message("  message: %s\n", msg);
  assert_int_equal(st, MF_ERR_INPUT);
  if (!strstr(msg, needle)) fail_msg("message lacks '%s'", needle);
  mf_error_clear();
}

static void test_threads(void **state) {
  (void)state;
  int max = mf_limits_max_threads();
  assert_true(max >= MF_THREADS_FLOOR);
  assert_int_equal(mf_limits_check_threads(1, "--threads"), MF_OK);
  assert_int_equal(mf_limits_check_threads(max, "--threads"), MF_OK);
  expect_message(mf_limits_check_threads((long)max + 1, "--threads"), "--threads asks for");
  expect_message(mf_limits_check_threads(0, "OMP_NUM_THREADS"), "OMP_NUM_THREADS asks for 0 threads");
  expect_message(mf_limits_check_threads(100000, "--threads"), "this machine allows 1 to");
}

static void test_steps(void **state) {
  (void)state;
  assert_int_equal(mf_limits_check_steps(1, 0), MF_OK);
  assert_int_equal(mf_limits_check_steps(MF_MAX_STEP_ATTEMPTS - 10, 10), MF_OK);
  expect_message(mf_limits_check_steps(MF_MAX_STEP_ATTEMPTS, 1), "at most 100000 step attempts");
  expect_message(mf_limits_check_steps(2147483647L, 0), "2147483647 load steps");
  expect_message(mf_limits_check_steps(0, 0), "0 load steps");
}

/* Specs whose cell products overflow: refused by the index range before any integer
 * product is formed (UBSan in the sanitizer build checks the "before"). */
static void test_box_overflow(void **state) {
  (void)state;
  const char *specs[] = {"box:1x1x1:4000000000x4000000000x4000000000", "box:1x1x1:9223372036854775807x1x1",
                         "box:1x1x1:3037000500x3037000500x1", "box:1x1x1:2147483647x2x1"};
  for (size_t i = 0; i < sizeof specs / sizeof *specs; i++) {
    int64_t live = mf_test_live_bytes();
    mf_mesh *m = NULL;
    expect_message(mf_mesh_generate(specs[i], &m), "exceed memfem's 32-bit local index range");
    assert_null(m);
    assert_int_equal(mf_test_live_bytes(), live);
  }
}

/* A mesh that fits the index range but not the memory: the estimate is in the message. */
static void test_mesh_memory(void **state) {
  (void)state;
  mf_limits_set_memory_bytes(1073741824.0); /* as if the machine had 1 GiB */
  mf_mesh *m = NULL;
  expect_message(mf_mesh_generate("box:1x1x1:300x300x300", &m), "would need about 6.5 GiB, more than the 1.0 GiB");
  assert_null(m);
  expect_message(mf_mesh_check_size(MF_ELEM_TET4, 1e8, 1e8, 0, "some.h5"), "more than the 1.0 GiB of memory this machine has");
  assert_int_equal(mf_mesh_generate("box:1x1x1:4x4x4", &m), MF_OK); /* small ones still load */
  mf_mesh_destroy(&m);
  mf_limits_set_memory_bytes(0);
  assert_true(mf_limits_memory_bytes() > 1073741824.0 / 8);
}

/* The smallest load step still moves every load factor in [0, 1] by many ulps. */
static void test_min_load_step(void **state) {
  (void)state;
  assert_true(1.0 + MF_MIN_LOAD_STEP > 1.0 + 1000 * DBL_EPSILON);
  assert_true(MF_MIN_LOAD_STEP < 1.0 / MF_MAX_STEP_ATTEMPTS / 1000);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_threads),     cmocka_unit_test(test_steps),        cmocka_unit_test(test_box_overflow),
      cmocka_unit_test(test_mesh_memory), cmocka_unit_test(test_min_load_step),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
