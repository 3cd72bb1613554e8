/* Unit tests for a process's own part read from a mesh file (io/mf_h5_part.c).
 *
 * A mesh is converted as `memfem convert --order rcm --parts 2,3,4` converts it, saved,
 * and loaded whole as rank 0 loads it. For every part of every cut and both assembly
 * methods, the part read from the file alone must be the part rank 0 makes from the
 * whole mesh (mf_part_create, mf_part_mesh, mf_assembly_create_part), compared as the
 * packed streams rank 0 would send (tests/test_partition.c checks that a stream holds
 * every field), and its problem the one made on that part mesh. Then a file converted
 * without the parts' views is not offered for reading, and a damaged view is refused
 * with the dataset named. Files go to a fresh directory under /tmp. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <hdf5.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fem/mf_cuts.h"
#include "io/mf_checkpoint.h"
#include "io/mf_h5.h"
#include "io/mf_h5_mesh.h"
#include "io/mf_h5_part.h"
#include "io/mf_mesh_load.h"
#include "mem/mf_alloc.h"
#include "mesh/mf_mesh_pack.h"
#include "mf_test_fixtures.h"
#include "mf_test_mesh.h"

static char tmpdir[] = "/tmp/memfem_test_h5_part.XXXXXX";

MF_TEST_TMPDIR_FIXTURES(tmpdir)

static const int cut_parts[] = {2, 3, 4};

/* Fixed on one boundary group, pulled on another: the boxes' xmin and xmax (the Gmsh
 * plate's left and right are set for it). */
static mf_material_assignment mat = {.region = ""};
static mf_dirichlet_set fix = {.group = "xmin", .fixed = {1, 1, 1}};
static mf_load pull = {.kind = MF_LOAD_TRACTION, .group = "xmax", .vec = {1.0, 0.5, 0.0}};
static const mf_problem_desc desc = {.origin = "test", .n_materials = 1, .materials = &mat, .n_dirichlet = 1,
                                     .dirichlet = &fix, .n_loads = 1, .loads = &pull};

static void fix_and_pull(const char *fixed, const char *pulled) {
  snprintf(fix.group, sizeof fix.group, "%s", fixed);
  snprintf(pull.group, sizeof pull.group, "%s", pulled);
}

/* `spec` converted and saved to tmpdir/name; the file's path in path. */
static void convert(const char *spec, const char *name, char path[PATH_MAX]) {
  snprintf(path, PATH_MAX, "%s/%s", tmpdir, name);
  mf_mesh *m = NULL;
  assert_int_equal(mf_mesh_load(spec, &m), MF_OK);
  assert_int_equal(mf_cuts_make(m, MF_REORDER_RCM, 3, cut_parts), MF_OK);
  assert_int_equal(mf_h5_mesh_save(m, path), MF_OK);
  mf_mesh_destroy(&m);
}

/* A packed stream of `call`, which packs into p (sized, then filled). */
#define PACKED(p, call)                                                     \
  do {                                                                      \
    (p) = (mf_pack){0};                                                     \
    assert_int_equal((call), MF_OK);                                        \
    assert_int_equal(MF_ALLOC_N((p).w, (p).n + 1, "test stream"), MF_OK);   \
    (p).cap = (p).n + 1;                                                    \
    (p).n = 0;                                                              \
    assert_int_equal((call), MF_OK);                                        \
  } while (0)

#define ASSERT_SAME_STREAM(a_call, b_call)                    \
  do {                                                        \
    mf_pack a, b;                                             \
    PACKED(a, a_call);                                        \
    PACKED(b, b_call);                                        \
    assert_int_equal(a.n, b.n);                               \
    assert_memory_equal(a.w, b.w, a.n * sizeof *a.w);         \
    mf_free(&a.w);                                            \
    mf_free(&b.w);                                            \
  } while (0)

/* Every part of every cut of the file at `path`, read alone, against rank 0's. */
static void check_parts(const char *path) {
  mf_mesh *W = NULL;
  mf_problem *Wpb = NULL;
  assert_int_equal(mf_mesh_load(path, &W), MF_OK);
  mf_error_clear();
  if (mf_problem_create(&desc, W, &Wpb)) print_error("%s: %s\n", path, mf_error_message());
  assert_non_null(Wpb);
  for (int method = 0; method < 2; method++) {
    mf_assembly *whole = NULL;
    assert_int_equal(mf_assembly_create(W, Wpb->shape, Wpb->region_mat, (mf_assembly_method)method, &whole), MF_OK);
    for (int k = 0; k < 3; k++) {
      const int R = cut_parts[k];
      assert_true(mf_h5_part_available(W, R, (mf_assembly_method)method));
      mf_partition *P = NULL;
      assert_int_equal(mf_partition_create(W, R, NULL, &P), MF_OK);
      for (int q = 0; q < R; q++) {
        mf_part_setup ref = {0}, got = {0};
        mf_error_clear();
        const mf_status st = mf_h5_part_read(path, R, q, &desc, (mf_assembly_method)method, &got);
        if (st) print_error("%s\n", mf_error_message());
        assert_int_equal(st, MF_OK);
        assert_int_equal(mf_part_create(P, q, &ref.part), MF_OK);
        assert_int_equal(mf_part_mesh(P, ref.part, &ref.mesh), MF_OK);
        assert_int_equal(mf_assembly_create_part(ref.mesh, whole, ref.part->elems, &ref.asmb), MF_OK);
        assert_int_equal(mf_problem_create_part(&desc, ref.mesh, &ref.pb), MF_OK);
        ASSERT_SAME_STREAM(mf_part_pack(ref.part, &a), mf_part_pack(got.part, &b));
        ASSERT_SAME_STREAM(mf_mesh_pack(ref.mesh, &a), mf_mesh_pack(got.mesh, &b));
        ASSERT_SAME_STREAM(mf_assembly_pack(ref.asmb, &a), mf_assembly_pack(got.asmb, &b));
        const size_t nd = (size_t)ref.pb->ndof;
        assert_int_equal(got.pb->ndof, ref.pb->ndof);
        assert_memory_equal(got.pb->bc_mask, ref.pb->bc_mask, nd * sizeof *ref.pb->bc_mask);
        assert_memory_equal(got.pb->bc_value, ref.pb->bc_value, nd * sizeof *ref.pb->bc_value);
        assert_memory_equal(got.pb->fext, ref.pb->fext, nd * sizeof *ref.pb->fext);
        mf_part_setup_free(&ref);
        mf_part_setup_free(&got);
      }
      mf_partition_destroy(&P);
    }
    mf_assembly_destroy(&whole);
  }
  mf_problem_destroy(&Wpb);
  mf_mesh_destroy(&W);
}

static void test_parts_read_alone(void **state) {
  (void)state;
  assert_int_equal(mf_material_from_E_nu(MF_MAT_LINEAR_ELASTIC, 100.0, 0.3, &mat.mat), MF_OK);
  int64_t live = mf_test_live_bytes();
  const char *specs[] = {"box:2x1x1:8x4x4", "box:2x1x1:6x3x3:hex8", "box:1x1x1:3x3x2:tet10",
                         MF_SOURCE_DIR "/meshes/plate_hole.msh"};
  for (size_t i = 0; i < sizeof specs / sizeof *specs; i++) {
    char path[PATH_MAX], name[32];
    snprintf(name, sizeof name, "parts%zu.h5", i);
    convert(specs[i], name, path);
    if (strstr(specs[i], "plate_hole")) fix_and_pull("left", "right");
    check_parts(path);
    fix_and_pull("xmin", "xmax");
  }
  assert_int_equal(mf_test_live_bytes(), live);
}

/* Overwrite entry `row` of the 1-D int32 dataset /mesh/cuts/<name> with v. */
static void poke(const char *path, const char *name, hsize_t row, int32_t v) {
  hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  assert_true(f >= 0);
  char full[64];
  snprintf(full, sizeof full, "/mesh/cuts/%s", name);
  hid_t d = H5Dopen2(f, full, H5P_DEFAULT);
  hid_t fs = H5Dget_space(d), ms = H5Screate_simple(1, (hsize_t[]){1}, NULL);
  assert_true(H5Sselect_hyperslab(fs, H5S_SELECT_SET, &row, NULL, (hsize_t[]){1}, NULL) >= 0);
  assert_true(H5Dwrite(d, H5T_NATIVE_INT32, ms, fs, H5P_DEFAULT, &v) >= 0);
  H5Sclose(ms);
  H5Sclose(fs);
  H5Dclose(d);
  H5Fclose(f);
}

static void expect_refused(const char *path, int R, const char *needle) {
  mf_part_setup got = {0};
  mf_error_clear();
  assert_int_not_equal(mf_h5_part_read(path, R, 1, &desc, MF_ASSEMBLY_BLOCKS, &got), MF_OK);
  if (!strstr(mf_error_message(), needle)) print_error("message: %s\n", mf_error_message());
  assert_non_null(strstr(mf_error_message(), needle));
  assert_null(got.part);
  mf_error_clear();
}

static void test_damaged_views_refused(void **state) {
  (void)state;
  int64_t live = mf_test_live_bytes();
  char path[PATH_MAX];
  convert("box:2x1x1:8x4x4", "damaged.h5", path);
  expect_refused(path, 5, "no cut into 5 parts");
  poke(path, "parts_0_local", 3, 0); /* part 0's list no longer ascends */
  mf_part_setup got = {0};
  assert_int_not_equal(mf_h5_part_read(path, 2, 0, &desc, MF_ASSEMBLY_BLOCKS, &got), MF_OK);
  assert_non_null(strstr(mf_error_message(), "part 0's element 3 is 0"));
  assert_int_equal(mf_h5_part_read(path, 2, 1, &desc, MF_ASSEMBLY_BLOCKS, &got), MF_OK); /* part 1's holds */
  mf_part_setup_free(&got);
  convert("box:2x1x1:8x4x4", "damaged.h5", path);
  poke(path, "parts_0_local", 0, 1 << 20); /* an element beyond the mesh... */
  mf_error_clear();
  assert_int_not_equal(mf_h5_part_read(path, 2, 0, &desc, MF_ASSEMBLY_BLOCKS, &got), MF_OK);
  assert_non_null(strstr(mf_error_message(), "/mesh/cuts/parts_0_local"));
  convert("box:2x1x1:8x4x4", "damaged.h5", path);
  poke(path, "parts_0_owner", 7, 2); /* ...a node owned by a part of none */
  expect_refused(path, 2, "/mesh/cuts/parts_0_owner");
  convert("box:2x1x1:8x4x4", "damaged.h5", path);
  poke(path, "assembly_keys_blocks", 0, -1); /* a key outside the plan */
  expect_refused(path, 2, "/mesh/cuts/assembly_keys_blocks");
  assert_int_equal(mf_test_live_bytes(), live);
}

/* A file converted before the views existed (or by a memfem that left them out) is not
 * offered for reading by parts: its runs take the parts from rank 0. */
static void test_no_views_no_offer(void **state) {
  (void)state;
  char path[PATH_MAX];
  convert("box:2x1x1:8x4x4", "old.h5", path);
  hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  assert_true(f >= 0);
  assert_true(H5Ldelete(f, "/mesh/cuts/parts_1_local", H5P_DEFAULT) >= 0);
  H5Fclose(f);
  mf_mesh *W = NULL;
  assert_int_equal(mf_mesh_load(path, &W), MF_OK);
  assert_false(mf_h5_part_available(W, 2, MF_ASSEMBLY_BLOCKS));
  assert_false(mf_h5_part_available(W, 3, MF_ASSEMBLY_COLOUR));
  assert_non_null(mf_mesh_stored_parts(W, 3)); /* the cuts themselves still hold */
  mf_mesh_destroy(&W);
}

/* What rank 0 reads when every process reads its part: the outline holds what the whole
 * mesh's outline holds, fingerprints the run alike (the arrays hashed from the file),
 * and is copied into results.h5 as the whole mesh is written there. */
static void test_outline_stands_for_the_mesh(void **state) {
  (void)state;
  int64_t live = mf_test_live_bytes();
  const char *specs[] = {"box:2x1x1:8x4x4:tet10", MF_SOURCE_DIR "/meshes/plate_hole.msh"};
  for (size_t i = 0; i < sizeof specs / sizeof *specs; i++) {
    char path[PATH_MAX], copy[PATH_MAX], written[PATH_MAX];
    convert(specs[i], "outline.h5", path);
    mf_mesh *W = NULL, *O = NULL;
    assert_int_equal(mf_mesh_load(path, &W), MF_OK);
    assert_int_equal(mf_h5_mesh_read_outline(path, &O), MF_OK);
    assert_null(O->conn);
    ASSERT_SAME_STREAM(mf_mesh_pack_outline(W, &a), mf_mesh_pack_outline(O, &b));
    assert_int_equal(O->n_unassigned_elems, W->n_unassigned_elems);
    assert_true(mf_h5_part_available(O, 3, MF_ASSEMBLY_BLOCKS));
    assert_false(mf_h5_part_available(O, 5, MF_ASSEMBLY_BLOCKS));
    mf_checkpoint_id a, b;
    assert_int_equal(mf_checkpoint_id_make(path, W, 3, 0, &a), MF_OK);
    assert_int_equal(mf_checkpoint_id_make(path, O, 3, 0, &b), MF_OK);
    assert_memory_equal(&a, &b, sizeof a);
    snprintf(copy, sizeof copy, "%s/copied.h5", tmpdir);
    snprintf(written, sizeof written, "%s/written.h5", tmpdir);
    for (int k = 0; k < 2; k++) {
      hid_t f;
      assert_int_equal(mf_h5_create(k ? copy : written, &f), MF_OK);
      assert_int_equal(k ? mf_h5_mesh_copy(f, path, O, 4, copy) : mf_h5_mesh_write(f, W, 4, written), MF_OK);
      H5Fclose(f);
    }
    mf_mesh *A = NULL, *B = NULL;
    assert_int_equal(mf_mesh_load(written, &A), MF_OK);
    assert_int_equal(mf_mesh_load(copy, &B), MF_OK);
    mf_test_assert_same_mesh(A, B);
    assert_string_equal(A->source, written);
    mf_mesh_destroy(&A);
    mf_mesh_destroy(&B);
    mf_mesh_destroy(&W);
    mf_mesh_destroy(&O);
  }
  assert_int_equal(mf_test_live_bytes(), live);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parts_read_alone),
      cmocka_unit_test(test_damaged_views_refused),
      cmocka_unit_test(test_no_views_no_offer),
      cmocka_unit_test(test_outline_stands_for_the_mesh),
  };
  return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
