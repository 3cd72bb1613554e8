/* The node store: the one place where the layout of nodal data is spelled out.
 *
 * Every layout keeps the same common fields: counts (local numbers 0..n_owned-1 are
 * owned, n_owned..n_local-1 ghosts: copies of other processes' nodes, none while one
 * process owns all), global_id (local -> global numbering) and tag (the mesh file's node
 * tag, which fixes the order of all output). Coordinates are stored as the build's
 * MEMFEM_LAYOUT says, in mf_nodes_<layout>.h, which defines the struct and the
 * accessors every other file uses: mf_nodes_coords(), mf_nodes_set_coords() and the
 * hint mf_nodes_prefetch().
 *   soa   : x[], y[], z[]: three contiguous 64-byte aligned arrays (the default)
 *   aos   : rec[]: one array of {x, y, z} node structs
 *   boxed : rec[]: an array of pointers, each node record allocated on its own */
#ifndef MF_NODES_H
#define MF_NODES_H

#include "core/mf_error.h"
#include "core/mf_types.h"
#include "mf_config.h"

#define MF_NODES_COMMON_FIELDS                                 \
  mf_idx n_local; /* owned + ghost */                          \
  mf_idx n_owned;                                              \
  mf_idx n_ghost;                                              \
  mf_gidx *global_id; /* local -> global number */             \
  mf_gidx *tag;       /* mesh file node tag (unique, any order) */

#include MF_NODES_LAYOUT_HEADER

/* Allocate the store for n nodes, all owned; global_id = local number, tag = local + 1,
 * coordinates 0. */
mf_status mf_nodes_create(mf_idx n, mf_nodes *ns);
void mf_nodes_destroy(mf_nodes *ns);
const char *mf_nodes_layout_name(void);

/* How scattered the coordinate records are in memory, in local node order. */
typedef struct {
  double adjacent_share; /* consecutive nodes whose records are at most one cache line apart */
  double same_page_share;/* consecutive nodes whose records share a 4 KiB page */
  double mean_gap_bytes; /* mean |address difference| of consecutive records */
} mf_nodes_scatter;
void mf_nodes_scatter_measure(const mf_nodes *ns, mf_nodes_scatter *sc);

/* Layout-specific parts, implemented in mf_nodes_<layout>.c. */
mf_status mf_nodes_layout_alloc(mf_nodes *ns, mf_idx n);
void mf_nodes_layout_free(mf_nodes *ns);
/* Address of node i's coordinate record (its x), for the scatter measure. */
const void *mf_nodes_record_address(const mf_nodes *ns, mf_idx i);

#endif
