/* Rows owned across processes, moved into contiguous blocks of a global order (issue 14):
 * what each process writes of a dataset with parallel HDF5 (io/mf_h5_results.c), so that
 * every write is one hyperslab of rows [first, first + count) and no process holds more
 * than its share of the whole array.
 *
 * There are n_rows global rows, each owned by exactly one process. Process r receives
 * the block of rows [r * n_rows / size, (r + 1) * n_rows / size), rounded to multiples
 * of `align` rows (a dataset's chunk, so that no chunk is written by two processes). No
 * process needs to know the other rows' owners: at creation each process tells each
 * block's process how many of its rows it will send and which (one all-to-all of counts
 * and one exchange of row numbers), and a sender sends its rows to each block in
 * ascending global order, so every later move places each value without a handshake.
 * Rows are copied, not summed: the
 * blocks hold the owners' bits. Buffers are made at creation; a move allocates nothing.
 * What a process holds: its rows once in send order, and its block, received and then
 * put in order in place (56 + 56 bytes per row of 7 values, and 8 + 8 of indices). */
#ifndef MF_REDISTRIBUTE_H
#define MF_REDISTRIBUTE_H

#include <stdint.h>

#include "core/mf_comm.h"

typedef struct mf_redistribute mf_redistribute;

/* row: this process's n global rows, in its local order; every global row is held by
 * exactly one process (a row held twice, or none, is an internal error on every
 * process); cols values per row. Collective. */
mf_status mf_redistribute_create(mf_comm *comm, int64_t n_rows, int64_t n, const int64_t *row, int cols,
                                 int64_t align, mf_redistribute **out);
/* This process's block: global rows [*first, *first + *count). */
void mf_redistribute_block(const mf_redistribute *r, int64_t *first, int64_t *count);
/* The buffer rows leave from, and slot[i], local row i's row in it: a caller may put
 * its values there itself (cols per row) and run with local NULL, sparing a copy of
 * them. */
double *mf_redistribute_send_rows(mf_redistribute *r, const int64_t **slot);
/* local: n x cols values in local row order (NULL: already in the send rows). *block:
 * this process's block, count x cols, the plan's own buffer (valid until the next run).
 * Collective. */
mf_status mf_redistribute_run(mf_redistribute *r, const double *local, const double **block);
void mf_redistribute_destroy(mf_redistribute **r);

#endif
