/* summary.json: the machine-readable record of a run (build, run, mesh, steps,
 * figures of merit, checksum, status), written with cJSON, atomically (temporary
 * file, then rename), so a reader never sees half a file. */
#ifndef MF_SUMMARY_H
#define MF_SUMMARY_H

#include <stdint.h>

#include "io/mf_case.h"
#include "mem/mf_telemetry.h"
#include "mesh/mf_mesh.h"
#include "solver/mf_newton.h"

typedef struct {
  const mf_case *cs;
  const mf_mesh *mesh;
  const mf_run_result *res; /* may hold no steps */
  const mf_problem *pb;     /* probe nodes */
  int threads;
  char start_time[32];      /* ISO 8601, UTC */
  double t_mesh, t_setup, t_total;
  double t_pattern;                /* matrix pattern, inside t_setup */
  const char *assembly;            /* assembly method: colour or blocks */
  int blocks;                      /* blocks (0 for colour) */
  double interface_share;          /* elements assembled by colour / all (1 for colour) */
  int cuts_from_file;              /* run.cuts: 0 made by the run; 1 the mesh file's order and blocks,
                                      2 and its parts too (memfem convert --order --parts), 3 and
                                      each process read its part from the file (io/mf_h5_part.h) */
  int have_reorder;                /* 0: run.seconds.reorder is "n/a" (no renumbering) */
  double t_reorder;
  int have_stream;                 /* 0: fom.stream_triad_gbs and cg_bandwidth_ratio are "n/a" */
  double stream_triad_gbs;         /* best-of-reps STREAM triad at the run's thread count */
  int have_checksum;
  uint64_t checksum;
  int colours;
  size_t solver_bytes;
  size_t matrix_bytes; /* of solver_bytes, the tangent matrix */
  mf_amg_info pc_levels;           /* the preconditioner's hierarchy (0 levels: not multilevel) */
  int64_t peak_rss_bytes;          /* across processes: the largest of any rank's */
  int ranks;                       /* processes (0 or 1: one) */
  int64_t peak_rss_sum_bytes;      /* summed over the ranks */
  double t_comm;                   /* rank 0's time in the communicator (inside the phases) */
  const mf_telemetry_summary *tel; /* may be NULL */
  mf_nodes_scatter scatter;        /* of the node store's coordinate records */
  int release_after_step, soak_steps;
} mf_summary;

mf_status mf_summary_write(const char *dir, const mf_summary *sm);
/* Create a directory and its parents (like mkdir -p). */
mf_status mf_mkdir_p(const char *dir);

#endif
