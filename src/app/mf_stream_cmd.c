/* `memfem bench-stream` and `memfem run --stream` (see mf_stream_cmd.h). */
#include "app/mf_stream_cmd.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mf_limits.h"
#include "la/mf_stream.h"

#define MIB 1048576.0

static int parse_pos(const char *flag, const char *s, long max, long *v) {
  char *end;
  long x = s ? strtol(s, &end, 10) : 0;
  if (!s || *s == '\0' || *end != '\0' || x < 1 || x > max) {
    fprintf(stderr, "memfem: error: %s expects an integer from 1 to %ld, got '%s'\n", flag, max, s ? s : "");
    return -1;
  }
  *v = x;
  return 0;
}

/* Array bytes: the given MiB, or the default with a note saying where it came from. */
static size_t pick_bytes(long mb, int quiet) {
  if (mb > 0) return (size_t)mb << 20;
  int capped = 0;
  size_t b = mf_stream_default_bytes(&capped);
  size_t llc = mf_stream_llc_bytes();
  if (!quiet) {
    if (llc) printf("stream    last-level cache %.0f MiB (sysconf); arrays of %.0f MiB each%s\n", llc / MIB, b / MIB,
                    capped ? " (4x the cache capped at 1024 MiB; --size MB overrides)" : " (4x the cache)");
    else printf("stream    last-level cache size unknown; arrays of %.0f MiB each (--size MB overrides)\n", b / MIB);
  }
  return b;
}

static void report(const mf_stream_result *r) {
  double mb = (double)r->n * sizeof(double) / MIB;
  printf("stream    triad a = b + s*c, %d threads, 3 arrays x %.0f MiB, best of %d: %.2f GB/s "
         "(%.4f s; median %.4f s, worst %.4f s)\n",
         r->threads, mb, r->reps, r->best_gbs, r->best_s, r->median_s, r->worst_s);
  printf("          counts 24 bytes per element (STREAM convention; write-allocate traffic not counted)\n");
}

int mf_cmd_bench_stream(int argc, char **argv) {
  long threads = 0, mb = 0, reps = 10;
  for (int i = 0; i < argc; i++) {
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    long *slot = strcmp(argv[i], "--threads") == 0 ? &threads
                 : strcmp(argv[i], "--size") == 0  ? &mb
                 : strcmp(argv[i], "--reps") == 0  ? &reps
                                                    : NULL;
    if (!slot) {
      fprintf(stderr, "memfem: error: bench-stream: unknown argument '%s'\n"
                      "usage: memfem bench-stream [--threads N] [--size MB] [--reps R]\n", argv[i]);
      return 2;
    }
    if (parse_pos(argv[i], v, slot == &mb ? 65536 : 100000, slot)) return 2;
    i++;
  }
  if (threads) omp_set_num_threads((int)threads);
  size_t bytes = pick_bytes(mb, 0);
  /* the thread count and the three arrays within what the machine has (core/mf_limits.h) */
  if (mf_limits_check_omp_threads(threads ? "bench-stream --threads" : "OMP_NUM_THREADS") ||
      mf_limits_check_memory(3.0 * (double)bytes, "bench-stream: the triad's three arrays")) {
    mf_error_print();
    return 2;
  }
  mf_stream_result r;
  if (mf_stream_triad(bytes, (int)reps, &r)) {
    mf_error_print();
    return 1;
  }
  report(&r);
  return 0;
}

int mf_stream_for_run(int quiet, double *gbs) {
  long mb = 0, reps = 10;
  const char *e = getenv("MEMFEM_STREAM_MB"), *er = getenv("MEMFEM_STREAM_REPS");
  if (e && parse_pos("MEMFEM_STREAM_MB", e, 65536, &mb)) return -1;
  if (er && parse_pos("MEMFEM_STREAM_REPS", er, 100000, &reps)) return -1;
  mf_stream_result r;
  if (mf_stream_triad(pick_bytes(mb, quiet), (int)reps, &r)) {
    mf_error_print();
    mf_error_clear();
    return -1;
  }
  if (!quiet) report(&r);
  *gbs = r.best_gbs;
  return 0;
}
