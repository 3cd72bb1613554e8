/* Per-iteration memory telemetry (see mf_telemetry.h). */
#include "mem/mf_telemetry.h"

#include <errno.h>
#include <omp.h>
#include <string.h>

#include "mem/mf_alloc.h"
#include "mem/mf_procmem.h"

struct mf_telemetry {
  FILE *csv;
  char path[1024];
  int open;              /* an iteration is open */
  mf_telemetry_row cur;  /* the open iteration */
  mf_alloc_stats at_start;
  double t_start;
  mf_telemetry_summary sum;
};

static const char *csv_header =
    "step,iteration,load_factor,seconds,allocs,alloc_bytes,live_bytes,peak_live_bytes,rss_bytes,hwm_bytes,"
    "vmsize_bytes,allocator_allocated,allocator_active,allocator_resident,allocator_mapped,"
    "allocator_retained,frag_ratio,t_assembly,t_spmv,t_pc,t_vec\n";

mf_status mf_telemetry_open(const char *csv_path, mf_telemetry **out) {
  mf_telemetry *t;
  MF_CALL(MF_CALLOC_N(t, 1, "telemetry"));
  if (csv_path) {
    snprintf(t->path, sizeof t->path, "%s", csv_path);
    t->csv = fopen(csv_path, "w");
    if (!t->csv) {
      mf_status st = MF_ERROR(MF_ERR_IO, "cannot write %s: %s", csv_path, strerror(errno));
      mf_free(&t);
      return st;
    }
    fputs(csv_header, t->csv);
  }
  *out = t;
  return MF_OK;
}

static void put_i64(FILE *f, int64_t v) {
  if (v < 0) fputs(",n/a", f);
  else fprintf(f, ",%lld", (long long)v);
}

static void write_row(FILE *f, const mf_telemetry_row *r) {
  fprintf(f, "%d,%d,%.9g,%.6f,%llu,%llu,%lld,%lld", r->step, r->iteration, r->load_factor, r->seconds,
          (unsigned long long)r->allocs, (unsigned long long)r->alloc_bytes, (long long)r->live_bytes,
          (long long)r->peak_live_bytes);
  put_i64(f, r->rss_bytes);
  put_i64(f, r->hwm_bytes);
  put_i64(f, r->vmsize_bytes);
  put_i64(f, r->alloc.allocated);
  put_i64(f, r->alloc.active);
  put_i64(f, r->alloc.resident);
  put_i64(f, r->alloc.mapped);
  put_i64(f, r->alloc.retained);
  if (r->frag_ratio < 0) fputs(",n/a", f);
  else fprintf(f, ",%.6f", r->frag_ratio);
  fprintf(f, ",%.6f,%.6f,%.6f,%.6f\n", r->times.assembly, r->times.spmv, r->times.pc, r->times.vec);
}

/* Fill the sampled part of a row: process, counting layer, allocator. */
static void sample(mf_telemetry_row *r) {
  mf_alloc_stats a;
  mf_alloc_stats_get(&a);
  r->live_bytes = a.live_bytes;
  r->peak_live_bytes = a.peak_live_bytes;
  mf_procmem pm;
  mf_procmem_read(&pm);
  r->rss_bytes = pm.rss_bytes;
  r->hwm_bytes = pm.hwm_bytes;
  r->vmsize_bytes = pm.vmsize_bytes;
  mf_allocator_stats_read(&r->alloc);
  int64_t resident = r->alloc.resident >= 0 ? r->alloc.resident : r->rss_bytes;
  int64_t live = r->alloc.allocated > 0 ? r->alloc.allocated : r->live_bytes;
  r->frag_ratio = (resident >= 0 && live > 0) ? (double)resident / (double)live : -1.0;
}

static void account(mf_telemetry *t, const mf_telemetry_row *r) {
  mf_telemetry_summary *s = &t->sum;
  if (s->rows == 0) s->first = *r;
  s->rows++;
  s->last = *r;
  s->allocs_in_iterations += r->allocs;
  if (r->iteration == 0 && r->allocs > s->max_allocs_first_iteration) s->max_allocs_first_iteration = r->allocs;
  if (r->iteration > 0 && r->allocs > s->max_allocs_later_iteration) s->max_allocs_later_iteration = r->allocs;
  if (r->peak_live_bytes > s->peak_live_bytes) s->peak_live_bytes = r->peak_live_bytes;
  if (r->rss_bytes > s->peak_rss_bytes) s->peak_rss_bytes = r->rss_bytes;
  if (r->hwm_bytes > s->hwm_bytes) s->hwm_bytes = r->hwm_bytes;
  if (r->frag_ratio > s->max_frag_ratio) s->max_frag_ratio = r->frag_ratio;
  s->last_frag_ratio = r->frag_ratio;
  if (t->csv) write_row(t->csv, r);
}

void mf_telemetry_end(mf_telemetry *t) {
  if (!t || !t->open) return;
  mf_telemetry_row *r = &t->cur;
  mf_alloc_stats a;
  mf_alloc_stats_get(&a);
  r->allocs = a.allocs - t->at_start.allocs;
  r->alloc_bytes = a.alloc_bytes - t->at_start.alloc_bytes;
  r->seconds = omp_get_wtime() - t->t_start;
  sample(r);
  account(t, r);
  t->open = 0;
}

void mf_telemetry_add_times(mf_telemetry *t, const mf_phase_times *pt) {
  if (!t || !t->open) return;
  mf_phase_times_add(&t->cur.times, pt);
}

void mf_telemetry_next(mf_telemetry *t, int step, int iteration, double load_factor) {
  if (!t) return;
  mf_telemetry_end(t);
  memset(&t->cur, 0, sizeof t->cur);
  t->cur.step = step;
  t->cur.iteration = iteration;
  t->cur.load_factor = load_factor;
  mf_alloc_stats_get(&t->at_start);
  t->t_start = omp_get_wtime();
  t->open = 1;
}

void mf_telemetry_sample(mf_telemetry *t, int step, double load_factor) {
  if (!t) return;
  mf_telemetry_end(t);
  mf_telemetry_row r = {.step = step, .iteration = -1, .load_factor = load_factor};
  sample(&r);
  t->sum.last = r;
  if (r.frag_ratio > t->sum.max_frag_ratio) t->sum.max_frag_ratio = r.frag_ratio;
  t->sum.last_frag_ratio = r.frag_ratio;
  if (t->csv) write_row(t->csv, &r);
}

const mf_telemetry_summary *mf_telemetry_get_summary(const mf_telemetry *t) { return &t->sum; }

mf_status mf_telemetry_flush(mf_telemetry *t) {
  if (t && t->csv && (fflush(t->csv) != 0 || ferror(t->csv)))
    return MF_ERROR(MF_ERR_IO, "cannot write %s: %s", t->path, strerror(errno));
  return MF_OK;
}

void mf_telemetry_close(mf_telemetry **tp) {
  mf_telemetry *t = *tp;
  if (!t) return;
  mf_telemetry_end(t);
  if (t->csv) fclose(t->csv);
  mf_free(tp);
}

void mf_telemetry_fprint_bytes(FILE *out, int64_t bytes) {
  if (bytes < 0) fprintf(out, "%10s", "n/a");
  else fprintf(out, "%10.1f", bytes / 1048576.0);
}
