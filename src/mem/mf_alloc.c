/* Counting, aligned allocation layer (see mf_alloc.h). */
#include "mem/mf_alloc.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "core/mf_types.h"

#define MF_ALLOC_SLOTS 256 /* threads with their own counters; others share the last slot */

typedef struct {
  mf_alloc_stats s;
  char pad[MF_ALIGN - sizeof(mf_alloc_stats) % MF_ALIGN];
} mf_alloc_slot;

static mf_alloc_slot slots[MF_ALLOC_SLOTS] __attribute__((aligned(MF_ALIGN)));

/* The 16 bytes before each block handed out. */
typedef struct {
  size_t bytes;
  uint64_t magic;
} mf_alloc_header;

#define MF_MAGIC_ALIGNED 0x6d66616c69676e21ULL
#define MF_MAGIC_PLAIN 0x6d66706c61696e21ULL
#define MF_ALIGNED_OFFSET MF_ALIGN /* aligned blocks start one cache line into the raw block */

static mf_alloc_stats *slot_for_thread(int *shared) {
  int t = omp_get_thread_num();
  if (omp_get_level() > 1 || t >= MF_ALLOC_SLOTS - 1) {
    *shared = 1;
    return &slots[MF_ALLOC_SLOTS - 1].s;
  }
  *shared = 0;
  return &slots[t].s;
}

static void count(int64_t bytes, int is_alloc) {
  int shared;
  mf_alloc_stats *s = slot_for_thread(&shared);
  if (shared) {
#pragma omp critical(mf_alloc_shared)
    {
      if (is_alloc) { s->allocs++; s->alloc_bytes += (uint64_t)bytes; } else s->frees++;
      s->live_bytes += is_alloc ? bytes : -bytes;
      if (s->live_bytes > s->peak_live_bytes) s->peak_live_bytes = s->live_bytes;
    }
    return;
  }
  if (is_alloc) { s->allocs++; s->alloc_bytes += (uint64_t)bytes; } else s->frees++;
  s->live_bytes += is_alloc ? bytes : -bytes;
  if (s->live_bytes > s->peak_live_bytes) s->peak_live_bytes = s->live_bytes;
}

static mf_status too_big(size_t bytes, const char *what) {
  return MF_ERROR(MF_ERR_MEMORY, "cannot allocate %zu bytes for %s", bytes, what);
}

mf_status mf_malloc(size_t bytes, const char *what, void *ptr) {
  void **out = (void **)ptr;
  *out = NULL;
  if (bytes == 0) return MF_OK;
  if (bytes > SIZE_MAX - 2 * MF_ALIGNED_OFFSET) return too_big(bytes, what);
  size_t total = MF_ALIGNED_OFFSET + (bytes + MF_ALIGN - 1) / MF_ALIGN * MF_ALIGN;
  char *raw = aligned_alloc(MF_ALIGN, total);
  if (!raw) return MF_ERROR(MF_ERR_MEMORY, "out of memory allocating %zu bytes for %s", bytes, what);
  char *p = raw + MF_ALIGNED_OFFSET;
  *(mf_alloc_header *)(p - sizeof(mf_alloc_header)) = (mf_alloc_header){bytes, MF_MAGIC_ALIGNED};
  count((int64_t)bytes, 1);
  *out = p;
  return MF_OK;
}

mf_status mf_malloc_plain(size_t bytes, const char *what, void *ptr) {
  void **out = (void **)ptr;
  *out = NULL;
  if (bytes == 0) return MF_OK;
  if (bytes > SIZE_MAX - sizeof(mf_alloc_header)) return too_big(bytes, what);
  char *raw = malloc(sizeof(mf_alloc_header) + bytes);
  if (!raw) return MF_ERROR(MF_ERR_MEMORY, "out of memory allocating %zu bytes for %s", bytes, what);
  *(mf_alloc_header *)raw = (mf_alloc_header){bytes, MF_MAGIC_PLAIN};
  count((int64_t)bytes, 1);
  *out = raw + sizeof(mf_alloc_header);
  return MF_OK;
}

mf_status mf_calloc(size_t count_, size_t size, const char *what, void *ptr) {
  if (size && count_ > SIZE_MAX / size)
    return MF_ERROR(MF_ERR_MEMORY, "cannot allocate %zu x %zu bytes for %s", count_, size, what);
  MF_CALL(mf_malloc(count_ * size, what, ptr));
  void *p = *(void **)ptr;
  if (p) memset(p, 0, count_ * size);
  return MF_OK;
}

void mf_free(void *ptr) {
  void **pp = (void **)ptr;
  if (!pp || !*pp) return;
  char *p = *pp;
  mf_alloc_header *h = (mf_alloc_header *)(p - sizeof(mf_alloc_header));
  count((int64_t)h->bytes, 0);
  uint64_t magic = h->magic;
  h->magic = 0; /* a second free of the same block is no longer recognised */
  free(magic == MF_MAGIC_PLAIN ? p - sizeof(mf_alloc_header) : p - MF_ALIGNED_OFFSET);
  *pp = NULL;
}

void mf_alloc_stats_get(mf_alloc_stats *out) {
  memset(out, 0, sizeof *out);
  for (int i = 0; i < MF_ALLOC_SLOTS; i++) {
    const mf_alloc_stats *s = &slots[i].s;
    out->allocs += s->allocs;
    out->frees += s->frees;
    out->alloc_bytes += s->alloc_bytes;
    out->live_bytes += s->live_bytes;
    out->peak_live_bytes += s->peak_live_bytes;
  }
  /* Per-thread peaks can exceed the true peak when threads free each other's blocks;
   * the live total is exact. Never report a peak below the current live figure. */
  if (out->peak_live_bytes < out->live_bytes) out->peak_live_bytes = out->live_bytes;
}
