/* Two meshes compared field for field (cmocka): what a mesh that went through a file or
 * a stream must bring back. */
#ifndef MF_TEST_MESH_H
#define MF_TEST_MESH_H

#include "mf_test.h"
#include "mesh/mf_mesh.h"

/* Coordinates to the bit, node tags, connectivity, regions, element tags, boundary
 * faces, and every group (name, dimension, tag, faces, nodes, element count). */
static inline void mf_test_assert_same_mesh(const mf_mesh *a, const mf_mesh *b) {
  assert_ptr_equal(a->elem, b->elem);
  assert_int_equal(a->nodes.n_local, b->nodes.n_local);
  for (mf_idx i = 0; i < a->nodes.n_local; i++) {
    double x[3], y[3];
    mf_nodes_coords(&a->nodes, i, x);
    mf_nodes_coords(&b->nodes, i, y);
    assert_memory_equal(x, y, sizeof x);
  }
  assert_memory_equal(a->nodes.tag, b->nodes.tag, (size_t)a->nodes.n_local * sizeof *a->nodes.tag);
  assert_int_equal(a->n_elems, b->n_elems);
  assert_memory_equal(a->conn, b->conn, (size_t)a->npe * a->n_elems * sizeof *a->conn);
  assert_memory_equal(a->region, b->region, (size_t)a->n_elems * sizeof *a->region);
  assert_memory_equal(a->elem_tag, b->elem_tag, (size_t)a->n_elems * sizeof *a->elem_tag);
  assert_int_equal(a->n_faces, b->n_faces);
  if (a->n_faces) assert_memory_equal(a->face_conn, b->face_conn, (size_t)a->nfn * a->n_faces * sizeof *a->face_conn);
  assert_int_equal(a->n_groups, b->n_groups);
  for (int g = 0; g < a->n_groups; g++) {
    const mf_group *x = &a->groups[g], *y = &b->groups[g];
    assert_string_equal(x->name, y->name);
    assert_int_equal(x->dim, y->dim);
    assert_int_equal(x->tag, y->tag);
    assert_int_equal(x->n_faces, y->n_faces);
    if (x->n_faces) assert_memory_equal(x->faces, y->faces, (size_t)x->n_faces * sizeof *x->faces);
    assert_int_equal(x->n_nodes, y->n_nodes);
    if (x->n_nodes) assert_memory_equal(x->nodes, y->nodes, (size_t)x->n_nodes * sizeof *x->nodes);
    assert_int_equal(x->n_elems, y->n_elems);
  }
}

#endif
