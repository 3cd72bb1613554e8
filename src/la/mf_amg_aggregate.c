/* Aggregation of one level's block graph (mf_amg_impl.h).
 *
 * 1. Strength: block (i, j) is strong when ||A_ij||_F^2 >= theta^2 ||A_ii||_F ||A_jj||_F,
 *    tested on the block of the upper triangle, so the relation is symmetric even where
 *    round-off makes A_ij and A_ji^T differ in the last bit.
 * 2. Roots: a distance-2 (or, on levels past amg.aggressive_levels, distance-1) maximal
 *    independent set by Luby rounds. Each node's priority is a hash of its global id
 *    (ties by the id): in a round an undecided node becomes a root when it has the
 *    highest priority among the undecided nodes within two strong steps (one); nodes
 *    within two steps (one) of a root are then decided. Every round reads the previous
 *    round's state only, so the set is the same at any thread count, and (the key being
 *    the global id) would be the same at any process count.
 * 3. Aggregates: a root's, its strong neighbours' (at distance 2 exactly one root can be
 *    adjacent; at distance 1 the strongest, ties: the smaller global id), then each
 *    remaining node joins the aggregate of its strongest neighbour from step 3's first
 *    pass (ties: the smaller global id; at distance 1 no node remains). A row with no
 *    strong neighbour joins the aggregate of its strongest neighbour in A (by block
 *    norm) that has one; only rows with every unknown fixed (or with no neighbour in
 *    any aggregate) join none. */
#include <math.h>
#include <string.h>

#include "la/mf_amg_impl.h"
#include "mem/mf_alloc.h"

/* ISOLATED: every unknown fixed, in no aggregate; WEAK: no strong neighbour, joins one
 * in the third pass. Neither takes part in the independent set. */
enum { UNDECIDED = 0, ROOT, DECIDED, ISOLATED, WEAK };

static uint64_t mix(uint64_t x) { /* splitmix64 finaliser */
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/* Is a neighbour j of strength v stronger than the best so far, bj of strength bv
 * (bj < 0: none)? Ties go to the smaller global id, so the choice depends on the mesh
 * only. */
static inline int stronger(double v, mf_idx j, double bv, mf_idx bj, const uint64_t *gid) {
  return bj < 0 || v > bv || (v == bv && gid[j] < gid[bj]);
}

/* Does node a outrank node b? (b < 0: nobody) */
static inline int outranks(const uint64_t *prio, const uint64_t *gid, mf_idx a, mf_idx b) {
  if (b < 0) return 1;
  return prio[a] > prio[b] || (prio[a] == prio[b] && gid[a] < gid[b]);
}

static double block_norm2(const double *b, int bs2) {
  double s = 0.0;
  for (int k = 0; k < bs2; k++) s += b[k] * b[k];
  return s;
}

/* Strong neighbours as CSR (S_ptr n + 1, S_col) and each edge's strength. */
static mf_status strength(const mf_amg_level *lv, double theta, mf_nnz **S_ptr, mf_idx **S_col, double **S_val) {
  const mf_bcsr *A = lv->A;
  const mf_idx n = lv->n;
  const int bs2 = A->bs2;
  double *dnorm = NULL;
  mf_nnz *ptr = NULL;
  mf_idx *col = NULL;
  double *val = NULL;
  mf_status st;
  if ((st = MF_ALLOC_N(dnorm, (size_t)n + 1, "aggregation diagonal norms")) ||
      (st = MF_CALLOC_N(ptr, (size_t)n + 1, "strength offsets")))
    goto fail;
#pragma omp parallel for schedule(static)
  for (mf_idx i = 0; i < n; i++) {
    double buf[MF_AMG_MODES * MF_AMG_MODES];
    dnorm[i] = sqrt(block_norm2(mf_amg_stored_block(lv, A->diag[i], buf), bs2));
  }
  const double t2 = theta * theta;
  for (int pass = 0; pass < 2; pass++) {
#pragma omp parallel for schedule(static)
    for (mf_idx i = 0; i < n; i++) {
      mf_nnz k = pass ? ptr[i] : 0;
      const mf_nnz len = mf_bcsr_row_len(A, i);
      for (mf_nnz b = 0; b < len; b++) {
        mf_idx j;
        int t;
        double buf[MF_AMG_MODES * MF_AMG_MODES];
        const double *blk = mf_amg_row_block(lv, i, b, &j, &t, buf);
        if (j == i) continue;
        /* the upper triangle's block for both (i, j) and (j, i): a symmetric matrix's
         * stored block either way, else found in row j */
        if (!A->symmetric && j < i) {
          mf_nnz q = mf_bcsr_find(A, j, i);
          blk = q < 0 ? NULL : mf_amg_stored_block(lv, q, buf);
        }
        double s2 = blk ? block_norm2(blk, bs2) : 0.0;
        if (!(s2 > 0.0) || s2 < t2 * dnorm[i] * dnorm[j]) continue;
        if (pass) {
          col[k] = j;
          val[k] = s2;
        }
        k++;
      }
      if (!pass) ptr[i + 1] = k;
    }
    if (!pass) {
      for (mf_idx i = 0; i < n; i++) ptr[i + 1] += ptr[i];
      if ((st = MF_ALLOC_N(col, (size_t)ptr[n] + 1, "strength graph")) ||
          (st = MF_ALLOC_N(val, (size_t)ptr[n] + 1, "strength values")))
        goto fail;
    }
  }
  mf_free(&dnorm);
  *S_ptr = ptr, *S_col = col, *S_val = val;
  return MF_OK;
fail:
  mf_free(&dnorm), mf_free(&ptr), mf_free(&col), mf_free(&val);
  return st;
}

mf_status mf_amg_aggregate(mf_amg_level *lv, double threshold, int distance) {
  const mf_idx n = lv->n;
  const int bs = lv->bs;
  mf_nnz *S_ptr = NULL;
  mf_idx *S_col = NULL, *best = NULL, *agg1 = NULL;
  double *S_val = NULL;
  uint64_t *prio = NULL;
  uint8_t *state = NULL, *near = NULL;
  mf_status st;
  if ((st = strength(lv, threshold, &S_ptr, &S_col, &S_val)) ||
      (st = MF_ALLOC_N(prio, (size_t)n + 1, "aggregation priorities")) ||
      (st = MF_ALLOC_N(state, (size_t)n + 1, "aggregation states")) ||
      (st = MF_ALLOC_N(near, (size_t)n + 1, "aggregation marks")) ||
      (st = MF_ALLOC_N(best, (size_t)n + 1, "aggregation maxima")) ||
      (st = MF_ALLOC_N(agg1, (size_t)n + 1, "first-pass aggregates")))
    goto done;
  const uint64_t *gid = lv->gid;
  mf_idx undecided = 0;
#pragma omp parallel for schedule(static) reduction(+ : undecided)
  for (mf_idx i = 0; i < n; i++) {
    int all_fixed = 1;
    for (int c = 0; c < bs; c++) all_fixed &= lv->fixed[(size_t)bs * i + c];
    prio[i] = mix(gid[i]);
    state[i] = all_fixed ? ISOLATED : S_ptr[i + 1] == S_ptr[i] ? WEAK : UNDECIDED;
    undecided += state[i] == UNDECIDED;
  }
  /* Luby rounds for the distance-2 independent set of roots */
  while (undecided > 0) {
#pragma omp parallel for schedule(static)
    for (mf_idx i = 0; i < n; i++) { /* best undecided node in the closed neighbourhood */
      mf_idx b = state[i] == UNDECIDED ? i : -1;
      for (mf_nnz p = S_ptr[i]; p < S_ptr[i + 1]; p++) {
        mf_idx j = S_col[p];
        if (state[j] == UNDECIDED && outranks(prio, gid, j, b)) b = j;
      }
      best[i] = b;
    }
#pragma omp parallel for schedule(static)
    for (mf_idx i = 0; i < n; i++) { /* a root if best within two steps */
      if (state[i] != UNDECIDED) {
        near[i] = 0;
        continue;
      }
      mf_idx b = best[i];
      if (distance == 2)
        for (mf_nnz p = S_ptr[i]; p < S_ptr[i + 1]; p++)
          if (best[S_col[p]] >= 0 && outranks(prio, gid, best[S_col[p]], b)) b = best[S_col[p]];
      near[i] = b == i;
    }
#pragma omp parallel for schedule(static)
    for (mf_idx i = 0; i < n; i++)
      if (near[i]) state[i] = ROOT;
#pragma omp parallel for schedule(static)
    for (mf_idx i = 0; i < n; i++) { /* next to a root? */
      int r = state[i] == ROOT;
      for (mf_nnz p = S_ptr[i]; p < S_ptr[i + 1] && !r; p++) r = state[S_col[p]] == ROOT;
      near[i] = (uint8_t)r;
    }
    undecided = 0;
#pragma omp parallel for schedule(static) reduction(+ : undecided)
    for (mf_idx i = 0; i < n; i++) { /* within `distance` steps of a root: decided */
      if (state[i] != UNDECIDED) continue;
      int r = near[i];
      for (mf_nnz p = S_ptr[i]; p < S_ptr[i + 1] && !r && distance == 2; p++) r = near[S_col[p]];
      if (r) state[i] = DECIDED;
      else undecided++;
    }
  }
  /* aggregates: roots in ascending row order, then their neighbours, then the rest */
  mf_idx nc = 0;
  for (mf_idx i = 0; i < n; i++) nc += state[i] == ROOT;
  lv->nc = nc;
  if ((st = MF_ALLOC_N(lv->root, (size_t)nc + 1, "aggregate roots")) ||
      (st = MF_ALLOC_N(lv->agg, (size_t)n + 1, "aggregate of each row")))
    goto done;
  nc = 0;
  for (mf_idx i = 0; i < n; i++) {
    agg1[i] = -1;
    if (state[i] == ROOT) {
      lv->root[nc] = i;
      agg1[i] = nc++;
    }
  }
#pragma omp parallel for schedule(static)
  for (mf_idx i = 0; i < n; i++) { /* first pass: next to a root, the strongest (reads roots' only) */
    if (state[i] != DECIDED) continue;
    mf_idx bj = -1;
    double bv = 0.0;
    for (mf_nnz p = S_ptr[i]; p < S_ptr[i + 1]; p++) {
      mf_idx j = S_col[p];
      if (state[j] == ROOT && stronger(S_val[p], j, bv, bj, gid)) bj = j, bv = S_val[p];
    }
    if (bj >= 0) agg1[i] = agg1[bj];
  }
  mf_idx lost = 0;
#pragma omp parallel for schedule(static) reduction(+ : lost)
  for (mf_idx i = 0; i < n; i++) { /* second pass: the strongest first-pass neighbour's */
    mf_idx a = agg1[i], bj = -1;
    double bv = 0.0;
    if (state[i] == DECIDED && a < 0) {
      for (mf_nnz p = S_ptr[i]; p < S_ptr[i + 1]; p++) {
        mf_idx j = S_col[p];
        if (agg1[j] < 0) continue;
        if (stronger(S_val[p], j, bv, bj, gid)) {
          bj = j;
          bv = S_val[p];
          a = agg1[j];
        }
      }
      lost += a < 0;
    }
    lv->agg[i] = a;
  }
  /* third pass: a row with no strong neighbour that is not wholly fixed joins the
   * aggregate of its strongest neighbour in A that has one (ties: the smaller global id;
   * reads the second pass's aggregates only). Left out, its unknowns would have no
   * coarse correction at all. */
#pragma omp parallel for schedule(static)
  for (mf_idx i = 0; i < n; i++) {
    best[i] = -1;
    if (state[i] != WEAK) continue;
    const mf_bcsr *A = lv->A;
    const mf_nnz len = mf_bcsr_row_len(A, i);
    mf_idx bj = -1;
    double bv = 0.0;
    for (mf_nnz b = 0; b < len; b++) {
      mf_idx j;
      int t;
      double buf[MF_AMG_MODES * MF_AMG_MODES];
      const double *blk = mf_amg_row_block(lv, i, b, &j, &t, buf);
      if (j == i || lv->agg[j] < 0) continue;
      double v = block_norm2(blk, A->bs2);
      if (v > 0.0 && stronger(v, j, bv, bj, gid)) bj = j, bv = v;
    }
    best[i] = bj < 0 ? -1 : lv->agg[bj];
  }
#pragma omp parallel for schedule(static)
  for (mf_idx i = 0; i < n; i++)
    if (best[i] >= 0) lv->agg[i] = best[i];
  if (lost)
    st = MF_ERROR(MF_ERR_INTERNAL, "multigrid aggregation: %lld rows within two steps of a root found no aggregate",
                  (long long)lost);
done:
  mf_free(&S_ptr), mf_free(&S_col), mf_free(&S_val), mf_free(&prio), mf_free(&state), mf_free(&near);
  mf_free(&best), mf_free(&agg1);
  return st;
}
