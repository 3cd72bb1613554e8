/* The coarsest level of the multigrid (mf_amg_impl.h): a dense Cholesky factor.
 *
 * Across processes rank 0 holds the factor: at each numeric set-up every rank sends it
 * its owned rows (as records: key, length, the columns' keys, the blocks), rank 0 sorts
 * the rows by key, which is one process's row order, fills the same dense matrix and
 * factors it; each solve gathers b's owned rows on rank 0, which solves and sends every
 * rank its rows of x. The coarsest level has a few hundred unknowns (at most DENSE_MAX),
 * so one process solving it costs two small messages per V-cycle; a redundant factor on
 * every rank would save one of them at the price of an all-to-all of the matrix. */
#include <stdlib.h>
#include <string.h>

#include "la/mf_amg_impl.h"
#include "mem/mf_alloc.h"

struct mf_amg_coarsest {
  mf_nnz *row_ptr;    /* rank 0: size + 1, each rank's rows, in values (bs per row) */
  mf_nnz *rec_ptr;    /* rank 0: size + 1, each rank's records, in values */
  mf_nnz *pos;        /* rank 0: the rows in gather order: their one-process row */
  uint64_t *keys;     /* rank 0: every row's key, ascending */
  double *rec, *recv; /* rank 0: the records received; b's rows received, x's sent */
  double *mine;       /* this rank's records */
  double *x;          /* rank 0: b, then x, in one-process order */
  int32_t *others;    /* rank 0: ranks 1 .. size - 1, which it sends x */
  mf_nnz *zeros;      /* rank 0: size zeros (it receives nothing back) */
  mf_nnz n_mine;
  mf_nnz n_all, n_rec; /* rank 0: unknowns of the level, record values received */
  int planned;
  mf_nnz zero[2];     /* offsets of an empty message */
  mf_nnz own[2];      /* of this rank's rows of x */
};

/* One process: the level's matrix as a dense N x N. */
static void fill_dense(const mf_amg_level *lv, double *D, int N) {
  const mf_bcsr *A = lv->A;
  const int bs = lv->bs;
  memset(D, 0, (size_t)N * N * sizeof *D);
  for (mf_idx i = 0; i < lv->n; i++) {
    const mf_nnz len = mf_bcsr_row_len(A, i);
    for (mf_nnz k = 0; k < len; k++) {
      mf_idx j;
      int t;
      double buf[MF_AMG_MODES * MF_AMG_MODES];
      const double *b = mf_amg_row_block(lv, i, k, &j, &t, buf);
      for (int r = 0; r < bs; r++)
        for (int c = 0; c < bs; c++) D[(size_t)N * (bs * i + r) + bs * j + c] = t ? b[bs * c + r] : b[bs * r + c];
    }
  }
}

/* The records of this rank's owned rows (rows and blocks as fill_dense reads them). */
static mf_status pack(const mf_amg_level *lv, struct mf_amg_coarsest *g) {
  const int bs2 = lv->bs * lv->bs;
  const mf_bcsr *A = lv->A;
  const mf_nnz need = 2 * (mf_nnz)lv->n + (mf_nnz)A->row_ptr[lv->n] * (1 + bs2);
  if (!g->mine) MF_CALL(MF_ALLOC_N(g->mine, (size_t)need + 1, "coarsest records"));
  mf_nnz at = 0;
  for (mf_idx i = 0; i < lv->n; i++) {
    const mf_nnz len = mf_bcsr_row_len(A, i);
    g->mine[at++] = (double)mf_amg_key(lv, i), g->mine[at++] = (double)len;
    for (mf_nnz k = 0; k < len; k++) g->mine[at++] = (double)mf_amg_key(lv, A->col[A->row_ptr[i] + k]);
    for (mf_nnz k = 0; k < len; k++) {
      double buf[MF_AMG_MODES * MF_AMG_MODES];
      memcpy(&g->mine[at], mf_amg_stored_block(lv, A->row_ptr[i] + k, buf), (size_t)bs2 * sizeof(double));
      at += bs2;
    }
  }
  g->n_mine = at;
  return MF_OK;
}

/* Rank 0: how many rows and record values each rank sends (first set-up). */
static mf_status plan(const mf_amg_level *lv, mf_comm *comm, struct mf_amg_coarsest *g) {
  const int R = comm->size, me = comm->rank;
  double sizes[2] = {(double)lv->n, (double)g->n_mine}, *all = NULL;
  mf_nnz *two = NULL;
  mf_status st = MF_OK;
  if (me == 0 && ((st = MF_ALLOC_N(all, 2 * (size_t)R, "coarsest sizes")) ||
                  (st = MF_ALLOC_N(two, (size_t)R + 1, "coarsest sizes")) ||
                  (st = MF_CALLOC_N(g->row_ptr, (size_t)R + 1, "coarsest rows")) ||
                  (st = MF_CALLOC_N(g->rec_ptr, (size_t)R + 1, "coarsest records")) ||
                  (st = MF_ALLOC_N(g->others, (size_t)R, "coarsest ranks")) ||
                  (st = MF_CALLOC_N(g->zeros, (size_t)R, "coarsest offsets"))))
    goto done;
  if (me == 0)
    for (int r = 0; r <= R; r++) two[r] = 2 * (mf_nnz)r;
  if ((st = comm->ops->gather(comm, sizes, 2, all, two))) goto done;
  if (me == 0) {
    for (int r = 1; r < R; r++) g->others[r - 1] = r;
    for (int r = 0; r < R; r++) {
      g->row_ptr[r + 1] = g->row_ptr[r] + lv->bs * (mf_nnz)all[2 * r];
      g->rec_ptr[r + 1] = g->rec_ptr[r] + (mf_nnz)all[2 * r + 1];
    }
    const mf_nnz N = g->row_ptr[R];
    g->n_all = N, g->n_rec = g->rec_ptr[R];
    if ((st = MF_ALLOC_N(g->rec, (size_t)g->rec_ptr[R] + 1, "coarsest records received")) ||
        (st = MF_ALLOC_N(g->recv, (size_t)N + 1, "coarsest rows received")) ||
        (st = MF_ALLOC_N(g->pos, (size_t)N / lv->bs + 1, "coarsest row order")) ||
        (st = MF_ALLOC_N(g->keys, (size_t)N / lv->bs + 1, "coarsest keys")) ||
        (st = MF_ALLOC_N(g->x, (size_t)N + 1, "coarsest solution")))
      goto done;
  }
  g->own[1] = (mf_nnz)lv->bs * lv->n;
done:
  mf_free(&all), mf_free(&two);
  return st;
}

/* Rank 0: the gathered records into the dense matrix, rows and columns by key. */
static mf_status unpack(const mf_amg_level *lv, struct mf_amg_coarsest *g, int R, double *D) {
  const int bs = lv->bs, bs2 = bs * bs;
  const mf_nnz N = g->row_ptr[R], nb = N / bs;
  uint64_t *keys = g->keys;
  mf_nnz rows = 0;
  for (mf_nnz at = 0; at < g->rec_ptr[R]; rows++) {
    const mf_nnz len = (mf_nnz)g->rec[at + 1];
    keys[rows] = (uint64_t)g->rec[at];
    at += 2 + len * (1 + bs2);
  }
  qsort(keys, (size_t)nb, sizeof *keys, mf_amg_cmp_key);
  memset(D, 0, (size_t)N * N * sizeof *D);
  mf_status st = MF_OK;
  rows = 0;
  for (mf_nnz at = 0; at < g->rec_ptr[R] && !st; rows++) {
    const mf_nnz i = mf_amg_find_key(keys, sizeof *keys, nb, (uint64_t)g->rec[at]), len = (mf_nnz)g->rec[at + 1];
    g->pos[rows] = i;
    for (mf_nnz k = 0; k < len; k++) {
      const mf_nnz j = mf_amg_find_key(keys, sizeof *keys, nb, (uint64_t)g->rec[at + 2 + k]);
      if (j < 0) {
        st = MF_ERROR(MF_ERR_INTERNAL, "multigrid coarsest level: column %.17g is no process's row",
                      g->rec[at + 2 + k]);
        break;
      }
      const double *b = &g->rec[at + 2 + len + (size_t)bs2 * k];
      for (int r = 0; r < bs; r++)
        for (int c = 0; c < bs; c++) D[(size_t)N * (bs * i + r) + bs * j + c] = b[bs * r + c];
    }
    at += 2 + len * (1 + bs2);
  }
  return st;
}

mf_status mf_amg_coarsest_factor(mf_amg_level *lv, int level) {
  const int across = lv->halo != NULL;
  mf_comm *comm = across ? lv->halo->comm : NULL;
  struct mf_amg_coarsest *g = lv->gathered;
  mf_status st = MF_OK;
  int N = lv->bs * (int)lv->n;
  if (across) {
    if (!g && !(st = MF_CALLOC_N(g, 1, "coarsest level"))) lv->gathered = g;
    if (!st) st = pack(lv, g);
    if (!g->planned && !st && !(st = plan(lv, comm, g))) g->planned = 1;
    int failed;
    MF_CALL(mf_comm_agree(comm, st, &failed));
    MF_CALL(comm->ops->gather(comm, g->mine, g->n_mine, g->rec, g->rec_ptr));
    if (comm->rank != 0) return MF_OK; /* rank 0 reports a matrix that is not positive definite */
    N = (int)g->row_ptr[comm->size];
  }
  if (!lv->chol) MF_CALL(MF_ALLOC_N(lv->chol, (size_t)N * N + 1, "multigrid coarsest factor"));
  if (across) MF_CALL(unpack(lv, g, comm->size, lv->chol));
  else fill_dense(lv, lv->chol, N);
  MF_CHECK(mf_dense_cholesky(N, lv->chol) == 0, MF_ERR_SOLVER,
           "multigrid level %d (coarsest, %d unknowns): the matrix is not positive definite", level, N);
  return MF_OK;
}

mf_status mf_amg_coarsest_solve(const mf_amg_level *lv, const double *b, double *x) {
  const int bs = lv->bs;
  if (!lv->halo) {
    const int N = bs * (int)lv->n;
    memcpy(x, b, (size_t)N * sizeof *x);
    mf_dense_cholesky_solve(N, lv->chol, x);
    return MF_OK;
  }
  mf_comm *comm = lv->halo->comm;
  struct mf_amg_coarsest *g = lv->gathered;
  const int R = comm->size;
  mf_status st = comm->ops->gather(comm, b, (mf_nnz)bs * lv->n, g->recv, g->row_ptr);
  if (st) return st;
  if (comm->rank == 0) {
    const mf_nnz N = g->row_ptr[R];
    for (mf_nnz k = 0; k < N / bs; k++) memcpy(&g->x[bs * g->pos[k]], &g->recv[bs * k], bs * sizeof(double));
    mf_dense_cholesky_solve((int)N, lv->chol, g->x);
    for (mf_nnz k = 0; k < N / bs; k++) memcpy(&g->recv[bs * k], &g->x[bs * g->pos[k]], bs * sizeof(double));
    memcpy(x, g->recv, (size_t)g->row_ptr[1] * sizeof *x);
    /* ranks 1 .. R - 1 their rows: at offsets row_ptr[1 ..] of recv */
    return mf_comm_exchange(comm, R - 1, g->others, g->recv, &g->row_ptr[1], NULL, g->zeros);
  }
  const int32_t zero = 0;
  return mf_comm_exchange(comm, 1, &zero, NULL, g->zero, x, g->own);
}

size_t mf_amg_coarsest_bytes(const mf_amg_level *lv) {
  const struct mf_amg_coarsest *g = lv->gathered;
  size_t N = (size_t)lv->bs * lv->n, b = 0;
  if (g) { /* across processes: records; rank 0 also what it receives, the solution and the factor */
    N = (size_t)g->n_all;
    b += (size_t)g->n_mine * sizeof(double) + (g->rec_ptr ? ((size_t)g->n_rec + 2 * N) * sizeof(double) : 0);
  }
  return b + (lv->chol ? N * N * sizeof(double) : 0);
}

void mf_amg_coarsest_free(mf_amg_level *lv) {
  struct mf_amg_coarsest *g = lv->gathered;
  if (g) {
    mf_free(&g->row_ptr), mf_free(&g->rec_ptr), mf_free(&g->pos), mf_free(&g->rec), mf_free(&g->recv);
    mf_free(&g->mine), mf_free(&g->x), mf_free(&g->others), mf_free(&g->zeros), mf_free(&g->keys);
    mf_free(&lv->gathered);
  }
  mf_free(&lv->chol);
}
