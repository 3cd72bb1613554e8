/* Node store: the parts common to every layout (numbering, tags, scatter measure). */
#include "mesh/mf_nodes.h"

#include <stdint.h>
#include <stdlib.h>

#include "mem/mf_alloc.h"

const char *mf_nodes_layout_name(void) { return MF_LAYOUT_NAME; }

mf_status mf_nodes_create(mf_idx n, mf_nodes *ns) {
  *ns = (mf_nodes){0};
  MF_CHECK(n >= 0, MF_ERR_INTERNAL, "negative node count %d", (int)n);
  ns->n_local = ns->n_owned = n;
  mf_status st;
  if ((st = MF_ALLOC_N(ns->global_id, n, "node global ids")) || (st = MF_ALLOC_N(ns->tag, n, "node tags")) ||
      (st = mf_nodes_layout_alloc(ns, n))) {
    mf_nodes_destroy(ns);
    return st;
  }
  /* First touch with the static schedule the solver's node loops use. */
  const double zero[3] = {0.0, 0.0, 0.0};
#pragma omp parallel for schedule(static)
  for (mf_idx i = 0; i < n; i++) {
    mf_nodes_set_coords(ns, i, zero);
    ns->global_id[i] = i;
    ns->tag[i] = (mf_gidx)i + 1;
  }
  return MF_OK;
}

void mf_nodes_destroy(mf_nodes *ns) {
  mf_nodes_layout_free(ns);
  mf_free(&ns->global_id);
  mf_free(&ns->tag);
  ns->n_local = ns->n_owned = ns->n_ghost = 0;
}

void mf_nodes_scatter_measure(const mf_nodes *ns, mf_nodes_scatter *sc) {
  *sc = (mf_nodes_scatter){0};
  if (ns->n_local < 2) return;
  long long adjacent = 0, same_page = 0;
  double gap_sum = 0.0;
  for (mf_idx i = 0; i + 1 < ns->n_local; i++) {
    uintptr_t a = (uintptr_t)mf_nodes_record_address(ns, i), b = (uintptr_t)mf_nodes_record_address(ns, i + 1);
    uintptr_t gap = a > b ? a - b : b - a;
    adjacent += gap <= MF_ALIGN;
    same_page += (a >> 12) == (b >> 12);
    gap_sum += (double)gap;
  }
  double pairs = (double)(ns->n_local - 1);
  sc->adjacent_share = adjacent / pairs;
  sc->same_page_share = same_page / pairs;
  sc->mean_gap_bytes = gap_sum / pairs;
}
