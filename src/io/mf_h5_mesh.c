/* HDF5 mesh files: writer and checked reader (layout in mf_h5_mesh.h). */
#include "io/mf_h5_mesh.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "io/mf_atomic.h"
#include "io/mf_checksum.h"
#include "io/mf_h5.h"
#include "mem/mf_alloc.h"
#include "mesh/mf_reorder.h"

#define FORMAT_NAME "memfem-mesh"
#define FORMAT_VERSION 1

static mf_status write_groups(hid_t mg, const mf_mesh *m, const char *file) {
  hid_t gg;
  MF_CALL(mf_h5_group_create(mg, "groups", file, &gg));
  mf_status st = mf_h5_attr_write_i64(gg, "count", m->n_groups, file);
  for (int g = 0; g < m->n_groups && !st; g++) {
    const mf_group *gr = &m->groups[g];
    char name[32];
    snprintf(name, sizeof name, "%d", g);
    hid_t one;
    if ((st = mf_h5_group_create(gg, name, file, &one))) break;
    if (!(st = mf_h5_attr_write_str(one, "name", gr->name, file)) &&
        !(st = mf_h5_attr_write_i64(one, "dim", gr->dim, file)) &&
        !(st = mf_h5_attr_write_i64(one, "tag", gr->tag, file)) && gr->dim == 2)
      st = mf_h5_write(one, "faces", H5T_NATIVE_INT32, H5T_STD_I64LE, (uint64_t)gr->n_faces, 0, gr->faces, 0,
                       file);
    H5Gclose(one);
  }
  H5Gclose(gg);
  return st;
}

/* The mesh's arrays in its own (file) order. A renumbered mesh (mesh/mf_reorder.h) is
 * mapped back, so files never depend on the reorder setting; otherwise they are the
 * mesh's arrays themselves (the *own flags say which were allocated here). */
typedef struct {
  double *xyz;
  mf_gidx *tag, *elem_tag;
  mf_idx *conn, *faces;
  int32_t *region;
  int own;
} mesh_order;

static void mesh_order_free(mesh_order *o) {
  mf_free(&o->xyz);
  if (o->own) {
    mf_free(&o->tag);
    mf_free(&o->elem_tag);
    mf_free(&o->conn);
    mf_free(&o->faces);
    mf_free(&o->region);
  }
}

static mf_status mesh_order_make(const mf_mesh *m, mesh_order *o) {
  *o = (mesh_order){0};
  const mf_idx n = m->nodes.n_local, ne = m->n_elems;
  const mf_idx *n2o = m->node_new2old, *e2o = m->elem_new2old;
  MF_CALL(MF_ALLOC_N(o->xyz, 3 * (size_t)n + 1, "mesh coordinates for HDF5"));
  for (mf_idx i = 0; i < n; i++) mf_nodes_coords(&m->nodes, i, &o->xyz[3 * (size_t)(n2o ? n2o[i] : i)]);
  if (!n2o) {
    o->tag = m->nodes.tag, o->elem_tag = m->elem_tag, o->conn = m->conn, o->faces = m->face_conn;
    o->region = m->region;
    return MF_OK;
  }
  o->own = 1;
  mf_status st;
  if ((st = MF_ALLOC_N(o->tag, (size_t)n + 1, "node tags in mesh order")) ||
      (st = MF_ALLOC_N(o->elem_tag, (size_t)ne + 1, "element tags in mesh order")) ||
      (st = MF_ALLOC_N(o->conn, (size_t)m->npe * ne + 1, "connectivity in mesh order")) ||
      (st = MF_ALLOC_N(o->faces, (size_t)m->nfn * m->n_faces + 1, "faces in mesh order")) ||
      (st = MF_ALLOC_N(o->region, (size_t)ne + 1, "element regions in mesh order"))) {
    mesh_order_free(o);
    return st;
  }
  for (mf_idx i = 0; i < n; i++) o->tag[n2o[i]] = m->nodes.tag[i];
  for (mf_idx e = 0; e < ne; e++) {
    mf_idx eo = e2o[e];
    o->elem_tag[eo] = m->elem_tag[e];
    o->region[eo] = m->region[e];
    for (int a = 0; a < m->npe; a++) o->conn[(size_t)m->npe * eo + a] = n2o[mf_mesh_elem(m, e)[a]];
  }
  for (size_t k = 0; k < (size_t)m->nfn * m->n_faces; k++) o->faces[k] = n2o[m->face_conn[k]];
  return MF_OK;
}

mf_status mf_h5_mesh_write(hid_t loc, const mf_mesh *m, int deflate, const char *file) {
  const mf_idx n = m->nodes.n_local;
  mesh_order o;
  MF_CALL(mesh_order_make(m, &o));
  hid_t mg;
  mf_status st = mf_h5_group_create(loc, "mesh", file, &mg);
  if (st) {
    mesh_order_free(&o);
    return st;
  }
  if (!(st = mf_h5_attr_write_str(mg, "format", FORMAT_NAME, file)) &&
      !(st = mf_h5_attr_write_i64(mg, "format_version", FORMAT_VERSION, file)) &&
      !(st = mf_h5_attr_write_str(mg, "source", m->source, file)) &&
      !(st = mf_h5_attr_write_str(mg, "element_type", m->elem->name, file)) &&
      !(st = mf_h5_write(mg, "coordinates", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, n, 3, o.xyz, deflate, file)) &&
      !(st = mf_h5_write(mg, "node_tags", H5T_NATIVE_INT64, H5T_STD_I64LE, n, 0, o.tag, deflate, file)) &&
      !(st = mf_h5_write(mg, "connectivity", H5T_NATIVE_INT32, H5T_STD_I64LE, m->n_elems, m->npe, o.conn, deflate,
                         file)) &&
      !(st = mf_h5_write(mg, "element_tags", H5T_NATIVE_INT64, H5T_STD_I64LE, m->n_elems, 0, o.elem_tag,
                         deflate, file)) &&
      !(st = mf_h5_write(mg, "element_region", H5T_NATIVE_INT32, H5T_STD_I32LE, m->n_elems, 0, o.region,
                         deflate, file)) &&
      !(st = mf_h5_write(mg, "faces", H5T_NATIVE_INT32, H5T_STD_I64LE, m->n_faces, m->nfn, o.faces, deflate,
                         file)))
    st = write_groups(mg, m, file);
  H5Gclose(mg);
  mesh_order_free(&o);
  return st;
}

const char *const mf_h5_mesh_key_dataset[2] = {"assembly_keys_colour", "assembly_keys_blocks"};

/* An int32 dataset of /mesh/cuts per element with an integer attribute (a count). */
static mf_status write_counted(hid_t cg, const char *name, mf_idx n_elems, const int32_t *v, const char *attr,
                               int count, const char *file) {
  MF_CALL(mf_h5_write(cg, name, H5T_NATIVE_INT32, H5T_STD_I32LE, n_elems, 0, v, 0, file));
  hid_t d = H5Dopen2(cg, name, H5P_DEFAULT);
  mf_status st = d < 0 ? MF_H5_ERROR(MF_ERR_IO, file, "cannot open /mesh/cuts/%s", name)
                       : mf_h5_attr_write_i64(d, attr, count, file);
  if (d >= 0) H5Dclose(d);
  return st;
}

/* What each process reads of part cut k for its own part (io/mf_h5_part.h). */
static mf_status write_views(hid_t cg, const mf_mesh *m, int k, const char *file) {
  const mf_mesh_cuts *c = m->cuts;
  char owner[40], ptr[40], local[40];
  snprintf(owner, sizeof owner, "parts_%d_owner", k);
  snprintf(ptr, sizeof ptr, "parts_%d_local_ptr", k);
  snprintf(local, sizeof local, "parts_%d_local", k);
  MF_CALL(mf_h5_write(cg, owner, H5T_NATIVE_INT32, H5T_STD_I32LE, m->nodes.n_local, 0, c->node_owner[k], 0, file));
  MF_CALL(mf_h5_write(cg, ptr, H5T_NATIVE_INT64, H5T_STD_I64LE, (uint64_t)c->parts[k] + 1, 0, c->local_ptr[k], 0,
                      file));
  return mf_h5_write(cg, local, H5T_NATIVE_INT32, H5T_STD_I32LE, (uint64_t)c->local_ptr[k][c->parts[k]], 0,
                     c->local[k], 0, file);
}

/* One dataset of /mesh from src's into dst's, a slice of rows at a time. */
typedef struct {
  hid_t dst;
  const char *name, *file;
  hid_t mem_type;
  uint64_t cols;
} slice_copy;

static mf_status copy_slice(void *ctx, uint64_t first, uint64_t n, const void *data) {
  const slice_copy *c = ctx;
  return mf_h5_write_rows(c->dst, c->name, c->mem_type, first, n, c->cols, data, c->file);
}

static mf_status copy_dataset(hid_t src_mg, hid_t dst_mg, const char *name, hid_t mem_type, hid_t file_type,
                              uint64_t rows, uint64_t cols, int deflate, const char *src, const char *file) {
  slice_copy c = {dst_mg, name, file, mem_type, cols};
  MF_CALL(mf_h5_create_dataset(dst_mg, name, file_type, rows, cols, deflate, file));
  return mf_h5_each_slice(src_mg, name, mem_type, rows, cols, copy_slice, &c, src);
}

mf_status mf_h5_mesh_copy(hid_t loc, const char *src, const mf_mesh *m, int deflate, const char *file) {
  hid_t f, smg = H5I_INVALID_HID, mg = H5I_INVALID_HID;
  MF_CALL(mf_h5_open(src, 0, &f));
  const uint64_t n = (uint64_t)m->nodes.n_local, ne = (uint64_t)m->n_elems, nf = (uint64_t)m->n_faces;
  mf_status st;
  if (!(st = mf_h5_group_open(f, "mesh", src, &smg)) && !(st = mf_h5_group_create(loc, "mesh", file, &mg)) &&
      !(st = mf_h5_attr_write_str(mg, "format", FORMAT_NAME, file)) &&
      !(st = mf_h5_attr_write_i64(mg, "format_version", FORMAT_VERSION, file)) &&
      !(st = mf_h5_attr_write_str(mg, "source", m->source, file)) &&
      !(st = mf_h5_attr_write_str(mg, "element_type", m->elem->name, file)) &&
      !(st = copy_dataset(smg, mg, "coordinates", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, n, 3, deflate, src, file)) &&
      !(st = copy_dataset(smg, mg, "node_tags", H5T_NATIVE_INT64, H5T_STD_I64LE, n, 0, deflate, src, file)) &&
      !(st = copy_dataset(smg, mg, "connectivity", H5T_NATIVE_INT32, H5T_STD_I64LE, ne, (uint64_t)m->npe, deflate,
                          src, file)) &&
      !(st = copy_dataset(smg, mg, "element_tags", H5T_NATIVE_INT64, H5T_STD_I64LE, ne, 0, deflate, src, file)) &&
      !(st = copy_dataset(smg, mg, "element_region", H5T_NATIVE_INT32, H5T_STD_I32LE, ne, 0, deflate, src, file)) &&
      !(st = copy_dataset(smg, mg, "faces", H5T_NATIVE_INT32, H5T_STD_I64LE, nf, (uint64_t)m->nfn, deflate, src,
                          file)))
    st = write_groups(mg, m, file);
  mf_h5_close(&mg);
  mf_h5_close(&smg);
  H5Fclose(f);
  return st;
}

/* The cuts under /mesh/cuts (layout in mf_h5_mesh.h). */
static mf_status write_cuts(hid_t mg, const mf_mesh *m, const char *file) {
  const mf_mesh_cuts *c = m->cuts;
  hid_t cg;
  MF_CALL(mf_h5_group_create(mg, "cuts", file, &cg));
  mf_status st = mf_h5_attr_write_str(cg, "order", mf_reorder_name((mf_reorder_method)c->order), file);
  if (!st) st = mf_h5_attr_write_i64(cg, "blocks", c->n_blocks, file);
  if (!st) st = mf_h5_attr_write_i64(cg, "part_cuts", c->n_part_cuts, file);
  if (!st)
    st = mf_h5_write(cg, "node_ids", H5T_NATIVE_INT64, H5T_STD_I64LE, m->nodes.n_local, 0, m->nodes.global_id, 0,
                     file);
  if (!st && c->n_blocks > 0)
    st = mf_h5_write(cg, "blocks", H5T_NATIVE_INT32, H5T_STD_I32LE, m->n_elems, 0, c->elem_block, 0, file);
  for (int k = 0; k < c->n_part_cuts && !st; k++) {
    char name[32];
    snprintf(name, sizeof name, "parts_%d", k);
    st = write_counted(cg, name, m->n_elems, c->elem_part[k], "parts", c->parts[k], file);
    if (!st && c->has_views) st = write_views(cg, m, k, file);
  }
  for (int method = 0; method < 2 && !st; method++)
    if (c->plan_key[method])
      st = write_counted(cg, mf_h5_mesh_key_dataset[method], m->n_elems, c->plan_key[method], "keys",
                         c->n_keys[method], file);
  H5Gclose(cg);
  return st;
}

/* ---- reading -------------------------------------------------------------------- */

/* A count from a dataset's row number that must fit a local index. */
static mf_status count_rows(hid_t mg, const char *name, uint64_t cols, const char *file, mf_idx *n) {
  uint64_t r, c;
  MF_CALL(mf_h5_shape(mg, name, &r, &c, file));
  if (c != cols)
    return MF_ERROR(MF_ERR_PARSE, "%s: dataset /mesh/%s has %llu columns, expected %llu", file, name,
                    (unsigned long long)c, (unsigned long long)cols);
  if (r > (uint64_t)MF_IDX_MAX)
    return MF_ERROR(MF_ERR_PARSE, "%s: dataset /mesh/%s has %llu rows, more than memfem's limit %d", file, name,
                    (unsigned long long)r, MF_IDX_MAX);
  *n = (mf_idx)r;
  return MF_OK;
}

/* Every entry of a[0..len) in [lo, hi); the first one outside is named. HDF5 clips
 * values beyond int32 when converting, so a clipped value fails here too. */
static mf_status check_range(const int32_t *a, size_t len, int32_t lo, int32_t hi, const char *file,
                             const char *what) {
  for (size_t i = 0; i < len; i++)
    if (a[i] < lo || a[i] >= hi)
      return MF_ERROR(MF_ERR_PARSE, "%s: %s entry %zu is %d, outside [%d, %d)", file, what, i, (int)a[i], (int)lo,
                      (int)hi);
  return MF_OK;
}

/* Node tags as the .msh reader takes them: positive and unique. They fix the order of
 * every output and of the displacement checksum, which a repeated tag would leave to
 * chance. */
static mf_status check_node_tags(const mf_mesh *m, const char *file) {
  for (mf_idx i = 0; i < m->nodes.n_local; i++)
    if (m->nodes.tag[i] < 1)
      return MF_ERROR(MF_ERR_PARSE, "%s: /mesh/node_tags entry %lld is %lld; node tags are positive", file,
                      (long long)i, (long long)m->nodes.tag[i]);
  mf_idx *perm;
  MF_CALL(mf_nodes_tag_order(&m->nodes, &perm));
  mf_status st = MF_OK;
  for (mf_idx k = 1; k < m->nodes.n_owned && !st; k++)
    if (m->nodes.tag[perm[k]] == m->nodes.tag[perm[k - 1]])
      st = MF_ERROR(MF_ERR_PARSE, "%s: node tag %lld appears twice in /mesh/node_tags (entries %lld and %lld)", file,
                    (long long)m->nodes.tag[perm[k]], (long long)(perm[k - 1] < perm[k] ? perm[k - 1] : perm[k]),
                    (long long)(perm[k - 1] < perm[k] ? perm[k] : perm[k - 1]));
  mf_free(&perm);
  return st;
}

mf_status mf_h5_mesh_read_groups(hid_t mg, mf_mesh *m, mf_idx n_file_faces, const mf_idx *face_map,
                                 const char *file) {
  hid_t gg;
  MF_CALL(mf_h5_group_open(mg, "groups", file, &gg));
  mf_status st = MF_OK;
  for (int g = 0; g < m->n_groups && !st; g++) {
    mf_group *gr = &m->groups[g];
    char name[32], where[64];
    snprintf(name, sizeof name, "%d", g);
    snprintf(where, sizeof where, "/mesh/groups/%d/faces", g);
    hid_t one;
    if ((st = mf_h5_group_open(gg, name, file, &one))) break;
    int64_t dim = 0, tag = 0;
    if (!(st = mf_h5_attr_read_str(one, "name", gr->name, sizeof gr->name, file)) &&
        !(st = mf_h5_attr_read_i64(one, "dim", &dim, file)) && !(st = mf_h5_attr_read_i64(one, "tag", &tag, file))) {
      if (dim < 0 || dim > 3 || tag < INT32_MIN || tag > INT32_MAX)
        st = MF_ERROR(MF_ERR_PARSE, "%s: group %d ('%s') has dim %lld and tag %lld; expected dim 0..3", file, g,
                      gr->name, (long long)dim, (long long)tag);
      gr->dim = (int)dim;
      gr->tag = (int)tag;
      if (!st && dim == 2 && !(st = count_rows(one, "faces", 0, file, &gr->n_faces)) && gr->n_faces > n_file_faces)
        st = MF_ERROR(MF_ERR_PARSE, "%s: %s has %lld entries, more than the %lld faces of /mesh/faces", file, where,
                      (long long)gr->n_faces, (long long)n_file_faces);
      if (!st && dim == 2 &&
          !(st = MF_ALLOC_N(gr->faces, (size_t)gr->n_faces + 1, "group faces")) &&
          !(st = mf_h5_read(one, "faces", H5T_NATIVE_INT32, (uint64_t)gr->n_faces, 0, gr->faces, file)))
        st = check_range(gr->faces, (size_t)gr->n_faces, 0, n_file_faces, file, where);
      if (!st && dim == 2 && face_map) { /* the faces the mesh holds, in its numbering */
        mf_idx k = 0;
        for (mf_idx f = 0; f < gr->n_faces; f++)
          if (face_map[gr->faces[f]] >= 0) gr->faces[k++] = face_map[gr->faces[f]];
        gr->n_faces = k;
      }
    }
    H5Gclose(one);
  }
  H5Gclose(gg);
  if (st) return st;
  for (mf_idx e = 0; m->region && e < m->n_elems; e++) { /* an outline's are checked as they stream */
    int32_t r = m->region[e];
    if (r >= 0 && m->groups[r].dim != 3)
      return MF_ERROR(MF_ERR_PARSE, "%s: element %lld has region %d ('%s'), which is not a volume group", file,
                      (long long)e, (int)r, m->groups[r].name);
    if (r < 0) m->n_unassigned_elems++;
  }
  return MF_OK;
}

/* One cut under /mesh/cuts: n_elems entries, each in [0, parts). */
static mf_status read_cut(hid_t cg, const char *name, const mf_mesh *m, int parts, const char *file,
                          int32_t **out) {
  char where[64];
  snprintf(where, sizeof where, "/mesh/cuts/%s", name);
  mf_idx rows = 0;
  MF_CALL(count_rows(cg, name, 0, file, &rows));
  if (rows != m->n_elems)
    return MF_ERROR(MF_ERR_PARSE, "%s: %s has %lld entries for %lld elements", file, where, (long long)rows,
                    (long long)m->n_elems);
  MF_CALL(MF_ALLOC_N(*out, (size_t)m->n_elems + 1, "stored cut"));
  MF_CALL(mf_h5_read(cg, name, H5T_NATIVE_INT32, (uint64_t)m->n_elems, 0, *out, file));
  return check_range(*out, (size_t)m->n_elems, 0, parts, file, where);
}

/* The nodes' numbers in the source mesh's order, which the multigrid's aggregation is
 * keyed on (la/mf_amg.h): a permutation of 0..n-1. */
static mf_status read_node_ids(hid_t cg, mf_mesh *m, const char *file) {
  const mf_idx n = m->nodes.n_local;
  mf_idx rows = 0;
  MF_CALL(count_rows(cg, "node_ids", 0, file, &rows));
  if (rows != n)
    return MF_ERROR(MF_ERR_PARSE, "%s: /mesh/cuts/node_ids has %lld entries for %lld nodes", file, (long long)rows,
                    (long long)n);
  MF_CALL(mf_h5_read(cg, "node_ids", H5T_NATIVE_INT64, (uint64_t)n, 0, m->nodes.global_id, file));
  uint8_t *seen;
  MF_CALL(MF_CALLOC_N(seen, (size_t)n + 1, "node ids seen"));
  mf_status st = MF_OK;
  for (mf_idx i = 0; i < n && !st; i++) {
    const mf_gidx g = m->nodes.global_id[i];
    if (g < 0 || g >= n || seen[g])
      st = MF_ERROR(MF_ERR_PARSE, "%s: /mesh/cuts/node_ids entry %lld is %lld: not a permutation of 0..%lld", file,
                    (long long)i, (long long)g, (long long)n - 1);
    else
      seen[g] = 1;
  }
  mf_free(&seen);
  return st;
}

/* arrays 0: the counts and names only (an outline, mf_h5_mesh_read_outline) */
static mf_status read_cuts(hid_t mg, mf_mesh *m, int arrays, const char *file) {
  if (!mf_h5_exists(mg, "cuts")) return MF_OK;
  hid_t cg;
  MF_CALL(mf_h5_group_open(mg, "cuts", file, &cg));
  mf_mesh_cuts *c = NULL;
  char order[32];
  int v = 0;
  mf_status st = MF_CALLOC_N(c, 1, "stored cuts");
  if (st) goto done;
  m->cuts = c;
  if ((st = mf_h5_attr_read_str(cg, "order", order, sizeof order, file))) goto done;
  mf_reorder_method method;
  if (mf_reorder_parse(order, &method)) {
    st = MF_ERROR(MF_ERR_PARSE, "%s: /mesh/cuts has order '%s', which this memfem does not know", file, order);
    goto done;
  }
  c->order = (int)method;
  if ((arrays && (st = read_node_ids(cg, m, file))) ||
      (st = mf_h5_attr_read_int(cg, "blocks", 0, m->n_elems, file, "/mesh/cuts/", &c->n_blocks)) ||
      (st = mf_h5_attr_read_int(cg, "part_cuts", 0, MF_MESH_CUTS_MAX, file, "/mesh/cuts/", &v)) ||
      (arrays && c->n_blocks > 0 && (st = read_cut(cg, "blocks", m, c->n_blocks, file, &c->elem_block))))
    goto done;
  for (int k = 0; k < v && !st; k++, c->n_part_cuts++) {
    char name[32], where[64];
    snprintf(name, sizeof name, "parts_%d", k);
    snprintf(where, sizeof where, "/mesh/cuts/%s", name);
    if (!mf_h5_exists(cg, name)) {
      st = MF_ERROR(MF_ERR_PARSE, "%s: %s is missing (part_cuts is %d)", file, where, v);
      break;
    }
    hid_t d = H5Dopen2(cg, name, H5P_DEFAULT);
    if (d < 0) {
      st = MF_H5_ERROR(MF_ERR_PARSE, file, "cannot open %s", where);
      break;
    }
    char attr_of[72];
    snprintf(attr_of, sizeof attr_of, "%s/", where);
    st = mf_h5_attr_read_int(d, "parts", 2, m->n_elems, file, attr_of, &c->parts[k]);
    H5Dclose(d);
    if (!st && k > 0 && c->parts[k] <= c->parts[k - 1])
      st = MF_ERROR(MF_ERR_PARSE, "%s: %s is for %d parts, after a cut for %d: the counts must ascend", file, where,
                    c->parts[k], c->parts[k - 1]);
    if (!st && arrays) st = read_cut(cg, name, m, c->parts[k], file, &c->elem_part[k]);
  }
  /* what a process reads of its own part (io/mf_h5_part.h) is left in the file */
  c->has_views = c->n_part_cuts > 0;
  for (int k = 0; k < c->n_part_cuts && c->has_views; k++) {
    char name[40];
    snprintf(name, sizeof name, "parts_%d_local", k);
    c->has_views = mf_h5_exists(cg, name);
  }
  for (int method = 0; method < 2 && !st; method++)
    if (mf_h5_exists(cg, mf_h5_mesh_key_dataset[method])) {
      char where[64];
      snprintf(where, sizeof where, "/mesh/cuts/%s/", mf_h5_mesh_key_dataset[method]);
      hid_t d = H5Dopen2(cg, mf_h5_mesh_key_dataset[method], H5P_DEFAULT);
      st = d < 0 ? MF_H5_ERROR(MF_ERR_PARSE, file, "cannot open %s", where)
                 : mf_h5_attr_read_int(d, "keys", 1, m->n_elems, file, where, &c->n_keys[method]);
      if (d >= 0) H5Dclose(d);
    }
done:
  H5Gclose(cg);
  return st;
}

mf_status mf_h5_mesh_head(hid_t mg, const char *path, mf_h5_mesh_counts *h) {
  char format[32];
  int64_t version = 0, n_groups = 0;
  mf_idx n = 0, ne = 0, nf = 0;
  mf_status st;
  if ((st = mf_h5_attr_read_str(mg, "format", format, sizeof format, path))) return st;
  if (strcmp(format, FORMAT_NAME) != 0) {
    st = MF_ERROR(MF_ERR_PARSE, "%s: /mesh has format '%s', expected '%s'", path, format, FORMAT_NAME);
    return st;
  }
  if ((st = mf_h5_attr_read_i64(mg, "format_version", &version, path))) return st;
  if (version != FORMAT_VERSION) {
    st = MF_ERROR(MF_ERR_PARSE, "%s: mesh format version %lld, this memfem reads version %d", path,
                  (long long)version, FORMAT_VERSION);
    return st;
  }
  /* element_type: absent in files of memfem before it had more than tet4 */
  mf_elem_type type = MF_ELEM_TET4;
  if (H5Aexists(mg, "element_type") > 0) {
    char name[32];
    int v;
    if ((st = mf_h5_attr_read_str(mg, "element_type", name, sizeof name, path))) return st;
    if (mf_name_parse(mf_elem_type_names, name, &v)) {
      st = MF_ERROR(MF_ERR_PARSE, "%s: /mesh has element_type '%s', which this memfem does not know", path, name);
      return st;
    }
    type = (mf_elem_type)v;
  }
  const mf_elem_topology *et = mf_elem_topology_of(type);
  if ((st = count_rows(mg, "coordinates", 3, path, &n)) ||
      (st = count_rows(mg, "connectivity", (uint64_t)et->nodes, path, &ne)) ||
      (st = count_rows(mg, "faces", (uint64_t)et->face_nodes, path, &nf)))
    return st;
  hid_t gg;
  if ((st = mf_h5_group_open(mg, "groups", path, &gg))) return st;
  st = mf_h5_attr_read_i64(gg, "count", &n_groups, path);
  H5Gclose(gg);
  if (st) return st;
  if (n_groups < 0 || n_groups > 100000) {
    st = MF_ERROR(MF_ERR_PARSE, "%s: /mesh/groups count %lld is out of range", path, (long long)n_groups);
    return st;
  }
  if (n == 0 || ne == 0) {
    st = MF_ERROR(MF_ERR_MESH, "%s: the mesh has %d nodes and %d %s; it needs some of each", path, (int)n, (int)ne,
                  et->plural);
    return st;
  }
  *h = (mf_h5_mesh_counts){type, n, ne, nf, (int)n_groups};
  return MF_OK;
}

static mf_status read_mesh(hid_t f, const char *path, mf_mesh **out) {
  hid_t mg;
  MF_CALL(mf_h5_group_open(f, "mesh", path, &mg));
  mf_mesh *m = NULL;
  double *xyz = NULL;
  mf_h5_mesh_counts h;
  mf_status st = mf_h5_mesh_head(mg, path, &h);
  const mf_idx n = h.n_nodes, ne = h.n_elems, nf = h.n_faces;
  const int64_t n_groups = h.n_groups;
  if (st || (st = mf_mesh_check_size(h.type, n, ne, nf, path)) ||
      (st = mf_mesh_alloc(h.type, n, ne, nf, h.n_groups, &m)))
    goto done;
  snprintf(m->source, sizeof m->source, "%s", path);
  if ((st = MF_ALLOC_N(xyz, 3 * (size_t)n, "mesh coordinates from HDF5")) ||
      (st = mf_h5_read(mg, "coordinates", H5T_NATIVE_DOUBLE, n, 3, xyz, path)) ||
      (st = mf_h5_read(mg, "node_tags", H5T_NATIVE_INT64, n, 0, m->nodes.tag, path)) ||
      (st = mf_h5_read(mg, "connectivity", H5T_NATIVE_INT32, ne, m->npe, m->conn, path)) ||
      (st = mf_h5_read(mg, "element_tags", H5T_NATIVE_INT64, ne, 0, m->elem_tag, path)) ||
      (st = mf_h5_read(mg, "element_region", H5T_NATIVE_INT32, ne, 0, m->region, path)) ||
      (st = mf_h5_read(mg, "faces", H5T_NATIVE_INT32, nf, m->nfn, m->face_conn, path)) ||
      (st = check_range(m->conn, (size_t)m->npe * ne, 0, n, path, "/mesh/connectivity")) ||
      (st = check_range(m->face_conn, (size_t)m->nfn * nf, 0, n, path, "/mesh/faces")) ||
      (st = check_range(m->region, (size_t)ne, -1, (int32_t)n_groups, path, "/mesh/element_region")) ||
      (st = check_node_tags(m, path)))
    goto done;
  for (mf_idx i = 0; i < n; i++) {
    const double *X = &xyz[3 * (size_t)i];
    if (!isfinite(X[0]) || !isfinite(X[1]) || !isfinite(X[2])) {
      st = MF_ERROR(MF_ERR_PARSE, "%s: /mesh/coordinates row %lld is not finite", path, (long long)i);
      goto done;
    }
    mf_nodes_set_coords(&m->nodes, i, X);
  }
  if ((st = mf_h5_mesh_read_groups(mg, m, nf, NULL, path)) || (st = mf_mesh_finish_groups(m)) ||
      (st = read_cuts(mg, m, 1, path)))
    goto done;
  *out = m;
  m = NULL;
done:
  mf_free(&xyz);
  mf_mesh_destroy(&m);
  H5Gclose(mg);
  return st;
}

/* The outline's region counts, the element_region dataset streamed a slice at a time. */
typedef struct {
  mf_mesh *m;
  const char *path;
} region_count;

static mf_status count_slice(void *ctx, uint64_t first, uint64_t n, const void *data) {
  const region_count *rc = ctx;
  mf_mesh *m = rc->m;
  const int32_t *region = data;
  for (uint64_t k = 0; k < n; k++) {
    const int32_t r = region[k];
    if (r < -1 || r >= m->n_groups)
      return MF_ERROR(MF_ERR_PARSE, "%s: /mesh/element_region entry %lld is %d, outside [-1, %d)", rc->path,
                      (long long)(first + k), (int)r, m->n_groups);
    if (r >= 0 && m->groups[r].dim != 3)
      return MF_ERROR(MF_ERR_PARSE, "%s: element %lld has region %d ('%s'), which is not a volume group", rc->path,
                      (long long)(first + k), (int)r, m->groups[r].name);
    if (r < 0) m->n_unassigned_elems++;
    else m->groups[r].n_elems++;
  }
  return MF_OK;
}

static mf_status count_regions(hid_t mg, mf_mesh *m, const char *path) {
  region_count rc = {m, path};
  return mf_h5_each_slice(mg, "element_region", H5T_NATIVE_INT32, (uint64_t)m->n_elems, 0, count_slice, &rc, path);
}

static mf_status read_outline(hid_t f, const char *path, mf_mesh **out) {
  hid_t mg;
  MF_CALL(mf_h5_group_open(f, "mesh", path, &mg));
  mf_mesh *m = NULL;
  mf_h5_mesh_counts h;
  mf_status st;
  uint64_t rows = 0, cols = 0;
  if ((st = mf_h5_mesh_head(mg, path, &h)) || (st = MF_CALLOC_N(m, 1, "mesh outline")) ||
      (st = MF_CALLOC_N(m->groups, (size_t)h.n_groups + 1, "groups")))
    goto done;
  snprintf(m->source, sizeof m->source, "%s", path);
  m->elem = mf_elem_topology_of(h.type);
  m->npe = m->elem->nodes;
  m->nfn = m->elem->face_nodes;
  m->nodes.n_local = m->nodes.n_owned = h.n_nodes;
  m->n_elems = m->n_elems_owned = h.n_elems;
  m->n_faces = h.n_faces;
  m->n_groups = h.n_groups;
  /* the faces (the surface) for the groups' node lists, then dropped */
  if ((st = mf_h5_shape(mg, "node_tags", &rows, &cols, path)) ||
      (st = MF_ALLOC_N(m->face_conn, (size_t)m->nfn * h.n_faces + 1, "boundary faces")) ||
      (st = mf_h5_read(mg, "faces", H5T_NATIVE_INT32, (uint64_t)h.n_faces, (uint64_t)m->nfn, m->face_conn, path)) ||
      (st = check_range(m->face_conn, (size_t)m->nfn * h.n_faces, 0, h.n_nodes, path, "/mesh/faces")) ||
      (st = mf_h5_mesh_read_groups(mg, m, h.n_faces, NULL, path)) || (st = mf_mesh_finish_groups(m)) ||
      (st = count_regions(mg, m, path)) || (st = read_cuts(mg, m, 0, path)))
    goto done;
  if (rows != (uint64_t)h.n_nodes || cols != 0)
    st = MF_ERROR(MF_ERR_PARSE, "%s: /mesh/node_tags has %llu rows for %lld nodes", path, (unsigned long long)rows,
                  (long long)h.n_nodes);
  mf_free(&m->face_conn);
done:
  H5Gclose(mg);
  if (st) {
    mf_mesh_destroy(&m);
    return st;
  }
  *out = m;
  return MF_OK;
}

static mf_status read_outline_in_child(void *path) {
  hid_t f;
  MF_CALL(mf_h5_open(path, 0, &f));
  mf_mesh *m = NULL;
  mf_status st = read_outline(f, path, &m);
  mf_mesh_destroy(&m);
  H5Fclose(f);
  return st;
}

mf_status mf_h5_mesh_read_outline(const char *path, mf_mesh **out) {
  *out = NULL;
  MF_CALL(mf_h5_guarded(path, read_outline_in_child, (void *)path));
  hid_t f;
  MF_CALL(mf_h5_open(path, 0, &f));
  mf_status st = read_outline(f, path, out);
  H5Fclose(f);
  return st;
}

static mf_status read_file(const char *path, mf_mesh **out) {
  hid_t f;
  MF_CALL(mf_h5_open(path, 0, &f));
  mf_status st = read_mesh(f, path, out);
  H5Fclose(f);
  return st;
}

/* The read as the child process of mf_h5_guarded makes it. */
static mf_status read_in_child(void *path) {
  mf_mesh *m = NULL;
  return read_file(path, &m);
}

mf_status mf_h5_mesh_read(const char *path, mf_mesh **out) {
  *out = NULL;
  mf_status st = mf_h5_guarded(path, read_in_child, (void *)path);
  if (!st) st = read_file(path, out);
  if (st) mf_error_trace(__FILE__, __LINE__, __func__);
  return st;
}

mf_status mf_h5_mesh_save(const mf_mesh *m, const char *path) {
  char tmp[MF_ATOMIC_TMP_MAX];
  MF_CALL(mf_atomic_tmp_name(path, tmp));
  hid_t f;
  MF_CALL(mf_h5_create(tmp, &f));
  mf_status st = mf_h5_mesh_write(f, m, 0, path);
  if (!st && m->cuts) {
    hid_t mg;
    if (!(st = mf_h5_group_open(f, "mesh", path, &mg))) {
      st = write_cuts(mg, m, path);
      H5Gclose(mg);
    }
  }
  if (H5Fclose(f) < 0 && !st) st = MF_H5_ERROR(MF_ERR_IO, tmp, "cannot close the file");
  if (st) {
    unlink(tmp);
    return st;
  }
  return mf_atomic_commit(tmp, path);
}
