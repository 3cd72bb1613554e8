/* Owned rows into contiguous blocks of the global order (la/mf_redistribute.h; label
 * mpi, run by mpiexec at 1..4 ranks): what each process writes of results.h5.
 *
 * Rows are owned by a hash of their number (so some ranks own none of a short array),
 * held in each rank's local order backwards, and valued 10 * row + column: every block
 * row must come out as its own row's value (from a local array, and put straight into
 * the send rows), the blocks must tile the rows in rank order
 * and start on multiples of the alignment, and a row held by two ranks (every rank then
 * failing, not only the one whose block it is), a row out of range, or rows that do not
 * add up, are refused. */
#include <stdint.h>

#include "mf_test_mpi.h"
#include "la/mf_redistribute.h"
#include "mem/mf_alloc.h"

static int32_t owner_of(int64_t g, int size) {
  uint64_t z = (uint64_t)g * 0x9e3779b97f4a7c15ULL;
  return (int32_t)((z >> 33) % (uint64_t)size);
}

static void check(mf_comm *comm, int64_t n_rows, int cols, int64_t align) {
  const int me = comm->rank, size = comm->size;
  int32_t *owner = NULL;
  int64_t *row = NULL;
  double *local = NULL;
  const double *block = NULL;
  mf_redistribute *r = NULL;
  if (MF_ALLOC_N(owner, (size_t)n_rows + 1, "owner") || MF_ALLOC_N(row, (size_t)n_rows + 1, "rows") ||
      MF_ALLOC_N(local, (size_t)n_rows * cols + 1, "local")) {
    CHECK(0, "%s", mf_error_message());
    goto done;
  }
  int64_t n = 0;
  for (int64_t g = 0; g < n_rows; g++) owner[g] = owner_of(g, size);
  for (int64_t g = n_rows - 1; g >= 0; g--) /* local order: backwards */
    if (owner[g] == me) row[n++] = g;
  for (int64_t i = 0; i < n; i++)
    for (int c = 0; c < cols; c++) local[i * cols + c] = 10.0 * (double)row[i] + c;
  if (mf_redistribute_create(comm, n_rows, n, row, cols, align, &r)) {
    CHECK(0, "%lld rows x %d, align %lld: %s", (long long)n_rows, cols, (long long)align, mf_error_message());
    goto done;
  }
  int64_t first, count;
  mf_redistribute_block(r, &first, &count);
  if (mf_redistribute_run(r, local, &block)) {
    CHECK(0, "run: %s", mf_error_message());
    goto done;
  }
  for (int64_t j = 0; j < count; j++)
    for (int c = 0; c < cols; c++)
      CHECK(block[j * cols + c] == 10.0 * (double)(first + j) + c, "%lld rows: block row %lld col %d holds %g",
            (long long)n_rows, (long long)(first + j), c, block[j * cols + c]);
  /* the same rows put straight into the send rows, then moved without a local array */
  const int64_t *slot;
  double *send = mf_redistribute_send_rows(r, &slot);
  for (int64_t i = 0; i < n; i++)
    for (int c = 0; c < cols; c++) send[slot[i] * cols + c] = 10.0 * (double)row[i] + c + 0.5;
  if (mf_redistribute_run(r, NULL, &block)) {
    CHECK(0, "run in place: %s", mf_error_message());
    goto done;
  }
  for (int64_t j = 0; j < count; j++)
    for (int c = 0; c < cols; c++)
      CHECK(block[j * cols + c] == 10.0 * (double)(first + j) + c + 0.5, "in place: block row %lld col %d holds %g",
            (long long)(first + j), c, block[j * cols + c]);
  CHECK(first % align == 0 || first == n_rows, "block starts at %lld, not a multiple of %lld", (long long)first,
        (long long)align);
  /* the blocks tile [0, n_rows) in rank order: each starts where the lower ranks' end */
  int64_t *counts = NULL;
  if (MF_CALLOC_N(counts, (size_t)size, "counts")) goto done;
  counts[me] = count;
  comm->ops->sum_i64(comm, counts, size);
  int64_t lower = 0, total = 0;
  for (int p = 0; p < size; p++) {
    if (p < me) lower += counts[p];
    total += counts[p];
  }
  CHECK(lower == first && total == n_rows, "block [%lld, +%lld): lower ranks hold %lld, all %lld of %lld",
        (long long)first, (long long)count, (long long)lower, (long long)total, (long long)n_rows);
  mf_free(&counts);
done:
  mf_redistribute_destroy(&r);
  mf_free(&owner);
  mf_free(&row);
  mf_free(&local);
  mf_error_clear();
}

int main(int argc, char **argv) {
  mf_comm *comm = mf_test_mpi_start(&argc, &argv);
  check(comm, 1000, 3, 1);
  check(comm, 1000, 6, 64);
  check(comm, 1000, 1, 5000); /* one block: rank 0 writes every row */
  check(comm, 3, 2, 1);       /* fewer rows than ranks */
  check(comm, 0, 3, 7);

  /* refused on every rank: row 0 held by every rank and row size - 1 by none (at one
   * rank: row 0 held twice), a row out of range, and rows that do not add up to n_rows
   * (every rank holds none of 10) */
  int64_t mine[2] = {0, 0};
  mf_redistribute *r = NULL;
  mf_status st = mf_redistribute_create(comm, comm->size + 1, comm->rank == 0 ? 2 : 1, mine, 1, 1, &r);
  CHECK(st == MF_ERR_INTERNAL && r == NULL, "row 0 held twice: status %d", st);
  mf_redistribute_destroy(&r);
  mf_error_clear();
  mine[0] = comm->rank == 0 ? comm->size : comm->rank;
  st = mf_redistribute_create(comm, comm->size, 1, mine, 1, 1, &r);
  CHECK(st == MF_ERR_INTERNAL && r == NULL, "row %lld of %d: status %d", (long long)mine[0], comm->size, st);
  mf_redistribute_destroy(&r);
  mf_error_clear();
  st = mf_redistribute_create(comm, 10, 0, mine, 1, 1, &r);
  CHECK(st == MF_ERR_INTERNAL && r == NULL, "no rows of 10: status %d", (int)st);
  mf_redistribute_destroy(&r);
  mf_error_clear();
  return mf_test_mpi_finish(comm, "redistribution into blocks");
}
