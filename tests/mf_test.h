/* Shared helpers for memfem's cmocka tests. */
#ifndef MF_TEST_H
#define MF_TEST_H

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

/* cmocka's assert_float_equal compares in single precision; these are double. */
#define assert_near(a, b, tol)                                                                  \
  do {                                                                                          \
    double mf_a_ = (a), mf_b_ = (b), mf_t_ = (tol);                                             \
    if (!(fabs(mf_a_ - mf_b_) <= mf_t_))                                                        \
      fail_msg("%s = %.17g differs from %s = %.17g by more than %.3g", #a, mf_a_, #b, mf_b_, mf_t_); \
  } while (0)

#define assert_rel_near(a, b, rtol)                                                             \
  do {                                                                                          \
    double mf_a_ = (a), mf_b_ = (b), mf_t_ = (rtol);                                            \
    if (!(fabs(mf_a_ - mf_b_) <= mf_t_ * fabs(mf_b_)))                                          \
      fail_msg("%s = %.17g differs from %s = %.17g by relative %.3g > %.3g", #a, mf_a_, #b, mf_b_, \
               fabs(mf_a_ - mf_b_) / fabs(mf_b_), mf_t_);                                        \
  } while (0)

#endif
