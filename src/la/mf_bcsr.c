/* Block-CSR pattern construction and kernels. */
#include "la/mf_bcsr.h"

#include <omp.h>
#include <stdlib.h>

#include "mem/mf_alloc.h"
#include "mesh/mf_mesh_adjacency.h"

/* The lower-triangle index of a symmetric matrix: for each row i, the rows j < i whose
 * stored row has a block in column i, and where, in ascending j. */
static mf_status lower_index(mf_bcsr *A) {
  const mf_idx n = A->n_rows;
  mf_status st;
  if ((st = MF_CALLOC_N(A->lo_ptr, (size_t)n + 1, "matrix lower-triangle offsets"))) return st;
  MF_CHECK(A->nnzb <= (mf_nnz)UINT32_MAX, MF_ERR_INPUT,
           "symmetric matrix: %lld blocks exceed the 32-bit positions of its lower-triangle index", (long long)A->nnzb);
  for (mf_idx i = 0; i < n; i++)
    for (mf_nnz p = A->row_ptr[i]; p < A->row_ptr[i + 1]; p++)
      if (A->col[p] > i) A->lo_ptr[A->col[p] + 1]++;
  for (mf_idx i = 0; i < n; i++) A->lo_ptr[i + 1] += A->lo_ptr[i];
  if ((st = MF_ALLOC_N(A->lo_col, (size_t)A->lo_ptr[n] + 1, "matrix lower-triangle columns")) ||
      (st = MF_ALLOC_N(A->lo_pos, (size_t)A->lo_ptr[n] + 1, "matrix lower-triangle positions")))
    return st;
  for (mf_idx i = 0; i < n; i++) /* rows in ascending order: each lower list ascends */
    for (mf_nnz p = A->row_ptr[i]; p < A->row_ptr[i + 1]; p++)
      if (A->col[p] > i) {
        mf_nnz q = A->lo_ptr[A->col[p]]++;
        A->lo_col[q] = i;
        A->lo_pos[q] = (uint32_t)p;
      }
  for (mf_idx i = n; i > 0; i--) A->lo_ptr[i] = A->lo_ptr[i - 1];
  A->lo_ptr[0] = 0;
  return MF_OK;
}

mf_status mf_bcsr_create_from_mesh(const mf_mesh *m, int bs, int symmetric, mf_bcsr **out) {
  *out = NULL;
  MF_CHECK(bs >= 1 && bs <= 16, MF_ERR_INTERNAL, "block-CSR: block size %d", bs);
  mf_idx n = m->nodes.n_local;
  mf_nnz *ne_ptr = NULL;
  mf_idx *ne_list = NULL, max_deg = 0;
  MF_CALL(mf_mesh_node_elements(m, m->npe, &ne_ptr, &ne_list, &max_deg));

  mf_bcsr *A = NULL;
  mf_idx **bufs = NULL;
  int nt = omp_get_max_threads();
  mf_status st;
  if ((st = MF_CALLOC_N(A, 1, "matrix")) || (st = MF_CALLOC_N(bufs, nt, "pattern buffers"))) goto done;
  A->n_rows = n;
  A->bs = bs;
  A->bs2 = bs * bs;
  A->symmetric = symmetric;
  if ((st = MF_ALLOC_N(A->row_ptr, (size_t)n + 1, "matrix row offsets")) ||
      (st = MF_ALLOC_N(A->diag, n, "matrix diagonal positions")))
    goto done;
  for (int t = 0; t < nt; t++)
    if ((st = MF_ALLOC_N(bufs[t], (size_t)m->npe * max_deg + 1, "pattern buffer"))) goto done;

  /* Pass 1: row lengths (a symmetric matrix: columns >= row only). */
#pragma omp parallel for schedule(static)
  for (mf_idx i = 0; i < n; i++) {
    mf_idx *buf = bufs[omp_get_thread_num()];
    mf_idx k = mf_mesh_node_neighbours(m, ne_ptr, ne_list, i, buf), skip = 0;
    while (symmetric && skip < k && buf[skip] < i) skip++;
    A->row_ptr[i + 1] = k - skip;
  }
  A->row_ptr[0] = 0;
  for (mf_idx i = 0; i < n; i++) A->row_ptr[i + 1] += A->row_ptr[i];
  A->nnzb = A->row_ptr[n];
  if ((st = MF_ALLOC_N(A->col, (size_t)A->nnzb, "matrix block columns")) ||
      (st = MF_ALLOC_N(A->val, (size_t)A->bs2 * A->nnzb, "matrix values")))
    goto done;

  /* Pass 2: columns, with the same static schedule, so each thread first-touches the
   * rows it will later assemble into and multiply. */
#pragma omp parallel for schedule(static)
  for (mf_idx i = 0; i < n; i++) {
    mf_idx *buf = bufs[omp_get_thread_num()];
    mf_idx k = mf_mesh_node_neighbours(m, ne_ptr, ne_list, i, buf), skip = 0;
    while (symmetric && skip < k && buf[skip] < i) skip++;
    mf_nnz p0 = A->row_ptr[i];
    for (mf_idx j = skip; j < k; j++) {
      mf_nnz p = p0 + j - skip;
      A->col[p] = buf[j];
      if (buf[j] == i) A->diag[i] = p;
      for (int c = 0; c < A->bs2; c++) A->val[A->bs2 * p + c] = 0.0;
    }
  }
  if (symmetric) st = lower_index(A);
done:
  if (bufs)
    for (int t = 0; t < nt; t++) mf_free(&bufs[t]);
  mf_free(&bufs);
  mf_free(&ne_ptr);
  mf_free(&ne_list);
  if (st) { mf_bcsr_destroy(&A); return st; }
  *out = A;
  return MF_OK;
}

void mf_bcsr_destroy(mf_bcsr **Ap) {
  mf_bcsr *A = *Ap;
  if (!A) return;
  mf_free(&A->row_ptr);
  mf_free(&A->col);
  mf_free(&A->diag);
  mf_free(&A->val);
  mf_free(&A->lo_ptr);
  mf_free(&A->lo_col);
  mf_free(&A->lo_pos);
  mf_free(Ap);
}

void mf_bcsr_zero(mf_bcsr *A) {
  const int bs2 = A->bs2;
#pragma omp parallel for schedule(static)
  for (mf_idx i = 0; i < A->n_rows; i++)
    for (mf_nnz p = bs2 * A->row_ptr[i]; p < bs2 * A->row_ptr[i + 1]; p++) A->val[p] = 0.0;
}

/* Adds row i's stored 3x3 blocks times x into acc, in storage order: the full kernel's
 * whole row, and the symmetric kernel's upper part. */
static inline void add_stored3(const mf_bcsr *A, mf_idx i, const double *restrict x, double acc[3]) {
  const mf_nnz *restrict rp = A->row_ptr;
  const mf_idx *restrict col = A->col;
  const double *restrict v = A->val;
  double y0 = acc[0], y1 = acc[1], y2 = acc[2];
  for (mf_nnz p = rp[i]; p < rp[i + 1]; p++) {
    const double *b = &v[9 * p];
    const double *xj = &x[3 * (mf_nnz)col[p]];
    y0 += b[0] * xj[0] + b[1] * xj[1] + b[2] * xj[2];
    y1 += b[3] * xj[0] + b[4] * xj[1] + b[5] * xj[2];
    y2 += b[6] * xj[0] + b[7] * xj[1] + b[8] * xj[2];
  }
  acc[0] = y0, acc[1] = y1, acc[2] = y2;
}

/* Row i of the 3x3 kernel, unrolled: memfem's matrix. */
static inline void row3(const mf_bcsr *A, mf_idx i, const double *restrict x, double *restrict y) {
  double acc[3] = {0.0, 0.0, 0.0};
  add_stored3(A, i, x, acc);
  y[3 * (mf_nnz)i] = acc[0];
  y[3 * (mf_nnz)i + 1] = acc[1];
  y[3 * (mf_nnz)i + 2] = acc[2];
}

/* Row i, any block size: each row's bs sums in column order, as the 3x3 kernel does. */
static inline void row_generic(const mf_bcsr *A, mf_idx i, const double *restrict x, double *restrict y) {
  const int bs = A->bs, bs2 = A->bs2;
  double yi[16] = {0};
  for (mf_nnz p = A->row_ptr[i]; p < A->row_ptr[i + 1]; p++) {
    const double *b = &A->val[bs2 * p];
    const double *xj = &x[bs * (mf_nnz)A->col[p]];
    for (int r = 0; r < bs; r++) {
      double t = 0.0;
      for (int c = 0; c < bs; c++) t += b[bs * r + c] * xj[c];
      yi[r] += t;
    }
  }
  for (int r = 0; r < bs; r++) y[bs * (mf_nnz)i + r] = yi[r];
}

static void spmv3(const mf_bcsr *A, const double *restrict x, double *restrict y) {
#pragma omp parallel for schedule(static)
  for (mf_idx i = 0; i < A->n_rows; i++) row3(A, i, x, y);
}

static void spmv_generic(const mf_bcsr *A, const double *restrict x, double *restrict y) {
#pragma omp parallel for schedule(static)
  for (mf_idx i = 0; i < A->n_rows; i++) row_generic(A, i, x, y);
}

/* Symmetric storage, 3x3: the lower blocks of row i (transposes of stored ones) first,
 * then the stored upper ones: ascending columns, as the full kernel. */
static void spmv3_sym(const mf_bcsr *A, const double *restrict x, double *restrict y) {
  const mf_nnz *restrict lp = A->lo_ptr;
  const mf_idx *restrict lcol = A->lo_col;
  const uint32_t *restrict lpos = A->lo_pos;
  const double *restrict v = A->val;
#pragma omp parallel for schedule(static)
  for (mf_idx i = 0; i < A->n_rows; i++) {
    double y0 = 0.0, y1 = 0.0, y2 = 0.0;
    for (mf_nnz q = lp[i]; q < lp[i + 1]; q++) {
      const double *b = &v[9 * (mf_nnz)lpos[q]];
      const double *xj = &x[3 * (mf_nnz)lcol[q]];
      y0 += b[0] * xj[0] + b[3] * xj[1] + b[6] * xj[2];
      y1 += b[1] * xj[0] + b[4] * xj[1] + b[7] * xj[2];
      y2 += b[2] * xj[0] + b[5] * xj[1] + b[8] * xj[2];
    }
    double acc[3] = {y0, y1, y2};
    add_stored3(A, i, x, acc);
    y[3 * (mf_nnz)i] = acc[0];
    y[3 * (mf_nnz)i + 1] = acc[1];
    y[3 * (mf_nnz)i + 2] = acc[2];
  }
}

/* Symmetric storage, any block size. */
static void spmv_generic_sym(const mf_bcsr *A, const double *restrict x, double *restrict y) {
  const int bs = A->bs;
#pragma omp parallel for schedule(static)
  for (mf_idx i = 0; i < A->n_rows; i++) {
    double yi[16] = {0};
    const mf_nnz len = mf_bcsr_row_len(A, i);
    for (mf_nnz k = 0; k < len; k++) {
      mf_idx j;
      int t;
      const double *b = mf_bcsr_row_block(A, i, k, &j, &t);
      const double *xj = &x[bs * (mf_nnz)j];
      for (int r = 0; r < bs; r++) {
        double s = 0.0;
        for (int c = 0; c < bs; c++) s += (t ? b[bs * c + r] : b[bs * r + c]) * xj[c];
        yi[r] += s;
      }
    }
    for (int r = 0; r < bs; r++) y[bs * (mf_nnz)i + r] = yi[r];
  }
}

void mf_bcsr_spmv(const mf_bcsr *A, const double *restrict x, double *restrict y) {
  if (A->symmetric) {
    if (A->bs == 3) spmv3_sym(A, x, y);
    else spmv_generic_sym(A, x, y);
  } else {
    if (A->bs == 3) spmv3(A, x, y);
    else spmv_generic(A, x, y);
  }
}

void mf_bcsr_spmv_rows(const mf_bcsr *A, const mf_idx *rows, mf_idx n, const double *restrict x,
                       double *restrict y) {
  if (A->bs == 3) {
#pragma omp parallel for schedule(static)
    for (mf_idx k = 0; k < n; k++) row3(A, rows[k], x, y);
  } else {
#pragma omp parallel for schedule(static)
    for (mf_idx k = 0; k < n; k++) row_generic(A, rows[k], x, y);
  }
}

/* The lower-triangle index's bytes (0 for full storage). */
static size_t lower_bytes(const mf_bcsr *A) {
  return A->symmetric ? (size_t)A->lo_ptr[A->n_rows] * (sizeof(mf_idx) + sizeof(uint32_t)) +
                            ((size_t)A->n_rows + 1) * sizeof(mf_nnz)
                      : 0;
}

/* A symmetric matrix's SpMV reads each stored block twice, the second time mostly from
 * cache (its row is a neighbour's): counted once, with the lower-triangle index. */
double mf_bcsr_spmv_bytes(const mf_bcsr *A) {
  return (double)A->nnzb * (A->bs2 * sizeof(double) + sizeof(mf_idx)) + (double)(A->n_rows + 1) * sizeof(mf_nnz) +
         (double)lower_bytes(A) + 2.0 * A->bs * sizeof(double) * (double)A->n_rows;
}

size_t mf_bcsr_memory_bytes(const mf_bcsr *A) {
  return (size_t)A->nnzb * (A->bs2 * sizeof(double) + sizeof(mf_idx)) + (size_t)(A->n_rows + 1) * sizeof(mf_nnz) +
         (size_t)A->n_rows * sizeof(mf_nnz) + lower_bytes(A);
}

static void op_mult(const mf_operator *op, const double *restrict x, double *restrict y) {
  mf_bcsr_spmv(op->matrix, x, y);
}
static double op_mult_bytes(const mf_operator *op) { return mf_bcsr_spmv_bytes(op->matrix); }
static size_t op_memory_bytes(const mf_operator *op) { return mf_bcsr_memory_bytes(op->matrix); }

static const mf_operator_ops bcsr_ops = {
    .name = "block-csr", .mult = op_mult, .mult_bytes = op_mult_bytes, .memory_bytes = op_memory_bytes};

mf_operator mf_bcsr_operator(const mf_bcsr *A, const mf_vec_layout *L) {
  return (mf_operator){.ops = &bcsr_ops, .layout = L, .matrix = A, .data = A};
}
