/* memfem-bench: command line, CSV output and the shared finite-element setup. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mf_build_info.h"
#include "io/mf_mesh_load.h"
#include "mem/mf_alloc.h"
#include "mesh/mf_reorder.h"
#include "mf_bench.h"

static const char usage[] =
    "usage: memfem-bench assembly|cg|iterate [options]\n"
    "       mpiexec -n R memfem-bench dist-cg [options]   (MPI builds)\n"
    "  --mesh SPEC        mesh file or generator spec      (default box:1x1x1:48x48x48)\n"
    "  --threads LIST     thread counts, e.g. 1,2,max      (default 1,max)\n"
    "  --reps R           timed repetitions                (default 5)\n"
    "  --assembly M       colour or blocks                 (default blocks)\n"
    "  --iters K          cg: SpMVs per repetition and CG iterations per solve (default 50)\n"
    "  --stream-mb MB     cg: STREAM array size            (default 4x last-level cache)\n"
    "  --nodes N          iterate: records                 (default 8000000)\n"
    "  --record-bytes B   iterate: payload per record, a multiple of 8 (default 24)\n"
    "  --overlap 0|1      dist-cg: 1 the product overlaps the ghost exchange, 0 waits for it (default 1)\n";

void mf_bench_csv_header(void) { puts("bench,variant,case,threads,reps,metric,unit,median,min,max,note"); }

void mf_bench_csv_row(const char *bench, const char *case_name, int threads, int reps, const char *metric,
                      const char *unit, const mf_spread *sp, const char *note) {
  const mf_build_info *b = mf_build_info_get();
  printf("%s,%s-%s-%s,%s,%d,%d,%s,%s,%.6g,%.6g,%.6g,%s\n", bench, b->scratch, b->layout, b->allocator, case_name,
         threads, reps, metric, unit, sp->median, sp->min, sp->max, note ? note : "");
  fflush(stdout);
}

void mf_bench_rate(const mf_spread *t, double work, mf_spread *rate) {
  rate->n = t->n;
  rate->median = work / t->median;
  rate->min = work / t->max;
  rate->max = work / t->min;
}

mf_status mf_bench_fe_create(const char *mesh_spec, mf_assembly_method method, mf_bench_fe *fe) {
  memset(fe, 0, sizeof *fe);
  MF_CALL(mf_mesh_load(mesh_spec, &fe->mesh));
  MF_CALL(mf_mesh_reorder(fe->mesh, MF_REORDER_RCM));
  const mf_idx n = fe->mesh->nodes.n_local;
  MF_CALL(MF_CALLOC_N(fe->mat, fe->mesh->n_groups + 1, "bench materials"));
  for (int r = 0; r <= fe->mesh->n_groups; r++)
    MF_CALL(mf_material_from_E_nu(MF_MAT_NEO_HOOKEAN, 1000.0, 0.3, &fe->mat[r]));
  MF_CALL(mf_assembly_create(fe->mesh, mf_shape_of(fe->mesh->elem->type), fe->mat, method, &fe->asmb));
  MF_CALL(mf_bcsr_create_from_mesh(fe->mesh, 3, 0, &fe->K));
  MF_CALL(mf_assembly_bind(fe->asmb, fe->K));
  MF_CALL(MF_ALLOC_N(fe->u, 3 * (size_t)n, "bench displacement"));
  MF_CALL(MF_ALLOC_N(fe->fint, 3 * (size_t)n, "bench internal force"));
  const mf_nodes *ns = &fe->mesh->nodes;
#pragma omp parallel for schedule(static)
  for (mf_idx i = 0; i < n; i++) {
    double X[3];
    mf_nodes_coords(ns, i, X);
    fe->u[3 * i + 0] = 0.01 * X[0] + 0.005 * X[1];
    fe->u[3 * i + 1] = -0.003 * X[1];
    fe->u[3 * i + 2] = -0.003 * X[2];
    fe->fint[3 * i + 0] = fe->fint[3 * i + 1] = fe->fint[3 * i + 2] = 0.0;
  }
  return MF_OK;
}

mf_status mf_bench_fe_shifted_tangent(mf_bench_fe *fe) {
  mf_bcsr *K = fe->K;
  const mf_idx n = K->n_rows;
  MF_CALL(mf_assemble(fe->asmb, fe->u, K, fe->fint));
  double diag = 0.0;
  for (mf_idx i = 0; i < n; i++) {
    const double *d = K->val + 9 * K->diag[i];
    diag += d[0] + d[4] + d[8];
  }
  const double shift = 1e-3 * diag / (3.0 * n);
  for (mf_idx i = 0; i < n; i++) {
    double *d = K->val + 9 * K->diag[i];
    d[0] += shift, d[4] += shift, d[8] += shift;
  }
  return MF_OK;
}

void mf_bench_fe_destroy(mf_bench_fe *fe) {
  mf_free(&fe->u);
  mf_free(&fe->fint);
  mf_assembly_destroy(&fe->asmb);
  mf_bcsr_destroy(&fe->K);
  mf_free(&fe->mat);
  mf_mesh_destroy(&fe->mesh);
}

static int parse_long(const char *flag, const char *s, long lo, long hi, long *v) {
  char *end;
  long x = s ? strtol(s, &end, 10) : 0;
  if (!s || *s == '\0' || *end != '\0' || x < lo || x > hi) {
    fprintf(stderr, "memfem-bench: error: %s expects an integer from %ld to %ld, got '%s'\n", flag, lo, hi,
            s ? s : "");
    return -1;
  }
  *v = x;
  return 0;
}

/* "1,2,max": max is omp_get_max_threads() (OMP_NUM_THREADS or the cores). */
static int parse_threads(const char *s, mf_bench_options *o) {
  char buf[256];
  if (!s || strlen(s) >= sizeof buf) {
    fprintf(stderr, "memfem-bench: error: --threads expects a list such as 1,2,max\n");
    return -1;
  }
  strcpy(buf, s);
  o->n_threads = 0;
  for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    long t;
    if (o->n_threads == MF_BENCH_MAX_THREAD_COUNTS) {
      fprintf(stderr, "memfem-bench: error: --threads lists at most %d counts\n", MF_BENCH_MAX_THREAD_COUNTS);
      return -1;
    }
    if (strcmp(tok, "max") == 0) t = omp_get_max_threads();
    else if (parse_long("--threads", tok, 1, 4096, &t)) return -1;
    o->threads[o->n_threads++] = (int)t;
  }
  if (o->n_threads == 0) {
    fprintf(stderr, "memfem-bench: error: --threads expects a list such as 1,2,max\n");
    return -1;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    fputs(usage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  mf_bench_options o = {.mesh = "box:1x1x1:48x48x48", .reps = 5, .assembly = MF_ASSEMBLY_BLOCKS, .iters = 50,
                        .nodes = 8000000, .record_bytes = 24, .overlap = 1};
  if (parse_threads("1,max", &o)) return 2;
  for (int i = 2; i < argc; i++) {
    const char *flag = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    long x = 0;
    int bad = 0;
    if (!v) {
      fprintf(stderr, "memfem-bench: error: %s needs a value\n%s", flag, usage);
      return 2;
    }
    if (strcmp(flag, "--mesh") == 0) o.mesh = v;
    else if (strcmp(flag, "--threads") == 0) bad = parse_threads(v, &o);
    else if (strcmp(flag, "--reps") == 0) bad = parse_long(flag, v, 1, 1000, &x), o.reps = (int)x;
    else if (strcmp(flag, "--iters") == 0) bad = parse_long(flag, v, 1, 100000, &x), o.iters = (int)x;
    else if (strcmp(flag, "--stream-mb") == 0) bad = parse_long(flag, v, 1, 65536, &o.stream_mb);
    else if (strcmp(flag, "--nodes") == 0) bad = parse_long(flag, v, 1000, 1000000000, &o.nodes);
    else if (strcmp(flag, "--overlap") == 0) bad = parse_long(flag, v, 0, 1, &x), o.overlap = (int)x;
    else if (strcmp(flag, "--record-bytes") == 0) {
      bad = parse_long(flag, v, 8, 4096, &x), o.record_bytes = (int)x;
      if (!bad && x % 8) {
        fprintf(stderr, "memfem-bench: error: --record-bytes must be a multiple of 8, got %ld\n", x);
        bad = 1;
      }
    } else if (strcmp(flag, "--assembly") == 0) {
      if (mf_assembly_method_parse(v, &o.assembly) != 0) {
        fprintf(stderr, "memfem-bench: error: --assembly expects colour or blocks, got '%s'\n", v);
        bad = 1;
      }
    } else {
      fprintf(stderr, "memfem-bench: error: unknown argument '%s'\n%s", flag, usage);
      return 2;
    }
    if (bad) return 2;
    i++;
  }
  if (strcmp(argv[1], "assembly") == 0) return mf_bench_assembly(&o);
  if (strcmp(argv[1], "cg") == 0) return mf_bench_cg(&o);
  if (strcmp(argv[1], "iterate") == 0) return mf_bench_iterate(&o);
  if (strcmp(argv[1], "dist-cg") == 0) return mf_bench_dist_cg(&o, &argc, &argv);
  fprintf(stderr, "memfem-bench: error: unknown benchmark '%s'\n%s", argv[1], usage);
  return 2;
}
