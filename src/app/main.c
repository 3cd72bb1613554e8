/* The memfem command: run a case, describe a mesh, print the build. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/mf_convert_cmd.h"
#include "app/mf_stream_cmd.h"
#include "core/mf_build_info.h"
#include "core/mf_comm.h"
#include "core/mf_error.h"
#include "core/mf_limits.h"
#include "fem/mf_blocks.h"
#include "fem/mf_mesh_check.h"
#include "io/mf_case.h"
#include "io/mf_checksum.h"
#include "io/mf_h5.h"
#include "io/mf_h5_mesh.h"
#include "io/mf_memory_report.h"
#include "io/mf_mesh_load.h"
#include "io/mf_h5_part.h"
#include "io/mf_run_output.h"
#include "io/mf_summary.h"
#include "la/mf_halo.h"
#include "mem/mf_alloc.h"
#include "mem/mf_allocator.h"
#include "mem/mf_procmem.h"
#include "mem/mf_telemetry.h"
#include "mesh/mf_mesh.h"
#include "mesh/mf_partition.h"
#include "mesh/mf_reorder.h"
#include "solver/mf_newton.h"
#include "solver/mf_part_scatter.h"

enum { EXIT_SOLVER = 1, EXIT_INPUT = 2 };

static void usage(FILE *out) {
  fprintf(out,
          "usage: memfem run CASE [--out DIR] [--mesh SPEC] [--threads N] [--steps N] [--quiet]\n"
          "                       [--soak-steps N] [--release-after-step] [--memory-report]\n"
          "                       [--restart DIR/checkpoint.h5] [--stream] [--reorder none|metis|rcm]\n"
          "                       [--assembly colour|blocks] [--preconditioner NAME] [--matrix full|symmetric]\n"
          "                       [--reproducible true|false]\n"
          "       mpirun -np R memfem run CASE ...  the same across R processes (a build with MPI)\n"
          "       memfem bench-stream [--threads N] [--size MB] [--reps R]   STREAM triad bandwidth\n"
          "       memfem info MESH          load a mesh (file or box:LXxLYxLZ:NXxNYxNZ) and report it\n"
          "       memfem convert IN OUT.h5 [--order none|metis|rcm] [--parts R[,R...]]\n"
          "                                 write a mesh (file or generator spec) in memfem's HDF5\n"
          "                                 layout; --order: in that renumbering, with the assembly\n"
          "                                 blocks and the parts for R processes, which runs then read\n"
          "       memfem partition MESH --parts R  METIS parts of a mesh for R processes: per part\n"
          "                                 elements, halo, owned and ghost nodes, neighbours\n"
          "       memfem --version          version and build configuration\n");
}

typedef struct {
  const char *case_path, *out_dir, *mesh, *threads, *steps, *soak_steps, *restart, *reorder, *assembly, *pc, *matrix,
      *reproducible;
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
                        : strcmp(s, "--preconditioner") == 0 ? &a->pc
                        : strcmp(s, "--matrix") == 0          ? &a->matrix
                        : strcmp(s, "--reproducible") == 0    ? &a->reproducible
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
  const mf_phase_times *t = &res->times;
  int newton = 0;
  for (int i = 0; i < res->n_steps; i++) newton += res->steps[i].newton_iterations;
  double t_cg = mf_phase_times_krylov(t);
  printf("\n%s after %d steps (load factor %.6g): %d Newton iterations, %lld CG iterations\n",
         res->status == MF_OK ? "converged" : "FAILED", res->n_steps, res->final_load_factor, newton,
         res->cg_iterations);
  printf("time      total %.3f s: mesh %.3f, setup %.3f (pattern %.3f), assembly %.3f, solve %.3f (pc setup %.3f, "
         "spmv %.3f, pc %.3f, vec %.3f), output %.3f\n",
         sm->t_total, sm->t_mesh, sm->t_setup, sm->t_pattern, t->assembly, t->solve, t->pc_setup, t->spmv, t->pc,
         t->vec, t->output);
  if (t->assembly > 0)
    printf("fom       assembly %.3e elements/s (%.0f%% with their tangent), CG effective bandwidth %.2f GB/s\n",
           res->elements_assembled / t->assembly, 100.0 * res->tangents_assembled / res->elements_assembled,
           t_cg > 0 ? res->cg_bytes / t_cg * 1e-9 : 0.0);
  if (sm->have_stream && t_cg > 0)
    printf("fom       STREAM triad %.2f GB/s; CG bandwidth / STREAM triad %.3f\n", sm->stream_triad_gbs,
           res->cg_bytes / t_cg * 1e-9 / sm->stream_triad_gbs);
  else printf("fom       STREAM triad n/a (not measured: memfem run --stream)\n");
  printf("memory    peak RSS %.1f MiB (%.0f bytes/node), solver arrays %.1f MiB (%.0f bytes/node, of which the "
         "matrix %.0f)\n",
         sm->peak_rss_bytes / 1048576.0, (double)sm->peak_rss_bytes / m->nodes.n_local, sm->solver_bytes / 1048576.0,
         (double)sm->solver_bytes / m->nodes.n_local, (double)sm->matrix_bytes / m->nodes.n_local);
  if (sm->ranks > 1)
    printf("ranks     %d processes x %d threads: communication %.3f s (rank 0, inside the phases above); peak "
           "RSS the largest rank's, %.1f MiB summed over ranks; solver arrays: rank 0's; heap: allocations of "
           "every rank\n",
           sm->ranks, sm->threads, sm->t_comm, sm->peak_rss_sum_bytes / 1048576.0);
  if (sm->tel && sm->tel->rows) {
    printf("heap      %llu allocations in %lld Newton iterations (at most %llu in a step's first iteration, %llu in "
           "a later one); fragmentation ratio ",
           (unsigned long long)sm->tel->allocs_in_iterations, sm->tel->rows,
           (unsigned long long)sm->tel->max_allocs_first_iteration,
           (unsigned long long)sm->tel->max_allocs_later_iteration);
    if (sm->tel->last_frag_ratio < 0) printf("n/a\n");
    else printf("%.3f (max %.3f)\n", sm->tel->last_frag_ratio, sm->tel->max_frag_ratio);
  }
  if (sm->pc_levels.n_levels) {
    const mf_amg_info *h = &sm->pc_levels;
    printf("multigrid %d levels, operator complexity %.3f, grid complexity %.3f, %d numeric setups\n", h->n_levels,
           h->operator_complexity, h->grid_complexity, h->setups);
    for (int l = 0; l < h->n_levels; l++)
      printf("  level %d  %9lld rows of %d  %11lld blocks  %9.1f KiB%s\n", l, (long long)h->level[l].rows,
             h->level[l].bs, (long long)h->level[l].nnzb, h->level[l].bytes / 1024.0,
             l == 0 ? " (matrix not counted: it is the operator's)" : "");
  }
  if (sm->have_checksum) printf("checksum  %016llx\n", (unsigned long long)sm->checksum);
  if (res->status != MF_OK) printf("failure   %s\n", res->message);
}

/* Everything one `memfem run` holds, phase to phase. */
typedef struct {
  run_args a;
  mf_comm *comm;         /* the processes (self on one); borrowed */
  int steps, soak;       /* from the command line (0, -1: the case's) */
  double t_start;
  mf_summary sm;
  mf_case *cs;
  mf_mesh *mesh;
  mf_problem *pb;        /* the whole mesh's problem (across processes without fields) */
  double t_setup0;       /* when phase 3 began */
  int parts_read;        /* across processes: each reads its part from the mesh file (io/mf_h5_part.h),
                            and rank 0 read only the mesh's outline (io/mf_h5_mesh.h) */
  mf_partition *partition; /* across processes, rank 0: the whole mesh's parts, */
  int32_t *blocks;       /* and its elements' assembly blocks until the parts are made; */
  mf_part *part;         /* this process's, */
  mf_mesh *part_mesh;    /* as a mesh of its own, */
  mf_problem *part_pb;   /* and its problem (made on the part), */
  mf_assembly *part_asmb; /* and its assembly plan, until the solver takes it */
  mf_solver *solver;
  mf_telemetry *tel;
  mf_run_result res;
  mf_results_dist rdist;  /* across processes: what results.h5 is written from */
  mf_run_output *rout;
  mf_checkpoint_id cid;
  mf_loop_state resume;
  double *resume_u;
  mf_run_options opt;
  mf_telemetry_summary tel_all; /* rank 0's, with allocations over every rank */
  char csv_path[MF_PATH_MAX + 32];
} run_state;

static int across_ranks(const run_state *r) { return r->comm->size > 1; }

/* Phase 1: the case, with the command line's replacements applied. */
static int run_read_case(run_state *r) {
  const run_args *a = &r->a;
  mf_case *cs;
  if (mf_case_load(a->case_path, &r->cs)) return -1;
  cs = r->cs;
  if (a->mesh) snprintf(cs->mesh, sizeof cs->mesh, "%s", a->mesh);
  if (a->out_dir) snprintf(cs->output_dir, sizeof cs->output_dir, "%s", a->out_dir);
  if (r->steps > 0) cs->solver.steps.count = r->steps;
  if (r->soak >= 0) cs->soak_steps = r->soak;
  if (mf_limits_check_steps(cs->solver.steps.count, cs->soak_steps)) return -1;
  char list[128];
  if (a->reorder && mf_reorder_parse(a->reorder, &cs->reorder) != 0) {
    MF_ERROR(MF_ERR_INPUT, "--reorder expects %s, got '%s'", mf_name_list(mf_reorder_names, 1, list, sizeof list),
             a->reorder);
    return -1;
  }
  if (a->assembly && mf_assembly_method_parse(a->assembly, &cs->solver.assembly) != 0) {
    MF_ERROR(MF_ERR_INPUT, "--assembly expects %s, got '%s'",
             mf_name_list(mf_assembly_method_names, 1, list, sizeof list), a->assembly);
    return -1;
  }
  int pc;
  if (a->pc && mf_name_parse(mf_pc_names, a->pc, &pc) != 0) {
    MF_ERROR(MF_ERR_INPUT, "--preconditioner expects %s, got '%s'", mf_name_list(mf_pc_names, 1, list, sizeof list),
             a->pc);
    return -1;
  }
  if (a->pc) cs->solver.linear.pc.type = (mf_pc_type)pc;
  int storage;
  if (a->matrix && mf_name_parse(mf_matrix_storage_names, a->matrix, &storage) != 0) {
    MF_ERROR(MF_ERR_INPUT, "--matrix expects %s, got '%s'", mf_name_list(mf_matrix_storage_names, 1, list, sizeof list),
             a->matrix);
    return -1;
  }
  if (a->matrix) cs->solver.matrix = (mf_matrix_storage)storage;
  if (a->reproducible) {
    if (strcmp(a->reproducible, "true") != 0 && strcmp(a->reproducible, "false") != 0) {
      MF_ERROR(MF_ERR_INPUT, "--reproducible expects true or false, got '%s'", a->reproducible);
      return -1;
    }
    cs->solver.linear.reproducible = strcmp(a->reproducible, "true") == 0;
  }
  return 0;
}

/* Whether the mesh file's cuts hold for the case: it is in the order the case's
 * renumbering would give, or the case keeps the file's order. */
static int cuts_hold(const mf_mesh *m, const mf_case *cs) {
  const mf_mesh_cuts *c = m->cuts;
  return c && (c->order == (int)cs->reorder || cs->reorder == MF_REORDER_NONE);
}

/* Across processes, rank 0: a mesh file from which every process can read its own part
 * (io/mf_h5_part.h) is read as its outline only; *outline NULL for any other mesh. */
static mf_status load_outline(const run_state *r, mf_mesh **outline) {
  const mf_case *cs = r->cs;
  const size_t len = strlen(cs->mesh);
  *outline = NULL;
  if (len < 3 || strcmp(cs->mesh + len - 3, ".h5") != 0) return MF_OK;
  mf_mesh *m = NULL;
  MF_CALL(mf_h5_mesh_read_outline(cs->mesh, &m));
  if (cuts_hold(m, cs) && mf_h5_part_available(m, r->comm->size, cs->solver.assembly)) *outline = m;
  else mf_mesh_destroy(&m);
  return MF_OK;
}

/* Phase 2: the mesh, its run fingerprint (in the mesh's own order, so a checkpoint
 * restarts under any reorder setting), then renumbering, unless the mesh file is in the
 * order the case's setting gives (memfem convert --order): then its cuts are taken.
 * Across processes, rank 0 reads the whole mesh for all, or only its outline when every
 * process will read its own part of the file. */
static int run_load_mesh(run_state *r) {
  mf_case *cs = r->cs;
  mf_summary *sm = &r->sm;
  if (across_ranks(r) && r->comm->rank != 0) return 0; /* rank 0 reads for all */
  double t0 = omp_get_wtime();
  if (across_ranks(r) && load_outline(r, &r->mesh)) return -1;
  r->parts_read = r->mesh != NULL;
  if (!r->mesh && mf_mesh_load(cs->mesh, &r->mesh)) return -1;
  sm->t_mesh = omp_get_wtime() - t0;
  if (!r->a.quiet) mf_mesh_report(r->mesh, stdout);
  if (mf_checkpoint_id_make(cs->path, r->mesh, cs->solver.steps.count, cs->soak_steps, &r->cid)) return -1;
  const mf_mesh_cuts *c = r->mesh->cuts;
  if (cuts_hold(r->mesh, cs)) {
    sm->have_reorder = 1;
    sm->cuts_from_file = 1;
    if (!r->a.quiet) {
      printf("reorder   %s: the mesh file's order", mf_reorder_name(cs->reorder));
      if (c->order != (int)cs->reorder) printf(" (%s)", mf_reorder_name((mf_reorder_method)c->order));
      printf(", and its cuts%s\n", r->parts_read ? "; rank 0 read the outline, each process reads its part" : "");
    }
    if (!r->parts_read) mf_nodes_scatter_measure(&r->mesh->nodes, &sm->scatter); /* else on rank 0's part */
    return 0;
  }
  mf_idx bw0, bw1;
  double spread0, spread1;
  mf_mesh_node_spread(r->mesh, &bw0, &spread0);
  t0 = omp_get_wtime();
  if (mf_mesh_reorder(r->mesh, cs->reorder)) return -1;
  sm->t_reorder = omp_get_wtime() - t0;
  sm->have_reorder = 1;
  mf_mesh_node_spread(r->mesh, &bw1, &spread1);
  if (!r->a.quiet)
    printf("reorder   %s, %.3f s: half bandwidth %lld -> %lld, mean |i-j| in elements %.1f -> %.1f\n",
           mf_reorder_name(cs->reorder), sm->t_reorder, (long long)bw0, (long long)bw1, spread0, spread1);
  mf_nodes_scatter_measure(&r->mesh->nodes, &sm->scatter);
  return 0;
}

/* Phase 3: the problem on the whole mesh (one process, or rank 0, which holds it), and
 * across processes the whole mesh's two METIS cuts, into the processes' parts and into
 * assembly blocks, made by rank 0 for all; the other ranks learn the run's fingerprint.
 * A phase of its own so that a problem rank 0 finds in the case ends every rank before
 * the parts are handed out. */
static int run_pose(run_state *r) {
  mf_case *cs = r->cs;
  r->t_setup0 = omp_get_wtime();
  if (across_ranks(r)) {
    int32_t id[sizeof r->cid / sizeof(int32_t)];
    memcpy(id, &r->cid, sizeof id);
    if (r->comm->ops->bcast_i32(r->comm, id, (mf_nnz)(sizeof id / sizeof *id), 0)) return -1;
    memcpy(&r->cid, id, sizeof id);
    if (r->comm->rank != 0) return 0;
  }
  if (!across_ranks(r)) return mf_problem_create(&cs->problem, r->mesh, &r->pb) ? -1 : 0;
  /* the parts make their own fields (mf_problem_create_part): rank 0 checks and keeps
   * none; on an outline the probes are found once the parts are read */
  mf_idx *no_probes = NULL;
  if (r->parts_read && MF_CALLOC_N(no_probes, (size_t)cs->problem.n_probes + 1, "probe nodes")) return -1;
  const int rc_outline = mf_problem_create_outline(&cs->problem, r->mesh, no_probes, &r->pb) != MF_OK;
  mf_free(&no_probes);
  if (rc_outline) return -1;
  const mf_mesh *m = r->mesh;
  if (r->sm.cuts_from_file && mf_mesh_has_part_cut(m, r->comm->size)) r->sm.cuts_from_file = 2;
  if (r->parts_read) {
    r->sm.cuts_from_file = 3; /* each process reads its part: rank 0 makes neither the partition nor the plan */
    return 0;
  }
  int rc = mf_partition_create(m, r->comm->size, NULL, &r->partition); /* the file's, or METIS's */
  if (!rc && cs->solver.assembly == MF_ASSEMBLY_BLOCKS)
    rc = MF_ALLOC_N(r->blocks, (size_t)m->n_elems + 1, "element blocks") ||
         mf_blocking_cut(m, mf_blocking_count(m, MF_BLOCK_ELEMS), r->blocks);
  return rc ? -1 : 0;
}

/* Whether the parts came from the mesh file, and if not while the file has cuts, for
 * which process counts it has them (memfem convert --parts). Ends the line. */
static void print_parts_origin(const mf_mesh *m, int ranks, int read) {
  const mf_mesh_cuts *c = m->cuts;
  if (read) printf(" (the mesh file's, each process reading its own)");
  else if (mf_mesh_has_part_cut(m, ranks)) printf(" (the mesh file's)");
  else if (c && c->n_part_cuts == 0) printf(" (the mesh file has none: memfem convert --parts)");
  else if (c) {
    printf(" (the mesh file has them for ");
    for (int k = 0; k < c->n_part_cuts; k++) printf("%s%d", k ? ", " : "", c->parts[k]);
    printf(" processes, not %d)", ranks);
  }
  printf("\n");
}

/* Each process reads its own part from the mesh file (io/mf_h5_part.h) once rank 0 has
 * sent it the outline; rank 0 gathers every part's counts for the partition report. */
static mf_status read_parts(run_state *r, mf_part_setup *mine, mf_mesh **outline, mf_problem **outline_pb,
                            mf_part_counts *counts) {
  mf_comm *comm = r->comm;
  const mf_case *cs = r->cs;
  *mine = (mf_part_setup){0};
  mf_status st = mf_part_share_outline(comm, &cs->problem, r->pb, outline, outline_pb);
  if (!st) st = mf_h5_part_read(cs->mesh, comm->size, comm->rank, &cs->problem, cs->solver.assembly, mine);
  if (!st) st = mf_mesh_check_elements(mine->mesh); /* every element is some part's own or halo */
  int failed;
  if ((st = mf_comm_agree(comm, st, &failed))) return st; /* the collectives below need every rank */
  /* parts read from a file's views: their exchange lists must agree before any exchange */
  if ((st = mf_comm_agree(comm, mf_halo_check_part(comm, mine->part), &failed))) return st;
  /* the nearest nodes to the probes, from the parts: rank 0 read only the outline, and
   * nobody holds every coordinate */
  if ((st = mf_problem_find_probes_across(comm, mine->part, mine->mesh, comm->rank ? *outline_pb : r->pb)))
    return st;
  if (comm->rank == 0) mf_nodes_scatter_measure(&mine->mesh->nodes, &r->sm.scatter);
  const mf_part_counts c = mf_part_count(mine->part);
  const double mine_c[6] = {c.own, c.halo, c.owned, c.ghosts, c.neighbours, (double)c.exchanged};
  double *all = NULL;
  mf_nnz *ptr = NULL;
  if (comm->rank == 0 && !(st = MF_ALLOC_N(all, 6 * (size_t)comm->size, "part counts")) &&
      !(st = MF_ALLOC_N(ptr, (size_t)comm->size + 1, "part count offsets")))
    for (int q = 0; q <= comm->size; q++) ptr[q] = 6 * q;
  if (!(st = mf_comm_agree(comm, st, &failed)) && !(st = comm->ops->gather(comm, mine_c, 6, all, ptr)) && counts)
    for (int q = 0; q < comm->size; q++) {
      const double *a = &all[6 * q];
      counts[q] = (mf_part_counts){(mf_idx)a[0], (mf_idx)a[1], (mf_idx)a[2], (mf_idx)a[3], (int)a[4], (int64_t)a[5]};
    }
  mf_free(&all);
  mf_free(&ptr);
  return st;
}

/* Phase 3b, across processes: rank 0 hands every process its part
 * (solver/mf_part_scatter.h), and each makes its part's problem. A process other than 0
 * holds its part and the whole mesh's outline, never the whole mesh. A phase of its own
 * because a process may fail here alone (room for its part), before the collective
 * set-up that follows. */
static int run_parts(run_state *r) {
  if (!across_ranks(r)) return 0;
  mf_comm *comm = r->comm;
  mf_part_setup mine = {0};
  mf_mesh *outline = NULL;
  mf_problem *outline_pb = NULL;
  mf_part_counts *counts = NULL; /* rank 0: the partition report's rows */
  if (comm->rank == 0 && MF_ALLOC_N(counts, (size_t)comm->size, "part counts")) return -1;
  int32_t read = r->parts_read; /* rank 0 knows the file */
  mf_status st = comm->ops->bcast_i32(comm, &read, 1, 0);
  r->parts_read = read;
  if (!st && read) st = read_parts(r, &mine, &outline, &outline_pb, counts);
  else if (!st)
    st = mf_part_scatter(comm, &r->cs->problem, r->pb, r->partition, r->cs->solver.assembly, r->blocks, counts, &mine,
                         &outline, &outline_pb);
  mf_free(&r->blocks);
  mf_partition_destroy(&r->partition); /* the parts hold what the run reads of it */
  if (r->comm->rank != 0) {
    r->mesh = outline;
    r->pb = outline_pb;
  }
  r->part = mine.part, r->part_mesh = mine.mesh, r->part_pb = mine.pb, r->part_asmb = mine.asmb;
  if (!st && !r->a.quiet) {
    printf("ranks     %d processes x %d threads: METIS k-way parts of the element dual graph", r->comm->size,
           r->sm.threads);
    print_parts_origin(r->mesh, r->comm->size, r->parts_read);
    mf_partition_report_counts(counts, r->comm->size, stdout);
  }
  mf_free(&counts);
  return st ? -1 : 0;
}

/* Across processes: the part problem's ghost rows from their owners, then the solver on
 * the part (collective). */
static int setup_part(run_state *r) {
  mf_solver_dist d = {.comm = r->comm, .part = r->part, .whole = r->pb, .part_assembly = r->part_asmb};
  r->part_asmb = NULL; /* the solver's, even when it fails */
  mf_status st = mf_problem_share_ghosts(r->comm, r->part, r->part_pb);
  if (st) {
    mf_assembly_destroy(&d.part_assembly);
    return -1;
  }
  return mf_solver_create_dist(r->part_pb, &r->cs->solver, &d, &r->solver) ? -1 : 0;
}

/* Phase 4: the solver (every allocation of the solve happens here). */
static int run_setup(run_state *r) {
  mf_case *cs = r->cs;
  mf_summary *sm = &r->sm;
  if (across_ranks(r) ? setup_part(r) != 0 : mf_solver_create(r->pb, &cs->solver, &r->solver) != MF_OK) return -1;
  mf_mesh_drop_cuts(r->mesh); /* a mesh file's cuts (memfem convert --order) are taken: the solve reads none */
  sm->t_setup = omp_get_wtime() - r->t_setup0;
  sm->t_pattern = mf_solver_pattern_seconds(r->solver);
  const mf_assembly *asmb = mf_solver_assembly(r->solver);
  const mf_blocking *blocking = mf_assembly_blocking(asmb);
  sm->assembly = mf_assembly_method_name(cs->solver.assembly);
  sm->blocks = blocking ? blocking->n_blocks : 0;
  sm->interface_share =
      blocking ? mf_blocking_interface_share(blocking, across_ranks(r) ? r->part_mesh : r->mesh) : 1.0;
  sm->colours = mf_assembly_colours(asmb);
  if (r->a.quiet) return 0;
  printf("setup     %d threads, %.3f s; preconditioner %s; assembly %s: ", sm->threads, sm->t_setup,
         mf_pc_name(cs->solver.linear.pc.type), sm->assembly);
  if (blocking)
    printf("%d blocks, %.1f%% of elements on their interfaces in %d colours\n", sm->blocks,
           100.0 * sm->interface_share, sm->colours);
  else printf("%d colours\n", sm->colours);
  printf("memory    scratch %s, node layout %s (%.0f%% of consecutive node records adjacent), allocator %s",
         mf_build_info_get()->scratch, mf_build_info_get()->layout, 100.0 * sm->scatter.adjacent_share,
         mf_allocator_name());
  printf(mf_allocator_verified() ? " (serves malloc: %s)\n" : " (WARNING: malloc is served by %s)\n",
         mf_allocator_serving());
  printf("          %s; transparent huge pages %s\n", mf_allocator_settings(), mf_procmem_thp_mode());
  return 0;
}

/* The checkpoint's displacement in the solver's numbering: the whole mesh's on one
 * process; across processes each process reads its local nodes' rows only. */
static int read_restart(run_state *r) {
  if (!across_ranks(r))
    return MF_ALLOC_N(r->resume_u, r->pb->ndof, "restart displacement") ||
           mf_checkpoint_read(r->a.restart, &r->cid, r->mesh, &r->resume, r->resume_u);
  const mf_part *pt = r->part;
  const mf_idx n = pt->n_owned + pt->n_ghost;
  return MF_ALLOC_N(r->resume_u, 3 * (size_t)n + 1, "restart displacement") ||
         mf_checkpoint_read_rows(r->a.restart, &r->cid, r->mesh, n, pt->node_row, &r->resume, r->resume_u);
}

/* Phase 5: telemetry (rank 0 writes it), a restart (every rank reads its rows of the
 * displacement). */
static int run_prepare(run_state *r) {
  mf_case *cs = r->cs;
  const int root = r->comm->rank == 0;
  snprintf(r->csv_path, sizeof r->csv_path, "%s/telemetry.csv", cs->output_dir);
  /* the other ranks count their own heap traffic per iteration, summed at the report */
  if (root ? mf_mkdir_p(cs->output_dir) || mf_telemetry_open(r->csv_path, &r->tel) : mf_telemetry_open(NULL, &r->tel))
    return -1;
  mf_solver_set_telemetry(r->solver, r->tel);
  r->opt = (mf_run_options){.quiet = r->a.quiet,
                            .soak_steps = cs->soak_steps,
                            .release_after_step = r->a.release_after_step || cs->release_after_step};
  r->sm.soak_steps = r->opt.soak_steps;
  r->sm.release_after_step = r->opt.release_after_step;
  if (r->a.restart) {
    if (read_restart(r)) return -1;
    r->opt.resume = &r->resume;
    r->opt.resume_u = r->resume_u;
    if (!r->a.quiet)
      printf("restart   from %s: step %d, load factor %.6f\n", r->a.restart, r->resume.step, r->resume.load_factor);
  }
  return 0;
}

/* Phase 6: results.h5 opened (every process writes it across processes, with its part,
 * placing its rows by the part's file rows) and the checkpoint writer; a phase of its
 * own because it is collective. Across processes rank 0 has then written the mesh, and
 * drops what the rest of the run does not read of it before the solve fills its arrays
 * (the partition went once the parts were made; its problem has no fields). */
static int run_open_output(run_state *r) {
  r->rdist = (mf_results_dist){r->comm, r->part, r->part_pb, NULL};
  if (mf_run_output_create(r->cs, r->pb, &r->cid, r->a.restart ? r->resume.step : -1,
                           across_ranks(r) ? &r->rdist : NULL, &r->rout))
    return -1;
  if (across_ranks(r) && r->comm->rank == 0) mf_mesh_drop_bulk(r->mesh);
  r->opt.on_step = mf_run_output_step;
  r->opt.on_step_ctx = r->rout;
  return 0;
}

/* Phase 7: the load steps (collective across processes). Returns 0 with r->res.status
 * the solver's verdict, or -1 for an error that is not a convergence failure. */
static int run_solve(run_state *r) {
  mf_status st = mf_solver_run(r->solver, &r->opt, &r->res);
  mf_telemetry_end(r->tel);
  if (st == MF_OK && mf_telemetry_flush(r->tel)) return -1;
  if (st != MF_OK && st != MF_ERR_SOLVER && st != MF_ERR_NONFINITE) return -1; /* not a convergence failure */
  return 0;
}

/* Phase 8: the last converged step written if the run failed before writing it, and the
 * output closed (collective across processes). */
static int run_close_output(run_state *r) {
  const mf_run_result *res = &r->res;
  const mf_step_fields f = {mf_solver_displacement(r->solver), mf_solver_whole_displacement(r->solver)};
  if (res->n_steps > 0 &&
      mf_run_output_final(r->rout, res->steps[res->n_steps - 1].step, res->final_load_factor, &f))
    return -1;
  return mf_run_output_destroy(&r->rout) ? -1 : 0;
}

/* Phase 9: per-rank figures summed or maxed over the ranks, then on rank 0 the checksum
 * (of the whole displacement), summary.json, the final printout, the memory report. */
static int run_report(run_state *r) {
  mf_summary *sm = &r->sm;
  /* across processes the checksum is collective (rank 0 takes the whole displacement a
   * slice of tags at a time) and comes first, so that the peak RSS read next includes
   * what it takes, as it did the whole-u gather it replaces; on one process it is below */
  if (across_ranks(r) && mf_displacement_checksum_dist(r->comm, &r->part_mesh->nodes, mf_solver_displacement(r->solver),
                                                       MF_CHECKSUM_SLICE, &sm->checksum))
    return -1;
  mf_procmem pm;
  mf_procmem_read(&pm);
  /* the heap traffic of every rank's Newton iterations: allocations summed, the most in
   * one iteration maxed (the claim "a later iteration allocates nothing" is every rank's) */
  r->tel_all = *mf_telemetry_get_summary(r->tel);
  mf_telemetry_summary *ta = &r->tel_all;
  int64_t maxes[3] = {pm.hwm_bytes, (int64_t)ta->max_allocs_first_iteration, (int64_t)ta->max_allocs_later_iteration};
  int64_t sums[4] = {pm.hwm_bytes, r->res.elements_assembled, (int64_t)ta->allocs_in_iterations,
                     r->res.tangents_assembled};
  if (across_ranks(r) &&
      (r->comm->ops->max_i64(r->comm, maxes, 3) || r->comm->ops->sum_i64(r->comm, sums, 4)))
    return -1;
  if (r->comm->rank != 0) return 0;
  const int64_t rss_max = maxes[0];
  ta->max_allocs_first_iteration = (uint64_t)maxes[1];
  ta->max_allocs_later_iteration = (uint64_t)maxes[2];
  ta->allocs_in_iterations = (uint64_t)sums[2];
  sm->ranks = r->comm->size;
  sm->peak_rss_sum_bytes = sums[0];
  sm->t_comm = r->comm->seconds;
  r->res.elements_assembled = sums[1];
  r->res.tangents_assembled = sums[3];
  sm->cs = r->cs;
  sm->mesh = r->mesh;
  sm->pb = r->pb;
  sm->res = &r->res;
  sm->solver_bytes = mf_solver_memory_bytes(r->solver);
  sm->matrix_bytes = mf_solver_matrix_bytes(r->solver);
  mf_pc_levels(mf_solver_preconditioner(r->solver), &sm->pc_levels);
  if (!across_ranks(r) &&
      mf_displacement_checksum(&r->mesh->nodes, mf_solver_whole_displacement(r->solver), &sm->checksum))
    return -1;
  sm->have_checksum = 1;
  sm->peak_rss_bytes = rss_max;
  sm->t_total = omp_get_wtime() - r->t_start; /* the STREAM triad below is not part of the run */
  const char *env_stream = getenv("MEMFEM_STREAM");
  if (r->a.stream || (env_stream && strcmp(env_stream, "1") == 0))
    sm->have_stream = mf_stream_for_run(r->a.quiet, &sm->stream_triad_gbs) == 0;
  sm->tel = ta;
  mf_error_clear();
  if (mf_summary_write(r->cs->output_dir, sm)) return -1;
  print_final(sm, &r->res);
  mf_telemetry_close(&r->tel);
  if (r->a.memory_report && mf_memory_report_print(r->csv_path, stdout)) return -1;
  if (!r->a.quiet) printf("wrote     %s/summary.json, %s\n", r->cs->output_dir, r->csv_path);
  return 0;
}

static void run_free(run_state *r) {
  mf_run_result_free(&r->res);
  mf_run_output_destroy(&r->rout);
  mf_free(&r->resume_u);
  mf_telemetry_close(&r->tel);
  mf_solver_destroy(&r->solver);
  mf_assembly_destroy(&r->part_asmb);
  mf_problem_destroy(&r->part_pb);
  mf_mesh_destroy(&r->part_mesh);
  mf_part_destroy(&r->part);
  mf_partition_destroy(&r->partition);
  mf_free(&r->blocks);
  mf_problem_destroy(&r->pb);
  mf_mesh_destroy(&r->mesh);
  mf_case_destroy(&r->cs);
}

/* One phase's verdict, agreed across processes: every process learns whether any
 * failed, so none waits in a collective for one that has stopped, and the lowest
 * failing rank prints its message, once (issue 14). 0 when all succeeded. */
static int phase(run_state *r, int rc) {
  if (!across_ranks(r)) {
    if (rc) mf_error_print();
    return rc;
  }
  int reporter;
  if (mf_comm_agree_phase(r->comm, rc ? MF_ERR_INPUT : MF_OK, &reporter) == MF_OK) return 0;
  if (reporter == r->comm->rank)
    fprintf(stderr, "memfem: error: rank %d of %d: %s\n", reporter, r->comm->size, mf_error_message());
  return -1;
}

static int cmd_run(mf_comm *comm, int argc, char **argv) {
  run_state r = {.soak = -1, .comm = comm};
  if (parse_run_args(argc, argv, &r.a)) {
    usage(stderr);
    return EXIT_INPUT;
  }
  int threads = 0;
  const run_args *a = &r.a;
  if (a->threads && parse_int_arg("--threads", a->threads, 1, &threads)) return EXIT_INPUT;
  if (a->steps && parse_int_arg("--steps", a->steps, 1, &r.steps)) return EXIT_INPUT;
  if (a->soak_steps && parse_int_arg("--soak-steps", a->soak_steps, 0, &r.soak)) return EXIT_INPUT;
  if (threads) omp_set_num_threads(threads);
  if (threads_refused(a->threads ? "--threads" : NULL)) return EXIT_INPUT;

  if (comm->rank != 0) r.a.quiet = 1; /* rank 0 speaks for all */

  r.t_start = omp_get_wtime();
  iso_time_now(r.sm.start_time, sizeof r.sm.start_time);
  r.sm.threads = omp_get_max_threads();
  int rc = EXIT_INPUT;
  if (!phase(&r, run_read_case(&r)) && !phase(&r, run_load_mesh(&r)) && !phase(&r, run_pose(&r)) &&
      !phase(&r, run_parts(&r)) && !phase(&r, run_setup(&r)) && !phase(&r, run_prepare(&r)) &&
      !phase(&r, run_open_output(&r)) && !phase(&r, run_solve(&r)) &&
      !phase(&r, run_close_output(&r))) {
    rc = r.res.status == MF_OK ? EXIT_SUCCESS : EXIT_SOLVER;
    if (phase(&r, run_report(&r))) {
      if (rc == EXIT_SUCCESS) rc = EXIT_INPUT;
    } else if (rc != EXIT_SUCCESS && comm->rank == 0) {
      fprintf(stderr, "memfem: error: %s\n", r.res.message);
    }
  }
  run_free(&r);
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

/* memfem partition MESH --parts R: the parts R processes would hold (mesh/mf_partition.h),
 * of the mesh as loaded (before renumbering). */
static int cmd_partition(int argc, char **argv) {
  int parts = 0;
  if (argc != 3 || strcmp(argv[1], "--parts") != 0) {
    usage(stderr);
    return EXIT_INPUT;
  }
  if (parse_int_arg("--parts", argv[2], 1, &parts)) return EXIT_INPUT;
  mf_mesh *mesh = NULL;
  mf_partition *P = NULL;
  int rc = EXIT_SUCCESS;
  if (mf_mesh_load(argv[0], &mesh) || mf_partition_create(mesh, parts, NULL, &P)) {
    mf_error_print();
    rc = EXIT_INPUT;
  } else {
    printf("%s: %lld nodes, %lld %s in %d part%s (METIS k-way on the element dual graph%s)\n", mesh->source,
           (long long)mesh->nodes.n_local, (long long)mesh->n_elems, mesh->elem->plural, parts, parts == 1 ? "" : "s",
           mf_mesh_stored_parts(mesh, parts) ? ", the mesh file's" : "");
    if (mf_partition_report(P, stdout)) {
      mf_error_print();
      rc = EXIT_INPUT;
    }
  }
  mf_partition_destroy(&P);
  mf_mesh_destroy(&mesh);
  return rc;
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
  if (strcmp(cmd, "run") == 0) { /* under mpirun: one part of the mesh per process (issue 14) */
    mf_comm *comm = NULL;
    if (mf_comm_world_start(&argc, &argv, &comm)) {
      mf_error_print();
      return EXIT_INPUT;
    }
    int rc = cmd_run(comm, argc - 2, argv + 2);
    mf_comm_world_end(&comm);
    return rc;
  }
  if (strcmp(cmd, "bench-stream") == 0) return mf_cmd_bench_stream(argc - 2, argv + 2);
  if ((strcmp(cmd, "info") == 0 || strcmp(cmd, "convert") == 0 || strcmp(cmd, "partition") == 0) &&
      threads_refused(NULL))
    return EXIT_INPUT;
  if (strcmp(cmd, "info") == 0) return cmd_info(argc - 2, argv + 2);
  if (strcmp(cmd, "convert") == 0) return mf_cmd_convert(argc - 2, argv + 2);
  if (strcmp(cmd, "partition") == 0) return cmd_partition(argc - 2, argv + 2);
  fprintf(stderr, "memfem: error: unknown command '%s'\n", cmd);
  usage(stderr);
  return EXIT_INPUT;
}
