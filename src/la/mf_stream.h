/* STREAM triad, a[i] = b[i] + s * c[i], to measure the memory bandwidth the solver's
 * kernels can hope for on this machine (issue 4, figures of merit).
 *
 * Written for memfem (not McCalpin's code): the three arrays come from mf_alloc, are
 * first-touched by the same static schedule as the timed loop, one untimed triad runs
 * first (STREAM discards its first iteration too), and the best of `reps`
 * timed triads is reported. Bytes counted per element: 3 x 8 (read b, read c, write a),
 * the STREAM convention; the write-allocate read of a that most CPUs also perform is NOT
 * counted, so the true traffic is up to 4/3 of what the figure assumes. */
#ifndef MF_STREAM_H
#define MF_STREAM_H

#include <stddef.h>

#include "core/mf_error.h"

typedef struct {
  size_t n;           /* elements per array */
  int reps, threads;
  double best_s, median_s, worst_s; /* seconds per triad */
  double best_gbs;    /* 24 n / best_s / 1e9 */
} mf_stream_result;

/* Last-level cache bytes as the C library reports it (0 when unknown). */
size_t mf_stream_llc_bytes(void);
/* Default array size in bytes: 4 x the last-level cache per array, at least 64 MiB,
 * capped at 1 GiB; *capped is set when the cap applied. */
size_t mf_stream_default_bytes(int *capped);
/* Run the triad on arrays of `bytes` bytes each (rounded down to whole doubles), reps >= 1
 * times, at the current OpenMP thread count; checks the result values. */
mf_status mf_stream_triad(size_t bytes, int reps, mf_stream_result *res);

#endif
