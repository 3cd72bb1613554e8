/* Block-CSR matrix: one bs x bs block per pair of block rows that couple (for the
 * displacement problem, bs = 3 and a block per pair of nodes that share an element).
 *
 * The pattern is built once (node-to-node adjacency through elements, columns sorted in
 * each row, the diagonal block's position cached); assembly refills the values in place
 * every Newton iteration. Blocks are stored row-major, bs * bs doubles each. The block
 * size is a property of the matrix: multigrid's coarse levels have other sizes. */
#ifndef MF_BCSR_H
#define MF_BCSR_H

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
} mf_bcsr;

/* The pattern of a mesh's node graph (a block per pair of nodes sharing an element)
 * with bs unknowns per node; values zero. */
mf_status mf_bcsr_create_from_mesh(const mf_mesh *mesh, int bs, mf_bcsr **A);
void mf_bcsr_destroy(mf_bcsr **A);
void mf_bcsr_zero(mf_bcsr *A);

/* Position of block (row, col), or -1 when the pattern has no such block. */
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
double mf_bcsr_spmv_bytes(const mf_bcsr *A);
/* Bytes of the matrix's own arrays. */
size_t mf_bcsr_memory_bytes(const mf_bcsr *A);
/* The matrix as an operator on vectors of layout L (bs entries per row). */
mf_operator mf_bcsr_operator(const mf_bcsr *A, const mf_vec_layout *L);

#endif
