/* memfem's HDF5 mesh layout: write a mesh into a group, read a mesh file back.
 *
 * Group /mesh (attributes: format = "memfem-mesh", format_version = 1, source,
 * element_type = "tet4" (mesh/mf_elem.h; absent means tet4)):
 *   coordinates      float64 [nodes x 3]   reference coordinates, local node order
 *   node_tags        int64   [nodes]       mesh-file node tags (fix the output order)
 *   connectivity     int64   [elems x npe] 0-based local node numbers per element
 *   element_tags     int64   [elems]
 *   element_region   int32   [elems]       index into groups, -1: no physical volume
 *   faces            int64   [faces x nfn] boundary faces, 0-based node numbers
 *   groups/<i>       one group per physical group i = 0..n-1, attributes name, dim, tag;
 *                    a surface group (dim 2) holds faces int64 [n]: rows of `faces`
 *   cuts             optional (`memfem convert --order`; mesh->cuts): attributes order (the
 *                    renumbering the file's order came from, e.g. "rcm"), blocks (count,
 *                    0: none) and part_cuts (k); node_ids int64 [nodes], each node's number
 *                    in the source mesh's order (the multigrid's aggregation is keyed on
 *                    it); blocks int32 [elems], the assembly blocks;
 *                    parts_0 .. parts_<k-1> int32 [elems], the processes' parts, each with
 *                    attribute parts (the process count, ascending). A reader that does not
 *                    know them reads the mesh as before.
 * results.h5 carries the same /mesh group (without cuts), so a results file is also a
 * mesh file. */
#ifndef MF_H5_MESH_H
#define MF_H5_MESH_H

#include <hdf5.h>

#include "core/mf_error.h"
#include "mesh/mf_mesh.h"

/* Write `mesh` as group "mesh" under loc; deflate 0..9. `file` names it in messages. */
mf_status mf_h5_mesh_write(hid_t loc, const mf_mesh *mesh, int deflate, const char *file);
/* Read a mesh file written by mf_h5_mesh_save (or a results.h5). Every count, index
 * and name is checked; a bad file is an error naming the file and the problem. */
mf_status mf_h5_mesh_read(const char *path, mf_mesh **mesh);
/* Write `mesh` to a new file `path` atomically (temporary file, fsync, rename), with
 * its cuts when it has them. */
mf_status mf_h5_mesh_save(const mf_mesh *mesh, const char *path);

#endif
