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
 *    the global id) the same at any process count.
 * 3. Aggregates: a root's, its strong neighbours' (at distance 2 exactly one root can be
 *    adjacent; at distance 1 the strongest, ties: the smaller global id), then each
 *    remaining node joins the aggregate of its strongest neighbour from step 3's first
 *    pass (ties: the smaller global id; at distance 1 no node remains). A row with no
 *    strong neighbour joins the aggregate of its strongest neighbour in A (by block
 *    norm) that has one; only rows with every unknown fixed (or with no neighbour in
 *    any aggregate) join none.
 *
 * Across processes (lv->halo) every process decides its owned rows with the same tests,
 * reading its ghost rows' states, which their owners send after each step that changes
 * them (a ghost exchange of one value per row). Nothing depends on which process holds
 * a row: rows are compared by their keys (their one-process row numbers) and global
 * ids, aggregates are named by their root's key, and the counts that end the loops are
 * summed over the processes. One block crosses processes: the upper triangle's block of
 * an edge to a ghost ordered before the row, which its owner sends (ghost_upper_norms). */
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

/* Does the node of priority pa and id ga outrank that of pb and gb (gb MF_AMG_NONE:
 * nobody)? Nodes travel as ids, so that a best node two steps away, on another
 * process, compares as it would on one. */
static inline int outranks(uint64_t pa, uint64_t ga, uint64_t pb, uint64_t gb) {
  return gb == MF_AMG_NONE || pa > pb || (pa == pb && ga < gb);
}

static double block_norm2(const double *b, int bs2) {
  double s = 0.0;
  for (int k = 0; k < bs2; k++) s += b[k] * b[k];
  return s;
}

/* ---- across processes ---- */

enum { AS_U8, AS_I32, AS_U64, AS_F64 };

/* Ghost rows of v (n + n_ghost values of the kind `as`) take their owners' values,
 * through x (n + n_ghost doubles: exact for states, keys and ids below 2^53). Nothing
 * on one process. */
static mf_status share(const mf_amg_level *lv, void *v, int as, double *x) {
  if (!lv->halo) return MF_OK;
  const mf_idx n = lv->n, nl = n + lv->n_ghost;
  uint8_t *u8 = v;
  int32_t *i32 = v;
  uint64_t *u64 = v;
  double *f64 = v;
  for (mf_idx i = 0; i < n; i++)
    x[i] = as == AS_U8    ? u8[i]
           : as == AS_I32 ? i32[i]
           : as == AS_F64 ? f64[i]
           : u64[i] == MF_AMG_NONE ? -1.0
                                   : (double)u64[i];
  MF_CALL(mf_halo_forward(lv->halo, x));
  for (mf_idx i = n; i < nl; i++) {
    if (as == AS_U8) u8[i] = (uint8_t)x[i];
    else if (as == AS_I32) i32[i] = (int32_t)x[i];
    else if (as == AS_F64) f64[i] = x[i];
    else u64[i] = x[i] < 0.0 ? MF_AMG_NONE : (uint64_t)x[i];
  }
  return MF_OK;
}

/* A count summed over the processes. */
static mf_status sum_all(const mf_amg_level *lv, mf_idx *v) {
  if (!lv->halo) return MF_OK;
  int64_t s = *v;
  MF_CALL(lv->halo->comm->ops->sum_i64(lv->halo->comm, &s, 1));
  *v = (mf_idx)s;
  return MF_OK;
}

/* Row j's block in column i, found by key (the blocks of a row ascend by key; across
 * processes their local column numbers do not); -1 if absent. */
static mf_nnz find_by_key(const mf_amg_level *lv, mf_idx j, mf_idx i) {
  const mf_bcsr *A = lv->A;
  if (!lv->key) return mf_bcsr_find(A, j, i);
  const uint64_t k = lv->key[i];
  mf_nnz lo = A->row_ptr[j], hi = A->row_ptr[j + 1];
  while (lo < hi) {
    mf_nnz mid = lo + (hi - lo) / 2;
    if (lv->key[A->col[mid]] < k) lo = mid + 1;
    else hi = mid;
  }
  return lo < A->row_ptr[j + 1] && A->col[lo] == i ? lo : -1;
}

/* The neighbour index (in lv->halo's lists) of the owner of each ghost row into
 * owner[0 .. n_ghost). */
static void ghost_owners(const mf_amg_level *lv, int32_t *owner) {
  const mf_halo *h = lv->halo;
  for (int k = 0; k < h->n_neighbours; k++)
    for (mf_nnz q = h->recv_ptr[k]; q < h->recv_ptr[k + 1]; q++) owner[h->recv[q] - lv->n] = k;
}

/* The squared norms of the upper triangle's blocks of this process's edges (i, j) with
 * j a ghost ordered before i: block (j, i), in row j, which j's owner has. Every owner
 * sends them for its rows; both sides list a neighbour's edges ordered by i's key, then
 * j's, so only values travel. Row i's edges are gu[gu_ptr[i] .. gu_ptr[i + 1]), in the
 * order of its blocks. The matrix pattern is structurally symmetric (every tangent's
 * is), so the counts agree. */
static mf_status ghost_upper_norms(const mf_amg_level *lv, mf_nnz **gu_ptr_out, double **gu_out) {
  const mf_halo *h = lv->halo;
  const mf_bcsr *A = lv->A;
  const mf_idx n = lv->n, ng = lv->n_ghost;
  const int nb = h->n_neighbours;
  int32_t *owner = NULL;
  mf_nnz *gu_ptr = NULL, *rptr = NULL, *sptr = NULL, *tptr = NULL, *cur = NULL;
  double *gu = NULL, *tv = NULL, *sbuf = NULL, *rbuf = NULL;
  mf_status st;
  if ((st = MF_ALLOC_N(owner, (size_t)ng + 1, "ghost owners")) ||
      (st = MF_CALLOC_N(gu_ptr, (size_t)n + 1, "upper ghost blocks")) ||
      (st = MF_CALLOC_N(rptr, (size_t)nb + 1, "upper ghost offsets")) ||
      (st = MF_CALLOC_N(sptr, (size_t)nb + 1, "upper ghost offsets")) ||
      (st = MF_CALLOC_N(tptr, (size_t)ng + 1, "upper ghost transpose")) ||
      (st = MF_ALLOC_N(cur, (size_t)(ng > nb ? ng : nb) + 1, "upper ghost cursors")))
    goto done;
  ghost_owners(lv, owner);
  /* received: row i's edges to ghosts ordered before it; sent: for each ghost, this
   * process's rows ordered before it that have a block in its column */
  for (mf_idx i = 0; i < n; i++)
    for (mf_nnz p = A->row_ptr[i]; p < A->row_ptr[i + 1]; p++) {
      const mf_idx j = A->col[p];
      if (j < n) continue;
      if (mf_amg_key(lv, j) < mf_amg_key(lv, i)) gu_ptr[i + 1]++, rptr[owner[j - n] + 1]++;
      else tptr[j - n + 1]++;
    }
  for (mf_idx i = 0; i < n; i++) gu_ptr[i + 1] += gu_ptr[i];
  for (mf_idx g = 0; g < ng; g++) tptr[g + 1] += tptr[g];
  for (int k = 0; k < nb; k++) {
    rptr[k + 1] += rptr[k];
    sptr[k + 1] = sptr[k];
    for (mf_nnz q = h->recv_ptr[k]; q < h->recv_ptr[k + 1]; q++) {
      const mf_idx g = h->recv[q] - n;
      sptr[k + 1] += tptr[g + 1] - tptr[g];
    }
  }
  if ((st = MF_ALLOC_N(gu, (size_t)gu_ptr[n] + 1, "upper ghost norms")) ||
      (st = MF_ALLOC_N(tv, (size_t)tptr[ng] + 1, "upper ghost norms sent")) ||
      (st = MF_ALLOC_N(sbuf, (size_t)sptr[nb] + 1, "upper ghost send buffer")) ||
      (st = MF_ALLOC_N(rbuf, (size_t)rptr[nb] + 1, "upper ghost receive buffer")))
    goto done;
  memcpy(cur, tptr, (size_t)ng * sizeof *cur);
  for (mf_idx j = 0; j < n; j++) /* rows ascend by key: each ghost's list comes out ascending */
    for (mf_nnz b = 0; b < A->row_ptr[j + 1] - A->row_ptr[j]; b++) {
      mf_idx i;
      int t;
      double buf[MF_AMG_MODES * MF_AMG_MODES];
      const double *blk = mf_amg_row_block(lv, j, b, &i, &t, buf);
      if (i >= n && mf_amg_key(lv, j) < mf_amg_key(lv, i)) tv[cur[i - n]++] = block_norm2(blk, A->bs2);
    }
  for (int k = 0; k < nb; k++) { /* each neighbour's ghosts ascend by key */
    mf_nnz s = sptr[k];
    for (mf_nnz q = h->recv_ptr[k]; q < h->recv_ptr[k + 1]; q++) {
      const mf_idx g = h->recv[q] - n;
      for (mf_nnz e = tptr[g]; e < tptr[g + 1]; e++) sbuf[s++] = tv[e];
    }
  }
  if ((st = mf_comm_exchange(h->comm, nb, h->neighbours, sbuf, sptr, rbuf, rptr))) goto done;
  memcpy(cur, rptr, (size_t)nb * sizeof *cur);
  for (mf_idx i = 0; i < n; i++) {
    mf_nnz e = gu_ptr[i];
    for (mf_nnz p = A->row_ptr[i]; p < A->row_ptr[i + 1]; p++) {
      const mf_idx j = A->col[p];
      if (j >= n && mf_amg_key(lv, j) < mf_amg_key(lv, i)) gu[e++] = rbuf[cur[owner[j - n]]++];
    }
  }
  *gu_ptr_out = gu_ptr, *gu_out = gu;
  gu_ptr = NULL, gu = NULL;
done:
  mf_free(&owner), mf_free(&gu_ptr), mf_free(&rptr), mf_free(&sptr), mf_free(&tptr), mf_free(&cur);
  mf_free(&gu), mf_free(&tv), mf_free(&sbuf), mf_free(&rbuf);
  return st;
}

/* Strong neighbours of the owned rows as CSR (S_ptr n + 1, S_col local rows) and each
 * edge's strength. x: n + n_ghost doubles for the exchanges. */
static mf_status strength(const mf_amg_level *lv, double theta, double *x, mf_nnz **S_ptr, mf_idx **S_col,
                          double **S_val) {
  const mf_bcsr *A = lv->A;
  const mf_idx n = lv->n;
  const int bs2 = A->bs2;
  double *dnorm = NULL, *gu = NULL;
  mf_nnz *ptr = NULL, *gu_ptr = NULL;
  mf_idx *col = NULL;
  double *val = NULL;
  mf_status st;
  if ((st = MF_ALLOC_N(dnorm, (size_t)n + lv->n_ghost + 1, "aggregation diagonal norms")) ||
      (st = MF_CALLOC_N(ptr, (size_t)n + 1, "strength offsets")))
    goto fail;
#pragma omp parallel for schedule(static)
  for (mf_idx i = 0; i < n; i++) {
    double buf[MF_AMG_MODES * MF_AMG_MODES];
    dnorm[i] = sqrt(block_norm2(mf_amg_stored_block(lv, A->diag[i], buf), bs2));
  }
  if ((st = share(lv, dnorm, AS_F64, x)) || (lv->halo && (st = ghost_upper_norms(lv, &gu_ptr, &gu)))) goto fail;
  const double t2 = theta * theta;
  for (int pass = 0; pass < 2; pass++) {
#pragma omp parallel for schedule(static)
    for (mf_idx i = 0; i < n; i++) {
      mf_nnz k = pass ? ptr[i] : 0, e = gu_ptr ? gu_ptr[i] : 0;
      const mf_nnz len = mf_bcsr_row_len(A, i);
      for (mf_nnz b = 0; b < len; b++) {
        mf_idx j;
        int t;
        double buf[MF_AMG_MODES * MF_AMG_MODES];
        const double *blk = mf_amg_row_block(lv, i, b, &j, &t, buf);
        if (j == i) continue;
        /* the upper triangle's block for both (i, j) and (j, i): a symmetric matrix's
         * stored block either way, else found in row j (or sent by j's owner) */
        double s2;
        if (A->symmetric || mf_amg_key(lv, j) > mf_amg_key(lv, i)) {
          s2 = block_norm2(blk, bs2);
        } else if (j >= n) {
          s2 = gu[e++];
        } else {
          mf_nnz q = find_by_key(lv, j, i);
          s2 = q < 0 ? 0.0 : block_norm2(mf_amg_stored_block(lv, q, buf), bs2);
        }
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
  mf_free(&dnorm), mf_free(&gu_ptr), mf_free(&gu);
  *S_ptr = ptr, *S_col = col, *S_val = val;
  return MF_OK;
fail:
  mf_free(&dnorm), mf_free(&gu_ptr), mf_free(&gu), mf_free(&ptr), mf_free(&col), mf_free(&val);
  return st;
}

/* Luby rounds for the distance-2 (or 1) independent set of roots: state[] of every local
 * row, owned rows decided here, ghost rows as their owners decided them. */
static mf_status roots(const mf_amg_level *lv, const mf_nnz *S_ptr, const mf_idx *S_col, int distance, uint8_t *state,
                       double *x) {
  const mf_idx n = lv->n, nl = n + lv->n_ghost;
  const uint64_t *gid = lv->gid;
  uint64_t *prio = NULL, *bestg = NULL, *bestp = NULL;
  uint8_t *near = NULL;
  mf_status st;
  if ((st = MF_ALLOC_N(prio, (size_t)nl + 1, "aggregation priorities")) ||
      (st = MF_ALLOC_N(bestg, (size_t)nl + 1, "aggregation maxima")) ||
      (st = MF_ALLOC_N(bestp, (size_t)nl + 1, "aggregation maxima")) ||
      (st = MF_ALLOC_N(near, (size_t)nl + 1, "aggregation marks")))
    goto done;
  mf_idx undecided = 0;
#pragma omp parallel for schedule(static)
  for (mf_idx i = 0; i < nl; i++) prio[i] = mix(gid[i]);
#pragma omp parallel for schedule(static) reduction(+ : undecided)
  for (mf_idx i = 0; i < n; i++) {
    int all_fixed = 1;
    for (int c = 0; c < lv->bs; c++) all_fixed &= lv->fixed[(size_t)lv->bs * i + c];
    state[i] = all_fixed ? ISOLATED : S_ptr[i + 1] == S_ptr[i] ? WEAK : UNDECIDED;
    undecided += state[i] == UNDECIDED;
  }
  if ((st = share(lv, state, AS_U8, x)) || (st = sum_all(lv, &undecided))) goto done;
  while (undecided > 0) {
#pragma omp parallel for schedule(static)
    for (mf_idx i = 0; i < n; i++) { /* best undecided node in the closed neighbourhood */
      uint64_t bg = MF_AMG_NONE, bp = 0;
      if (state[i] == UNDECIDED) bg = gid[i], bp = prio[i];
      for (mf_nnz p = S_ptr[i]; p < S_ptr[i + 1]; p++) {
        mf_idx j = S_col[p];
        if (state[j] == UNDECIDED && outranks(prio[j], gid[j], bp, bg)) bg = gid[j], bp = prio[j];
      }
      bestg[i] = bg, bestp[i] = bp;
    }
    if ((st = share(lv, bestg, AS_U64, x))) goto done;
    for (mf_idx i = n; i < nl; i++) bestp[i] = bestg[i] == MF_AMG_NONE ? 0 : mix(bestg[i]);
#pragma omp parallel for schedule(static)
    for (mf_idx i = 0; i < n; i++) { /* a root if best within two steps */
      if (state[i] != UNDECIDED) {
        near[i] = 0;
        continue;
      }
      uint64_t bg = bestg[i], bp = bestp[i];
      if (distance == 2)
        for (mf_nnz p = S_ptr[i]; p < S_ptr[i + 1]; p++) {
          const mf_idx j = S_col[p];
          if (bestg[j] != MF_AMG_NONE && outranks(bestp[j], bestg[j], bp, bg)) bg = bestg[j], bp = bestp[j];
        }
      near[i] = bg == gid[i];
    }
#pragma omp parallel for schedule(static)
    for (mf_idx i = 0; i < n; i++)
      if (near[i]) state[i] = ROOT;
    if ((st = share(lv, state, AS_U8, x))) goto done;
#pragma omp parallel for schedule(static)
    for (mf_idx i = 0; i < n; i++) { /* next to a root? */
      int r = state[i] == ROOT;
      for (mf_nnz p = S_ptr[i]; p < S_ptr[i + 1] && !r; p++) r = state[S_col[p]] == ROOT;
      near[i] = (uint8_t)r;
    }
    if ((st = share(lv, near, AS_U8, x))) goto done;
    undecided = 0;
#pragma omp parallel for schedule(static) reduction(+ : undecided)
    for (mf_idx i = 0; i < n; i++) { /* within `distance` steps of a root: decided */
      if (state[i] != UNDECIDED) continue;
      int r = near[i];
      for (mf_nnz p = S_ptr[i]; p < S_ptr[i + 1] && !r && distance == 2; p++) r = near[S_col[p]];
      if (r) state[i] = DECIDED;
      else undecided++;
    }
    if ((st = share(lv, state, AS_U8, x)) || (st = sum_all(lv, &undecided))) goto done;
  }
done:
  mf_free(&prio), mf_free(&bestg), mf_free(&bestp), mf_free(&near);
  return st;
}

mf_status mf_amg_aggregate(mf_amg_level *lv, double threshold, int distance) {
  const mf_idx n = lv->n, nl = n + lv->n_ghost;
  const uint64_t *gid = lv->gid;
  mf_nnz *S_ptr = NULL;
  mf_idx *S_col = NULL, *cidx = NULL;
  double *S_val = NULL, *x = NULL;
  uint8_t *state = NULL;
  uint64_t *akey1 = NULL, *akey = NULL, *weak = NULL;
  int32_t *rank = NULL, *arank1 = NULL, *arank = NULL, *weak_rank = NULL; /* owners: of a row, of its root */
  mf_status st;
  if (lv->halo) { /* ids and keys travel as doubles; agreed, so no process waits on one that stopped */
    mf_idx big = 0;
    for (mf_idx i = 0; i < lv->n; i++) big += gid[i] >= (1ULL << 53) || mf_amg_key(lv, i) >= (1ULL << 53);
    MF_CALL(sum_all(lv, &big));
    MF_CHECK(big == 0, MF_ERR_INPUT, "multigrid aggregation: %lld rows have an id or key of 2^53 or more",
             (long long)big);
  }
  if ((st = MF_ALLOC_N(x, (size_t)nl + 1, "aggregation exchange")) ||
      (st = strength(lv, threshold, x, &S_ptr, &S_col, &S_val)) ||
      (st = MF_ALLOC_N(state, (size_t)nl + 1, "aggregation states")) ||
      (st = roots(lv, S_ptr, S_col, distance, state, x)) ||
      (st = MF_ALLOC_N(akey1, (size_t)nl + 1, "first-pass aggregates")) ||
      (st = MF_ALLOC_N(akey, (size_t)nl + 1, "aggregates")) || (st = MF_ALLOC_N(weak, (size_t)n + 1, "third pass")) ||
      (st = MF_ALLOC_N(rank, (size_t)nl + 1, "row owners")) ||
      (st = MF_ALLOC_N(arank1, (size_t)nl + 1, "first-pass aggregate owners")) ||
      (st = MF_ALLOC_N(arank, (size_t)nl + 1, "aggregate owners")) ||
      (st = MF_ALLOC_N(weak_rank, (size_t)n + 1, "third pass owners")))
    goto done;
  for (mf_idx i = 0; i < n; i++) rank[i] = lv->halo ? lv->halo->comm->rank : 0;
  if (lv->halo) {
    ghost_owners(lv, &rank[n]);
    for (mf_idx g = n; g < nl; g++) rank[g] = lv->halo->neighbours[rank[g]];
  }
  /* aggregates, named by their root's key: roots, then their neighbours, then the rest */
  mf_idx nc = 0;
  for (mf_idx i = 0; i < n; i++) nc += state[i] == ROOT;
  lv->nc = nc;
  if ((st = MF_ALLOC_N(lv->root, (size_t)nc + 1, "aggregate roots"))) goto done;
  nc = 0;
  for (mf_idx i = 0; i < nl; i++) {
    akey1[i] = state[i] == ROOT ? mf_amg_key(lv, i) : MF_AMG_NONE;
    arank1[i] = state[i] == ROOT ? rank[i] : -1;
    if (i < n && state[i] == ROOT) lv->root[nc++] = i;
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
    if (bj >= 0) akey1[i] = mf_amg_key(lv, bj), arank1[i] = rank[bj];
  }
  if ((st = share(lv, akey1, AS_U64, x)) || (st = share(lv, arank1, AS_I32, x))) goto done;
  mf_idx lost = 0;
#pragma omp parallel for schedule(static) reduction(+ : lost)
  for (mf_idx i = 0; i < n; i++) { /* second pass: the strongest first-pass neighbour's */
    uint64_t a = akey1[i];
    int32_t ar = arank1[i];
    mf_idx bj = -1;
    double bv = 0.0;
    if (state[i] == DECIDED && a == MF_AMG_NONE) {
      for (mf_nnz p = S_ptr[i]; p < S_ptr[i + 1]; p++) {
        mf_idx j = S_col[p];
        if (akey1[j] == MF_AMG_NONE) continue;
        if (stronger(S_val[p], j, bv, bj, gid)) {
          bj = j;
          bv = S_val[p];
          a = akey1[j];
          ar = arank1[j];
        }
      }
      lost += a == MF_AMG_NONE;
    }
    akey[i] = a, arank[i] = ar;
  }
  if ((st = share(lv, akey, AS_U64, x)) || (st = share(lv, arank, AS_I32, x)) || (st = sum_all(lv, &lost))) goto done;
  /* third pass: a row with no strong neighbour that is not wholly fixed joins the
   * aggregate of its strongest neighbour in A that has one (ties: the smaller global id;
   * reads the second pass's aggregates only). Left out, its unknowns would have no
   * coarse correction at all. */
#pragma omp parallel for schedule(static)
  for (mf_idx i = 0; i < n; i++) {
    weak[i] = MF_AMG_NONE;
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
      if (j == i || akey[j] == MF_AMG_NONE) continue;
      double v = block_norm2(blk, A->bs2);
      if (v > 0.0 && stronger(v, j, bv, bj, gid)) bj = j, bv = v;
    }
    if (bj >= 0) weak[i] = akey[bj], weak_rank[i] = arank[bj];
  }
#pragma omp parallel for schedule(static)
  for (mf_idx i = 0; i < n; i++)
    if (weak[i] != MF_AMG_NONE) akey[i] = weak[i], arank[i] = weak_rank[i];
  if (lost) {
    st = MF_ERROR(MF_ERR_INTERNAL, "multigrid aggregation: %lld rows within two steps of a root found no aggregate",
                  (long long)lost);
    goto done;
  }
  if (lv->halo) { /* the keys are the answer: the coarse numbering across processes is the prolongator's */
    if ((st = share(lv, akey, AS_U64, x)) || (st = share(lv, arank, AS_I32, x)) || /* the third pass's */
        (st = MF_ALLOC_N(lv->agg_key, (size_t)nl + 1, "aggregate keys")) ||
        (st = MF_ALLOC_N(lv->agg_rank, (size_t)nl + 1, "aggregate owners")))
      goto done;
    memcpy(lv->agg_key, akey, (size_t)nl * sizeof *akey);
    memcpy(lv->agg_rank, arank, (size_t)nl * sizeof *arank);
  } else { /* one process: a root's key is its row (lv->key is NULL), and aggregates are
            * numbered by ascending root */
    if ((st = MF_ALLOC_N(lv->agg, (size_t)n + 1, "aggregate of each row")) ||
        (st = MF_ALLOC_N(cidx, (size_t)n + 1, "aggregate numbers")))
      goto done;
    for (mf_idx a = 0; a < lv->nc; a++) cidx[lv->root[a]] = a;
#pragma omp parallel for schedule(static)
    for (mf_idx i = 0; i < n; i++) lv->agg[i] = akey[i] == MF_AMG_NONE ? -1 : cidx[(mf_idx)akey[i]];
  }
done:
  mf_free(&S_ptr), mf_free(&S_col), mf_free(&S_val), mf_free(&x), mf_free(&state), mf_free(&cidx);
  mf_free(&akey1), mf_free(&akey), mf_free(&weak), mf_free(&rank), mf_free(&arank1), mf_free(&arank);
  mf_free(&weak_rank);
  return st;
}
