/* Memory report from telemetry.csv (columns as written by mem/mf_telemetry.c). */
#include "io/mf_memory_report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum { C_STEP, C_ITER, C_LF, C_SEC, C_ALLOCS, C_BYTES, C_LIVE, C_PEAK, C_RSS, C_HWM, C_VMSIZE, C_AALLOC,
       C_AACTIVE, C_ARESIDENT, C_AMAPPED, C_ARETAINED, C_FRAG, N_COLS };

static void print_mib(FILE *out, const char *field) {
  if (strcmp(field, "n/a") == 0) fprintf(out, " %9s", "n/a");
  else fprintf(out, " %9.1f", strtod(field, NULL) / 1048576.0);
}

static void print_line(FILE *out, char cols[N_COLS][32], int rows, unsigned long long allocs, double bytes) {
  fprintf(out, "%5s %5d %10llu %9.2f", cols[C_STEP], rows, allocs, bytes / 1048576.0);
  print_mib(out, cols[C_LIVE]);
  print_mib(out, cols[C_RSS]);
  print_mib(out, cols[C_HWM]);
  print_mib(out, cols[C_AALLOC]);
  print_mib(out, cols[C_ARESIDENT]);
  fprintf(out, " %7s\n", cols[C_FRAG]);
}

mf_status mf_memory_report_print(const char *path, FILE *out) {
  FILE *f = fopen(path, "r");
  MF_CHECK(f, MF_ERR_IO, "cannot read %s: %s", path, strerror(errno));
  char line[1024], cols[N_COLS][32], prev[N_COLS][32];
  int have = 0, rows = 0;
  unsigned long long allocs = 0;
  double bytes = 0;
  fprintf(out, "\nmemory by load step (MiB; allocator figures n/a where it has none)\n");
  fprintf(out, "%5s %5s %10s %9s %9s %9s %9s %9s %9s %7s\n", "step", "rows", "allocs", "alloc", "live", "rss",
          "hwm", "alc.alloc", "alc.resid", "frag");
  if (!fgets(line, sizeof line, f)) { fclose(f); return MF_OK; } /* header */
  while (fgets(line, sizeof line, f)) {
    int n = 0;
    for (char *save = NULL, *tok = strtok_r(line, ",\n", &save); tok && n < N_COLS; tok = strtok_r(NULL, ",\n", &save))
      snprintf(cols[n++], sizeof cols[0], "%s", tok);
    if (n != N_COLS) continue;
    if (have && strcmp(cols[C_STEP], prev[C_STEP]) != 0) {
      print_line(out, prev, rows, allocs, bytes);
      rows = 0, allocs = 0, bytes = 0;
    }
    rows += atoi(cols[C_ITER]) >= 0;
    allocs += strtoull(cols[C_ALLOCS], NULL, 10);
    bytes += strtod(cols[C_BYTES], NULL);
    memcpy(prev, cols, sizeof prev);
    have = 1;
  }
  if (have) print_line(out, prev, rows, allocs, bytes);
  fclose(f);
  return MF_OK;
}
