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

/* Index of rank q among the peers (every rank but me, in order). */
static inline int peer_of(int q, int me) { return q < me ? q : q - 1; }

typedef struct {
  int64_t row, local;
} row_pair;

static int by_row(const void *a, const void *b) {
  int64_t x = ((const row_pair *)a)->row, y = ((const row_pair *)b)->row;
  return (x > y) - (x < y);
}

mf_status mf_redistribute_create(mf_comm *comm, int64_t n_rows, const int32_t *owner, int64_t n, const int64_t *row,
                                 int cols, int64_t align, mf_redistribute **out) {
  *out = NULL;
  const int size = comm->size, me = comm->rank;
  if (align < 1) align = 1;
  int64_t total = n;
  MF_CALL(comm->ops->sum_i64(comm, &total, 1));
  MF_CHECK(total == n_rows, MF_ERR_INTERNAL, "redistribute: the processes own %lld rows of %lld", (long long)total,
           (long long)n_rows);
  mf_redistribute *r;
  MF_CALL(MF_CALLOC_N(r, 1, "redistribution"));
  r->comm = comm;
  r->cols = cols;
  r->n = n;
  int64_t *start = NULL, *cursor = NULL;
  row_pair *pairs = NULL;
  mf_status st;
  if ((st = MF_ALLOC_N(start, (size_t)size + 1, "block starts")) ||
      (st = MF_ALLOC_N(r->peers, (size_t)size, "redistribution peers")) ||
      (st = MF_CALLOC_N(r->send_ptr, (size_t)size + 1, "redistribution send offsets")) ||
      (st = MF_CALLOC_N(r->recv_ptr, (size_t)size + 1, "redistribution receive offsets")) ||
      (st = MF_CALLOC_N(cursor, (size_t)size + 1, "redistribution cursors")) ||
      (st = MF_ALLOC_N(pairs, (size_t)n + 1, "rows in global order")) ||
      (st = MF_ALLOC_N(r->slot, (size_t)n + 1, "redistribution send order")) ||
      (st = MF_ALLOC_N(r->send, (size_t)n * cols + 1, "redistribution send buffer")))
    goto done;
  for (int p = 0; p <= size; p++) start[p] = block_start(n_rows, size, p, align);
  r->first = start[me];
  r->count = start[me + 1] - start[me];
  for (int p = 0; p < size; p++)
    if (p != me) r->peers[r->n_peers++] = p;

  /* sender: rows in ascending global order are grouped by block, blocks ascending */
  for (int64_t i = 0; i < n; i++) {
    if (row[i] < 0 || row[i] >= n_rows || owner[row[i]] != me) {
      st = MF_ERROR(MF_ERR_INTERNAL, "redistribute: rank %d holds row %lld, which it does not own", me,
                    (long long)row[i]);
      goto done;
    }
    pairs[i] = (row_pair){row[i], i};
  }
  qsort(pairs, (size_t)n, sizeof *pairs, by_row);
  /* send order: the rows for each other process's block, ranks ascending, then the rows
   * of this process's own block (copied, not sent); within each, global order */
  int64_t k = 0, at = 0, own_from = 0;
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

  /* receiver: the owners of this block's rows send them in ascending order */
  if ((st = MF_ALLOC_N(r->dest, (size_t)r->count + 1, "redistribution placement")) ||
      (st = MF_ALLOC_N(r->moved, (size_t)r->count / 64 + 1, "redistribution marks")) ||
      (st = MF_ALLOC_N(r->carry, 2 * (size_t)cols, "redistribution row")))
    goto done;
  for (int64_t g = r->first; g < r->first + r->count; g++)
    if (owner[g] != me) cursor[peer_of(owner[g], me)]++;
  for (int j = 0; j < r->n_peers; j++) r->recv_ptr[j + 1] = r->recv_ptr[j] + cursor[j] * cols;
  for (int j = 0; j < r->n_peers; j++) cursor[j] = r->recv_ptr[j] / cols;
  int64_t self_k = r->recv_ptr[r->n_peers] / cols; /* own rows after the received ones */
  for (int64_t g = r->first; g < r->first + r->count; g++) {
    int q = owner[g];
    r->dest[q == me ? self_k++ : cursor[peer_of(q, me)]++] = g - r->first;
  }
  st = MF_ALLOC_N(r->buf, (size_t)r->count * cols + 1, "redistribution block");
done:
  mf_free(&start);
  mf_free(&cursor);
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
