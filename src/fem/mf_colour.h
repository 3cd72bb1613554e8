/* Element colouring for race-free parallel assembly.
 *
 * Greedy, in element order: each element takes the smallest colour that none of its
 * nodes has seen yet. Elements of one colour share no node, so a colour is assembled in
 * parallel with no atomics, and every matrix entry receives its contributions in colour
 * order whatever the thread count: assembly is bit-identical at any OMP_NUM_THREADS. */
#ifndef MF_COLOUR_H
#define MF_COLOUR_H

#include <stdint.h>

#include "mem/mf_pack.h"
#include "mesh/mf_mesh.h"

typedef struct mf_colouring {
  int n_colours;
  mf_nnz *ptr;   /* n_colours + 1 offsets into elems */
  mf_idx *elems; /* element numbers, grouped by colour, ascending within a colour */
} mf_colouring;

mf_status mf_colouring_create(const mf_mesh *mesh, mf_colouring **c);
/* The same for the elements e with in_subset[e] != 0 only (NULL: all elements). */
mf_status mf_colouring_create_subset(const mf_mesh *mesh, const uint8_t *in_subset, mf_colouring **c);
/* Check that no two elements of a colour share a node (tests; O(elements)). */
mf_status mf_colouring_verify(const mf_colouring *c, const mf_mesh *mesh);
/* The same for a colouring that must hold `expected` elements (a subset). */
mf_status mf_colouring_verify_subset(const mf_colouring *c, const mf_mesh *mesh, mf_nnz expected);
/* The colouring restricted to the elements e with map[e] >= 0, renumbered to map[e]:
 * the same colours (some may be empty), each keeping its elements' order. */
mf_status mf_colouring_restrict(const mf_colouring *c, const mf_idx *map, mf_colouring **out);
/* Element c->elems[p]'s key is offset + its colour (key[e]; other entries untouched). */
void mf_colouring_keys(const mf_colouring *c, int32_t offset, int32_t *key);
/* The colouring of the elements e = 0..n_elems-1 whose key[e] - offset lies in
 * 0..n_colours-1 (others are skipped), colour by colour, ascending within one: what
 * mf_colouring_restrict gives of the keys' colouring for the elements listed. */
mf_status mf_colouring_from_keys(int n_colours, mf_idx n_elems, const int32_t *key, int32_t offset,
                                 mf_colouring **out);
/* A colouring as a stream (mem/mf_pack.h); n_elems: how many elements it must hold. */
mf_status mf_colouring_pack(const mf_colouring *c, mf_pack *p);
mf_status mf_colouring_unpack(mf_unpack *u, mf_idx n_elems, mf_colouring **out);
void mf_colouring_destroy(mf_colouring **c);

#endif
