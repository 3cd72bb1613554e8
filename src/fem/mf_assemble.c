/* Element loop: block interiors or colours, scratch from the provider, scatter into block CSR. */
#include "fem/mf_assemble.h"

#include <omp.h>
#include <string.h>

#include "fem/mf_element.h"
#include "la/mf_vec.h"
#include "mem/mf_alloc.h"

struct mf_assembly {
  const mf_mesh *mesh;
  const mf_shape *shape;
  const mf_material *region_mat;
  mf_assembly_method method;
  mf_colouring *colouring; /* colour: all elements */
  mf_blocking *blocking;   /* blocks: block interiors and the coloured interface */
  mf_scratch *scratch;
  int nthreads;
  /* offset[npe * npe * e + npe * a + b]: place of block (v_a, v_b) of element e in row
   * v_a, counted from the row's start (NULL: search) */
  uint8_t *offset;
  mf_scatter_mode scatter;
  int moved; /* the offsets moved with K's blocks (mf_assembly_move_offsets): no search */
};

const mf_name mf_assembly_method_names[] = {{"colour", MF_ASSEMBLY_COLOUR}, {"blocks", MF_ASSEMBLY_BLOCKS}, {NULL, 0}};

const char *mf_assembly_method_name(mf_assembly_method m) { return mf_name_of(mf_assembly_method_names, (int)m); }

int mf_assembly_method_parse(const char *name, mf_assembly_method *m) {
  int v;
  if (mf_name_parse(mf_assembly_method_names, name, &v)) return -1;
  *m = (mf_assembly_method)v;
  return 0;
}

/* An assembly without its plan (colouring or blocking) and scratch. */
static mf_status assembly_alloc(const mf_mesh *mesh, const mf_shape *shape, const mf_material *region_mat,
                                mf_assembly_method method, mf_assembly **out) {
  mf_assembly *a;
  MF_CALL(MF_CALLOC_N(a, 1, "assembly"));
  a->mesh = mesh;
  a->shape = shape;
  a->region_mat = region_mat;
  a->method = method;
  a->nthreads = omp_get_max_threads();
  a->scatter = MF_SCATTER_SEARCH; /* until bound */
  *out = a;
  return MF_OK;
}

/* elem_block NULL: METIS cuts the blocks (method blocks) */
static mf_status assembly_create(const mf_mesh *mesh, const mf_shape *shape, const mf_material *region_mat,
                                 mf_assembly_method method, const int32_t *elem_block, mf_assembly **out) {
  MF_CHECK(shape->type == mesh->elem->type && shape->nodes == mesh->npe, MF_ERR_INTERNAL,
           "assembly: a %s shape for a mesh of %s", mf_elem_topology_of(shape->type)->name, mesh->elem->name);
  mf_assembly *a;
  MF_CALL(assembly_alloc(mesh, shape, region_mat, method, &a));
  mf_status st = method == MF_ASSEMBLY_COLOUR ? mf_colouring_create(mesh, &a->colouring)
                 : elem_block ? mf_blocking_create_given(mesh, mf_blocking_count(mesh, MF_BLOCK_ELEMS), elem_block,
                                                         &a->blocking)
                                          : mf_blocking_create(mesh, MF_BLOCK_ELEMS, &a->blocking);
  if (st || (st = mf_scratch_create(a->nthreads, a->shape->nodes, &a->scratch))) {
    mf_assembly_destroy(&a);
    return st;
  }
  *out = a;
  return MF_OK;
}

mf_status mf_assembly_create(const mf_mesh *mesh, const mf_shape *shape, const mf_material *region_mat,
                             mf_assembly_method method, mf_assembly **out) {
  return assembly_create(mesh, shape, region_mat, method, NULL, out);
}

mf_status mf_assembly_create_blocks(const mf_mesh *mesh, const mf_shape *shape, const mf_material *region_mat,
                                    const int32_t *elem_block, mf_assembly **out) {
  return assembly_create(mesh, shape, region_mat, MF_ASSEMBLY_BLOCKS, elem_block, out);
}

mf_status mf_assembly_create_part(const mf_mesh *part_mesh, const mf_assembly *whole, const mf_idx *elems,
                                  mf_assembly **out) {
  *out = NULL;
  const mf_mesh *wm = whole->mesh;
  MF_CHECK(part_mesh->elem == wm->elem && part_mesh->n_elems <= wm->n_elems, MF_ERR_INTERNAL,
           "part assembly: a part mesh of %lld %s for a whole mesh of %lld %s", (long long)part_mesh->n_elems,
           part_mesh->elem->plural, (long long)wm->n_elems, wm->elem->plural);
  mf_idx *map;
  MF_CALL(MF_ALLOC_N(map, (size_t)wm->n_elems + 1, "part element map"));
  for (mf_idx e = 0; e < wm->n_elems; e++) map[e] = -1;
  for (mf_idx k = 0; k < part_mesh->n_elems; k++) map[elems[k]] = k;
  mf_assembly *a = NULL;
  mf_status st = assembly_alloc(part_mesh, whole->shape, whole->region_mat, whole->method, &a);
  if (!st) {
    st = whole->blocking ? mf_blocking_restrict(whole->blocking, map, &a->blocking)
                         : mf_colouring_restrict(whole->colouring, map, &a->colouring);
    if (!st) st = mf_scratch_create(a->nthreads, a->shape->nodes, &a->scratch);
  }
  mf_free(&map);
  if (st) {
    mf_assembly_destroy(&a);
    return st;
  }
  *out = a;
  return MF_OK;
}

mf_status mf_assembly_create_keyed(const mf_mesh *part_mesh, const mf_shape *shape, const mf_material *region_mat,
                                   mf_assembly_method method, int n_blocks, int n_keys, const int32_t *key,
                                   mf_assembly **out) {
  *out = NULL;
  const mf_idx ne = part_mesh->n_elems;
  for (mf_idx k = 0; k < ne; k++)
    MF_CHECK(key[k] >= 0 && key[k] < n_keys, MF_ERR_INTERNAL, "part assembly: element %lld has key %d of %d",
             (long long)k, (int)key[k], n_keys);
  mf_assembly *a;
  MF_CALL(assembly_alloc(part_mesh, shape, region_mat, method, &a));
  mf_status st = method == MF_ASSEMBLY_BLOCKS ? mf_blocking_from_keys(n_blocks, n_keys, ne, key, &a->blocking)
                                              : mf_colouring_from_keys(n_keys, ne, key, 0, &a->colouring);
  if (!st) st = mf_scratch_create(a->nthreads, a->shape->nodes, &a->scratch);
  if (st) {
    mf_assembly_destroy(&a);
    return st;
  }
  *out = a;
  return MF_OK;
}

mf_status mf_assembly_pack(const mf_assembly *a, mf_pack *p) {
  MF_CALL(mf_pack_i64(p, a->method));
  return a->blocking ? mf_blocking_pack(a->blocking, p) : mf_colouring_pack(a->colouring, p);
}

mf_status mf_assembly_unpack(mf_unpack *u, const mf_mesh *part_mesh, const mf_shape *shape,
                             const mf_material *region_mat, mf_assembly **out) {
  *out = NULL;
  int64_t method;
  MF_CALL(mf_unpack_i64(u, &method));
  MF_CHECK(method == MF_ASSEMBLY_COLOUR || method == MF_ASSEMBLY_BLOCKS, MF_ERR_INTERNAL, "%s: assembly method %lld",
           u->what, (long long)method);
  mf_assembly *a;
  MF_CALL(assembly_alloc(part_mesh, shape, region_mat, (mf_assembly_method)method, &a));
  mf_status st = method == MF_ASSEMBLY_BLOCKS ? mf_blocking_unpack(u, part_mesh->n_elems, &a->blocking)
                                              : mf_colouring_unpack(u, part_mesh->n_elems, &a->colouring);
  if (!st) st = mf_scratch_create(a->nthreads, a->shape->nodes, &a->scratch);
  if (st) {
    mf_assembly_destroy(&a);
    return st;
  }
  *out = a;
  return MF_OK;
}

mf_status mf_assembly_bind(mf_assembly *a, const mf_bcsr *K) {
  const mf_mesh *m = a->mesh;
  MF_CHECK(K->bs == 3 && K->n_rows == m->nodes.n_local, MF_ERR_INTERNAL,
           "assembly: a matrix of %lld rows of %d unknowns for a mesh of %lld nodes", (long long)K->n_rows, K->bs,
           (long long)m->nodes.n_local);
  const int npe = m->npe;
  mf_free(&a->offset);
  a->moved = 0;
  a->scatter = MF_SCATTER_SEARCH;
  for (mf_idx i = 0; i < K->n_rows; i++)
    if (K->row_ptr[i + 1] - K->row_ptr[i] > 255) return MF_OK; /* offsets do not fit a byte: search */
  MF_CALL(MF_ALLOC_N(a->offset, (size_t)npe * npe * m->n_elems + 1, "element-to-matrix offsets"));
  uint8_t *off = a->offset;
  int missing = 0;
#pragma omp parallel for schedule(static) reduction(|| : missing)
  for (mf_idx e = 0; e < m->n_elems; e++) {
    const mf_idx *v = mf_mesh_elem(m, e);
    for (int i = 0; i < npe; i++)
      for (int j = 0; j < npe; j++) {
        if (K->symmetric && v[i] > v[j]) { /* a lower block: its transpose is added */
          off[(size_t)npe * npe * e + npe * i + j] = 0;
          continue;
        }
        mf_nnz p = mf_bcsr_find(K, v[i], v[j]);
        if (p < 0) missing = 1;
        off[(size_t)npe * npe * e + npe * i + j] = (uint8_t)(p - K->row_ptr[v[i]]);
      }
  }
  if (missing) {
    mf_free(&a->offset);
    return MF_ERROR(MF_ERR_INTERNAL, "assembly: the matrix pattern lacks a node pair of an element");
  }
  a->scatter = MF_SCATTER_OFFSETS;
  return MF_OK;
}

mf_status mf_assembly_move_offsets(mf_assembly *a, const mf_bcsr *K, mf_idx n_rows, const mf_idx *where) {
  MF_CHECK(a->offset && !K->symmetric, MF_ERR_INTERNAL,
           "assembly: blocks can move within rows only for offsets into full storage");
  const mf_mesh *m = a->mesh;
  const int npe = m->npe;
  uint8_t *off = a->offset;
#pragma omp parallel for schedule(static)
  for (mf_idx e = 0; e < m->n_elems; e++) {
    const mf_idx *v = mf_mesh_elem(m, e);
    for (int i = 0; i < npe; i++)
      if (v[i] < n_rows)
        for (int j = 0; j < npe; j++) {
          uint8_t *o = &off[(size_t)npe * npe * e + npe * i + j];
          *o = (uint8_t)where[K->row_ptr[v[i]] + *o];
        }
  }
  a->moved = 1;
  return MF_OK;
}

void mf_assembly_set_scatter(mf_assembly *a, mf_scatter_mode mode) {
  a->scatter = (mode == MF_SCATTER_OFFSETS || a->moved) && a->offset ? MF_SCATTER_OFFSETS : MF_SCATTER_SEARCH;
}

size_t mf_assembly_offset_bytes(const mf_assembly *a) {
  return a->offset ? (size_t)a->mesh->npe * a->mesh->npe * a->mesh->n_elems : 0;
}

void mf_assembly_destroy(mf_assembly **ap) {
  if (!*ap) return;
  mf_colouring_destroy(&(*ap)->colouring);
  mf_blocking_destroy(&(*ap)->blocking);
  mf_scratch_destroy(&(*ap)->scratch);
  mf_free(&(*ap)->offset);
  mf_free(ap);
}

int mf_assembly_colours(const mf_assembly *a) {
  return a->blocking ? a->blocking->interface->n_colours : a->colouring->n_colours;
}

const mf_blocking *mf_assembly_blocking(const mf_assembly *a) { return a->blocking; }

/* Add the element's npe x npe blocks of Ke into K; off: the element's offsets, or NULL to
 * search each row. A symmetric K takes the blocks of its upper triangle only. */
/* The common case, full storage found through offsets, with npe a constant where it is
 * inlined: the loops unroll and each block row is one vector add. The same additions in
 * the same order as the general loop below. */
static inline __attribute__((always_inline)) void scatter_offsets(double *restrict val, const mf_nnz *row_ptr,
                                                                  const int npe, const mf_idx *v, const uint8_t *off,
                                                                  const double *restrict Ke) {
  const int nd = 3 * npe;
  for (int a = 0; a < npe; a++) {
    const mf_nnz row = row_ptr[v[a]];
    for (int b = 0; b < npe; b++) {
      double *restrict blk = &val[9 * (row + off[npe * a + b])];
      for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) blk[3 * i + j] += Ke[nd * (3 * a + i) + 3 * b + j];
    }
  }
}

static void scatter_matrix(mf_bcsr *K, int npe, const mf_idx *v, const uint8_t *off, const double *restrict Ke) {
  if (off && !K->symmetric) {
    if (npe == 4) scatter_offsets(K->val, K->row_ptr, 4, v, off, Ke);
    else if (npe == 8) scatter_offsets(K->val, K->row_ptr, 8, v, off, Ke);
    else if (npe == 10) scatter_offsets(K->val, K->row_ptr, 10, v, off, Ke);
    else scatter_offsets(K->val, K->row_ptr, npe, v, off, Ke);
    return;
  }
  const int nd = 3 * npe;
  for (int a = 0; a < npe; a++) {
    const mf_nnz row = off ? K->row_ptr[v[a]] : 0;
    for (int b = 0; b < npe; b++) {
      if (K->symmetric && v[a] > v[b]) continue;
      mf_nnz p = off ? row + off[npe * a + b] : mf_bcsr_find(K, v[a], v[b]);
      double *blk = &K->val[9 * p];
      for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) blk[3 * i + j] += Ke[nd * (3 * a + i) + 3 * b + j];
    }
  }
}

/* Evaluate element e = list[p] of a list that runs to end and add it into fint (and K).
 * Returns 0, 1 when the element cannot be evaluated, or -1 when the scratch provider
 * failed. The one element body every assembly order runs. */
static inline int assemble_element(mf_assembly *asmb, int tid, const mf_idx *list, mf_nnz p, mf_nnz end,
                                   const double *u, mf_bcsr *K, double *fint) {
  const mf_mesh *m = asmb->mesh;
  const int npe = m->npe;
  const mf_idx e = list[p], next = p + 1 < end ? list[p + 1] : -1, after = p + 2 < end ? list[p + 2] : -1;
  const mf_idx *v = mf_mesh_elem(m, e);
  const uint8_t *off = K && asmb->scatter == MF_SCATTER_OFFSETS ? &asmb->offset[(size_t)npe * npe * e] : NULL;
  /* Cache hints, which change no value. An interface colour's elements lie far apart, so
   * each one's reads miss: its connectivity, then its nodes' data, then its matrix
   * blocks, each needing the one before. Asked for ahead: the connectivity and offsets of
   * the element after next, the nodes' data of the next one, this one's blocks before
   * its kernel runs. The loop over a stores, so the compiler keeps the hints (GCC 12
   * deletes a loop whose only statements are prefetches). */
  if (after >= 0) {
    __builtin_prefetch(mf_mesh_elem(m, after));
    if (off) __builtin_prefetch(&asmb->offset[(size_t)npe * npe * after]);
  }
  const mf_idx *vn = next >= 0 ? mf_mesh_elem(m, next) : NULL;
  mf_elem_scratch s;
  if (mf_scratch_acquire(asmb->scratch, tid, &s)) return -1;
  for (int a = 0; a < npe; a++) {
    if (vn) {
      mf_nodes_prefetch(&m->nodes, vn[a]);
      __builtin_prefetch(&u[3 * (mf_nnz)vn[a]]);
      __builtin_prefetch(&fint[3 * (mf_nnz)vn[a]], 1);
      if (K) __builtin_prefetch(&K->row_ptr[vn[a]]);
    }
    if (off) { /* a 72-byte block spans two lines */
      const double *row = &K->val[9 * K->row_ptr[v[a]]];
      for (int b = 0; b < npe; b++) {
        if (K->symmetric && v[a] > v[b]) continue; /* not stored */
        __builtin_prefetch(&row[9 * off[npe * a + b]], 1, 3);
        __builtin_prefetch(&row[9 * off[npe * a + b] + 8], 1, 3);
      }
    }
    mf_nodes_coords(&m->nodes, v[a], &s.Xe[3 * a]);
    for (int k = 0; k < 3; k++) s.ue[3 * a + k] = u[3 * (mf_nnz)v[a] + k];
  }
  const mf_material *mat = &asmb->region_mat[m->region[e] + 1];
  int bad = mf_element_eval(asmb->shape, mat, s.Xe, s.ue, K != NULL, &s) != 0;
  if (!bad) {
    for (int a = 0; a < npe; a++)
      for (int k = 0; k < 3; k++) fint[3 * (mf_nnz)v[a] + k] += s.fe[3 * a + k];
    if (K) scatter_matrix(K, npe, v, off, s.Ke);
  }
  mf_scratch_release(asmb->scratch, tid, &s);
  return bad;
}

mf_status mf_assemble(mf_assembly *asmb, const double *u, mf_bcsr *K, double *fint) {
  const mf_mesh *m = asmb->mesh;
  const mf_blocking *bl = asmb->blocking;
  const mf_colouring *col = bl ? bl->interface : asmb->colouring;
  mf_nnz ndof = 3 * (mf_nnz)m->nodes.n_local;
  mf_vec_set(ndof, 0.0, fint);
  if (K) mf_bcsr_zero(K);

  mf_idx bad_elem = MF_IDX_MAX; /* smallest failing element: deterministic message */
  int scratch_failed = 0;
#pragma omp parallel num_threads(asmb->nthreads) reduction(min : bad_elem) reduction(|| : scratch_failed)
  {
    int tid = omp_get_thread_num();
    if (bl) {
      /* Block interiors share no node: a block at a time per thread, no synchronisation;
       * dynamic, since blocks differ in size. */
#pragma omp for schedule(dynamic, 1)
      for (int k = 0; k < bl->n_blocks; k++)
        for (mf_nnz p = bl->ptr[k]; p < bl->ptr[k + 1]; p++) {
          int r = assemble_element(asmb, tid, bl->interior, p, bl->ptr[k + 1], u, K, fint);
          if (r < 0) scratch_failed = 1;
          else if (r > 0 && bl->interior[p] < bad_elem) bad_elem = bl->interior[p];
        }
    }
    for (int c = 0; c < col->n_colours; c++) {
#pragma omp for schedule(static)
      for (mf_nnz p = col->ptr[c]; p < col->ptr[c + 1]; p++) {
        int r = assemble_element(asmb, tid, col->elems, p, col->ptr[c + 1], u, K, fint);
        if (r < 0) scratch_failed = 1;
        else if (r > 0 && col->elems[p] < bad_elem) bad_elem = col->elems[p];
      }
    }
  }
  if (scratch_failed) {
    if (!mf_error_message()[0]) MF_ERROR(MF_ERR_MEMORY, "assembly: the scratch provider failed");
    return MF_ERR_MEMORY;
  }
  if (bad_elem != MF_IDX_MAX)
    return MF_ERROR(MF_ERR_NONFINITE, "element %lld cannot be evaluated (inverted, J <= 0, or non-finite)",
                    (long long)m->elem_tag[bad_elem]);
  return MF_OK;
}
