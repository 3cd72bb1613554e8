/* Partitioning (mesh/mf_partition.h): a hand-checked row of three hexahedra in two parts;
 * METIS partitions of tet4, tet10 and hex8 boxes in 1..6 parts checked against brute-force
 * definitions (ownership, halo, ghosts, exchange lists that match pairwise); and the
 * refusals (too many parts, a part out of range, an empty part). */
#include <stdlib.h>
#include <string.h>

#include "mesh/mf_mesh.h"
#include "mesh/mf_partition.h"
#include "mf_test.h"

static mf_mesh *load(const char *spec) {
  mf_mesh *m = NULL;
  if (mf_mesh_generate(spec, &m)) fail_msg("%s: %s", spec, mf_error_message());
  return m;
}

static double node_x(const mf_mesh *m, mf_idx i) {
  double X[3];
  mf_nodes_coords(&m->nodes, i, X);
  return X[0];
}

/* box 3x1x1 of hex8 cells, x in [0,3]; parts by cell: 0 | 1 1. Node planes x = 0..3,
 * four nodes each. Planes 0 and 1 touch part 0, planes 1..3 part 1, so plane 0 is part
 * 0's, planes 2 and 3 part 1's, and each node of plane 1 goes to the part its hash picks
 * (a of them to part 0). Then part 0 owns 4 + a nodes and has cell 1 as halo when a > 0
 * (cell 1 touches its plane-1 nodes), with plane 2 as ghosts through it and the 4 - a
 * other plane-1 nodes; part 1 owns 12 - a, has cell 0 as halo when a < 4, with plane 0 as
 * ghosts through it and the a plane-1 nodes of part 0. */
static void test_hand_checked_row(void **state) {
  (void)state;
  mf_mesh *m = load("box:3x1x1:3x1x1:hex8");
  assert_int_equal(m->n_elems, 3);
  int32_t parts[3];
  for (mf_idx e = 0; e < 3; e++) {
    double xc = 0;
    for (int a = 0; a < 8; a++) xc += node_x(m, mf_mesh_elem(m, e)[a]) / 8;
    parts[e] = xc < 1 ? 0 : 1;
  }
  mf_partition *P = NULL;
  assert_int_equal(mf_partition_create(m, 2, parts, &P), MF_OK);
  int a = 0;
  for (mf_idx i = 0; i < m->nodes.n_local; i++) {
    double x = node_x(m, i);
    int expect = x == 0.0 ? 0 : x == 1.0 ? mf_partition_owner_pick(i, 2) : 1;
    assert_int_equal(P->node_owner[i], expect);
    a += x == 1.0 && expect == 0;
  }
  print_message("plane x = 1: %d of its 4 nodes owned by part 0\n", a);
  mf_part *p0 = NULL, *p1 = NULL;
  assert_int_equal(mf_part_create(P, 0, &p0), MF_OK);
  assert_int_equal(mf_part_create(P, 1, &p1), MF_OK);

  assert_int_equal(p0->n_elems_owned, 1);
  assert_int_equal(p0->n_elems, 1 + (a > 0));
  assert_int_equal(p0->n_owned, 4 + a);
  assert_int_equal(p0->n_ghost, (4 - a) + (a > 0 ? 4 : 0));
  assert_int_equal(p1->n_elems_owned, 2);
  assert_int_equal(p1->n_elems, 2 + (a < 4));
  assert_int_equal(p1->n_owned, 12 - a);
  assert_int_equal(p1->n_ghost, a + (a < 4 ? 4 : 0));
  for (mf_idx l = 0; l < p0->n_owned; l++) assert_true(node_x(m, p0->nodes[l]) <= 1.0);
  for (mf_idx g = 0; g < p0->n_ghost; g++) assert_int_equal(p0->ghost_owner[g], 1);
  for (mf_idx g = 0; g < p1->n_ghost; g++) assert_int_equal(p1->ghost_owner[g], 0);
  assert_int_equal(p0->n_neighbours, 1);
  assert_int_equal(p0->neighbours[0], 1);
  assert_int_equal(p1->n_neighbours, 1);
  assert_int_equal(p1->neighbours[0], 0);
  /* each part sends exactly the nodes the other holds as ghosts, in the same order */
  assert_int_equal(p0->send_ptr[1], p1->n_ghost);
  assert_int_equal(p1->send_ptr[1], p0->n_ghost);
  assert_int_equal(p0->recv_ptr[1], p0->n_ghost);
  assert_int_equal(p1->recv_ptr[1], p1->n_ghost);
  for (mf_nnz k = 0; k < p0->send_ptr[1]; k++) {
    assert_true(node_x(m, p0->nodes[p0->send[k]]) <= 1.0);
    assert_int_equal(p0->nodes[p0->send[k]], p1->nodes[p1->recv[k]]);
  }
  for (mf_nnz k = 0; k < p1->send_ptr[1]; k++) assert_int_equal(p1->nodes[p1->send[k]], p0->nodes[p0->recv[k]]);
  assert_int_equal(mf_part_local_node(p0, p1->nodes[p1->n_owned - 1]), -1); /* plane 3: not held by part 0 */
  mf_part_destroy(&p0);
  mf_part_destroy(&p1);
  mf_partition_destroy(&P);
  mf_mesh_destroy(&m);
}

/* The send list of p to q, as mesh nodes; NULL (n = 0) if q is no neighbour. */
static const mf_idx *list_to(const mf_part *p, int q, int send, mf_nnz *n) {
  for (int k = 0; k < p->n_neighbours; k++)
    if (p->neighbours[k] == q) {
      const mf_nnz *ptr = send ? p->send_ptr : p->recv_ptr;
      *n = ptr[k + 1] - ptr[k];
      return (send ? p->send : p->recv) + ptr[k];
    }
  *n = 0;
  return NULL;
}

/* Every definition of mf_partition.h, brute force, for the METIS parts of `spec`. */
static void check_partition(const char *spec, int n_parts) {
  mf_mesh *m = load(spec);
  const mf_idx ne = m->n_elems, nn = m->nodes.n_local;
  mf_partition *P = NULL, *again = NULL;
  if (mf_partition_create(m, n_parts, NULL, &P)) fail_msg("%s in %d: %s", spec, n_parts, mf_error_message());
  assert_int_equal(mf_partition_create(m, n_parts, NULL, &again), MF_OK);
  assert_memory_equal(P->elem_part, again->elem_part, (size_t)ne * sizeof *P->elem_part); /* fixed seed */
  mf_partition_destroy(&again);

  mf_part **pt = calloc((size_t)n_parts, sizeof *pt);
  int *owned_by = calloc((size_t)nn, sizeof *owned_by);
  mf_idx elems_owned = 0;
  for (int p = 0; p < n_parts; p++) {
    assert_int_equal(mf_part_create(P, p, &pt[p]), MF_OK);
    elems_owned += pt[p]->n_elems_owned;
    assert_true(pt[p]->n_elems_owned > 0);
  }
  assert_int_equal(elems_owned, ne);
  for (mf_idx i = 0; i < nn; i++) {
    int has[64] = {0}, k = 0, parts[64];
    assert_true(n_parts <= 64);
    for (mf_idx e = 0; e < ne; e++)
      for (int a = 0; a < m->npe; a++)
        if (mf_mesh_elem(m, e)[a] == i) has[P->elem_part[e]] = 1;
    for (int q = 0; q < n_parts; q++)
      if (has[q]) parts[k++] = q;
    assert_true(k >= 1);
    assert_int_equal(P->node_owner[i], parts[mf_partition_owner_pick(i, k)]);
  }
  for (int p = 0; p < n_parts; p++) {
    const mf_part *q = pt[p];
    for (mf_idx l = 0; l < q->n_owned; l++) {
      assert_int_equal(P->node_owner[q->nodes[l]], p);
      owned_by[q->nodes[l]]++;
      if (l > 0) assert_true(q->nodes[l] > q->nodes[l - 1]);
    }
    /* local elements: own, or touching an owned node; own ones first, both ascending */
    mf_idx k = 0;
    for (int pass = 0; pass < 2; pass++)
      for (mf_idx e = 0; e < ne; e++) {
        int touches = 0;
        for (int a = 0; a < m->npe; a++) touches |= P->node_owner[mf_mesh_elem(m, e)[a]] == p;
        int own = P->elem_part[e] == p;
        if (pass == 0 ? own : (!own && touches)) {
          assert_true(k < q->n_elems);
          assert_int_equal(q->elems[k++], e);
        }
      }
    assert_int_equal(k, q->n_elems);
    /* ghosts: the local elements' nodes not owned, ascending, each with its owner */
    mf_idx n_ghost = 0;
    for (mf_idx i = 0; i < nn; i++) {
      if (P->node_owner[i] == p) continue;
      int held = 0;
      for (mf_idx e = 0; e < q->n_elems && !held; e++)
        for (int a = 0; a < m->npe; a++) held |= mf_mesh_elem(m, q->elems[e])[a] == i;
      if (held) {
        assert_true(n_ghost < q->n_ghost);
        assert_int_equal(q->nodes[q->n_owned + n_ghost], i);
        assert_int_equal(q->ghost_owner[n_ghost], P->node_owner[i]);
        assert_int_equal(mf_part_local_node(q, i), q->n_owned + n_ghost);
        n_ghost++;
      }
    }
    assert_int_equal(n_ghost, q->n_ghost);
  }
  for (mf_idx i = 0; i < nn; i++) assert_int_equal(owned_by[i], 1);
  /* exchange lists match pairwise, node for node; every ghost is received once */
  for (int p = 0; p < n_parts; p++) {
    mf_nnz received = 0;
    for (int q = 0; q < n_parts; q++) {
      if (q == p) continue;
      mf_nnz ns = 0, nr = 0;
      const mf_idx *s = list_to(pt[p], q, 1, &ns), *r = list_to(pt[q], p, 0, &nr);
      assert_int_equal(ns, nr);
      for (mf_nnz k = 0; k < ns; k++) {
        assert_true(s[k] < pt[p]->n_owned);
        assert_true(r[k] >= pt[q]->n_owned);
        assert_int_equal(pt[p]->nodes[s[k]], pt[q]->nodes[r[k]]);
      }
      list_to(pt[p], q, 0, &nr);
      received += nr;
    }
    assert_int_equal(received, pt[p]->n_ghost);
  }
  for (int p = 0; p < n_parts; p++) mf_part_destroy(&pt[p]);
  free(pt);
  free(owned_by);
  mf_partition_destroy(&P);
  mf_mesh_destroy(&m);
}

static void test_metis_parts_match_their_definitions(void **state) {
  (void)state;
  for (int n = 1; n <= 6; n++) {
    check_partition("box:2x1.5x1:4x3x2", n);
    check_partition("box:1x1x1:3x2x2:tet10", n);
    check_partition("box:3x2x2:6x4x3:hex8", n);
  }
}

static void test_refusals(void **state) {
  (void)state;
  mf_mesh *m = load("box:3x1x1:3x1x1:hex8");
  mf_partition *P = NULL;
  assert_int_equal(mf_partition_create(m, 4, NULL, &P), MF_ERR_INPUT);
  assert_non_null(strstr(mf_error_message(), "4 parts of a mesh of 3 elements"));
  mf_error_clear(); /* the first error is the one kept */
  assert_int_equal(mf_partition_create(m, 0, NULL, &P), MF_ERR_INPUT);
  mf_error_clear();
  int32_t out_of_range[3] = {0, 2, 1}, empty[3] = {0, 0, 2};
  assert_int_equal(mf_partition_create(m, 2, out_of_range, &P), MF_ERR_INPUT);
  assert_non_null(strstr(mf_error_message(), "element 1 is in part 2"));
  mf_error_clear();
  assert_int_equal(mf_partition_create(m, 3, empty, &P), MF_ERR_INPUT);
  assert_non_null(strstr(mf_error_message(), "part 1 of 3 has none"));
  assert_null(P);
  mf_error_clear();
  mf_mesh_destroy(&m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_hand_checked_row),
      cmocka_unit_test(test_metis_parts_match_their_definitions),
      cmocka_unit_test(test_refusals),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
