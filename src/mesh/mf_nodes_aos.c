/* Node layout "aos": one aligned array of {x, y, z} records. */
#include "mem/mf_alloc.h"
#include "mesh/mf_nodes.h"

mf_status mf_nodes_layout_alloc(mf_nodes *ns, mf_idx n) { return MF_ALLOC_N(ns->rec, n, "node records"); }

void mf_nodes_layout_free(mf_nodes *ns) { mf_free(&ns->rec); }

const void *mf_nodes_record_address(const mf_nodes *ns, mf_idx i) { return &ns->rec[i]; }
