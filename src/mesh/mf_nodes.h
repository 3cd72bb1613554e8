/* The node store: the one place where the layout of nodal data is spelled out.
 *
 * Structure of arrays: each coordinate in its own contiguous, 64-byte aligned array,
 * indexed by local node number. Local numbers 0..n_owned-1 are owned, n_owned..n_local-1
 * are ghosts (copies of other processes' nodes; none while one process owns all).
 * global_id maps local to global numbering; tag keeps the mesh file's node tag, which
 * fixes the order of all output. A layout variant changes this header and mf_nodes.c
 * only: the element loop reads coordinates through mf_nodes_coords(). */
#ifndef MF_NODES_H
#define MF_NODES_H

#include "core/mf_error.h"
#include "core/mf_types.h"

typedef struct mf_nodes {
  mf_idx n_local; /* owned + ghost */
  mf_idx n_owned;
  mf_idx n_ghost;
  double *x, *y, *z;  /* reference coordinates */
  mf_gidx *global_id; /* local -> global number */
  mf_gidx *tag;       /* mesh file node tag (unique, not necessarily dense or sorted) */
} mf_nodes;

/* Allocate the arrays for n nodes, all owned; global_id = local number. */
mf_status mf_nodes_create(mf_idx n, mf_nodes *ns);
void mf_nodes_destroy(mf_nodes *ns);

static inline void mf_nodes_coords(const mf_nodes *ns, mf_idx i, double X[3]) {
  X[0] = ns->x[i];
  X[1] = ns->y[i];
  X[2] = ns->z[i];
}

#endif
