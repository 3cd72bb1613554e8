/* Node layout "soa": three aligned coordinate arrays. */
#include "mem/mf_alloc.h"
#include "mesh/mf_nodes.h"

mf_status mf_nodes_layout_alloc(mf_nodes *ns, mf_idx n) {
  mf_status st;
  if ((st = MF_ALLOC_N(ns->x, n, "node x coordinates")) || (st = MF_ALLOC_N(ns->y, n, "node y coordinates")) ||
      (st = MF_ALLOC_N(ns->z, n, "node z coordinates")))
    return st;
  return MF_OK;
}

void mf_nodes_layout_free(mf_nodes *ns) {
  mf_free(&ns->x);
  mf_free(&ns->y);
  mf_free(&ns->z);
}

const void *mf_nodes_record_address(const mf_nodes *ns, mf_idx i) { return &ns->x[i]; }
