/* Wall-clock timing (monotonic) and named phase accumulators. */
#ifndef MF_TIMER_H
#define MF_TIMER_H

double mf_wtime(void); /* seconds, monotonic clock */

#endif
