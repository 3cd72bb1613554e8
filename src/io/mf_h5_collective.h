/* Writes into one HDF5 file by every process at once (parallel HDF5, issue 14): each
 * process writes its block of rows of datasets that one process created before (with
 * mf_h5_create_dataset), so the file is the one a single process would have written and
 * no process holds more than its share of the data (la/mf_redistribute.h makes the
 * blocks). Collective MPI-IO transfers, which also let libhdf5 write deflated chunks.
 * A build whose HDF5 is the serial flavour refuses by name. */
#ifndef MF_H5_COLLECTIVE_H
#define MF_H5_COLLECTIVE_H

#include <stdint.h>

#include "core/mf_comm.h"
#include "core/mf_error.h"

typedef struct {
  const char *dataset; /* path in the file, e.g. "steps/writing/displacement" */
  uint64_t cols;       /* 0: a one-dimensional dataset (one column) */
  int64_t first, count;/* this process's rows */
  const double *data;  /* count rows of mem_cols values, of which the dataset takes the
                          columns from `col` on (float64 in memory and in the file) */
  int mem_cols, col;
} mf_h5_block;

/* Every process of comm opens `file` (which no process holds open), writes its block of
 * each of the n datasets, and closes it. Collective; the status is agreed (every process
 * returns the lowest failing rank's). */
mf_status mf_h5_write_blocks(const char *file, mf_comm *comm, int n, const mf_h5_block *b);

#endif
