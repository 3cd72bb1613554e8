/* Node renumbering (mesh/mf_reorder.h): orders are permutations, the mesh is permuted
 * consistently, RCM narrows the profile of a shuffled mesh, bad input and METIS failures
 * are clear errors, reordered solves agree with unreordered ones in mesh order and are
 * bit-identical across thread counts, and files keep the mesh's own order. */
#include <metis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/mf_h5_mesh.h"
#include "mesh/mf_reorder.h"
#include "mf_test_solve.h"

static const mf_reorder_method methods[] = {MF_REORDER_RCM, MF_REORDER_METIS};

static mf_mesh *load(const char *spec) {
  mf_mesh *m = NULL;
  if (mf_mesh_load(spec, &m)) fail_msg("load %s: %s", spec, mf_error_message());
  return m;
}

/* A fixed pseudo-random order (xorshift Fisher-Yates), for "a mesher's" numbering. */
static void shuffle(mf_idx n, mf_idx *p) {
  uint32_t s = 12345u;
  for (mf_idx i = 0; i < n; i++) p[i] = i;
  for (mf_idx i = n - 1; i > 0; i--) {
    s ^= s << 13, s ^= s >> 17, s ^= s << 5;
    mf_idx j = (mf_idx)(s % (uint32_t)(i + 1)), t = p[i];
    p[i] = p[j], p[j] = t;
  }
}

/* Largest |i - j| over the graph's edges (the half bandwidth of the nodal matrix) and
 * their mean (how far, on average, a row reaches for its columns). */
static mf_idx bandwidth(mf_idx n, const mf_idx *xadj, const mf_idx *adj, const mf_idx *old2new, double *mean) {
  mf_idx bw = 0;
  double sum = 0.0;
  for (mf_idx i = 0; i < n; i++)
    for (mf_idx k = xadj[i]; k < xadj[i + 1]; k++) {
      mf_idx d = old2new[i] - old2new[adj[k]];
      if (d < 0) d = -d;
      if (d > bw) bw = d;
      sum += d;
    }
  *mean = sum / xadj[n];
  return bw;
}

/* Every renumbered array says the same as the original mesh's, through the permutations. */
static void check_same_mesh(const mf_mesh *orig, const mf_mesh *m) {
  const mf_idx n = orig->nodes.n_local;
  assert_int_equal(m->nodes.n_local, n);
  assert_int_equal(m->n_elems, orig->n_elems);
  assert_true(mf_reorder_is_permutation(n, m->node_new2old));
  assert_true(mf_reorder_is_permutation(n, m->node_old2new));
  assert_true(mf_reorder_is_permutation(m->n_elems, m->elem_new2old));
  assert_true(mf_reorder_is_permutation(m->n_elems, m->elem_old2new));
  for (mf_idx k = 0; k < n; k++) { /* inverse round trip, both ways */
    assert_int_equal(m->node_old2new[m->node_new2old[k]], k);
    assert_int_equal(m->node_new2old[m->node_old2new[k]], k);
    double X[3], Y[3];
    mf_nodes_coords(&m->nodes, k, X);
    mf_nodes_coords(&orig->nodes, m->node_new2old[k], Y);
    assert_memory_equal(X, Y, sizeof X);
    assert_int_equal(m->nodes.tag[k], orig->nodes.tag[m->node_new2old[k]]);
    assert_int_equal(m->nodes.global_id[k], orig->nodes.global_id[m->node_new2old[k]]);
  }
  mf_idx prev_lo = 0;
  for (mf_idx k = 0; k < m->n_elems; k++) {
    mf_idx e = m->elem_new2old[k], lo = n;
    assert_int_equal(m->elem_old2new[e], k);
    for (int a = 0; a < 4; a++) {
      assert_int_equal(m->node_new2old[m->conn[4 * (size_t)k + a]], orig->conn[4 * (size_t)e + a]);
      if (m->conn[4 * (size_t)k + a] < lo) lo = m->conn[4 * (size_t)k + a];
    }
    assert_true(lo >= prev_lo); /* elements follow their smallest node */
    prev_lo = lo;
    assert_int_equal(m->region[k], orig->region[e]);
    assert_int_equal(m->elem_tag[k], orig->elem_tag[e]);
  }
  for (size_t k = 0; k < 3 * (size_t)m->n_faces; k++)
    assert_int_equal(m->node_new2old[m->face_conn[k]], orig->face_conn[k]);
  for (int g = 0; g < m->n_groups; g++) {
    const mf_group *a = &m->groups[g], *b = &orig->groups[g];
    assert_int_equal(a->n_nodes, b->n_nodes);
    for (mf_idx k = 0; k < a->n_nodes; k++) {
      if (k) assert_true(a->nodes[k] > a->nodes[k - 1]);
    }
    /* the same node set: mark the original's, then every renumbered one maps to a mark */
    uint8_t *mark = calloc((size_t)n, 1);
    for (mf_idx k = 0; k < b->n_nodes; k++) mark[b->nodes[k]] = 1;
    for (mf_idx k = 0; k < a->n_nodes; k++) assert_int_equal(mark[m->node_new2old[a->nodes[k]]], 1);
    free(mark);
  }
}

static void test_mesh_permuted_consistently(void **state) {
  (void)state;
  const char *meshes[] = {"box:1x1x1:6x5x4", MF_SOURCE_DIR "/meshes/cube.msh"};
  for (size_t i = 0; i < sizeof meshes / sizeof meshes[0]; i++)
    for (size_t k = 0; k < sizeof methods / sizeof methods[0]; k++) {
      mf_mesh *orig = load(meshes[i]), *m = load(meshes[i]);
      assert_int_equal(mf_mesh_reorder(m, methods[k]), MF_OK);
      check_same_mesh(orig, m);
      /* once only */
      assert_int_equal(mf_mesh_reorder(m, methods[k]), MF_ERR_INTERNAL);
      mf_error_clear();
      mf_mesh_destroy(&orig);
      mf_mesh_destroy(&m);
    }
  mf_mesh *m = load("box:1x1x1:2x2x2");
  assert_int_equal(mf_mesh_reorder(m, MF_REORDER_NONE), MF_OK);
  assert_null(m->node_new2old);
  mf_mesh_destroy(&m);
}

/* A shuffled box has a nodal matrix spread over the whole width; RCM and METIS both
 * bring it back to a narrow band (RCM to about one layer of the box). */
static void test_orders_narrow_a_shuffled_mesh(void **state) {
  (void)state;
  mf_mesh *m = load("box:1x1x1:12x12x12");
  const mf_idx n = m->nodes.n_local;
  mf_idx *p = malloc((size_t)n * sizeof *p), *o2n = malloc((size_t)n * sizeof *o2n);
  shuffle(n, p);
  assert_int_equal(mf_mesh_apply_node_order(m, p), MF_OK);
  mf_idx *xadj, *adj;
  assert_int_equal(mf_reorder_node_graph(m, &xadj, &adj), MF_OK);
  for (mf_idx i = 0; i < n; i++) o2n[i] = i;
  double mean_shuffled, mean;
  mf_idx bw_shuffled = bandwidth(n, xadj, adj, o2n, &mean_shuffled);
  for (size_t k = 0; k < sizeof methods / sizeof methods[0]; k++) {
    mf_status st = methods[k] == MF_REORDER_RCM ? mf_reorder_rcm(n, xadj, adj, p) : mf_reorder_metis(n, xadj, adj, p);
    assert_int_equal(st, MF_OK);
    assert_true(mf_reorder_is_permutation(n, p));
    for (mf_idx i = 0; i < n; i++) o2n[p[i]] = i;
    mf_idx bw = bandwidth(n, xadj, adj, o2n, &mean);
    print_message("%s: half bandwidth %d -> %d, mean |i - j| %.1f -> %.1f (%d nodes)\n",
                  mf_reorder_name(methods[k]), (int)bw_shuffled, (int)bw, mean_shuffled, mean, (int)n);
    assert_true(mean < mean_shuffled / 4);
    /* RCM bounds the band (a few layers of 13x13 nodes); nested dissection does not (its
     * separators, numbered last, couple to both halves) but keeps most couplings short */
    if (methods[k] == MF_REORDER_RCM) assert_true(bw <= 3 * 13 * 13);
  }
  mf_free(&xadj);
  mf_free(&adj);
  free(p);
  free(o2n);
  mf_mesh_destroy(&m);
}

static void expect_error(mf_status got, mf_status want, const char *text) {
  assert_int_equal(got, want);
  if (!strstr(mf_error_message(), text)) fail_msg("message '%s' lacks '%s'", mf_error_message(), text);
  mf_error_clear();
}

/* Degenerate graphs: no vertex, one, two, and several components. */
static void test_small_and_disconnected_graphs(void **state) {
  (void)state;
  /* 0-1 edge, 2 alone, 3-4-5 path */
  const mf_idx xadj[] = {0, 1, 2, 2, 3, 5, 6};
  const mf_idx adj[] = {1, 0, 4, 3, 5, 4};
  for (mf_idx n = 0; n <= 6; n++) {
    if (n != 0 && n != 1 && n != 6) continue; /* cut graphs must stay closed */
    static const mf_idx x1[] = {0, 0};
    const mf_idx *xa = n == 1 ? x1 : xadj;
    for (size_t k = 0; k < sizeof methods / sizeof methods[0]; k++) {
      mf_idx p[6] = {-1, -1, -1, -1, -1, -1};
      mf_status st = methods[k] == MF_REORDER_RCM ? mf_reorder_rcm(n, xa, adj, p) : mf_reorder_metis(n, xa, adj, p);
      assert_int_equal(st, MF_OK);
      assert_true(mf_reorder_is_permutation(n, p));
    }
  }
  /* k-way: one part (the RCM order), a part per vertex, parts of a few vertices, and the
   * nested-dissection variant, on the disconnected graph */
  for (mf_idx part_nodes = 1; part_nodes <= 7; part_nodes += 2) {
    mf_idx p[6];
    assert_int_equal(mf_reorder_metis_kway(6, xadj, adj, part_nodes, p), MF_OK);
    assert_true(mf_reorder_is_permutation(6, p));
  }
  mf_idx pn[6];
  assert_int_equal(mf_reorder_metis_nd(6, xadj, adj, pn), MF_OK);
  assert_true(mf_reorder_is_permutation(6, pn));
  expect_error(mf_reorder_metis_kway(6, xadj, adj, 0, pn), MF_ERR_INPUT, "part size 0");
  const mf_idx x2[] = {0, 1, 2}, a2[] = {1, 0};
  mf_idx p2[2];
  assert_int_equal(mf_reorder_metis(2, x2, a2, p2), MF_OK);
  assert_true(mf_reorder_is_permutation(2, p2));
  assert_int_equal(mf_reorder_rcm(2, x2, a2, p2), MF_OK);
  assert_true(mf_reorder_is_permutation(2, p2));
}

static void test_bad_input_and_metis_failures(void **state) {
  (void)state;
  const mf_idx xadj[] = {0, 1, 2, 3}, out_of_range[] = {1, 0, 7}, self_loop[] = {1, 0, 2};
  const mf_idx decreasing[] = {0, 2, 1, 3}, fine_adj[] = {1, 2, 0};
  mf_idx p[3];
  mf_error_clear();
  expect_error(mf_reorder_metis(3, xadj, out_of_range, p), MF_ERR_INPUT, "vertex 2 has neighbour 7");
  expect_error(mf_reorder_rcm(3, xadj, out_of_range, p), MF_ERR_INPUT, "renumbering (rcm)");
  expect_error(mf_reorder_metis(3, xadj, self_loop, p), MF_ERR_INPUT, "not itself");
  expect_error(mf_reorder_metis(3, decreasing, fine_adj, p), MF_ERR_INPUT, "offsets decrease at vertex 1");
  expect_error(mf_reorder_metis(-1, xadj, self_loop, p), MF_ERR_INPUT, "negative vertex count");
  /* METIS's own return codes become statuses naming the call */
  assert_int_equal(mf_reorder_metis_status(METIS_OK, "METIS_NodeND"), MF_OK);
  expect_error(mf_reorder_metis_status(METIS_ERROR_INPUT, "METIS_NodeND"), MF_ERR_INPUT,
               "METIS_NodeND rejected its input (METIS_ERROR_INPUT)");
  expect_error(mf_reorder_metis_status(METIS_ERROR_MEMORY, "METIS_NodeND"), MF_ERR_MEMORY, "METIS_ERROR_MEMORY");
  expect_error(mf_reorder_metis_status(METIS_ERROR, "METIS_NodeND"), MF_ERR_INTERNAL, "METIS_NodeND failed");
  /* a node order that is not a permutation never reaches the mesh */
  mf_mesh *m = load("box:1x1x1:1x1x1");
  mf_idx bad[8] = {0, 1, 2, 3, 4, 5, 6, 6};
  expect_error(mf_mesh_apply_node_order(m, bad), MF_ERR_INTERNAL, "not a permutation");
  assert_null(m->node_new2old);
  mf_mesh_destroy(&m);
}

/* ---- solves ----------------------------------------------------------------------- */

static const char *bend_fmt = "mesh: %s\n"
                              "materials: [{model: neo-hookean, E: 1000, nu: 0.3}]\n"
                              "boundary: [{group: %s, ux: 0, uy: 0, uz: 0}, {group: %s, uz: -0.2}]\n"
                              "loads: [{body_force: [0, 0.5, 0]}]\n"
                              "steps: {count: 2}\n"
                              "reorder: %s\n";

/* Displacement of a finished run in the mesh's own node order (malloc'd). */
static double *run_mesh_order(const char *mesh, const char *g0, const char *g1, mf_reorder_method r, int threads,
                              mf_nnz *ndof) {
  char yaml[1024];
  snprintf(yaml, sizeof yaml, bend_fmt, mesh, g0, g1, mf_reorder_name(r));
  mf_test_run run;
  mf_test_run_yaml(&run, yaml, threads, NULL, NULL);
  assert_int_equal(run.status, MF_OK);
  const double *u = mf_solver_displacement(run.solver);
  *ndof = run.pb->ndof;
  double *out = malloc((size_t)*ndof * sizeof *out);
  const mf_mesh *m = run.mesh;
  for (mf_idx i = 0; i < m->nodes.n_local; i++) {
    mf_idx k = m->node_old2new ? m->node_old2new[i] : i;
    for (int c = 0; c < 3; c++) out[3 * (size_t)i + c] = u[3 * (size_t)k + c];
  }
  mf_test_run_free(&run);
  return out;
}

static void test_same_solution_in_mesh_order(void **state) {
  (void)state;
  const char *cases[][3] = {{"box:4x1x1:12x3x3", "xmin", "xmax"},
                            {MF_SOURCE_DIR "/meshes/cube.msh", "xmin", "xmax"}};
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    mf_nnz n0, n1;
    double *ref = run_mesh_order(cases[c][0], cases[c][1], cases[c][2], MF_REORDER_NONE, 2, &n0);
    double umax = 0.0;
    for (mf_nnz i = 0; i < n0; i++) umax = fmax(umax, fabs(ref[i]));
    assert_true(umax > 0.0);
    for (size_t k = 0; k < sizeof methods / sizeof methods[0]; k++) {
      double *u = run_mesh_order(cases[c][0], cases[c][1], cases[c][2], methods[k], 2, &n1);
      assert_int_equal(n1, n0);
      double diff = 0.0;
      for (mf_nnz i = 0; i < n0; i++) diff = fmax(diff, fabs(u[i] - ref[i]));
      print_message("%s, %s: max |u - u_none| / max |u| = %.3e\n", cases[c][0], mf_reorder_name(methods[k]),
                    diff / umax);
      assert_true(diff <= 1e-9 * umax);
      free(u);
    }
    free(ref);
  }
}

static void test_bit_identical_across_threads_reordered(void **state) {
  (void)state;
  for (size_t k = 0; k < sizeof methods / sizeof methods[0]; k++) {
    mf_nnz n0, n1;
    double *ref = run_mesh_order("box:4x1x1:12x3x3", "xmin", "xmax", methods[k], 1, &n0);
    for (int threads = 2; threads <= 3; threads++) {
      double *u = run_mesh_order("box:4x1x1:12x3x3", "xmin", "xmax", methods[k], threads, &n1);
      assert_int_equal(n1, n0);
      assert_memory_equal(u, ref, (size_t)n0 * sizeof *u);
      free(u);
    }
    free(ref);
  }
  omp_set_num_threads(2);
}

/* The HDF5 mesh writer (results.h5's /mesh, memfem convert) writes a renumbered mesh in
 * its own order: read back, it equals the mesh as loaded. */
static void test_files_keep_mesh_order(void **state) {
  (void)state;
  const char *spec = MF_SOURCE_DIR "/meshes/cube.msh";
  char path[64];
  snprintf(path, sizeof path, "/tmp/memfem-reorder-%d.h5", (int)getpid());
  for (size_t k = 0; k < sizeof methods / sizeof methods[0]; k++) {
    mf_mesh *orig = load(spec), *m = load(spec), *back = NULL;
    assert_int_equal(mf_mesh_reorder(m, methods[k]), MF_OK);
    assert_int_equal(mf_h5_mesh_save(m, path), MF_OK);
    assert_int_equal(mf_h5_mesh_read(path, &back), MF_OK);
    assert_int_equal(back->nodes.n_local, orig->nodes.n_local);
    for (mf_idx i = 0; i < orig->nodes.n_local; i++) {
      double X[3], Y[3];
      mf_nodes_coords(&orig->nodes, i, X);
      mf_nodes_coords(&back->nodes, i, Y);
      assert_memory_equal(X, Y, sizeof X);
    }
    assert_memory_equal(back->nodes.tag, orig->nodes.tag, (size_t)orig->nodes.n_local * sizeof *orig->nodes.tag);
    assert_memory_equal(back->conn, orig->conn, 4 * (size_t)orig->n_elems * sizeof *orig->conn);
    assert_memory_equal(back->elem_tag, orig->elem_tag, (size_t)orig->n_elems * sizeof *orig->elem_tag);
    assert_memory_equal(back->region, orig->region, (size_t)orig->n_elems * sizeof *orig->region);
    assert_memory_equal(back->face_conn, orig->face_conn, 3 * (size_t)orig->n_faces * sizeof *orig->face_conn);
    mf_mesh_destroy(&back);
    mf_mesh_destroy(&orig);
    mf_mesh_destroy(&m);
  }
  unlink(path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_mesh_permuted_consistently),
      cmocka_unit_test(test_orders_narrow_a_shuffled_mesh),
      cmocka_unit_test(test_small_and_disconnected_graphs),
      cmocka_unit_test(test_bad_input_and_metis_failures),
      cmocka_unit_test(test_same_solution_in_mesh_order),
      cmocka_unit_test(test_bit_identical_across_threads_reordered),
      cmocka_unit_test(test_files_keep_mesh_order),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
