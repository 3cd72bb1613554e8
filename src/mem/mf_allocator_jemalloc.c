/* MEMFEM_ALLOCATOR=jemalloc: Debian's libjemalloc, linked so that it serves malloc.
 *
 * Debian builds jemalloc without a symbol prefix, so linking it replaces malloc/free and
 * its control interface is plain mallctl(). Statistics are jemalloc's own, as its manual
 * defines them:
 *   allocated  stats.allocated  bytes in live allocations
 *   active     stats.active     bytes in pages holding live allocations (>= allocated)
 *   resident   stats.resident   bytes in physically resident data pages, metadata
 *                               included (>= active)
 *   mapped     stats.mapped     bytes in extents mapped by the allocator (>= active)
 *   retained   stats.retained   address space kept instead of unmapped: its pages went
 *                               back to the system (no RSS) and it is not part of mapped
 * The stats.* values are a snapshot taken when "epoch" is written, so each read writes
 * it first. They exist only when jemalloc was built with statistics (config.stats, on in
 * Debian's build); without them every figure is -1. mallctl never calls malloc: jemalloc
 * keeps its control tree in its own base allocator. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <jemalloc/jemalloc.h>

#include "mem/mf_allocator.h"
#include "mem/mf_allocator_serving.h"

#define MF_STR_(x) #x
#define MF_STR(x) MF_STR_(x)

const char *mf_allocator_name(void) { return "jemalloc"; }

const char *mf_allocator_serving(void) { return mf_serving_get(); }

int mf_allocator_verified(void) { return strstr(mf_serving_basename(), "jemalloc") != NULL; }

/* One size_t statistic, or -1 where jemalloc does not have it. */
static int64_t read_size(const char *name) {
  size_t v = 0, len = sizeof v;
  return mallctl(name, &v, &len, NULL, 0) == 0 ? (int64_t)v : -1;
}

void mf_allocator_stats_read(mf_allocator_stats *st) {
  *st = (mf_allocator_stats){-1, -1, -1, -1, -1};
  bool have_stats = false;
  size_t blen = sizeof have_stats;
  if (mallctl("config.stats", &have_stats, &blen, NULL, 0) != 0 || !have_stats) return;
  uint64_t epoch = 1;
  size_t elen = sizeof epoch;
  if (mallctl("epoch", &epoch, &elen, &epoch, elen) != 0) return;
  st->allocated = read_size("stats.allocated");
  st->active = read_size("stats.active");
  st->resident = read_size("stats.resident");
  st->mapped = read_size("stats.mapped");
  st->retained = read_size("stats.retained");
}

/* Decay decides how long freed pages stay resident before jemalloc purges them (dirty:
 * still mapped and resident; muzzy: MADV_FREE'd, reclaimable by the kernel), so it
 * decides how soon RSS falls after a phase frees memory. MALLOC_CONF overrides. */
const char *mf_allocator_settings(void) {
  static char buf[512];
  if (!buf[0]) {
    ssize_t dirty = -1, muzzy = -1;
    unsigned narenas = 0;
    const char *thp = "n/a";
    size_t len = sizeof dirty;
    mallctl("opt.dirty_decay_ms", &dirty, &len, NULL, 0);
    len = sizeof muzzy;
    mallctl("opt.muzzy_decay_ms", &muzzy, &len, NULL, 0);
    len = sizeof narenas;
    mallctl("opt.narenas", &narenas, &len, NULL, 0);
    len = sizeof thp;
    mallctl("opt.thp", &thp, &len, NULL, 0);
    const char *conf = getenv("MALLOC_CONF");
    snprintf(buf, sizeof buf, "dirty_decay_ms=%zd muzzy_decay_ms=%zd narenas=%u thp=%s MALLOC_CONF=%s", dirty,
             muzzy, narenas, thp, conf ? conf : "unset");
  }
  return buf;
}

/* Purge every arena's unused dirty and muzzy pages now instead of when decay gets to
 * them (MALLCTL_ARENAS_ALL addresses all arenas at once). */
void mf_allocator_release(void) {
  mallctl("arena." MF_STR(MALLCTL_ARENAS_ALL) ".purge", NULL, NULL, NULL, 0);
}
