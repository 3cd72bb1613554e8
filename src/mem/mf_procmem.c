#include "mem/mf_procmem.h"

#include <stdio.h>
#include <string.h>

void mf_procmem_read(mf_procmem *pm) {
  pm->rss_bytes = pm->hwm_bytes = pm->vmsize_bytes = -1;
  FILE *f = fopen("/proc/self/status", "r");
  if (!f) return;
  char line[256];
  long long kb;
  while (fgets(line, sizeof line, f)) {
    if (sscanf(line, "VmRSS: %lld kB", &kb) == 1) pm->rss_bytes = kb * 1024;
    else if (sscanf(line, "VmHWM: %lld kB", &kb) == 1) pm->hwm_bytes = kb * 1024;
    else if (sscanf(line, "VmSize: %lld kB", &kb) == 1) pm->vmsize_bytes = kb * 1024;
  }
  fclose(f);
}
