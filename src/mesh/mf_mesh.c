/* Mesh life cycle, group bookkeeping, validity checks and the load report. */
#include "mesh/mf_mesh.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mf_limits.h"
#include "fem/mf_tet4.h"
#include "io/mf_h5_mesh.h"
#include "mem/mf_alloc.h"

/* Bytes of a mesh's arrays per node (coordinates, tag, global id; the boxed layout's
 * per-node block and pointer), per tetrahedron (connectivity, region, tag) and per
 * boundary triangle (connectivity, group face and node lists). */
#define MESH_BYTES_PER_NODE 88.0
#define MESH_BYTES_PER_ELEM 28.0
#define MESH_BYTES_PER_FACE 28.0

mf_status mf_mesh_check_size(double n_nodes, double n_elems, double n_faces, const char *source) {
  MF_CHECK(n_nodes >= 0 && n_elems >= 0 && n_faces >= 0 && n_nodes <= MF_IDX_MAX && n_elems <= MF_IDX_MAX &&
               n_faces <= MF_IDX_MAX,
           MF_ERR_INPUT, "%s: %.10g nodes, %.10g tetrahedra and %.10g boundary triangles exceed memfem's 32-bit local "
           "index range (at most %d of each)", source, n_nodes, n_elems, n_faces, MF_IDX_MAX);
  char what[640];
  snprintf(what, sizeof what, "%s: a mesh of %.10g nodes, %.10g tetrahedra and %.10g boundary triangles (its arrays alone; "
           "the solve needs several times more)", source, n_nodes, n_elems, n_faces);
  return mf_limits_check_memory(MESH_BYTES_PER_NODE * n_nodes + MESH_BYTES_PER_ELEM * n_elems +
                                    MESH_BYTES_PER_FACE * n_faces, what);
}

mf_status mf_mesh_alloc(mf_idx n_nodes, mf_idx n_elems, mf_idx n_faces, int n_groups, mf_mesh **out) {
  *out = NULL;
  MF_CALL(mf_mesh_check_size(n_nodes, n_elems, n_faces, "mesh"));
  mf_mesh *m;
  MF_CALL(MF_CALLOC_N(m, 1, "mesh"));
  mf_status st;
  if ((st = mf_nodes_create(n_nodes, &m->nodes))) goto fail;
  m->n_elems = m->n_elems_owned = n_elems;
  m->n_faces = n_faces;
  m->n_groups = n_groups;
  if ((st = MF_ALLOC_N(m->conn, 4 * (size_t)n_elems, "element connectivity")) ||
      (st = MF_ALLOC_N(m->region, n_elems, "element regions")) ||
      (st = MF_ALLOC_N(m->elem_tag, n_elems, "element tags")) ||
      (st = MF_ALLOC_N(m->face_conn, 3 * (size_t)n_faces, "face connectivity")) ||
      (st = MF_CALLOC_N(m->groups, n_groups, "groups")))
    goto fail;
#pragma omp parallel for schedule(static)
  for (mf_idx e = 0; e < n_elems; e++) {
    for (int a = 0; a < 4; a++) m->conn[4 * (size_t)e + a] = 0;
    m->region[e] = -1;
    m->elem_tag[e] = (mf_gidx)e + 1;
  }
  *out = m;
  return MF_OK;
fail:
  mf_mesh_destroy(&m);
  return st;
}

static int cmp_idx(const void *a, const void *b) {
  mf_idx x = *(const mf_idx *)a, y = *(const mf_idx *)b;
  return (x > y) - (x < y);
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
    MF_CALL(MF_ALLOC_N(tmp, 3 * (size_t)gr->n_faces, "group node list"));
    for (mf_idx f = 0; f < gr->n_faces; f++)
      for (int a = 0; a < 3; a++) tmp[3 * (size_t)f + a] = m->face_conn[3 * (size_t)gr->faces[f] + a];
    size_t n = 3 * (size_t)gr->n_faces;
    qsort(tmp, n, sizeof *tmp, cmp_idx);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
      if (k == 0 || tmp[i] != tmp[k - 1]) tmp[k++] = tmp[i];
    gr->n_nodes = (mf_idx)k;
    gr->nodes = tmp; /* over-allocated by at most 3x for a short list; kept as is */
  }
  for (mf_idx e = 0; e < m->n_elems; e++)
    if (m->region[e] >= 0 && m->region[e] < m->n_groups) m->groups[m->region[e]].n_elems++;
  return MF_OK;
}

mf_status mf_mesh_check_volumes(const mf_mesh *m) {
  mf_idx bad = -1;
  double bad_vol = 0.0;
  /* Smallest failing index wins, so the message does not depend on the thread count. */
#pragma omp parallel
  {
    mf_idx my_bad = -1;
    double my_vol = 0.0;
#pragma omp for schedule(static) nowait
    for (mf_idx e = 0; e < m->n_elems; e++) {
      double X[4][3];
      for (int a = 0; a < 4; a++) mf_nodes_coords(&m->nodes, m->conn[4 * (size_t)e + a], X[a]);
      /* Flat to round-off counts as zero volume: relative to the longest edge cubed. */
      double v = mf_tet4_volume(X), h2 = 0.0;
      for (int a = 0; a < 4; a++)
        for (int b = a + 1; b < 4; b++) {
          double dx = X[a][0] - X[b][0], dy = X[a][1] - X[b][1], dz = X[a][2] - X[b][2];
          h2 = fmax(h2, dx * dx + dy * dy + dz * dz);
        }
      if (!(v > 1e-12 * h2 * sqrt(h2)) && my_bad < 0) { my_bad = e; my_vol = v; }
    }
#pragma omp critical(mf_check_volumes)
    if (my_bad >= 0 && (bad < 0 || my_bad < bad)) { bad = my_bad; bad_vol = my_vol; }
  }
  if (bad >= 0) {
    const mf_idx *c = &m->conn[4 * (size_t)bad];
    return MF_ERROR(MF_ERR_MESH,
                    "%s: element %lld (nodes %lld %lld %lld %lld) is %s, volume %.3e: "
                    "fix the mesh or its node ordering",
                    m->source, (long long)m->elem_tag[bad], (long long)m->nodes.tag[c[0]],
                    (long long)m->nodes.tag[c[1]], (long long)m->nodes.tag[c[2]],
                    (long long)m->nodes.tag[c[3]], bad_vol < 0 ? "inverted" : "degenerate (zero volume)",
                    bad_vol);
  }
  return MF_OK;
}

const mf_group *mf_mesh_find_group(const mf_mesh *m, const char *name, int dim) {
  for (int g = 0; g < m->n_groups; g++)
    if ((dim < 0 || m->groups[g].dim == dim) && strcmp(m->groups[g].name, name) == 0) return &m->groups[g];
  return NULL;
}

mf_status mf_mesh_load(const char *path_or_spec, mf_mesh **mesh) {
  *mesh = NULL;
  size_t len = strlen(path_or_spec);
  if (strncmp(path_or_spec, "box:", 4) == 0) MF_CALL(mf_mesh_generate(path_or_spec, mesh));
  else if (len > 3 && strcmp(path_or_spec + len - 3, ".h5") == 0) MF_CALL(mf_h5_mesh_read(path_or_spec, mesh));
  else MF_CALL(mf_mesh_read_gmsh(path_or_spec, mesh));
  mf_status st = mf_mesh_check_volumes(*mesh);
  if (st) mf_mesh_destroy(mesh);
  return st;
}

void mf_mesh_report(const mf_mesh *m, FILE *out) {
  fprintf(out, "mesh %s\n", m->source);
  fprintf(out, "  nodes %lld (owned %lld, ghost %lld)\n", (long long)m->nodes.n_local,
          (long long)m->nodes.n_owned, (long long)m->nodes.n_ghost);
  fprintf(out, "  tetrahedra %lld, boundary triangles %lld", (long long)m->n_elems, (long long)m->n_faces);
  if (m->n_points_skipped || m->n_lines_skipped)
    fprintf(out, ", skipped points %lld, lines %lld", (long long)m->n_points_skipped,
            (long long)m->n_lines_skipped);
  fprintf(out, "\n");
  for (int g = 0; g < m->n_groups; g++) {
    const mf_group *gr = &m->groups[g];
    if (gr->dim == 3)
      fprintf(out, "  volume  %-16s %lld tetrahedra\n", gr->name, (long long)gr->n_elems);
    else if (gr->dim == 2)
      fprintf(out, "  surface %-16s %lld triangles, %lld nodes%s\n", gr->name, (long long)gr->n_faces,
              (long long)gr->n_nodes, gr->n_faces == 0 ? "  (warning: no faces)" : "");
    else
      fprintf(out, "  %dD group %-14s (not used)\n", gr->dim, gr->name);
  }
  if (m->n_unassigned_elems)
    fprintf(out, "  %lld tetrahedra belong to no physical volume\n", (long long)m->n_unassigned_elems);
  if (m->n_unassigned_faces)
    fprintf(out, "  %lld triangles belong to no physical surface\n", (long long)m->n_unassigned_faces);
}

void mf_mesh_destroy(mf_mesh **mp) {
  mf_mesh *m = *mp;
  if (!m) return;
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
