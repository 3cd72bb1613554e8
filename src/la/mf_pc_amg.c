/* The multigrid preconditioner (la/mf_amg.h): hierarchy set-up and the V-cycle.
 *
 * Set-up, level by level, until a level has at most coarse_size unknowns (or
 * max_levels): constrained unknowns, block-diagonal inverses, lmax, then aggregates,
 * near-nullspace, tentative and smoothed prolongator and the next level's R A P. The
 * coarsest level is factored densely (Cholesky); should coarsening stall above 4000
 * unknowns, the coarsest level is smoothed instead (four Chebyshev applications), said
 * in the printout. The first numeric set-up builds everything (aggregates and patterns
 * need values); later ones refill values in place and allocate nothing.
 *
 * Apply: one V-cycle, z = M^-1 r: pre-smooth from zero, restrict the residual, cycle on
 * the coarse level, prolong and add, post-smooth with the same polynomial.
 *
 * Across processes (mf_pc_set_distribution) every level holds its owned rows and one
 * layer of ghosts, and each step is the across-processes one of mf_amg_impl.h: the
 * hierarchy, each level's values and the V-cycle are then one process's bits on the
 * owned rows. Levels stop on counts summed over the processes. */
#include <math.h>
#include <omp.h>
#include <string.h>

#include "la/mf_amg_impl.h"
#include "la/mf_dist_matrix.h"
#include "la/mf_pc.h"
#include "mem/mf_alloc.h"

#define DENSE_MAX 4000 /* unknowns of a coarsest level factored densely */
#define LANCZOS_STEPS 12

const mf_name mf_amg_smoother_names[] = {{"chebyshev", MF_AMG_CHEBYSHEV}, {"jacobi", MF_AMG_JACOBI}, {NULL, 0}};

const mf_name mf_amg_precision_names[] = {{"double", MF_AMG_DOUBLE}, {"single", MF_AMG_SINGLE}, {NULL, 0}};

const mf_name mf_amg_nullspace_names[] = {
    {"reference", MF_AMG_NULLSPACE_REFERENCE}, {"current", MF_AMG_NULLSPACE_CURRENT}, {NULL, 0}};

mf_amg_options mf_amg_options_default(void) {
  return (mf_amg_options){.threshold = 0.04,
                          .smoother = MF_AMG_CHEBYSHEV,
                          .sweeps = 1,
                          .eig_ratio = 10.0,
                          .coarse_size = 200,
                          .max_levels = 10,
                          .aggressive_levels = MF_AMG_MAX_LEVELS,
                          .nullspace = MF_AMG_NULLSPACE_REFERENCE,
                          .precision = MF_AMG_DOUBLE,
                          .fine_precision = MF_AMG_DOUBLE};
}

typedef struct {
  int n_levels;
  int built;
  int dense;      /* the coarsest level is factored */
  int setups;
  mf_comm *comm;  /* across processes; NULL on one */
  uint64_t *key0; /* across processes: level 0's keys (its rows in the one-process matrix) */
  int64_t rows[MF_AMG_MAX_LEVELS], nnzb[MF_AMG_MAX_LEVELS]; /* over every process */
  mf_amg_level lv[MF_AMG_MAX_LEVELS];
  mf_amg_exchange_space xspace; /* across processes: the levels' Galerkin streams, in turn */
} amg;

/* Across processes, a local step's status agreed by every process before the next
 * collective one (an error on one process ends them all, reported by that one). */
static mf_status agreed(const amg *G, mf_status st) {
  int failed;
  return G->comm ? mf_comm_agree(G->comm, st, &failed) : st;
}

/* Sums over the processes (none on one). */
static mf_status total(const amg *G, int64_t *v, int n) {
  return G->comm ? G->comm->ops->sum_i64(G->comm, v, n) : MF_OK;
}

static void level_free(mf_amg_level *lv) {
  if (lv->own_A) mf_bcsr_destroy(&lv->A);
  mf_free(&lv->af), mf_free(&lv->a0f), mf_free(&lv->ac_row);
  mf_vec_layout_destroy(&lv->L);
  mf_free(&lv->gid), mf_free(&lv->B), mf_free(&lv->fixed);
  mf_free(&lv->agg), mf_free(&lv->agg_key), mf_free(&lv->agg_rank), mf_free(&lv->root);
  mf_free(&lv->agg_ptr), mf_free(&lv->agg_rows), mf_free(&lv->cg_key), mf_free(&lv->cg_rank);
  mf_free(&lv->keys), mf_free(&lv->ghost_rank);
  if (lv->own_halo) mf_halo_destroy(&lv->halo);
  mf_dist_operator_destroy(&lv->own_op);
  mf_halo_destroy(&lv->vhalo);
  mf_amg_span_free(&lv->span);
  mf_amg_transfer_free(&lv->xfer);
  mf_amg_galerkin_span_free(lv);
  mf_amg_coarsest_free(lv);
  mf_free(&lv->Q), mf_free(&lv->Qf), mf_free(&lv->qr_work), mf_free(&lv->dropped);
  mf_amg_bmat_free(&lv->P);
  mf_free(&lv->ra_val), mf_free(&lv->ra_col), mf_free(&lv->ra_slot), mf_free(&lv->ac_pos);
  mf_free(&lv->rt_ptr), mf_free(&lv->rt_row), mf_free(&lv->rt_pos);
  mf_free(&lv->dinv);
  mf_free(&lv->x), mf_free(&lv->b), mf_free(&lv->r), mf_free(&lv->d), mf_free(&lv->w);
  memset(lv, 0, sizeof *lv);
}

/* Arrays every level has: layout (its reductions exact or chunked as the fine level's,
 * across processes over all of them), fixed flags, inverses, work vectors (with ghost
 * rows across processes); the coarse levels also their near-nullspace (unless already
 * made) and the vectors the cycle hands them. */
static mf_status level_alloc(mf_amg_level *lv, int level, const mf_vec_layout *fine, mf_comm *comm) {
  const mf_nnz m = (mf_nnz)lv->bs * lv->n, ml = (mf_nnz)lv->bs * (lv->n + lv->n_ghost);
  mf_status st;
  if ((st = mf_vec_layout_create(lv->n, lv->n_ghost, lv->bs, &lv->L)) ||
      (comm && (st = mf_vec_layout_set_comm(lv->L, comm))) ||
      (st = MF_ALLOC_N(lv->fixed, (size_t)m + 1, "multigrid fixed flags")) ||
      (st = MF_ALLOC_N(lv->dinv, (size_t)m * lv->bs + 1, "multigrid diagonal inverses")) ||
      (st = MF_ALLOC_N(lv->r, (size_t)ml + 1, "multigrid r")) ||
      (st = MF_ALLOC_N(lv->d, (size_t)ml + 1, "multigrid d")) ||
      (st = MF_ALLOC_N(lv->w, (size_t)ml + 1, "multigrid w")))
    return st;
  mf_vec_layout_set_exact(lv->L, fine ? fine->exact : 1);
  if (level > 0 && ((!lv->B && (st = MF_ALLOC_N(lv->B, (size_t)m * MF_AMG_MODES + 1, "multigrid near-nullspace"))) ||
                    (st = MF_ALLOC_N(lv->x, (size_t)ml + 1, "multigrid x")) ||
                    (st = MF_ALLOC_N(lv->b, (size_t)ml + 1, "multigrid b"))))
    return st;
  double *vecs[] = {lv->r, lv->d, lv->w, lv->x, lv->b};
  for (int k = 0; k < 5; k++)
    if (vecs[k]) mf_vec_set(ml, 0.0, vecs[k]); /* first touch, static schedule */
  return MF_OK;
}

mf_status mf_amg_aggregate_lists(mf_amg_level *lv) {
  mf_status st;
  if ((st = MF_CALLOC_N(lv->agg_ptr, (size_t)lv->nc + 1, "aggregate offsets")) ||
      (st = MF_ALLOC_N(lv->agg_rows, (size_t)lv->n + 1, "aggregate members")))
    return st;
  for (mf_idx i = 0; i < lv->n; i++)
    if (lv->agg[i] >= 0) lv->agg_ptr[lv->agg[i] + 1]++;
  for (mf_idx a = 0; a < lv->nc; a++) lv->agg_ptr[a + 1] += lv->agg_ptr[a];
  for (mf_idx i = 0; i < lv->n; i++)
    if (lv->agg[i] >= 0) lv->agg_rows[lv->agg_ptr[lv->agg[i]]++] = i;
  for (mf_idx a = lv->nc; a > 0; a--) lv->agg_ptr[a] = lv->agg_ptr[a - 1];
  lv->agg_ptr[0] = 0;
  return MF_OK;
}

/* The coarsest level's factor; across processes rank 0's verdict is every rank's. */
static mf_status factor_coarsest(const amg *G, mf_amg_level *lv, int l) {
  return agreed(G, mf_amg_coarsest_factor(lv, l));
}

/* Level 0's float copy of the tangent's values for the V-cycle (amg.fine_precision
 * single), made by the first set-up and refilled in place by later ones; each value is
 * rounded once, so the copy is the same at any thread and process count. */
static mf_status fine_copy(const mf_pc *pc, mf_amg_level *l0) {
  if (pc->opt.amg.fine_precision != MF_AMG_SINGLE) return MF_OK;
  const mf_bcsr *A = l0->A;
  const size_t m = (size_t)A->nnzb * A->bs2;
  if (!l0->a0f) MF_CALL(MF_ALLOC_N(l0->a0f, m + 1, "fine matrix in float"));
  const double *v = A->val;
  float *f = l0->a0f;
#pragma omp parallel for schedule(static)
  for (mf_idx i = 0; i < A->n_rows; i++) /* by rows, as the V-cycle's threads read them */
    for (size_t k = (size_t)A->bs2 * A->row_ptr[i]; k < (size_t)A->bs2 * A->row_ptr[i + 1]; k++) f[k] = (float)v[k];
  return MF_OK;
}

/* Values of level l and the levels below it that depend on them. */
static mf_status refresh_level(amg *G, const mf_pc_options *po, int l, const mf_pc *pc) {
  mf_amg_level *lv = &G->lv[l];
  if (l == 0) MF_CALL(agreed(G, fine_copy(pc, lv)));
  MF_CALL(agreed(G, mf_amg_diag_inverse(lv, l)));
  mf_amg_estimate_lmax(lv, LANCZOS_STEPS);
  if (l == G->n_levels - 1) return G->dense ? factor_coarsest(G, lv, l) : MF_OK;
  if (po->amg.nullspace == MF_AMG_NULLSPACE_CURRENT) { /* the modes follow the deformation */
    const double *xyz = l == 0 ? pc->xyz : NULL;
    double *Bc = G->lv[l + 1].B;
    MF_CALL(agreed(G, G->comm ? mf_amg_tentative_span(lv, xyz, Bc) : mf_amg_tentative(lv, xyz, Bc)));
  }
  mf_amg_prolong_numeric(lv);
  if (G->comm) return agreed(G, mf_amg_galerkin_span(lv, &G->lv[l + 1]));
  mf_amg_galerkin_numeric(lv, &G->lv[l + 1]);
  return MF_OK;
}

/* Level 0 across processes: the caller's rows and ghosts, keys and operator; a ghost
 * exchange of one value per row for the aggregation. */
static mf_status level0_span(amg *G, const mf_pc *pc, const mf_operator *op) {
  mf_amg_level *l0 = &G->lv[0];
  l0->n_ghost = pc->halo->n_ghost;
  const mf_idx nl = l0->n + l0->n_ghost;
  MF_CALL(MF_ALLOC_N(G->key0, (size_t)nl + 1, "multigrid keys"));
  for (mf_idx i = 0; i < nl; i++) G->key0[i] = (uint64_t)pc->row_key[i];
  l0->key = G->key0;
  l0->op = op;
  l0->own_halo = 1;
  return mf_halo_create_like(pc->halo, 1, &l0->halo);
}

/* The next level across processes from level l's aggregates: the tentative prolongator
 * and next's near-nullspace, P, the transfers, R A P, and next's ghost exchanges and
 * distributed operator. */
static mf_status next_span(amg *G, const mf_pc *pc, int l) {
  mf_amg_level *lv = &G->lv[l], *next = &G->lv[l + 1];
  const int M = MF_AMG_MODES;
  const int single = pc->opt.amg.precision == MF_AMG_SINGLE;
  mf_status st = mf_amg_span_create(lv, single);
  next->bs = M;
  next->n = lv->nc;
  if (!st) st = MF_ALLOC_N(next->B, (size_t)M * M * lv->nc + 1, "multigrid near-nullspace");
  MF_CALL(agreed(G, st));
  MF_CALL(agreed(G, mf_amg_tentative_span(lv, l == 0 ? pc->xyz : NULL, next->B)));
  st = mf_amg_prolong_symbolic(lv, single);
  if (!st) { /* the per-thread row buffer of P's numeric step (on one process the Galerkin set-up's) */
    int width = 1;
    for (mf_nnz q = 0; q < lv->P.n_slots; q++)
      if (lv->P.row_ptr[q + 1] - lv->P.row_ptr[q] > width) width = (int)(lv->P.row_ptr[q + 1] - lv->P.row_ptr[q]);
    lv->ra_width = width;
    lv->n_threads = omp_get_max_threads();
    st = MF_ALLOC_N(lv->ra_val, (size_t)lv->n_threads * width * lv->bs * M + 1, "multigrid prolongator rows");
  }
  MF_CALL(agreed(G, st));
  MF_CALL(agreed(G, mf_amg_transfer_create(lv)));
  mf_amg_prolong_numeric(lv);
  lv->xspace = &G->xspace;
  MF_CALL(agreed(G, mf_amg_galerkin_span(lv, next)));
  MF_CALL(agreed(G, mf_amg_span_next(lv, next)));
  next->own_halo = 1;
  st = level_alloc(next, l + 1, pc->layout, G->comm);
  if (!st) st = mf_halo_create_like(next->halo, M, &next->vhalo);
  if (!st) st = mf_dist_operator_create(next->A, next->L, next->vhalo, &next->own_op);
  next->op = next->own_op;
  return agreed(G, st);
}

/* The whole hierarchy from level 0 (the operator's matrix, borrowed). */
static mf_status build(amg *G, const mf_pc *pc, const mf_operator *op) {
  const mf_amg_options *o = &pc->opt.amg;
  const mf_bcsr *K = op->matrix;
  mf_amg_level *l0 = &G->lv[0];
  l0->A = (mf_bcsr *)K;
  l0->bs = K->bs;
  l0->n = K->n_rows;
  if (G->comm) MF_CALL(agreed(G, level0_span(G, pc, op)));
  const mf_idx nl0 = l0->n + l0->n_ghost;
  mf_status st = level_alloc(l0, 0, pc->layout, G->comm);
  if (!st) st = MF_ALLOC_N(l0->gid, (size_t)nl0 + 1, "multigrid global ids");
  MF_CALL(agreed(G, st));
  for (mf_idx i = 0; i < nl0; i++) l0->gid[i] = pc->gid ? (uint64_t)pc->gid[i] : (uint64_t)i;
  MF_CALL(agreed(G, fine_copy(pc, l0)));
  G->n_levels = 1;
  for (int l = 0;; l++) {
    mf_amg_level *lv = &G->lv[l];
    mf_amg_find_fixed(lv);
    MF_CALL(agreed(G, mf_amg_diag_inverse(lv, l)));
    mf_amg_estimate_lmax(lv, LANCZOS_STEPS);
    int64_t counts[2] = {(int64_t)lv->bs * lv->n, 0};
    MF_CALL(total(G, counts, 1));
    const mf_nnz unknowns = counts[0];
    int last = unknowns <= o->coarse_size || l + 1 >= o->max_levels || l + 1 >= MF_AMG_MAX_LEVELS;
    if (!last) {
      MF_CALL(agreed(G, mf_amg_aggregate(lv, o->threshold, l < o->aggressive_levels ? 2 : 1)));
      counts[1] = lv->nc;
      MF_CALL(total(G, &counts[1], 1));
      /* no aggregate, or too little coarsening to pay for a level: stop here */
      last = counts[1] == 0 || (mf_nnz)MF_AMG_MODES * counts[1] > unknowns * 3 / 4;
    }
    if (last) {
      G->dense = unknowns <= DENSE_MAX;
      if (G->dense) MF_CALL(factor_coarsest(G, lv, l));
      break;
    }
    mf_amg_level *next = &G->lv[l + 1];
    if (G->comm) {
      MF_CALL(next_span(G, pc, l));
      G->n_levels = l + 2;
      continue;
    }
    MF_CALL(mf_amg_aggregate_lists(lv));
    MF_CALL(mf_amg_tentative_alloc(lv, o->precision == MF_AMG_SINGLE));
    next->bs = MF_AMG_MODES;
    next->n = lv->nc;
    MF_CALL(level_alloc(next, l + 1, pc->layout, NULL));
    MF_CALL(MF_ALLOC_N(next->gid, (size_t)next->n + 1, "multigrid global ids"));
    for (mf_idx a = 0; a < lv->nc; a++) next->gid[a] = lv->gid[lv->root[a]]; /* keyed on the root's id */
    MF_CALL(mf_amg_tentative(lv, l == 0 ? pc->xyz : NULL, next->B));
    MF_CALL(mf_amg_prolong_symbolic(lv, o->precision == MF_AMG_SINGLE));
    MF_CALL(mf_amg_galerkin_symbolic(lv, o->precision == MF_AMG_SINGLE, next));
    next->own_A = 1;
    mf_amg_prolong_numeric(lv);
    mf_amg_galerkin_numeric(lv, next);
    G->n_levels = l + 2;
  }
  for (int l = 0; l < G->n_levels; l++) {
    const mf_bcsr *A = G->lv[l].A;
    G->rows[l] = G->lv[l].n;
    G->nnzb[l] = A->symmetric ? 2 * A->nnzb - A->n_rows : A->nnzb; /* a symmetric one's lower triangle counted */
  }
  MF_CALL(total(G, G->rows, G->n_levels));
  MF_CALL(total(G, G->nnzb, G->n_levels));
  G->built = 1;
  return MF_OK;
}

static mf_status setup_symbolic(mf_pc *pc, const mf_operator *A) {
  MF_CHECK(A->matrix, MF_ERR_INTERNAL, "amg preconditioner: the operator has no assembled matrix");
  MF_CHECK(A->matrix->bs == 3, MF_ERR_INTERNAL, "amg preconditioner: blocks of %d, expected 3", A->matrix->bs);
  MF_CHECK(pc->xyz, MF_ERR_INTERNAL, "amg preconditioner: no coordinates for the rigid-body modes");
  amg *G = pc->data;
  if (pc->halo && pc->halo->comm->size > 1) {
    MF_CHECK(pc->row_key && A->layout->comm, MF_ERR_INTERNAL,
             "amg preconditioner: across processes without row keys or a communicating layout");
    G->comm = pc->halo->comm;
  }
  return MF_OK; /* aggregates and patterns need values: made by the first numeric set-up */
}

static mf_status setup_numeric(mf_pc *pc, const mf_operator *A) {
  amg *G = pc->data;
  mf_status st;
  if (!G->built) {
    st = build(G, pc, A);
    if (st) { /* leave nothing half built */
      for (int l = 0; l < MF_AMG_MAX_LEVELS; l++) level_free(&G->lv[l]);
      mf_amg_exchange_space_free(&G->xspace);
      mf_free(&G->key0);
      G->n_levels = 0;
      return st;
    }
  } else {
    for (int l = 0; l < G->n_levels; l++) MF_CALL(refresh_level(G, &pc->opt, l, pc));
  }
  G->setups++;
  return MF_OK;
}

static void vcycle(const amg *G, const mf_amg_options *o, int l, const double *b, double *x) {
  const mf_amg_level *lv = &G->lv[l];
  if (l == G->n_levels - 1) {
    if (!G->dense) {
      mf_amg_smooth(lv, o, b, x, 1);
      for (int k = 0; k < 3; k++) mf_amg_smooth(lv, o, b, x, 0);
    } else if (mf_amg_coarsest_solve(lv, b, x)) { /* an exchange failed: a NaN correction, which CG reports */
      mf_vec_set((mf_nnz)lv->bs * lv->n, NAN, x);
    }
    return;
  }
  const mf_amg_level *next = &G->lv[l + 1];
  mf_amg_smooth(lv, o, b, x, 1);
  mf_amg_residual(lv, b, x, lv->r);
  if (G->comm) mf_amg_restrict_span(lv, lv->r, next->b); /* a failed exchange gives NaN */
  else mf_amg_restrict(lv, lv->r, NULL, next->b);
  vcycle(G, o, l + 1, next->b, next->x);
  if (G->comm) mf_amg_prolong_add_span(lv, next->x, x);
  else mf_amg_prolong_add(lv, next->x, x);
  mf_amg_smooth(lv, o, b, x, 0);
}

static void apply(const mf_pc *pc, const double *restrict r, double *restrict z) {
  vcycle(pc->data, &pc->opt.amg, 0, r, z);
}

/* What the matrix values in float save against mf_bcsr's count in double. */
static size_t float_saving(const mf_amg_level *lv) {
  return lv->af ? (size_t)lv->A->nnzb * lv->A->bs2 * (sizeof(double) - sizeof(float)) : 0;
}

static size_t level_bytes(const mf_amg_level *lv, int dense) {
  const size_t m = (size_t)lv->bs * lv->n, d = sizeof(double);
  size_t b = (lv->own_A ? mf_bcsr_memory_bytes(lv->A) - float_saving(lv) : 0) + m * (lv->bs + 3) * d + m +
             (size_t)lv->n * sizeof(uint64_t) + (lv->B ? m * (MF_AMG_MODES + 2) * d : 0);
  if (lv->P.row_ptr) {
    const mf_amg_bmat *P = &lv->P;
    const mf_nnz np = P->row_ptr[P->n_slots];
    b += (size_t)np * (P->rb * P->cb * (P->valf ? sizeof(float) : d) + sizeof(mf_idx)) +
         ((size_t)P->n_slots + 1) * sizeof(mf_nnz) +
         ((size_t)P->n_slots + P->n_rows) * sizeof(mf_idx);                                       /* P */
    b += m * MF_AMG_MODES * (lv->Qf ? sizeof(float) : d) + (size_t)lv->nc * MF_AMG_MODES +      /* Q, dropped */
         (size_t)lv->n_threads * lv->qr_rows * MF_AMG_MODES * d;                                  /* QR workspace */
    b += (size_t)lv->n * 2 * sizeof(mf_idx) + (size_t)lv->nc * (sizeof(mf_idx) + sizeof(mf_nnz)); /* aggregates */
    b += (size_t)lv->ra_width * lv->n_threads * (lv->bs * MF_AMG_MODES * d + sizeof(mf_idx)) +
         (size_t)lv->n_threads * (lv->n * sizeof(mf_idx) + lv->nc * sizeof(mf_nnz)) + /* Galerkin workspaces */
         (size_t)lv->n_threads * lv->ac_width * MF_AMG_MODES * MF_AMG_MODES * d +
         (size_t)np * (sizeof(mf_idx) + sizeof(uint32_t)) + ((size_t)lv->nc + 1) * sizeof(mf_nnz); /* transpose */
  }
  if (dense) b += mf_amg_coarsest_bytes(lv);
  if (lv->a0f) b += (size_t)lv->A->nnzb * lv->A->bs2 * sizeof(float);
  return b + mf_amg_transfer_bytes(lv) + mf_amg_galerkin_span_bytes(lv);
}

static void levels(const mf_pc *pc, mf_amg_info *info) {
  const amg *G = pc->data;
  *info = (mf_amg_info){.n_levels = G->n_levels, .setups = G->setups};
  if (!G->n_levels) return;
  const double nnz0 = (double)G->nnzb[0] * G->lv[0].A->bs2, n0 = (double)G->rows[0] * G->lv[0].bs;
  for (int l = 0; l < G->n_levels; l++) {
    const mf_amg_level *lv = &G->lv[l];
    info->level[l] = (mf_amg_level_info){.rows = (mf_idx)G->rows[l], .bs = lv->bs, .nnzb = G->nnzb[l],
                                         .bytes = level_bytes(lv, G->dense && l == G->n_levels - 1) +
                                                  (l == 0 ? mf_amg_exchange_space_bytes(&G->xspace) : 0)};
    info->operator_complexity += (double)G->nnzb[l] * lv->A->bs2 / nnz0;
    info->grid_complexity += (double)G->rows[l] * lv->bs / n0;
  }
}

static double apply_bytes(const mf_pc *pc) {
  const amg *G = pc->data;
  const mf_amg_options *o = &pc->opt.amg;
  double b = 0.0;
  for (int l = 0; l < G->n_levels; l++) {
    const mf_amg_level *lv = &G->lv[l];
    const double vec = (double)lv->n * lv->bs * sizeof(double);
    const double spmv = mf_bcsr_spmv_bytes(lv->A) - (double)float_saving(lv);
    if (l == G->n_levels - 1) {
      b += G->dense ? (double)lv->n * lv->bs * lv->n * lv->bs * sizeof(double) : 4.0 * o->sweeps * spmv;
      continue;
    }
    /* 2 x sweeps residual products (each a product plus two vectors), smoother updates,
     * the restriction and the prolongation (each the prolongator once) */
    const double pbytes = (double)lv->P.row_ptr[lv->P.n_slots] *
                          (lv->P.rb * lv->P.cb * (lv->P.valf ? sizeof(float) : sizeof(double)) + sizeof(mf_idx));
    b += 2.0 * o->sweeps * (spmv + vec) + 2.0 * o->sweeps * 4.0 * vec + 2.0 * pbytes;
  }
  return b;
}

static size_t memory_bytes(const mf_pc *pc) {
  const amg *G = pc->data;
  size_t b = 0;
  for (int l = 0; l < G->n_levels; l++) b += level_bytes(&G->lv[l], G->dense && l == G->n_levels - 1);
  return b + mf_amg_exchange_space_bytes(&G->xspace);
}

static void destroy(mf_pc *pc) {
  amg *G = pc->data;
  if (G) {
    for (int l = 0; l < MF_AMG_MAX_LEVELS; l++) level_free(&G->lv[l]);
    mf_amg_exchange_space_free(&G->xspace);
    mf_free(&G->key0);
  }
  mf_free(&pc->data);
}

static const mf_pc_ops ops = {.setup_symbolic = setup_symbolic,
                              .setup_numeric = setup_numeric,
                              .apply = apply,
                              .apply_bytes = apply_bytes,
                              .memory_bytes = memory_bytes,
                              .destroy = destroy,
                              .levels = levels};

mf_status mf_pc_create_amg(mf_pc *pc) {
  const mf_amg_options *o = &pc->opt.amg;
  MF_CHECK(o->sweeps >= 1 && o->sweeps <= 8, MF_ERR_INPUT, "amg: %d smoother sweeps; give 1 to 8", o->sweeps);
  MF_CHECK(o->eig_ratio > 1.0, MF_ERR_INPUT, "amg: eig_ratio %g must be > 1", o->eig_ratio);
  MF_CHECK(o->threshold >= 0.0 && o->threshold < 1.0, MF_ERR_INPUT, "amg: threshold %g must lie in [0, 1)",
           o->threshold);
  pc->ops = &ops;
  amg *G;
  MF_CALL(MF_CALLOC_N(G, 1, "multigrid"));
  pc->data = G;
  return MF_OK;
}
