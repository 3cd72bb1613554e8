/* MEMFEM_ALLOCATOR=system: glibc's malloc (ptmalloc2), nothing linked in its place.
 *
 * Statistics come from mallinfo2(), which walks every arena under its lock; it does not
 * allocate, and its cost grows with the number of free chunks in the bins, which is
 * small next to a Newton iteration. How its fields map onto mf_allocator_stats:
 *   allocated = uordblks + hblkhd  bytes in use: chunks in the arenas plus mmapped chunks
 *   active    = -1                 glibc keeps no count of pages holding live data
 *   resident  = -1                 glibc does not know what is in RAM (memfem reads /proc)
 *   mapped    = arena + hblkhd     bytes of all arenas (sbrk heap and per-thread heaps)
 *                                  plus the mmapped chunks
 *   retained  = fordblks           free bytes kept inside the arenas for reuse (top chunk
 *                                  included). Unlike jemalloc's retained these are part
 *                                  of mapped and may be resident; malloc_trim returns
 *                                  what it can of them.
 * mallinfo2 reads glibc's own arenas, which stay (near) empty when another allocator has
 * taken malloc over, e.g. through LD_PRELOAD; then every figure is -1 rather than a
 * plausible-looking near-zero. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem/mf_allocator.h"
#include "mem/mf_allocator_serving.h"

const char *mf_allocator_name(void) { return "system"; }

const char *mf_allocator_serving(void) { return mf_serving_get(); }

int mf_allocator_verified(void) { return strncmp(mf_serving_basename(), "libc.so", 7) == 0; }

void mf_allocator_stats_read(mf_allocator_stats *st) {
  *st = (mf_allocator_stats){-1, -1, -1, -1, -1};
  if (!mf_allocator_verified()) return;
  struct mallinfo2 mi = mallinfo2();
  st->allocated = (int64_t)(mi.uordblks + mi.hblkhd);
  st->mapped = (int64_t)(mi.arena + mi.hblkhd);
  st->retained = (int64_t)mi.fordblks;
}

/* glibc's knobs are environment variables: MALLOC_ARENA_MAX (default 8 arenas per core
 * on 64-bit, one more per thread that contends) and GLIBC_TUNABLES (glibc.malloc.*:
 * trim_threshold, mmap_threshold, arena_max, ...). */
const char *mf_allocator_settings(void) {
  static char buf[512];
  if (!buf[0]) {
    const char *arenas = getenv("MALLOC_ARENA_MAX"), *tunables = getenv("GLIBC_TUNABLES");
    snprintf(buf, sizeof buf, "MALLOC_ARENA_MAX=%s GLIBC_TUNABLES=%s", arenas ? arenas : "unset(8 per core)",
             tunables ? tunables : "unset");
  }
  return buf;
}

void mf_allocator_release(void) { malloc_trim(0); }
