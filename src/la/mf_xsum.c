/* Exact sums of doubles (see mf_xsum.h). */
#include "la/mf_xsum.h"

#include <math.h>

#define DIGIT 4294967296.0 /* 2^32 */

void mf_xsum_normalise(mf_xsum *a) {
  int64_t carry = 0;
  for (int k = 0; k < MF_XSUM_DIGITS - 1; k++) {
    int64_t v = a->d[k] + carry;
    int64_t digit = v & 0xffffffffLL; /* v mod 2^32, in [0, 2^32) */
    carry = (v - digit) / 4294967296LL; /* exact: floor(v / 2^32) */
    a->d[k] = digit;
  }
  a->d[MF_XSUM_DIGITS - 1] += carry;
  a->adds = 0;
}

void mf_xsum_merge(mf_xsum *into, const mf_xsum *from) {
  mf_xsum f = *from;
  mf_xsum_normalise(&f);
  mf_xsum_normalise(into);
  for (int k = 0; k < MF_XSUM_DIGITS; k++) into->d[k] += f.d[k];
  into->special |= f.special;
  mf_xsum_normalise(into);
}

void mf_xsum_bins_flush(mf_xsum_bins *b, mf_xsum *a) {
  for (int w = 0; w < 32; w++) {
    for (uint64_t bits = b->touched[w]; bits; bits &= bits - 1) {
      const unsigned e = 64u * (unsigned)w + (unsigned)__builtin_ctzll(bits);
      const int64_t v = b->bin[e];
      /* v 2^(e - 1075): magnitude below 2^63, lowest bit at accumulator bit e - 1 */
      mf_xsum_add_scaled(a, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0, e - 1);
      if (++a->adds == (1 << 30)) mf_xsum_normalise(a);
    }
    b->touched[w] = 0;
  }
  a->special |= b->special;
  b->special = 0;
}

static int bit_length(uint64_t x) { return x ? 64 - __builtin_clzll(x) : 0; }

double mf_xsum_round(const mf_xsum *in) {
  if (in->special & 4u || (in->special & 3u) == 3u) return NAN;
  if (in->special & 1u) return INFINITY;
  if (in->special & 2u) return -INFINITY;
  mf_xsum a = *in;
  mf_xsum_normalise(&a);
  const int neg = a.d[MF_XSUM_DIGITS - 1] < 0;
  if (neg) {
    for (int k = 0; k < MF_XSUM_DIGITS; k++) a.d[k] = -a.d[k];
    mf_xsum_normalise(&a); /* now the magnitude, top digit >= 0 */
  }
  int t = MF_XSUM_DIGITS - 1;
  while (t >= 0 && a.d[t] == 0) t--;
  if (t < 0) return 0.0;
  if (t == MF_XSUM_DIGITS - 1 && a.d[t] >= (1LL << 31)) return neg ? -INFINITY : INFINITY; /* >= 2^1101 */
  /* The top 64 bits of the magnitude, from its highest set bit, with every bit below
   * them folded into the lowest one (sticky): converting those 64 bits to double then
   * rounds to nearest even exactly as rounding the whole value would. */
  const uint64_t d2 = (uint64_t)a.d[t], d1 = t >= 1 ? (uint64_t)a.d[t - 1] : 0, d0 = t >= 2 ? (uint64_t)a.d[t - 2] : 0;
  const int nb = bit_length(d2); /* 1..32 */
  uint64_t top = (d2 << (64 - nb)) | (d1 << (32 - nb)) | (nb < 32 ? d0 >> nb : 0);
  int sticky = (d0 & ((1ULL << nb) - 1)) != 0;
  for (int k = t - 3; k >= 0 && !sticky; k--) sticky = a.d[k] != 0;
  top |= (uint64_t)sticky;
  /* the magnitude is about top 2^(nb + 32 (t - 2) - 1074) */
  double r = ldexp((double)top, nb + 32 * (t - 2) - 1074);
  return neg ? -r : r;
}
