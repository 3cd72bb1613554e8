/* /proc/self/status reader. It runs every Newton iteration, so it allocates nothing:
 * open/read into a stack buffer rather than stdio (fopen mallocs its buffer). */
#include "mem/mf_procmem.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int64_t field_kb(const char *text, const char *key) {
  const char *p = strstr(text, key);
  if (!p) return -1;
  return strtoll(p + strlen(key), NULL, 10) * 1024;
}

void mf_procmem_read(mf_procmem *pm) {
  pm->rss_bytes = pm->hwm_bytes = pm->vmsize_bytes = -1;
  char buf[4096];
  int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ssize_t n, len = 0;
  while (len < (ssize_t)sizeof buf - 1 && (n = read(fd, buf + len, sizeof buf - 1 - (size_t)len)) > 0) len += n;
  close(fd);
  buf[len] = '\0';
  pm->rss_bytes = field_kb(buf, "\nVmRSS:");
  pm->hwm_bytes = field_kb(buf, "\nVmHWM:");
  pm->vmsize_bytes = field_kb(buf, "\nVmSize:");
}
