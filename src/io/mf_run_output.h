/* What a run writes between load steps: results (every output.every-th step and the
 * last) and checkpoints (every checkpoint.every-th step). mf_run_output_step is the
 * solver's step hook (mf_step_hook). */
#ifndef MF_RUN_OUTPUT_H
#define MF_RUN_OUTPUT_H

#include "io/mf_checkpoint.h"
#include "io/mf_h5_results.h"

typedef struct mf_run_output mf_run_output;

/* Open DIR/results.h5 (reopened up to restart_step when >= 0). `id` fingerprints the
 * run for checkpoints; pb (the whole mesh's problem), cs, id and dist must outlive the
 * object. dist: NULL on one process; across processes every process creates one
 * (collective; dist->nodes is ignored: the object makes that plan), and results.h5 and
 * checkpoints are written by all, each process its own rows (mf_h5_results.h,
 * mf_checkpoint_write_blocks). */
mf_status mf_run_output_create(const mf_case *cs, const mf_problem *pb, const mf_checkpoint_id *id,
                               int64_t restart_step, const mf_results_dist *dist, mf_run_output **o);
/* The step hook: ctx is the mf_run_output. */
mf_status mf_run_output_step(void *ctx, const mf_loop_state *ls, const mf_step_fields *f, int last);
/* After the run: write the last converged step if it was not written (a failed run).
 * Collective across processes. */
mf_status mf_run_output_final(mf_run_output *o, int64_t step, double load_factor, const mf_step_fields *f);
mf_status mf_run_output_destroy(mf_run_output **o);

#endif
