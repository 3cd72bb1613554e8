/* Results and checkpoints between load steps (mf_run_output.h). */
#include "io/mf_run_output.h"

#include <stdio.h>

#include "io/mf_atomic.h"
#include "io/mf_h5.h"
#include "mem/mf_alloc.h"

struct mf_run_output {
  const mf_case *cs;
  const mf_problem *pb;
  const mf_checkpoint_id *id;
  mf_results *results;
  mf_results_dist dist;    /* across processes (dist.comm set), with its node plan */
  char checkpoint_path[MF_PATH_MAX + 32];
};

/* Across processes: the plan that moves each process's owned rows of u into blocks of
 * the mesh's own node order, for results.h5 and checkpoint.h5 alike (made once). */
static mf_status node_plan(const mf_results_dist *d, const mf_mesh *m, mf_redistribute **out) {
  const mf_idx nn = m->nodes.n_local;
  /* the owned rows of u are the first n_owned local nodes */
  return mf_redistribute_create(d->comm, nn, d->part->n_owned, d->part->node_row, 3,
                                mf_h5_chunk_rows(H5T_IEEE_F64LE, nn, 3), out);
}

static void destroy(mf_run_output **op) {
  if (*op) mf_redistribute_destroy(&(*op)->dist.nodes);
  mf_free(op);
}

mf_status mf_run_output_create(const mf_case *cs, const mf_problem *pb, const mf_checkpoint_id *id,
                               int64_t restart_step, const mf_results_dist *dist, mf_run_output **out) {
  *out = NULL;
  mf_run_output *o;
  MF_CALL(MF_CALLOC_N(o, 1, "run output"));
  o->cs = cs;
  o->pb = pb;
  o->id = id;
  snprintf(o->checkpoint_path, sizeof o->checkpoint_path, "%s/checkpoint.h5", cs->output_dir);
  /* Before anything is written: what killed runs left half-written goes. */
  const int root = !dist || dist->comm->rank == 0; /* one process, or rank 0 */
  mf_status st = root ? mf_atomic_remove_stale(cs->output_dir, stdout, NULL) : MF_OK;
  int failed;
  if (dist) {
    o->dist = *dist;
    o->dist.nodes = NULL;
    if (!(st = mf_comm_agree(dist->comm, st, &failed)) && (cs->output_every > 0 || cs->checkpoint_every > 0))
      st = mf_comm_agree(dist->comm, node_plan(dist, pb->mesh, &o->dist.nodes), &failed);
  }
  /* output.every 0: no field output (benchmarks that time the solver alone). */
  if (!st && cs->output_every > 0)
    st = mf_results_open(cs->output_dir, cs, pb, restart_step, dist ? &o->dist : NULL, &o->results);
  if (st) {
    destroy(&o);
    return st;
  }
  *out = o;
  return MF_OK;
}

/* results.h5 takes each process's own u across processes, the whole u on one */
static const double *results_u(const mf_run_output *o, const mf_step_fields *f) {
  return o->dist.comm ? f->u : f->u_whole;
}

/* One process writes the whole u; across processes every process its block of rows. */
static mf_status write_checkpoint(mf_run_output *o, const mf_loop_state *ls, const mf_step_fields *f) {
  if (!o->dist.comm) return mf_checkpoint_write(o->checkpoint_path, o->id, ls, o->pb->mesh, f->u_whole);
  const double *block;
  int64_t first, count;
  MF_CALL(mf_redistribute_run(o->dist.nodes, f->u, &block));
  mf_redistribute_block(o->dist.nodes, &first, &count);
  return mf_checkpoint_write_blocks(o->checkpoint_path, o->id, ls, o->pb->mesh, o->dist.comm, first, count, block);
}

mf_status mf_run_output_step(void *ctx, const mf_loop_state *ls, const mf_step_fields *f, int last) {
  mf_run_output *o = ctx;
  if (o->results && (last || ls->step % o->cs->output_every == 0))
    MF_CALL(mf_results_write_step(o->results, ls->step, ls->load_factor, results_u(o, f)));
  if (o->cs->checkpoint_every > 0 && ls->step % o->cs->checkpoint_every == 0) MF_CALL(write_checkpoint(o, ls, f));
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
  destroy(op);
  return st;
}
