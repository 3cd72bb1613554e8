/* The allocator behind malloc, as chosen at build time (MEMFEM_ALLOCATOR):
 * system (glibc), jemalloc, mimalloc or tcmalloc. One implementation file per choice
 * (mf_allocator_<name>.c) answers the same questions: who really serves malloc, what
 * the allocator's own statistics say, and how to hand freed memory back to the system.
 * Every function here is safe to call inside a Newton iteration: none allocates. */
#ifndef MF_ALLOCATOR_H
#define MF_ALLOCATOR_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  /* Each figure is -1 when this allocator does not provide it ("n/a" in reports). */
  int64_t allocated; /* bytes in live allocations, as the allocator counts them */
  int64_t active;    /* bytes in pages holding live allocations */
  int64_t resident;  /* bytes of the allocator's memory resident in RAM */
  int64_t mapped;    /* bytes mapped from the OS */
  int64_t retained;  /* bytes kept mapped-but-unused for reuse (jemalloc) */
} mf_allocator_stats;

/* The allocator this binary was built for: "system", "jemalloc", "mimalloc", "tcmalloc". */
const char *mf_allocator_name(void);
/* The shared object that serves malloc at run time (dladdr of dlsym(RTLD_DEFAULT,
 * "malloc")), e.g. "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"; "unknown" if not found. */
const char *mf_allocator_serving(void);
/* 1 when the library serving malloc is the one this build links (for "system": libc). */
int mf_allocator_verified(void);
/* Fill the allocator's own figures (refreshing its statistics first, e.g. jemalloc's
 * epoch). Figures it does not have are -1. */
void mf_allocator_stats_read(mf_allocator_stats *st);
/* The allocator's tunables that decide when freed memory goes back to the system, as
 * this run has them (environment and library defaults), in one line, e.g.
 * "dirty_decay_ms=10000 muzzy_decay_ms=0 narenas=8 thp=default MALLOC_CONF=unset".
 * Computed once into a static buffer. */
const char *mf_allocator_settings(void);
/* Hand freed memory back to the system: glibc malloc_trim(0), jemalloc
 * arena.<all>.purge, mimalloc mi_collect(true), tcmalloc ReleaseFreeMemory. */
void mf_allocator_release(void);

#endif
