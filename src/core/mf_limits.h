/* What a run may ask of the machine and of the solver, checked before it is used.
 *
 * Counts and sizes come from files and the command line; each is checked here against
 * what the machine can do (threads against its cores, array sizes against its memory)
 * or what the load-stepping loop can finish (step counts, the smallest load step)
 * before any arithmetic or allocation uses it. Messages say what was asked, the limit
 * and where the limit comes from. */
#ifndef MF_LIMITS_H
#define MF_LIMITS_H

#include <float.h>
#include <stddef.h>

#include "core/mf_error.h"

/* Step attempts (converged steps and cutbacks) one run may make: the solver's bound. */
#define MF_MAX_STEP_ATTEMPTS 100000
/* The smallest load step the solver takes: 2^20 units in the last place of the full
 * load factor 1 (about 2.3e-10). A step below it no longer changes the load factor in
 * a meaningful digit, so cutting back further is a solver failure, not progress. */
#define MF_MIN_LOAD_STEP (1048576.0 * DBL_EPSILON)
/* Threads: at most this many per core the process may run on, and never fewer than
 * MF_THREADS_FLOOR (so small machines can still test thread counts above their cores). */
#define MF_THREADS_PER_CORE 8
#define MF_THREADS_FLOOR 64

/* The largest thread count allowed on this machine. */
int mf_limits_max_threads(void);
/* `threads` (asked for by `what`, e.g. "--threads" or "OMP_NUM_THREADS") within
 * 1..mf_limits_max_threads(). */
mf_status mf_limits_check_threads(long threads, const char *what);
/* The thread count OpenMP will use (omp_get_max_threads(): OMP_NUM_THREADS or a
 * --threads already applied), checked; `what` names where it came from. */
mf_status mf_limits_check_omp_threads(const char *what);

/* Memory the process may use: physical memory, or the cgroup's limit when lower. */
double mf_limits_memory_bytes(void);
/* Replace that figure (bytes > 0) or restore it (0): fuzz harnesses and tests. */
void mf_limits_set_memory_bytes(double bytes);
/* `bytes` (an estimate for `what`, e.g. "box:...: a mesh of 1e9 nodes") must fit the
 * memory; the error gives the estimate and the limit. */
mf_status mf_limits_check_memory(double bytes, const char *what);

/* Load steps and soak steps of a run (after --steps/--soak-steps) within what the
 * load-stepping loop can finish in MF_MAX_STEP_ATTEMPTS attempts. */
mf_status mf_limits_check_steps(long steps, long soak_steps);

#endif
