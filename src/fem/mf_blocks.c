/* METIS block decomposition of the elements (see mf_blocks.h). */
#include "fem/mf_blocks.h"

#include <string.h>

#include "mem/mf_alloc.h"
#include "mesh/mf_partition.h"

int mf_blocking_count(const mf_mesh *m, mf_idx block_elems) {
  return m->n_elems > 0 ? (int)(((int64_t)m->n_elems + block_elems - 1) / block_elems) : 1;
}

mf_status mf_blocking_cut(const mf_mesh *m, int nb, int32_t *epart) {
  if (!m->cuts || m->cuts->n_blocks != nb) return mf_mesh_partition_dual(m, nb, "assembly blocks", epart);
  memcpy(epart, m->cuts->elem_block, (size_t)m->n_elems * sizeof *epart);
  return MF_OK;
}

mf_status mf_blocking_create(const mf_mesh *m, mf_idx block_elems, mf_blocking **out) {
  *out = NULL;
  MF_CHECK(block_elems >= 1, MF_ERR_INPUT, "assembly blocks: %lld elements per block must be >= 1",
           (long long)block_elems);
  const int nb = mf_blocking_count(m, block_elems);
  int32_t *epart = NULL;
  mf_status st = MF_ALLOC_N(epart, (size_t)m->n_elems + 1, "element blocks");
  if (!st && !(st = mf_blocking_cut(m, nb, epart)))
    st = mf_blocking_create_given(m, nb, epart, out);
  mf_free(&epart);
  return st;
}

mf_status mf_blocking_create_given(const mf_mesh *m, int nb, const int32_t *epart, mf_blocking **out) {
  *out = NULL;
  const mf_idx ne = m->n_elems, nn = m->nodes.n_local;
  for (mf_idx e = 0; e < ne; e++)
    MF_CHECK(epart[e] >= 0 && epart[e] < nb, MF_ERR_INTERNAL, "assembly blocks: element %lld in block %d of %d",
             (long long)e, (int)epart[e], nb);
  mf_blocking *b = NULL;
  int32_t *node_block = NULL;
  uint8_t *on_interface = NULL;
  mf_status st;
  if ((st = MF_CALLOC_N(b, 1, "blocking")) || (st = MF_ALLOC_N(node_block, (size_t)nn + 1, "node blocks")) ||
      (st = MF_CALLOC_N(on_interface, (size_t)ne + 1, "interface flags")))
    goto done;
  b->n_blocks = nb;

  /* A node is shared when elements of two blocks touch it; an element touching a shared
   * node is an interface element. */
  for (mf_idx i = 0; i < nn; i++) node_block[i] = -1;
  for (mf_idx e = 0; e < ne; e++)
    for (int a = 0; a < m->npe; a++) {
      mf_idx v = mf_mesh_elem(m, e)[a];
      if (node_block[v] == -1) node_block[v] = (int32_t)epart[e];
      else if (node_block[v] != (int32_t)epart[e]) node_block[v] = INT32_MAX;
    }
  for (mf_idx e = 0; e < ne; e++)
    for (int a = 0; a < m->npe; a++) on_interface[e] |= node_block[mf_mesh_elem(m, e)[a]] == INT32_MAX;

  if ((st = MF_CALLOC_N(b->ptr, (size_t)nb + 1, "block offsets"))) goto done;
  for (mf_idx e = 0; e < ne; e++)
    if (!on_interface[e]) b->ptr[epart[e] + 1]++;
  for (mf_idx k = 0; k < nb; k++) b->ptr[k + 1] += b->ptr[k];
  if ((st = MF_ALLOC_N(b->interior, (size_t)b->ptr[nb] + 1, "block interiors"))) goto done;
  for (mf_idx e = 0; e < ne; e++) /* ascending e: each block's interior in element order */
    if (!on_interface[e]) b->interior[b->ptr[epart[e]]++] = e;
  for (mf_idx k = nb; k > 0; k--) b->ptr[k] = b->ptr[k - 1];
  b->ptr[0] = 0;
  st = mf_colouring_create_subset(m, on_interface, &b->interface);
done:
  mf_free(&node_block);
  mf_free(&on_interface);
  if (st) {
    mf_blocking_destroy(&b);
    return st;
  }
  *out = b;
  return MF_OK;
}

mf_status mf_blocking_verify(const mf_blocking *b, const mf_mesh *m) {
  const mf_idx ne = m->n_elems, nn = m->nodes.n_local;
  uint8_t *count = NULL;
  int32_t *owner = NULL;
  mf_status st;
  if ((st = MF_CALLOC_N(count, (size_t)ne + 1, "block check")) || (st = MF_ALLOC_N(owner, (size_t)nn + 1, "block check")))
    goto done;
  for (mf_idx i = 0; i < nn; i++) owner[i] = -1;
  for (int k = 0; k < b->n_blocks && !st; k++)
    for (mf_nnz p = b->ptr[k]; p < b->ptr[k + 1] && !st; p++) {
      mf_idx e = b->interior[p];
      count[e]++;
      for (int a = 0; a < m->npe && !st; a++) {
        mf_idx v = mf_mesh_elem(m, e)[a];
        if (owner[v] != -1 && owner[v] != k)
          st = MF_ERROR(MF_ERR_INTERNAL, "blocks %d and %d: interiors share node %lld", owner[v], k, (long long)v);
        owner[v] = k;
      }
    }
  const mf_colouring *c = b->interface;
  for (int k = 0; k < c->n_colours && !st; k++)
    for (mf_nnz p = c->ptr[k]; p < c->ptr[k + 1]; p++) count[c->elems[p]]++;
  for (mf_idx e = 0; e < ne && !st; e++)
    if (count[e] != 1)
      st = MF_ERROR(MF_ERR_INTERNAL, "element %lld lies in %d places of the blocking", (long long)e, count[e]);
  if (!st) st = mf_colouring_verify_subset(c, m, ne - b->ptr[b->n_blocks]);
done:
  mf_free(&count);
  mf_free(&owner);
  return st;
}

double mf_blocking_interface_share(const mf_blocking *b, const mf_mesh *m) {
  return m->n_elems ? 1.0 - (double)b->ptr[b->n_blocks] / (double)m->n_elems : 0.0;
}

mf_status mf_blocking_restrict(const mf_blocking *b, const mf_idx *map, mf_blocking **out) {
  *out = NULL;
  mf_blocking *r;
  MF_CALL(MF_CALLOC_N(r, 1, "blocking"));
  mf_status st;
  if ((st = MF_CALLOC_N(r->ptr, (size_t)b->n_blocks + 1, "block offsets")) ||
      (st = MF_ALLOC_N(r->interior, (size_t)b->ptr[b->n_blocks] + 1, "block interiors")) ||
      (st = mf_colouring_restrict(b->interface, map, &r->interface))) {
    mf_blocking_destroy(&r);
    return st;
  }
  r->n_blocks = b->n_blocks;
  mf_nnz k = 0;
  for (int blk = 0; blk < b->n_blocks; blk++) {
    for (mf_nnz p = b->ptr[blk]; p < b->ptr[blk + 1]; p++)
      if (map[b->interior[p]] >= 0) r->interior[k++] = map[b->interior[p]];
    r->ptr[blk + 1] = k;
  }
  *out = r;
  return MF_OK;
}

int mf_blocking_n_keys(const mf_blocking *b) { return b->n_blocks + b->interface->n_colours; }

void mf_blocking_keys(const mf_blocking *b, int32_t *key) {
  for (int blk = 0; blk < b->n_blocks; blk++)
    for (mf_nnz p = b->ptr[blk]; p < b->ptr[blk + 1]; p++) key[b->interior[p]] = blk;
  mf_colouring_keys(b->interface, b->n_blocks, key);
}

mf_status mf_blocking_from_keys(int n_blocks, int n_keys, mf_idx n_elems, const int32_t *key, mf_blocking **out) {
  *out = NULL;
  for (mf_idx e = 0; e < n_elems; e++)
    MF_CHECK(key[e] >= 0 && key[e] < n_keys, MF_ERR_INTERNAL, "assembly blocks: element %lld has key %d of %d",
             (long long)e, (int)key[e], n_keys);
  MF_CHECK(n_blocks >= 1 && n_blocks <= n_keys, MF_ERR_INTERNAL, "assembly blocks: %d blocks in %d keys", n_blocks,
           n_keys);
  mf_blocking *b;
  MF_CALL(MF_CALLOC_N(b, 1, "blocking"));
  b->n_blocks = n_blocks;
  mf_colouring *interior = NULL; /* the blocks' interiors are laid out as a colouring's lists */
  mf_status st = mf_colouring_from_keys(n_blocks, n_elems, key, 0, &interior);
  if (!st) st = mf_colouring_from_keys(n_keys - n_blocks, n_elems, key, n_blocks, &b->interface);
  if (!st) {
    b->ptr = interior->ptr, b->interior = interior->elems;
    interior->ptr = NULL, interior->elems = NULL;
  }
  mf_colouring_destroy(&interior);
  if (st) {
    mf_blocking_destroy(&b);
    return st;
  }
  *out = b;
  return MF_OK;
}

mf_status mf_blocking_pack(const mf_blocking *b, mf_pack *p) {
  MF_CALL(mf_pack_i64(p, b->n_blocks));
  MF_CALL(mf_pack_array(p, b->ptr, (size_t)b->n_blocks + 1, sizeof *b->ptr));
  MF_CALL(mf_pack_array(p, b->interior, (size_t)b->ptr[b->n_blocks], sizeof *b->interior));
  return mf_colouring_pack(b->interface, p);
}

mf_status mf_blocking_unpack(mf_unpack *u, mf_idx n_elems, mf_blocking **out) {
  *out = NULL;
  int64_t n;
  MF_CALL(mf_unpack_i64(u, &n));
  MF_CHECK(n >= 1 && n <= INT32_MAX, MF_ERR_INTERNAL, "%s: %lld blocks", u->what, (long long)n);
  mf_blocking *b;
  MF_CALL(MF_CALLOC_N(b, 1, "blocking"));
  b->n_blocks = (int)n;
  mf_status st = mf_unpack_alloc(u, &b->ptr, (size_t)n + 1, sizeof *b->ptr, "block offsets");
  if (!st) st = mf_unpack_alloc(u, &b->interior, (size_t)b->ptr[n], sizeof *b->interior, "block interiors");
  for (mf_nnz k = 0; !st && k < b->ptr[n]; k++)
    if (b->interior[k] < 0 || b->interior[k] >= n_elems)
      st = MF_ERROR(MF_ERR_INTERNAL, "%s: interior element %lld of %lld", u->what, (long long)b->interior[k],
                    (long long)n_elems);
  if (!st) st = mf_colouring_unpack(u, n_elems, &b->interface);
  if (!st && b->ptr[n] + b->interface->ptr[b->interface->n_colours] != n_elems)
    st = MF_ERROR(MF_ERR_INTERNAL, "%s: a blocking of %lld elements for %lld", u->what,
                  (long long)(b->ptr[n] + b->interface->ptr[b->interface->n_colours]), (long long)n_elems);
  if (st) {
    mf_blocking_destroy(&b);
    return st;
  }
  *out = b;
  return MF_OK;
}

void mf_blocking_destroy(mf_blocking **bp) {
  mf_blocking *b = *bp;
  if (!b) return;
  mf_free(&b->ptr);
  mf_free(&b->interior);
  mf_colouring_destroy(&b->interface);
  mf_free(bp);
}
