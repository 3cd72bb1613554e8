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
 * buffers are made at open. */
#ifndef MF_H5_RESULTS_H
#define MF_H5_RESULTS_H

#include <stdint.h>

#include "core/mf_error.h"
#include "io/mf_case.h"
#include "solver/mf_problem.h"

typedef struct mf_results mf_results;

/* Create DIR/results.h5 and results.xdmf for a new run (keep_upto < 0), or, for a
 * restart from step keep_upto, reopen an existing results.h5 of the same mesh and drop
 * the steps after keep_upto (a file that is missing, unreadable or of another mesh is
 * replaced by a new one). */
mf_status mf_results_open(const char *dir, const mf_case *cs, const mf_problem *pb, int64_t keep_upto,
                          mf_results **r);
/* Write one converged step: displacement u (3 per node), stress, von Mises, load factor. */
mf_status mf_results_write_step(mf_results *r, int64_t step, double load_factor, const double *u);
/* Last step written, or -1. */
int64_t mf_results_last_step(const mf_results *r);
/* Close the file (flushing it); NULL is fine. */
mf_status mf_results_close(mf_results **r);

/* von Mises stress of a Cauchy stress in memfem's order xx yy zz xy yz xz. */
double mf_von_mises(const double s[6]);

#endif
