/* Putting a mesh into a new node order (mf_mesh_apply_node_order) and choosing that
 * order (mf_mesh_reorder): every node- and element-indexed array is permuted, and the
 * permutations are kept for output in the mesh's own order. Serial setup code. */
#include <stdlib.h>
#include <string.h>

#include "mem/mf_alloc.h"
#include "mesh/mf_mesh.h"
#include "mesh/mf_reorder.h"

/* Node store in the new order: a fresh store (so every layout, the boxed one included,
 * lays out its records in the new order) filled through the layout's accessors. */
static mf_status permute_nodes(mf_nodes *ns, const mf_idx *new2old) {
  mf_nodes fresh;
  MF_CALL(mf_nodes_create(ns->n_local, &fresh));
  for (mf_idx k = 0; k < ns->n_local; k++) {
    double X[3];
    mf_nodes_coords(ns, new2old[k], X);
    mf_nodes_set_coords(&fresh, k, X);
    fresh.tag[k] = ns->tag[new2old[k]];
    fresh.global_id[k] = ns->global_id[new2old[k]];
  }
  mf_nodes_destroy(ns);
  *ns = fresh;
  return MF_OK;
}

/* Elements ordered by their smallest new node number, ties in their old order (a stable
 * counting sort), so that element loops sweep the node arrays front to back. */
static mf_status element_order(const mf_mesh *m, mf_idx *elem_new2old) {
  const mf_idx n = m->nodes.n_local;
  mf_idx *start;
  MF_CALL(MF_CALLOC_N(start, (size_t)n + 1, "element sort buckets"));
  for (mf_idx e = 0; e < m->n_elems; e++) {
    const mf_idx *c = mf_mesh_elem(m, e);
    mf_idx lo = c[0];
    for (int a = 1; a < m->npe; a++) lo = c[a] < lo ? c[a] : lo;
    start[lo + 1]++;
  }
  for (mf_idx i = 0; i < n; i++) start[i + 1] += start[i];
  for (mf_idx e = 0; e < m->n_elems; e++) {
    const mf_idx *c = mf_mesh_elem(m, e);
    mf_idx lo = c[0];
    for (int a = 1; a < m->npe; a++) lo = c[a] < lo ? c[a] : lo;
    elem_new2old[start[lo]++] = e;
  }
  mf_free(&start);
  return MF_OK;
}

static mf_status permute_elements(mf_mesh *m, const mf_idx *elem_new2old) {
  mf_idx *conn = NULL;
  int32_t *region = NULL;
  mf_gidx *tag = NULL;
  mf_status st;
  if ((st = MF_ALLOC_N(conn, (size_t)m->npe * m->n_elems, "element connectivity")) ||
      (st = MF_ALLOC_N(region, m->n_elems, "element regions")) ||
      (st = MF_ALLOC_N(tag, m->n_elems, "element tags"))) {
    mf_free(&conn);
    mf_free(&region);
    mf_free(&tag);
    return st;
  }
  for (mf_idx k = 0; k < m->n_elems; k++) {
    mf_idx e = elem_new2old[k];
    memcpy(&conn[(size_t)m->npe * k], mf_mesh_elem(m, e), (size_t)m->npe * sizeof *conn);
    region[k] = m->region[e];
    tag[k] = m->elem_tag[e];
  }
  mf_free(&m->conn);
  mf_free(&m->region);
  mf_free(&m->elem_tag);
  m->conn = conn;
  m->region = region;
  m->elem_tag = tag;
  return MF_OK;
}

mf_status mf_mesh_apply_node_order(mf_mesh *m, const mf_idx *new2old) {
  const mf_idx n = m->nodes.n_local;
  MF_CHECK(!m->node_new2old, MF_ERR_INTERNAL, "%s: renumbering: the mesh is already renumbered", m->source);
  MF_CHECK(m->nodes.n_ghost == 0, MF_ERR_INTERNAL, "%s: renumbering: a mesh with ghost nodes is not supported",
           m->source);
  MF_CHECK(mf_reorder_is_permutation(n, new2old), MF_ERR_INTERNAL,
           "%s: renumbering: the new node order is not a permutation of the %lld nodes", m->source, (long long)n);
  mf_mesh_drop_cuts(m);
  mf_status st;
  if ((st = MF_ALLOC_N(m->node_new2old, (size_t)n + 1, "node order (new to old)")) ||
      (st = MF_ALLOC_N(m->node_old2new, (size_t)n + 1, "node order (old to new)")) ||
      (st = MF_ALLOC_N(m->elem_new2old, (size_t)m->n_elems + 1, "element order (new to old)")) ||
      (st = MF_ALLOC_N(m->elem_old2new, (size_t)m->n_elems + 1, "element order (old to new)")))
    goto fail;
  for (mf_idx k = 0; k < n; k++) {
    m->node_new2old[k] = new2old[k];
    m->node_old2new[new2old[k]] = k;
  }
  const mf_idx *o2n = m->node_old2new;
  for (size_t k = 0; k < (size_t)m->npe * m->n_elems; k++) m->conn[k] = o2n[m->conn[k]];
  for (size_t k = 0; k < (size_t)m->nfn * m->n_faces; k++) m->face_conn[k] = o2n[m->face_conn[k]];
  for (int g = 0; g < m->n_groups; g++) {
    mf_group *gr = &m->groups[g];
    for (mf_idx k = 0; k < gr->n_nodes; k++) gr->nodes[k] = o2n[gr->nodes[k]];
    /* group node lists stay sorted (mf_mesh.h), now by new number */
    if (gr->n_nodes > 1) qsort(gr->nodes, (size_t)gr->n_nodes, sizeof *gr->nodes, mf_idx_compare);
  }
  if ((st = permute_nodes(&m->nodes, new2old)) || (st = element_order(m, m->elem_new2old)) ||
      (st = permute_elements(m, m->elem_new2old)))
    goto fail;
  for (mf_idx k = 0; k < m->n_elems; k++) m->elem_old2new[m->elem_new2old[k]] = k;
  return MF_OK;
fail:
  /* half-permuted: the caller must discard the mesh */
  return st;
}

void mf_mesh_adopt_order(mf_mesh *m) {
  mf_free(&m->node_new2old);
  mf_free(&m->node_old2new);
  mf_free(&m->elem_new2old);
  mf_free(&m->elem_old2new);
}

void mf_mesh_node_spread(const mf_mesh *m, mf_idx *half_bandwidth, double *mean) {
  mf_idx bw = 0;
  double sum = 0.0;
  for (mf_idx e = 0; e < m->n_elems; e++) {
    const mf_idx *c = mf_mesh_elem(m, e);
    for (int a = 0; a < m->npe; a++)
      for (int b = a + 1; b < m->npe; b++) {
        mf_idx d = c[a] > c[b] ? c[a] - c[b] : c[b] - c[a];
        bw = d > bw ? d : bw;
        sum += d;
      }
  }
  *half_bandwidth = bw;
  *mean = m->n_elems ? sum / (6.0 * m->n_elems) : 0.0;
}

mf_status mf_mesh_reorder(mf_mesh *m, mf_reorder_method method) {
  if (method == MF_REORDER_NONE) return MF_OK;
  mf_idx *xadj = NULL, *adj = NULL, *new2old = NULL;
  mf_status st;
  if ((st = mf_reorder_node_graph(m, &xadj, &adj)) ||
      (st = MF_ALLOC_N(new2old, (size_t)m->nodes.n_local + 1, "new node order")))
    goto done;
  st = method == MF_REORDER_RCM ? mf_reorder_rcm(m->nodes.n_local, xadj, adj, new2old)
                                : mf_reorder_metis(m->nodes.n_local, xadj, adj, new2old);
  if (!st) st = mf_mesh_apply_node_order(m, new2old);
done:
  mf_free(&xadj);
  mf_free(&adj);
  mf_free(&new2old);
  if (st) mf_error_trace(__FILE__, __LINE__, __func__);
  return st;
}
