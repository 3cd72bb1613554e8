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
