/* Newton-Raphson load stepping (formulation and policy in mf_newton.h). */
#include "solver/mf_newton.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <string.h>

#include "core/mf_limits.h"
#include "fem/mf_assemble.h"
#include "la/mf_precond.h"
#include "la/mf_vec.h"
#include "mem/mf_alloc.h"
#include "mem/mf_allocator.h"
#include "mem/mf_telemetry.h"
#include "solver/mf_soak.h"

#define LS_MAX_HALVINGS 6   /* smallest step 1/64 of the Newton step */
#define LS_SUFFICIENT 1e-4  /* Armijo-like decrease on ||R|| */

struct mf_solver {
  const mf_problem *pb;
  const mf_case *cs;
  mf_nnz ndof;
  mf_bcsr *K;
  mf_precond *pc;
  mf_cg *cg;
  mf_assembly *asmb;
  mf_telemetry *tel;
  double *u, *u_prev, *u_trial, *du, *fint, *rhs, *ws;
  double t_pattern;
};

mf_status mf_solver_create(const mf_problem *pb, mf_solver **out) {
  *out = NULL;
  mf_solver *s;
  MF_CALL(MF_CALLOC_N(s, 1, "solver"));
  s->pb = pb;
  s->cs = pb->cs;
  s->ndof = pb->ndof;
  const mf_idx n = pb->mesh->nodes.n_local;
  /* The assembly plan first: METIS's blocking of the element dual graph needs several
   * times the mesh in temporary memory; made before the matrix exists, that memory no
   * longer stacks on the matrix in the process's peak RSS (60^3 box: 564 -> 419 MiB;
   * docs/results.md). */
  mf_status st = mf_assembly_create(pb->mesh, pb->region_mat, s->cs->assembly, &s->asmb);
  double t0 = omp_get_wtime();
  if (!st) st = mf_bcsr_create_from_mesh(pb->mesh, &s->K);
  s->t_pattern = omp_get_wtime() - t0;
  if (st || (st = mf_precond_create(s->cs->pc, n, &s->pc)) || (st = mf_cg_create(n, &s->cg)) ||
      (st = MF_ALLOC_N(s->u, s->ndof, "displacement")) || (st = MF_ALLOC_N(s->u_prev, s->ndof, "step start")) ||
      (st = MF_ALLOC_N(s->u_trial, s->ndof, "line-search trial")) ||
      (st = MF_ALLOC_N(s->du, s->ndof, "Newton increment")) ||
      (st = MF_ALLOC_N(s->fint, s->ndof, "internal force")) ||
      (st = MF_ALLOC_N(s->rhs, s->ndof, "right-hand side")) ||
      (st = MF_ALLOC_N(s->ws, mf_vec_reduce_ws_size(s->ndof), "reduction workspace"))) {
    mf_solver_destroy(&s);
    return st;
  }
  double *vecs[] = {s->u, s->u_prev, s->u_trial, s->du, s->fint, s->rhs};
  for (size_t i = 0; i < sizeof vecs / sizeof *vecs; i++) mf_vec_set(s->ndof, 0.0, vecs[i]);
  *out = s;
  return MF_OK;
}

void mf_solver_destroy(mf_solver **sp) {
  mf_solver *s = *sp;
  if (!s) return;
  mf_bcsr_destroy(&s->K);
  mf_precond_destroy(&s->pc);
  mf_cg_destroy(&s->cg);
  mf_assembly_destroy(&s->asmb);
  double **vecs[] = {&s->u, &s->u_prev, &s->u_trial, &s->du, &s->fint, &s->rhs, &s->ws};
  for (size_t i = 0; i < sizeof vecs / sizeof *vecs; i++) mf_free(vecs[i]);
  mf_free(sp);
}

const double *mf_solver_displacement(const mf_solver *s) { return s->u; }
void mf_solver_set_telemetry(mf_solver *s, mf_telemetry *tel) { s->tel = tel; }
int mf_solver_colours(const mf_solver *s) { return mf_assembly_colours(s->asmb); }

const mf_assembly *mf_solver_assembly(const mf_solver *s) { return s->asmb; }
double mf_solver_pattern_seconds(const mf_solver *s) { return s->t_pattern; }

size_t mf_solver_memory_bytes(const mf_solver *s) {
  int pc_per_row = s->pc->type == MF_PC_BLOCK_JACOBI ? 9 : s->pc->type == MF_PC_JACOBI ? 3 : 0;
  return mf_bcsr_memory_bytes(s->K) + (size_t)s->ndof * sizeof(double) * (6 + 4) +
         (size_t)s->K->n_rows * pc_per_row * sizeof(double);
}

/* rhs = -(fint - lf fext) on free dofs, 0 on constrained ones; returns ||rhs||. */
static double residual(mf_solver *s, double lf) {
  const uint8_t *mask = s->pb->bc_mask;
  const double *fext = s->pb->fext, *fint = s->fint;
  double *rhs = s->rhs;
#pragma omp parallel for schedule(static)
  for (mf_nnz i = 0; i < s->ndof; i++) rhs[i] = mask[i] ? 0.0 : lf * fext[i] - fint[i];
  return mf_vec_norm2(s->ndof, rhs, s->ws);
}

/* Largest |lf value - u| over constrained dofs: what the prescribed values still lack. */
static double dirichlet_gap(const mf_solver *s, double lf) {
  const uint8_t *mask = s->pb->bc_mask;
  const double *val = s->pb->bc_value, *u = s->u;
  double gap = 0.0;
#pragma omp parallel for schedule(static) reduction(max : gap)
  for (mf_nnz i = 0; i < s->ndof; i++)
    if (mask[i]) {
      double g = fabs(lf * val[i] - u[i]);
      if (g > gap) gap = g;
    }
  return gap;
}

/* Impose du = lf value - u on constrained dofs: move the known columns to the right-hand
 * side, then replace constrained rows and columns by the identity. The matrix stays
 * symmetric positive definite for CG. Rows are independent: parallel and deterministic. */
static void apply_dirichlet(mf_solver *s, double lf) {
  mf_bcsr *K = s->K;
  const uint8_t *mask = s->pb->bc_mask;
  const double *val = s->pb->bc_value, *u = s->u;
  double *rhs = s->rhs;
#pragma omp parallel for schedule(static)
  for (mf_idx i = 0; i < K->n_rows; i++) {
    for (mf_nnz p = K->row_ptr[i]; p < K->row_ptr[i + 1]; p++) {
      mf_idx j = K->col[p];
      double *blk = &K->val[9 * p];
      for (int r = 0; r < 3; r++) {
        mf_nnz dr = 3 * (mf_nnz)i + r;
        for (int c = 0; c < 3; c++) {
          mf_nnz dc = 3 * (mf_nnz)j + c;
          if (!mask[dc] && !mask[dr]) continue;
          if (mask[dc] && !mask[dr]) rhs[dr] -= blk[3 * r + c] * (lf * val[dc] - u[dc]);
          blk[3 * r + c] = (dr == dc) ? 1.0 : 0.0;
        }
      }
    }
    for (int r = 0; r < 3; r++) {
      mf_nnz dr = 3 * (mf_nnz)i + r;
      if (mask[dr]) rhs[dr] = lf * val[dr] - u[dr];
    }
  }
}

static void swap(double **a, double **b) {
  double *t = *a;
  *a = *b;
  *b = t;
}

typedef struct {
  double t_asm, t_solve;
  long long elements;
  int cg_iterations, cg_unconverged;
  double t_spmv, t_pc, t_vec, cg_bytes;
} step_counters;

static mf_status timed_assemble(mf_solver *s, const double *u, int tangent, step_counters *c) {
  double t0 = omp_get_wtime();
  mf_status st = mf_assemble(s->asmb, u, tangent ? s->K : NULL, s->fint);
  double dt = omp_get_wtime() - t0;
  c->t_asm += dt;
  mf_telemetry_add_times(s->tel, dt, 0.0, 0.0, 0.0);
  c->elements += s->pb->mesh->n_elems;
  return st;
}

/* One load step's Newton loop to factor lf; fills rec (residual norms, iterations). */
static mf_status newton_step(mf_solver *s, int step, double lf, mf_step_record *rec, step_counters *c) {
  const mf_case *cs = s->cs;
  double rref = 0.0, du_norm = INFINITY;
  int have_tangent = 0;
  for (int k = 0;; k++) {
    mf_telemetry_next(s->tel, step, k, lf);
    if (!have_tangent) MF_CALL(timed_assemble(s, s->u, 1, c));
    have_tangent = 0;
    double rnorm = residual(s, lf);
    double gap = dirichlet_gap(s, lf);
    if (!isfinite(rnorm)) return MF_ERROR(MF_ERR_NONFINITE, "non-finite residual at Newton iteration %d", k);
    rec->residual_norms[rec->n_residuals++] = rnorm;
    if (rnorm > rref) rref = rnorm;
    rec->newton_iterations = k;
    if (gap == 0.0) {
      double unorm = mf_vec_norm2(s->ndof, s->u, s->ws);
      rec->converged_by = rnorm <= cs->newton_atol          ? "atol"
                          : rnorm <= cs->newton_rtol * rref ? "rtol"
                          : (k > 0 && du_norm <= cs->newton_dtol * unorm) ? "dtol"
                                                                           : NULL;
      if (rec->converged_by) return MF_OK;
    }
    if (k >= cs->newton_max_iter)
      return MF_ERROR(MF_ERR_SOLVER, "Newton did not converge in %d iterations (|R| = %.3e, reference %.3e)",
                      cs->newton_max_iter, rnorm, rref);

    double t0 = omp_get_wtime();
    apply_dirichlet(s, lf);
    mf_status st = mf_precond_setup(s->pc, s->K);
    mf_cg_stats cgs = {0};
    if (!st) st = mf_cg_solve(s->cg, s->K, s->pc, s->rhs, s->du, cs->cg_rtol, cs->cg_max_iter, &cgs);
    c->t_solve += omp_get_wtime() - t0;
    c->cg_iterations += cgs.iterations;
    c->cg_unconverged += !cgs.converged;
    c->t_spmv += cgs.t_spmv;
    c->t_pc += cgs.t_pc;
    c->t_vec += cgs.t_vec;
    c->cg_bytes += cgs.bytes;
    mf_telemetry_add_times(s->tel, 0.0, cgs.t_spmv, cgs.t_pc, cgs.t_vec);
    if (st) return st;

    if (gap > 0.0 || !cs->line_search) { /* the prescribed jump must be taken whole */
      mf_vec_axpy(s->ndof, 1.0, s->du, s->u);
      du_norm = mf_vec_norm2(s->ndof, s->du, s->ws);
      continue;
    }
    /* Backtracking on ||R||: the full step is assembled with its tangent, so an accepted
     * full step (the usual case) costs no extra assembly. */
    double alpha = 1.0;
    mf_status last = MF_OK;
    int accepted = 0;
    for (int h = 0; h <= LS_MAX_HALVINGS; h++, alpha *= 0.5) {
      mf_vec_waxpy(s->ndof, alpha, s->u, s->du, s->u_trial);
      last = timed_assemble(s, s->u_trial, h == 0, c);
      if (last == MF_ERR_NONFINITE) { mf_error_clear(); continue; }
      if (last) return last;
      double rt = residual(s, lf);
      if (isfinite(rt) && (rt <= (1.0 - LS_SUFFICIENT * alpha) * rnorm || h == LS_MAX_HALVINGS)) {
        accepted = 1;
        break;
      }
    }
    if (!accepted) {
      if (last == MF_ERR_NONFINITE)
        return MF_ERROR(MF_ERR_NONFINITE, "every line-search step inverts an element or gives a non-finite residual");
      return MF_ERROR(MF_ERR_NONFINITE, "line search found no finite residual");
    }
    swap(&s->u, &s->u_trial);
    du_norm = alpha * mf_vec_norm2(s->ndof, s->du, s->ws);
    have_tangent = (alpha == 1.0);
    if (!have_tangent) continue;
  }
}

static int recoverable(mf_status st) { return st == MF_ERR_NONFINITE || st == MF_ERR_SOLVER; }

/* A cut-back step below MF_MIN_LOAD_STEP (core/mf_limits.h) no longer moves the load
 * factor by a meaningful amount: the run fails as a solver failure instead of creeping
 * on with steps that "converge" without changing anything. */
static mf_status below_min_step(mf_run_result *res, double target, double next_dl) {
  if (next_dl >= MF_MIN_LOAD_STEP) return MF_OK;
  snprintf(res->message, sizeof res->message,
           "load step to factor %.6g failed and a cut-back step of %.3e would be below the smallest load step %.3e "
           "(last: %s)",
           target, next_dl, MF_MIN_LOAD_STEP, mf_error_message());
  mf_error_clear();
  return MF_ERROR(MF_ERR_SOLVER, "%s", res->message);
}

/* Reactions and probe values of a converged step (fint is at the converged u). */
static void record_outputs(mf_solver *s, double lf, mf_step_record *rec) {
  const mf_problem *pb = s->pb;
  for (int i = 0; i < s->cs->n_dirichlet; i++) {
    const mf_group *g = pb->bc_group[i];
    double r[3] = {0, 0, 0};
    for (mf_idx k = 0; k < g->n_nodes; k++)
      for (int c = 0; c < 3; c++) {
        mf_nnz d = 3 * (mf_nnz)g->nodes[k] + c;
        r[c] += s->fint[d] - lf * pb->fext[d];
      }
    memcpy(rec->reactions[i], r, sizeof r);
  }
  for (int p = 0; p < s->cs->n_probes; p++)
    for (int c = 0; c < 3; c++) rec->probe_u[p][c] = s->u[3 * (mf_nnz)pb->probe_node[p] + c];
}

static mf_status new_record(mf_run_result *res, const mf_case *cs, mf_step_record **rec) {
  mf_step_record *grown;
  MF_CALL(MF_ALLOC_N(grown, (size_t)res->n_steps + 1, "step records"));
  if (res->n_steps) memcpy(grown, res->steps, (size_t)res->n_steps * sizeof *grown);
  mf_free(&res->steps);
  res->steps = grown;
  mf_step_record *r = &res->steps[res->n_steps];
  memset(r, 0, sizeof *r);
  mf_status st;
  if ((st = MF_ALLOC_N(r->residual_norms, (size_t)cs->newton_max_iter + 1, "residual history")) ||
      (st = MF_CALLOC_N(r->reactions, (size_t)cs->n_dirichlet + 1, "reactions")) ||
      (st = MF_CALLOC_N(r->probe_u, (size_t)cs->n_probes + 1, "probe values"))) {
    mf_free(&r->residual_norms);
    mf_free(&r->reactions);
    return st;
  }
  *rec = r;
  return MF_OK;
}

static void free_record(mf_step_record *r) {
  mf_free(&r->residual_norms);
  mf_free(&r->reactions);
  mf_free(&r->probe_u);
}

/* Between steps: keep soak data, hand memory back if asked, flush telemetry. */
static mf_status after_step(mf_solver *s, const mf_run_options *opt, mf_soak *soak, int step, double lf) {
  if (soak) MF_CALL(mf_soak_keep_step(soak, step, s->u, s->ndof));
  if (opt->release_after_step) {
    mf_allocator_release();
    mf_telemetry_sample(s->tel, step, lf);
  }
  return mf_telemetry_flush(s->tel);
}

mf_status mf_solver_run(mf_solver *s, const mf_run_options *opt, mf_run_result *res) {
  const mf_case *cs = s->cs;
  memset(res, 0, sizeof *res);
  const int count = opt->steps_override > 0 ? opt->steps_override : cs->steps;
  const int max_steps = opt->max_steps > 0 ? opt->max_steps : MF_MAX_STEP_ATTEMPTS;
  const double dl_nominal = 1.0 / count;
  double lf = 0.0, dl = dl_nominal;
  int cutbacks_in_row = 0, easy = 0, attempts = 0, base = 0;
  int soaking = 0, soak_done = 0, unloading = 1; /* soak: cycle between 1 and 0.5 */
  mf_soak *soak = NULL;
  mf_status st = MF_OK;
  if (opt->soak_steps > 0) MF_CALL(mf_soak_create(s->pb->mesh->n_elems, &soak));

  mf_vec_set(s->ndof, 0.0, s->u);
  if (opt->resume) { /* continue a checkpointed run exactly where it stood */
    const mf_loop_state *r = opt->resume;
    base = r->step, attempts = r->attempts, lf = r->load_factor, dl = r->step_size, easy = r->easy;
    soaking = r->soaking, soak_done = r->soak_done, unloading = r->unloading;
    mf_vec_copy(s->ndof, opt->resume_u, s->u);
    res->final_load_factor = lf;
  }
  while (attempts++ < max_steps) {
    if (!soaking && lf >= 1.0) soaking = opt->soak_steps > 0 ? 1 : -1;
    if (soaking < 0 || (soaking > 0 && soak_done >= opt->soak_steps)) break;
    double target;
    if (soaking) target = unloading ? fmax(0.5, lf - dl) : fmin(1.0, lf + dl);
    else target = (1.0 - (lf + dl) < 1e-12 * dl_nominal) ? 1.0 : lf + dl;
    mf_step_record *rec;
    if ((st = new_record(res, cs, &rec))) break;
    double t0 = omp_get_wtime();
    step_counters c = {0};
    mf_vec_copy(s->ndof, s->u, s->u_prev);
    mf_error_clear();
    st = newton_step(s, base + res->n_steps + 1, target, rec, &c);
    mf_telemetry_end(s->tel);
    res->elements_assembled += c.elements;
    res->t_assembly += c.t_asm;
    res->t_solve += c.t_solve;
    res->t_cg_spmv += c.t_spmv;
    res->t_cg_pc += c.t_pc;
    res->t_cg_vec += c.t_vec;
    res->cg_bytes += c.cg_bytes;
    res->cg_iterations += c.cg_iterations;
    if (st == MF_OK) {
      rec->step = base + res->n_steps + 1;
      rec->load_factor = target;
      rec->converged = 1;
      rec->cutbacks = cutbacks_in_row;
      rec->cg_iterations = c.cg_iterations;
      rec->cg_unconverged = c.cg_unconverged;
      record_outputs(s, target, rec);
      rec->t_assembly = c.t_asm;
      rec->t_solve = c.t_solve;
      rec->t_spmv = c.t_spmv;
      rec->t_pc = c.t_pc;
      rec->t_vec = c.t_vec;
      res->n_steps++;
      lf = target;
      res->final_load_factor = lf;
      cutbacks_in_row = 0;
      if (soaking) {
        soak_done++;
        if (lf <= 0.5) unloading = 0;
        else if (lf >= 1.0) unloading = 1;
      }
      if ((st = after_step(s, opt, soak, rec->step, lf))) break;
      rec->t_other = omp_get_wtime() - t0 - c.t_asm - c.t_solve;
      if (!opt->quiet) {
        printf("step %4d  load %.6f  newton %2d  |R| %.3e  cg %6d  %8.3f s\n", rec->step, lf,
               rec->newton_iterations, rec->residual_norms[rec->n_residuals - 1], rec->cg_iterations,
               rec->t_assembly + rec->t_solve + rec->t_other);
        fflush(stdout);
      }
      easy = rec->newton_iterations <= (cs->newton_max_iter + 3) / 4 ? easy + 1 : 0;
      if (easy >= 2 && dl < dl_nominal) {
        dl = fmin(2.0 * dl, dl_nominal);
        easy = 0;
      }
      if (opt->on_step) {
        const mf_loop_state ls = {rec->step, attempts, lf, dl, easy, soaking, soak_done, unloading};
        int last = opt->soak_steps > 0 ? (soaking && soak_done >= opt->soak_steps) : lf >= 1.0;
        double th = omp_get_wtime();
        st = opt->on_step(opt->on_step_ctx, &ls, s->u, last);
        rec->t_output = omp_get_wtime() - th;
        res->t_output += rec->t_output;
        if (st) break;
      }
      continue;
    }
    free_record(rec);
    if (!recoverable(st)) break;
    /* Cut back: restore the last converged state and halve the step. */
    mf_vec_copy(s->ndof, s->u_prev, s->u);
    if (++cutbacks_in_row > cs->max_cutbacks) {
      snprintf(res->message, sizeof res->message,
               "load step to factor %.6g failed after %d cutbacks (last: %s)", target, cs->max_cutbacks,
               mf_error_message());
      mf_error_clear();
      st = MF_ERROR(MF_ERR_SOLVER, "%s", res->message);
      break;
    }
    if ((st = below_min_step(res, target, 0.5 * dl))) break;
    if (!opt->quiet) {
      printf("cutback   load %.6f -> step %.3e: %s\n", target, dl / 2, mf_error_message());
      fflush(stdout);
    }
    dl *= 0.5;
    easy = 0;
    st = MF_OK;
  }
  mf_soak_destroy(&soak);
  if (st == MF_OK && !soaking) {
    snprintf(res->message, sizeof res->message, "stopped after %d step attempts at load factor %.6g", max_steps, lf);
    st = MF_ERROR(MF_ERR_SOLVER, "%s", res->message);
  }
  if (st && !res->message[0]) snprintf(res->message, sizeof res->message, "%s", mf_error_message());
  res->status = st;
  return st;
}

void mf_run_result_free(mf_run_result *r) {
  for (int i = 0; i < r->n_steps; i++) free_record(&r->steps[i]);
  mf_free(&r->steps);
  r->n_steps = 0;
}
