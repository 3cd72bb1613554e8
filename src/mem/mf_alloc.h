/* The one door to the heap: every allocation memfem makes goes through here.
 *
 * Blocks are 64-byte aligned and carry a one-cache-line header; the 16 bytes just
 * before every block (aligned or plain) hold its size and kind, so mf_free knows what it
 * releases. Counters (calls, bytes, live and peak live bytes)
 * are kept per thread in cache-line padded slots without locks and summed on report.
 * Peak live bytes is exact when one thread allocates at a time (setup) and an upper
 * bound of the per-thread peaks otherwise. */
#ifndef MF_ALLOC_H
#define MF_ALLOC_H

#include <stddef.h>
#include <stdint.h>

#include "core/mf_error.h"

typedef struct {
  uint64_t allocs;      /* successful allocation calls */
  uint64_t frees;       /* free calls on non-NULL blocks */
  uint64_t alloc_bytes; /* bytes requested by those calls */
  int64_t live_bytes;   /* requested bytes not yet freed */
  int64_t peak_live_bytes;
} mf_alloc_stats;

/* Allocate `bytes` (> 0 or 0 -> NULL, MF_OK) 64-byte aligned into *ptr; `what` names the
 * array in the error message. mf_calloc zeroes the block. */
mf_status mf_malloc(size_t bytes, const char *what, void *ptr);
mf_status mf_calloc(size_t count, size_t size, const char *what, void *ptr);
/* The way naive code allocates: plain malloc alignment (16 bytes), a 16-byte size header
 * only. Used for what is meant to look like per-object heap traffic (the naive scratch
 * provider, the boxed node layout), so it is counted like everything else. */
mf_status mf_malloc_plain(size_t bytes, const char *what, void *ptr);
/* Free *ptr (from any of the above; may be NULL) and set it to NULL. */
void mf_free(void *ptr);

/* Convenience: allocate n elements of *p's type. */
#define MF_ALLOC_N(p, n, what) mf_malloc((size_t)(n) * sizeof(*(p)), (what), &(p))
#define MF_CALLOC_N(p, n, what) mf_calloc((size_t)(n), sizeof(*(p)), (what), &(p))

/* Sum of all threads' counters. */
void mf_alloc_stats_get(mf_alloc_stats *s);

#endif
