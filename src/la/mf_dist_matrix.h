/* The matrix across processes (issue 14): a process's owned rows of a block-CSR matrix
 * in its part's local numbering (mesh/mf_partition.h), and the operator that multiplies
 * with it, exchanging ghost values first (la/mf_halo.h).
 *
 * Each owned row keeps its blocks in the order of the whole matrix's row (ascending
 * mesh column), with columns renumbered to local nodes, so a row's products are summed
 * in the order one process sums them: the product is the same bits at any process
 * count. The local column numbers of a row are then not ascending (ghosts come after
 * owned nodes): the matrix is for products and diagonal-block preconditioners, not for
 * searches by column (assembly binding, the multigrid's set-up). */
#ifndef MF_DIST_MATRIX_H
#define MF_DIST_MATRIX_H

#include "la/mf_bcsr.h"
#include "la/mf_halo.h"
#include "la/mf_operator.h"
#include "mesh/mf_partition.h"

/* The owned rows of K (full storage, rows and columns numbered as the mesh's nodes) for
 * part p. Every column of an owned row is a local node of p (its halo elements make it
 * so); one that is not is an internal error. */
mf_status mf_dist_matrix_owned_rows(const mf_bcsr *K, const mf_part *p, mf_bcsr **A);

/* The same from a part's own matrix: Kl is assembled on the part's mesh (mf_part_mesh;
 * rows and columns local nodes, columns ascending in local number); its owned rows, each
 * row's blocks re-sorted into ascending mesh column. For a Kl assembled in the whole
 * mesh's order (fem/mf_assemble.h, mf_assembly_create_part) the result equals
 * mf_dist_matrix_owned_rows of the whole mesh's matrix, bit for bit. *from (n blocks of
 * A) records where each block of A comes from in Kl, for mf_dist_matrix_refill. */
mf_status mf_dist_matrix_from_part(const mf_bcsr *Kl, const mf_part *p, mf_bcsr **A, mf_nnz **from);
/* A's values again from a new Kl of the same pattern (each Newton iteration): a copy
 * through `from`, no allocation, no search. */
void mf_dist_matrix_refill(mf_bcsr *A, const mf_bcsr *Kl, const mf_nnz *from);
/* The same matrix without a copy (the solver's way, when the assembly finds blocks by
 * offsets): Kl's owned rows are sorted in place into A's order, its ghost rows keep
 * theirs, and *A is a view of Kl's first n_owned rows, sharing its arrays, so what is
 * assembled into Kl's owned rows is A's values. where[q], one per block of the owned
 * rows, is the place in its row that the block at q moved to (fem/mf_assemble.h,
 * mf_assembly_move_offsets). Kl's owned rows are then not ascending by local column, so
 * bind the assembly to Kl before, and search it never after. Destroy A with
 * mf_dist_matrix_view_destroy, before Kl. */
mf_status mf_dist_matrix_share_part(mf_bcsr *Kl, const mf_part *p, mf_bcsr **A, mf_idx **where);
void mf_dist_matrix_view_destroy(mf_bcsr **A);

/* y = A x over the owned rows, overlapped with the ghost exchange: the rows with no
 * ghost column (interior) are multiplied while x's ghost rows travel, the others
 * (boundary) when they have arrived. x's ghost rows are refreshed from their owners
 * (copies the operator keeps current, so x is written there although the operator table
 * takes it const). An exchange that fails records the error and gives a y of NaN, which
 * CG reports. L: owned and ghost rows of the part; A, L, h borrowed. */
mf_status mf_dist_operator_create(const mf_bcsr *A, const mf_vec_layout *L, mf_halo *h, mf_operator **op);
/* How many owned rows are interior and boundary. */
void mf_dist_operator_rows(const mf_operator *op, mf_idx *interior, mf_idx *boundary);
/* overlap 0: the whole ghost exchange first, then the interior and boundary rows, to
 * measure what the overlap gains (memfem-bench dist-cg --overlap 0); the same sums, so
 * the same bits. 1 (the default): overlapped. */
void mf_dist_operator_set_overlap(mf_operator *op, int overlap);
void mf_dist_operator_destroy(mf_operator **op);

#endif
