/* Mesh life cycle, group bookkeeping, validity checks and the load report. */
#include "mesh/mf_mesh.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mf_limits.h"
#include "mem/mf_alloc.h"
#include "mesh/mf_reorder.h"

/* Bytes of a mesh's arrays per node (coordinates, tag, global id; the boxed layout's
 * per-node block and pointer), per element (connectivity, region, tag) and per boundary
 * face (connectivity, group face and node lists). */
#define MESH_BYTES_PER_NODE 88.0
#define MESH_BYTES_PER_ELEM_NODE 4.0
#define MESH_BYTES_PER_ELEM 12.0
#define MESH_BYTES_PER_FACE_NODE 4.0
#define MESH_BYTES_PER_FACE 16.0

mf_status mf_mesh_check_size(mf_elem_type type, double n_nodes, double n_elems, double n_faces, const char *source) {
  const mf_elem_topology *t = mf_elem_topology_of(type);
  MF_CHECK(n_nodes >= 0 && n_elems >= 0 && n_faces >= 0 && n_nodes <= MF_IDX_MAX && n_elems <= MF_IDX_MAX &&
               n_faces <= MF_IDX_MAX,
           MF_ERR_INPUT, "%s: %.10g nodes, %.10g %s and %.10g boundary faces exceed memfem's 32-bit local "
           "index range (at most %d of each)", source, n_nodes, n_elems, t->plural, n_faces, MF_IDX_MAX);
  char what[640];
  snprintf(what, sizeof what, "%s: a mesh of %.10g nodes, %.10g %s and %.10g boundary faces (its arrays "
           "alone; the solve needs several times more)", source, n_nodes, n_elems, t->plural, n_faces);
  return mf_limits_check_memory(MESH_BYTES_PER_NODE * n_nodes +
                                    (MESH_BYTES_PER_ELEM_NODE * t->nodes + MESH_BYTES_PER_ELEM) * n_elems +
                                    (MESH_BYTES_PER_FACE_NODE * t->face_nodes + MESH_BYTES_PER_FACE) * n_faces,
                                what);
}

mf_status mf_mesh_alloc(mf_elem_type type, mf_idx n_nodes, mf_idx n_elems, mf_idx n_faces, int n_groups,
                        mf_mesh **out) {
  *out = NULL;
  MF_CALL(mf_mesh_check_size(type, n_nodes, n_elems, n_faces, "mesh"));
  mf_mesh *m;
  MF_CALL(MF_CALLOC_N(m, 1, "mesh"));
  m->elem = mf_elem_topology_of(type);
  m->npe = m->elem->nodes;
  m->nfn = m->elem->face_nodes;
  const int npe = m->npe;
  mf_status st;
  if ((st = mf_nodes_create(n_nodes, &m->nodes))) goto fail;
  m->n_elems = m->n_elems_owned = n_elems;
  m->n_faces = n_faces;
  m->n_groups = n_groups;
  if ((st = MF_ALLOC_N(m->conn, (size_t)npe * n_elems, "element connectivity")) ||
      (st = MF_ALLOC_N(m->region, n_elems, "element regions")) ||
      (st = MF_ALLOC_N(m->elem_tag, n_elems, "element tags")) ||
      (st = MF_ALLOC_N(m->face_conn, (size_t)m->nfn * n_faces, "face connectivity")) ||
      (st = MF_CALLOC_N(m->groups, n_groups, "groups")))
    goto fail;
#pragma omp parallel for schedule(static)
  for (mf_idx e = 0; e < n_elems; e++) {
    for (int a = 0; a < npe; a++) m->conn[(size_t)npe * e + a] = 0;
    m->region[e] = -1;
    m->elem_tag[e] = (mf_gidx)e + 1;
  }
  *out = m;
  return MF_OK;
fail:
  mf_mesh_destroy(&m);
  return st;
}

mf_status mf_mesh_finish_groups(mf_mesh *m) {
  for (int g = 0; g < m->n_groups; g++) {
    mf_group *gr = &m->groups[g];
    gr->n_elems = 0;
    if (gr->dim != 2) continue;
    mf_free(&gr->nodes);
    gr->n_nodes = 0;
    if (gr->n_faces == 0) continue;
    mf_idx *tmp;
    const int nfn = m->nfn;
    MF_CALL(MF_ALLOC_N(tmp, (size_t)nfn * gr->n_faces, "group node list"));
    for (mf_idx f = 0; f < gr->n_faces; f++)
      for (int a = 0; a < nfn; a++) tmp[(size_t)nfn * f + a] = mf_mesh_face(m, gr->faces[f])[a];
    size_t n = (size_t)nfn * gr->n_faces;
    qsort(tmp, n, sizeof *tmp, mf_idx_compare);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
      if (k == 0 || tmp[i] != tmp[k - 1]) tmp[k++] = tmp[i];
    gr->n_nodes = (mf_idx)k;
    gr->nodes = tmp; /* over-allocated by at most nfn times for a short list; kept as is */
  }
  for (mf_idx e = 0; m->region && e < m->n_elems; e++) /* an outline has none: counted where read */
    if (m->region[e] >= 0 && m->region[e] < m->n_groups) m->groups[m->region[e]].n_elems++;
  return MF_OK;
}

const mf_group *mf_mesh_find_group(const mf_mesh *m, const char *name, int dim) {
  for (int g = 0; g < m->n_groups; g++)
    if ((dim < 0 || m->groups[g].dim == dim) && strcmp(m->groups[g].name, name) == 0) return &m->groups[g];
  return NULL;
}

void mf_mesh_report(const mf_mesh *m, FILE *out) {
  fprintf(out, "mesh %s\n", m->source);
  fprintf(out, "  nodes %lld (owned %lld, ghost %lld)\n", (long long)m->nodes.n_local,
          (long long)m->nodes.n_owned, (long long)m->nodes.n_ghost);
  fprintf(out, "  %s %lld, boundary %s %lld", m->elem->plural, (long long)m->n_elems, m->elem->face_plural,
          (long long)m->n_faces);
  if (m->n_points_skipped || m->n_lines_skipped)
    fprintf(out, ", skipped points %lld, lines %lld", (long long)m->n_points_skipped,
            (long long)m->n_lines_skipped);
  fprintf(out, "\n");
  for (int g = 0; g < m->n_groups; g++) {
    const mf_group *gr = &m->groups[g];
    if (gr->dim == 3)
      fprintf(out, "  volume  %-16s %lld %s\n", gr->name, (long long)gr->n_elems, m->elem->plural);
    else if (gr->dim == 2)
      fprintf(out, "  surface %-16s %lld %s, %lld nodes%s\n", gr->name, (long long)gr->n_faces, m->elem->face_plural,
              (long long)gr->n_nodes, gr->n_faces == 0 ? "  (warning: no faces)" : "");
    else
      fprintf(out, "  %dD group %-14s (not used)\n", gr->dim, gr->name);
  }
  if (m->n_unassigned_elems)
    fprintf(out, "  %lld %s belong to no physical volume\n", (long long)m->n_unassigned_elems, m->elem->plural);
  if (m->n_unassigned_faces)
    fprintf(out, "  %lld %s belong to no physical surface\n", (long long)m->n_unassigned_faces,
            m->elem->face_plural);
  const mf_mesh_cuts *c = m->cuts;
  if (!c) return;
  fprintf(out, "  cuts    %s order, %d assembly blocks", mf_reorder_name((mf_reorder_method)c->order), c->n_blocks);
  for (int k = 0; k < c->n_part_cuts; k++) fprintf(out, "%s%d", k ? ", " : ", parts for ", c->parts[k]);
  fprintf(out, "%s (memfem convert --order)\n", c->n_part_cuts ? " processes" : "");
}

int mf_mesh_has_part_cut(const mf_mesh *m, int parts) {
  for (int k = 0; m->cuts && k < m->cuts->n_part_cuts; k++)
    if (m->cuts->parts[k] == parts) return 1;
  return 0;
}

const int32_t *mf_mesh_stored_parts(const mf_mesh *m, int parts) {
  for (int k = 0; m->cuts && k < m->cuts->n_part_cuts; k++)
    if (m->cuts->parts[k] == parts) return m->cuts->elem_part[k];
  return NULL;
}

void mf_mesh_drop_cuts(mf_mesh *m) {
  mf_mesh_cuts *c = m->cuts;
  if (!c) return;
  mf_free(&c->elem_block);
  for (int k = 0; k < c->n_part_cuts; k++) {
    mf_free(&c->elem_part[k]);
    mf_free(&c->node_owner[k]);
    mf_free(&c->local_ptr[k]);
    mf_free(&c->local[k]);
  }
  for (int k = 0; k < 2; k++) mf_free(&c->plan_key[k]);
  mf_free(&m->cuts);
}

void mf_mesh_drop_bulk(mf_mesh *m) {
  mf_mesh_drop_cuts(m);
  mf_nodes_layout_free(&m->nodes);
  mf_free(&m->nodes.global_id);
  mf_free(&m->conn);
  mf_free(&m->region);
  mf_free(&m->elem_tag);
  mf_free(&m->face_conn);
  for (int g = 0; g < m->n_groups; g++) mf_free(&m->groups[g].faces);
  mf_free(&m->node_new2old);
  mf_free(&m->node_old2new);
  mf_free(&m->elem_new2old);
  mf_free(&m->elem_old2new);
}

void mf_mesh_destroy(mf_mesh **mp) {
  mf_mesh *m = *mp;
  if (!m) return;
  mf_mesh_drop_cuts(m);
  mf_nodes_destroy(&m->nodes);
  mf_free(&m->conn);
  mf_free(&m->region);
  mf_free(&m->elem_tag);
  mf_free(&m->face_conn);
  mf_free(&m->node_new2old);
  mf_free(&m->node_old2new);
  mf_free(&m->elem_new2old);
  mf_free(&m->elem_old2new);
  if (m->groups)
    for (int g = 0; g < m->n_groups; g++) {
      mf_free(&m->groups[g].faces);
      mf_free(&m->groups[g].nodes);
    }
  mf_free(&m->groups);
  mf_free(mp);
}
