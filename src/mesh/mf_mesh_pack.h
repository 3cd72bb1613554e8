/* A mesh as a stream (mem/mf_pack.h), for the part of a mesh that rank 0 sends each
 * rank (solver/mf_part_scatter.h).
 *
 * The whole form carries everything a part mesh has (mf_part_mesh): counts, nodes
 * (coordinates, global ids, tags, owned and ghost counts), elements, boundary faces and
 * groups with their faces; the receiver rebuilds the group node lists. A part mesh has
 * no renumbering maps, and none travel.
 *
 * The outline carries what a rank other than 0 needs of the whole mesh it does not hold:
 * its source, element type and counts, and its groups (names, dimensions, tags, face
 * and element counts, and each boundary group's node list, in the whole mesh's
 * numbering), which name the boundary conditions and the nodes whose reactions rank 0
 * reports. An outline has no nodes, elements or faces: its arrays are NULL. */
#ifndef MF_MESH_PACK_H
#define MF_MESH_PACK_H

#include "mem/mf_pack.h"
#include "mesh/mf_mesh.h"

mf_status mf_mesh_pack(const mf_mesh *m, mf_pack *p);
mf_status mf_mesh_unpack(mf_unpack *u, mf_mesh **out);
mf_status mf_mesh_pack_outline(const mf_mesh *m, mf_pack *p);
mf_status mf_mesh_unpack_outline(mf_unpack *u, mf_mesh **out);

#endif
