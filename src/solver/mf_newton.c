/* Newton-Raphson load stepping (formulation and policy in mf_newton.h). */
#include "solver/mf_newton.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mf_limits.h"
#include "la/mf_dist_matrix.h"
#include "la/mf_gather.h"
#include "la/mf_halo.h"
#include "la/mf_vec.h"
#include "mem/mf_alloc.h"
#include "mem/mf_allocator.h"
#include "mem/mf_telemetry.h"
#include "solver/mf_soak.h"

#define LS_MAX_HALVINGS 6   /* smallest step 1/64 of the Newton step */
#define LS_SUFFICIENT 1e-4  /* Armijo-like decrease on ||R|| */
#define GUESS_MARGIN 0.1    /* a residual guessed to pass the Newton test by this factor */

const mf_name mf_matrix_storage_names[] = {{"full", MF_MATRIX_FULL}, {"symmetric", MF_MATRIX_SYMMETRIC}, {NULL, 0}};

mf_solver_options mf_solver_options_default(void) {
  return (mf_solver_options){
      .newton = {.rtol = 1e-8, .atol = 1e-10, .dtol = 1e-12, .max_iter = 25, .line_search = 1},
      .steps = {.count = 1, .max_cutbacks = 10},
      .linear = mf_linear_options_default(),
      .assembly = MF_ASSEMBLY_BLOCKS, /* measured: docs/performance.md, Assembly order */
      .matrix = MF_MATRIX_FULL,
  };
}

struct mf_solver {
  const mf_problem *pb;
  mf_solver_options opt;
  mf_nnz ndof;
  mf_vec_layout *layout; /* 3 unknowns per node, owned nodes then ghosts */
  mf_bcsr *K;
  mf_operator Kop;       /* K as CG sees it */
  mf_pc *pc;
  mf_cg *cg;
  mf_assembly *asmb;
  mf_telemetry *tel;
  double *u, *u_prev, *u_trial, *du, *fint, *rhs;
  double *xyz;           /* node coordinates for the preconditioner (3 per node) */
  double t_pattern;
  int pc_ready;          /* the preconditioner holds a set-up that may be reused */
  int tangent_at_u;      /* K (and A) and fint are the tangent and internal force at u,
                            untouched since: the last converged step's, which the next
                            step's first iteration takes instead of assembling them again */
  int linear;            /* mf_problem_is_linear: K does not depend on u */
  int pc_fresh_iters;    /* CG iterations of the first solve after the last set-up */
  int pc_last_iters;     /* and of the last solve */
  mf_idx elems_own;      /* elements this process assembles for its own rows' sake */
  const mf_operator *op; /* what CG and the preconditioner see: &Kop, or dist_op */
  mf_bcsr *A;            /* the rows op multiplies with and Dirichlet rows: K itself on one
                            process, the owned rows of K across processes: a view of
                            them (A_shares_K) or, where the assembly searches, a copy */
  int A_shares_K;
  /* across processes (issue 14; NULL on one process) */
  mf_comm *comm;
  const mf_problem *whole; /* rank 0 records reactions and probes on it */
  const mf_part *part;     /* this process's (borrowed) */
  const mf_idx *gid;       /* local node -> mesh node (mf_part.nodes) */
  mf_nnz *from;            /* where A's blocks come from in K (a copy only) */
  mf_halo *halo;
  mf_operator *dist_op;
  mf_gather *gather_sel;   /* the boundary groups' and probes' nodes onto rank 0, each step */
  double *u_sel, *fint_sel;  /* rank 0: u and f_int at those nodes, */
  double *fext_sel;          /* and the external force (the parts hold it; rank 0 keeps no whole field) */
  mf_idx *bc_row, *probe_row; /* rank 0: each boundary group node's and probe's row of them */
};

/* What both ways of making a solver share, after the matrix and the operator: the
 * solve's vectors, each first written by mf_vec_set's static schedule (first touch),
 * and the preconditioner. */
static mf_status create_vectors(mf_solver *s) {
  mf_status st;
  if ((st = mf_cg_create(s->layout, &s->cg)) || (st = MF_ALLOC_N(s->u, s->ndof, "displacement")) ||
      (st = MF_ALLOC_N(s->u_prev, s->ndof, "step start")) ||
      (st = MF_ALLOC_N(s->u_trial, s->ndof, "line-search trial")) ||
      (st = MF_ALLOC_N(s->du, s->ndof, "Newton increment")) ||
      (st = MF_ALLOC_N(s->fint, s->ndof, "internal force")) ||
      (st = MF_ALLOC_N(s->rhs, s->ndof, "right-hand side")))
    return st;
  double *vecs[] = {s->u, s->u_prev, s->u_trial, s->du, s->fint, s->rhs};
  for (size_t i = 0; i < sizeof vecs / sizeof *vecs; i++) mf_vec_set(s->ndof, 0.0, vecs[i]);
  return MF_OK;
}

static mf_status create_pc(mf_solver *s) {
  const mf_nodes *ns = &s->pb->mesh->nodes;
  if (mf_pc_wants_coordinates(s->opt.linear.pc.type)) { /* a multigrid's rigid-body modes */
    MF_CALL(MF_ALLOC_N(s->xyz, 3 * (size_t)ns->n_local + 1, "preconditioner coordinates"));
    for (mf_idx i = 0; i < ns->n_local; i++) mf_nodes_coords(ns, i, &s->xyz[3 * (size_t)i]);
  }
  MF_CALL(mf_pc_create(&s->opt.linear.pc, &s->pc));
  mf_pc_set_coordinates(s->pc, s->xyz, ns->global_id);
  if (s->halo) mf_pc_set_distribution(s->pc, s->gid, s->halo); /* across processes */
  return mf_pc_setup_symbolic(s->pc, s->op);
}

/* The solver's first fields, for both ways of making one. */
static mf_status solver_new(const mf_problem *pb, const mf_solver_options *opt, mf_idx elems_own, mf_solver **out) {
  MF_CALL(MF_CALLOC_N(*out, 1, "solver"));
  mf_solver *s = *out;
  s->pb = pb;
  s->opt = *opt;
  s->ndof = pb->ndof;
  s->elems_own = elems_own;
  s->linear = mf_problem_is_linear(pb);
  return MF_OK;
}

/* The vectors after a set-up that went well (st), and the solver handed out; or, on
 * any failure, everything made so far freed. */
static mf_status solver_finish(mf_solver *s, mf_status st, mf_solver **out) {
  if (st || (st = create_vectors(s))) {
    mf_solver_destroy(&s);
    return st;
  }
  *out = s;
  return MF_OK;
}

mf_status mf_solver_create(const mf_problem *pb, const mf_solver_options *opt, mf_solver **out) {
  *out = NULL;
  mf_solver *s;
  MF_CALL(solver_new(pb, opt, pb->mesh->n_elems, &s));
  const mf_nodes *ns = &pb->mesh->nodes;
  /* The assembly plan first: METIS's blocking of the element dual graph needs several
   * times the mesh in temporary memory; made before the matrix exists, that memory no
   * longer stacks on the matrix in the process's peak RSS (60^3 box: 564 -> 419 MiB;
   * docs/results.md). */
  mf_status st = mf_assembly_create(pb->mesh, pb->shape, pb->region_mat, opt->assembly, &s->asmb);
  double t0 = omp_get_wtime();
  if (!st) st = mf_bcsr_create_from_mesh(pb->mesh, 3, opt->matrix == MF_MATRIX_SYMMETRIC, &s->K);
  s->t_pattern = omp_get_wtime() - t0;
  s->A = s->K;
  if (!st && !(st = mf_vec_layout_create(ns->n_owned, ns->n_ghost, 3, &s->layout))) {
    mf_vec_layout_set_exact(s->layout, opt->linear.reproducible);
    s->Kop = mf_bcsr_operator(s->K, s->layout);
    s->op = &s->Kop;
    if (!(st = mf_assembly_bind(s->asmb, s->K))) st = create_pc(s);
  }
  return solver_finish(s, st, out);
}

/* Across processes only what the distributed matrix offers: full storage (every
 * preconditioner runs on it). */
static mf_status dist_supported(const mf_solver_options *opt, const mf_solver_dist *d) {
  const int ranks = d->comm->size;
  MF_CHECK(opt->matrix == MF_MATRIX_FULL, MF_ERR_INPUT,
           "%s: matrix symmetric runs on one process for now; across %d processes use full",
           d->whole->desc->origin, ranks);
  MF_CHECK(opt->linear.reproducible, MF_ERR_INPUT,
           "%s: linear.reproducible false (chunked reductions) depends on the process count; across %d processes "
           "the reductions are exact", d->whole->desc->origin, ranks);
  return MF_OK;
}

/* Across processes: what rank 0 records each step (reactions, probes) needs u and f_int
 * at the boundary groups' and probes' nodes only, gathered from their owners; the
 * selection and each entry's row in it are made here, the same on every process, and
 * the external force there is gathered once (the parts hold the problem's fields). */
static mf_status gather_outputs(mf_solver *s, const mf_solver_dist *d) {
  const mf_problem *W = d->whole;
  const mf_problem_desc *desc = W->desc;
  mf_idx n = desc->n_probes, n_bc = 0;
  for (int i = 0; i < desc->n_dirichlet; i++) n_bc += W->bc_group[i]->n_nodes;
  n += n_bc;
  mf_idx *sel;
  MF_CALL(MF_ALLOC_N(sel, (size_t)n + 1, "gathered nodes"));
  mf_idx m = 0;
  for (int i = 0; i < desc->n_dirichlet; i++)
    for (mf_idx k = 0; k < W->bc_group[i]->n_nodes; k++) sel[m++] = W->bc_group[i]->nodes[k];
  for (int p = 0; p < desc->n_probes; p++) sel[m++] = W->probe_node[p];
  qsort(sel, (size_t)n, sizeof *sel, mf_idx_compare);
  mf_idx n_sel = 0;
  for (mf_idx k = 0; k < n; k++)
    if (n_sel == 0 || sel[k] != sel[n_sel - 1]) sel[n_sel++] = sel[k];
  mf_status st = mf_gather_create_selected(d->comm, d->part, 3, n_sel, sel, &s->gather_sel);
  if (!st && d->comm->rank == 0 && !(st = MF_ALLOC_N(s->u_sel, 3 * (size_t)n_sel + 1, "gathered displacement")) &&
      !(st = MF_ALLOC_N(s->fint_sel, 3 * (size_t)n_sel + 1, "gathered force")) &&
      !(st = MF_ALLOC_N(s->fext_sel, 3 * (size_t)n_sel + 1, "gathered external force")) &&
      !(st = MF_ALLOC_N(s->bc_row, (size_t)n_bc + 1, "gathered boundary rows")) &&
      !(st = MF_ALLOC_N(s->probe_row, (size_t)desc->n_probes + 1, "gathered probe rows"))) {
    m = 0;
    for (int i = 0; i < desc->n_dirichlet; i++)
      for (mf_idx k = 0; k < W->bc_group[i]->n_nodes; k++)
        s->bc_row[m++] = (mf_idx)((const mf_idx *)bsearch(&W->bc_group[i]->nodes[k], sel, (size_t)n_sel, sizeof *sel,
                                                          mf_idx_compare) - sel);
    for (int p = 0; p < desc->n_probes; p++)
      s->probe_row[p] = (mf_idx)((const mf_idx *)bsearch(&W->probe_node[p], sel, (size_t)n_sel, sizeof *sel,
                                                         mf_idx_compare) - sel);
  }
  mf_free(&sel);
  if (!st) st = mf_gather_to_root(s->gather_sel, s->pb->fext, s->fext_sel); /* once: dead loads */
  return st;
}

/* The distributed matrix's rows: K's owned rows themselves, sorted into the whole
 * matrix's order with the assembly's offsets moved along, so the assembly fills them and
 * no second matrix is kept or copied into (the same values: each block is the same sum
 * in the same order). Where the assembly searches rows instead of keeping offsets (rows
 * of over 255 blocks), K stays searchable and A is a copy refilled after each tangent. */
static mf_status owned_rows(mf_solver *s, const mf_part *part) {
  if (!mf_assembly_offset_bytes(s->asmb)) return mf_dist_matrix_from_part(s->K, part, &s->A, &s->from);
  mf_idx *where = NULL;
  mf_status st = mf_dist_matrix_share_part(s->K, part, &s->A, &where);
  if (!st) {
    s->A_shares_K = 1;
    st = mf_assembly_move_offsets(s->asmb, s->K, part->n_owned, where);
  }
  mf_free(&where);
  return st;
}

mf_status mf_solver_create_dist(const mf_problem *pb, const mf_solver_options *opt, const mf_solver_dist *d,
                                mf_solver **out) {
  *out = NULL;
  mf_assembly *given = d->part_assembly;
  mf_status st = given ? dist_supported(opt, d)
                       : MF_ERROR(MF_ERR_INTERNAL, "solver: no part assembly (mf_part_scatter)");
  mf_solver *s = NULL;
  if (!st) st = solver_new(pb, opt, d->part->n_elems_owned, &s);
  if (st) {
    mf_assembly_destroy(&given);
    return st;
  }
  s->comm = d->comm;
  s->whole = d->whole;
  s->part = d->part;
  s->gid = d->part->nodes;
  const mf_nodes *ns = &pb->mesh->nodes;
  s->asmb = given; /* the part's assembly in the whole assembly's order */
  double t0 = omp_get_wtime();
  if (!st && !(st = mf_bcsr_create_from_mesh(pb->mesh, 3, 0, &s->K)) && !(st = mf_assembly_bind(s->asmb, s->K)))
    st = owned_rows(s, d->part);
  s->t_pattern = omp_get_wtime() - t0;
  if (!st && !(st = mf_vec_layout_create(ns->n_owned, ns->n_ghost, 3, &s->layout)) &&
      !(st = mf_vec_layout_set_comm(s->layout, d->comm)) && !(st = mf_halo_create(d->comm, d->part, 3, &s->halo)) &&
      !(st = mf_dist_operator_create(s->A, s->layout, s->halo, &s->dist_op)) &&
      !(st = gather_outputs(s, d))) {
    s->op = s->dist_op;
    st = create_pc(s);
  }
  return solver_finish(s, st, out);
}

void mf_solver_destroy(mf_solver **sp) {
  mf_solver *s = *sp;
  if (!s) return;
  if (s->A_shares_K) mf_dist_matrix_view_destroy(&s->A);
  else if (s->A != s->K) mf_bcsr_destroy(&s->A);
  mf_bcsr_destroy(&s->K);
  mf_free(&s->from);
  mf_dist_operator_destroy(&s->dist_op);
  mf_halo_destroy(&s->halo);
  mf_gather_destroy(&s->gather_sel);
  mf_free(&s->u_sel), mf_free(&s->fint_sel), mf_free(&s->fext_sel), mf_free(&s->bc_row), mf_free(&s->probe_row);
  mf_pc_destroy(&s->pc);
  mf_cg_destroy(&s->cg);
  mf_assembly_destroy(&s->asmb);
  mf_vec_layout_destroy(&s->layout);
  double **vecs[] = {&s->u, &s->u_prev, &s->u_trial, &s->du, &s->fint, &s->rhs, &s->xyz};
  for (size_t i = 0; i < sizeof vecs / sizeof *vecs; i++) mf_free(vecs[i]);
  mf_free(sp);
}

const double *mf_solver_displacement(const mf_solver *s) { return s->u; }
const double *mf_solver_whole_displacement(const mf_solver *s) { return s->comm ? NULL : s->u; }
void mf_solver_set_telemetry(mf_solver *s, mf_telemetry *tel) { s->tel = tel; }

const mf_assembly *mf_solver_assembly(const mf_solver *s) { return s->asmb; }
double mf_solver_pattern_seconds(const mf_solver *s) { return s->t_pattern; }

size_t mf_solver_matrix_bytes(const mf_solver *s) {
  const int copy = s->A != s->K && !s->A_shares_K;
  return mf_bcsr_memory_bytes(s->K) + (copy ? mf_bcsr_memory_bytes(s->A) + (size_t)s->A->nnzb * sizeof *s->from : 0);
}

size_t mf_solver_memory_bytes(const mf_solver *s) {
  return mf_solver_matrix_bytes(s) + (size_t)s->ndof * sizeof(double) * (6 + 4 + (s->xyz != NULL)) +
         mf_pc_memory_bytes(s->pc) + mf_assembly_offset_bytes(s->asmb);
}


const mf_pc *mf_solver_preconditioner(const mf_solver *s) { return s->pc; }

/* rhs = -(fint - lf fext) on free dofs, 0 on constrained ones; returns ||rhs||. */
static double residual(mf_solver *s, double lf) {
  const uint8_t *mask = s->pb->bc_mask;
  const double *fext = s->pb->fext, *fint = s->fint;
  double *rhs = s->rhs;
#pragma omp parallel for schedule(static)
  for (mf_nnz i = 0; i < s->ndof; i++) rhs[i] = mask[i] ? 0.0 : lf * fext[i] - fint[i];
  return mf_vec_norm2(s->layout, rhs);
}

/* Largest |lf value - u| over constrained dofs: what the prescribed values still lack,
 * over every process's owned dofs (a max is the same whichever process finds it; as
 * non-negative doubles order like their bits, the max of the bits is the max). */
static mf_status dirichlet_gap(const mf_solver *s, double lf, double *out) {
  const uint8_t *mask = s->pb->bc_mask;
  const double *val = s->pb->bc_value, *u = s->u;
  double gap = 0.0;
#pragma omp parallel for schedule(static) reduction(max : gap)
  for (mf_nnz i = 0; i < s->layout->n_owned; i++)
    if (mask[i]) {
      double g = fabs(lf * val[i] - u[i]);
      if (g > gap) gap = g;
    }
  if (s->comm) {
    int64_t bits;
    memcpy(&bits, &gap, sizeof bits);
    MF_CALL(s->comm->ops->max_i64(s->comm, &bits, 1));
    memcpy(&gap, &bits, sizeof gap);
  }
  *out = gap;
  return MF_OK;
}

/* Impose du = lf value - u on constrained dofs: move the known columns to the right-hand
 * side, then replace constrained rows and columns by the identity. The matrix stays
 * symmetric positive definite for CG. Rows are independent: parallel and deterministic. */
static void apply_dirichlet_full(mf_solver *s, double lf) {
  mf_bcsr *K = s->A;
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

/* The same for a symmetric matrix: each row lifts the known columns of all its blocks
 * (the lower ones read as transposes, in ascending columns), and only then, in a second
 * pass, are the stored blocks' constrained rows and columns set to the identity: a block
 * is read by two rows and must not change under either. */
static void apply_dirichlet_symmetric(mf_solver *s, double lf) {
  mf_bcsr *K = s->A;
  const uint8_t *mask = s->pb->bc_mask;
  const double *val = s->pb->bc_value, *u = s->u;
  double *rhs = s->rhs;
#pragma omp parallel for schedule(static)
  for (mf_idx i = 0; i < K->n_rows; i++) {
    const mf_nnz len = mf_bcsr_row_len(K, i);
    for (mf_nnz k = 0; k < len; k++) {
      mf_idx j;
      int t;
      const double *blk = mf_bcsr_row_block(K, i, k, &j, &t);
      for (int r = 0; r < 3; r++) {
        mf_nnz dr = 3 * (mf_nnz)i + r;
        if (mask[dr]) continue;
        for (int c = 0; c < 3; c++) {
          mf_nnz dc = 3 * (mf_nnz)j + c;
          if (mask[dc]) rhs[dr] -= (t ? blk[3 * c + r] : blk[3 * r + c]) * (lf * val[dc] - u[dc]);
        }
      }
    }
    for (int r = 0; r < 3; r++) {
      mf_nnz dr = 3 * (mf_nnz)i + r;
      if (mask[dr]) rhs[dr] = lf * val[dr] - u[dr];
    }
  }
#pragma omp parallel for schedule(static)
  for (mf_idx i = 0; i < K->n_rows; i++)
    for (mf_nnz p = K->row_ptr[i]; p < K->row_ptr[i + 1]; p++) {
      mf_idx j = K->col[p];
      double *blk = &K->val[9 * p];
      for (int r = 0; r < 3; r++)
        for (int c = 0; c < 3; c++) {
          mf_nnz dr = 3 * (mf_nnz)i + r, dc = 3 * (mf_nnz)j + c;
          if (mask[dc] || mask[dr]) blk[3 * r + c] = (dr == dc) ? 1.0 : 0.0;
        }
    }
}

static void apply_dirichlet(mf_solver *s, double lf) {
  if (s->A->symmetric) apply_dirichlet_symmetric(s, lf);
  else apply_dirichlet_full(s, lf);
}

static void swap(double **a, double **b) {
  double *t = *a;
  *a = *b;
  *b = t;
}

/* What one step (or one Newton iteration) spent and counted. */
typedef struct {
  mf_phase_times t;
  long long elements, tangents; /* elements assembled, and of them with their tangent */
  int cg_iterations, cg_unconverged;
  double cg_bytes;
} step_counters;

static void add_counters(step_counters *sum, const step_counters *c) {
  mf_phase_times_add(&sum->t, &c->t);
  sum->elements += c->elements;
  sum->tangents += c->tangents;
  sum->cg_iterations += c->cg_iterations;
  sum->cg_unconverged += c->cg_unconverged;
  sum->cg_bytes += c->cg_bytes;
}

/* Across processes, every process returns the status of the lowest failing one, so all
 * take the same branch (cut back, or stop); the others' message names that rank. */
static mf_status agree(const mf_solver *s, mf_status mine) {
  if (!s->comm) return mine;
  int failed;
  mf_status all = mf_comm_agree(s->comm, mine, &failed);
  if (all != MF_OK && mine == MF_OK) {
    MF_ERROR(all, "rank %d: %s", failed, all == MF_ERR_NONFINITE ? "an element could not be evaluated"
                                                                   : "failed (its message is on its stderr)");
    mf_error_mark_echo();
  }
  return all;
}

static mf_status timed_assemble(mf_solver *s, const double *u, int tangent, step_counters *c) {
  double t0 = omp_get_wtime();
  mf_status st = mf_assemble(s->asmb, u, tangent ? s->K : NULL, s->fint);
  if (!st && tangent && s->from) mf_dist_matrix_refill(s->A, s->K, s->from);
  st = agree(s, st);
  c->t.assembly += omp_get_wtime() - t0;
  c->elements += s->elems_own;
  if (tangent) c->tangents += s->elems_own;
  return st;
}

/* The rigid-body modes in the current configuration x = X + u, when asked for. */
static void update_coordinates(mf_solver *s) {
  if (s->opt.linear.pc.type != MF_PC_AMG || s->opt.linear.pc.amg.nullspace != MF_AMG_NULLSPACE_CURRENT) return;
  const mf_nodes *ns = &s->pb->mesh->nodes;
  double *xyz = s->xyz;
  const double *u = s->u;
#pragma omp parallel for schedule(static)
  for (mf_idx i = 0; i < ns->n_local; i++) {
    double X[3];
    mf_nodes_coords(ns, i, X);
    for (int k = 0; k < 3; k++) xyz[3 * (size_t)i + k] = X[k] + u[3 * (size_t)i + k];
  }
}

static mf_status pc_setup(mf_solver *s, step_counters *c) {
  double t0 = omp_get_wtime();
  update_coordinates(s);
  mf_status st = agree(s, mf_pc_setup_numeric(s->pc, s->op)); /* a singular block is one rank's */
  c->t.pc_setup += omp_get_wtime() - t0;
  s->pc_ready = st == MF_OK;
  return st;
}

static mf_status cg(mf_solver *s, step_counters *c, mf_cg_stats *cgs) {
  *cgs = (mf_cg_stats){0};
  mf_status st = mf_cg_solve(s->cg, s->op, s->pc, s->rhs, s->du, s->opt.linear.rtol, s->opt.linear.max_iter, cgs);
  c->t.spmv += cgs->t_spmv;
  c->t.pc += cgs->t_pc;
  c->t.vec += cgs->t_vec;
  c->cg_iterations += cgs->iterations;
  c->cg_bytes += cgs->bytes;
  return st;
}

/* Set up the preconditioner (or keep the last set-up, linear.reuse) and solve
 * K du = rhs; counts into c. A solve that fails or stops short with a kept set-up is
 * repeated once with a fresh one. */
static mf_status linear_solve(mf_solver *s, step_counters *c, int first_in_step) {
  double t0 = omp_get_wtime();
  const double reuse = mf_linear_reuse(&s->opt.linear);
  int fresh = !s->pc_ready || first_in_step || !(reuse > 0.0) ||
              s->pc_last_iters > reuse * (s->pc_fresh_iters > 0 ? s->pc_fresh_iters : 1);
  mf_status st = fresh ? pc_setup(s, c) : MF_OK;
  mf_cg_stats cgs;
  if (!st) st = cg(s, c, &cgs);
  if (!fresh && (st == MF_ERR_SOLVER || (!st && !cgs.converged))) {
    mf_error_clear();
    fresh = 1;
    if (!(st = pc_setup(s, c))) st = cg(s, c, &cgs);
  }
  c->t.solve += omp_get_wtime() - t0;
  if (st) return st;
  c->cg_unconverged += !cgs.converged;
  s->pc_last_iters = cgs.iterations;
  if (fresh) s->pc_fresh_iters = cgs.iterations;
  return MF_OK;
}

/* One Newton iteration's progress line (unless quiet): a long step shows it is alive. */
static void print_iteration(const mf_run_options *ro, int k, double rnorm, const step_counters *it, double t0) {
  if (ro->quiet) return;
  printf("  newton %2d  |R| %.3e  cg %6d  %8.3f s\n", k, rnorm, it->cg_iterations, omp_get_wtime() - t0);
  fflush(stdout);
}

/* Whether the residual of the next assembly is expected to end Newton, from the last two
 * residuals a > b: Newton's quadratic rate, b (b/a)^2, or the CG's tolerance times b,
 * whichever is larger, within GUESS_MARGIN of the test. A guess, never a decision: the
 * test is made on the residual itself. */
static int guess_converged(const mf_solver *s, const mf_step_record *rec, double rref) {
  const mf_newton_options *nw = &s->opt.newton;
  const int n = rec->n_residuals;
  if (n < 2) return 0;
  const double a = rec->residual_norms[n - 2], b = rec->residual_norms[n - 1];
  if (!(b < 0.1 * a)) return 0; /* not yet contracting: no rate to go by */
  const double next = fmax(b * (b / a) * (b / a), s->opt.linear.rtol * b);
  return next <= GUESS_MARGIN * fmax(nw->atol, nw->rtol * rref);
}

/* One load step's Newton loop to factor lf (final_step: no step follows if it converges);
 * fills rec (residual norms, iterations) and adds what it spent into c. */
static mf_status newton_step(mf_solver *s, const mf_run_options *ro, int step, double lf, int final_step,
                             mf_step_record *rec, step_counters *c) {
  const mf_newton_options *nw = &s->opt.newton;
  double rref = 0.0, du_norm = INFINITY;
  /* u is the last converged one: its tangent and internal force, from that step's last
   * assembly, are the ones an assembly now would give bit for bit (the load factor
   * enters only the residual) */
  int have_fint = s->tangent_at_u, have_tangent = s->tangent_at_u;
  s->tangent_at_u = 0;
  /* On the last step, an assembly whose residual is expected to end Newton needs the
   * internal force alone, since no step follows to take its tangent: on a linear
   * problem the first after a solve (the DOLFINx comparison's single solve spent 40% of
   * its assembly time on that tangent), on a nonlinear one where the residuals'
   * quadratic rate says so (guess_converged). A wrong guess costs the tangent's
   * assembly before the solve, with the same internal force bits. */
  int expect_converged = 0;
  step_counters it = {0}; /* the open iteration's share, for telemetry and progress */
  double t_it = omp_get_wtime();
  mf_status st = MF_OK;
  for (int k = 0;; k++) {
    mf_telemetry_add_times(s->tel, &it.t);
    add_counters(c, &it);
    it = (step_counters){0};
    t_it = omp_get_wtime();
    mf_telemetry_next(s->tel, step, k, lf);
    expect_converged = final_step && k > 0 && (s->linear || guess_converged(s, rec, rref));
    if (!have_fint) {
      const int tangent = !expect_converged;
      if ((st = timed_assemble(s, s->u, tangent, &it))) break;
      have_tangent = tangent;
    }
    have_fint = 0;
    double rnorm = residual(s, lf), gap;
    if ((st = dirichlet_gap(s, lf, &gap))) break;
    if (!isfinite(rnorm)) {
      st = MF_ERROR(MF_ERR_NONFINITE, "non-finite residual at Newton iteration %d", k);
      break;
    }
    rec->residual_norms[rec->n_residuals++] = rnorm;
    if (rnorm > rref) rref = rnorm;
    rec->newton_iterations = k;
    if (gap == 0.0) {
      double unorm = mf_vec_norm2(s->layout, s->u);
      rec->converged_by = rnorm <= nw->atol              ? "atol"
                          : rnorm <= nw->rtol * rref     ? "rtol"
                          : (k > 0 && du_norm <= nw->dtol * unorm) ? "dtol"
                                                                   : NULL;
      if (rec->converged_by) {
        s->tangent_at_u = have_tangent; /* K is u's tangent: Dirichlet rows are applied before a solve */
        break;
      }
    }
    if (k >= nw->max_iter) {
      st = MF_ERROR(MF_ERR_SOLVER, "Newton did not converge in %d iterations (|R| = %.3e, reference %.3e)",
                    nw->max_iter, rnorm, rref);
      break;
    }

    /* fint alone is u's (a linear last step's check, or a damped line-search step): the
     * tangent now, with the same internal force bits */
    if (!have_tangent && (st = timed_assemble(s, s->u, 1, &it))) break;
    have_tangent = 0;
    apply_dirichlet(s, lf);
    st = linear_solve(s, &it, k == 0);
    print_iteration(ro, k, rnorm, &it, t_it);
    if (!st && s->halo) st = agree(s, mf_halo_forward(s->halo, s->du)); /* u's ghosts move with their owners */
    if (st) break;

    if (gap > 0.0 || !nw->line_search) { /* the prescribed jump must be taken whole */
      mf_vec_axpy(s->ndof, 1.0, s->du, s->u);
      du_norm = mf_vec_norm2(s->layout, s->du);
      continue;
    }
    /* Backtracking on ||R||: the full step is assembled with its tangent, so an accepted
     * full step (the usual case) costs no extra assembly. */
    double alpha = 1.0;
    mf_status last = MF_OK;
    int accepted = 0;
    expect_converged = final_step && (s->linear || guess_converged(s, rec, rref));
    for (int h = 0; h <= LS_MAX_HALVINGS; h++, alpha *= 0.5) {
      mf_vec_waxpy(s->ndof, alpha, s->u, s->du, s->u_trial);
      last = timed_assemble(s, s->u_trial, h == 0 && !expect_converged, &it);
      if (last == MF_ERR_NONFINITE) { mf_error_clear(); continue; }
      if (last) break;
      double rt = residual(s, lf);
      if (isfinite(rt) && (rt <= (1.0 - LS_SUFFICIENT * alpha) * rnorm || h == LS_MAX_HALVINGS)) {
        accepted = 1;
        break;
      }
    }
    if (!accepted) {
      if (last && last != MF_ERR_NONFINITE) st = last;
      else if (last == MF_ERR_NONFINITE)
        st = MF_ERROR(MF_ERR_NONFINITE, "every line-search step inverts an element or gives a non-finite residual");
      else st = MF_ERROR(MF_ERR_NONFINITE, "line search found no finite residual");
      break;
    }
    swap(&s->u, &s->u_trial);
    du_norm = alpha * mf_vec_norm2(s->layout, s->du);
    have_fint = 1; /* the accepted trial's assembly was the last */
    have_tangent = alpha == 1.0 && !expect_converged;
  }
  mf_telemetry_add_times(s->tel, &it.t);
  add_counters(c, &it);
  return st;
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

/* Reactions and probe values of a converged step (fint is at the converged u). Across
 * processes rank 0 gathers fint and u at the boundary groups' and probes' nodes and sums
 * on the whole problem, in the one-process order: the same bits; the other ranks'
 * records hold zeros. */
static mf_status record_outputs(mf_solver *s, double lf, mf_step_record *rec) {
  const mf_problem *pb = s->pb;
  const double *fint = s->fint, *u = s->u, *fext = s->pb->fext;
  const mf_idx *bc_row = NULL, *probe_row = NULL; /* across processes: rows of the gathered nodes */
  if (s->comm) {
    MF_CALL(mf_gather_to_root(s->gather_sel, s->fint, s->fint_sel));
    MF_CALL(mf_gather_to_root(s->gather_sel, s->u, s->u_sel));
    if (s->comm->rank != 0) return MF_OK;
    pb = s->whole;
    fint = s->fint_sel, u = s->u_sel, fext = s->fext_sel;
    bc_row = s->bc_row, probe_row = s->probe_row;
  }
  mf_idx at = 0;
  for (int i = 0; i < pb->desc->n_dirichlet; i++) {
    const mf_group *g = pb->bc_group[i];
    double r[3] = {0, 0, 0};
    for (mf_idx k = 0; k < g->n_nodes; k++, at++)
      for (int c = 0; c < 3; c++) {
        const mf_nnz d = 3 * (mf_nnz)g->nodes[k] + c, x = bc_row ? 3 * (mf_nnz)bc_row[at] + c : d;
        r[c] += fint[x] - lf * fext[x];
      }
    memcpy(rec->reactions[i], r, sizeof r);
  }
  for (int p = 0; p < pb->desc->n_probes; p++)
    for (int c = 0; c < 3; c++)
      rec->probe_u[p][c] = u[3 * (mf_nnz)(probe_row ? probe_row[p] : pb->probe_node[p]) + c];
  return MF_OK;
}

static mf_status new_record(mf_run_result *res, const mf_solver *s, mf_step_record **rec) {
  const mf_problem_desc *desc = s->pb->desc;
  mf_step_record *grown;
  MF_CALL(MF_ALLOC_N(grown, (size_t)res->n_steps + 1, "step records"));
  if (res->n_steps) memcpy(grown, res->steps, (size_t)res->n_steps * sizeof *grown);
  mf_free(&res->steps);
  res->steps = grown;
  mf_step_record *r = &res->steps[res->n_steps];
  memset(r, 0, sizeof *r);
  mf_status st;
  if ((st = MF_ALLOC_N(r->residual_norms, (size_t)s->opt.newton.max_iter + 1, "residual history")) ||
      (st = MF_CALLOC_N(r->reactions, (size_t)desc->n_dirichlet + 1, "reactions")) ||
      (st = MF_CALLOC_N(r->probe_u, (size_t)desc->n_probes + 1, "probe values"))) {
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

/* A restarted run's preconditioner, where its first set-up fixes its structure
 * (mf_pc_structure_from_first_setup: the multigrid's aggregates and patterns). An
 * uninterrupted run made it from step 1's first tangent, at u = 0; a run restarted from
 * a checkpoint makes it from that tangent too, before it resumes, so its set-ups refresh
 * the same structure and its steps are the uninterrupted run's bits (from the
 * checkpoint's tangent they differed in the last digits). Its cost, an assembly and a
 * set-up, is counted in the run's times. */
static mf_status prime_after_restart(mf_solver *s, mf_run_result *res) {
  if (!mf_pc_structure_from_first_setup(s->opt.linear.pc.type)) return MF_OK;
  step_counters c = {0};
  mf_vec_set(s->ndof, 0.0, s->u); /* the uninterrupted run's first u */
  mf_status st = timed_assemble(s, s->u, 1, &c);
  if (!st) {
    apply_dirichlet(s, 0.0); /* the constrained rows as the first solve had them; rhs is scratch here */
    st = pc_setup(s, &c);
  }
  res->elements_assembled += c.elements;
  res->tangents_assembled += c.tangents;
  mf_phase_times_add(&res->times, &c.t);
  return st;
}

/* The load-stepping loop's state and the choice of the next target. */
typedef struct {
  mf_loop_state ls;      /* step, attempts, load factor, step size, easy, soak phase */
  double dl_nominal;
  int cutbacks_in_row;
} stepper;

static void stepper_start(stepper *sp, const mf_solver *s, const mf_run_options *opt, mf_run_result *res) {
  *sp = (stepper){.dl_nominal = 1.0 / s->opt.steps.count};
  sp->ls.step_size = sp->dl_nominal;
  sp->ls.unloading = 1; /* soak: cycle between 1 and 0.5, starting downwards */
  mf_vec_set(s->ndof, 0.0, s->u);
  if (opt->resume) { /* continue a checkpointed run exactly where it stood */
    sp->ls = *opt->resume;
    mf_vec_copy(s->ndof, opt->resume_u, s->u);
    res->final_load_factor = sp->ls.load_factor;
  }
}

/* 1 and *target set while there is a step to take; 0 when the run is complete. */
static int stepper_next(stepper *sp, const mf_run_options *opt, double *target) {
  mf_loop_state *ls = &sp->ls;
  double lf = ls->load_factor, dl = ls->step_size;
  if (!ls->soaking && lf >= 1.0) ls->soaking = opt->soak_steps > 0 ? 1 : -1;
  if (ls->soaking < 0 || (ls->soaking > 0 && ls->soak_done >= opt->soak_steps)) return 0;
  if (ls->soaking) *target = ls->unloading ? fmax(0.5, lf - dl) : fmin(1.0, lf + dl);
  else *target = (1.0 - (lf + dl) < 1e-12 * sp->dl_nominal) ? 1.0 : lf + dl;
  return 1;
}

/* A converged step: the load factor moves on, soak direction, step size grows back. */
static void stepper_converged(stepper *sp, const mf_solver *s, const mf_step_record *rec) {
  mf_loop_state *ls = &sp->ls;
  ls->step = rec->step;
  ls->load_factor = rec->load_factor;
  sp->cutbacks_in_row = 0;
  if (ls->soaking) {
    ls->soak_done++;
    if (ls->load_factor <= 0.5) ls->unloading = 0;
    else if (ls->load_factor >= 1.0) ls->unloading = 1;
  }
  ls->easy = rec->newton_iterations <= (s->opt.newton.max_iter + 3) / 4 ? ls->easy + 1 : 0;
  if (ls->easy >= 2 && ls->step_size < sp->dl_nominal) {
    ls->step_size = fmin(2.0 * ls->step_size, sp->dl_nominal);
    ls->easy = 0;
  }
}

static void print_step(const mf_run_options *opt, const mf_step_record *rec) {
  if (opt->quiet) return;
  printf("step %4d  load %.6f  newton %2d  |R| %.3e  cg %6d  %8.3f s\n", rec->step, rec->load_factor,
         rec->newton_iterations, rec->residual_norms[rec->n_residuals - 1], rec->cg_iterations,
         rec->times.assembly + rec->times.solve + rec->t_other);
  fflush(stdout);
}

/* Fill the record of a converged step from what its Newton loop counted. */
static mf_status finish_record(mf_solver *s, mf_step_record *rec, int step, double lf, int cutbacks,
                               const step_counters *c) {
  rec->step = step;
  rec->load_factor = lf;
  rec->converged = 1;
  rec->cutbacks = cutbacks;
  rec->cg_iterations = c->cg_iterations;
  rec->cg_unconverged = c->cg_unconverged;
  rec->times = c->t;
  return record_outputs(s, lf, rec);
}

mf_status mf_solver_run(mf_solver *s, const mf_run_options *opt, mf_run_result *res) {
  memset(res, 0, sizeof *res);
  const int max_steps = opt->max_steps > 0 ? opt->max_steps : MF_MAX_STEP_ATTEMPTS;
  const int max_cutbacks = s->opt.steps.max_cutbacks;
  stepper sp;
  mf_soak *soak = NULL;
  mf_status st = MF_OK;
  MF_CHECK(!(s->comm && opt->soak_steps > 0), MF_ERR_INPUT,
           "soak steps run on one process for now; across %d processes set soak_steps 0", s->comm->size);
  if (opt->soak_steps > 0) MF_CALL(mf_soak_create(s->pb->mesh->n_elems, &soak));
  if (opt->resume && (st = prime_after_restart(s, res))) {
    mf_soak_destroy(&soak);
    return st;
  }
  stepper_start(&sp, s, opt, res);
  s->tangent_at_u = 0; /* u was just set */
  const int base = sp.ls.step;
  double target;
  while (sp.ls.attempts++ < max_steps && stepper_next(&sp, opt, &target)) {
    /* attempt the step */
    mf_step_record *rec = NULL;
    mf_status mine = new_record(res, s, &rec);
    if ((st = agree(s, mine))) { /* a rank that stops must stop all */
      if (rec) free_record(rec);
      break;
    }
    double t0 = omp_get_wtime();
    step_counters c = {0};
    mf_vec_copy(s->ndof, s->u, s->u_prev);
    mf_error_clear();
    st = newton_step(s, opt, base + res->n_steps + 1, target, !opt->soak_steps && target >= 1.0, rec, &c);
    mf_telemetry_end(s->tel);
    res->elements_assembled += c.elements;
    res->tangents_assembled += c.tangents;
    mf_phase_times_add(&res->times, &c.t);
    res->cg_bytes += c.cg_bytes;
    res->cg_iterations += c.cg_iterations;

    if (st == MF_OK) { /* converged: record, keep, report, hand to the hook */
      st = agree(s, finish_record(s, rec, base + res->n_steps + 1, target, sp.cutbacks_in_row, &c));
      res->n_steps++;
      if (st) break;
      res->final_load_factor = target;
      stepper_converged(&sp, s, rec);
      if ((st = agree(s, after_step(s, opt, soak, rec->step, target)))) break; /* rank 0's telemetry file */
      rec->t_other = omp_get_wtime() - t0 - c.t.assembly - c.t.solve;
      print_step(opt, rec);
      if (opt->on_step) {
        int last = opt->soak_steps > 0 ? (sp.ls.soaking && sp.ls.soak_done >= opt->soak_steps)
                                       : sp.ls.load_factor >= 1.0;
        double th = omp_get_wtime();
        /* across processes no process holds the whole u during the run */
        const mf_step_fields f = {s->u, s->comm ? NULL : s->u};
        st = agree(s, opt->on_step(opt->on_step_ctx, &sp.ls, &f, last));
        rec->times.output = omp_get_wtime() - th;
        res->times.output += rec->times.output;
        if (st) break;
      }
      continue;
    }

    /* failed: cut back (restore the last converged state, halve the step) or give up */
    free_record(rec);
    if (!recoverable(st)) break;
    mf_vec_copy(s->ndof, s->u_prev, s->u);
    if (++sp.cutbacks_in_row > max_cutbacks) {
      snprintf(res->message, sizeof res->message, "load step to factor %.6g failed after %d cutbacks (last: %s)",
               target, max_cutbacks, mf_error_message());
      mf_error_clear();
      st = MF_ERROR(MF_ERR_SOLVER, "%s", res->message);
      break;
    }
    if ((st = below_min_step(res, target, 0.5 * sp.ls.step_size))) break;
    if (!opt->quiet) {
      printf("cutback   load %.6f -> step %.3e: %s\n", target, sp.ls.step_size / 2, mf_error_message());
      fflush(stdout);
    }
    sp.ls.step_size *= 0.5;
    sp.ls.easy = 0;
    st = MF_OK;
  }
  mf_soak_destroy(&soak);
  if (st == MF_OK && !sp.ls.soaking) {
    snprintf(res->message, sizeof res->message, "stopped after %d step attempts at load factor %.6g", max_steps,
             sp.ls.load_factor);
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
