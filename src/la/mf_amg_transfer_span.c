/* Restriction and prolongation across processes (mf_amg_impl.h).
 *
 * Restriction: coarse row I sums P_iI^T x_i over the fine rows i whose P row has I, in
 * ascending key, as one process does. Such a row i may be another rank's (an aggregate
 * spans processes, and a P row reaches the aggregates of its neighbours), so the rank
 * that owns x_i forms the term (6 values, the arithmetic of the one-process kernel) and
 * sends it to I's owner, which adds it in its place among its own terms: the plan lists
 * each coarse row's terms, local and received, in ascending fine key once, at set-up.
 * Summing partial sums instead would move fewer values but change the bits.
 *
 * Prolongation: y_i += P_iJ x_J over P's columns J, some of them other ranks' coarse
 * rows (lv->cg_*): a forward exchange of those rows of the coarse correction first. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "la/mf_amg_impl.h"
#include "mem/mf_alloc.h"

typedef struct {
  uint64_t fine; /* the term's fine key */
  mf_idx row;    /* local fine row, or -1 - k: received term k */
  uint32_t pos;  /* its block of P (local terms) */
} term;

static int cmp_term(const void *a, const void *b) {
  const term *x = a, *y = b;
  return (x->fine > y->fine) - (x->fine < y->fine);
}

mf_status mf_amg_transfer_create(mf_amg_level *lv) {
  mf_comm *comm = lv->halo->comm;
  const int R = comm->size, me = comm->rank, M = MF_AMG_MODES;
  const mf_amg_bmat *P = &lv->P;
  const mf_idx nc = lv->nc, ncg = lv->nc_ghost;
  mf_amg_transfer *X = &lv->xfer;
  int64_t *cnt = NULL, *rcnt = NULL;
  mf_nnz *off = NULL, *kptr_s = NULL, *kptr_r = NULL, *fill = NULL;
  double *kout = NULL, *kin = NULL;
  uint64_t *ckey = NULL;
  term *tm = NULL;
  mf_status st;
  MF_CHECK(P->row_ptr[P->n_slots] <= (mf_nnz)UINT32_MAX, MF_ERR_INPUT,
           "multigrid: %lld prolongator blocks exceed 32-bit positions", (long long)P->row_ptr[P->n_slots]);
  if ((st = MF_CALLOC_N(cnt, (size_t)R, "restriction counts")) ||
      (st = MF_ALLOC_N(rcnt, (size_t)R, "restriction counts")) ||
      (st = MF_CALLOC_N(lv->rt_ptr, (size_t)nc + 1, "restriction offsets")))
    goto done;
  /* 1. terms per destination rank and per owned coarse row */
  for (mf_idx s = 0; s < P->n_slots; s++)
    for (mf_nnz q = P->row_ptr[s]; q < P->row_ptr[s + 1]; q++) {
      const mf_idx c = P->col[q];
      if (c < nc) lv->rt_ptr[c + 1]++;
      else cnt[lv->cg_rank[c - nc]]++;
    }
  if ((st = comm->ops->alltoall_i64(comm, cnt, rcnt))) goto done;
  X->n_ranks = 0;
  for (int o = 0; o < R; o++) X->n_ranks += o != me && (cnt[o] || rcnt[o]);
  const int nr = X->n_ranks;
  if ((st = MF_ALLOC_N(X->ranks, (size_t)nr + 1, "restriction ranks")) ||
      (st = MF_CALLOC_N(X->send_ptr, (size_t)nr + 1, "restriction send offsets")) ||
      (st = MF_CALLOC_N(X->recv_ptr, (size_t)nr + 1, "restriction receive offsets")) ||
      (st = MF_CALLOC_N(kptr_s, (size_t)nr + 1, "restriction key offsets")) ||
      (st = MF_CALLOC_N(kptr_r, (size_t)nr + 1, "restriction key offsets")) ||
      (st = MF_ALLOC_N(off, (size_t)R, "restriction rank offsets")))
    goto done;
  for (int o = 0, k = 0; o < R; o++) {
    off[o] = X->send_ptr[k] / M;
    if (o == me || !(cnt[o] || rcnt[o])) continue;
    X->ranks[k] = o;
    X->send_ptr[k + 1] = X->send_ptr[k] + M * cnt[o];
    X->recv_ptr[k + 1] = X->recv_ptr[k] + M * rcnt[o];
    kptr_s[k + 1] = kptr_s[k] + 2 * cnt[o];
    kptr_r[k + 1] = kptr_r[k] + 2 * rcnt[o];
    k++;
  }
  const mf_nnz ns = X->send_ptr[nr] / M, nrv = X->recv_ptr[nr] / M;
  /* 2. the terms sent, rank by rank in fine-row order, named by (coarse key, fine key) */
  if ((st = MF_ALLOC_N(X->send_q, (size_t)ns + 1, "restriction terms sent")) ||
      (st = MF_ALLOC_N(X->send_row, (size_t)ns + 1, "restriction terms sent")) ||
      (st = MF_ALLOC_N(X->send_buf, (size_t)M * ns + 1, "restriction send buffer")) ||
      (st = MF_ALLOC_N(X->recv_buf, (size_t)M * nrv + 1, "restriction receive buffer")) ||
      (st = MF_ALLOC_N(kout, 2 * (size_t)ns + 1, "restriction keys")) ||
      (st = MF_ALLOC_N(kin, 2 * (size_t)nrv + 1, "restriction keys")))
    goto done;
  for (mf_idx s = 0; s < P->n_slots; s++)
    for (mf_nnz q = P->row_ptr[s]; q < P->row_ptr[s + 1]; q++) {
      const mf_idx c = P->col[q];
      if (c < nc) continue;
      const mf_nnz k = off[lv->cg_rank[c - nc]]++;
      X->send_q[k] = q, X->send_row[k] = P->row[s];
      kout[2 * k] = (double)lv->cg_key[c - nc], kout[2 * k + 1] = (double)mf_amg_key(lv, P->row[s]);
    }
  if ((st = mf_comm_exchange(comm, nr, X->ranks, kout, kptr_s, kin, kptr_r))) goto done;
  /* 3. each owned coarse row's terms, local and received, in ascending fine key (a
   * received term's coarse row kept in its key's place, kin[2 k]) */
  for (mf_nnz k = 0; k < nrv; k++) {
    const mf_idx I = mf_amg_owned_root(lv, (uint64_t)kin[2 * k]);
    if (I < 0) {
      st = MF_ERROR(MF_ERR_INTERNAL, "multigrid restriction across processes: coarse row %.17g is not owned here",
                    kin[2 * k]);
      goto done;
    }
    lv->rt_ptr[I + 1]++;
    kin[2 * k] = (double)I;
  }
  for (mf_idx I = 0; I < nc; I++) lv->rt_ptr[I + 1] += lv->rt_ptr[I];
  const mf_nnz nt = lv->rt_ptr[nc];
  if ((st = MF_ALLOC_N(tm, (size_t)nt + 1, "restriction terms")) ||
      (st = MF_ALLOC_N(fill, (size_t)nc + 1, "restriction fill")) ||
      (st = MF_ALLOC_N(lv->rt_row, (size_t)nt + 1, "restriction rows")) ||
      (st = MF_ALLOC_N(lv->rt_pos, (size_t)nt + 1, "restriction blocks")))
    goto done;
  memcpy(fill, lv->rt_ptr, (size_t)nc * sizeof *fill);
  for (mf_idx s = 0; s < P->n_slots; s++)
    for (mf_nnz q = P->row_ptr[s]; q < P->row_ptr[s + 1]; q++)
      if (P->col[q] < nc) tm[fill[P->col[q]]++] = (term){mf_amg_key(lv, P->row[s]), P->row[s], (uint32_t)q};
  for (mf_nnz k = 0; k < nrv; k++)
    tm[fill[(mf_idx)kin[2 * k]]++] = (term){(uint64_t)kin[2 * k + 1], (mf_idx)(-1 - k), 0};
  for (mf_idx I = 0; I < nc; I++) {
    const mf_nnz a = lv->rt_ptr[I], len = lv->rt_ptr[I + 1] - a;
    qsort(&tm[a], (size_t)len, sizeof *tm, cmp_term);
    for (mf_nnz t = a; t < a + len; t++) lv->rt_row[t] = tm[t].row, lv->rt_pos[t] = tm[t].pos;
  }
  /* 4. the coarse correction's rows that P's columns name on other ranks */
  if ((st = MF_ALLOC_N(ckey, (size_t)nc + ncg + 1, "coarse keys")) ||
      (st = MF_ALLOC_N(X->xc, (size_t)M * (nc + ncg) + 1, "coarse correction with ghosts")) ||
      (st = MF_ALLOC_N(X->cur, (size_t)nc + 1, "restriction cursors")))
    goto done;
  for (mf_idx a = 0; a < nc + ncg; a++) ckey[a] = mf_amg_coarse_key(lv, a);
  st = mf_halo_create_from_owners(comm, nc, ncg, lv->cg_rank, ckey, M, &X->chalo);
done:
  mf_free(&cnt), mf_free(&rcnt), mf_free(&off), mf_free(&kptr_s), mf_free(&kptr_r), mf_free(&fill);
  mf_free(&kout), mf_free(&kin), mf_free(&ckey), mf_free(&tm);
  return st;
}

mf_status mf_amg_restrict_span(const mf_amg_level *lv, const double *x, double *yc) {
  const mf_amg_transfer *X = &lv->xfer;
  mf_comm *comm = lv->halo->comm;
  mf_amg_restrict_terms(lv, x);
  mf_status st = comm->ops->exchange_begin(comm, X->n_ranks, X->ranks, X->send_buf, X->send_ptr, X->recv_buf,
                                           X->recv_ptr);
  if (!st) st = comm->ops->exchange_end(comm);
  if (st) { /* a NaN correction, which CG reports */
    mf_vec_set((mf_nnz)MF_AMG_MODES * lv->nc, NAN, yc);
    return st;
  }
  mf_amg_restrict(lv, x, X->recv_buf, yc);
  return MF_OK;
}

mf_status mf_amg_prolong_add_span(const mf_amg_level *lv, const double *xc, double *y) {
  const mf_amg_transfer *X = &lv->xfer;
  memcpy(X->xc, xc, (size_t)MF_AMG_MODES * lv->nc * sizeof *xc);
  mf_status st = mf_halo_forward(X->chalo, X->xc);
  if (st) {
    mf_vec_set((mf_nnz)lv->bs * lv->n, NAN, y);
    return st;
  }
  mf_amg_prolong_add(lv, X->xc, y);
  return MF_OK;
}

size_t mf_amg_transfer_bytes(const mf_amg_level *lv) {
  const mf_amg_transfer *X = &lv->xfer;
  if (!X->send_ptr) return 0;
  const size_t ns = (size_t)X->send_ptr[X->n_ranks] / MF_AMG_MODES, nr = (size_t)X->recv_ptr[X->n_ranks];
  return ns * (sizeof(mf_nnz) + sizeof(mf_idx) + MF_AMG_MODES * sizeof(double)) + nr * sizeof(double) +
         (size_t)MF_AMG_MODES * (lv->nc + lv->nc_ghost) * sizeof(double) + (size_t)lv->nc * sizeof(mf_nnz) +
         (X->chalo ? (size_t)(X->chalo->send_ptr[X->chalo->n_neighbours] + X->chalo->recv_ptr[X->chalo->n_neighbours]) *
                         (sizeof(double) + sizeof(mf_idx) / MF_AMG_MODES)
                   : 0);
}

void mf_amg_transfer_free(mf_amg_transfer *t) {
  mf_free(&t->ranks), mf_free(&t->send_ptr), mf_free(&t->recv_ptr), mf_free(&t->send_q), mf_free(&t->send_row);
  mf_free(&t->send_buf), mf_free(&t->recv_buf), mf_free(&t->xc);
  mf_free(&t->cur);
  mf_halo_destroy(&t->chalo);
  memset(t, 0, sizeof *t);
}
