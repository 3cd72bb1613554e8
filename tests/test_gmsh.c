/* Unit tests for the Gmsh reader (mesh/mf_gmsh.c).
 *
 * The same cube through the four writers (4.1/2.2, ASCII/binary) must load to identical
 * stores; handcrafted files check tag mapping, groups, skipped entities and sections;
 * every bad file is its own named test (BAD_FILES below) that wants the documented
 * status, a message naming the file and saying what is wrong, and no allocation left
 * behind. Cut and corrupted copies of valid files must fail cleanly, never crash (run
 * under valgrind or a sanitizer to check the "cleanly"). The committed meshes/ files
 * must load with their groups and positive volumes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fem/mf_mesh_check.h"
#include "fem/mf_shape.h"
#include "fem/mf_tet4.h"
#include "mem/mf_alloc.h"
#include "io/mf_mesh_load.h"
#include "mesh/mf_mesh.h"
#include "mf_test_fixtures.h"
#include "mf_test.h"

#define DATA(name)   MF_TEST_DATA "/" name
#define MESHES(name) MF_SOURCE_DIR "/meshes/" name

/* ---- helpers ------------------------------------------------------------------- */

static mf_mesh *load_ok(const char *path) {
  mf_mesh *m = NULL;
  mf_error_clear();
  mf_status st = mf_mesh_read_gmsh(path, &m);
  if (st != MF_OK) print_error("unexpected failure: %s\n", mf_error_message());
  assert_int_equal(st, MF_OK);
  assert_non_null(m);
  assert_string_equal(m->source, path);
  return m;
}

/* Reading `path` must fail with `code`, a message containing the file's base name and
 * `needle`, no mesh, and no allocation left behind. */
static void expect_failure(const char *path, mf_status code, const char *needle) {
  int64_t live_before = mf_test_live_bytes();
  mf_mesh *m = (mf_mesh *)&m; /* the reader must reset it to NULL */
  mf_error_clear();
  mf_status st = mf_mesh_read_gmsh(path, &m);
  const char *msg = mf_error_message();
  print_message("  message: %s\n", msg);
  assert_int_equal(st, code);
  assert_null(m);
  const char *base = strrchr(path, '/');
  assert_non_null(strstr(msg, base ? base + 1 : path));
  assert_non_null(strstr(msg, needle));
  assert_int_equal(mf_test_live_bytes(), live_before);
}

static const mf_group *group(const mf_mesh *m, const char *name, int dim) {
  const mf_group *g = mf_mesh_find_group(m, name, dim);
  if (!g) print_error("no %dD group \"%s\" in %s\n", dim, name, m->source);
  assert_non_null(g);
  return g;
}

static int group_index(const mf_mesh *m, const char *name, int dim) {
  return (int)(group(m, name, dim) - m->groups);
}

/* The mesh's volume: tet4 by the closed form, other types by their shape's quadrature
 * (exact for straight-edged tet10 and for hexahedra). */
static double total_volume(const mf_mesh *m) {
  double v = 0.0;
  const mf_shape *sh = mf_shape_of(m->elem->type);
  for (mf_idx e = 0; e < m->n_elems; e++) {
    double X[MF_ELEM_MAX_NODES][3], g[3 * MF_ELEM_MAX_NODES];
    for (int a = 0; a < m->npe; a++) mf_nodes_coords(&m->nodes, mf_mesh_elem(m, e)[a], X[a]);
    if (m->elem->type == MF_ELEM_TET4) v += mf_tet4_volume((const double(*)[3])X);
    else
      for (int q = 0; q < sh->nqp; q++) v += sh->gradients(sh, q, &X[0][0], g);
  }
  return v;
}

/* Every node of boundary group `name` has coordinate `axis` equal to `value`. */
static void assert_group_on_plane(const mf_mesh *m, const char *name, int axis, double value) {
  const mf_group *g = group(m, name, 2);
  assert_true(g->n_faces > 0);
  assert_true(g->n_nodes >= 3);
  for (mf_idx i = 0; i < g->n_nodes; i++) {
    double X[3];
    mf_nodes_coords(&m->nodes, g->nodes[i], X);
    assert_near(X[axis], value, 1e-12);
  }
}

#define assert_arrays_equal(a, b, n) assert_memory_equal((a), (b), (size_t)(n) * sizeof *(a))

/* Coordinates equal: bit for bit if tol is 0. */
/* Coordinates equal (bit for bit when tol is 0), read through the layout's accessor. */
static void assert_coords_equal(const mf_nodes *a, const mf_nodes *b, mf_idx n, double tol) {
  for (mf_idx i = 0; i < n; i++) {
    double A[3], B[3];
    mf_nodes_coords(a, i, A);
    mf_nodes_coords(b, i, B);
    if (tol == 0.0) assert_memory_equal(A, B, sizeof A);
    else
      for (int k = 0; k < 3; k++) assert_near(A[k], B[k], tol);
  }
}

/* Two loads of the same mesh hold the same store: nodes (bit for bit if coord_tol is 0),
 * connectivity, regions, faces and groups. Element tags only if the writer was the same
 * version (gmsh 2.2 renumbers elements). Gmsh's ASCII writers print 16 significant
 * digits, one short of a round trip, so ASCII and binary files differ in the last bit. */
static void assert_same_mesh(const mf_mesh *a, const mf_mesh *b, int same_elem_tags, double coord_tol) {
  assert_int_equal(a->nodes.n_local, b->nodes.n_local);
  assert_int_equal(a->n_elems, b->n_elems);
  assert_int_equal(a->n_faces, b->n_faces);
  assert_int_equal(a->n_groups, b->n_groups);
  mf_idx nn = a->nodes.n_local;
  assert_coords_equal(&a->nodes, &b->nodes, nn, coord_tol);
  assert_arrays_equal(a->nodes.tag, b->nodes.tag, nn);
  assert_int_equal(a->elem->type, b->elem->type);
  assert_arrays_equal(a->conn, b->conn, (size_t)a->npe * a->n_elems);
  assert_arrays_equal(a->region, b->region, a->n_elems);
  if (same_elem_tags) assert_arrays_equal(a->elem_tag, b->elem_tag, a->n_elems);
  assert_arrays_equal(a->face_conn, b->face_conn, (size_t)a->nfn * a->n_faces);
  for (int g = 0; g < a->n_groups; g++) {
    const mf_group *ga = &a->groups[g], *gb = &b->groups[g];
    assert_string_equal(ga->name, gb->name);
    assert_int_equal(ga->dim, gb->dim);
    assert_int_equal(ga->tag, gb->tag);
    assert_int_equal(ga->n_faces, gb->n_faces);
    assert_int_equal(ga->n_nodes, gb->n_nodes);
    assert_int_equal(ga->n_elems, gb->n_elems);
    assert_arrays_equal(ga->faces, gb->faces, ga->n_faces);
    assert_arrays_equal(ga->nodes, gb->nodes, ga->n_nodes);
  }
  assert_int_equal(a->n_points_skipped, b->n_points_skipped);
  assert_int_equal(a->n_lines_skipped, b->n_lines_skipped);
  assert_int_equal(a->n_unassigned_elems, b->n_unassigned_elems);
  assert_int_equal(a->n_unassigned_faces, b->n_unassigned_faces);
}

/* ---- the cube through four writers ----------------------------------------------- */

static void test_cube_four_formats_identical(void **state) {
  (void)state;
  mf_mesh *a41 = load_ok(DATA("cube_v41_ascii.msh"));
  mf_mesh *b41 = load_ok(DATA("cube_v41_binary.msh"));
  mf_mesh *a22 = load_ok(DATA("cube_v22_ascii.msh"));
  mf_mesh *b22 = load_ok(DATA("cube_v22_binary.msh"));
  assert_same_mesh(a41, a22, 0, 0.0); /* same digits */
  assert_same_mesh(b41, b22, 0, 0.0); /* same doubles */
  assert_same_mesh(a41, b41, 1, 1e-15);
  assert_same_mesh(a22, b22, 1, 1e-15);
  mf_mesh_destroy(&a41);
  mf_mesh_destroy(&b41);
  mf_mesh_destroy(&a22);
  mf_mesh_destroy(&b22);
}

/* Counts as gmsh wrote them: 143 nodes, 387 tets, 6 x 44 boundary triangles. */
static void test_cube_counts_and_groups(void **state) {
  (void)state;
  mf_mesh *m = load_ok(DATA("cube_v41_ascii.msh"));
  assert_int_equal(m->nodes.n_local, 143);
  assert_int_equal(m->nodes.n_owned, 143);
  assert_int_equal(m->nodes.n_ghost, 0);
  assert_int_equal(m->n_elems, 387);
  assert_int_equal(m->n_elems_owned, 387);
  assert_int_equal(m->n_faces, 264);
  assert_int_equal(m->n_groups, 7);
  static const char *const faces[6] = {"xmin", "xmax", "ymin", "ymax", "zmin", "zmax"};
  for (int f = 0; f < 6; f++) {
    assert_int_equal(group(m, faces[f], 2)->n_faces, 44);
    assert_int_equal(group(m, faces[f], 2)->tag, f + 1);
    assert_group_on_plane(m, faces[f], f / 2, f % 2);
  }
  const mf_group *solid = group(m, "solid", 3);
  assert_int_equal(solid->tag, 10);
  assert_int_equal(solid->n_elems, 387);
  int s = group_index(m, "solid", 3);
  for (mf_idx e = 0; e < m->n_elems; e++) assert_int_equal(m->region[e], s);
  assert_int_equal(m->n_unassigned_elems, 0);
  assert_int_equal(m->n_unassigned_faces, 0);
  assert_int_equal(m->n_points_skipped, 0);
  assert_int_equal(m->n_lines_skipped, 0);
  /* Gmsh numbers these nodes 1..143 in file order. */
  for (mf_idx i = 0; i < m->nodes.n_local; i++) assert_int_equal(m->nodes.tag[i], i + 1);
  assert_int_equal(mf_mesh_check_elements(m), MF_OK);
  assert_near(total_volume(m), 1.0, 1e-12);
  mf_mesh_destroy(&m);
}

static void test_parametric_nodes(void **state) {
  (void)state;
  mf_mesh *plain_a = load_ok(DATA("cube_v41_ascii.msh"));
  mf_mesh *plain_b = load_ok(DATA("cube_v41_binary.msh"));
  mf_mesh *pa = load_ok(DATA("cube_param_ascii.msh"));
  mf_mesh *pb = load_ok(DATA("cube_param_binary.msh"));
  assert_same_mesh(plain_a, pa, 1, 0.0);
  assert_same_mesh(plain_b, pb, 1, 0.0);
  mf_mesh_destroy(&plain_a);
  mf_mesh_destroy(&plain_b);
  mf_mesh_destroy(&pa);
  mf_mesh_destroy(&pb);
}

/* ---- handcrafted files ------------------------------------------------------------ */

/* 5 nodes, file order tags 3 1000 999999 7 42; tets 500 = (1000 7 42 999999) and
 * 18 = (7 42 999999 3); triangle 17 = (1000 42 7) in "bottom". */
static void check_sparse_mesh(const mf_mesh *m) {
  assert_int_equal(m->nodes.n_local, 5);
  assert_int_equal(m->n_elems, 2);
  assert_int_equal(m->n_faces, 1);
  static const mf_idx conn[8] = {1, 3, 4, 2, 3, 4, 2, 0};
  assert_arrays_equal(m->conn, conn, 8);
  double X[4][3];
  for (int a = 0; a < 4; a++) mf_nodes_coords(&m->nodes, m->conn[a], X[a]);
  static const double expect[4][3] = {{0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
  assert_memory_equal(X, expect, sizeof X);
  assert_near(mf_tet4_volume(X), 1.0 / 6.0, 1e-15);
  static const mf_idx face[3] = {1, 4, 3};
  assert_arrays_equal(m->face_conn, face, 3);
  const mf_group *bottom = group(m, "bottom", 2);
  assert_int_equal(bottom->n_faces, 1);
  assert_int_equal(bottom->faces[0], 0);
  static const mf_idx bottom_nodes[3] = {1, 3, 4};
  assert_int_equal(bottom->n_nodes, 3);
  assert_arrays_equal(bottom->nodes, bottom_nodes, 3);
  assert_int_equal(group(m, "solid", 3)->n_elems, 2);
  assert_int_equal(mf_mesh_check_elements(m), MF_OK);
}

static void test_sparse_unordered_tags(void **state) {
  (void)state;
  mf_mesh *m = load_ok(DATA("sparse_tags.msh")); /* also skips $Comments, $NodeData, $Periodic */
  check_sparse_mesh(m);
  static const mf_gidx tags[5] = {3, 1000, 999999, 7, 42};
  assert_arrays_equal(m->nodes.tag, tags, 5);
  assert_int_equal(m->elem_tag[0], 500);
  assert_int_equal(m->elem_tag[1], 18);
  mf_mesh_destroy(&m);
}

/* The same mesh in MSH 2.2 with dense unordered tags and CRLF line ends. */
static void test_unordered_tags_v22_crlf(void **state) {
  (void)state;
  mf_mesh *m = load_ok(DATA("unordered_tags_v22_crlf.msh"));
  check_sparse_mesh(m);
  static const mf_gidx tags[5] = {5, 2, 4, 1, 3};
  assert_arrays_equal(m->nodes.tag, tags, 5);
  assert_int_equal(m->elem_tag[0], 4);
  assert_int_equal(m->elem_tag[1], 6);
  mf_mesh_destroy(&m);
}

/* Surface xmin is in "xmin" (1) and "clamp" (2); the volume in "solid" (7) and "core" (3):
 * each face is listed once in face_conn and in both groups; the region is the lowest tag. */
static void check_two_groups(const mf_mesh *m) {
  assert_int_equal(m->n_faces, 4);
  const mf_group *a = group(m, "xmin", 2), *b = group(m, "clamp", 2);
  assert_int_equal(a->n_faces, 4);
  assert_int_equal(b->n_faces, 4);
  assert_arrays_equal(a->faces, b->faces, 4);
  assert_int_equal(a->n_nodes, b->n_nodes);
  assert_group_on_plane(m, "clamp", 0, 0.0);
  int core = group_index(m, "core", 3);
  for (mf_idx e = 0; e < m->n_elems; e++) assert_int_equal(m->region[e], core);
  assert_int_equal(group(m, "core", 3)->n_elems, m->n_elems);
  assert_int_equal(group(m, "solid", 3)->n_elems, 0);
  assert_int_equal(m->n_unassigned_elems, 0);
}

static void test_entity_in_two_groups(void **state) {
  (void)state;
  mf_mesh *m41 = load_ok(DATA("two_groups_v41.msh"));
  mf_mesh *m22 = load_ok(DATA("two_groups_v22.msh")); /* gmsh repeats each element per group */
  check_two_groups(m41);
  check_two_groups(m22);
  assert_same_mesh(m41, m22, 0, 0.0);
  mf_mesh_destroy(&m41);
  mf_mesh_destroy(&m22);
}

/* One point element (Physical Point) and two line elements (Physical Curve). */
static void test_points_and_lines_skipped(void **state) {
  (void)state;
  mf_mesh *m41 = load_ok(DATA("points_lines_v41.msh"));
  mf_mesh *m22 = load_ok(DATA("points_lines_v22.msh"));
  for (int k = 0; k < 2; k++) {
    const mf_mesh *m = k ? m22 : m41;
    assert_int_equal(m->n_points_skipped, 1);
    assert_int_equal(m->n_lines_skipped, 2);
    assert_int_equal(group(m, "corner", 0)->tag, 20);
    assert_int_equal(group(m, "edge", 1)->tag, 21);
    assert_int_equal(group(m, "skin", 2)->n_faces, m->n_faces);
    assert_int_equal(m->n_faces, 84);
    assert_int_equal(m->n_elems, 101);
  }
  assert_same_mesh(m41, m22, 0, 0.0);
  mf_mesh_destroy(&m41);
  mf_mesh_destroy(&m22);
}

/* Mesh.SaveAll: all elements written, an unnamed group, no physical volume. */
static void test_unassigned_and_unnamed(void **state) {
  (void)state;
  mf_mesh *m = load_ok(DATA("save_all_v41.msh"));
  assert_int_equal(m->n_groups, 1);
  assert_int_equal(group(m, "physical_2_5", 2)->n_faces, 4);
  assert_group_on_plane(m, "physical_2_5", 0, 0.0);
  assert_int_equal(m->n_elems, 24);
  assert_int_equal(m->n_unassigned_elems, 24);
  for (mf_idx e = 0; e < m->n_elems; e++) assert_int_equal(m->region[e], -1);
  assert_int_equal(m->n_faces, 24);
  assert_int_equal(m->n_unassigned_faces, 20);
  assert_int_equal(m->n_points_skipped, 8);
  assert_int_equal(m->n_lines_skipped, 12);
  mf_mesh_destroy(&m);
  /* Gmsh's 2.2 writer drops the physical tags when saving all (writes 0). */
  m = load_ok(DATA("save_all_v22.msh"));
  assert_int_equal(m->n_groups, 0);
  assert_int_equal(m->n_unassigned_elems, 24);
  assert_int_equal(m->n_unassigned_faces, 24);
  mf_mesh_destroy(&m);
}

/* The reader takes inverted and flat tets as they are; mf_mesh_load refuses them. */
static void test_load_refuses_inverted_and_flat(void **state) {
  (void)state;
  static const struct {
    const char *path, *needle;
  } cases[] = {
      {DATA("inverted_tet.msh"), "inverted"},
      {DATA("flat_tet.msh"), "zero volume"},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    mf_mesh *m = load_ok(cases[k].path);
    mf_mesh_destroy(&m);
    int64_t live_before = mf_test_live_bytes();
    mf_error_clear();
    mf_status st = mf_mesh_load(cases[k].path, &m);
    print_message("  message: %s\n", mf_error_message());
    assert_int_equal(st, MF_ERR_MESH);
    assert_null(m);
    assert_non_null(strstr(mf_error_message(), cases[k].path));
    assert_non_null(strstr(mf_error_message(), cases[k].needle));
    assert_int_equal(mf_test_live_bytes(), live_before);
  }
}

/* ---- committed meshes ------------------------------------------------------------- */

static mf_mesh *load_committed(const char *path, mf_idx min_nodes, mf_idx max_nodes) {
  mf_mesh *m = load_ok(path);
  assert_in_range(m->nodes.n_local, min_nodes, max_nodes);
  assert_int_equal(mf_mesh_check_elements(m), MF_OK);
  assert_int_equal(m->n_unassigned_elems, 0);
  assert_int_equal(m->n_unassigned_faces, 0);
  assert_int_equal(group(m, "solid", 3)->n_elems, m->n_elems);
  return m;
}

static void test_mesh_cantilever(void **state) {
  (void)state;
  mf_mesh *m = load_committed(MESHES("cantilever.msh"), 2000, 6000);
  assert_group_on_plane(m, "fixed", 0, 0.0);
  assert_group_on_plane(m, "tip", 0, 10.0);
  assert_group_on_plane(m, "top", 2, 1.0);
  assert_group_on_plane(m, "bottom", 2, 0.0);
  assert_near(total_volume(m), 10.0, 1e-10);
  mf_mesh_destroy(&m);
}

static void test_mesh_cube(void **state) {
  (void)state;
  mf_mesh *m = load_committed(MESHES("cube.msh"), 1000, 3000);
  static const char *const faces[6] = {"xmin", "xmax", "ymin", "ymax", "zmin", "zmax"};
  for (int f = 0; f < 6; f++) assert_group_on_plane(m, faces[f], f / 2, f % 2);
  assert_near(total_volume(m), 1.0, 1e-12);
  mf_mesh_destroy(&m);
}

static void test_mesh_plate_hole(void **state) {
  (void)state;
  mf_mesh *m = load_committed(MESHES("plate_hole.msh"), 5000, 15000);
  assert_group_on_plane(m, "left", 0, 0.0);
  assert_group_on_plane(m, "right", 0, 10.0);
  assert_group_on_plane(m, "front", 2, 1.0);
  assert_group_on_plane(m, "back", 2, 0.0);
  const mf_group *hole = group(m, "hole", 2);
  assert_true(hole->n_faces > 0);
  for (mf_idx i = 0; i < hole->n_nodes; i++) {
    mf_idx n = hole->nodes[i];
    double X[3];
    mf_nodes_coords(&m->nodes, n, X);
    assert_near(hypot(X[0] - 5.0, X[1] - 5.0), 1.0, 1e-9);
  }
  /* The faceted hole is inscribed in the circle: a little more than 100 - pi. */
  double v = total_volume(m);
  assert_true(v > 100.0 - M_PI && v < 100.0 - M_PI + 0.02);
  mf_mesh_destroy(&m);
}

/* ---- cut and corrupted files ------------------------------------------------------ */

static char *read_all(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  *n = (size_t)ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc(*n ? *n : 1);
  assert_non_null(buf);
  assert_int_equal(fread(buf, 1, *n, f), *n);
  fclose(f);
  return buf;
}

static void write_all(const char *path, const char *buf, size_t n) {
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(buf, 1, n, f), n);
  assert_int_equal(fclose(f), 0);
}

/* Read `path`, return the status, and check nothing outlives the call. */
static mf_status try_read(const char *path) {
  int64_t live_before = mf_test_live_bytes();
  mf_mesh *m = NULL;
  mf_error_clear();
  mf_status st = mf_mesh_read_gmsh(path, &m);
  if (st) assert_null(m);
  mf_mesh_destroy(&m);
  assert_int_equal(mf_test_live_bytes(), live_before);
  return st;
}

static const char *const fuzz_sources[] = {
    DATA("cube_v41_ascii.msh"),  DATA("cube_v41_binary.msh"),   DATA("cube_v22_ascii.msh"),
    DATA("cube_v22_binary.msh"), DATA("cube_param_binary.msh"), DATA("sparse_tags.msh"),
    DATA("tet10_v41_binary.msh"), DATA("tet10_v22_ascii.msh"),  DATA("hex8_v41_binary.msh"),
};

/* Every cut before the last $EndElements must fail with a parse error. */
static void test_truncated_anywhere(void **state) {
  (void)state;
  char tmp[] = "/tmp/memfem_test_gmsh_cut.XXXXXX";
  int fd = mkstemp(tmp);
  assert_true(fd >= 0);
  close(fd);
  for (size_t s = 0; s < sizeof fuzz_sources / sizeof fuzz_sources[0]; s++) {
    size_t n;
    char *buf = read_all(fuzz_sources[s], &n);
    const char *end = NULL;
    for (const char *p = buf; (p = memmem(p, n - (size_t)(p - buf), "$EndElements", 12)); p++) end = p;
    assert_non_null(end);
    size_t must_fail = (size_t)(end - buf) + 5; /* "$EndE" still cut */
    size_t step = n / 300 + 1;
    for (size_t cut = 0; cut < must_fail; cut += (cut < 200 ? 1 : step)) {
      write_all(tmp, buf, cut);
      mf_status st = try_read(tmp);
      if (st != MF_ERR_PARSE)
        print_error("%s cut at %zu: status %d (%s)\n", fuzz_sources[s], cut, st, mf_error_message());
      assert_int_equal(st, MF_ERR_PARSE);
    }
    free(buf);
  }
  unlink(tmp);
}

/* Random byte changes: any status will do, but no crash, hang or leak. */
static void test_corrupted_bytes(void **state) {
  (void)state;
  char tmp[] = "/tmp/memfem_test_gmsh_flip.XXXXXX";
  int fd = mkstemp(tmp);
  assert_true(fd >= 0);
  close(fd);
  uint64_t rng = 0x9e3779b97f4a7c15ULL;
  static const char garbage[] = {'\0', '\n', ' ', '-', '9', '$', '"', '\xff', 'e', '.'};
  for (size_t s = 0; s < sizeof fuzz_sources / sizeof fuzz_sources[0]; s++) {
    size_t n;
    char *orig = read_all(fuzz_sources[s], &n);
    char *buf = malloc(n);
    assert_non_null(buf);
    for (int trial = 0; trial < 150; trial++) {
      memcpy(buf, orig, n);
      for (int k = 0; k < 1 + trial % 4; k++) {
        rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
        size_t at = (size_t)(rng >> 33) % n;
        buf[at] = (rng >> 20) & 1 ? garbage[(rng >> 24) % sizeof garbage] : (char)(rng >> 40);
      }
      write_all(tmp, buf, n);
      (void)try_read(tmp);
    }
    free(buf);
    free(orig);
  }
  unlink(tmp);
}

/* ---- tet10 and hex8 ------------------------------------------------------------------ */

/* memfem's tet10 edges (mesh/mf_elem.h): node 4 + k sits on edge k. */
static const int tet_edge[6][2] = {{0, 1}, {1, 2}, {2, 0}, {0, 3}, {1, 3}, {2, 3}};

/* Every edge node of every element (and of every 6-node face, edges 01 12 20) lies at
 * the midpoint of its edge's corners in memfem's order: Gmsh's order (edge nodes 8 and 9
 * on edges 2-3 and 1-3) mapped to VTK's. */
static void assert_tet10_edges_at_midpoints(const mf_mesh *m) {
  assert_int_equal(m->elem->type, MF_ELEM_TET10);
  assert_int_equal(m->npe, 10);
  for (mf_idx e = 0; e < m->n_elems; e++) {
    const mf_idx *v = mf_mesh_elem(m, e);
    for (int k = 0; k < 6; k++) {
      double p[3], q[3], x[3];
      mf_nodes_coords(&m->nodes, v[tet_edge[k][0]], p);
      mf_nodes_coords(&m->nodes, v[tet_edge[k][1]], q);
      mf_nodes_coords(&m->nodes, v[4 + k], x);
      for (int d = 0; d < 3; d++) assert_near(x[d], 0.5 * (p[d] + q[d]), 1e-12);
    }
  }
  for (mf_idx f = 0; f < m->n_faces; f++) {
    const mf_idx *v = mf_mesh_face(m, f);
    for (int k = 0; k < 3; k++) {
      double p[3], q[3], x[3];
      mf_nodes_coords(&m->nodes, v[k], p);
      mf_nodes_coords(&m->nodes, v[(k + 1) % 3], q);
      mf_nodes_coords(&m->nodes, v[3 + k], x);
      for (int d = 0; d < 3; d++) assert_near(x[d], 0.5 * (p[d] + q[d]), 1e-12);
    }
  }
}

/* One tet10 with corners (0,0,0) (2,0,0) (0,1,0) (0,0,3) (volume 1), node tags 1-4, edge
 * nodes 5-10 on edges 01 12 20 03 13 23, written in Gmsh's order (... 8 10 9), and its
 * bottom face as a 6-node triangle. tet10_v41_ascii.msh and tet10_v22_ascii.msh are
 * written by hand; the binary files by gmsh 4.8.4 from the first:
 *   gmsh tet10_v41_ascii.msh -save -format msh41 -bin -o tet10_v41_binary.msh
 *   gmsh tet10_v41_ascii.msh -save -format msh22 -bin -o tet10_v22_binary.msh */
static void test_tet10_four_formats(void **state) {
  (void)state;
  static const char *const files[4] = {DATA("tet10_v41_ascii.msh"), DATA("tet10_v22_ascii.msh"),
                                       DATA("tet10_v41_binary.msh"), DATA("tet10_v22_binary.msh")};
  mf_mesh *first = NULL;
  for (int k = 0; k < 4; k++) {
    mf_mesh *m = load_ok(files[k]);
    assert_int_equal(m->elem->type, MF_ELEM_TET10);
    assert_int_equal(m->nodes.n_local, 10);
    assert_int_equal(m->n_elems, 1);
    assert_int_equal(m->nfn, 6);
    assert_int_equal(m->n_faces, 1);
    /* Gmsh's nodes 8 and 9 (tags 10 and 9) swapped: memfem's node 8 is tag 9, the
     * midpoint (1, 0, 1.5) of corners 1 and 3; node 9 is tag 10, (0, 0.5, 1.5). */
    static const mf_gidx conn_tags[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    for (int a = 0; a < 10; a++) assert_int_equal(m->nodes.tag[m->conn[a]], conn_tags[a]);
    double x8[3], x9[3];
    mf_nodes_coords(&m->nodes, m->conn[8], x8);
    mf_nodes_coords(&m->nodes, m->conn[9], x9);
    static const double e13[3] = {1, 0, 1.5}, e23[3] = {0, 0.5, 1.5};
    assert_memory_equal(x8, e13, sizeof x8);
    assert_memory_equal(x9, e23, sizeof x9);
    static const mf_gidx face_tags[6] = {1, 3, 2, 7, 6, 5};
    for (int a = 0; a < 6; a++) assert_int_equal(m->nodes.tag[m->face_conn[a]], face_tags[a]);
    assert_tet10_edges_at_midpoints(m);
    assert_int_equal(group(m, "bottom", 2)->n_nodes, 6);
    assert_group_on_plane(m, "bottom", 2, 0.0);
    assert_int_equal(group(m, "solid", 3)->n_elems, 1);
    assert_int_equal(mf_mesh_check_elements(m), MF_OK);
    assert_near(total_volume(m), 1.0, 1e-14);
    if (!first) first = m;
    else {
      assert_same_mesh(first, m, 1, 0.0);
      mf_mesh_destroy(&m);
    }
  }
  mf_mesh_destroy(&first);
}

/* A gmsh-made second-order mesh of the unit cube (gmsh 4.8.4, -order 2, MSH 4.1): every
 * edge node at its edge's midpoint in memfem's order, volume 1, no element inverted. */
static void test_tet10_gmsh_cube(void **state) {
  (void)state;
  mf_mesh *m = load_ok(DATA("tet10.msh"));
  assert_int_equal(m->elem->type, MF_ELEM_TET10);
  assert_int_equal(m->n_elems, 24);
  assert_int_equal(m->nodes.n_local, 63);
  assert_tet10_edges_at_midpoints(m);
  assert_int_equal(mf_mesh_check_elements(m), MF_OK);
  assert_near(total_volume(m), 1.0, 1e-12);
  assert_int_equal(group(m, "solid", 3)->n_elems, 24);
  mf_mesh_destroy(&m);
}

/* Two unit hexahedra side by side (x in [0, 2]), corners in Gmsh's = memfem's order, the
 * face x = 0 as a quadrangle in "xmin". hex8_v41_ascii.msh is written by hand; the others
 * by gmsh 4.8.4 from it (-save -format msh22, and -format msh41 -bin). */
static void test_hex8_three_formats(void **state) {
  (void)state;
  static const char *const files[3] = {DATA("hex8_v41_ascii.msh"), DATA("hex8_v22_ascii.msh"),
                                       DATA("hex8_v41_binary.msh")};
  mf_mesh *first = NULL;
  for (int k = 0; k < 3; k++) {
    mf_mesh *m = load_ok(files[k]);
    assert_int_equal(m->elem->type, MF_ELEM_HEX8);
    assert_int_equal(m->npe, 8);
    assert_int_equal(m->nfn, 4);
    assert_int_equal(m->nodes.n_local, 12);
    assert_int_equal(m->n_elems, 2);
    assert_int_equal(m->n_faces, 1);
    static const mf_gidx conn_tags[16] = {1, 2, 3, 4, 5, 6, 7, 8, 2, 9, 10, 3, 6, 11, 12, 7};
    for (int a = 0; a < 16; a++) assert_int_equal(m->nodes.tag[m->conn[a]], conn_tags[a]);
    static const mf_gidx face_tags[4] = {1, 5, 8, 4};
    for (int a = 0; a < 4; a++) assert_int_equal(m->nodes.tag[m->face_conn[a]], face_tags[a]);
    assert_int_equal(group(m, "xmin", 2)->n_nodes, 4);
    assert_group_on_plane(m, "xmin", 0, 0.0);
    assert_int_equal(group(m, "solid", 3)->n_elems, 2);
    assert_int_equal(mf_mesh_check_elements(m), MF_OK);
    assert_near(total_volume(m), 2.0, 1e-14);
    if (!first) first = m;
    else {
      assert_same_mesh(first, m, 1, 0.0);
      mf_mesh_destroy(&m);
    }
  }
  mf_mesh_destroy(&first);
}

/* A volume type memfem does not read (a 6-node prism) is refused by name, and the
 * message lists what memfem reads, tet10 and hex8 among them. */
static void test_unsupported_element_named(void **state) {
  (void)state;
  char path[] = "/tmp/memfem_test_prism.XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  close(fd);
  static const char prism[] = "$MeshFormat\n2.2 0 8\n$EndMeshFormat\n$Nodes\n6\n1 0 0 0\n2 1 0 0\n3 0 1 0\n"
                              "4 0 0 1\n5 1 0 1\n6 0 1 1\n$EndNodes\n$Elements\n1\n1 6 2 1 1 1 2 3 4 5 6\n"
                              "$EndElements\n";
  write_all(path, prism, sizeof prism - 1);
  expect_failure(path, MF_ERR_PARSE, "unsupported element type: 6-node prism (type 6)");
  expect_failure(path, MF_ERR_PARSE, "10-node tetrahedron (with 6-node triangle faces)");
  expect_failure(path, MF_ERR_PARSE, "8-node hexahedron (with 4-node quadrangle faces)");
  unlink(path);
}

/* ---- bad files ------------------------------------------------------------------- */

typedef struct {
  const char *path;
  mf_status code;
  const char *needle;
} bad_file;

/* X(id, file, status, text the message must contain besides the file name) */
#define BAD_FILES(X)                                                                                      \
  X(version_40, DATA("version_40.msh"), MF_ERR_PARSE, "MSH version 4.0 is not supported")                 \
  X(truncated_ascii, DATA("truncated_ascii.msh"), MF_ERR_PARSE,                                           \
    "unexpected end of file in $Elements (truncated?)")                                                   \
  X(truncated_binary, DATA("truncated_binary.msh"), MF_ERR_PARSE,                                         \
    "unexpected end of file in $Elements (truncated?)")                                                   \
  X(malformed_number, DATA("malformed_number.msh"), MF_ERR_PARSE,                                         \
    "malformed_number.msh:28: malformed y coordinate '0.5.3'")                                            \
  X(mixed_tet4_hex8, DATA("mixed_tet4_hex8.msh"), MF_ERR_MESH,                                           \
    "mixed_tet4_hex8.msh:19: the mesh mixes volume 8-node hexahedron and 4-node tetrahedron elements")  \
  X(tet10_tri3_faces, DATA("tet10_tri3_faces.msh"), MF_ERR_MESH,                                         \
    "boundary elements are 3-node triangle, but the faces of 10-node tetrahedron are 6-node triangle")   \
  X(no_elements, DATA("no_elements.msh"), MF_ERR_PARSE, "no $Elements section")                           \
  X(elements_before_nodes, DATA("no_nodes.msh"), MF_ERR_PARSE,                                            \
    "no_nodes.msh:18: $Elements comes before $Nodes")                                                     \
  X(unknown_node, DATA("bad_node_ref.msh"), MF_ERR_PARSE,                                                 \
    "bad_node_ref.msh:38: element 18 refers to node 4, which is not in $Nodes")                           \
  X(short_element, DATA("short_element.msh"), MF_ERR_PARSE,                                               \
    "short_element.msh:38: expected 4 node tags for element 18, found 3")                                 \
  X(long_element, DATA("long_element.msh"), MF_ERR_PARSE, "element 18 has more than")                     \
  X(duplicate_node_tag, DATA("duplicate_node_tag.msh"), MF_ERR_PARSE, "node tag 42 appears twice")        \
  X(node_count_mismatch, DATA("count_mismatch.msh"), MF_ERR_PARSE,                                        \
    "count_mismatch.msh:31: the $Nodes header announces 6 nodes but its blocks hold 5")                   \
  X(element_count_mismatch, DATA("bad_element_count.msh"), MF_ERR_PARSE,                                  \
    "bad_element_count.msh:39: the $Elements header announces 4 elements but its blocks hold 3")          \
  X(negative_count, DATA("negative_count.msh"), MF_ERR_PARSE,                                             \
    "negative_count.msh:5: negative node count")                                                          \
  X(huge_count, DATA("huge_count.msh"), MF_ERR_PARSE, "cannot fit")                                       \
  X(not_a_mesh, DATA("not_a_mesh.msh"), MF_ERR_PARSE, "not a Gmsh MSH file")                              \
  X(empty_file, DATA("empty.msh"), MF_ERR_PARSE, "empty")                                                 \
  X(missing_file, DATA("no_such_file.msh"), MF_ERR_IO, "cannot open: No such file")                       \
  X(directory, MF_TEST_DATA, MF_ERR_IO, "Is a directory")

#define BAD_DEF(id_, path_, code_, needle_) static const bad_file bad_##id_ = {path_, code_, needle_};
BAD_FILES(BAD_DEF)

static void run_bad_file(void **state) {
  const bad_file *b = *state;
  expect_failure(b->path, b->code, b->needle);
}

#define BAD_ENTRY(id_, path_, code_, needle_) {"bad_" #id_, run_bad_file, NULL, NULL, (void *)&bad_##id_},

int main(void) {
  const struct CMUnitTest good[] = {
      cmocka_unit_test(test_cube_four_formats_identical),
      cmocka_unit_test(test_cube_counts_and_groups),
      cmocka_unit_test(test_parametric_nodes),
      cmocka_unit_test(test_sparse_unordered_tags),
      cmocka_unit_test(test_unordered_tags_v22_crlf),
      cmocka_unit_test(test_entity_in_two_groups),
      cmocka_unit_test(test_points_and_lines_skipped),
      cmocka_unit_test(test_unassigned_and_unnamed),
      cmocka_unit_test(test_load_refuses_inverted_and_flat),
      cmocka_unit_test(test_mesh_cantilever),
      cmocka_unit_test(test_mesh_cube),
      cmocka_unit_test(test_mesh_plate_hole),
      cmocka_unit_test(test_truncated_anywhere),
      cmocka_unit_test(test_corrupted_bytes),
      cmocka_unit_test(test_tet10_four_formats),
      cmocka_unit_test(test_tet10_gmsh_cube),
      cmocka_unit_test(test_hex8_three_formats),
      cmocka_unit_test(test_unsupported_element_named),
  };
  const struct CMUnitTest bad[] = {BAD_FILES(BAD_ENTRY)};
  int failed = cmocka_run_group_tests_name("gmsh", good, NULL, NULL);
  failed += cmocka_run_group_tests_name("gmsh_bad_input", bad, NULL, NULL);
  return failed;
}
