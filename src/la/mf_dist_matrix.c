/* The matrix across processes (see mf_dist_matrix.h). */
#include "la/mf_dist_matrix.h"

#include <math.h>
#include <string.h>

#include "mem/mf_alloc.h"

/* A matrix of n rows with the lengths of K's rows src[r] (src NULL: rows 0..n-1) and
 * K's block size; columns, diagonal positions and values allocated, not filled. */
static mf_status rows_like(const mf_bcsr *K, const mf_idx *src, mf_idx n, mf_bcsr **out) {
  *out = NULL;
  MF_CHECK(!K->symmetric, MF_ERR_INPUT, "distributed matrix: symmetric storage is not distributed (matrix: full)");
  mf_bcsr *A = NULL;
  mf_status st;
  if ((st = MF_CALLOC_N(A, 1, "distributed matrix")) ||
      (st = MF_ALLOC_N(A->row_ptr, (size_t)n + 1, "distributed matrix rows")))
    goto done;
  A->n_rows = n;
  A->bs = K->bs;
  A->bs2 = K->bs2;
  A->row_ptr[0] = 0;
  for (mf_idx r = 0; r < n; r++) {
    const mf_idx g = src ? src[r] : r;
    A->row_ptr[r + 1] = A->row_ptr[r] + (K->row_ptr[g + 1] - K->row_ptr[g]);
  }
  A->nnzb = A->row_ptr[n];
  if (!(st = MF_ALLOC_N(A->col, A->nnzb + 1, "distributed matrix columns")) &&
      !(st = MF_ALLOC_N(A->diag, (size_t)n + 1, "distributed matrix diagonal")))
    st = MF_ALLOC_N(A->val, (size_t)A->bs2 * A->nnzb + 1, "distributed matrix values");
done:
  if (st) {
    mf_bcsr_destroy(&A);
    return st;
  }
  *out = A;
  return MF_OK;
}

mf_status mf_dist_matrix_owned_rows(const mf_bcsr *K, const mf_part *p, mf_bcsr **out) {
  *out = NULL;
  const mf_idx n = p->n_owned;
  const int bs2 = K->bs2;
  mf_bcsr *A = NULL;
  mf_status st;
  if ((st = rows_like(K, p->nodes, n, &A))) return st;
  for (mf_idx r = 0; r < n && !st; r++) {
    const mf_idx g = p->nodes[r];
    A->diag[r] = -1;
    for (mf_nnz q = K->row_ptr[g], a = A->row_ptr[r]; q < K->row_ptr[g + 1]; q++, a++) {
      const mf_idx c = mf_part_local_node(p, K->col[q]);
      if (c < 0) {
        st = MF_ERROR(MF_ERR_INTERNAL, "distributed matrix: row %lld has column %lld, which part %d does not hold",
                      (long long)g, (long long)K->col[q], p->part);
        break;
      }
      A->col[a] = c;
      if (K->col[q] == g) A->diag[r] = a;
      memcpy(&A->val[(size_t)bs2 * a], &K->val[(size_t)bs2 * q], (size_t)bs2 * sizeof(double));
    }
    if (!st && A->diag[r] < 0)
      st = MF_ERROR(MF_ERR_INTERNAL, "distributed matrix: row %lld has no diagonal block", (long long)g);
  }
  if (st) {
    mf_bcsr_destroy(&A);
    return st;
  }
  *out = A;
  return MF_OK;
}

/* order[k]: the place in row r of Kl of the row's k-th block by ascending mesh column
 * (insertion sort: rows hold a few dozen blocks). */
static void mesh_column_order(const mf_bcsr *Kl, const mf_part *p, mf_idx r, mf_nnz *order) {
  const mf_nnz lo = Kl->row_ptr[r], len = Kl->row_ptr[r + 1] - lo;
  for (mf_nnz k = 0; k < len; k++) {
    mf_nnz j = k;
    const mf_idx gk = p->nodes[Kl->col[lo + k]];
    while (j > 0 && p->nodes[Kl->col[lo + order[j - 1]]] > gk) {
      order[j] = order[j - 1];
      j--;
    }
    order[j] = k;
  }
}

static mf_nnz longest_owned_row(const mf_bcsr *Kl, mf_idx n) {
  mf_nnz longest = 0;
  for (mf_idx r = 0; r < n; r++)
    if (Kl->row_ptr[r + 1] - Kl->row_ptr[r] > longest) longest = Kl->row_ptr[r + 1] - Kl->row_ptr[r];
  return longest;
}

static mf_status check_part_matrix(const mf_bcsr *Kl, const mf_part *p) {
  MF_CHECK(Kl->n_rows == p->n_owned + p->n_ghost, MF_ERR_INTERNAL,
           "distributed matrix: a part matrix of %lld rows for a part of %lld nodes", (long long)Kl->n_rows,
           (long long)(p->n_owned + p->n_ghost));
  return MF_OK;
}

mf_status mf_dist_matrix_from_part(const mf_bcsr *Kl, const mf_part *p, mf_bcsr **out, mf_nnz **from_out) {
  *out = NULL;
  *from_out = NULL;
  MF_CALL(check_part_matrix(Kl, p));
  const mf_idx n = p->n_owned;
  const mf_nnz longest = longest_owned_row(Kl, n);
  mf_bcsr *A = NULL;
  mf_nnz *order = NULL, *from = NULL;
  mf_status st;
  if ((st = rows_like(Kl, NULL, n, &A)) || (st = MF_ALLOC_N(order, longest + 1, "row order")) ||
      (st = MF_ALLOC_N(from, A->nnzb + 1, "distributed matrix sources")))
    goto done;
  for (mf_idx r = 0; r < n; r++) {
    const mf_nnz lo = Kl->row_ptr[r], len = Kl->row_ptr[r + 1] - lo;
    mesh_column_order(Kl, p, r, order);
    A->diag[r] = -1;
    for (mf_nnz k = 0; k < len; k++) {
      const mf_nnz q = lo + order[k], a = A->row_ptr[r] + k;
      A->col[a] = Kl->col[q];
      from[a] = q;
      if (Kl->col[q] == r) A->diag[r] = a;
    }
    if (A->diag[r] < 0) {
      st = MF_ERROR(MF_ERR_INTERNAL, "distributed matrix: owned row %lld has no diagonal block", (long long)r);
      goto done;
    }
  }
  mf_dist_matrix_refill(A, Kl, from);
done:
  mf_free(&order);
  if (st) {
    mf_free(&from);
    mf_bcsr_destroy(&A);
    return st;
  }
  *out = A;
  *from_out = from;
  return MF_OK;
}

mf_status mf_dist_matrix_share_part(mf_bcsr *Kl, const mf_part *p, mf_bcsr **out, mf_idx **where_out) {
  *out = NULL;
  *where_out = NULL;
  MF_CALL(check_part_matrix(Kl, p));
  MF_CHECK(!Kl->symmetric, MF_ERR_INPUT, "distributed matrix: symmetric storage is not distributed (matrix: full)");
  const mf_idx n = p->n_owned;
  const mf_nnz longest = longest_owned_row(Kl, n);
  const int bs2 = Kl->bs2;
  mf_bcsr *A = NULL;
  mf_nnz *order = NULL;
  mf_idx *where = NULL, *col = NULL;
  double *val = NULL;
  mf_status st;
  if ((st = MF_CALLOC_N(A, 1, "distributed matrix")) || (st = MF_ALLOC_N(order, longest + 1, "row order")) ||
      (st = MF_ALLOC_N(col, longest + 1, "row columns")) ||
      (st = MF_ALLOC_N(val, (size_t)bs2 * longest + 1, "row values")) ||
      (st = MF_ALLOC_N(where, Kl->row_ptr[n] + 1, "moved blocks")))
    goto done;
  for (mf_idx r = 0; r < n && !st; r++) {
    const mf_nnz lo = Kl->row_ptr[r], len = Kl->row_ptr[r + 1] - lo;
    mesh_column_order(Kl, p, r, order);
    memcpy(col, &Kl->col[lo], (size_t)len * sizeof *col);
    memcpy(val, &Kl->val[(size_t)bs2 * lo], (size_t)bs2 * len * sizeof *val);
    Kl->diag[r] = -1;
    for (mf_nnz k = 0; k < len; k++) {
      const mf_nnz q = order[k];
      Kl->col[lo + k] = col[q];
      memcpy(&Kl->val[(size_t)bs2 * (lo + k)], &val[(size_t)bs2 * q], (size_t)bs2 * sizeof *val);
      where[lo + q] = (mf_idx)k;
      if (col[q] == r) Kl->diag[r] = lo + k;
    }
    if (Kl->diag[r] < 0)
      st = MF_ERROR(MF_ERR_INTERNAL, "distributed matrix: owned row %lld has no diagonal block", (long long)r);
  }
  if (!st) *A = (mf_bcsr){.n_rows = n, .bs = Kl->bs, .bs2 = bs2, .nnzb = Kl->row_ptr[n], .row_ptr = Kl->row_ptr,
                          .col = Kl->col, .diag = Kl->diag, .val = Kl->val};
done:
  mf_free(&order), mf_free(&col), mf_free(&val);
  if (st) {
    mf_free(&where);
    mf_free(&A);
    return st;
  }
  *out = A;
  *where_out = where;
  return MF_OK;
}

void mf_dist_matrix_view_destroy(mf_bcsr **A) { mf_free(A); }

void mf_dist_matrix_refill(mf_bcsr *A, const mf_bcsr *Kl, const mf_nnz *from) {
  const int bs2 = A->bs2;
#pragma omp parallel for schedule(static)
  for (mf_nnz a = 0; a < A->nnzb; a++)
    memcpy(&A->val[(size_t)bs2 * a], &Kl->val[(size_t)bs2 * from[a]], (size_t)bs2 * sizeof(double));
}

typedef struct {
  mf_operator op;
  mf_halo *h;
  mf_idx n_interior, n_boundary;
  mf_idx *interior, *boundary; /* owned rows without / with a ghost column, ascending */
  int overlap;                 /* 0: exchange, then multiply (for measuring) */
} dist_op;

/* The ghost values travel while the interior rows, which need none, are multiplied;
 * the boundary rows follow when they have arrived. Every row is summed as one process
 * sums it, whichever half it is in. */
static void dist_mult(const mf_operator *op, const double *restrict x, double *restrict y) {
  const dist_op *d = op->data;
  mf_status st = mf_halo_forward_begin(d->h, x);
  if (!d->overlap && !st) st = mf_halo_forward_end(d->h, (double *)x);
  mf_bcsr_spmv_rows(op->matrix, d->interior, d->n_interior, x, y);
  if (d->overlap && !st) st = mf_halo_forward_end(d->h, (double *)x); /* x's ghost rows: see mf_dist_matrix.h */
  if (st) {
    const mf_nnz n = op->layout->n_owned;
    for (mf_nnz i = 0; i < n; i++) y[i] = NAN;
    return;
  }
  mf_bcsr_spmv_rows(op->matrix, d->boundary, d->n_boundary, x, y);
}
static double dist_mult_bytes(const mf_operator *op) {
  const dist_op *d = op->data;
  const int n = d->h->n_neighbours;
  return mf_bcsr_spmv_bytes(op->matrix) + (double)(d->h->send_ptr[n] + d->h->recv_ptr[n]) * 2 * sizeof(double);
}
static size_t dist_memory_bytes(const mf_operator *op) {
  const dist_op *d = op->data;
  return mf_bcsr_memory_bytes(op->matrix) + (size_t)(d->n_interior + d->n_boundary) * sizeof(mf_idx);
}

static mf_status dist_update_ghosts(const mf_operator *op, double *x) {
  const dist_op *d = op->data;
  return mf_halo_forward(d->h, x);
}

static const mf_operator_ops dist_ops = {.name = "block-csr across processes",
                                         .mult = dist_mult,
                                         .mult_bytes = dist_mult_bytes,
                                         .memory_bytes = dist_memory_bytes,
                                         .update_ghosts = dist_update_ghosts};

mf_status mf_dist_operator_create(const mf_bcsr *A, const mf_vec_layout *L, mf_halo *h, mf_operator **out) {
  *out = NULL;
  MF_CHECK(!A->symmetric && A->n_rows == L->n_owned_rows && h->n_owned == L->n_owned_rows &&
               h->n_ghost == L->n_ghost_rows && h->bs == A->bs && L->bs == A->bs,
           MF_ERR_INTERNAL, "distributed operator: matrix, layout and ghost exchange disagree on the rows");
  dist_op *d;
  MF_CALL(MF_CALLOC_N(d, 1, "distributed operator"));
  mf_status st;
  if ((st = MF_ALLOC_N(d->interior, (size_t)A->n_rows + 1, "interior rows")) ||
      (st = MF_ALLOC_N(d->boundary, (size_t)A->n_rows + 1, "boundary rows"))) {
    mf_free(&d->interior);
    mf_free(&d);
    return st;
  }
  for (mf_idx i = 0; i < A->n_rows; i++) {
    int ghost = 0;
    for (mf_nnz p = A->row_ptr[i]; p < A->row_ptr[i + 1]; p++) ghost |= A->col[p] >= A->n_rows;
    if (ghost) d->boundary[d->n_boundary++] = i;
    else d->interior[d->n_interior++] = i;
  }
  d->h = h;
  d->overlap = 1;
  d->op = (mf_operator){.ops = &dist_ops, .layout = L, .matrix = A, .data = d};
  *out = &d->op;
  return MF_OK;
}

void mf_dist_operator_rows(const mf_operator *op, mf_idx *interior, mf_idx *boundary) {
  const dist_op *d = op->data;
  *interior = d->n_interior;
  *boundary = d->n_boundary;
}

void mf_dist_operator_set_overlap(mf_operator *op, int overlap) { ((dist_op *)op->data)->overlap = overlap != 0; }

void mf_dist_operator_destroy(mf_operator **op) {
  if (!*op) return;
  dist_op *d = (dist_op *)(*op)->data;
  mf_free(&d->interior);
  mf_free(&d->boundary);
  mf_free(&d);
  *op = NULL;
}
