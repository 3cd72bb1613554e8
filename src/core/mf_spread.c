#include "core/mf_spread.h"

#include <stdlib.h>

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

void mf_spread_of(double *v, int n, mf_spread *s) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  s->n = n;
  s->min = v[0];
  s->max = v[n - 1];
  s->median = n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}
