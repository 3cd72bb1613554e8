/* FNV-1a 64-bit checksum of the displacement field: the regression fingerprint.
 * Bytes: each displacement as a little-endian IEEE double, nodes in ascending mesh-tag
 * order, x y z per node. Independent of thread count, node renumbering and layout. */
#ifndef MF_CHECKSUM_H
#define MF_CHECKSUM_H

#include <stdint.h>

#include "mesh/mf_nodes.h"

uint64_t mf_fnv1a64(uint64_t h, const void *data, size_t len);
#define MF_FNV1A64_INIT 0xcbf29ce484222325ULL
mf_status mf_displacement_checksum(const mf_nodes *ns, const double *u, uint64_t *hash);
/* Node order by ascending tag (owned nodes): perm[k] = local node of the k-th smallest tag. */
mf_status mf_nodes_tag_order(const mf_nodes *ns, mf_idx **perm);

#endif
