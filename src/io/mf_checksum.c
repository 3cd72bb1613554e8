/* Displacement checksum (see mf_checksum.h). */
#include "io/mf_checksum.h"

#include <stdlib.h>
#include <string.h>

#include "mem/mf_alloc.h"

uint64_t mf_fnv1a64(uint64_t h, const void *data, size_t len) {
  const unsigned char *p = data;
  for (size_t i = 0; i < len; i++) {
    h ^= p[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

/* A node and its tag, sorted by tag: qsort has no context argument in C17, so the key
 * travels with the index. */
typedef struct {
  mf_gidx tag;
  mf_idx node;
} tagged;

static int cmp_tagged(const void *a, const void *b) {
  mf_gidx x = ((const tagged *)a)->tag, y = ((const tagged *)b)->tag;
  return (x > y) - (x < y);
}

mf_status mf_nodes_tag_order(const mf_nodes *ns, mf_idx **perm_out) {
  const mf_idx n = ns->n_owned;
  mf_idx *perm;
  MF_CALL(MF_ALLOC_N(perm, (size_t)n + 1, "tag order"));
  int sorted = 1;
  for (mf_idx i = 0; i < n; i++) {
    perm[i] = i;
    if (i && ns->tag[i] < ns->tag[i - 1]) sorted = 0;
  }
  if (!sorted) {
    tagged *t;
    mf_status st = MF_ALLOC_N(t, (size_t)n, "tag order pairs");
    if (st) {
      mf_free(&perm);
      return st;
    }
    for (mf_idx i = 0; i < n; i++) t[i] = (tagged){ns->tag[i], i};
    qsort(t, (size_t)n, sizeof *t, cmp_tagged); /* tags are unique: the order is total */
    for (mf_idx i = 0; i < n; i++) perm[i] = t[i].node;
    mf_free(&t);
  }
  *perm_out = perm;
  return MF_OK;
}

mf_status mf_displacement_checksum(const mf_nodes *ns, const double *u, uint64_t *hash) {
  mf_idx *perm;
  MF_CALL(mf_nodes_tag_order(ns, &perm));
  uint64_t h = MF_FNV1A64_INIT;
  for (mf_idx k = 0; k < ns->n_owned; k++)
    for (int c = 0; c < 3; c++) {
      double v = u[3 * (mf_nnz)perm[k] + c];
      unsigned char b[8];
      uint64_t bits;
      memcpy(&bits, &v, 8);
      for (int j = 0; j < 8; j++) b[j] = (unsigned char)(bits >> (8 * j)); /* little-endian */
      h = mf_fnv1a64(h, b, 8);
    }
  mf_free(&perm);
  *hash = h;
  return MF_OK;
}

/* FNV-1a of one node's three values, little-endian: the serial checksum's step. */
static uint64_t hash_node(uint64_t h, const double *v) {
  for (int c = 0; c < 3; c++) {
    unsigned char b[8];
    uint64_t bits;
    memcpy(&bits, &v[c], 8);
    for (int j = 0; j < 8; j++) b[j] = (unsigned char)(bits >> (8 * j));
    h = mf_fnv1a64(h, b, 8);
  }
  return h;
}

/* The slice of a tag: slices of `width` tags from the smallest, lo. */
static int64_t slice_of(mf_gidx tag, mf_gidx lo, mf_gidx width) { return (tag - lo) / width; }

/* Rank 0: one slice's rows, each process's ascending by tag (4 words per node: the
 * tag's bits, then x y z), merged in tag order into h. */
static uint64_t hash_merged(uint64_t h, int size, const double *recv, const mf_nnz *ptr, mf_nnz *at) {
  for (int r = 0; r < size; r++) at[r] = ptr[r];
  for (;;) {
    int best = -1;
    mf_gidx best_tag = 0;
    for (int r = 0; r < size; r++) {
      if (at[r] == ptr[r + 1]) continue;
      mf_gidx t;
      memcpy(&t, &recv[at[r]], sizeof t);
      if (best < 0 || t < best_tag) best = r, best_tag = t;
    }
    if (best < 0) return h;
    h = hash_node(h, &recv[at[best] + 1]);
    at[best] += 4;
  }
}

mf_status mf_displacement_checksum_dist(mf_comm *comm, const mf_nodes *ns, const double *u, mf_idx slice,
                                        uint64_t *hash) {
  const int root = comm->rank == 0, size = comm->size;
  const mf_idx n = ns->n_owned;
  mf_idx *perm = NULL;
  double *send = NULL, *recv = NULL, *counts = NULL;
  mf_nnz *ptr = NULL, *one = NULL, *at = NULL, recv_cap = 0;
  int failed;
  mf_status st = mf_nodes_tag_order(ns, &perm);
  if (!st && root && !(st = MF_ALLOC_N(counts, (size_t)size, "checksum counts")) &&
      !(st = MF_ALLOC_N(one, (size_t)size + 1, "checksum count offsets")) &&
      !(st = MF_ALLOC_N(ptr, (size_t)size + 1, "checksum offsets")) &&
      !(st = MF_ALLOC_N(at, (size_t)size, "checksum cursors")))
    for (int r = 0; r <= size; r++) one[r] = r;
  /* the tags' range and the node count over every process: slices of equal tag width,
   * about `slice` nodes each where tags are dense (Gmsh's and the generator's are) */
  int64_t range[2] = {INT64_MIN, INT64_MIN}, total = n; /* -(smallest tag), largest tag */
  if (!st && n) range[0] = -ns->tag[perm[0]], range[1] = ns->tag[perm[n - 1]];
  if (!(st = mf_comm_agree(comm, st, &failed)) && !(st = comm->ops->max_i64(comm, range, 2)))
    st = comm->ops->sum_i64(comm, &total, 1);
  const mf_gidx lo = -range[0], hi = range[1];
  const int64_t n_slices = total > slice ? (total + slice - 1) / slice : 1;
  const mf_gidx width = total ? (hi - lo) / n_slices + 1 : 1; /* so every tag's slice is below n_slices */
  mf_idx most = 0; /* this process's most nodes in one slice: the send buffer's rows */
  for (mf_idx k = 0, first = 0; !st && k <= n; k++)
    if (k == n || slice_of(ns->tag[perm[k]], lo, width) != slice_of(ns->tag[perm[first]], lo, width)) {
      if (k - first > most) most = k - first;
      first = k;
    }
  if (!st) st = mf_comm_agree(comm, MF_ALLOC_N(send, 4 * (size_t)most + 1, "checksum rows sent"), &failed);
  uint64_t h = MF_FNV1A64_INIT;
  mf_idx k = 0; /* this process's next owned node in tag order */
  for (int64_t c = 0; !st && c < n_slices; c++) {
    mf_nnz m = 0;
    for (; k < n && slice_of(ns->tag[perm[k]], lo, width) == c; k++, m += 4) {
      const mf_gidx t = ns->tag[perm[k]];
      memcpy(&send[m], &t, sizeof t);
      memcpy(&send[m + 1], &u[3 * (mf_nnz)perm[k]], 3 * sizeof *u);
    }
    const double words = (double)m;
    if ((st = comm->ops->gather(comm, &words, 1, counts, one))) break;
    if (root) {
      ptr[0] = 0;
      for (int r = 0; r < size; r++) ptr[r + 1] = ptr[r] + (mf_nnz)counts[r];
      if (ptr[size] > recv_cap) { /* grown to the largest slice: every process learns why it stops */
        mf_free(&recv);
        recv_cap = ptr[size];
        st = MF_ALLOC_N(recv, (size_t)recv_cap + 1, "checksum rows");
      }
    }
    if ((st = mf_comm_agree(comm, st, &failed)) || (st = comm->ops->gather(comm, send, m, recv, ptr))) break;
    if (root) h = hash_merged(h, size, recv, ptr, at);
  }
  mf_free(&at);
  mf_free(&ptr);
  mf_free(&one);
  mf_free(&counts);
  mf_free(&recv);
  mf_free(&send);
  mf_free(&perm);
  *hash = h;
  return st;
}
