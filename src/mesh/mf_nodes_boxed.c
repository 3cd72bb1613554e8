/* Node layout "boxed": one heap block per node record.
 *
 * A naive loader allocates each node as it parses it, in between the other allocations
 * parsing makes (token strings, line buffers), and frees those later; the records end up
 * spread over the heap with holes between them that later allocations fill. This file
 * reproduces that order deterministically: for each record it also allocates a
 * short-lived "parse buffer" of varying size (24-280 bytes, a fixed pseudo-random
 * sequence), keeps the last few alive as a parser would, and frees all of them at the
 * end. How scattered the records really are is measured, not assumed
 * (mf_nodes_scatter_measure). */
#include <string.h>

#include "mem/mf_alloc.h"
#include "mesh/mf_nodes.h"

#define PARSE_BUFFERS_LIVE 8 /* buffers a parser holds at once */

mf_status mf_nodes_layout_alloc(mf_nodes *ns, mf_idx n) {
  MF_CALL(MF_CALLOC_N(ns->rec, n, "node record pointers"));
  void *live[PARSE_BUFFERS_LIVE] = {0};
  void **parked = NULL; /* buffers freed only when "loading" ends */
  mf_status st = MF_CALLOC_N(parked, (size_t)n + 1, "loader buffer list");
  uint32_t seed = 2463534242u;
  for (mf_idx i = 0; i < n && !st; i++) {
    st = mf_malloc_plain(sizeof(mf_node_record), "node record", &ns->rec[i]);
    seed ^= seed << 13, seed ^= seed >> 17, seed ^= seed << 5; /* xorshift32 */
    size_t bytes = 24 + 8 * (seed % 33);
    int slot = (int)(i % PARSE_BUFFERS_LIVE);
    if (!st && live[slot]) {
      if (seed & 1) parked[i] = live[slot]; /* kept until the end of loading */
      else mf_free(&live[slot]);
      live[slot] = NULL;
    }
    if (!st) st = mf_malloc_plain(bytes, "loader parse buffer", &live[slot]);
  }
  for (int k = 0; k < PARSE_BUFFERS_LIVE; k++) mf_free(&live[k]);
  if (parked)
    for (mf_idx i = 0; i <= n; i++) mf_free(&parked[i]);
  mf_free(&parked);
  return st;
}

void mf_nodes_layout_free(mf_nodes *ns) {
  if (ns->rec)
    for (mf_idx i = 0; i < ns->n_local; i++) mf_free(&ns->rec[i]);
  mf_free(&ns->rec);
}

const void *mf_nodes_record_address(const mf_nodes *ns, mf_idx i) { return ns->rec[i]; }
