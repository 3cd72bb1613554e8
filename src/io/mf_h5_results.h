/* DIR/results.h5 and DIR/results.xdmf: the run's fields for ParaView and scripts.
 *
 * results.h5
 *   /              attributes memfem_version, build, case_file, case_text, units (a case
 *                  file over 60,000 bytes: dataset /case_text, uint8, and the attribute
 *                  says so)
 *   /mesh          the mesh, once (layout in mf_h5_mesh.h)
 *   /steps/NNNNNN  one group per written step (6-digit step number), attributes step,
 *                  load_factor; datasets
 *     displacement   float64 [nodes x 3]  in /mesh/coordinates' node order
 *     cauchy_stress  float64 [elems x 6]  attribute voigt_order = "xx xy xz yy yz zz"
 *     von_mises      float64 [elems]
 * Datasets are chunked, deflated when output.compression > 0. After each step the file
 * is flushed and results.xdmf is rewritten atomically, so a killed run leaves both
 * readable with every step written so far. Nothing is allocated per step: the stress
 * buffers are made at open.
 *
 * Across processes (issue 14) the file is the same, written by all of them: rank 0
 * creates it, writes the header and the mesh, and creates each step's group and datasets
 * (as /steps/writing, renamed to its number once complete: a killed run leaves no
 * half-written step under a step's name, and a restart drops /steps/writing); then every
 * process computes the stress of its own elements and writes its block of rows of each
 * dataset with parallel HDF5 (io/mf_h5_collective.h), after moving its owned rows into
 * blocks of the file's order (la/mf_redistribute.h). No process gathers a whole field. */
#ifndef MF_H5_RESULTS_H
#define MF_H5_RESULTS_H

#include <stdint.h>

#include "core/mf_error.h"
#include "core/mf_comm.h"
#include "io/mf_case.h"
#include "la/mf_redistribute.h"
#include "mesh/mf_partition.h"
#include "solver/mf_problem.h"

typedef struct mf_results mf_results;

/* Across processes: this process's part of the whole problem. */
typedef struct {
  mf_comm *comm;
  const mf_part *part;           /* this process's (its file rows place its values; the
                                    writer reads its own-element list, so it outlives the writer) */
  const mf_problem *part_pb;     /* its problem: the mesh and numbering of its u */
  mf_redistribute *nodes;        /* its owned rows of u into blocks of the mesh's node rows,
                                    aligned to the chunks of a nodes x 3 float64 dataset
                                    (made by the caller, which checkpoints share) */
} mf_results_dist;

/* Create DIR/results.h5 and results.xdmf for a new run (keep_upto < 0), or, for a
 * restart from step keep_upto, reopen an existing results.h5 of the same mesh and drop
 * the steps after keep_upto (a file that is missing, unreadable or of another mesh is
 * replaced by a new one). pb: the whole mesh's problem. dist: NULL on one process;
 * across processes every process calls this (collective) with its part. */
mf_status mf_results_open(const char *dir, const mf_case *cs, const mf_problem *pb, int64_t keep_upto,
                          const mf_results_dist *dist, mf_results **r);
/* Write one converged step: displacement u (3 per node: the whole mesh's on one process;
 * across processes this process's local u, owned rows then current ghosts, and the call
 * is collective), stress, von Mises, load factor. */
mf_status mf_results_write_step(mf_results *r, int64_t step, double load_factor, const double *u);
/* Last step written, or -1 (the same on every process). */
int64_t mf_results_last_step(const mf_results *r);
/* Close the file (flushing it); NULL is fine. */
mf_status mf_results_close(mf_results **r);

/* von Mises stress of a Cauchy stress in memfem's order xx yy zz xy yz xz. */
double mf_von_mises(const double s[6]);

#endif
