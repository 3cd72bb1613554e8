/* MEMFEM_ALLOCATOR=tcmalloc: gperftools' tcmalloc_minimal (Debian: libgoogle-perftools-dev),
 * linked so that it serves malloc.
 *
 * Figures come from MallocExtension's numeric properties (each a strcmp and a read of
 * counters under tcmalloc's page-heap lock; no allocation). Mapping, chosen so that the
 * figures mean what jemalloc's do:
 *   allocated = generic.current_allocated_bytes            bytes in live allocations
 *   active    = heap_size - pageheap_free - pageheap_unmapped
 *                                                          bytes in spans in use: live
 *                                                          objects plus free objects held
 *                                                          in thread/central caches
 *   resident  = generic.total_physical_bytes               tcmalloc's estimate: mapped
 *                                                          heap plus its metadata
 *   mapped    = generic.heap_size - pageheap_unmapped      heap pages still backed
 *   retained  = tcmalloc.pageheap_unmapped_bytes           address space kept after its
 *                                                          pages went back to the OS
 * generic.heap_size itself counts the unmapped bytes; like jemalloc's stats.mapped,
 * mapped here leaves that retained space out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gperftools/malloc_extension_c.h>

#include "mem/mf_allocator.h"
#include "mem/mf_allocator_serving.h"

const char *mf_allocator_name(void) { return "tcmalloc"; }

const char *mf_allocator_serving(void) { return mf_serving_get(); }

int mf_allocator_verified(void) { return strstr(mf_serving_basename(), "tcmalloc") != NULL; }

/* One property, or -1 where this tcmalloc does not know it. */
static int64_t property(const char *name) {
  size_t v = 0;
  return MallocExtension_GetNumericProperty(name, &v) ? (int64_t)v : -1;
}

void mf_allocator_stats_read(mf_allocator_stats *st) {
  int64_t heap = property("generic.heap_size");
  int64_t free_pages = property("tcmalloc.pageheap_free_bytes");
  int64_t unmapped = property("tcmalloc.pageheap_unmapped_bytes");
  st->allocated = property("generic.current_allocated_bytes");
  st->resident = property("generic.total_physical_bytes");
  st->active = heap >= 0 && free_pages >= 0 && unmapped >= 0 ? heap - free_pages - unmapped : -1;
  st->mapped = heap >= 0 && unmapped >= 0 ? heap - unmapped : -1;
  st->retained = unmapped;
}

/* tcmalloc returns free page-heap pages to the OS gradually, at TCMALLOC_RELEASE_RATE
 * (default 1; 0 never), and caches up to max_total_thread_cache_bytes in threads. */
const char *mf_allocator_settings(void) {
  static char buf[512];
  if (!buf[0]) {
    const char *rate = getenv("TCMALLOC_RELEASE_RATE");
    snprintf(buf, sizeof buf, "TCMALLOC_RELEASE_RATE=%s max_total_thread_cache_bytes=%lld",
             rate ? rate : "unset(1)", (long long)property("tcmalloc.max_total_thread_cache_bytes"));
  }
  return buf;
}

/* Return every free page-heap page to the OS (madvise DONTNEED); objects cached in the
 * thread and central caches stay. */
void mf_allocator_release(void) { MallocExtension_ReleaseFreeMemory(); }
