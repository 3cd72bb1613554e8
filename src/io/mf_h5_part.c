/* A process's own part of a mesh file (see mf_h5_part.h). */
#include "io/mf_h5_part.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/mf_h5.h"
#include "io/mf_h5_mesh.h"
#include "mem/mf_alloc.h"

int mf_h5_part_available(const mf_mesh *m, int n_parts, mf_assembly_method method) {
  const mf_mesh_cuts *c = m->cuts;
  return c && c->has_views && c->n_keys[method] > 0 && mf_mesh_has_part_cut(m, n_parts);
}

/* What the reading holds until the part is made. Element and node numbers are the
 * mesh's (the file's rows) unless said to be the sub-mesh's. */
typedef struct {
  const char *path;
  hid_t mg, cg;
  mf_h5_mesh_counts h;
  int n_parts, part;
  char cut[32];       /* parts_<k>: the cut into n_parts parts */
  mf_idx n_local;
  mf_idx *elems;      /* the part's local elements, ascending */
  mf_idx *conn;       /* their nodes, as the sub-mesh's numbers */
  mf_idx n_nodes;
  mf_idx *nodes;      /* the local elements' nodes, ascending: sub-mesh node i is nodes[i] */
  /* the same as a bit per node of [lo, lo + 64 * n_words), with the count of nodes in
   * the words before each: a node's sub-mesh number in constant time, in an eighth of
   * a byte per node of the range (a sort of the connectivity took 0.35 s of 0.6) */
  mf_idx lo, n_words;
  uint64_t *bits;
  mf_idx *before;
  mf_idx *face_map;   /* n_faces: the face's number in the sub-mesh, -1 if not all its nodes are held */
  int32_t *elem_part, *node_owner, *key; /* at elems, nodes, elems */
  mf_mesh *sub;
} reading;

static void reading_free(reading *r) {
  mf_free(&r->elems);
  mf_free(&r->conn);
  mf_free(&r->nodes);
  mf_free(&r->bits);
  mf_free(&r->before);
  mf_free(&r->face_map);
  mf_free(&r->elem_part);
  mf_free(&r->node_owner);
  mf_free(&r->key);
  mf_mesh_destroy(&r->sub);
  mf_h5_close(&r->cg);
  mf_h5_close(&r->mg);
}

/* Every entry of a[0..n) in [lo, hi); the first one outside is named. */
static mf_status check_range(const reading *r, const int32_t *a, size_t n, int32_t lo, int32_t hi,
                             const char *what) {
  for (size_t i = 0; i < n; i++)
    MF_CHECK(a[i] >= lo && a[i] < hi, MF_ERR_PARSE, "%s: %s entry %zu read for part %d is %d, outside [%d, %d)",
             r->path, what, i, r->part, (int)a[i], (int)lo, (int)hi);
  return MF_OK;
}

/* The cut into n_parts parts: its dataset's name. */
static mf_status find_cut(reading *r) {
  int n_cuts = 0;
  MF_CALL(mf_h5_attr_read_int(r->cg, "part_cuts", 0, MF_MESH_CUTS_MAX, r->path, "/mesh/cuts/", &n_cuts));
  for (int k = 0; k < n_cuts; k++) {
    char name[32], where[64];
    snprintf(name, sizeof name, "parts_%d", k);
    snprintf(where, sizeof where, "/mesh/cuts/%s/", name);
    hid_t d = H5Dopen2(r->cg, name, H5P_DEFAULT);
    if (d < 0) return MF_H5_ERROR(MF_ERR_PARSE, r->path, "cannot open /mesh/cuts/%s", name);
    int parts = 0;
    mf_status st = mf_h5_attr_read_int(d, "parts", 2, r->h.n_elems, r->path, where, &parts);
    H5Dclose(d);
    MF_CALL(st);
    if (parts == r->n_parts) {
      memcpy(r->cut, name, sizeof name);
      return MF_OK;
    }
  }
  return MF_ERROR(MF_ERR_INPUT, "%s: /mesh/cuts has no cut into %d parts (memfem convert --parts)", r->path,
                  r->n_parts);
}

/* The part's local elements: its range of <cut>_local. */
static mf_status read_local_elems(reading *r) {
  const int R = r->n_parts;
  char ptr_name[48], name[48];
  snprintf(ptr_name, sizeof ptr_name, "%s_local_ptr", r->cut);
  snprintf(name, sizeof name, "%s_local", r->cut);
  mf_nnz *ptr = NULL;
  uint64_t rows = 0, cols = 0;
  mf_status st;
  if ((st = MF_ALLOC_N(ptr, (size_t)R + 1, "local element offsets")) ||
      (st = mf_h5_read(r->cg, ptr_name, H5T_NATIVE_INT64, (uint64_t)R + 1, 0, ptr, r->path)) ||
      (st = mf_h5_shape(r->cg, name, &rows, &cols, r->path)))
    goto done;
  for (int p = 0; p < R && !st; p++)
    if (ptr[0] != 0 || ptr[p + 1] <= ptr[p] || ptr[p + 1] - ptr[p] > r->h.n_elems || (mf_nnz)rows != ptr[R] ||
        cols != 0)
      st = MF_ERROR(MF_ERR_PARSE, "%s: /mesh/cuts/%s does not list part %d's elements in /mesh/cuts/%s", r->path,
                    ptr_name, p, name);
  if (st) goto done;
  r->n_local = (mf_idx)(ptr[r->part + 1] - ptr[r->part]);
  if ((st = MF_ALLOC_N(r->elems, (size_t)r->n_local + 1, "part elements")) ||
      (st = mf_h5_read_rows(r->cg, name, H5T_NATIVE_INT32, (uint64_t)ptr[r->part], (uint64_t)r->n_local, 0, r->elems,
                            r->path)))
    goto done;
  for (mf_idx k = 0; k < r->n_local && !st; k++)
    if (r->elems[k] < (k ? r->elems[k - 1] + 1 : 0) || r->elems[k] >= r->h.n_elems)
      st = MF_ERROR(MF_ERR_PARSE, "%s: /mesh/cuts/%s: part %d's element %lld is %lld (ascending, below %lld)",
                    r->path, name, r->part, (long long)k, (long long)r->elems[k], (long long)r->h.n_elems);
done:
  mf_free(&ptr);
  return st;
}

/* Mesh node v's sub-mesh number, -1 if the part does not hold it. */
static mf_idx sub_node(const reading *r, mf_idx v) {
  const mf_idx d = v - r->lo;
  if (d < 0 || d >= 64 * r->n_words) return -1;
  const uint64_t w = r->bits[d >> 6], bit = (uint64_t)1 << (d & 63);
  return w & bit ? r->before[d >> 6] + (mf_idx)__builtin_popcountll(w & (bit - 1)) : -1;
}

/* The local elements' nodes, ascending, and the connectivity in their numbers. */
static mf_status read_nodes(reading *r, int npe) {
  const size_t nc = (size_t)npe * r->n_local;
  MF_CALL(MF_ALLOC_N(r->conn, nc + 1, "part connectivity"));
  MF_CALL(mf_h5_read_at(r->mg, "connectivity", H5T_NATIVE_INT32, (uint64_t)r->h.n_elems, (uint64_t)npe,
                        (size_t)r->n_local, r->elems, r->conn, r->path));
  MF_CALL(check_range(r, r->conn, nc, 0, r->h.n_nodes, "/mesh/connectivity"));
  mf_idx lo = r->conn[0], hi = r->conn[0];
  for (size_t i = 1; i < nc; i++) lo = r->conn[i] < lo ? r->conn[i] : lo, hi = r->conn[i] > hi ? r->conn[i] : hi;
  r->lo = lo;
  r->n_words = (hi - lo) / 64 + 1;
  MF_CALL(MF_CALLOC_N(r->bits, (size_t)r->n_words, "part node bits"));
  MF_CALL(MF_ALLOC_N(r->before, (size_t)r->n_words, "part node counts"));
  for (size_t i = 0; i < nc; i++) r->bits[(r->conn[i] - lo) >> 6] |= (uint64_t)1 << ((r->conn[i] - lo) & 63);
  r->n_nodes = 0;
  for (mf_idx w = 0; w < r->n_words; w++) {
    r->before[w] = r->n_nodes;
    r->n_nodes += (mf_idx)__builtin_popcountll(r->bits[w]);
  }
  MF_CALL(MF_ALLOC_N(r->nodes, (size_t)r->n_nodes + 1, "part nodes"));
  for (mf_idx w = 0, k = 0; w < r->n_words; w++)
    for (uint64_t b = r->bits[w]; b; b &= b - 1) r->nodes[k++] = lo + 64 * w + __builtin_ctzll(b);
  for (size_t i = 0; i < nc; i++) r->conn[i] = sub_node(r, r->conn[i]);
  return MF_OK;
}

/* Every boundary face (the surface: read whole), mapped to the sub-mesh where the part
 * holds all its nodes; the kept faces' nodes in sub-mesh numbers into kept (nfn each). */
static mf_status read_faces(reading *r, int nfn, mf_idx **kept, mf_idx *n_kept) {
  const mf_idx nf = r->h.n_faces;
  mf_idx *faces = NULL;
  mf_status st;
  *kept = NULL, *n_kept = 0;
  if ((st = MF_ALLOC_N(faces, (size_t)nfn * nf + 1, "boundary faces")) ||
      (st = MF_ALLOC_N(r->face_map, (size_t)nf + 1, "part face map")) ||
      (st = mf_h5_read(r->mg, "faces", H5T_NATIVE_INT32, (uint64_t)nf, (uint64_t)nfn, faces, r->path)) ||
      (st = check_range(r, faces, (size_t)nfn * nf, 0, r->h.n_nodes, "/mesh/faces")))
    goto done;
  for (size_t i = 0; i < (size_t)nfn * nf; i++) faces[i] = sub_node(r, faces[i]); /* in place; -1: not held */
  for (mf_idx f = 0; f < nf; f++) {
    int held = 1;
    for (int a = 0; a < nfn; a++) held &= faces[(size_t)nfn * f + a] >= 0;
    r->face_map[f] = held ? (*n_kept)++ : -1;
    if (held) memmove(&faces[(size_t)nfn * r->face_map[f]], &faces[(size_t)nfn * f], (size_t)nfn * sizeof *faces);
  }
  *kept = faces;
  faces = NULL;
done:
  mf_free(&faces);
  return st;
}

/* The sub-mesh: the part's local elements and their nodes, in the mesh's order. */
static mf_status make_sub(reading *r) {
  const mf_elem_topology *et = mf_elem_topology_of(r->h.type);
  const int npe = et->nodes, nfn = et->face_nodes;
  mf_idx *faces = NULL, nf = 0;
  double *xyz = NULL;
  mf_status st;
  if ((st = read_nodes(r, npe)) || (st = read_faces(r, nfn, &faces, &nf)) ||
      (st = mf_mesh_alloc(r->h.type, r->n_nodes, r->n_local, nf, r->h.n_groups, &r->sub)))
    goto done;
  mf_mesh *m = r->sub;
  snprintf(m->source, sizeof m->source, "%s", r->path); /* as the whole mesh's reader names it */
  memcpy(m->conn, r->conn, (size_t)npe * r->n_local * sizeof *m->conn);
  memcpy(m->face_conn, faces, (size_t)nfn * nf * sizeof *faces);
  const uint64_t nn = (uint64_t)r->h.n_nodes, ne = (uint64_t)r->h.n_elems;
  const size_t n = (size_t)r->n_nodes, k = (size_t)r->n_local;
  if ((st = MF_ALLOC_N(xyz, 3 * n + 1, "part coordinates")) ||
      (st = mf_h5_read_at(r->mg, "coordinates", H5T_NATIVE_DOUBLE, nn, 3, n, r->nodes, xyz, r->path)) ||
      (st = mf_h5_read_at(r->mg, "node_tags", H5T_NATIVE_INT64, nn, 0, n, r->nodes, m->nodes.tag, r->path)) ||
      (st = mf_h5_read_at(r->cg, "node_ids", H5T_NATIVE_INT64, nn, 0, n, r->nodes, m->nodes.global_id, r->path)) ||
      (st = mf_h5_read_at(r->mg, "element_tags", H5T_NATIVE_INT64, ne, 0, k, r->elems, m->elem_tag, r->path)) ||
      (st = mf_h5_read_at(r->mg, "element_region", H5T_NATIVE_INT32, ne, 0, k, r->elems, m->region, r->path)) ||
      (st = check_range(r, m->region, k, -1, r->h.n_groups, "/mesh/element_region")))
    goto done;
  for (size_t i = 0; i < n; i++) {
    const double *X = &xyz[3 * i];
    if (m->nodes.tag[i] < 1) { /* their uniqueness was checked where the file was made: memfem convert */
      st = MF_ERROR(MF_ERR_PARSE, "%s: /mesh/node_tags entry %lld is %lld; node tags are positive", r->path,
                    (long long)r->nodes[i], (long long)m->nodes.tag[i]);
      goto done;
    }
    if (!isfinite(X[0]) || !isfinite(X[1]) || !isfinite(X[2])) {
      st = MF_ERROR(MF_ERR_PARSE, "%s: /mesh/coordinates row %lld is not finite", r->path, (long long)r->nodes[i]);
      goto done;
    }
    mf_nodes_set_coords(&m->nodes, (mf_idx)i, X);
  }
  if (!(st = mf_h5_mesh_read_groups(r->mg, m, r->h.n_faces, r->face_map, r->path)))
    st = mf_mesh_finish_groups(m);
done:
  mf_free(&faces);
  mf_free(&xyz);
  return st;
}

/* The cut's parts of the local elements, the owners of their nodes and the elements'
 * keys in the whole plan of `method`. */
static mf_status read_cut(reading *r, mf_assembly_method method, int *n_blocks, int *n_keys) {
  const size_t n = (size_t)r->n_nodes, k = (size_t)r->n_local;
  const uint64_t nn = (uint64_t)r->h.n_nodes, ne = (uint64_t)r->h.n_elems;
  const char *key_name = mf_h5_mesh_key_dataset[method];
  char owner[48], where[64], cut_at[64], owner_at[64], key_at[64];
  snprintf(owner, sizeof owner, "%s_owner", r->cut);
  snprintf(where, sizeof where, "/mesh/cuts/%s/", key_name);
  snprintf(cut_at, sizeof cut_at, "/mesh/cuts/%s", r->cut);
  snprintf(owner_at, sizeof owner_at, "/mesh/cuts/%s", owner);
  snprintf(key_at, sizeof key_at, "/mesh/cuts/%s", key_name);
  MF_CALL(mf_h5_attr_read_int(r->cg, "blocks", 0, r->h.n_elems, r->path, "/mesh/cuts/", n_blocks));
  hid_t d = H5Dopen2(r->cg, key_name, H5P_DEFAULT);
  if (d < 0) return MF_H5_ERROR(MF_ERR_PARSE, r->path, "cannot open /mesh/cuts/%s", key_name);
  mf_status st = mf_h5_attr_read_int(d, "keys", 1, r->h.n_elems, r->path, where, n_keys);
  H5Dclose(d);
  MF_CALL(st);
  MF_CALL(MF_ALLOC_N(r->elem_part, k + 1, "part element parts"));
  MF_CALL(MF_ALLOC_N(r->node_owner, n + 1, "part node owners"));
  MF_CALL(MF_ALLOC_N(r->key, k + 1, "part assembly keys"));
  MF_CALL(mf_h5_read_at(r->cg, r->cut, H5T_NATIVE_INT32, ne, 0, k, r->elems, r->elem_part, r->path));
  MF_CALL(mf_h5_read_at(r->cg, owner, H5T_NATIVE_INT32, nn, 0, n, r->nodes, r->node_owner, r->path));
  MF_CALL(mf_h5_read_at(r->cg, key_name, H5T_NATIVE_INT32, ne, 0, k, r->elems, r->key, r->path));
  MF_CALL(check_range(r, r->elem_part, k, 0, r->n_parts, cut_at));
  MF_CALL(check_range(r, r->node_owner, n, 0, r->n_parts, owner_at));
  return check_range(r, r->key, k, 0, *n_keys, key_at);
}

/* The part in the sub-mesh's numbers, renumbered into the mesh's. The file is in the
 * run's order, so a node's or element's row in it is its number. */
static void to_mesh_numbers(const reading *r, mf_part *pt) {
  for (mf_idx k = 0; k < pt->n_elems; k++) pt->elems[k] = r->elems[pt->elems[k]];
  for (mf_idx l = 0; l < pt->n_owned + pt->n_ghost; l++) {
    pt->nodes[l] = r->nodes[pt->nodes[l]];
    pt->node_row[l] = pt->nodes[l];
  }
  for (mf_idx j = 0; j < pt->n_elems_owned; j++) pt->own_row[j] = pt->elems[pt->own[j]];
}

mf_status mf_h5_part_read(const char *path, int n_parts, int part, const mf_problem_desc *desc,
                          mf_assembly_method method, mf_part_setup *out) {
  *out = (mf_part_setup){0};
  MF_CHECK(part >= 0 && part < n_parts, MF_ERR_INTERNAL, "%s: part %d of %d", path, part, n_parts);
  reading r = {.path = path, .mg = H5I_INVALID_HID, .cg = H5I_INVALID_HID, .n_parts = n_parts, .part = part};
  mf_idx *iota = NULL;
  int n_blocks = 0, n_keys = 0;
  hid_t f;
  MF_CALL(mf_h5_open(path, 0, &f));
  mf_status st;
  if ((st = mf_h5_group_open(f, "mesh", path, &r.mg)) || (st = mf_h5_mesh_head(r.mg, path, &r.h)) ||
      (st = mf_h5_group_open(r.mg, "cuts", path, &r.cg)) || (st = find_cut(&r)) || (st = read_local_elems(&r)) ||
      (st = make_sub(&r)) || (st = read_cut(&r, method, &n_blocks, &n_keys)) ||
      (st = MF_ALLOC_N(iota, (size_t)r.n_local + 1, "part element list")))
    goto done;
  for (mf_idx k = 0; k < r.n_local; k++) iota[k] = k;
  const mf_partition sub_P = {.mesh = r.sub, .n_parts = n_parts, .elem_part = r.elem_part,
                              .node_owner = r.node_owner};
  if ((st = mf_part_create_local(&sub_P, part, r.n_local, iota, &out->part)) ||
      (st = mf_part_mesh(&sub_P, out->part, &out->mesh)))
    goto done;
  to_mesh_numbers(&r, out->part);
  if (!(st = mf_problem_create_part(desc, out->mesh, &out->pb)))
    st = mf_assembly_create_keyed(out->mesh, out->pb->shape, out->pb->region_mat, method, n_blocks, n_keys, r.key,
                                  &out->asmb);
done:
  mf_free(&iota);
  reading_free(&r);
  H5Fclose(f);
  if (st) mf_part_setup_free(out);
  return st;
}
