/* Median and range of repeated measurements: how every timing in memfem is reported
 * (a median and the min-max spread, never a single run or a mean). */
#ifndef MF_SPREAD_H
#define MF_SPREAD_H

typedef struct {
  int n;
  double median, min, max; /* median of an even count: mean of the middle two */
} mf_spread;

/* Summarise v[0..n-1] (n >= 1); sorts v in place. */
void mf_spread_of(double *v, int n, mf_spread *s);

#endif
