/* memfem-bench assembly: elements per second of one full assembly (tangent and internal
 * force) at each thread count, and the heap allocations one assembly makes. The same
 * source is timed in every build, so the figures differ only by memory strategy. The
 * FNV-1a hash of the internal force vector is printed in the note: it must agree across
 * builds and thread counts (bit-identical arithmetic).
 *
 * Each thread count times both ways a scatter finds its matrix blocks, alternating
 * repetitions on the same setup: the element-to-matrix offsets made at setup (memfem's
 * way, metric assembly_rate) and a binary search of each row (assembly_rate_search). */
#include <omp.h>
#include <stdio.h>

#include "io/mf_checksum.h"
#include "mem/mf_alloc.h"
#include "mf_bench.h"

static uint64_t fint_hash(const mf_bench_fe *fe) {
  return mf_fnv1a64(MF_FNV1A64_INIT, fe->fint, 3 * (size_t)fe->mesh->nodes.n_local * sizeof(double));
}

/* Set up at `threads` threads, warm up, time o->reps assemblies with offsets into t[]
 * and as many with row searches into ts[]. */
static mf_status run_one(const mf_bench_options *o, int threads, double *t, double *ts, double *allocs_per,
                         double *elems, uint64_t *hash) {
  mf_bench_fe fe;
  mf_status st = mf_bench_fe_create(o->mesh, o->assembly, &fe);
  if (!st) st = mf_assemble(fe.asmb, fe.u, fe.K, fe.fint); /* warm-up: caches, pages, pools */
  mf_alloc_stats a0, a1;
  uint64_t allocs = 0, h_search = 0;
  for (int r = 0; r < o->reps && !st; r++) {
    mf_assembly_set_scatter(fe.asmb, MF_SCATTER_OFFSETS);
    mf_alloc_stats_get(&a0);
    double t0 = omp_get_wtime();
    st = mf_assemble(fe.asmb, fe.u, fe.K, fe.fint);
    t[r] = omp_get_wtime() - t0;
    mf_alloc_stats_get(&a1);
    allocs += a1.allocs - a0.allocs;
    mf_assembly_set_scatter(fe.asmb, MF_SCATTER_SEARCH);
    t0 = omp_get_wtime();
    if (!st) st = mf_assemble(fe.asmb, fe.u, fe.K, fe.fint);
    ts[r] = omp_get_wtime() - t0;
    h_search = fint_hash(&fe);
  }
  if (!st) { /* the offsets' run last, so fint is its result */
    mf_assembly_set_scatter(fe.asmb, MF_SCATTER_OFFSETS);
    st = mf_assemble(fe.asmb, fe.u, fe.K, fe.fint);
  }
  if (!st && fint_hash(&fe) != h_search)
    st = MF_ERROR(MF_ERR_INTERNAL, "assembly: offsets and row searches give different internal forces");
  if (!st) {
    *allocs_per = (double)allocs / o->reps;
    *elems = (double)fe.mesh->n_elems;
    *hash = fint_hash(&fe);
    fprintf(stderr, "assembly: %d threads, %lld nodes, %lld elements\n", threads,
            (long long)fe.mesh->nodes.n_local, (long long)fe.mesh->n_elems);
  }
  mf_bench_fe_destroy(&fe);
  return st;
}

int mf_bench_assembly(const mf_bench_options *o) {
  double *t = NULL, *ts = NULL;
  if (MF_ALLOC_N(t, o->reps, "assembly timings") || MF_ALLOC_N(ts, o->reps, "assembly timings (search)")) {
    mf_error_print();
    mf_free(&t);
    return 1;
  }
  mf_bench_csv_header();
  for (int k = 0; k < o->n_threads; k++) {
    omp_set_num_threads(o->threads[k]);
    mf_spread time, rate, time_s, rate_s;
    double allocs_per = 0, elems = 0;
    uint64_t hash = 0;
    if (run_one(o, o->threads[k], t, ts, &allocs_per, &elems, &hash)) {
      mf_error_print();
      mf_free(&t);
      mf_free(&ts);
      return 1;
    }
    mf_spread allocs = {.n = 1, .median = allocs_per, .min = allocs_per, .max = allocs_per};
    mf_spread_of(t, o->reps, &time);
    mf_bench_rate(&time, elems * 1e-6, &rate);
    mf_spread_of(ts, o->reps, &time_s);
    mf_bench_rate(&time_s, elems * 1e-6, &rate_s);
    char note[96];
    snprintf(note, sizeof note, "%s fint_fnv1a=%016llx elements=%.0f", mf_assembly_method_name(o->assembly),
             (unsigned long long)hash, elems);
    mf_bench_csv_row("assembly", o->mesh, o->threads[k], o->reps, "assembly_rate", "Melem/s", &rate, note);
    mf_bench_csv_row("assembly", o->mesh, o->threads[k], o->reps, "assembly_time", "s", &time, note);
    mf_bench_csv_row("assembly", o->mesh, o->threads[k], o->reps, "allocs_per_assembly", "count", &allocs, note);
    mf_bench_csv_row("assembly", o->mesh, o->threads[k], o->reps, "assembly_rate_search", "Melem/s", &rate_s, note);
    mf_bench_csv_row("assembly", o->mesh, o->threads[k], o->reps, "assembly_time_search", "s", &time_s, note);
  }
  mf_free(&t);
  mf_free(&ts);
  return 0;
}
