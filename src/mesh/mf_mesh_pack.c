/* A mesh as a stream (see mf_mesh_pack.h). */
#include "mesh/mf_mesh_pack.h"

#include <string.h>

#include "mem/mf_alloc.h"

/* The counts both forms start with. */
static mf_status pack_head(const mf_mesh *m, mf_pack *p) {
  const int64_t head[] = {m->elem->type, m->nodes.n_local, m->nodes.n_owned, m->n_elems, m->n_elems_owned,
                          m->n_faces,    m->n_groups};
  MF_CALL(mf_pack_array(p, m->source, sizeof m->source, 1));
  return mf_pack_array(p, head, sizeof head / sizeof *head, sizeof *head);
}

static mf_status unpack_head(mf_unpack *u, char *source, int64_t head[7]) {
  MF_CALL(mf_unpack_array(u, source, sizeof((mf_mesh *)0)->source, 1, "mesh source"));
  MF_CALL(mf_unpack_array(u, head, 7, sizeof *head, "mesh counts"));
  MF_CHECK(head[0] >= 0 && head[0] < MF_ELEM_TYPES && head[1] >= head[2] && head[2] >= 0 && head[3] >= head[4] &&
               head[4] >= 0 && head[5] >= 0 && head[6] >= 0,
           MF_ERR_INTERNAL, "%s: mesh counts out of range", u->what);
  return MF_OK;
}

/* A group's name, dimension, tag and face count (unpack_group reads them). */
static mf_status pack_group(const mf_group *gr, int64_t n_faces, mf_pack *p) {
  MF_CALL(mf_pack_array(p, gr->name, sizeof gr->name, 1));
  MF_CALL(mf_pack_i64(p, gr->dim));
  MF_CALL(mf_pack_i64(p, gr->tag));
  return mf_pack_i64(p, n_faces);
}

static mf_status unpack_group(mf_unpack *u, mf_group *gr, int64_t *n_faces) {
  int64_t dim, tag;
  MF_CALL(mf_unpack_array(u, gr->name, sizeof gr->name, 1, "group name"));
  MF_CALL(mf_unpack_i64(u, &dim));
  MF_CALL(mf_unpack_i64(u, &tag));
  MF_CALL(mf_unpack_i64(u, n_faces));
  gr->dim = (int)dim;
  gr->tag = (int)tag;
  gr->name[sizeof gr->name - 1] = '\0';
  return MF_OK;
}

mf_status mf_mesh_pack(const mf_mesh *m, mf_pack *p) {
  const mf_idx n = m->nodes.n_local;
  MF_CALL(pack_head(m, p));
  double *X = NULL;
  if (p->w) { /* the coordinates of any node layout, as x, y, z per node */
    MF_CALL(MF_ALLOC_N(X, 3 * (size_t)n + 1, "packed coordinates"));
    for (mf_idx i = 0; i < n; i++) mf_nodes_coords(&m->nodes, i, &X[3 * (size_t)i]);
  }
  mf_status st = mf_pack_array(p, X, 3 * (size_t)n, sizeof *X);
  mf_free(&X);
  MF_CALL(st);
  MF_CALL(mf_pack_array(p, m->nodes.global_id, (size_t)n, sizeof *m->nodes.global_id));
  MF_CALL(mf_pack_array(p, m->nodes.tag, (size_t)n, sizeof *m->nodes.tag));
  MF_CALL(mf_pack_array(p, m->conn, (size_t)m->npe * m->n_elems, sizeof *m->conn));
  MF_CALL(mf_pack_array(p, m->region, (size_t)m->n_elems, sizeof *m->region));
  MF_CALL(mf_pack_array(p, m->elem_tag, (size_t)m->n_elems, sizeof *m->elem_tag));
  MF_CALL(mf_pack_array(p, m->face_conn, (size_t)m->nfn * m->n_faces, sizeof *m->face_conn));
  for (int g = 0; g < m->n_groups; g++) {
    const mf_group *gr = &m->groups[g];
    MF_CALL(pack_group(gr, gr->dim == 2 ? gr->n_faces : 0, p));
    if (gr->dim == 2) MF_CALL(mf_pack_array(p, gr->faces, (size_t)gr->n_faces, sizeof *gr->faces));
  }
  return MF_OK;
}

mf_status mf_mesh_unpack(mf_unpack *u, mf_mesh **out) {
  *out = NULL;
  char source[sizeof((mf_mesh *)0)->source];
  int64_t h[7];
  MF_CALL(unpack_head(u, source, h));
  mf_mesh *m = NULL;
  double *X = NULL;
  mf_status st = mf_mesh_alloc((mf_elem_type)h[0], (mf_idx)h[1], (mf_idx)h[3], (mf_idx)h[5], (int)h[6], &m);
  if (st) return st;
  memcpy(m->source, source, sizeof source);
  const mf_idx n = (mf_idx)h[1];
  m->nodes.n_owned = (mf_idx)h[2];
  m->nodes.n_ghost = n - (mf_idx)h[2];
  m->n_elems_owned = (mf_idx)h[4];
  if (!(st = mf_unpack_alloc(u, &X, 3 * (size_t)n, sizeof *X, "node coordinates"))) {
    for (mf_idx i = 0; i < n; i++) mf_nodes_set_coords(&m->nodes, i, &X[3 * (size_t)i]);
    st = mf_unpack_array(u, m->nodes.global_id, (size_t)n, sizeof *m->nodes.global_id, "node global ids");
  }
  mf_free(&X);
  if (!st) st = mf_unpack_array(u, m->nodes.tag, (size_t)n, sizeof *m->nodes.tag, "node tags");
  if (!st) st = mf_unpack_array(u, m->conn, (size_t)m->npe * m->n_elems, sizeof *m->conn, "connectivity");
  if (!st) st = mf_unpack_array(u, m->region, (size_t)m->n_elems, sizeof *m->region, "element regions");
  if (!st) st = mf_unpack_array(u, m->elem_tag, (size_t)m->n_elems, sizeof *m->elem_tag, "element tags");
  if (!st) st = mf_unpack_array(u, m->face_conn, (size_t)m->nfn * m->n_faces, sizeof *m->face_conn, "faces");
  for (int g = 0; g < m->n_groups && !st; g++) {
    mf_group *gr = &m->groups[g];
    int64_t nf;
    if ((st = unpack_group(u, gr, &nf)) || gr->dim != 2) continue;
    gr->n_faces = (mf_idx)nf;
    st = mf_unpack_alloc(u, &gr->faces, (size_t)nf, sizeof *gr->faces, "group faces");
  }
  if (!st) st = mf_mesh_finish_groups(m);
  if (st) {
    mf_mesh_destroy(&m);
    return st;
  }
  *out = m;
  return MF_OK;
}

mf_status mf_mesh_pack_outline(const mf_mesh *m, mf_pack *p) {
  MF_CALL(pack_head(m, p));
  for (int g = 0; g < m->n_groups; g++) {
    const mf_group *gr = &m->groups[g];
    MF_CALL(pack_group(gr, gr->n_faces, p));
    MF_CALL(mf_pack_i64(p, gr->n_elems));
    MF_CALL(mf_pack_i64(p, gr->n_nodes));
    MF_CALL(mf_pack_array(p, gr->nodes, (size_t)gr->n_nodes, sizeof *gr->nodes));
  }
  return MF_OK;
}

mf_status mf_mesh_unpack_outline(mf_unpack *u, mf_mesh **out) {
  *out = NULL;
  int64_t h[7];
  mf_mesh *m;
  MF_CALL(MF_CALLOC_N(m, 1, "mesh outline"));
  mf_status st = unpack_head(u, m->source, h);
  if (!st) st = MF_CALLOC_N(m->groups, (size_t)h[6] + 1, "groups");
  if (!st) {
    m->elem = mf_elem_topology_of((mf_elem_type)h[0]);
    m->npe = m->elem->nodes;
    m->nfn = m->elem->face_nodes;
    m->nodes.n_local = (mf_idx)h[1];
    m->nodes.n_owned = (mf_idx)h[2];
    m->nodes.n_ghost = (mf_idx)(h[1] - h[2]);
    m->n_elems = (mf_idx)h[3];
    m->n_elems_owned = (mf_idx)h[4];
    m->n_faces = (mf_idx)h[5];
    m->n_groups = (int)h[6];
  }
  for (int g = 0; g < m->n_groups && !st; g++) {
    mf_group *gr = &m->groups[g];
    int64_t nf, ne, nn;
    if ((st = unpack_group(u, gr, &nf)) || (st = mf_unpack_i64(u, &ne)) || (st = mf_unpack_i64(u, &nn))) break;
    gr->n_faces = (mf_idx)nf;
    gr->n_elems = (mf_idx)ne;
    gr->n_nodes = (mf_idx)nn;
    st = mf_unpack_alloc(u, &gr->nodes, (size_t)nn, sizeof *gr->nodes, "group nodes");
  }
  m->source[sizeof m->source - 1] = '\0';
  if (st) {
    mf_mesh_destroy(&m);
    return st;
  }
  *out = m;
  return MF_OK;
}
