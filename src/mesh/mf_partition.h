/* Partitioning a mesh over processes (issue 14): the parts of the elements, the owner of
 * each node, and each part's local view: its elements and halo elements, its owned and
 * ghost nodes in local numbering, and the lists of the ghost exchange.
 *
 * Parts come from METIS k-way on the element dual graph (neighbours share a face).
 * Elements, not nodes, are partitioned because they are the unit of assembly work: equal
 * element counts balance assembly, and the cut, in faces, is what the ghost layer grows
 * with. A node on an interface is owned by one of its elements' parts, picked by a hash
 * of its number (mf_partition_owner_pick): a rule fixed by the mesh and the parts alone,
 * so every process evaluates it alike without communication, and one that spreads the
 * interface evenly (the lowest part, tried first, gave part 0 of a 4-part box 41% more
 * owned nodes than the mean, half of all halo elements, and part 3 none).
 *
 * A part's local elements are its own and its halo: every other element that touches
 * a node it owns. So the rows of its owned nodes receive every element's contribution on
 * the part itself, in the order one process would add them, and need no reverse add
 * (MiniFE's way to the same bits at any process count; a halo element is computed by its
 * own part and again by each part owning one of its nodes). Ghost nodes are the local
 * elements' nodes that the part does not own; their values come from their owners (the
 * forward exchange before a matrix-vector product).
 *
 * Node and element numbers without "local" are the mesh's (its global numbering). */
#ifndef MF_PARTITION_H
#define MF_PARTITION_H

#include <stdio.h>

#include "core/mf_error.h"
#include "core/mf_types.h"
#include "mem/mf_pack.h"
#include "mesh/mf_mesh.h"
#include "mesh/mf_metis.h"

/* Element parts by METIS k-way on the dual graph (fixed seed: the same parts every run),
 * for processes here and for assembly blocks (fem/mf_blocks.c). `who` starts error
 * messages. n_parts must be in 1..n_elems; METIS may still leave a part empty on a small
 * mesh (blocks accept that; mf_partition_create refuses it). */
mf_status mf_mesh_partition_dual(const mf_mesh *m, int n_parts, const char *who, int32_t *elem_part);

/* The element dual graph METIS_MeshToDual gives for the elements' corners and
 * ncommon = the face's corner count: the same offsets and neighbours in the same order
 * (each element's neighbours as first met through its corners in order, each corner's
 * elements ascending), built in parallel. Arrays from mf_alloc (mf_free them). */
mf_status mf_mesh_dual_graph(const mf_mesh *m, idx_t **xadj, idx_t **adjncy);

/* Which of the k distinct parts (ascending) of node `node`'s elements owns it: a
 * splitmix64 hash of the node's number, modulo k. */
static inline int mf_partition_owner_pick(mf_idx node, int k) {
  uint64_t z = (uint64_t)node + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return (int)((z ^ (z >> 31)) % (uint64_t)k);
}

/* The partition of a whole mesh: what every part's view is computed from. Every process
 * holds it, so it keeps 8 bytes per element and node and nothing mesh-sized more (the
 * node-to-element lists its owners come from are made and dropped in
 * mf_partition_create; a part makes its own). */
typedef struct mf_partition {
  const mf_mesh *mesh; /* borrowed: outlives the partition */
  int n_parts;
  int32_t *elem_part;  /* n_elems */
  int32_t *node_owner; /* n_nodes: one of the parts of the node's elements (0 for a node in none) */
} mf_partition;

/* Whether elem_part (n_elems entries) is a cut into n_parts parts a run takes: every
 * entry in 0..n_parts-1 and no part empty. The error names the first element or part. */
mf_status mf_partition_check_cut(const mf_mesh *m, int n_parts, const int32_t *elem_part);
/* elem_part NULL: the mesh file's parts for n_parts processes (mf_mesh_stored_parts),
 * or METIS's (mf_mesh_partition_dual) where it has none; otherwise the caller's parts
 * (each in 0..n_parts-1, every part non-empty), copied. */
mf_status mf_partition_create(const mf_mesh *m, int n_parts, const int32_t *elem_part, mf_partition **out);
void mf_partition_destroy(mf_partition **p);

/* One part's local view. */
typedef struct mf_part {
  int part, n_parts;
  mf_idx n_elems_owned; /* the part's own elements, */
  mf_idx n_elems;       /* and with its halo elements */
  mf_idx *elems;        /* n_elems: local -> mesh element, own and halo together, ascending,
                           so a loop over a part's elements runs in mesh order (an element
                           is the part's own when P->elem_part[elems[k]] == part) */
  mf_idx n_owned, n_ghost;
  mf_idx *nodes;        /* n_owned + n_ghost: local -> mesh node; owned ascending, then ghosts ascending */
  int32_t *ghost_owner; /* n_ghost: the part owning ghost k (local node n_owned + k) */
  /* The ghost exchange, per neighbour k (parts in ascending order): send[send_ptr[k] ..
   * send_ptr[k+1]) are the owned local nodes that neighbour k holds as ghosts, recv[...]
   * this part's ghosts that neighbour k owns; both in ascending mesh order, so a
   * sender's list and its receiver's name the same nodes in the same order. One
   * direction may be empty (a part can hold none of a neighbour's nodes). */
  int n_neighbours;
  int32_t *neighbours;
  mf_nnz *send_ptr, *recv_ptr; /* n_neighbours + 1 each */
  mf_idx *send, *recv;
  /* Where the part's rows go in the files (results.h5, checkpoint.h5), which keep the
   * mesh's own (file) order: each local node's row and each own element's, its number
   * before renumbering (mesh/mf_reorder.h). A part carries them so that a process
   * needs neither the renumbering maps nor the partition of the whole mesh. */
  int64_t *node_row;  /* n_owned + n_ghost */
  mf_idx *own;        /* n_elems_owned: the local numbers of the part's own elements, ascending */
  int64_t *own_row;   /* n_elems_owned: their rows */
} mf_part;

mf_status mf_part_create(const mf_partition *P, int part, mf_part **out);
/* Every part's local elements (own and halo), ascending, from one pass over the mesh:
 * part p's are elems[ptr[p] .. ptr[p+1]). A process that makes every part (rank 0 for
 * all, the partition report) makes them from these with mf_part_create_from, instead of
 * one pass per part; mf_part_create is the two for one part. */
mf_status mf_partition_local_elems(const mf_partition *P, mf_nnz **ptr, mf_idx **elems);
mf_status mf_part_create_from(const mf_partition *P, int part, const mf_nnz *ptr, const mf_idx *elems,
                              mf_part **out);
/* The same from the part's local elements alone (local[0..n_local), ascending), which
 * is all of P's mesh that it reads: P may be the partition of a sub-mesh holding just
 * those elements and their nodes (io/mf_h5_part.h). */
mf_status mf_part_create_local(const mf_partition *P, int part, mf_idx n_local, const mf_idx *local, mf_part **out);
void mf_part_destroy(mf_part **p);
/* A part as a stream (mem/mf_pack.h): what rank 0 sends the rank that holds it. */
mf_status mf_part_pack(const mf_part *pt, mf_pack *p);
mf_status mf_part_unpack(mf_unpack *u, mf_part **out);
/* Local node number of mesh node `node`, -1 if the part does not hold it (binary search). */
mf_idx mf_part_local_node(const mf_part *p, mf_idx node);

/* The part as a mesh of its own, for assembly on the part: its local elements (in mesh
 * order, as mf_part.elems) and nodes (owned, then ghosts) in local numbering, node
 * global_id and tag the mesh's (global_id is a node's identity, kept through
 * renumbering, not its mesh number: mf_part.nodes is), n_owned / n_ghost and
 * n_elems_owned (a count) set;
 * the mesh's boundary faces whose nodes the part holds all, in mesh order (every face
 * with an owned node is among them); groups by the same names, their faces and nodes
 * restricted to those. Coordinates, regions and element tags are the mesh's. */
mf_status mf_part_mesh(const mf_partition *P, const mf_part *pt, mf_mesh **out);

/* Per part: elements (own + halo), owned and ghost nodes, neighbours, values exchanged;
 * then the load imbalance (largest over mean) of own elements, local elements and owned
 * nodes. */
mf_status mf_partition_report(const mf_partition *P, FILE *out);
/* The same from each part's counts, gathered where the parts were made. */
typedef struct {
  mf_idx own, halo, owned, ghosts;
  int neighbours;
  int64_t exchanged; /* nodes whose values cross to or from the part in one forward exchange */
} mf_part_counts;
mf_part_counts mf_part_count(const mf_part *pt);
void mf_partition_report_counts(const mf_part_counts *c, int n_parts, FILE *out);

#endif
