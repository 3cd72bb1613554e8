/* Node store allocation (layout: structure of arrays, see mf_nodes.h). */
#include "mesh/mf_nodes.h"

#include "mem/mf_alloc.h"

mf_status mf_nodes_create(mf_idx n, mf_nodes *ns) {
  *ns = (mf_nodes){0};
  MF_CHECK(n >= 0, MF_ERR_INTERNAL, "negative node count %d", (int)n);
  ns->n_local = ns->n_owned = n;
  mf_status st = MF_OK;
  if ((st = MF_ALLOC_N(ns->x, n, "node x coordinates")) ||
      (st = MF_ALLOC_N(ns->y, n, "node y coordinates")) ||
      (st = MF_ALLOC_N(ns->z, n, "node z coordinates")) ||
      (st = MF_ALLOC_N(ns->global_id, n, "node global ids")) ||
      (st = MF_ALLOC_N(ns->tag, n, "node tags"))) {
    mf_nodes_destroy(ns);
    return st;
  }
  /* First touch with the static schedule the solver's node loops use. */
#pragma omp parallel for schedule(static)
  for (mf_idx i = 0; i < n; i++) {
    ns->x[i] = ns->y[i] = ns->z[i] = 0.0;
    ns->global_id[i] = i;
    ns->tag[i] = (mf_gidx)i + 1;
  }
  return MF_OK;
}

void mf_nodes_destroy(mf_nodes *ns) {
  mf_free(&ns->x);
  mf_free(&ns->y);
  mf_free(&ns->z);
  mf_free(&ns->global_id);
  mf_free(&ns->tag);
  ns->n_local = ns->n_owned = ns->n_ghost = 0;
}
