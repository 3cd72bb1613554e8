/* Process memory as the kernel sees it (/proc/self/status): resident set, its peak
 * (high-water mark) and virtual size, in bytes. Fields that cannot be read are -1. */
#ifndef MF_PROCMEM_H
#define MF_PROCMEM_H

#include <stdint.h>

typedef struct {
  int64_t rss_bytes, hwm_bytes, vmsize_bytes;
} mf_procmem;

void mf_procmem_read(mf_procmem *pm);
/* The transparent huge page mode (/sys/kernel/mm/transparent_hugepage/enabled: the
 * bracketed word, "always", "madvise" or "never"; "n/a" when unreadable), computed once. */
const char *mf_procmem_thp_mode(void);

#endif
