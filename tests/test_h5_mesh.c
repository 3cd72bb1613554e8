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
#include "fem/mf_blocks.h"
#include "fem/mf_cuts.h"
#include "io/mf_mesh_load.h"
#include "mesh/mf_mesh.h"
#include "mesh/mf_partition.h"

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

/* ---- stored cuts (memfem convert --order) ------------------------------------------ */

static const int cut_parts[] = {2, 3, 5};

/* box:1x1x1:12x12x12 (10368 tets: 2 assembly blocks) renumbered and cut as
 * `memfem convert --order rcm --parts 2,3,5` does, saved to `name`. */
static mf_mesh *cut_mesh(const char *name, char path[PATH_MAX]) {
  snprintf(path, PATH_MAX, "%s/%s", tmpdir, name);
  mf_mesh *m = load_ok("box:1x1x1:12x12x12");
  assert_int_equal(mf_cuts_make(m, MF_REORDER_RCM, 3, cut_parts), MF_OK);
  assert_null(m->node_new2old); /* the renumbered order is the mesh's own */
  assert_int_equal(m->cuts->n_blocks, 2);
  assert_int_equal(mf_h5_mesh_save(m, path), MF_OK);
  return m;
}

/* The file holds the renumbered mesh, its source order's node numbers and its cuts; each
 * cut equals the one a run makes from the loaded mesh, and the run's partition and
 * blocks take the stored ones. */
static void test_cuts_round_trip(void **state) {
  (void)state;
  char path[PATH_MAX];
  int64_t live = mf_test_live_bytes();
  mf_mesh *a = cut_mesh("cuts.h5", path);
  mf_mesh *b = load_ok(path);
  assert_same_mesh(a, b);
  assert_non_null(b->cuts);
  assert_int_equal(b->cuts->order, MF_REORDER_RCM);
  assert_memory_equal(b->nodes.global_id, a->nodes.global_id, (size_t)a->nodes.n_local * sizeof(mf_gidx));
  int moved = 0;
  for (mf_idx i = 0; i < b->nodes.n_local; i++) moved |= b->nodes.global_id[i] != i;
  assert_true(moved); /* rcm moved nodes: the ids are the source order's, not the file's */
  assert_int_equal(b->cuts->n_blocks, 2);
  assert_int_equal(b->cuts->n_part_cuts, 3);
  const size_t ne = (size_t)b->n_elems;
  int32_t *fresh = malloc((ne + 1) * sizeof *fresh);
  assert_non_null(fresh);
  assert_memory_equal(b->cuts->elem_block, a->cuts->elem_block, ne * sizeof *fresh);
  assert_int_equal(mf_mesh_partition_dual(b, 2, "blocks", fresh), MF_OK);
  assert_memory_equal(fresh, b->cuts->elem_block, ne * sizeof *fresh);
  for (int k = 0; k < 3; k++) {
    assert_int_equal(b->cuts->parts[k], cut_parts[k]);
    assert_memory_equal(b->cuts->elem_part[k], a->cuts->elem_part[k], ne * sizeof *fresh);
    assert_int_equal(mf_mesh_partition_dual(b, cut_parts[k], "parts", fresh), MF_OK);
    assert_memory_equal(fresh, b->cuts->elem_part[k], ne * sizeof *fresh);
  }
  /* a run's cuts: the stored ones (a poisoned copy shows which was taken) */
  b->cuts->elem_part[1][0] = (b->cuts->elem_part[1][0] + 1) % 3;
  b->cuts->elem_block[0] = 1 - b->cuts->elem_block[0];
  mf_partition *P = NULL;
  assert_int_equal(mf_partition_create(b, 3, NULL, &P), MF_OK);
  assert_memory_equal(P->elem_part, b->cuts->elem_part[1], ne * sizeof *fresh);
  mf_partition_destroy(&P);
  assert_int_equal(mf_blocking_cut(b, 2, fresh), MF_OK);
  assert_memory_equal(fresh, b->cuts->elem_block, ne * sizeof *fresh);
  assert_null(mf_mesh_stored_parts(b, 4));
  assert_int_equal(mf_blocking_cut(b, 3, fresh), MF_OK); /* another count: METIS's */
  /* renumbering drops them: they hold for the file's order only */
  assert_int_equal(mf_mesh_reorder(b, MF_REORDER_METIS), MF_OK);
  assert_null(b->cuts);
  free(fresh);
  mf_mesh_destroy(&a);
  mf_mesh_destroy(&b);
  assert_int_equal(mf_test_live_bytes(), live);
}

/* mf_cuts_make refuses a cut that cannot be a run's. */
static void test_cuts_refused(void **state) {
  (void)state;
  mf_mesh *m = load_ok("box:1x1x1:2x2x2"); /* 48 tets */
  const int descending[] = {4, 2}, too_many[] = {2, 49};
  assert_int_not_equal(mf_cuts_make(m, MF_REORDER_RCM, 2, descending), MF_OK);
  assert_non_null(strstr(mf_error_message(), "the counts must ascend"));
  mf_mesh_destroy(&m);
  m = load_ok("box:1x1x1:2x2x2");
  assert_int_not_equal(mf_cuts_make(m, MF_REORDER_NONE, 2, too_many), MF_OK);
  assert_non_null(strstr(mf_error_message(), "at most the 48 elements"));
  mf_mesh_destroy(&m);
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

/* Rewrite /mesh/cuts/<name> (int32 or int64 [n]) of a file from cut_mesh with entry i set to v. */
static void set_cut_entry(const char *path, const char *name, size_t i, int64_t v) {
  hid_t f = open_rw(path);
  hid_t g = H5Gopen2(f, "/mesh/cuts", H5P_DEFAULT);
  uint64_t rows, cols;
  assert_int_equal(mf_h5_shape(g, name, &rows, &cols, path), MF_OK);
  int64_t *a = malloc(rows * sizeof *a);
  assert_non_null(a);
  assert_int_equal(mf_h5_read(g, name, H5T_NATIVE_INT64, rows, 0, a, path), MF_OK);
  a[i] = v;
  hid_t ds = H5Dopen2(g, name, H5P_DEFAULT);
  assert_true(H5Dwrite(ds, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, a) >= 0);
  H5Dclose(ds);
  free(a);
  H5Gclose(g);
  H5Fclose(f);
}

static void save_cut(const char *name, char path[PATH_MAX]) {
  mf_mesh *m = cut_mesh(name, path);
  mf_mesh_destroy(&m);
}

/* A cut from a broken file is refused with its dataset named, never used. */
static void test_bad_cuts(void **state) {
  (void)state;
  char path[PATH_MAX];
  save_cut("bad_block.h5", path);
  set_cut_entry(path, "blocks", 17, 2);
  expect_failure(path, "/mesh/cuts/blocks entry 17 is 2, outside [0, 2)");
  save_cut("bad_part.h5", path);
  set_cut_entry(path, "parts_2", 0, -1);
  expect_failure(path, "/mesh/cuts/parts_2 entry 0 is -1, outside [0, 5)");
  save_cut("bad_ids.h5", path);
  set_cut_entry(path, "node_ids", 9, 0);
  expect_failure(path, "not a permutation");
  save_cut("no_part.h5", path);
  hid_t f = open_rw(path);
  assert_true(H5Ldelete(f, "/mesh/cuts/parts_1", H5P_DEFAULT) >= 0);
  H5Fclose(f);
  expect_failure(path, "/mesh/cuts/parts_1 is missing (part_cuts is 3)");
  save_cut("bad_order.h5", path);
  f = open_rw(path);
  hid_t g = H5Gopen2(f, "/mesh/cuts", H5P_DEFAULT);
  assert_true(H5Adelete(g, "order") >= 0);
  assert_int_equal(mf_h5_attr_write_str(g, "order", "hilbert", path), MF_OK);
  H5Gclose(g);
  H5Fclose(f);
  expect_failure(path, "/mesh/cuts has order 'hilbert'");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_round_trip_gmsh),     cmocka_unit_test(test_round_trip_box),
      cmocka_unit_test(test_truncated),           cmocka_unit_test(test_not_hdf5),
      cmocka_unit_test(test_connectivity_out_of_range), cmocka_unit_test(test_missing_dataset),
      cmocka_unit_test(test_wrong_shape),         cmocka_unit_test(test_not_a_mesh),
      cmocka_unit_test(test_bad_node_tags),       cmocka_unit_test(test_cuts_round_trip),
      cmocka_unit_test(test_cuts_refused),        cmocka_unit_test(test_bad_cuts),
  };
  return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
