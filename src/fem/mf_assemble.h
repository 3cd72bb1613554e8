/* Parallel assembly of the internal force vector and the tangent matrix.
 *
 * Two race-free element orders (assembly: colour|blocks in the case file):
 *  - colour: colours in order; within a colour, elements in parallel (they share no
 *    node, so scatters never collide);
 *  - blocks: METIS blocks of the element dual graph, each block's interior assembled by
 *    one thread with no synchronisation, then the interface elements by colour
 *    (mf_blocks.h).
 * Neither depends on the thread count for the order of additions into an entry. Each
 * element draws its work arrays from the scratch provider (sized from the element
 * shape), evaluates mf_element_eval and adds into the block-CSR values. Where each of an
 * element's node-pair blocks lives in the values is computed once, when the assembly is
 * bound to its matrix (one byte per pair: the block's place in its row), so a scatter
 * does no search. No heap allocation happens here with the pool. */
#ifndef MF_ASSEMBLE_H
#define MF_ASSEMBLE_H

#include "core/mf_names.h"
#include "fem/mf_blocks.h"
#include "fem/mf_colour.h"
#include "fem/mf_material.h"
#include "fem/mf_shape.h"
#include "la/mf_bcsr.h"
#include "mem/mf_scratch.h"
#include "mesh/mf_mesh.h"

typedef struct mf_assembly mf_assembly;

typedef enum { MF_ASSEMBLY_COLOUR, MF_ASSEMBLY_BLOCKS } mf_assembly_method;
extern const mf_name mf_assembly_method_names[]; /* colour, blocks */
const char *mf_assembly_method_name(mf_assembly_method m);
/* "colour" or "blocks"; -1 for anything else. */
int mf_assembly_method_parse(const char *name, mf_assembly_method *m);

/* How a scatter finds a block: through the offsets made at bind (the default), or by a
 * binary search of the row (kept to measure what the offsets buy: memfem-bench). */
typedef enum { MF_SCATTER_OFFSETS, MF_SCATTER_SEARCH } mf_scatter_mode;

/* Elements of `mesh` integrated with `shape` (mf_shape_of or mf_shape_with of the mesh's
 * type); region_mat[r + 1] is the material of region r (index 0: elements of no region). */
mf_status mf_assembly_create(const mf_mesh *mesh, const mf_shape *shape, const mf_material *region_mat,
                             mf_assembly_method method, mf_assembly **asmb);
/* Method blocks with the blocks already cut: elem_block[e] in 0..n-1 is element e's
 * block, n = mf_blocking_count(mesh, MF_BLOCK_ELEMS) (mf_blocking_create_given). The
 * assembly mf_assembly_create makes when METIS gives those blocks. */
mf_status mf_assembly_create_blocks(const mf_mesh *mesh, const mf_shape *shape, const mf_material *region_mat,
                                    const int32_t *elem_block, mf_assembly **asmb);
/* The assembly of a part's own mesh (mesh/mf_partition.h, mf_part_mesh) in the whole
 * mesh's order: `whole` assembles the whole mesh, elems[k] is the whole-mesh number of
 * the part's local element k (mf_part.elems). Its colouring or blocking is the whole
 * one's restricted to those elements, in the whole one's order, so each owned node's
 * row receives its elements' contributions in the order the whole assembly adds them:
 * owned rows are the same bits (issue 14). Ghost rows are partial sums, to be dropped. */
mf_status mf_assembly_create_part(const mf_mesh *part_mesh, const mf_assembly *whole, const mf_idx *elems,
                                  mf_assembly **asmb);
/* The same restriction made from the whole plan's keys (mf_blocking_keys, or
 * mf_colouring_keys for method colour): key[k] is the key of the part's local element
 * k, n_keys their count in the whole plan, n_blocks its blocks (method blocks). What a
 * process that reads its part of a mesh file makes (io/mf_h5_part.h): the same plan as
 * mf_assembly_create_part without the whole one. */
mf_status mf_assembly_create_keyed(const mf_mesh *part_mesh, const mf_shape *shape, const mf_material *region_mat,
                                   mf_assembly_method method, int n_blocks, int n_keys, const int32_t *key,
                                   mf_assembly **asmb);
/* A part's assembly as a stream (mem/mf_pack.h): its method and its colouring or
 * blocking. Unpacked on the process that holds the part, with the part's mesh, shape
 * and materials, it is the assembly mf_assembly_create_part made where it was packed. */
mf_status mf_assembly_pack(const mf_assembly *a, mf_pack *p);
mf_status mf_assembly_unpack(mf_unpack *u, const mf_mesh *part_mesh, const mf_shape *shape,
                             const mf_material *region_mat, mf_assembly **out);
/* Make the element-to-matrix offsets for K (whose pattern must hold every element's
 * node pairs). A row longer than 255 blocks keeps the search instead. */
mf_status mf_assembly_bind(mf_assembly *asmb, const mf_bcsr *K);
/* K's first n_rows rows had their blocks moved within each row: the block at q is now at
 * place where[q] of its row (la/mf_dist_matrix.h, mf_dist_matrix_share_part). Moves the
 * offsets with them; needs offsets (mf_assembly_offset_bytes > 0). K can then no longer
 * be searched, so set_scatter keeps the offsets. */
mf_status mf_assembly_move_offsets(mf_assembly *asmb, const mf_bcsr *K, mf_idx n_rows, const mf_idx *where);
void mf_assembly_set_scatter(mf_assembly *asmb, mf_scatter_mode mode);
/* fint = internal force at displacement u (3 per node); K = tangent if K != NULL.
 * An element that cannot be evaluated (J <= 0, NaN) gives MF_ERR_NONFINITE naming it. */
mf_status mf_assemble(mf_assembly *asmb, const double *u, mf_bcsr *K, double *fint);
/* Colours of the coloured elements (all of them, or the interface with blocks). */
int mf_assembly_colours(const mf_assembly *asmb);
/* The block decomposition (NULL unless method blocks). */
const mf_blocking *mf_assembly_blocking(const mf_assembly *asmb);
/* Bytes of the element-to-matrix offsets (0 without them). */
size_t mf_assembly_offset_bytes(const mf_assembly *asmb);
void mf_assembly_destroy(mf_assembly **asmb);

#endif
