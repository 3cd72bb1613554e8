/* Results and checkpoints between load steps (mf_run_output.h). */
#include "io/mf_run_output.h"

#include <stdio.h>

#include "io/mf_atomic.h"
#include "mem/mf_alloc.h"

struct mf_run_output {
  const mf_case *cs;
  const mf_problem *pb;
  const mf_checkpoint_id *id;
  mf_results *results;
  int root, across; /* writes checkpoints (one process, or rank 0); across processes */
  char checkpoint_path[MF_PATH_MAX + 32];
};

mf_status mf_run_output_create(const mf_case *cs, const mf_problem *pb, const mf_checkpoint_id *id,
                               int64_t restart_step, const mf_results_dist *dist, mf_run_output **out) {
  *out = NULL;
  mf_run_output *o;
  MF_CALL(MF_CALLOC_N(o, 1, "run output"));
  o->cs = cs;
  o->pb = pb;
  o->id = id;
  o->root = !dist || dist->comm->rank == 0;
  o->across = dist != NULL;
  snprintf(o->checkpoint_path, sizeof o->checkpoint_path, "%s/checkpoint.h5", cs->output_dir);
  /* Before anything is written: what killed runs left half-written goes. */
  mf_status st = o->root ? mf_atomic_remove_stale(cs->output_dir, stdout, NULL) : MF_OK;
  int failed;
  if (dist) st = mf_comm_agree(dist->comm, st, &failed);
  if (st) {
    mf_free(&o);
    return st;
  }
  /* output.every 0: no field output (benchmarks that time the solver alone). */
  st = cs->output_every > 0 ? mf_results_open(cs->output_dir, cs, pb, restart_step, dist, &o->results) : MF_OK;
  if (st) {
    mf_free(&o);
    return st;
  }
  *out = o;
  return MF_OK;
}

/* results.h5 takes each process's own u across processes, the whole u on one */
static const double *results_u(const mf_run_output *o, const mf_step_fields *f) {
  return o->across ? f->u : f->u_whole;
}

mf_status mf_run_output_step(void *ctx, const mf_loop_state *ls, const mf_step_fields *f, int last) {
  mf_run_output *o = ctx;
  if (o->results && (last || ls->step % o->cs->output_every == 0))
    MF_CALL(mf_results_write_step(o->results, ls->step, ls->load_factor, results_u(o, f)));
  if (o->root && o->cs->checkpoint_every > 0 && ls->step % o->cs->checkpoint_every == 0)
    MF_CALL(mf_checkpoint_write(o->checkpoint_path, o->id, ls, o->pb->mesh, f->u_whole));
  return MF_OK;
}

mf_status mf_run_output_final(mf_run_output *o, int64_t step, double lf, const mf_step_fields *f) {
  if (!o->results || step <= 0 || mf_results_last_step(o->results) >= step) return MF_OK;
  return mf_results_write_step(o->results, step, lf, results_u(o, f));
}

mf_status mf_run_output_destroy(mf_run_output **op) {
  mf_run_output *o = *op;
  if (!o) return MF_OK;
  mf_status st = mf_results_close(&o->results);
  mf_free(op);
  return st;
}
