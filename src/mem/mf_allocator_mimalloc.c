/* MEMFEM_ALLOCATOR=mimalloc: Debian's libmimalloc (2.0.x), linked so that it serves malloc.
 *
 * Debian's libmimalloc.so exports malloc/free itself (built with MI_OVERRIDE), so linking
 * it is enough. Its figures are few: mimalloc's release build keeps no count of live
 * bytes (the malloc/normal/huge counters of mi_stats_print exist only with MI_STAT > 1)
 * and exports no statistics structure, only mi_process_info():
 *   allocated = -1             no counter in a release build of mimalloc
 *   active    = -1             likewise (page counters are MI_STAT > 1 too)
 *   resident  = -1             mi_process_info's "current RSS" is, on Linux, a copy of
 *                              the commit figure, not RSS (memfem reads /proc itself)
 *   mapped    = current_commit bytes mimalloc has committed from the OS: its segments and
 *                              huge blocks, free space in them included
 *   retained  = -1             reserved-but-decommitted space is not reported
 * mi_process_info only reads counters and calls getrusage; it does not allocate. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <mimalloc.h>

#include "mem/mf_allocator.h"
#include "mem/mf_allocator_serving.h"

const char *mf_allocator_name(void) { return "mimalloc"; }

const char *mf_allocator_serving(void) { return mf_serving_get(); }

int mf_allocator_verified(void) { return strstr(mf_serving_basename(), "mimalloc") != NULL; }

void mf_allocator_stats_read(mf_allocator_stats *st) {
  *st = (mf_allocator_stats){-1, -1, -1, -1, -1};
  size_t elapsed, user, sys, rss, peak_rss, commit, peak_commit, faults;
  mi_process_info(&elapsed, &user, &sys, &rss, &peak_rss, &commit, &peak_commit, &faults);
  st->mapped = (int64_t)commit;
}

/* mimalloc 2.0 decommits freed pages after decommit_delay ms (segments after
 * segment_decommit_delay); the MIMALLOC_<OPTION> environment variables override. */
const char *mf_allocator_settings(void) {
  static char buf[512];
  if (!buf[0])
    snprintf(buf, sizeof buf, "allow_decommit=%ld decommit_delay=%ld segment_decommit_delay=%ld eager_commit=%ld",
             mi_option_get(mi_option_allow_decommit), mi_option_get(mi_option_decommit_delay),
             mi_option_get(mi_option_segment_decommit_delay), mi_option_get(mi_option_eager_commit));
  return buf;
}

/* mi_collect(true): "aggressively return memory to the OS". It collects the calling
 * thread's heap (plus abandoned segments and mimalloc's segment cache), not the heaps of
 * other threads, which collect their own as they allocate. */
void mf_allocator_release(void) { mi_collect(true); }
