/* memfem-bench: microbenchmarks of the kernels whose speed the memory strategy decides
 * (issue 6). The program is built in every preset, so one run measures one variant;
 * scripts compare variants by running each build's copy on the same work.
 *
 *   assembly  elements per second of the tangent + internal force assembly
 *   cg        SpMV and fixed-iteration PCG bandwidth against a STREAM triad measured by
 *             the same process
 *   iterate   one pass over N records stored flat versus one heap block per record
 *   dist-cg   PCG across MPI processes (ranks x threads), MPI builds only
 *
 * Output is CSV on stdout, one row per figure, in long form:
 *   bench,variant,case,threads,reps,metric,unit,median,min,max,note
 * so that rows of all benchmarks and builds concatenate into one table. Every figure is
 * the median and min-max of `reps` timed repetitions after one untimed warm-up. Progress
 * and errors go to stderr. Nothing here passes or fails on time. */
#ifndef MF_BENCH_H
#define MF_BENCH_H

#include "core/mf_error.h"
#include "core/mf_spread.h"
#include "fem/mf_assemble.h"

#define MF_BENCH_MAX_THREAD_COUNTS 16

typedef struct {
  const char *mesh;        /* generator spec or mesh file */
  int threads[MF_BENCH_MAX_THREAD_COUNTS], n_threads;
  int reps;
  mf_assembly_method assembly;
  int iters;               /* cg: SpMVs per timed repetition and CG iterations per solve */
  long stream_mb;          /* cg: STREAM array size (0: the default, 4x the last-level cache) */
  long nodes;              /* iterate: records */
  int record_bytes;        /* iterate: payload bytes per record */
  int overlap;             /* dist-cg: 1 the product overlaps the ghost exchange, 0 waits for it */
} mf_bench_options;

void mf_bench_csv_header(void);
/* One CSV row; `sp` holds the figure's median, min and max. */
void mf_bench_csv_row(const char *bench, const char *case_name, int threads, int reps, const char *metric,
                      const char *unit, const mf_spread *sp, const char *note);
/* Rates from times: median = work / median time, min = work / max time, max = work / min time. */
void mf_bench_rate(const mf_spread *t, double work, mf_spread *rate);

/* A finite-element problem ready for assembly: mesh (RCM-renumbered, as memfem runs),
 * one neo-Hookean material everywhere, block-CSR tangent, assembly plan and a smooth
 * displacement field (1% stretch with shear) at which every element does full work. */
typedef struct {
  mf_mesh *mesh;
  mf_material *mat;
  mf_bcsr *K;
  mf_assembly *asmb;
  double *u, *fint;
} mf_bench_fe;

/* Built at the current OpenMP thread count, so that first touch follows it. */
mf_status mf_bench_fe_create(const char *mesh_spec, mf_assembly_method method, mf_bench_fe *fe);
void mf_bench_fe_destroy(mf_bench_fe *fe);
/* Assemble the tangent at fe->u and add 1e-3 of its mean diagonal to the diagonal: a
 * positive definite system (the rigid-body null space removed) on which CG runs a fixed
 * number of iterations without converging early. */
mf_status mf_bench_fe_shifted_tangent(mf_bench_fe *fe);

int mf_bench_assembly(const mf_bench_options *o);
int mf_bench_cg(const mf_bench_options *o);
int mf_bench_iterate(const mf_bench_options *o);
/* dist-cg: the cg bench's PCG across MPI processes (builds with MEMFEM_MPI; run under
 * mpiexec); per-iteration time and its product, preconditioner and vector shares, the
 * slowest rank's, at one thread count. */
int mf_bench_dist_cg(const mf_bench_options *o, int *argc, char ***argv);

#endif
