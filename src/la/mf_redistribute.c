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
  int64_t *send_row; /* n: local row of each sent row, in send order (blocks ascending, rows ascending) */
  int64_t *place;    /* count: where each block row is: row k of recv, or (-1 - k) for send row k */
  int64_t self_first, self_n; /* the rows of this process's own block: send rows [self_first, + self_n) */
  double *send, *recv;
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
      (st = MF_ALLOC_N(r->send_row, (size_t)n + 1, "redistribution send order")) ||
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
    for (int64_t q = from; q < k; q++) r->send_row[at++] = pairs[q].local;
    r->send_ptr[j + 1] = r->send_ptr[j] + (k - from) * cols;
    j++;
  }
  r->self_first = at;
  for (int64_t q = own_from; q < own_from + r->self_n; q++) r->send_row[at++] = pairs[q].local;

  /* receiver: the owners of this block's rows send them in ascending order */
  if ((st = MF_ALLOC_N(r->place, (size_t)r->count + 1, "redistribution placement"))) goto done;
  for (int64_t g = r->first; g < r->first + r->count; g++)
    if (owner[g] != me) cursor[owner[g] < me ? owner[g] : owner[g] - 1]++;
  for (int j = 0; j < r->n_peers; j++) r->recv_ptr[j + 1] = r->recv_ptr[j] + cursor[j] * cols;
  for (int j = 0; j < r->n_peers; j++) cursor[j] = r->recv_ptr[j] / cols;
  int64_t self_k = r->self_first;
  for (int64_t g = r->first; g < r->first + r->count; g++) {
    int q = owner[g];
    r->place[g - r->first] = q == me ? -1 - self_k++ : cursor[q < me ? q : q - 1]++;
  }
  st = MF_ALLOC_N(r->recv, (size_t)r->recv_ptr[r->n_peers] + 1, "redistribution receive buffer");
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

mf_status mf_redistribute_run(mf_redistribute *r, const double *local, double *block) {
  const int cols = r->cols;
  const size_t row_bytes = (size_t)cols * sizeof *local;
  const int64_t *send_row = r->send_row, *place = r->place;
  double *send = r->send;
#pragma omp parallel for schedule(static)
  for (int64_t k = 0; k < r->n; k++) memcpy(&send[k * cols], &local[send_row[k] * cols], row_bytes);
  MF_CALL(mf_comm_exchange(r->comm, r->n_peers, r->peers, send, r->send_ptr, r->recv, r->recv_ptr));
  const double *recv = r->recv;
#pragma omp parallel for schedule(static)
  for (int64_t j = 0; j < r->count; j++)
    memcpy(&block[j * cols], place[j] >= 0 ? &recv[place[j] * cols] : &send[(-1 - place[j]) * cols], row_bytes);
  return MF_OK;
}

void mf_redistribute_destroy(mf_redistribute **rp) {
  mf_redistribute *r = *rp;
  if (!r) return;
  mf_free(&r->peers);
  mf_free(&r->send_ptr);
  mf_free(&r->recv_ptr);
  mf_free(&r->send_row);
  mf_free(&r->place);
  mf_free(&r->send);
  mf_free(&r->recv);
  mf_free(rp);
}
