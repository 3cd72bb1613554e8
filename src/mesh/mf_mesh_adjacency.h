/* What touches what in a mesh: each node's elements, and each node's neighbours through
 * them. The matrix pattern (la/mf_bcsr.c), the renumbering graph (mf_reorder.c) and the
 * partition's owners (mf_partition.c) are all built from these. */
#ifndef MF_MESH_ADJACENCY_H
#define MF_MESH_ADJACENCY_H

#include "core/mf_error.h"
#include "core/mf_types.h"
#include "mesh/mf_mesh.h"

/* Node -> elements through each element's first `per_elem` nodes (m->npe: all; the
 * corners for the dual graph): *ptr (n_nodes + 1) and *elems, each node's elements
 * ascending; *max_deg the most elements of one node (may be NULL). Arrays from mf_alloc. */
mf_status mf_mesh_node_elements(const mf_mesh *m, int per_elem, mf_nnz **ptr, mf_idx **elems, mf_idx *max_deg);

/* The nodes sharing an element with node i, itself included, sorted and unique, into buf
 * (room for max_deg * npe); returns their count. A node in no element gets itself alone.
 * ptr and elems from mf_mesh_node_elements with per_elem = npe. */
mf_idx mf_mesh_node_neighbours(const mf_mesh *m, const mf_nnz *ptr, const mf_idx *elems, mf_idx i, mf_idx *buf);

#endif
