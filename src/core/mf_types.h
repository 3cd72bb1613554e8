/* Basic index types shared by every module.
 *
 * mf_idx indexes local entities (nodes, elements, faces, block rows): 32 bits keep the
 * connectivity and column arrays small, which is half the memory traffic of the solver.
 * mf_gidx is for global numbers and file tags, mf_nnz for offsets into arrays whose
 * length can pass 2^31 (matrix values). */
#ifndef MF_TYPES_H
#define MF_TYPES_H

#include <stddef.h>
#include <stdint.h>

typedef int32_t mf_idx;
typedef int64_t mf_gidx;
typedef int64_t mf_nnz;

#define MF_IDX_MAX INT32_MAX

/* Ascending order of mf_idx, for qsort and bsearch. */
static inline int mf_idx_compare(const void *a, const void *b) {
  const mf_idx x = *(const mf_idx *)a, y = *(const mf_idx *)b;
  return (x > y) - (x < y);
}
#define MF_ALIGN 64      /* bytes: one cache line, and an AVX-512 vector */
#define MF_NAME_MAX 64   /* physical group and region names */

#if defined(__GNUC__)
#define MF_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define MF_ASSUME_ALIGNED(p) __builtin_assume_aligned((p), MF_ALIGN)
#else
#define MF_UNLIKELY(x) (x)
#define MF_ASSUME_ALIGNED(p) (p)
#endif

#endif
