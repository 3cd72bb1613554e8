/* Some nodes of a distributed vector gathered onto rank 0 (issue 14): what rank 0
 * records each step (reactions, probes) with the one-process code, from the owned rows
 * of every process. (results.h5 and checkpoints are written by every process, from its
 * own rows: la/mf_redistribute.h; the checksum takes the whole vector a slice at a
 * time: io/mf_checksum.h.)
 *
 * Each process sends its selected owned rows, bs entries per node, in its local order
 * (ascending mesh node, mesh/mf_partition.h); rank 0 learns every part's selected nodes
 * from the parts themselves at creation (no process needs the whole partition for it)
 * and puts each row at its node's place in the selection. The values are copied, not
 * summed, so they are the owners' bits. Buffers are made at creation; a gather
 * allocates nothing. */
#ifndef MF_GATHER_H
#define MF_GATHER_H

#include "core/mf_comm.h"
#include "mesh/mf_partition.h"

typedef struct mf_gather mf_gather;

/* pt: this process's part; sel: n_sel of the mesh's nodes, ascending, the same list on
 * every process. Collective: a failure before its two gathers (the parts' counts and
 * nodes) is every process's; one on rank 0 after them (each node must come once, room
 * for its arrays) is rank 0's alone, for the caller to agree on. */
mf_status mf_gather_create_selected(mf_comm *comm, const mf_part *pt, int bs, mf_idx n_sel, const mf_idx *sel,
                                    mf_gather **g);
/* x: this process's local vector (owned rows first). whole (rank 0 only; others NULL):
 * bs entries per selected node, in the selection's order. Collective. */
mf_status mf_gather_to_root(mf_gather *g, const double *x, double *whole);
void mf_gather_destroy(mf_gather **g);

#endif
