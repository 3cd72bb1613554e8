/* Limits of a run (mf_limits.h). */
#include "core/mf_limits.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static double memory_override; /* > 0: set by mf_limits_set_memory_bytes */

int mf_limits_max_threads(void) {
  long cores = omp_get_num_procs(); /* the processors this process may run on */
  long n = MF_THREADS_PER_CORE * (cores > 0 ? cores : 1);
  return (int)(n > MF_THREADS_FLOOR ? n : MF_THREADS_FLOOR);
}

mf_status mf_limits_check_threads(long threads, const char *what) {
  int max = mf_limits_max_threads();
  MF_CHECK(threads >= 1 && threads <= max, MF_ERR_INPUT,
           "%s asks for %ld threads; this machine allows 1 to %d (%d per core on %d cores, at least %d)", what,
           threads, max, MF_THREADS_PER_CORE, omp_get_num_procs(), MF_THREADS_FLOOR);
  return MF_OK;
}

mf_status mf_limits_check_omp_threads(const char *what) {
  return mf_limits_check_threads(omp_get_max_threads(), what);
}

/* cgroup v2 limit of this process's group, or 0 when there is none or it is unreadable. */
static double cgroup_limit(void) {
  FILE *f = fopen("/sys/fs/cgroup/memory.max", "r");
  if (!f) return 0.0;
  char buf[64] = "";
  double v = 0.0;
  if (fgets(buf, sizeof buf, f)) {
    char *end;
    unsigned long long x = strtoull(buf, &end, 10);
    if (end != buf && (*end == '\n' || *end == '\0')) v = (double)x; /* "max": no limit */
  }
  fclose(f);
  return v;
}

double mf_limits_memory_bytes(void) {
  if (memory_override > 0.0) return memory_override;
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  double phys = pages > 0 && page > 0 ? (double)pages * (double)page : 0.0;
  double cg = cgroup_limit();
  if (cg > 0.0 && (phys <= 0.0 || cg < phys)) return cg;
  return phys > 0.0 ? phys : 1e18; /* unknown: no limit from here, malloc still decides */
}

void mf_limits_set_memory_bytes(double bytes) { memory_override = bytes > 0.0 ? bytes : 0.0; }

mf_status mf_limits_check_memory(double bytes, const char *what) {
  double have = mf_limits_memory_bytes();
  MF_CHECK(bytes <= have, MF_ERR_INPUT, "%s would need about %.1f GiB, more than the %.1f GiB of memory this machine has",
           what, bytes / 1073741824.0, have / 1073741824.0);
  return MF_OK;
}

mf_status mf_limits_check_steps(long steps, long soak_steps) {
  MF_CHECK(steps >= 1 && soak_steps >= 0 && steps + soak_steps <= MF_MAX_STEP_ATTEMPTS, MF_ERR_INPUT,
           "%ld load steps and %ld soak steps: a run makes at most %d step attempts, so at most %d steps in all",
           steps, soak_steps, MF_MAX_STEP_ATTEMPTS, MF_MAX_STEP_ATTEMPTS);
  return MF_OK;
}
