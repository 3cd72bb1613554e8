/* A process's own part of a mesh file, read without the whole mesh (issue 14).
 *
 * `memfem convert --order ... --parts R` stores, beside each cut into R parts, each
 * node's owner and each part's local elements, and each element's key in the whole
 * assembly plan of either method (io/mf_h5_mesh.h, /mesh/cuts). From these a process
 * reads only what its part touches: its local elements' rows (connectivity, regions,
 * tags, parts, keys), their nodes' rows (coordinates, tags, source numbers, owners) and
 * the boundary faces and groups (the surface; every process reads them whole and keeps
 * the faces whose nodes it holds). They make a sub-mesh of the part's local elements
 * and nodes, numbered in the mesh's order, on which the one-process code makes the part
 * (mf_part_create_local) and the part mesh (mf_part_mesh) unchanged; the part is then
 * renumbered into the mesh's numbers. Since every list the part is made of is
 * ascending in both numberings, the result is the part rank 0 would make from the whole
 * mesh, stream for stream (test_h5_part checks it), and so the same bits.
 *
 * The file must be in the order the run uses (no renumbering): a node's and element's
 * row in the file is then its number, which is what the part's file rows record. */
#ifndef MF_H5_PART_H
#define MF_H5_PART_H

#include "core/mf_error.h"
#include "fem/mf_assemble.h"
#include "mesh/mf_mesh.h"
#include "solver/mf_part_scatter.h"

/* Whether the mesh read whole from a file (mf_h5_mesh_read) is one each of n_parts
 * processes can read its part of, for assembly `method`: its cuts hold a cut into
 * n_parts parts with the parts' views and the method's keys. */
int mf_h5_part_available(const mf_mesh *whole, int n_parts, mf_assembly_method method);

/* Part `part` of the file's cut into n_parts parts (mf_h5_part_available on that file),
 * with its problem (mf_problem_create_part, from desc; ghost rows not yet shared) and
 * its assembly plan for `method` in the whole plan's order. Errors name the file and
 * the dataset. */
mf_status mf_h5_part_read(const char *path, int n_parts, int part, const mf_problem_desc *desc,
                          mf_assembly_method method, mf_part_setup *out);

#endif
