/* Node renumbering for locality, and the permutation of a mesh into that order.
 *
 * A mesh file numbers nodes in whatever order the mesher produced; the solver's loops
 * (assembly gathers/scatters, SpMV rows and columns) then jump across memory. Renumbering
 * makes nodes that share elements close in number, so the matrix has a narrow profile
 * and an element's nodal data shares cache lines.
 *   none : the mesh's own order
 *   rcm  : reverse Cuthill-McKee on the nodal graph (bandwidth reduction)
 *   metis: METIS nested dissection (METIS_NodeND) of the nodal graph
 * Elements are then sorted (stably) by their smallest new node number, so element loops
 * walk the nodes in order too.
 *
 * The mesh keeps both directions of both permutations (mf_mesh.node_new2old, ...); output
 * writers use them to write everything in the mesh's own order (see docs/performance.md). */
#ifndef MF_REORDER_H
#define MF_REORDER_H

#include "core/mf_error.h"
#include "core/mf_names.h"
#include "core/mf_types.h"

struct mf_mesh;

typedef enum { MF_REORDER_NONE = 0, MF_REORDER_METIS, MF_REORDER_RCM } mf_reorder_method;

extern const mf_name mf_reorder_names[]; /* none, metis, rcm */
const char *mf_reorder_name(mf_reorder_method m);
/* 0 and *m set if name is none, metis or rcm; -1 otherwise. */
int mf_reorder_parse(const char *name, mf_reorder_method *m);

/* The nodal graph of the mesh's elements in CSR form (no self loops, each neighbour
 * once, sorted ascending): xadj has n_nodes + 1 entries, adj xadj[n] entries. */
mf_status mf_reorder_node_graph(const struct mf_mesh *mesh, mf_idx **xadj, mf_idx **adj);

/* Orderings of a graph given in CSR form: new2old[k] = the old number of new node k.
 * The graph is checked first (indices in range, no self loops); a bad graph is an
 * MF_ERR_INPUT error naming the first offence. */
mf_status mf_reorder_rcm(mf_idx n, const mf_idx *xadj, const mf_idx *adj, mf_idx *new2old);
mf_status mf_reorder_metis(mf_idx n, const mf_idx *xadj, const mf_idx *adj, mf_idx *new2old);

/* The two METIS orders `metis` can mean (MF_REORDER_METIS_KWAY picks, by measurement):
 *   nd  : METIS_NodeND nested dissection (a fill-reducing order)
 *   kway: METIS_PartGraphKway into parts of about part_nodes nodes, numbered part after
 *         part; inside a part, and parts among themselves, in RCM order. */
#ifndef MF_REORDER_METIS_KWAY /* -DMF_REORDER_METIS_KWAY=0 builds the nested-dissection variant (to measure) */
#define MF_REORDER_METIS_KWAY 1
#endif
#define MF_REORDER_PART_NODES 512 /* a part's x, y, z vectors: 512 * 24 B = 12 KiB, in L1 */
mf_status mf_reorder_metis_nd(mf_idx n, const mf_idx *xadj, const mf_idx *adj, mf_idx *new2old);
mf_status mf_reorder_metis_kway(mf_idx n, const mf_idx *xadj, const mf_idx *adj, mf_idx part_nodes,
                                mf_idx *new2old);

/* A METIS return code as an mf_status with a message naming the call (METIS_OK: MF_OK). */
mf_status mf_reorder_metis_status(int metis_rc, const char *call);

/* Renumber the mesh's nodes by `method`, sort the elements to follow, and permute every
 * node- and element-indexed array (node store with tags and global ids, connectivity,
 * regions, element tags, face connectivity, group node lists). Setup only. none: no-op.
 * A mesh may be renumbered once; a renumbering drops the cuts a mesh file carried
 * (mesh->cuts), which hold for its own order only. */
mf_status mf_mesh_reorder(struct mf_mesh *mesh, mf_reorder_method method);

/* Renumber by an explicit node order (new2old: a permutation of 0..n-1), elements
 * sorted to follow. Used by mf_mesh_reorder and by tests (e.g. to shuffle a mesh). */
mf_status mf_mesh_apply_node_order(struct mf_mesh *mesh, const mf_idx *new2old);

/* Make the renumbered order the mesh's own: the maps back to the file's order are freed,
 * so writers write the mesh in this order (`memfem convert --order`). */
void mf_mesh_adopt_order(struct mf_mesh *mesh);

/* How far the mesh's elements reach across the node numbering: the largest and the mean
 * |i - j| over the node pairs of every element (the nodal matrix's half bandwidth and a
 * locality measure of its rows). */
void mf_mesh_node_spread(const struct mf_mesh *mesh, mf_idx *half_bandwidth, double *mean);

/* Whether perm (n entries) is a bijection of 0..n-1. */
int mf_reorder_is_permutation(mf_idx n, const mf_idx *perm);

#endif
