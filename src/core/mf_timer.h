/* Wall-clock timing (monotonic) and the phase times every report uses. */
#ifndef MF_TIMER_H
#define MF_TIMER_H

double mf_wtime(void); /* seconds, monotonic clock */

/* Seconds spent in each phase of the solve. One struct is filled by the Newton loop per
 * iteration and per step, summed over the run, written to summary.json and printed:
 * the phases are named once, here. solve contains pc_setup (the preconditioner's
 * numeric set-up) and spmv + pc + vec (the CG kernels). */
typedef struct {
  double assembly, solve, pc_setup, spmv, pc, vec, output;
} mf_phase_times;

/* sum += t, field by field. */
void mf_phase_times_add(mf_phase_times *sum, const mf_phase_times *t);
/* spmv + pc + vec: the time inside the Krylov kernels. */
static inline double mf_phase_times_krylov(const mf_phase_times *t) { return t->spmv + t->pc + t->vec; }

#endif
