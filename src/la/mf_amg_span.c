/* Aggregates that span processes (mf_amg_impl.h): the local coarse numbering, the
 * tentative prolongator, the next level's halo and ids, and the key searches the
 * multigrid across processes shares.
 *
 * An aggregate belongs to its root's owner. Every other process sends it the
 * near-nullspace rows of its members there (on level 0 their coordinates and fixed
 * flags: the rotations are taken about the root, which the member's owner may not
 * hold), the root's owner stacks them in ascending key, exactly as one process stacks
 * its aggregate's rows, runs the same QR, and sends each member's rows of Q back. Where
 * the members go is known only to their owners, so the counts are announced with one
 * all-to-all when the plan is made; the numeric set-up then sends values only. */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "la/mf_amg_impl.h"
#include "mem/mf_alloc.h"

int mf_amg_cmp_key(const void *a, const void *b) {
  uint64_t x, y;
  memcpy(&x, a, sizeof x), memcpy(&y, b, sizeof y);
  return (x > y) - (x < y);
}

mf_nnz mf_amg_find_key(const void *base, size_t size, mf_nnz n, uint64_t key) {
  const char *b = base;
  uint64_t k;
  mf_nnz lo = 0, hi = n;
  while (lo < hi) {
    mf_nnz mid = lo + (hi - lo) / 2;
    memcpy(&k, b + size * (size_t)mid, sizeof k);
    if (k < key) lo = mid + 1;
    else hi = mid;
  }
  if (lo == n) return -1;
  memcpy(&k, b + size * (size_t)lo, sizeof k);
  return k == key ? lo : -1;
}

mf_idx mf_amg_owned_root(const mf_amg_level *lv, uint64_t k) {
  mf_idx lo = 0, hi = lv->nc;
  while (lo < hi) {
    mf_idx mid = lo + (hi - lo) / 2;
    if (mf_amg_key(lv, lv->root[mid]) < k) lo = mid + 1;
    else hi = mid;
  }
  return lo < lv->nc && mf_amg_key(lv, lv->root[lo]) == k ? lo : -1;
}

/* Local coarse rows: the owned aggregates 0 .. nc - 1 (ascending root key), then the
 * other ranks' aggregates that local rows belong to (ascending key); lv->agg of every
 * local row in that numbering. */
static mf_status coarse_numbering(mf_amg_level *lv) {
  const mf_idx nl = lv->n + lv->n_ghost;
  const int me = lv->halo->comm->rank;
  mf_amg_keyed *k = NULL;
  mf_idx nk = 0, ncg = 0;
  mf_status st;
  if ((st = MF_ALLOC_N(k, (size_t)nl + 1, "coarse ghosts")) ||
      (st = MF_ALLOC_N(lv->agg, (size_t)nl + 1, "aggregate of each row")))
    goto done;
  for (mf_idx i = 0; i < nl; i++)
    if (lv->agg_rank[i] >= 0 && lv->agg_rank[i] != me) k[nk++] = (mf_amg_keyed){lv->agg_key[i], lv->agg_rank[i]};
  qsort(k, (size_t)nk, sizeof *k, mf_amg_cmp_key);
  for (mf_idx q = 0; q < nk; q++)
    if (q == 0 || k[q].key != k[q - 1].key) k[ncg++] = k[q];
  lv->nc_ghost = ncg;
  if ((st = MF_ALLOC_N(lv->cg_key, (size_t)ncg + 1, "coarse ghost keys")) ||
      (st = MF_ALLOC_N(lv->cg_rank, (size_t)ncg + 1, "coarse ghost owners")))
    goto done;
  for (mf_idx q = 0; q < ncg; q++) lv->cg_key[q] = k[q].key, lv->cg_rank[q] = k[q].rank;
  for (mf_idx i = 0; i < nl; i++) {
    const uint64_t key = lv->agg_key[i];
    if (lv->agg_rank[i] < 0) {
      lv->agg[i] = -1;
    } else if (lv->agg_rank[i] == me) {
      lv->agg[i] = mf_amg_owned_root(lv, key);
      MF_CHECK(lv->agg[i] >= 0, MF_ERR_INTERNAL,
               "multigrid across processes: row %lld's root %llu is not an owned root", (long long)i,
               (unsigned long long)key);
    } else {
      lv->agg[i] = lv->nc + (mf_idx)mf_amg_find_key(lv->cg_key, sizeof *lv->cg_key, ncg, key);
    }
  }
done:
  mf_free(&k);
  return st;
}

/* Members of each owned aggregate, local and received (keys in kin, two values per
 * received member: its key, its root's key), sorted by key. */
static mf_status member_lists(mf_amg_level *lv, const double *kin, mf_nnz nin) {
  mf_amg_span *s = &lv->span;
  const mf_idx n = lv->n, nc = lv->nc;
  const int me = lv->halo->comm->rank;
  mf_nnz *cur = NULL;
  mf_status st;
  if ((st = MF_CALLOC_N(s->mem_ptr, (size_t)nc + 1, "aggregate member offsets"))) return st;
  for (mf_idx i = 0; i < n; i++)
    if (lv->agg_rank[i] == me) {
      const mf_idx a = mf_amg_owned_root(lv, lv->agg_key[i]);
      MF_CHECK(a >= 0, MF_ERR_INTERNAL, "multigrid across processes: row %lld's root %llu is not an owned root",
               (long long)i, (unsigned long long)lv->agg_key[i]);
      s->mem_ptr[a + 1]++;
    }
  for (mf_nnz t = 0; t < nin; t++) {
    const mf_idx a = mf_amg_owned_root(lv, (uint64_t)kin[2 * t + 1]);
    MF_CHECK(a >= 0, MF_ERR_INTERNAL, "multigrid across processes: a member sent for root %.17g, not an owned root",
             kin[2 * t + 1]);
    s->mem_ptr[a + 1]++;
  }
  for (mf_idx a = 0; a < nc; a++) s->mem_ptr[a + 1] += s->mem_ptr[a];
  if ((st = MF_ALLOC_N(s->mem, (size_t)s->mem_ptr[nc] + 1, "aggregate members")) ||
      (st = MF_ALLOC_N(cur, (size_t)nc + 1, "aggregate member cursors")))
    return st;
  memcpy(cur, s->mem_ptr, (size_t)nc * sizeof *cur);
  for (mf_idx i = 0; i < n; i++)
    if (lv->agg_rank[i] == me) s->mem[cur[mf_amg_owned_root(lv, lv->agg_key[i])]++] = i;
  for (mf_nnz t = 0; t < nin; t++) s->mem[cur[mf_amg_owned_root(lv, (uint64_t)kin[2 * t + 1])]++] = -1 - t;
  mf_free(&cur);
#pragma omp parallel for schedule(dynamic, 64)
  for (mf_idx a = 0; a < nc; a++) { /* insertion sort by key: aggregates are small */
    mf_nnz *m = &s->mem[s->mem_ptr[a]];
    const mf_nnz len = s->mem_ptr[a + 1] - s->mem_ptr[a];
    for (mf_nnz q = 1; q < len; q++) {
      const mf_nnz e = m[q];
      const uint64_t k = e >= 0 ? mf_amg_key(lv, (mf_idx)e) : (uint64_t)kin[2 * (-1 - e)];
      mf_nnz r = q;
      for (; r > 0; r--) {
        const mf_nnz f = m[r - 1];
        if ((f >= 0 ? mf_amg_key(lv, (mf_idx)f) : (uint64_t)kin[2 * (-1 - f)]) < k) break;
        m[r] = f;
      }
      m[r] = e;
    }
  }
  return MF_OK;
}

mf_status mf_amg_span_create(mf_amg_level *lv, int single) {
  mf_amg_span *s = &lv->span;
  mf_comm *comm = lv->halo->comm;
  const int R = comm->size, me = comm->rank;
  const mf_idx n = lv->n;
  const size_t pb = (size_t)lv->bs * MF_AMG_MODES;
  int64_t *cnt = NULL, *rcnt = NULL;
  int32_t *pos = NULL;
  mf_nnz *cur = NULL, *kptr = NULL; /* kptr: the keys' exchange offsets, out then in */
  mf_status st;
  memset(s, 0, sizeof *s);
  if ((st = MF_CALLOC_N(cnt, (size_t)R, "member counts")) || (st = MF_ALLOC_N(rcnt, (size_t)R, "member counts")) ||
      (st = MF_ALLOC_N(pos, (size_t)R, "member ranks")))
    goto done;
  for (mf_idx i = 0; i < n; i++)
    if (lv->agg_rank[i] >= 0 && lv->agg_rank[i] != me) cnt[lv->agg_rank[i]]++;
  if ((st = comm->ops->alltoall_i64(comm, cnt, rcnt))) goto done;
  for (int r = 0; r < R; r++) s->n_ranks += r != me && (cnt[r] || rcnt[r]);
  const int nr = s->n_ranks;
  if ((st = MF_ALLOC_N(s->ranks, (size_t)nr + 1, "member ranks")) ||
      (st = MF_CALLOC_N(s->out_ptr, (size_t)nr + 1, "member offsets")) ||
      (st = MF_CALLOC_N(s->in_ptr, (size_t)nr + 1, "member offsets")) ||
      (st = MF_ALLOC_N(s->vptr, 4 * ((size_t)nr + 1), "member value offsets")) ||
      (st = MF_ALLOC_N(cur, (size_t)nr + 1, "member cursors")) ||
      (st = MF_ALLOC_N(kptr, 2 * ((size_t)nr + 1), "member key offsets")))
    goto done;
  for (int r = 0, k = 0; r < R; r++) {
    pos[r] = -1;
    if (r == me || !(cnt[r] || rcnt[r])) continue;
    pos[r] = k;
    s->ranks[k] = r;
    s->out_ptr[k + 1] = s->out_ptr[k] + cnt[r];
    s->in_ptr[k + 1] = s->in_ptr[k] + rcnt[r];
    k++;
  }
  const mf_nnz nout = s->out_ptr[nr], nin = s->in_ptr[nr];
  s->width = lv->B ? (int)pb : 6; /* level 0: coordinates and fixed flags */
  for (int k = 0; k <= nr; k++) {
    s->vptr[k] = s->width * s->out_ptr[k];
    s->vptr[nr + 1 + k] = s->width * s->in_ptr[k];
    s->vptr[2 * (nr + 1) + k] = (mf_nnz)pb * s->out_ptr[k];
    s->vptr[3 * (nr + 1) + k] = (mf_nnz)pb * s->in_ptr[k];
  }
  if ((st = MF_ALLOC_N(s->out_rows, (size_t)nout + 1, "members sent")) ||
      (st = MF_ALLOC_N(s->out_buf, (size_t)s->width * nout + 2 * (size_t)nout + 1, "members' rows sent")) ||
      (st = MF_ALLOC_N(s->in_buf, (size_t)s->width * nin + 2 * (size_t)nin + 1, "members' rows received")) ||
      (st = MF_ALLOC_N(s->qout, pb * nin + 1, "members' Q rows sent")) ||
      (st = MF_ALLOC_N(s->qin, pb * nout + 1, "members' Q rows received")))
    goto done;
  memcpy(cur, s->out_ptr, (size_t)nr * sizeof *cur);
  for (mf_idx i = 0; i < n; i++)
    if (lv->agg_rank[i] >= 0 && lv->agg_rank[i] != me) s->out_rows[cur[pos[lv->agg_rank[i]]]++] = i;
  /* once: each member's key and its root's key (two values per member, in the payload
   * buffers, which have room for them) */
  for (mf_nnz t = 0; t < nout; t++) {
    s->out_buf[2 * t] = (double)mf_amg_key(lv, s->out_rows[t]);
    s->out_buf[2 * t + 1] = (double)lv->agg_key[s->out_rows[t]];
  }
  for (int k = 0; k <= nr; k++) kptr[k] = 2 * s->out_ptr[k], kptr[nr + 1 + k] = 2 * s->in_ptr[k];
  if ((st = mf_comm_exchange(comm, nr, s->ranks, s->out_buf, kptr, s->in_buf, &kptr[nr + 1])) ||
      (st = member_lists(lv, s->in_buf, nin)))
    goto done;
  mf_nnz most = 1;
  for (mf_idx a = 0; a < lv->nc; a++)
    if (s->mem_ptr[a + 1] - s->mem_ptr[a] > most) most = s->mem_ptr[a + 1] - s->mem_ptr[a];
  lv->qr_rows = lv->bs * (int)most;
  const int nt = omp_get_max_threads();
  const size_t nl = (size_t)n + lv->n_ghost;
  if ((st = coarse_numbering(lv)) || (st = mf_halo_create_like(lv->halo, (int)pb, &s->qhalo)) ||
      (single && (st = MF_ALLOC_N(s->qx, pb * nl + 1, "tentative prolongator exchange"))) ||
      (st = single ? MF_ALLOC_N(lv->Qf, pb * nl + 1, "tentative prolongator (float)")
                   : MF_ALLOC_N(lv->Q, pb * nl + 1, "tentative prolongator")) ||
      (st = MF_ALLOC_N(lv->dropped, (size_t)lv->nc * MF_AMG_MODES + 1, "dropped coarse modes")) ||
      (st = MF_ALLOC_N(lv->qr_work, (size_t)nt * lv->qr_rows * MF_AMG_MODES + 1, "QR workspace")))
    goto done;
done:
  mf_free(&cnt), mf_free(&rcnt), mf_free(&pos), mf_free(&cur), mf_free(&kptr);
  return st;
}

/* Row i's block of Q from the double row w, rounded once when Q is in float. */
static void store_q(mf_amg_level *lv, mf_idx i, const double *w, size_t pb) {
  if (lv->Qf)
    for (size_t k = 0; k < pb; k++) lv->Qf[pb * i + k] = (float)w[k];
  else memcpy(&lv->Q[pb * i], w, pb * sizeof *w);
}

mf_status mf_amg_tentative_span(mf_amg_level *lv, const double *xyz, double *Bc) {
  const mf_amg_span *s = &lv->span;
  mf_comm *comm = lv->halo->comm;
  const int M = MF_AMG_MODES, bs = lv->bs, w = s->width, nr = s->n_ranks;
  const size_t pb = (size_t)bs * M;
  const double *B = lv->B;
  MF_CHECK(B || (xyz && bs == 3), MF_ERR_INTERNAL, "multigrid: no near-nullspace for the tentative prolongator");
  const mf_nnz nout = s->out_ptr[nr];
  for (mf_nnz t = 0; t < nout; t++) {
    const mf_idx i = s->out_rows[t];
    double *p = &s->out_buf[(size_t)w * t];
    if (B) {
      memcpy(p, &B[pb * i], pb * sizeof *p);
    } else {
      for (int c = 0; c < 3; c++) p[c] = xyz[3 * (size_t)i + c], p[3 + c] = lv->fixed[3 * (size_t)i + c];
    }
  }
  MF_CALL(mf_comm_exchange(comm, nr, s->ranks, s->out_buf, s->vptr, s->in_buf, &s->vptr[nr + 1]));
#pragma omp parallel for schedule(static)
  for (mf_idx i = 0; i < lv->n; i++) /* rows in no aggregate (wholly fixed) have no block in Q */
    if (lv->agg_key[i] == MF_AMG_NONE) {
      double zero[MF_AMG_MODES * MF_AMG_MODES] = {0};
      store_q(lv, i, zero, pb);
    }
#pragma omp parallel for schedule(dynamic, 64)
  for (mf_idx a = 0; a < lv->nc; a++) {
    double *W = &lv->qr_work[(size_t)omp_get_thread_num() * lv->qr_rows * M];
    const mf_nnz *mem = &s->mem[s->mem_ptr[a]];
    const int members = (int)(s->mem_ptr[a + 1] - s->mem_ptr[a]);
    const double *o = B ? NULL : &xyz[3 * (size_t)lv->root[a]];
    for (int t = 0; t < members; t++) { /* the members' near-nullspace rows, stacked */
      const mf_nnz e = mem[t];
      const double *in = e < 0 ? &s->in_buf[(size_t)w * (-1 - e)] : NULL;
      if (B) {
        memcpy(&W[pb * t], in ? in : &B[pb * e], pb * sizeof *W);
      } else if (in) {
        const uint8_t f[3] = {in[3] != 0.0, in[4] != 0.0, in[5] != 0.0};
        mf_amg_rigid_rows(in, o, f, &W[pb * t]);
      } else {
        mf_amg_rigid_rows(&xyz[3 * (size_t)e], o, &lv->fixed[3 * (size_t)e], &W[pb * t]);
      }
    }
    mf_amg_qr(W, members * bs, &Bc[(size_t)M * M * a], &lv->dropped[(size_t)M * a]);
    if (!B) mf_amg_modes_about_origin(o, &Bc[(size_t)M * M * a]);
    for (int t = 0; t < members; t++) {
      const mf_nnz e = mem[t];
      if (e >= 0) store_q(lv, (mf_idx)e, &W[pb * t], pb);
      else memcpy(&s->qout[pb * (size_t)(-1 - e)], &W[pb * t], pb * sizeof *W);
    }
  }
  MF_CALL(mf_comm_exchange(comm, nr, s->ranks, s->qout, &s->vptr[3 * (nr + 1)], s->qin, &s->vptr[2 * (nr + 1)]));
  for (mf_nnz t = 0; t < nout; t++) store_q(lv, s->out_rows[t], &s->qin[pb * t], pb);
  /* ghost rows, for the smoothing of P (in float: exact through doubles) */
  if (!lv->Qf) return mf_halo_forward(s->qhalo, lv->Q);
  const size_t nl = (size_t)lv->n + lv->n_ghost;
  for (size_t k = 0; k < pb * lv->n; k++) s->qx[k] = lv->Qf[k];
  MF_CALL(mf_halo_forward(s->qhalo, s->qx));
  for (size_t k = pb * lv->n; k < pb * nl; k++) lv->Qf[k] = (float)s->qx[k];
  return MF_OK;
}

mf_status mf_amg_span_next(const mf_amg_level *lv, mf_amg_level *next) {
  const mf_idx n = next->n, nl = n + next->n_ghost;
  double *x = NULL;
  mf_status st;
  MF_CALL(mf_halo_create_from_owners(lv->halo->comm, n, next->n_ghost, next->ghost_rank, next->key, 1, &next->halo));
  next->own_halo = 1;
  if ((st = MF_ALLOC_N(next->gid, (size_t)nl + 1, "multigrid global ids")) ||
      (st = MF_ALLOC_N(x, (size_t)nl + 1, "multigrid global ids")))
    goto done;
  for (mf_idx a = 0; a < n; a++) x[a] = (double)lv->gid[lv->root[a]]; /* keyed on the root's id */
  if ((st = mf_halo_forward(next->halo, x))) goto done;
  for (mf_idx a = 0; a < nl; a++) next->gid[a] = (uint64_t)x[a];
done:
  mf_free(&x);
  return st;
}

void mf_amg_span_free(mf_amg_span *s) {
  mf_free(&s->ranks), mf_free(&s->out_ptr), mf_free(&s->in_ptr), mf_free(&s->vptr), mf_free(&s->out_rows);
  mf_free(&s->out_buf), mf_free(&s->in_buf), mf_free(&s->qout), mf_free(&s->qin);
  mf_free(&s->mem_ptr), mf_free(&s->mem), mf_free(&s->qx);
  mf_halo_destroy(&s->qhalo);
}
