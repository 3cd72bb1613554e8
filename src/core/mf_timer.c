#include "core/mf_timer.h"

#include <time.h>

double mf_wtime(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void mf_phase_times_add(mf_phase_times *sum, const mf_phase_times *t) {
  sum->assembly += t->assembly;
  sum->solve += t->solve;
  sum->pc_setup += t->pc_setup;
  sum->spmv += t->spmv;
  sum->pc += t->pc;
  sum->vec += t->vec;
  sum->output += t->output;
}
