/* Owned rows into contiguous blocks of the global order (see mf_redistribute.h). */
#include "la/mf_redistribute.h"

#include <stdlib.h>
#include <string.h>

#include "mem/mf_alloc.h"

struct mf_redistribute {
  mf_comm *comm;
  int cols;
  int64_t n, first, count;
  int n_peers;       /* the other processes, */
  int32_t *peers;    /* in rank order */
  mf_nnz *send_ptr, *recv_ptr; /* n_peers + 1 each, in values */
  int64_t *slot;     /* n: each local row's place in the send order (blocks ascending, rows ascending) */
  int64_t self_first, self_n; /* the rows of this process's own block: send rows [self_first, + self_n) */
  double *send;
  /* The block, count rows: received first (peers in order), then this process's own
   * rows, then put in global order in place, row buf[k] going to row dest[k], so that
   * no second block-sized buffer is needed */
  double *buf;
  int64_t *dest;
  uint64_t *moved;   /* count bits: the in-place permutation's marks */
  double *carry;     /* 2 rows */
};

/* First row of process r's block. */
static int64_t block_start(int64_t n_rows, int size, int r, int64_t align) {
  if (r >= size) return n_rows;
  int64_t b = (int64_t)((__int128)n_rows * r / size);
  b = (b + align - 1) / align * align;
  return b < n_rows ? b : n_rows;
}

typedef struct {
  int64_t row, local;
} row_pair;

static int by_row(const void *a, const void *b) {
  int64_t x = ((const row_pair *)a)->row, y = ((const row_pair *)b)->row;
  return (x > y) - (x < y);
}

/* The receiver's side: the owners of this block's rows name them, in the order they
 * will send them (ascending), and each received row's place in the block follows. */
static mf_status plan_receive(mf_redistribute *r, const row_pair *pairs, int64_t own_from) {
  mf_comm *comm = r->comm;
  const int size = comm->size, me = comm->rank;
  int64_t *to = NULL, *from = NULL;
  double *names = NULL, *named = NULL;
  mf_status st;
  if ((st = MF_CALLOC_N(to, (size_t)size, "rows sent per process")) ||
      (st = MF_CALLOC_N(from, (size_t)size, "rows received per process")))
    goto done;
  for (int j = 0; j < r->n_peers; j++) to[r->peers[j]] = (r->send_ptr[j + 1] - r->send_ptr[j]) / r->cols;
  if ((st = comm->ops->alltoall_i64(comm, to, from))) goto done;
  for (int j = 0; j < r->n_peers; j++) r->recv_ptr[j + 1] = r->recv_ptr[j] + from[r->peers[j]] * r->cols;
  const int64_t n_send = r->send_ptr[r->n_peers] / r->cols, n_recv = r->recv_ptr[r->n_peers] / r->cols;
  mf_nnz *sptr = NULL, *rptr = NULL; /* the same offsets, in rows */
  if ((st = MF_ALLOC_N(names, (size_t)n_send + 1, "rows named")) ||
      (st = MF_ALLOC_N(named, (size_t)n_recv + 1, "rows received")) ||
      (st = MF_ALLOC_N(sptr, (size_t)r->n_peers + 1, "row offsets sent")) ||
      (st = MF_ALLOC_N(rptr, (size_t)r->n_peers + 1, "row offsets received"))) {
    mf_free(&sptr);
    goto done;
  }
  for (int j = 0; j <= r->n_peers; j++) sptr[j] = r->send_ptr[j] / r->cols, rptr[j] = r->recv_ptr[j] / r->cols;
  /* send order is pairs' order without this block's rows: rows are below 2^53, exact as doubles */
  for (int64_t q = 0, at = 0; q < r->n; q++)
    if (q < own_from || q >= own_from + r->self_n) names[at++] = (double)pairs[q].row;
  st = mf_comm_exchange(comm, r->n_peers, r->peers, names, sptr, named, rptr);
  mf_free(&sptr);
  mf_free(&rptr);
  if (st) goto done;
  if (n_recv + r->self_n != r->count) {
    st = MF_ERROR(MF_ERR_INTERNAL, "redistribute: rank %d's block of %lld rows receives %lld", me, (long long)r->count,
                  (long long)(n_recv + r->self_n));
    goto done;
  }
  for (int64_t k = 0; k < n_recv; k++) r->dest[k] = (int64_t)named[k] - r->first;
  for (int64_t q = 0; q < r->self_n; q++) r->dest[n_recv + q] = pairs[own_from + q].row - r->first;
  /* every row of the block exactly once */
  memset(r->moved, 0, ((size_t)r->count / 64 + 1) * sizeof *r->moved);
  for (int64_t k = 0; k < r->count && !st; k++) {
    const int64_t d = r->dest[k];
    if (d < 0 || d >= r->count || (r->moved[d / 64] >> (d % 64) & 1))
      st = MF_ERROR(MF_ERR_INTERNAL, "redistribute: rank %d's block [%lld, %lld) receives row %lld twice or out of it",
                    me, (long long)r->first, (long long)(r->first + r->count), (long long)(d + r->first));
    else r->moved[d / 64] |= 1ull << (d % 64);
  }
done:
  mf_free(&to);
  mf_free(&from);
  mf_free(&names);
  mf_free(&named);
  return st;
}

/* A failure on one process (a row out of range, a block short, a row sent twice) made
 * every process's, so that none goes on to an exchange the others skip. */
static mf_status agreed(mf_comm *comm, mf_status st) {
  int64_t failed = st != MF_OK;
  mf_status rc = comm->ops->max_i64(comm, &failed, 1);
  if (rc) return rc;
  if (failed && !st) return MF_ERROR(MF_ERR_INTERNAL, "redistribute: another process failed to plan");
  return st;
}

mf_status mf_redistribute_create(mf_comm *comm, int64_t n_rows, int64_t n, const int64_t *row, int cols,
                                 int64_t align, mf_redistribute **out) {
  *out = NULL;
  const int size = comm->size, me = comm->rank;
  if (align < 1) align = 1;
  int64_t total = n;
  MF_CALL(comm->ops->sum_i64(comm, &total, 1));
  MF_CHECK(total == n_rows, MF_ERR_INTERNAL, "redistribute: the processes hold %lld rows of %lld", (long long)total,
           (long long)n_rows);
  mf_redistribute *r;
  MF_CALL(MF_CALLOC_N(r, 1, "redistribution"));
  r->comm = comm;
  r->cols = cols;
  r->n = n;
  int64_t *start = NULL, own_from = 0;
  row_pair *pairs = NULL;
  mf_status st;
  if ((st = MF_ALLOC_N(start, (size_t)size + 1, "block starts")) ||
      (st = MF_ALLOC_N(r->peers, (size_t)size, "redistribution peers")) ||
      (st = MF_CALLOC_N(r->send_ptr, (size_t)size + 1, "redistribution send offsets")) ||
      (st = MF_CALLOC_N(r->recv_ptr, (size_t)size + 1, "redistribution receive offsets")) ||
      (st = MF_ALLOC_N(pairs, (size_t)n + 1, "rows in global order")) ||
      (st = MF_ALLOC_N(r->slot, (size_t)n + 1, "redistribution send order")) ||
      (st = MF_ALLOC_N(r->send, (size_t)n * cols + 1, "redistribution send buffer")))
    goto checked;
  for (int p = 0; p <= size; p++) start[p] = block_start(n_rows, size, p, align);
  r->first = start[me];
  r->count = start[me + 1] - start[me];
  for (int p = 0; p < size; p++)
    if (p != me) r->peers[r->n_peers++] = p;

  /* sender: rows in ascending global order are grouped by block, blocks ascending */
  for (int64_t i = 0; i < n; i++) {
    if (row[i] < 0 || row[i] >= n_rows) {
      st = MF_ERROR(MF_ERR_INTERNAL, "redistribute: rank %d holds row %lld of %lld", me, (long long)row[i],
                    (long long)n_rows);
      goto checked;
    }
    pairs[i] = (row_pair){row[i], i};
  }
  qsort(pairs, (size_t)n, sizeof *pairs, by_row);
  /* send order: the rows for each other process's block, ranks ascending, then the rows
   * of this process's own block (copied, not sent); within each, global order */
  int64_t k = 0, at = 0;
  for (int p = 0, j = 0; p < size; p++) {
    int64_t from = k;
    while (k < n && pairs[k].row < start[p + 1]) k++;
    if (p == me) {
      own_from = from, r->self_n = k - from;
      continue;
    }
    for (int64_t q = from; q < k; q++) r->slot[pairs[q].local] = at++;
    r->send_ptr[j + 1] = r->send_ptr[j] + (k - from) * cols;
    j++;
  }
  r->self_first = at;
  for (int64_t q = own_from; q < own_from + r->self_n; q++) r->slot[pairs[q].local] = at++;

  if ((st = MF_ALLOC_N(r->dest, (size_t)r->count + 1, "redistribution placement")) ||
      (st = MF_ALLOC_N(r->moved, (size_t)r->count / 64 + 1, "redistribution marks")) ||
      (st = MF_ALLOC_N(r->carry, 2 * (size_t)cols, "redistribution row")))
    goto checked;
checked:
  if (!(st = agreed(comm, st))) st = agreed(comm, plan_receive(r, pairs, own_from));
  if (!st) st = MF_ALLOC_N(r->buf, (size_t)r->count * cols + 1, "redistribution block");
  mf_free(&start);
  mf_free(&pairs);
  if (st) mf_redistribute_destroy(&r);
  *out = r;
  return st;
}

void mf_redistribute_block(const mf_redistribute *r, int64_t *first, int64_t *count) {
  *first = r->first;
  *count = r->count;
}

double *mf_redistribute_send_rows(mf_redistribute *r, const int64_t **slot) {
  *slot = r->slot;
  return r->send;
}

mf_status mf_redistribute_run(mf_redistribute *r, const double *local, const double **block) {
  *block = NULL;
  const int cols = r->cols;
  const size_t row_bytes = (size_t)cols * sizeof *local;
  const int64_t *slot = r->slot, *dest = r->dest;
  double *send = r->send, *buf = r->buf;
  if (local) {
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < r->n; i++) memcpy(&send[slot[i] * cols], &local[i * cols], row_bytes);
  }
  MF_CALL(mf_comm_exchange(r->comm, r->n_peers, r->peers, send, r->send_ptr, buf, r->recv_ptr));
  const int64_t n_recv = r->recv_ptr[r->n_peers] / cols;
  if (r->self_n > 0) memcpy(&buf[n_recv * cols], &send[r->self_first * cols], (size_t)r->self_n * row_bytes);
  /* in place: each cycle of the permutation carries one row along it */
  uint64_t *moved = r->moved;
  memset(moved, 0, ((size_t)r->count / 64 + 1) * sizeof *moved);
  double *carry = r->carry, *spare = r->carry + cols;
  for (int64_t k = 0; k < r->count; k++) {
    if (moved[k / 64] >> (k % 64) & 1) continue;
    memcpy(carry, &buf[k * cols], row_bytes);
    int64_t at = dest[k];
    while (at != k) { /* carry belongs at row `at`: put it there, pick up what was there */
      memcpy(spare, &buf[at * cols], row_bytes);
      memcpy(&buf[at * cols], carry, row_bytes);
      memcpy(carry, spare, row_bytes);
      moved[at / 64] |= 1ull << (at % 64);
      at = dest[at];
    }
    memcpy(&buf[k * cols], carry, row_bytes);
    moved[k / 64] |= 1ull << (k % 64);
  }
  *block = buf;
  return MF_OK;
}

void mf_redistribute_destroy(mf_redistribute **rp) {
  mf_redistribute *r = *rp;
  if (!r) return;
  mf_free(&r->peers);
  mf_free(&r->send_ptr);
  mf_free(&r->recv_ptr);
  mf_free(&r->slot);
  mf_free(&r->dest);
  mf_free(&r->moved);
  mf_free(&r->carry);
  mf_free(&r->buf);
  mf_free(&r->send);
  mf_free(rp);
}
