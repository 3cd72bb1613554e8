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

static const mf_gidx *sort_tags; /* qsort has no context argument in C17 */

static int cmp_by_tag(const void *a, const void *b) {
  mf_gidx x = sort_tags[*(const mf_idx *)a], y = sort_tags[*(const mf_idx *)b];
  return (x > y) - (x < y);
}

mf_status mf_nodes_tag_order(const mf_nodes *ns, mf_idx **perm_out) {
  mf_idx *perm;
  MF_CALL(MF_ALLOC_N(perm, ns->n_owned, "tag order"));
  int sorted = 1;
  for (mf_idx i = 0; i < ns->n_owned; i++) {
    perm[i] = i;
    if (i && ns->tag[i] < ns->tag[i - 1]) sorted = 0;
  }
  if (!sorted) {
    sort_tags = ns->tag;
    qsort(perm, (size_t)ns->n_owned, sizeof *perm, cmp_by_tag);
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
