/* The memfem command: run a case, describe a mesh, print the build. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/mf_stream_cmd.h"
#include "core/mf_build_info.h"
#include "core/mf_error.h"
#include "core/mf_limits.h"
#include "io/mf_case.h"
#include "io/mf_checksum.h"
#include "io/mf_h5.h"
#include "io/mf_h5_mesh.h"
#include "io/mf_memory_report.h"
#include "io/mf_run_output.h"
#include "io/mf_summary.h"
#include "mem/mf_alloc.h"
#include "mem/mf_allocator.h"
#include "mem/mf_procmem.h"
#include "mem/mf_telemetry.h"
#include "mesh/mf_mesh.h"
#include "mesh/mf_reorder.h"
#include "solver/mf_newton.h"

enum { EXIT_SOLVER = 1, EXIT_INPUT = 2 };

static void usage(FILE *out) {
  fprintf(out,
          "usage: memfem run CASE [--out DIR] [--mesh SPEC] [--threads N] [--steps N] [--quiet]\n"
          "                       [--soak-steps N] [--release-after-step] [--memory-report]\n"
          "                       [--restart DIR/checkpoint.h5] [--stream] [--reorder none|metis|rcm]\n"
          "                       [--assembly colour|blocks]\n"
          "       memfem bench-stream [--threads N] [--size MB] [--reps R]   STREAM triad bandwidth\n"
          "       memfem info MESH          load a mesh (file or box:LXxLYxLZ:NXxNYxNZ) and report it\n"
          "       memfem convert IN OUT.h5  write a mesh (file or generator spec) in memfem's HDF5 layout\n"
          "       memfem --version          version and build configuration\n");
}

typedef struct {
  const char *case_path, *out_dir, *mesh, *threads, *steps, *soak_steps, *restart, *reorder, *assembly;
  int quiet, memory_report, release_after_step;
  int stream; /* --stream or MEMFEM_STREAM=1: STREAM triad after the run */
} run_args;

static int parse_int_arg(const char *flag, const char *s, int lo, int *v) {
  char *end;
  long x = strtol(s, &end, 10);
  if (*s == '\0' || *end != '\0' || x < lo || x > 1000000) {
    fprintf(stderr, "memfem: error: %s expects an integer >= %d, got '%s'\n", flag, lo, s);
    return -1;
  }
  *v = (int)x;
  return 0;
}

static int parse_run_args(int argc, char **argv, run_args *a) {
  memset(a, 0, sizeof *a);
  for (int i = 0; i < argc; i++) {
    const char *s = argv[i];
    const char **slot = strcmp(s, "--out") == 0       ? &a->out_dir
                        : strcmp(s, "--mesh") == 0    ? &a->mesh
                        : strcmp(s, "--threads") == 0 ? &a->threads
                        : strcmp(s, "--steps") == 0   ? &a->steps
                        : strcmp(s, "--soak-steps") == 0 ? &a->soak_steps
                        : strcmp(s, "--restart") == 0    ? &a->restart
                        : strcmp(s, "--reorder") == 0    ? &a->reorder
                        : strcmp(s, "--assembly") == 0   ? &a->assembly
                                                      : NULL;
    if (slot) {
      if (i + 1 >= argc) {
        fprintf(stderr, "memfem: error: %s needs a value\n", s);
        return -1;
      }
      *slot = argv[++i];
    } else if (strcmp(s, "--quiet") == 0) {
      a->quiet = 1;
    } else if (strcmp(s, "--memory-report") == 0) {
      a->memory_report = 1;
    } else if (strcmp(s, "--stream") == 0) {
      a->stream = 1;
    } else if (strcmp(s, "--release-after-step") == 0) {
      a->release_after_step = 1;
    } else if (s[0] == '-') {
      fprintf(stderr, "memfem: error: unknown option '%s'\n", s);
      return -1;
    } else if (!a->case_path) {
      a->case_path = s;
    } else {
      fprintf(stderr, "memfem: error: unexpected argument '%s'\n", s);
      return -1;
    }
  }
  if (!a->case_path) {
    fprintf(stderr, "memfem: error: run needs a case file\n");
    return -1;
  }
  return 0;
}

/* The thread count OpenMP will use (--threads when `flag` is set, else OMP_NUM_THREADS)
 * within what this machine allows (core/mf_limits.h); prints the error. */
static int threads_refused(const char *flag) {
  if (!mf_limits_check_omp_threads(flag ? flag : "OMP_NUM_THREADS")) return 0;
  mf_error_print();
  return 1;
}

static void iso_time_now(char *buf, size_t len) {
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void print_final(const mf_summary *sm, const mf_run_result *res) {
  const mf_mesh *m = sm->mesh;
  int newton = 0;
  for (int i = 0; i < res->n_steps; i++) newton += res->steps[i].newton_iterations;
  double t_cg = res->t_cg_spmv + res->t_cg_pc + res->t_cg_vec;
  printf("\n%s after %d steps (load factor %.6g): %d Newton iterations, %lld CG iterations\n",
         res->status == MF_OK ? "converged" : "FAILED", res->n_steps, res->final_load_factor, newton,
         res->cg_iterations);
  printf("time      total %.3f s: mesh %.3f, setup %.3f (pattern %.3f), assembly %.3f, solve %.3f (spmv %.3f, pc "
         "%.3f, vec %.3f), output %.3f\n",
         sm->t_total, sm->t_mesh, sm->t_setup, sm->t_pattern, res->t_assembly, res->t_solve, res->t_cg_spmv,
         res->t_cg_pc, res->t_cg_vec, res->t_output);
  if (res->t_assembly > 0)
    printf("fom       assembly %.3e elements/s, CG effective bandwidth %.2f GB/s\n",
           res->elements_assembled / res->t_assembly, t_cg > 0 ? res->cg_bytes / t_cg * 1e-9 : 0.0);
  if (sm->have_stream && t_cg > 0)
    printf("fom       STREAM triad %.2f GB/s; CG bandwidth / STREAM triad %.3f\n", sm->stream_triad_gbs,
           res->cg_bytes / t_cg * 1e-9 / sm->stream_triad_gbs);
  else printf("fom       STREAM triad n/a (not measured: memfem run --stream)\n");
  printf("memory    peak RSS %.1f MiB (%.0f bytes/node), solver arrays %.1f MiB (%.0f bytes/node)\n",
         sm->peak_rss_bytes / 1048576.0, (double)sm->peak_rss_bytes / m->nodes.n_local, sm->solver_bytes / 1048576.0,
         (double)sm->solver_bytes / m->nodes.n_local);
  if (sm->tel && sm->tel->rows) {
    printf("heap      %llu allocations in %lld Newton iterations (at most %llu in a step's first iteration, %llu in "
           "a later one); fragmentation ratio ",
           (unsigned long long)sm->tel->allocs_in_iterations, sm->tel->rows,
           (unsigned long long)sm->tel->max_allocs_first_iteration,
           (unsigned long long)sm->tel->max_allocs_later_iteration);
    if (sm->tel->last_frag_ratio < 0) printf("n/a\n");
    else printf("%.3f (max %.3f)\n", sm->tel->last_frag_ratio, sm->tel->max_frag_ratio);
  }
  if (sm->have_checksum) printf("checksum  %016llx\n", (unsigned long long)sm->checksum);
  if (res->status != MF_OK) printf("failure   %s\n", res->message);
}

static int cmd_run(int argc, char **argv) {
  run_args a;
  if (parse_run_args(argc, argv, &a)) {
    usage(stderr);
    return EXIT_INPUT;
  }
  int threads = 0, steps = 0, soak = -1;
  if (a.threads && parse_int_arg("--threads", a.threads, 1, &threads)) return EXIT_INPUT;
  if (a.steps && parse_int_arg("--steps", a.steps, 1, &steps)) return EXIT_INPUT;
  if (a.soak_steps && parse_int_arg("--soak-steps", a.soak_steps, 0, &soak)) return EXIT_INPUT;
  if (threads) omp_set_num_threads(threads);
  if (threads_refused(a.threads ? "--threads" : NULL)) return EXIT_INPUT;

  double t_start = omp_get_wtime();
  mf_summary sm = {0};
  iso_time_now(sm.start_time, sizeof sm.start_time);
  sm.threads = omp_get_max_threads();
  mf_case *cs = NULL;
  mf_mesh *mesh = NULL;
  mf_problem *pb = NULL;
  mf_solver *solver = NULL;
  mf_telemetry *tel = NULL;
  mf_run_result res = {0};
  mf_run_output *rout = NULL;
  mf_checkpoint_id cid = {0};
  mf_loop_state resume = {0};
  double *resume_u = NULL;
  int rc = EXIT_INPUT;
  char csv_path[MF_PATH_MAX + 32];

  if (mf_case_load(a.case_path, &cs)) goto fail;
  if (a.mesh) snprintf(cs->mesh, sizeof cs->mesh, "%s", a.mesh);
  if (a.out_dir) snprintf(cs->output_dir, sizeof cs->output_dir, "%s", a.out_dir);
  if (mf_limits_check_steps(steps > 0 ? steps : cs->steps, soak >= 0 ? soak : cs->soak_steps)) goto fail;
  if (a.reorder && mf_reorder_parse(a.reorder, &cs->reorder) != 0) {
    fprintf(stderr, "memfem: error: --reorder expects none, metis or rcm, got '%s'\n", a.reorder);
    goto done;
  }
  if (a.assembly && mf_assembly_method_parse(a.assembly, &cs->assembly) != 0) {
    fprintf(stderr, "memfem: error: --assembly expects colour or blocks, got '%s'\n", a.assembly);
    goto done;
  }
  double t0 = omp_get_wtime();
  if (mf_mesh_load(cs->mesh, &mesh)) goto fail;
  sm.t_mesh = omp_get_wtime() - t0;
  if (!a.quiet) mf_mesh_report(mesh, stdout);
  /* The checkpoint identity hashes the mesh in its own order, before renumbering, so a
   * checkpoint restarts under any reorder setting. */
  int soak_run = soak >= 0 ? soak : cs->soak_steps;
  if (mf_checkpoint_id_make(cs->path, mesh, steps > 0 ? steps : cs->steps, soak_run, &cid)) goto fail;
  mf_idx bw0, bw1;
  double spread0, spread1;
  mf_mesh_node_spread(mesh, &bw0, &spread0);
  t0 = omp_get_wtime();
  if (mf_mesh_reorder(mesh, cs->reorder)) goto fail;
  sm.t_reorder = omp_get_wtime() - t0;
  sm.have_reorder = 1;
  mf_mesh_node_spread(mesh, &bw1, &spread1);
  if (!a.quiet)
    printf("reorder   %s, %.3f s: half bandwidth %lld -> %lld, mean |i-j| in elements %.1f -> %.1f\n",
           mf_reorder_name(cs->reorder), sm.t_reorder, (long long)bw0, (long long)bw1, spread0, spread1);
  mf_nodes_scatter_measure(&mesh->nodes, &sm.scatter);
  t0 = omp_get_wtime();
  if (mf_problem_create(cs, mesh, &pb) || mf_solver_create(pb, &solver)) goto fail;
  sm.t_setup = omp_get_wtime() - t0;
  sm.t_pattern = mf_solver_pattern_seconds(solver);
  const mf_blocking *blocking = mf_assembly_blocking(mf_solver_assembly(solver));
  sm.assembly = mf_assembly_method_name(cs->assembly);
  sm.blocks = blocking ? blocking->n_blocks : 0;
  sm.interface_share = blocking ? mf_blocking_interface_share(blocking, mesh) : 1.0;
  if (!a.quiet) {
    printf("setup     %d threads, %.3f s; preconditioner %s; assembly %s: ", sm.threads, sm.t_setup,
           mf_pc_name(cs->pc), sm.assembly);
    if (blocking)
      printf("%d blocks, %.1f%% of elements on their interfaces in %d colours\n", sm.blocks,
             100.0 * sm.interface_share, mf_solver_colours(solver));
    else
      printf("%d colours\n", mf_solver_colours(solver));
  }

  if (!a.quiet) {
    printf("memory    scratch %s, node layout %s (%.0f%% of consecutive node records adjacent), allocator %s",
           mf_build_info_get()->scratch, mf_build_info_get()->layout, 100.0 * sm.scatter.adjacent_share,
           mf_allocator_name());
    printf(mf_allocator_verified() ? " (serves malloc: %s)\n" : " (WARNING: malloc is served by %s)\n",
           mf_allocator_serving());
    printf("          %s; transparent huge pages %s\n", mf_allocator_settings(), mf_procmem_thp_mode());
  }
  if (mf_mkdir_p(cs->output_dir)) goto fail;
  snprintf(csv_path, sizeof csv_path, "%s/telemetry.csv", cs->output_dir);
  if (mf_telemetry_open(csv_path, &tel)) goto fail;
  mf_solver_set_telemetry(solver, tel);
  mf_run_options opt = {.quiet = a.quiet,
                        .steps_override = steps,
                        .soak_steps = soak_run,
                        .release_after_step = a.release_after_step || cs->release_after_step};
  sm.soak_steps = opt.soak_steps;
  sm.release_after_step = opt.release_after_step;
  /* Results and checkpoints between steps; a restart continues from a checkpoint. */
  if (a.restart) {
    if (MF_ALLOC_N(resume_u, pb->ndof, "restart displacement") ||
        mf_checkpoint_read(a.restart, &cid, mesh, &resume, resume_u))
      goto fail;
    opt.resume = &resume;
    opt.resume_u = resume_u;
    if (!a.quiet) printf("restart   from %s: step %d, load factor %.6f\n", a.restart, resume.step, resume.load_factor);
  }
  if (mf_run_output_create(cs, pb, &cid, a.restart ? resume.step : -1, &rout)) goto fail;
  opt.on_step = mf_run_output_step;
  opt.on_step_ctx = rout;
  mf_status st = mf_solver_run(solver, &opt, &res);
  mf_telemetry_end(tel);
  if (st == MF_OK && (st = mf_telemetry_flush(tel))) goto fail;
  if (st != MF_OK && st != MF_ERR_SOLVER && st != MF_ERR_NONFINITE) goto fail; /* not a convergence failure */
  if (res.n_steps > 0 &&
      mf_run_output_final(rout, res.steps[res.n_steps - 1].step, res.final_load_factor, mf_solver_displacement(solver)))
    goto fail;
  if (mf_run_output_destroy(&rout)) goto fail;
  rc = st == MF_OK ? EXIT_SUCCESS : EXIT_SOLVER;

  sm.cs = cs;
  sm.mesh = mesh;
  sm.pb = pb;
  sm.res = &res;
  sm.colours = mf_solver_colours(solver);
  sm.solver_bytes = mf_solver_memory_bytes(solver);
  if (mf_displacement_checksum(&mesh->nodes, mf_solver_displacement(solver), &sm.checksum)) goto fail;
  sm.have_checksum = 1;
  mf_procmem pm;
  mf_procmem_read(&pm);
  sm.peak_rss_bytes = pm.hwm_bytes;
  sm.t_total = omp_get_wtime() - t_start; /* the STREAM triad below is not part of the run */
  const char *env_stream = getenv("MEMFEM_STREAM");
  if (a.stream || (env_stream && strcmp(env_stream, "1") == 0))
    sm.have_stream = mf_stream_for_run(a.quiet, &sm.stream_triad_gbs) == 0;
  sm.tel = mf_telemetry_get_summary(tel);
  mf_error_clear();
  if (mf_summary_write(cs->output_dir, &sm)) goto fail;
  print_final(&sm, &res);
  mf_telemetry_close(&tel);
  if (a.memory_report && mf_memory_report_print(csv_path, stdout)) goto fail;
  if (!a.quiet) printf("wrote     %s/summary.json, %s\n", cs->output_dir, csv_path);
  if (rc != EXIT_SUCCESS) fprintf(stderr, "memfem: error: %s\n", res.message);
  goto done;
fail:
  mf_error_print();
  if (rc == EXIT_SUCCESS) rc = EXIT_INPUT;
done:
  mf_run_result_free(&res);
  mf_run_output_destroy(&rout);
  mf_free(&resume_u);
  mf_telemetry_close(&tel);
  mf_solver_destroy(&solver);
  mf_problem_destroy(&pb);
  mf_mesh_destroy(&mesh);
  mf_case_destroy(&cs);
  return rc;
}

static int cmd_info(int argc, char **argv) {
  if (argc != 1) {
    usage(stderr);
    return EXIT_INPUT;
  }
  mf_mesh *mesh = NULL;
  if (mf_mesh_load(argv[0], &mesh)) {
    mf_error_print();
    return EXIT_INPUT;
  }
  mf_mesh_report(mesh, stdout);
  mf_mesh_destroy(&mesh);
  return EXIT_SUCCESS;
}

static int cmd_convert(int argc, char **argv) {
  if (argc != 2) {
    usage(stderr);
    return EXIT_INPUT;
  }
  mf_mesh *mesh = NULL;
  if (mf_mesh_load(argv[0], &mesh) || mf_h5_mesh_save(mesh, argv[1])) {
    mf_error_print();
    mf_mesh_destroy(&mesh);
    return EXIT_INPUT;
  }
  printf("wrote %s: %lld nodes, %lld tetrahedra, %lld boundary triangles, %d groups\n", argv[1],
         (long long)mesh->nodes.n_local, (long long)mesh->n_elems, (long long)mesh->n_faces, mesh->n_groups);
  mf_mesh_destroy(&mesh);
  return EXIT_SUCCESS;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return EXIT_INPUT;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
    mf_build_info_print(stdout);
    mf_h5_print_library(stdout);
    return EXIT_SUCCESS;
  }
  if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
    usage(stdout);
    return EXIT_SUCCESS;
  }
  if (strcmp(cmd, "run") == 0) return cmd_run(argc - 2, argv + 2);
  if (strcmp(cmd, "bench-stream") == 0) return mf_cmd_bench_stream(argc - 2, argv + 2);
  if ((strcmp(cmd, "info") == 0 || strcmp(cmd, "convert") == 0) && threads_refused(NULL)) return EXIT_INPUT;
  if (strcmp(cmd, "info") == 0) return cmd_info(argc - 2, argv + 2);
  if (strcmp(cmd, "convert") == 0) return cmd_convert(argc - 2, argv + 2);
  fprintf(stderr, "memfem: error: unknown command '%s'\n", cmd);
  usage(stderr);
  return EXIT_INPUT;
}
