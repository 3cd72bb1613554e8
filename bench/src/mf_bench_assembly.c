/* memfem-bench assembly: elements per second of one full assembly (tangent and internal
 * force) at each thread count, and the heap allocations one assembly makes. The same
 * source is timed in every build, so the figures differ only by memory strategy. The
 * FNV-1a hash of the internal force vector is printed in the note: it must agree across
 * builds and thread counts (bit-identical arithmetic). */
#include <omp.h>
#include <stdio.h>

#include "io/mf_checksum.h"
#include "mem/mf_alloc.h"
#include "mf_bench.h"

/* Set up at `threads` threads, warm up, time o->reps assemblies into t[]. */
static mf_status run_one(const mf_bench_options *o, int threads, double *t, double *allocs_per, double *elems,
                         uint64_t *hash) {
  mf_bench_fe fe;
  mf_status st = mf_bench_fe_create(o->mesh, o->assembly, &fe);
  if (!st) st = mf_assemble(fe.asmb, fe.u, fe.K, fe.fint); /* warm-up: caches, pages, pools */
  mf_alloc_stats a0, a1;
  mf_alloc_stats_get(&a0);
  for (int r = 0; r < o->reps && !st; r++) {
    double t0 = omp_get_wtime();
    st = mf_assemble(fe.asmb, fe.u, fe.K, fe.fint);
    t[r] = omp_get_wtime() - t0;
  }
  mf_alloc_stats_get(&a1);
  if (!st) {
    *allocs_per = (double)(a1.allocs - a0.allocs) / o->reps;
    *elems = (double)fe.mesh->n_elems;
    *hash = mf_fnv1a64(MF_FNV1A64_INIT, fe.fint, 3 * (size_t)fe.mesh->nodes.n_local * sizeof(double));
    fprintf(stderr, "assembly: %d threads, %lld nodes, %lld elements\n", threads,
            (long long)fe.mesh->nodes.n_local, (long long)fe.mesh->n_elems);
  }
  mf_bench_fe_destroy(&fe);
  return st;
}

int mf_bench_assembly(const mf_bench_options *o) {
  double *t = NULL;
  if (MF_ALLOC_N(t, o->reps, "assembly timings")) {
    mf_error_print();
    return 1;
  }
  mf_bench_csv_header();
  for (int k = 0; k < o->n_threads; k++) {
    omp_set_num_threads(o->threads[k]);
    mf_spread time, rate;
    double allocs_per = 0, elems = 0;
    uint64_t hash = 0;
    if (run_one(o, o->threads[k], t, &allocs_per, &elems, &hash)) {
      mf_error_print();
      mf_free(&t);
      return 1;
    }
    mf_spread allocs = {.n = 1, .median = allocs_per, .min = allocs_per, .max = allocs_per};
    mf_spread_of(t, o->reps, &time);
    mf_bench_rate(&time, elems * 1e-6, &rate);
    char note[96];
    snprintf(note, sizeof note, "%s fint_fnv1a=%016llx elements=%.0f", mf_assembly_method_name(o->assembly),
             (unsigned long long)hash, elems);
    mf_bench_csv_row("assembly", o->mesh, o->threads[k], o->reps, "assembly_rate", "Melem/s", &rate, note);
    mf_bench_csv_row("assembly", o->mesh, o->threads[k], o->reps, "assembly_time", "s", &time, note);
    mf_bench_csv_row("assembly", o->mesh, o->threads[k], o->reps, "allocs_per_assembly", "count", &allocs, note);
  }
  mf_free(&t);
  return 0;
}
