/* FNV-1a 64-bit checksum of the displacement field: the regression fingerprint.
 * Bytes: each displacement as a little-endian IEEE double, nodes in ascending mesh-tag
 * order, x y z per node. Independent of thread count, node renumbering and layout. */
#ifndef MF_CHECKSUM_H
#define MF_CHECKSUM_H

#include <stdint.h>

#include "core/mf_comm.h"
#include "mesh/mf_nodes.h"

uint64_t mf_fnv1a64(uint64_t h, const void *data, size_t len);
#define MF_FNV1A64_INIT 0xcbf29ce484222325ULL
mf_status mf_displacement_checksum(const mf_nodes *ns, const double *u, uint64_t *hash);
/* Across processes: the same checksum of a displacement whose owned rows are spread over
 * the processes (ns: this process's nodes, owned first, with their mesh tags; u: 3 per
 * local node). Rank 0 receives the rows a slice of tags at a time, about `slice` nodes
 * (each process's rows in the slice ascending by tag), and hashes them merged in tag
 * order, so no process holds the whole field. *hash is rank 0's. Collective. */
mf_status mf_displacement_checksum_dist(mf_comm *comm, const mf_nodes *ns, const double *u, mf_idx slice,
                                        uint64_t *hash);
#define MF_CHECKSUM_SLICE 65536 /* nodes per slice in a run: 2 MiB of rows on rank 0 */
/* Node order by ascending tag (owned nodes): perm[k] = local node of the k-th smallest tag. */
mf_status mf_nodes_tag_order(const mf_nodes *ns, mf_idx **perm);

#endif
