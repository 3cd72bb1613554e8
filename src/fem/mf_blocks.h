/* Block decomposition of the elements for assembly (assembly: blocks).
 *
 * METIS cuts the element dual graph (elements sharing a face: ncommon = the face's
 * corner count) into blocks of about MF_BLOCK_ELEMS elements. An element whose nodes
 * are all touched by elements of its own block only is *interior*: the interiors of two
 * blocks share no node, so blocks are assembled concurrently, each by one thread in ascending element order, with no
 * synchronisation. The rest, the *interface* elements, are coloured (mf_colour.h) and
 * assembled after the blocks, colour by colour.
 *
 * The number of blocks depends on the mesh only, never on the thread count, so every
 * matrix entry receives its contributions in the same order at any OMP_NUM_THREADS:
 * first its one block's interior elements in element order, then interface colours in
 * colour order. Results stay bit-identical across thread counts. */
#ifndef MF_BLOCKS_H
#define MF_BLOCKS_H

#include "fem/mf_colour.h"
#include "mesh/mf_mesh.h"

/* Elements per block: large enough that most elements are interior (a block of ~5000
 * tets of a structured box keeps about 60% of them inside), small enough that a 16-core
 * node gets several blocks per thread on a 1M-element mesh. */
#define MF_BLOCK_ELEMS 8192

typedef struct mf_blocking {
  int n_blocks;
  mf_nnz *ptr;             /* n_blocks + 1 offsets into interior */
  mf_idx *interior;        /* interior elements, block by block, ascending within a block */
  mf_colouring *interface; /* colouring of the other elements */
} mf_blocking;

/* ceil(n_elems / block_elems) (at least 1): how many blocks mf_blocking_create makes. */
int mf_blocking_count(const mf_mesh *mesh, mf_idx block_elems);
/* Element e's block in elem_block[e] (n_elems entries), of n_blocks: the mesh file's cut
 * when it carries one of that count (mesh->cuts), else METIS's. METIS failures come
 * back as errors naming the call. */
mf_status mf_blocking_cut(const mf_mesh *mesh, int n_blocks, int32_t *elem_block);
/* Decompose mesh into mf_blocking_count blocks (one block: every element interior),
 * cut by mf_blocking_cut. */
mf_status mf_blocking_create(const mf_mesh *mesh, mf_idx block_elems, mf_blocking **b);
/* The same from blocks already cut: elem_block[e] in 0..n_blocks-1 is element e's block
 * (mf_mesh_partition_dual into n_blocks parts, made elsewhere: across processes by one
 * rank for all, mesh/mf_partition.h). */
mf_status mf_blocking_create_given(const mf_mesh *mesh, int n_blocks, const int32_t *elem_block, mf_blocking **b);
/* Check that every element lies in exactly one block or the interface colouring, that no
 * two blocks' interiors share a node and that the interface colouring has no conflict. */
mf_status mf_blocking_verify(const mf_blocking *b, const mf_mesh *mesh);
/* Interface elements / all elements. */
double mf_blocking_interface_share(const mf_blocking *b, const mf_mesh *mesh);
/* The blocking restricted to the elements e with map[e] >= 0, renumbered to map[e]: the
 * same blocks, interiors and interface colours, each keeping its elements' order. */
mf_status mf_blocking_restrict(const mf_blocking *b, const mf_idx *map, mf_blocking **out);
/* A blocking as a stream (mem/mf_pack.h); n_elems: how many elements it must hold. */
/* The blocking as one key per element: block b's interior elements have key b, the
 * interface's elements n_blocks + their colour (key: n_elems entries; keys in 0 ..
 * mf_blocking_n_keys - 1). What `memfem convert` stores, so that a process can make its
 * part's restriction of the whole blocking from its elements' keys alone. */
int mf_blocking_n_keys(const mf_blocking *b);
void mf_blocking_keys(const mf_blocking *b, int32_t *key);
/* The blocking of elements 0..n_elems-1 with those keys (each in 0..n_keys-1, checked):
 * each block's interior and each colour ascending, as mf_blocking_restrict gives them. */
mf_status mf_blocking_from_keys(int n_blocks, int n_keys, mf_idx n_elems, const int32_t *key, mf_blocking **out);
mf_status mf_blocking_pack(const mf_blocking *b, mf_pack *p);
mf_status mf_blocking_unpack(mf_unpack *u, mf_idx n_elems, mf_blocking **out);
void mf_blocking_destroy(mf_blocking **b);

#endif
