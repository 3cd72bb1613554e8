/* Memory telemetry at every Newton iteration: what memfem allocated in the iteration
 * (from the counting layer), what the kernel says (VmRSS, VmHWM, VmSize), what the
 * allocator says (mf_allocator.h) and the fragmentation ratio, one CSV row each in
 * DIR/telemetry.csv, and a summary for summary.json and --memory-report.
 *
 * fragmentation ratio = resident bytes / live heap bytes, where resident is the
 * allocator's own resident figure when it has one (jemalloc, tcmalloc) and the process
 * RSS otherwise, and live heap bytes the allocator's allocated figure when it has one
 * and memfem's live bytes otherwise. Nothing here allocates after open: rows are
 * formatted into the stdio buffer made at open. */
#ifndef MF_TELEMETRY_H
#define MF_TELEMETRY_H

#include <stdint.h>
#include <stdio.h>

#include "core/mf_error.h"
#include "core/mf_timer.h"
#include "mem/mf_allocator.h"

typedef struct {
  int step, iteration;
  double load_factor, seconds;
  uint64_t allocs, alloc_bytes;     /* in this iteration, all threads */
  int64_t live_bytes, peak_live_bytes;
  int64_t rss_bytes, hwm_bytes, vmsize_bytes;
  mf_allocator_stats alloc;         /* -1: not provided by this allocator */
  double frag_ratio;
  /* seconds of this iteration in assembly (line-search assemblies included) and, inside
   * the linear solve, in SpMV, preconditioner and vector kernels */
  mf_phase_times times;
} mf_telemetry_row;

typedef struct {
  long long rows;
  uint64_t allocs_in_iterations;       /* summed over all rows */
  uint64_t max_allocs_first_iteration; /* most allocations in an iteration 0 */
  uint64_t max_allocs_later_iteration; /* most in any iteration after the first of its step */
  int64_t peak_live_bytes, peak_rss_bytes, hwm_bytes;
  double max_frag_ratio, last_frag_ratio;
  mf_telemetry_row first, last;
} mf_telemetry_summary;

typedef struct mf_telemetry mf_telemetry;

/* Open telemetry; csv_path NULL keeps the summary only. */
mf_status mf_telemetry_open(const char *csv_path, mf_telemetry **t);
/* Close the open iteration (if any, writing its row) and open iteration `iteration` of
 * load step `step`. */
void mf_telemetry_next(mf_telemetry *t, int step, int iteration, double load_factor);
/* Add phase seconds to the open iteration (nothing when none is open). */
void mf_telemetry_add_times(mf_telemetry *t, const mf_phase_times *times);
/* Close the open iteration, if any. */
void mf_telemetry_end(mf_telemetry *t);
/* Take a sample outside any iteration (e.g. after a release), as row iteration -1. */
void mf_telemetry_sample(mf_telemetry *t, int step, double load_factor);
const mf_telemetry_summary *mf_telemetry_get_summary(const mf_telemetry *t);
/* Flush the CSV (between steps); returns an error if writing failed. */
mf_status mf_telemetry_flush(mf_telemetry *t);
void mf_telemetry_close(mf_telemetry **t);
/* Print a number or "n/a" for -1. */
void mf_telemetry_fprint_bytes(FILE *out, int64_t bytes);

#endif
