/* A distributed vector gathered onto rank 0 in the mesh's numbering (issue 14): what
 * rank 0 records (reactions, probes, the checksum) with the one-process code, from the
 * owned rows of every process. (results.h5 and checkpoints are written by every
 * process, from its own rows: la/mf_redistribute.h.)
 *
 * Each process sends its owned rows, bs entries per node, in its local order (ascending
 * mesh node, mesh/mf_partition.h); rank 0 learns every part's owned nodes from the
 * parts themselves at creation (no process needs the whole partition for it) and puts
 * each row at its mesh node. The vector is copied, not summed, so
 * the whole vector is the owners' bits. Buffers are made at creation; a gather
 * allocates nothing. Rank 0 holds the whole vector. */
#ifndef MF_GATHER_H
#define MF_GATHER_H

#include "core/mf_comm.h"
#include "mesh/mf_partition.h"

typedef struct mf_gather mf_gather;

/* pt: this process's part; n_whole: the mesh's node count (rank 0 checks that the parts
 * own each of them once). Collective. */
mf_status mf_gather_create(mf_comm *comm, const mf_part *pt, int bs, mf_idx n_whole, mf_gather **g);
/* The same for some of the mesh's nodes: sel holds n_sel of them, ascending (the same
 * list on every process). Rank 0's result has bs entries per selected node, in the
 * selection's order: what reactions and probes need, without the whole vector. */
mf_status mf_gather_create_selected(mf_comm *comm, const mf_part *pt, int bs, mf_idx n_sel, const mf_idx *sel,
                                    mf_gather **g);
/* x: this process's local vector (owned rows first). whole (rank 0 only; others NULL):
 * bs entries per mesh node (per selected node). Collective. */
mf_status mf_gather_to_root(mf_gather *g, const double *x, double *whole);
void mf_gather_destroy(mf_gather **g);

#endif
