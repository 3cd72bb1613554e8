/* Block-CSR matrix: one bs x bs block per pair of block rows that couple (for the
 * displacement problem, bs = 3 and a block per pair of nodes that share an element).
 *
 * The pattern is built once (node-to-node adjacency through elements, columns sorted in
 * each row, the diagonal block's position cached); assembly refills the values in place
 * every Newton iteration. Blocks are stored row-major, bs * bs doubles each. The block
 * size is a property of the matrix: multigrid's coarse levels have other sizes.
 *
 * Storage full or symmetric (matrix: symmetric): a symmetric matrix keeps the blocks
 * of the upper triangle only (column >= row, the diagonal block whole), and for each
 * row the positions of its lower-triangle blocks (j, i), j < i, as transposes of the
 * stored (i, j): about 40% less memory for the tangent. Every row is still read in
 * ascending column order (the lower blocks first), in the same kernels. */
#ifndef MF_BCSR_H
#define MF_BCSR_H

#include <stdint.h>

#include "core/mf_error.h"
#include "core/mf_types.h"
#include "la/mf_operator.h"
#include "mesh/mf_mesh.h"

typedef struct mf_bcsr {
  mf_idx n_rows;   /* block rows */
  int bs;          /* block size: unknowns per block row */
  int bs2;         /* bs * bs: doubles per block */
  mf_nnz nnzb;     /* stored blocks */
  mf_nnz *row_ptr; /* n_rows + 1 */
  mf_idx *col;     /* nnzb block columns, ascending in each row */
  mf_nnz *diag;    /* n_rows: position of the diagonal block */
  double *val;     /* bs2 * nnzb */
  int symmetric;   /* upper triangle stored; the lower blocks of row i follow: */
  mf_nnz *lo_ptr;  /*   n_rows + 1 offsets */
  mf_idx *lo_col;  /*   their columns j < i, ascending */
  uint32_t *lo_pos;/*   the position of the stored block (j, i) */
} mf_bcsr;

/* The pattern of a mesh's node graph (a block per pair of nodes sharing an element)
 * with bs unknowns per node, full or symmetric storage; values zero. */
mf_status mf_bcsr_create_from_mesh(const mf_mesh *mesh, int bs, int symmetric, mf_bcsr **A);

/* Blocks of row i, all of them (lower ones of a symmetric matrix included). */
static inline mf_nnz mf_bcsr_row_len(const mf_bcsr *A, mf_idx i) {
  return A->row_ptr[i + 1] - A->row_ptr[i] + (A->symmetric ? A->lo_ptr[i + 1] - A->lo_ptr[i] : 0);
}
/* The k-th block of row i in ascending column order: its column, and its values, which
 * are those of the stored transpose (*trans = 1) for a lower block of a symmetric matrix. */
static inline const double *mf_bcsr_row_block(const mf_bcsr *A, mf_idx i, mf_nnz k, mf_idx *col, int *trans) {
  const mf_nnz nlo = A->symmetric ? A->lo_ptr[i + 1] - A->lo_ptr[i] : 0;
  if (k < nlo) {
    *col = A->lo_col[A->lo_ptr[i] + k];
    *trans = 1;
    return &A->val[(size_t)A->bs2 * A->lo_pos[A->lo_ptr[i] + k]];
  }
  const mf_nnz p = A->row_ptr[i] + k - nlo;
  *col = A->col[p];
  *trans = 0;
  return &A->val[(size_t)A->bs2 * p];
}
/* The column of that block alone (the pattern, for a matrix whose values live elsewhere). */
static inline mf_idx mf_bcsr_row_col(const mf_bcsr *A, mf_idx i, mf_nnz k) {
  const mf_nnz nlo = A->symmetric ? A->lo_ptr[i + 1] - A->lo_ptr[i] : 0;
  return k < nlo ? A->lo_col[A->lo_ptr[i] + k] : A->col[A->row_ptr[i] + k - nlo];
}
void mf_bcsr_destroy(mf_bcsr **A);
void mf_bcsr_zero(mf_bcsr *A);

/* Position of stored block (row, col), or -1 when the pattern has no such block (for a
 * symmetric matrix, col >= row). */
static inline mf_nnz mf_bcsr_find(const mf_bcsr *A, mf_idx row, mf_idx col) {
  mf_nnz lo = A->row_ptr[row], hi = A->row_ptr[row + 1];
  while (lo < hi) { /* rows are short (~15 blocks): binary search beats a scan only slightly */
    mf_nnz mid = lo + (hi - lo) / 2;
    if (A->col[mid] < col) lo = mid + 1;
    else hi = mid;
  }
  return (lo < A->row_ptr[row + 1] && A->col[lo] == col) ? lo : -1;
}

/* y = A x */
void mf_bcsr_spmv(const mf_bcsr *A, const double *restrict x, double *restrict y);
/* Bytes one SpMV moves at least (values, indices, x once, y once): for bandwidth figures. */
/* y = A x on the rows rows[0 .. n) only (full storage), each row summed exactly as
 * mf_bcsr_spmv sums it: the pieces of an overlapped product across processes. */
void mf_bcsr_spmv_rows(const mf_bcsr *A, const mf_idx *rows, mf_idx n, const double *restrict x,
                       double *restrict y);
double mf_bcsr_spmv_bytes(const mf_bcsr *A);
/* Bytes of the matrix's own arrays. */
size_t mf_bcsr_memory_bytes(const mf_bcsr *A);
/* The matrix as an operator on vectors of layout L (bs entries per row). */
mf_operator mf_bcsr_operator(const mf_bcsr *A, const mf_vec_layout *L);

#endif
