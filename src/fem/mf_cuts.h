/* The cuts a run makes from a mesh before anything else, made ahead for a mesh file
 * (`memfem convert --order`, io/mf_h5_mesh.h): the renumbering, the assembly blocks
 * (mf_blocks.h) and the processes' parts for given process counts (mesh/mf_partition.h).
 * A run on the file reads them instead of making them: the same cuts of the same mesh
 * in the same order, so the same bits as a run on the source mesh, and a set-up without
 * its serial METIS cuts. */
#ifndef MF_CUTS_H
#define MF_CUTS_H

#include "mesh/mf_mesh.h"
#include "mesh/mf_reorder.h"

/* Renumber mesh by `order` and adopt that order as its own (mf_mesh_adopt_order), then
 * make mesh->cuts: the order, mf_blocking_count(mesh, MF_BLOCK_ELEMS) blocks and a part
 * cut for each of parts[0..n_parts) (ascending, distinct, each at least 2), each by
 * METIS as a run makes it. A cut leaving a part empty is refused, as a run refuses it.
 * With each part cut, its partition's node owners and local elements, and each
 * element's key in the whole assembly plan of both methods: what lets each process of
 * a run read its own part of the file (io/mf_h5_part.h).
 * The global ids (the source order's node numbers) stay, for the multigrid. Cuts the mesh
 * already carried (a converted file converted again) are replaced. */
mf_status mf_cuts_make(mf_mesh *mesh, mf_reorder_method order, int n_parts, const int *parts);

#endif
