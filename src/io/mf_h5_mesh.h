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
 *                    attribute parts (the process count, ascending); beside each cut j what
 *                    a process reads of its own part (io/mf_h5_part.h): parts_j_owner int32
 *                    [nodes], each node's owner, parts_j_local_ptr int64 [parts + 1] and
 *                    parts_j_local int32, each part's local elements (own and halo,
 *                    ascending); assembly_keys_colour and assembly_keys_blocks int32
 *                    [elems], each element's key in the whole assembly plan of that method
 *                    (attribute keys: their count; fem/mf_blocks.h). A reader that does not
 *                    know them reads the mesh as before; the whole mesh's reader leaves
 *                    the views and keys in the file.
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
/* The outline of a mesh file (mesh/mf_mesh_pack.h): its source (the path), element
 * type and counts, its groups with their face lists, node lists and element counts,
 * and its cuts' counts and names without their arrays (mf_mesh_stored_parts gives
 * NULL; mf_mesh_has_part_cut says which counts there are). What rank 0 reads when every
 * process reads its own part (io/mf_h5_part.h): the surface, and the element regions
 * streamed a slice at a time; coordinates, connectivity and tags stay in the file. */
mf_status mf_h5_mesh_read_outline(const char *path, mf_mesh **out);
/* Write /mesh of the mesh file `src` into loc as mf_h5_mesh_write writes the mesh read
 * from it (without its cuts), each dataset streamed a slice at a time: results.h5 of a
 * run whose rank 0 holds only the outline. */
mf_status mf_h5_mesh_copy(hid_t loc, const char *src, const mf_mesh *outline, int deflate, const char *file);
/* For the readers of a part of a mesh file (io/mf_h5_part.h). The datasets of the
 * assembly plans' keys under /mesh/cuts, per mf_assembly_method (colour, blocks): */
extern const char *const mf_h5_mesh_key_dataset[2];
/* The counts /mesh declares,
 * its format, version and element type checked: */
typedef struct {
  mf_elem_type type;
  mf_idx n_nodes, n_elems, n_faces;
  int n_groups;
} mf_h5_mesh_counts;
mf_status mf_h5_mesh_head(hid_t mesh_group, const char *file, mf_h5_mesh_counts *c);
/* m's groups (m->groups allocated, m->n_groups of them) from /mesh/groups, their face
 * lists checked against the file's n_file_faces faces and, with face_map, kept where
 * face_map[f] >= 0 and renumbered to it; then every m->region entry must name a volume
 * group. */
mf_status mf_h5_mesh_read_groups(hid_t mesh_group, mf_mesh *m, mf_idx n_file_faces, const mf_idx *face_map,
                                 const char *file);
/* Write `mesh` to a new file `path` atomically (temporary file, fsync, rename), with
 * its cuts when it has them. */
mf_status mf_h5_mesh_save(const mf_mesh *mesh, const char *path);

#endif
