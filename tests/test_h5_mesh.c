/* Unit tests for HDF5 meshes (io/mf_h5_mesh.c): a mesh survives the round trip
 * through .h5 exactly (every array, every group), and each way a file can be broken
 * gives an error naming the file and the problem, without leaking memory. Files are
 * written to a fresh directory under /tmp that the group teardown removes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <hdf5.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/mf_h5.h"
#include "io/mf_h5_mesh.h"
#include "mem/mf_alloc.h"
#include "mf_test_fixtures.h"
#include "mf_test_mesh.h"
#include "io/mf_mesh_load.h"
#include "mesh/mf_mesh.h"

static char tmpdir[] = "/tmp/memfem_test_h5_mesh.XXXXXX";

MF_TEST_TMPDIR_FIXTURES(tmpdir)

static mf_mesh *load_ok(const char *spec) {
  mf_mesh *m = NULL;
  mf_error_clear();
  mf_status st = mf_mesh_load(spec, &m);
  if (st) print_error("unexpected failure: %s\n", mf_error_message());
  assert_int_equal(st, MF_OK);
  return m;
}

static void assert_same_mesh(const mf_mesh *a, const mf_mesh *b) {
  mf_test_assert_same_mesh(a, b);
  assert_int_equal(a->n_unassigned_elems, b->n_unassigned_elems);
}

static void round_trip(const char *spec, const char *name) {
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/%s", tmpdir, name);
  int64_t live = mf_test_live_bytes();
  mf_mesh *a = load_ok(spec);
  assert_int_equal(mf_h5_mesh_save(a, path), MF_OK);
  mf_mesh *b = load_ok(path);
  assert_string_equal(b->source, path);
  assert_same_mesh(a, b);
  mf_mesh_destroy(&a);
  mf_mesh_destroy(&b);
  assert_int_equal(mf_test_live_bytes(), live);
}

static void test_round_trip_gmsh(void **state) {
  (void)state;
  round_trip(MF_SOURCE_DIR "/meshes/cube.msh", "cube.h5");
  round_trip(MF_SOURCE_DIR "/meshes/plate_hole.msh", "plate_hole.h5");
  round_trip(MF_TEST_DATA "/sparse_tags.msh", "sparse_tags.h5");
}

static void test_round_trip_box(void **state) {
  (void)state;
  round_trip("box:2x1x1:4x2x3", "box.h5");
}

/* ---- broken files ---------------------------------------------------------------- */

static void good_copy(const char *name, char path[PATH_MAX]) {
  snprintf(path, PATH_MAX, "%s/%s", tmpdir, name);
  mf_mesh *m = load_ok(MF_SOURCE_DIR "/meshes/cube.msh");
  assert_int_equal(mf_h5_mesh_save(m, path), MF_OK);
  mf_mesh_destroy(&m);
}

static void expect_failure(const char *path, const char *needle) {
  int64_t live = mf_test_live_bytes();
  static mf_mesh sentinel;
  mf_mesh *m = &sentinel;
  mf_error_clear();
  mf_status st = mf_mesh_load(path, &m);
  const char *msg = mf_error_message();
  print_message("  message: %s\n", msg);
  assert_int_not_equal(st, MF_OK);
  assert_null(m);
  assert_non_null(strstr(msg, path));
  assert_non_null(strstr(msg, needle));
  assert_int_equal(mf_test_live_bytes(), live);
}

static void truncate_to(const char *path, long keep) {
  assert_int_equal(truncate(path, keep), 0);
}

static void test_truncated(void **state) {
  (void)state;
  char path[PATH_MAX];
  good_copy("truncated.h5", path);
  FILE *f = fopen(path, "rb");
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fclose(f);
  truncate_to(path, size / 2);
  expect_failure(path, "truncated or corrupt");
}

static void test_not_hdf5(void **state) {
  (void)state;
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/text.h5", tmpdir);
  FILE *f = fopen(path, "w");
  fputs("$MeshFormat\n4.1 0 8\n$EndMeshFormat\n", f);
  fclose(f);
  expect_failure(path, "not a readable HDF5 file");
  snprintf(path, sizeof path, "%s/absent.h5", tmpdir);
  expect_failure(path, "cannot open");
}

/* Edit one dataset of a good file with the HDF5 API. */
static hid_t open_rw(const char *path) {
  mf_h5_init();
  hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  assert_true(f >= 0);
  return f;
}

static void test_connectivity_out_of_range(void **state) {
  (void)state;
  char path[PATH_MAX];
  good_copy("bad_conn.h5", path);
  hid_t f = open_rw(path);
  hid_t ds = H5Dopen2(f, "/mesh/connectivity", H5P_DEFAULT);
  hid_t space = H5Dget_space(ds);
  hsize_t start[2] = {3, 2}, count[2] = {1, 1};
  H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, count, NULL);
  hid_t mem = H5Screate_simple(2, count, NULL);
  int64_t bad = 1LL << 40; /* beyond int32 too: must not wrap to a valid node */
  assert_true(H5Dwrite(ds, H5T_NATIVE_INT64, mem, space, H5P_DEFAULT, &bad) >= 0);
  H5Sclose(mem);
  H5Sclose(space);
  H5Dclose(ds);
  H5Fclose(f);
  expect_failure(path, "dataset /mesh/connectivity holds a value beyond the range of the 32-bit integers");
}

static void test_missing_dataset(void **state) {
  (void)state;
  char path[PATH_MAX];
  good_copy("no_tags.h5", path);
  hid_t f = open_rw(path);
  assert_true(H5Ldelete(f, "/mesh/element_tags", H5P_DEFAULT) >= 0);
  H5Fclose(f);
  expect_failure(path, "dataset /mesh/element_tags is missing");
}

static void test_wrong_shape(void **state) {
  (void)state;
  char path[PATH_MAX];
  good_copy("short_region.h5", path);
  hid_t f = open_rw(path);
  assert_true(H5Ldelete(f, "/mesh/element_region", H5P_DEFAULT) >= 0);
  hid_t g = H5Gopen2(f, "/mesh", H5P_DEFAULT);
  int32_t r[3] = {0, 0, 0};
  assert_int_equal(mf_h5_write(g, "element_region", H5T_NATIVE_INT32, H5T_STD_I32LE, 3, 0, r, 0, path), MF_OK);
  H5Gclose(g);
  H5Fclose(f);
  expect_failure(path, "dataset /mesh/element_region is 3 x 1, expected");
}

/* Replace /mesh/node_tags by the good file's tags with entry i set to v (and, when
 * `as_unsigned`, stored as unsigned 64-bit integers, so that v may exceed INT64_MAX). */
static void set_node_tag(const char *path, size_t i, uint64_t v, int as_unsigned) {
  hid_t f = open_rw(path);
  hid_t g = H5Gopen2(f, "/mesh", H5P_DEFAULT);
  uint64_t rows, cols;
  assert_int_equal(mf_h5_shape(g, "node_tags", &rows, &cols, path), MF_OK);
  uint64_t *tags = malloc(rows * sizeof *tags);
  assert_non_null(tags);
  assert_int_equal(mf_h5_read(g, "node_tags", H5T_NATIVE_UINT64, rows, 0, tags, path), MF_OK);
  tags[i] = v;
  assert_true(H5Ldelete(g, "node_tags", H5P_DEFAULT) >= 0);
  hid_t mem = as_unsigned ? H5T_NATIVE_UINT64 : H5T_NATIVE_INT64; /* the same bits, read as the file type holds them */
  assert_int_equal(mf_h5_write(g, "node_tags", mem, as_unsigned ? H5T_STD_U64LE : H5T_STD_I64LE, rows, 0, tags, 0,
                               path),
                   MF_OK);
  free(tags);
  H5Gclose(g);
  H5Fclose(f);
}

/* Node tags as the .msh reader takes them: positive, unique, within int64. */
static void test_bad_node_tags(void **state) {
  (void)state;
  char path[PATH_MAX];
  good_copy("dup_tag.h5", path);
  set_node_tag(path, 7, 4, 0); /* cube.msh numbers its nodes 1..n: tag 4 is entry 3's */
  expect_failure(path, "node tag 4 appears twice in /mesh/node_tags (entries 3 and 7)");
  good_copy("negative_tag.h5", path);
  set_node_tag(path, 2, (uint64_t)-7, 0);
  expect_failure(path, "/mesh/node_tags entry 2 is -7; node tags are positive");
  good_copy("zero_tag.h5", path);
  set_node_tag(path, 0, 0, 0);
  expect_failure(path, "/mesh/node_tags entry 0 is 0");
  good_copy("huge_tag.h5", path);
  set_node_tag(path, 5, (1ULL << 63) + 5, 1); /* clipped to INT64_MAX by default */
  expect_failure(path, "dataset /mesh/node_tags holds a value beyond the range of the 64-bit integers");
}

static void test_not_a_mesh(void **state) {
  (void)state;
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/empty.h5", tmpdir);
  hid_t f;
  assert_int_equal(mf_h5_create(path, &f), MF_OK);
  H5Fclose(f);
  expect_failure(path, "group /mesh is missing");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_round_trip_gmsh),     cmocka_unit_test(test_round_trip_box),
      cmocka_unit_test(test_truncated),           cmocka_unit_test(test_not_hdf5),
      cmocka_unit_test(test_connectivity_out_of_range), cmocka_unit_test(test_missing_dataset),
      cmocka_unit_test(test_wrong_shape),         cmocka_unit_test(test_not_a_mesh),
      cmocka_unit_test(test_bad_node_tags),
  };
  return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
