/* Exact sums of doubles: a fixed-point accumulator that covers every double, so that a
 * sum's result does not depend on the order of its terms (issue 14).
 *
 * Why: a dot product split over threads or processes is a sum in some order, and
 * floating-point addition is not associative. memfem's results must be the same bits
 * at any thread count and any process count, so the sum is formed exactly: each term
 * is added into 68 signed 64-bit digits of 32 bits each (2^-1074 .. past 2^1100, every
 * double's bits land in three of them), which integer addition keeps exact in any
 * order. Two accumulators merge by adding digits; across processes that is an integer
 * sum (core/mf_comm.h). Rounding happens once, at the end, from the exact value:
 * correctly rounded to nearest, except in the subnormal range (rounded twice there,
 * still a function of the exact value alone). The accumulator's idea is the "long
 * accumulator" of Kulisch and of Neal's superaccumulators; the code is memfem's own.
 *
 * Infinities and NaN are tracked apart: any NaN, or both infinities, give NaN. */
#ifndef MF_XSUM_H
#define MF_XSUM_H

#include <stdint.h>
#include <string.h>

#define MF_XSUM_DIGITS 68

typedef struct mf_xsum {
  int64_t d[MF_XSUM_DIGITS]; /* value = sum d[k] 2^(32 k - 1074) */
  int32_t adds;              /* terms since the last normalisation (a digit takes 2^30 safely) */
  uint32_t special;          /* 1: +inf seen, 2: -inf seen, 4: NaN seen */
} mf_xsum;

static inline void mf_xsum_clear(mf_xsum *a) { memset(a, 0, sizeof *a); }

/* Carries: digits 0..66 into [0, 2^32), the top one signed. The form is unique for a
 * value, so everything computed from it depends on the value alone. */
void mf_xsum_normalise(mf_xsum *a);

/* a += (negative ? -mag : mag) 2^(off - 1074), any 64-bit mag: three digits from off / 32.
 * Used by mf_xsum_add and the bins' flush. */
static inline void mf_xsum_add_scaled(mf_xsum *a, uint64_t mag, int negative, unsigned off) {
  const unsigned k = off >> 5, s = off & 31;
  const uint64_t lo = mag << s, hi = s ? mag >> (64 - s) : 0;
  const int64_t sign = -(int64_t)negative; /* 0 or -1: (x ^ sign) - sign negates when -1 */
  a->d[k] += ((int64_t)(lo & 0xffffffffu) ^ sign) - sign;
  a->d[k + 1] += ((int64_t)(lo >> 32) ^ sign) - sign;
  a->d[k + 2] += ((int64_t)hi ^ sign) - sign;
}

static inline void mf_xsum_add(mf_xsum *a, double v) {
  uint64_t b;
  memcpy(&b, &v, sizeof b);
  unsigned e = (unsigned)(b >> 52) & 0x7ffu;
  uint64_t m = b & 0xfffffffffffffULL;
  if (e == 0x7ffu) {
    a->special |= m ? 4u : (b >> 63) ? 2u : 1u;
    return;
  }
  if (e == 0) {
    if (!m) return;
    e = 1; /* subnormal: the same scale as the smallest normal exponent */
  } else {
    m |= 1ULL << 52;
  }
  /* v = m 2^(e - 1075): its lowest bit is bit e - 1 of the accumulator */
  mf_xsum_add_scaled(a, m, (int)(b >> 63), e - 1);
  if (++a->adds == (1 << 30)) mf_xsum_normalise(a);
}

/* The front end for a run of terms (a chunk of a dot product): one integer bin per
 * binary exponent sums the signed 53-bit significands of that exponent, exact while a
 * bin takes at most MF_XSUM_BIN_TERMS terms (each < 2^53 in magnitude, so the sum stays
 * below 2^63); the bins touched are then added into an accumulator. A term costs one
 * integer addition instead of three digit additions, and the run's terms mostly share
 * a few exponents, so the flush is short. 16 KiB, meant for the stack: only the
 * touched-bin mask needs clearing. */
#define MF_XSUM_BIN_TERMS 1023

typedef struct mf_xsum_bins {
  int64_t bin[2048];     /* by biased exponent (subnormals in bin 1); valid where touched */
  uint64_t touched[32];  /* one bit per bin */
  uint32_t special;
} mf_xsum_bins;

static inline void mf_xsum_bins_clear(mf_xsum_bins *b) {
  memset(b->touched, 0, sizeof b->touched);
  b->special = 0;
}

static inline void mf_xsum_bins_add(mf_xsum_bins *b, double v) {
  uint64_t u;
  memcpy(&u, &v, sizeof u);
  unsigned e = (unsigned)(u >> 52) & 0x7ffu;
  int64_t m = (int64_t)(u & 0xfffffffffffffULL);
  if (e == 0x7ffu) {
    b->special |= m ? 4u : (u >> 63) ? 2u : 1u;
    return;
  }
  if (e) m |= 1LL << 52;
  else e = 1; /* subnormal (or zero): the scale of the smallest normal exponent */
  const int64_t sign = -(int64_t)(u >> 63);
  const uint64_t bit = 1ULL << (e & 63);
  if (!(b->touched[e >> 6] & bit)) {
    b->touched[e >> 6] |= bit;
    b->bin[e] = 0;
  }
  b->bin[e] += (m ^ sign) - sign;
}

/* a += the bins' sum; the bins are left empty. */
void mf_xsum_bins_flush(mf_xsum_bins *b, mf_xsum *a);

/* into += from (both any state; into is left normalised). */
void mf_xsum_merge(mf_xsum *into, const mf_xsum *from);
/* The sum, rounded once. */
double mf_xsum_round(const mf_xsum *a);

#endif
