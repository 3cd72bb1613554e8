/* --memory-report: a readable table, one line per load step, made from telemetry.csv
 * (the last row of each step, with the step's allocation counts summed). */
#ifndef MF_MEMORY_REPORT_H
#define MF_MEMORY_REPORT_H

#include <stdio.h>

#include "core/mf_error.h"

mf_status mf_memory_report_print(const char *telemetry_csv, FILE *out);

#endif
