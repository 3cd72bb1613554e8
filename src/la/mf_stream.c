/* STREAM triad (see mf_stream.h). */
#include "la/mf_stream.h"

#include <omp.h>
#include <unistd.h>

#include "core/mf_spread.h"
#include "mem/mf_alloc.h"

#define MIB ((size_t)1 << 20)

size_t mf_stream_llc_bytes(void) {
  long l3 = -1, l2 = -1;
#ifdef _SC_LEVEL3_CACHE_SIZE
  l3 = sysconf(_SC_LEVEL3_CACHE_SIZE);
#endif
#ifdef _SC_LEVEL2_CACHE_SIZE
  l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
#endif
  return l3 > 0 ? (size_t)l3 : l2 > 0 ? (size_t)l2 : 0;
}

size_t mf_stream_default_bytes(int *capped) {
  size_t want = 4 * mf_stream_llc_bytes(), lo = 64 * MIB, cap = 1024 * MIB;
  *capped = want > cap;
  return want < lo ? lo : want > cap ? cap : want;
}

mf_status mf_stream_triad(size_t bytes, int reps, mf_stream_result *res) {
  const size_t n = bytes / sizeof(double);
  MF_CHECK(n >= 1024, MF_ERR_INPUT, "STREAM triad: array size %zu bytes is too small (at least 8 KiB)", bytes);
  MF_CHECK(reps >= 1, MF_ERR_INPUT, "STREAM triad: repetitions must be at least 1, got %d", reps);
  double *a = NULL, *b = NULL, *c = NULL, *t = NULL;
  mf_status st;
  if ((st = MF_ALLOC_N(a, n, "STREAM array a")) || (st = MF_ALLOC_N(b, n, "STREAM array b")) ||
      (st = MF_ALLOC_N(c, n, "STREAM array c")) || (st = MF_ALLOC_N(t, reps, "STREAM timings")))
    goto done;
  const long long N = (long long)n;
  /* First touch with the timed loop's schedule: each thread's pages land on its node. */
#pragma omp parallel for schedule(static)
  for (long long i = 0; i < N; i++) {
    a[i] = 0.0;
    b[i] = 1.0;
    c[i] = 2.0;
  }
  const double s = 3.0;
  /* One untimed triad first, as STREAM discards its first iteration: it pays for cold
   * TLBs and caches that no later repetition sees. */
  for (int r = -1; r < reps; r++) {
    double t0 = omp_get_wtime();
#pragma omp parallel for schedule(static)
    for (long long i = 0; i < N; i++) a[i] = b[i] + s * c[i];
    if (r >= 0) t[r] = omp_get_wtime() - t0;
  }
  long long bad = -1;
#pragma omp parallel for schedule(static) reduction(max : bad)
  for (long long i = 0; i < N; i++)
    if (a[i] != 7.0) bad = i > bad ? i : bad;
  if (bad >= 0) {
    st = MF_ERROR(MF_ERR_INTERNAL, "STREAM triad: wrong result at element %lld (%g, expected 7)", bad, a[bad]);
    goto done;
  }
  mf_spread sp;
  mf_spread_of(t, reps, &sp);
  res->n = n;
  res->reps = reps;
  res->threads = omp_get_max_threads();
  res->best_s = sp.min;
  res->median_s = sp.median;
  res->worst_s = sp.max;
  res->best_gbs = sp.min > 0 ? 3.0 * sizeof(double) * (double)n / sp.min * 1e-9 : 0.0;
  if (!(res->best_gbs > 0))
    st = MF_ERROR(MF_ERR_INTERNAL, "STREAM triad: timer resolution too coarse for %zu elements", n);
done:
  mf_free(&a);
  mf_free(&b);
  mf_free(&c);
  mf_free(&t);
  return st;
}
