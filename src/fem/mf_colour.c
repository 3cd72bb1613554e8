/* Greedy element colouring (see mf_colour.h). */
#include "fem/mf_colour.h"

#include <stdint.h>
#include <string.h>

#include "mem/mf_alloc.h"

mf_status mf_colouring_create(const mf_mesh *m, mf_colouring **out) {
  return mf_colouring_create_subset(m, NULL, out);
}

mf_status mf_colouring_create_subset(const mf_mesh *m, const uint8_t *in_subset, mf_colouring **out) {
  *out = NULL;
  const mf_idx ne = m->n_elems, nn = m->nodes.n_local;
  int32_t *colour = NULL;
  uint64_t *seen = NULL;
  mf_colouring *c = NULL;
  mf_status st;
  if ((st = MF_ALLOC_N(colour, ne, "element colours")) || (st = MF_ALLOC_N(seen, nn, "colour masks")) ||
      (st = MF_CALLOC_N(c, 1, "colouring")))
    goto done;

  /* Colours are handed out 64 at a time: a round colours what it can with bit masks,
   * the rest waits for the next round with fresh masks. */
  mf_idx left = 0;
  for (mf_idx e = 0; e < ne; e++) {
    colour[e] = in_subset && !in_subset[e] ? INT32_MAX : -1; /* INT32_MAX: not coloured */
    left += colour[e] < 0;
  }
  const mf_idx n_in = left;
  int base = 0;
  while (left > 0) {
    memset(seen, 0, (size_t)nn * sizeof *seen);
    for (mf_idx e = 0; e < ne; e++) {
      if (colour[e] >= 0) continue;
      const mf_idx *v = mf_mesh_elem(m, e);
      uint64_t used = 0;
      for (int a = 0; a < m->npe; a++) used |= seen[v[a]];
      if (used == UINT64_MAX) continue;
      int k = __builtin_ctzll(~used);
      colour[e] = base + k;
      for (int a = 0; a < m->npe; a++) seen[v[a]] |= 1ULL << k;
      left--;
    }
    base += 64;
  }
  int nc = 0;
  for (mf_idx e = 0; e < ne; e++)
    if (colour[e] != INT32_MAX && colour[e] + 1 > nc) nc = colour[e] + 1;
  c->n_colours = nc;
  if ((st = MF_CALLOC_N(c->ptr, (size_t)nc + 1, "colour offsets")) ||
      (st = MF_ALLOC_N(c->elems, n_in, "elements by colour")))
    goto done;
  for (mf_idx e = 0; e < ne; e++)
    if (colour[e] != INT32_MAX) c->ptr[colour[e] + 1]++;
  for (int k = 0; k < nc; k++) c->ptr[k + 1] += c->ptr[k];
  /* First touch: each colour's slice with the static schedule the assembly loop uses on
   * it (mf_assemble.c), so a thread's share of every colour lies on its own NUMA node. */
  const mf_nnz *ptr = c->ptr;
  mf_idx *elems = c->elems;
#pragma omp parallel
  for (int k = 0; k < nc; k++) {
#pragma omp for schedule(static)
    for (mf_nnz p = ptr[k]; p < ptr[k + 1]; p++) elems[p] = 0;
  }
  for (mf_idx e = 0; e < ne; e++)
    if (colour[e] != INT32_MAX) c->elems[c->ptr[colour[e]]++] = e;
  for (int k = nc; k > 0; k--) c->ptr[k] = c->ptr[k - 1];
  c->ptr[0] = 0;
done:
  mf_free(&colour);
  mf_free(&seen);
  if (st) { mf_colouring_destroy(&c); return st; }
  *out = c;
  return MF_OK;
}

mf_status mf_colouring_verify(const mf_colouring *c, const mf_mesh *m) {
  return mf_colouring_verify_subset(c, m, m->n_elems);
}

mf_status mf_colouring_verify_subset(const mf_colouring *c, const mf_mesh *m, mf_nnz expected) {
  int32_t *last = NULL; /* colour that last touched each node */
  MF_CALL(MF_ALLOC_N(last, m->nodes.n_local, "colour check"));
  for (mf_idx i = 0; i < m->nodes.n_local; i++) last[i] = -1;
  mf_nnz total = 0;
  mf_status st = MF_OK;
  for (int k = 0; k < c->n_colours && !st; k++)
    for (mf_nnz p = c->ptr[k]; p < c->ptr[k + 1] && !st; p++, total++)
      for (int a = 0; a < m->npe; a++) {
        mf_idx v = mf_mesh_elem(m, c->elems[p])[a];
        if (last[v] == k) { st = MF_ERROR(MF_ERR_INTERNAL, "colour %d: node %d shared", k, (int)v); break; }
        last[v] = k;
      }
  if (!st && total != expected)
    st = MF_ERROR(MF_ERR_INTERNAL, "colouring holds %lld of %lld elements", (long long)total, (long long)expected);
  mf_free(&last);
  return st;
}

mf_status mf_colouring_restrict(const mf_colouring *c, const mf_idx *map, mf_colouring **out) {
  *out = NULL;
  mf_colouring *r;
  MF_CALL(MF_CALLOC_N(r, 1, "colouring"));
  mf_status st;
  if ((st = MF_CALLOC_N(r->ptr, (size_t)c->n_colours + 1, "colour offsets")) ||
      (st = MF_ALLOC_N(r->elems, (size_t)c->ptr[c->n_colours] + 1, "coloured elements"))) {
    mf_colouring_destroy(&r);
    return st;
  }
  r->n_colours = c->n_colours;
  mf_nnz k = 0;
  for (int col = 0; col < c->n_colours; col++) {
    for (mf_nnz p = c->ptr[col]; p < c->ptr[col + 1]; p++)
      if (map[c->elems[p]] >= 0) r->elems[k++] = map[c->elems[p]];
    r->ptr[col + 1] = k;
  }
  *out = r;
  return MF_OK;
}

void mf_colouring_keys(const mf_colouring *c, int32_t offset, int32_t *key) {
  for (int col = 0; col < c->n_colours; col++)
    for (mf_nnz p = c->ptr[col]; p < c->ptr[col + 1]; p++) key[c->elems[p]] = offset + col;
}

mf_status mf_colouring_from_keys(int n_colours, mf_idx n_elems, const int32_t *key, int32_t offset,
                                 mf_colouring **out) {
  *out = NULL;
  mf_colouring *c;
  MF_CALL(MF_CALLOC_N(c, 1, "colouring"));
  c->n_colours = n_colours;
  mf_status st = MF_CALLOC_N(c->ptr, (size_t)n_colours + 1, "colour offsets");
  for (mf_idx e = 0; e < n_elems && !st; e++)
    if (key[e] >= offset && key[e] - offset < n_colours) c->ptr[key[e] - offset + 1]++;
  for (int col = 0; col < n_colours && !st; col++) c->ptr[col + 1] += c->ptr[col];
  if (!st) st = MF_ALLOC_N(c->elems, (size_t)c->ptr[n_colours] + 1, "coloured elements");
  for (mf_idx e = 0; e < n_elems && !st; e++) /* ascending e: each colour in element order */
    if (key[e] >= offset && key[e] - offset < n_colours) c->elems[c->ptr[key[e] - offset]++] = e;
  for (int col = n_colours; col > 0 && !st; col--) c->ptr[col] = c->ptr[col - 1];
  if (st) {
    mf_colouring_destroy(&c);
    return st;
  }
  c->ptr[0] = 0;
  *out = c;
  return MF_OK;
}

mf_status mf_colouring_pack(const mf_colouring *c, mf_pack *p) {
  MF_CALL(mf_pack_i64(p, c->n_colours));
  MF_CALL(mf_pack_array(p, c->ptr, (size_t)c->n_colours + 1, sizeof *c->ptr));
  return mf_pack_array(p, c->elems, (size_t)c->ptr[c->n_colours], sizeof *c->elems);
}

mf_status mf_colouring_unpack(mf_unpack *u, mf_idx n_elems, mf_colouring **out) {
  *out = NULL;
  int64_t n;
  MF_CALL(mf_unpack_i64(u, &n));
  MF_CHECK(n >= 0 && n <= n_elems + 1, MF_ERR_INTERNAL, "%s: %lld colours", u->what, (long long)n);
  mf_colouring *c;
  MF_CALL(MF_CALLOC_N(c, 1, "colouring"));
  c->n_colours = (int)n;
  mf_status st = mf_unpack_alloc(u, &c->ptr, (size_t)n + 1, sizeof *c->ptr, "colour offsets");
  if (!st) st = mf_unpack_alloc(u, &c->elems, (size_t)c->ptr[n], sizeof *c->elems, "coloured elements");
  for (mf_nnz k = 0; !st && k < c->ptr[n]; k++)
    if (c->elems[k] < 0 || c->elems[k] >= n_elems)
      st = MF_ERROR(MF_ERR_INTERNAL, "%s: coloured element %lld of %lld", u->what, (long long)c->elems[k],
                    (long long)n_elems);
  if (st) {
    mf_colouring_destroy(&c);
    return st;
  }
  *out = c;
  return MF_OK;
}

void mf_colouring_destroy(mf_colouring **cp) {
  if (!*cp) return;
  mf_free(&(*cp)->ptr);
  mf_free(&(*cp)->elems);
  mf_free(cp);
}
