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

const char *mf_procmem_thp_mode(void) {
  static char mode[32];
  if (mode[0]) return mode;
  strcpy(mode, "n/a");
  char buf[128];
  int fd = open("/sys/kernel/mm/transparent_hugepage/enabled", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return mode;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  buf[n > 0 ? n : 0] = '\0';
  const char *open_b = strchr(buf, '['), *close_b = open_b ? strchr(open_b, ']') : NULL;
  if (open_b && close_b && close_b - open_b - 1 < (ssize_t)sizeof mode) {
    memcpy(mode, open_b + 1, (size_t)(close_b - open_b - 1));
    mode[close_b - open_b - 1] = '\0';
  }
  return mode;
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
