/* A mesh: node store, elements of one volume type, boundary faces and named groups.
 *
 * Elements are of one type (mesh/mf_elem.h), connectivity flat with stride npe (nodes
 * per element) and a region id per element (index into groups of a volume group, -1 if
 * none). Boundary faces have nfn nodes each; a boundary group lists its faces and the
 * sorted, unique nodes of those faces. Owned/ghost element counts mirror the node
 * store's for the distributed version to come. */
#ifndef MF_MESH_H
#define MF_MESH_H

#include <stdio.h>

#include "core/mf_error.h"
#include "core/mf_types.h"
#include "mesh/mf_elem.h"
#include "mesh/mf_nodes.h"

typedef struct mf_group {
  char name[MF_NAME_MAX];
  int dim;            /* 2: boundary faces, 3: volume region (0/1: counted, unused) */
  int tag;            /* physical tag in the mesh file (or generator's number) */
  mf_idx n_faces;     /* dim 2: faces of the group ... */
  mf_idx *faces;      /* ... as indices into mesh->face_conn */
  mf_idx n_nodes;     /* dim 2: sorted unique local nodes of those faces */
  mf_idx *nodes;
  mf_idx n_elems;     /* dim 3: elements whose region is this group */
} mf_group;

/* The cuts a mesh file written by `memfem convert --order` carries (io/mf_h5_mesh.h): the
 * renumbering the file's order came from, the assembly blocks and the processes' parts
 * for some process counts, so a run on the file makes none of them again. They hold for
 * the mesh in this order only: renumbering drops them. */
#define MF_MESH_CUTS_MAX 16
typedef struct mf_mesh_cuts {
  int order;           /* the mf_reorder_method (mesh/mf_reorder.h) the order came from */
  int n_blocks;        /* elem_block's block count (fem/mf_blocks.h); 0: none */
  int32_t *elem_block; /* n_elems */
  int n_part_cuts;
  int parts[MF_MESH_CUTS_MAX];           /* process counts, ascending */
  int32_t *elem_part[MF_MESH_CUTS_MAX];  /* n_elems each: element e's part */
  /* What lets each process read its own part of the file (io/mf_h5_part.h), written by
   * `memfem convert`: per part cut, each node's owner (mf_partition.node_owner) and each
   * part's local elements (mf_partition_local_elems); per assembly method (the
   * mf_assembly_method, fem/mf_assemble.h), each element's key in the whole assembly
   * plan (fem/mf_blocks.h, mf_blocking_keys). A reader of the whole mesh leaves them in
   * the file and only sets has_views and n_keys. */
  int has_views;                           /* the file has the three below for every part cut */
  int32_t *node_owner[MF_MESH_CUTS_MAX];   /* n_nodes each */
  mf_nnz *local_ptr[MF_MESH_CUTS_MAX];     /* parts[k] + 1 each */
  mf_idx *local[MF_MESH_CUTS_MAX];         /* part p's: local[k][local_ptr[k][p] .. local_ptr[k][p + 1]) */
  int n_keys[2];                           /* per method: the keys' count; 0: none stored */
  int32_t *plan_key[2];                    /* n_elems each */
} mf_mesh_cuts;

typedef struct mf_mesh {
  char source[512];   /* file path or generator spec */
  mf_nodes nodes;

  const mf_elem_topology *elem; /* the volume element type */
  int npe, nfn;       /* nodes per element and per boundary face (elem->nodes, ->face_nodes) */
  mf_idx n_elems, n_elems_owned;
  mf_idx *conn;       /* npe * n_elems local node numbers */
  int32_t *region;    /* n_elems, index into groups or -1 */
  mf_gidx *elem_tag;  /* n_elems, file tag (or generator number) */

  mf_idx n_faces;
  mf_idx *face_conn;  /* nfn * n_faces */

  int n_groups;
  mf_group *groups;

  /* Renumbering (mesh/mf_reorder.h): NULL while the mesh is in its own (file) order.
   * Output writers map back through these so files keep the mesh's order. */
  mf_idx *node_new2old, *node_old2new; /* n_local each */
  mf_idx *elem_new2old, *elem_old2new; /* n_elems each */

  mf_mesh_cuts *cuts; /* NULL: the file carries none */

  /* what the loader saw and skipped, for the report */
  int64_t n_points_skipped, n_lines_skipped;
  mf_idx n_unassigned_elems; /* elements in no physical volume */
  mf_idx n_unassigned_faces; /* faces in no physical surface */
} mf_mesh;

/* Read a Gmsh .msh file (2.2 or 4.1, ASCII or binary). Loading by file name or spec,
 * which also reaches memfem's HDF5 meshes, is io/mf_mesh_load.h. */
mf_status mf_mesh_read_gmsh(const char *path, mf_mesh **mesh);
/* Make a mesh from a generator spec "box:LXxLYxLZ:NXxNYxNZ". */
mf_status mf_mesh_generate(const char *spec, mf_mesh **mesh);

/* Whether a mesh of these counts fits: each within the 32-bit local index range and
 * its arrays within the machine's memory (core/mf_limits.h). Counts are doubles so that
 * callers check before any integer arithmetic on them; `source` starts the message. */
mf_status mf_mesh_check_size(mf_elem_type type, double n_nodes, double n_elems, double n_faces, const char *source);
/* Allocate an empty mesh of element type `type` and its arrays (used by readers and the
 * generator); the counts are checked with mf_mesh_check_size first. */
mf_status mf_mesh_alloc(mf_elem_type type, mf_idx n_nodes, mf_idx n_elems, mf_idx n_faces, int n_groups,
                        mf_mesh **mesh);
/* Fill each boundary group's node list from its faces; count elements per region. */
mf_status mf_mesh_finish_groups(mf_mesh *mesh);
/* The connectivity of element e / of face f. */
static inline const mf_idx *mf_mesh_elem(const mf_mesh *m, mf_idx e) { return &m->conn[(mf_nnz)m->npe * e]; }
static inline const mf_idx *mf_mesh_face(const mf_mesh *m, mf_idx f) { return &m->face_conn[(mf_nnz)m->nfn * f]; }

/* Find a group by name and dimension (dim < 0: any); NULL if absent. */
const mf_group *mf_mesh_find_group(const mf_mesh *mesh, const char *name, int dim);
/* Short report: counts per element type and per group, unassigned entities, empty groups. */
void mf_mesh_report(const mf_mesh *mesh, FILE *out);
/* Across processes, on rank 0 once results.h5 holds the mesh and every part is made:
 * frees the coordinates, node ids, connectivity, regions, element tags, boundary faces,
 * the groups' face lists and the renumbering maps, and keeps the counts, the node tags
 * (the checksum's order) and the groups (names, node lists: the reactions' nodes).
 * Such a mesh has conn == NULL; nothing that reads the freed arrays may be given it. */
void mf_mesh_drop_bulk(mf_mesh *mesh);
/* Whether the mesh file has a cut into `parts` parts (its array read or not). */
int mf_mesh_has_part_cut(const mf_mesh *mesh, int parts);
/* The stored cut into `parts` parts (mesh->cuts), or NULL when the file has none. */
const int32_t *mf_mesh_stored_parts(const mf_mesh *mesh, int parts);
/* Frees mesh->cuts (NULL after). */
void mf_mesh_drop_cuts(mf_mesh *mesh);
void mf_mesh_destroy(mf_mesh **mesh);

#endif
