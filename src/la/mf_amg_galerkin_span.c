/* The Galerkin product across processes (mf_amg_impl.h): every owned coarse row summed
 * by its owner exactly as one process sums it (mf_amg_galerkin.c).
 *
 * Coarse row I sums, over the fine rows i whose P row has column I (ascending key),
 * P_iI^T A_i into the fine columns k of A_i (in order of first appearance), then those
 * times the rows P_k. Those rows i and k may be other processes', so before summing the
 * owner holds them all, as records of a stream of doubles (keys below 2^53 are exact):
 *
 *   A record  key, len, len column keys, len blocks (bs x bs)
 *   P record  key, len, len (coarse key, owner rank) pairs, len blocks (bs x 6)
 *
 * 1. P's ghost rows: every owner sends the P rows of the rows its neighbours hold as
 *    ghosts (lengths first), so every process has P for all its local rows.
 * 2. Every process sends each other process owning a coarse column of one of its owned
 *    P rows the A records of those rows and the P records of all their columns (once
 *    per destination); it keeps the same of its own for itself.
 * 3. The owner indexes the records by key and sums each owned coarse row from them.
 * Partial sums would be smaller to send but would change the order of the sum, so the
 * bits. Set-up only: allocates (a later numeric set-up too, for now: it redoes the
 * whole exchange and refills the first one's pattern). */
#include <stdlib.h>
#include <string.h>

#include "la/mf_amg_impl.h"
#include "mem/mf_alloc.h"

/* A growing stream of doubles. */
typedef struct {
  double *v;
  mf_nnz n, cap;
} stream;

static mf_status put_n(stream *s, const double *x, mf_nnz n) {
  if (s->n + n > s->cap) {
    mf_nnz cap = s->cap ? 2 * s->cap : 1024;
    while (cap < s->n + n) cap *= 2;
    double *g;
    MF_CALL(MF_ALLOC_N(g, (size_t)cap, "galerkin records"));
    if (s->n) memcpy(g, s->v, (size_t)s->n * sizeof *g);
    mf_free(&s->v);
    s->v = g, s->cap = cap;
  }
  if (n) memcpy(&s->v[s->n], x, (size_t)n * sizeof *x);
  s->n += n;
  return MF_OK;
}

static mf_status put(stream *s, double x) { return put_n(s, &x, 1); }

/* A P row of local row i: owned rows from lv->P, ghost rows from the exchanged copies
 * (gp: offsets into gv per ghost, records of (coarse key, rank) pairs then blocks). */
typedef struct {
  const mf_nnz *gp_ptr; /* n_ghost + 1 into gv */
  const double *gv;     /* per ghost row: len pairs, then len blocks */
} ghost_p;

static mf_nnz p_len(const mf_amg_level *lv, const ghost_p *g, mf_idx i) {
  if (i >= lv->n) {
    const mf_nnz span = g->gp_ptr[i - lv->n + 1] - g->gp_ptr[i - lv->n];
    return span / (2 + lv->bs * MF_AMG_MODES);
  }
  const mf_nnz s = lv->P.slot[i];
  return s < 0 ? 0 : lv->P.row_ptr[s + 1] - lv->P.row_ptr[s];
}

/* Append owned row i's P row to s: its (coarse key, owner) pairs, then its blocks. */
static mf_status put_p_owned(stream *s, const mf_amg_level *lv, mf_idx i) {
  const int pb = lv->bs * MF_AMG_MODES, me = lv->halo->comm->rank;
  const mf_nnz len = p_len(lv, NULL, i), q0 = len ? lv->P.row_ptr[lv->P.slot[i]] : 0;
  for (mf_nnz q = 0; q < len; q++) {
    const mf_idx J = lv->P.col[q0 + q];
    MF_CALL(put(s, (double)mf_amg_coarse_key(lv, J)));
    MF_CALL(put(s, (double)(J < lv->nc ? me : lv->cg_rank[J - lv->nc])));
  }
  return put_n(s, &lv->P.val[(size_t)pb * q0], len * pb);
}

/* Append local row i's P record to s. */
static mf_status put_p(stream *s, const mf_amg_level *lv, const ghost_p *g, mf_idx i) {
  const int pb = lv->bs * MF_AMG_MODES;
  const mf_nnz len = p_len(lv, g, i);
  MF_CALL(put(s, (double)mf_amg_key(lv, i)));
  MF_CALL(put(s, (double)len));
  if (i >= lv->n) return put_n(s, &g->gv[g->gp_ptr[i - lv->n]], len * (2 + pb));
  return put_p_owned(s, lv, i);
}

/* Append owned row i's A record to s. */
static mf_status put_a(stream *s, const mf_amg_level *lv, mf_idx i) {
  const mf_bcsr *A = lv->A;
  const mf_nnz p0 = A->row_ptr[i], len = A->row_ptr[i + 1] - p0;
  MF_CALL(put(s, (double)mf_amg_key(lv, i)));
  MF_CALL(put(s, (double)len));
  for (mf_nnz p = p0; p < p0 + len; p++) MF_CALL(put(s, (double)mf_amg_key(lv, A->col[p])));
  return put_n(s, &A->val[(size_t)A->bs2 * p0], len * A->bs2);
}

/* 1. The P rows of the ghost rows, from their owners. */
static mf_status ghost_p_rows(const mf_amg_level *lv, mf_nnz **gp_ptr, double **gv) {
  const mf_halo *h = lv->halo;
  const int nb = h->n_neighbours, pb = lv->bs * MF_AMG_MODES;
  const mf_nnz ns = h->send_ptr[nb], nr = h->recv_ptr[nb];
  double *slen = NULL, *rlen = NULL;
  mf_nnz *sptr = NULL, *rptr = NULL;
  stream out = {0};
  mf_status st;
  *gp_ptr = NULL, *gv = NULL;
  if ((st = MF_ALLOC_N(slen, (size_t)ns + 1, "P row lengths")) ||
      (st = MF_ALLOC_N(rlen, (size_t)nr + 1, "P row lengths")) ||
      (st = MF_CALLOC_N(sptr, (size_t)nb + 1, "P row offsets")) ||
      (st = MF_CALLOC_N(rptr, (size_t)nb + 1, "P row offsets")) ||
      (st = MF_CALLOC_N(*gp_ptr, (size_t)lv->n_ghost + 1, "ghost P rows")))
    goto done;
  for (mf_nnz q = 0; q < ns; q++) slen[q] = (double)p_len(lv, NULL, h->send[q]);
  if ((st = mf_comm_exchange(h->comm, nb, h->neighbours, slen, h->send_ptr, rlen, h->recv_ptr))) goto done;
  for (int k = 0; k < nb; k++) {
    sptr[k + 1] = sptr[k], rptr[k + 1] = rptr[k];
    for (mf_nnz q = h->send_ptr[k]; q < h->send_ptr[k + 1]; q++) sptr[k + 1] += (mf_nnz)slen[q] * (2 + pb);
    for (mf_nnz q = h->recv_ptr[k]; q < h->recv_ptr[k + 1]; q++) {
      const mf_nnz v = (mf_nnz)rlen[q] * (2 + pb);
      rptr[k + 1] += v;
      (*gp_ptr)[h->recv[q] - lv->n + 1] = v;
    }
  }
  for (mf_idx g = 0; g < lv->n_ghost; g++) (*gp_ptr)[g + 1] += (*gp_ptr)[g];
  for (mf_nnz q = 0; q < ns; q++)
    if ((st = put_p_owned(&out, lv, h->send[q]))) goto done;
  double *rv = NULL;
  if ((st = MF_ALLOC_N(rv, (size_t)rptr[nb] + 1, "ghost P rows"))) goto done;
  *gv = rv;
  if ((st = mf_comm_exchange(h->comm, nb, h->neighbours, out.v, sptr, rv, rptr))) goto done;
  /* received neighbour by neighbour in the halo's order: put each row where its ghost is */
  double *sorted = NULL;
  if ((st = MF_ALLOC_N(sorted, (size_t)rptr[nb] + 1, "ghost P rows"))) goto done;
  mf_nnz at = 0;
  for (mf_nnz q = 0; q < nr; q++) {
    const mf_idx g = h->recv[q] - lv->n;
    const mf_nnz v = (*gp_ptr)[g + 1] - (*gp_ptr)[g];
    memcpy(&sorted[(*gp_ptr)[g]], &rv[at], (size_t)v * sizeof *rv);
    at += v;
  }
  mf_free(gv);
  *gv = sorted;
done:
  mf_free(&slen), mf_free(&rlen), mf_free(&sptr), mf_free(&rptr), mf_free(&out.v);
  if (st) mf_free(gp_ptr), mf_free(gv);
  return st;
}

/* A record found by key: where it starts in its stream. */
typedef struct {
  uint64_t key;
  const double *at;
} rec;

/* The records of one kind (0: A, 1: P) of streams s[0 .. ns) (each [na, np, A records,
 * P records]), sorted by key, duplicates (a P row sent by two processes: the same bits)
 * dropped. */
static mf_status index_records(const double *const *s, const mf_nnz *len, int ns, int kind, int bs2, int pb, rec **out,
                               mf_nnz *n_out) {
  mf_nnz n = 0;
  *out = NULL;
  for (int pass = 0; pass < 2; pass++) {
    n = 0;
    for (int k = 0; k < ns; k++) {
      if (len[k] == 0) continue;
      const double *v = s[k], *end = s[k] + len[k];
      const mf_nnz na = (mf_nnz)v[0], np = (mf_nnz)v[1];
      v += 2;
      for (mf_nnz r = 0; r < na + np; r++) {
        MF_CHECK(v + 2 <= end, MF_ERR_INTERNAL, "multigrid across processes: a Galerkin record stream ends early");
        const mf_nnz l = (mf_nnz)v[1];
        const int is_p = r >= na;
        if (is_p == kind) {
          if (pass) (*out)[n] = (rec){(uint64_t)v[0], v};
          n++;
        }
        v += 2 + (is_p ? l * (2 + pb) : l * (1 + bs2));
      }
      MF_CHECK(v == end, MF_ERR_INTERNAL, "multigrid across processes: a Galerkin record stream does not add up");
    }
    if (!pass) MF_CALL(MF_ALLOC_N(*out, (size_t)n + 1, "galerkin record index"));
  }
  qsort(*out, (size_t)n, sizeof **out, mf_amg_cmp_key);
  mf_nnz u = 0;
  for (mf_nnz r = 0; r < n; r++)
    if (u == 0 || (*out)[r].key != (*out)[u - 1].key) (*out)[u++] = (*out)[r];
  *n_out = u;
  return MF_OK;
}



/* The stream for rank o (o == me: this process's own): the A records of the owned rows
 * whose P row has a coarse column o owns, and the P records of their columns, once. */
static mf_status make_stream(const mf_amg_level *lv, const ghost_p *g, int o, int32_t *stamp, stream *s) {
  const mf_bcsr *A = lv->A;
  const int me = lv->halo->comm->rank;
  mf_nnz na = 0, np = 0;
  MF_CALL(put(s, 0.0));
  MF_CALL(put(s, 0.0));
  for (int pass = 0; pass < 2; pass++)
    for (mf_idx i = 0; i < lv->n; i++) {
      const mf_nnz sl = lv->P.slot[i];
      if (sl < 0) continue;
      int wanted = 0;
      for (mf_nnz q = lv->P.row_ptr[sl]; q < lv->P.row_ptr[sl + 1] && !wanted; q++) {
        const mf_idx J = lv->P.col[q];
        wanted = (J < lv->nc ? me : lv->cg_rank[J - lv->nc]) == o;
      }
      if (!wanted) continue;
      if (!pass) {
        MF_CALL(put_a(s, lv, i));
        na++;
      } else {
        for (mf_nnz p = A->row_ptr[i]; p < A->row_ptr[i + 1]; p++) {
          const mf_idx k = A->col[p];
          if (stamp[k] == o) continue;
          stamp[k] = o;
          MF_CALL(put_p(s, lv, g, k));
          np++;
        }
      }
    }
  s->v[0] = (double)na, s->v[1] = (double)np;
  return MF_OK;
}



/* The next level from the owned coarse rows (row I: columns cu[c_ptr[I] .. c_ptr[I + 1])
 * as indices into cc, ascending key, blocks in cv): its matrix in local numbering, owned
 * coarse rows first, then the other ranks' coarse rows its columns name (ascending
 * key), their keys and owners; dropped coarse unknowns get a unit diagonal. */
static mf_status store(const mf_amg_level *lv, mf_amg_level *next, const mf_amg_keyed *cc, mf_nnz ncc, const mf_nnz *c_ptr,
                       const double *cu, const double *cv) {
  const int me = lv->halo->comm->rank, M = MF_AMG_MODES, M2 = M * M;
  const mf_idx nc = lv->nc;
  const mf_nnz nnzb = c_ptr[nc];
  mf_idx *local = NULL, ng = 0;
  mf_bcsr *Ac = NULL;
  mf_status st;
  if ((st = MF_ALLOC_N(local, (size_t)ncc + 1, "coarse local numbers")) || (st = MF_CALLOC_N(Ac, 1, "coarse matrix")))
    goto done;
  for (mf_nnz u = 0; u < ncc; u++) local[u] = -1;
  for (mf_nnz q = 0; q < nnzb; q++) {
    const mf_nnz u = (mf_nnz)cu[q];
    if (cc[u].rank == me) {
      local[u] = mf_amg_owned_root(lv, cc[u].key);
      if (local[u] < 0) {
        st = MF_ERROR(MF_ERR_INTERNAL, "multigrid across processes: coarse column %llu is not an owned row",
                      (unsigned long long)cc[u].key);
        goto done;
      }
    } else if (local[u] < 0) {
      local[u] = -2; /* numbered below, in key order */
    }
  }
  for (mf_nnz u = 0; u < ncc; u++)
    if (local[u] == -2) local[u] = nc + ng++;
  if (next->A) { /* a numeric set-up: the values into the pattern of the first */
    const mf_bcsr *A0 = next->A;
    int same = A0->n_rows == nc && A0->nnzb == nnzb && next->n_ghost == ng &&
               !memcmp(A0->row_ptr, c_ptr, ((size_t)nc + 1) * sizeof *c_ptr);
    for (mf_nnz q = 0; q < nnzb && same; q++) same = A0->col[q] == local[(mf_nnz)cu[q]];
    if (!same) {
      st = MF_ERROR(MF_ERR_INTERNAL, "multigrid across processes: the coarse matrix changed its pattern");
      goto done;
    }
    memcpy(A0->val, cv, (size_t)M2 * nnzb * sizeof *cv);
    for (mf_idx I = 0; I < nc; I++)
      for (int k = 0; k < M; k++)
        if (lv->dropped[(size_t)M * I + k]) A0->val[(size_t)M2 * A0->diag[I] + (M + 1) * k] = 1.0;
    goto done;
  }
  next->n = nc, next->n_ghost = ng;
  Ac->n_rows = nc, Ac->bs = M, Ac->bs2 = M2, Ac->nnzb = nnzb;
  if ((st = MF_ALLOC_N(next->keys, (size_t)nc + ng + 1, "coarse keys")) ||
      (st = MF_ALLOC_N(next->ghost_rank, (size_t)ng + 1, "coarse ghost owners")) ||
      (st = MF_ALLOC_N(Ac->row_ptr, (size_t)nc + 1, "coarse matrix offsets")) ||
      (st = MF_ALLOC_N(Ac->diag, (size_t)nc + 1, "coarse matrix diagonal")) ||
      (st = MF_ALLOC_N(Ac->col, (size_t)nnzb + 1, "coarse matrix columns")) ||
      (st = MF_ALLOC_N(Ac->val, (size_t)M2 * nnzb + 1, "coarse matrix values")))
    goto done;
  for (mf_idx I = 0; I < nc; I++) next->keys[I] = mf_amg_key(lv, lv->root[I]);
  for (mf_nnz u = 0; u < ncc; u++)
    if (local[u] >= nc) next->keys[local[u]] = cc[u].key, next->ghost_rank[local[u] - nc] = cc[u].rank;
  memcpy(Ac->row_ptr, c_ptr, ((size_t)nc + 1) * sizeof *c_ptr);
  memcpy(Ac->val, cv, (size_t)M2 * nnzb * sizeof *cv);
  for (mf_idx I = 0; I < nc; I++) {
    Ac->diag[I] = -1;
    for (mf_nnz q = c_ptr[I]; q < c_ptr[I + 1]; q++) {
      Ac->col[q] = local[(mf_nnz)cu[q]];
      if (Ac->col[q] == I) Ac->diag[I] = q;
    }
    if (Ac->diag[I] < 0) {
      st = MF_ERROR(MF_ERR_INTERNAL, "multigrid across processes: coarse row %lld has no diagonal block", (long long)I);
      goto done;
    }
    for (int k = 0; k < M; k++)
      if (lv->dropped[(size_t)M * I + k]) Ac->val[(size_t)M2 * Ac->diag[I] + (M + 1) * k] = 1.0;
  }
  next->key = next->keys;
  next->A = Ac;
  next->own_A = 1;
  Ac = NULL;
done:
  mf_free(&local);
  mf_bcsr_destroy(&Ac);
  return st;
}

mf_status mf_amg_galerkin_span(mf_amg_level *lv, mf_amg_level *next) {
  mf_comm *comm = lv->halo->comm;
  const int R = comm->size, me = comm->rank, bs = lv->bs, M = MF_AMG_MODES, bs2 = bs * bs, pb = bs * M, M2 = M * M;
  const mf_idx n = lv->n, nl = n + lv->n_ghost, nc = lv->nc;
  MF_CHECK(lv->P.val && !lv->A->symmetric && !lv->af, MF_ERR_INPUT,
           "multigrid across processes: single-precision or symmetric levels are not supported yet");
  ghost_p g = {0};
  mf_nnz *gp_ptr = NULL, *sptr = NULL, *rptr = NULL, *slen = NULL, *T_ptr = NULL, *T_pos = NULL, *slot_of = NULL;
  mf_nnz *pos = NULL, *c_ptr = NULL, *T_a = NULL, *rac = NULL;
  double *gv = NULL, *recv = NULL, *rav = NULL, *acr = NULL;
  int32_t *stamp = NULL, *ranks = NULL;
  int64_t *cnt = NULL, *rcnt = NULL;
  stream *st_of = NULL;
  const double **streams = NULL;
  rec *ar = NULL, *pr = NULL;
  mf_amg_keyed *cc = NULL;
  mf_nnz na = 0, npr = 0, ncc = 0;
  int nr = 0;
  mf_status st;
  if ((st = ghost_p_rows(lv, &gp_ptr, &gv))) goto done;
  g.gp_ptr = gp_ptr, g.gv = gv;
  /* 2. a stream per rank that owns a coarse column of an owned P row, and our own */
  if ((st = MF_CALLOC_N(st_of, (size_t)R, "galerkin streams")) || (st = MF_ALLOC_N(stamp, (size_t)nl + 1, "marks")) ||
      (st = MF_CALLOC_N(cnt, (size_t)R, "galerkin counts")) || (st = MF_ALLOC_N(rcnt, (size_t)R, "galerkin counts")))
    goto done;
  for (mf_idx i = 0; i < nl; i++) stamp[i] = -1;
  {
    uint8_t *dest = NULL;
    if ((st = MF_CALLOC_N(dest, (size_t)R, "galerkin destinations"))) goto done;
    dest[me] = 1;
    for (mf_idx c = 0; c < lv->nc_ghost; c++) dest[lv->cg_rank[c]] = 1;
    for (int o = 0; o < R && !st; o++)
      if (dest[o]) st = make_stream(lv, &g, o, stamp, &st_of[o]);
    mf_free(&dest);
    if (st) goto done;
  }
  for (int o = 0; o < R; o++) cnt[o] = o == me ? 0 : st_of[o].n;
  if ((st = comm->ops->alltoall_i64(comm, cnt, rcnt))) goto done;
  for (int o = 0; o < R; o++) nr += o != me && (cnt[o] || rcnt[o]);
  if ((st = MF_ALLOC_N(ranks, (size_t)nr + 1, "galerkin ranks")) ||
      (st = MF_CALLOC_N(sptr, (size_t)nr + 1, "galerkin offsets")) ||
      (st = MF_CALLOC_N(rptr, (size_t)nr + 1, "galerkin offsets")))
    goto done;
  {
    stream all = {0};
    for (int o = 0, k = 0; o < R; o++) {
      if (o == me || !(cnt[o] || rcnt[o])) continue;
      ranks[k] = o;
      sptr[k + 1] = sptr[k] + cnt[o];
      rptr[k + 1] = rptr[k] + rcnt[o];
      if (cnt[o] && (st = put_n(&all, st_of[o].v, st_of[o].n))) break;
      k++;
    }
    if (!st && !(st = MF_ALLOC_N(recv, (size_t)rptr[nr] + 1, "galerkin records received")))
      st = mf_comm_exchange(comm, nr, ranks, all.v, sptr, recv, rptr);
    mf_free(&all.v);
    if (st) goto done;
  }
  /* 3. every record, own and received, indexed by key */
  if ((st = MF_ALLOC_N(streams, (size_t)nr + 2, "galerkin streams")) ||
      (st = MF_ALLOC_N(slen, (size_t)nr + 2, "galerkin stream lengths")))
    goto done;
  streams[0] = st_of[me].v, slen[0] = st_of[me].n;
  for (int k = 0; k < nr; k++) streams[k + 1] = &recv[rptr[k]], slen[k + 1] = rptr[k + 1] - rptr[k];
  if ((st = index_records(streams, slen, nr + 1, 0, bs2, pb, &ar, &na)) ||
      (st = index_records(streams, slen, nr + 1, 1, bs2, pb, &pr, &npr)))
    goto done;
  /* the coarse columns of every P record, sorted by key */
  {
    mf_nnz total = 0;
    for (mf_nnz r = 0; r < npr; r++) total += (mf_nnz)pr[r].at[1];
    if ((st = MF_ALLOC_N(cc, (size_t)total + 1, "galerkin coarse columns"))) goto done;
    for (mf_nnz r = 0; r < npr; r++)
      for (mf_nnz q = 0; q < (mf_nnz)pr[r].at[1]; q++)
        cc[ncc++] = (mf_amg_keyed){(uint64_t)pr[r].at[2 + 2 * q], (int32_t)pr[r].at[3 + 2 * q]};
    qsort(cc, (size_t)ncc, sizeof *cc, mf_amg_cmp_key);
    mf_nnz u = 0;
    for (mf_nnz q = 0; q < ncc; q++)
      if (u == 0 || cc[q].key != cc[u - 1].key) cc[u++] = cc[q];
    ncc = u;
  }
  /* for each owned coarse row I, the A records of the fine rows whose P row has it,
   * ascending key, and where that block is in the row's P record */
  if ((st = MF_CALLOC_N(T_ptr, (size_t)nc + 1, "galerkin transpose"))) goto done;
  for (int pass = 0; pass < 2; pass++) {
    for (mf_nnz a = 0; a < na; a++) {
      const mf_nnz p = mf_amg_find_key(pr, sizeof *pr, npr, ar[a].key);
      if (p < 0) {
        st = MF_ERROR(MF_ERR_INTERNAL, "multigrid across processes: no P row for fine row %llu",
                      (unsigned long long)ar[a].key);
        goto done;
      }
      const double *P = pr[p].at;
      for (mf_nnz q = 0; q < (mf_nnz)P[1]; q++) {
        if ((int32_t)P[3 + 2 * q] != me) continue;
        const mf_idx I = mf_amg_owned_root(lv, (uint64_t)P[2 + 2 * q]);
        if (I < 0) {
          st = MF_ERROR(MF_ERR_INTERNAL, "multigrid across processes: coarse row %.17g is not owned", P[2 + 2 * q]);
          goto done;
        }
        if (!pass) {
          T_ptr[I + 1]++;
        } else {
          T_a[T_ptr[I]] = a;
          T_pos[T_ptr[I]++] = q;
        }
      }
    }
    if (!pass) {
      for (mf_idx I = 0; I < nc; I++) T_ptr[I + 1] += T_ptr[I];
      if ((st = MF_ALLOC_N(T_a, (size_t)T_ptr[nc] + 1, "galerkin transpose rows")) ||
          (st = MF_ALLOC_N(T_pos, (size_t)T_ptr[nc] + 1, "galerkin transpose blocks")))
        goto done;
    } else {
      for (mf_idx I = nc; I > 0; I--) T_ptr[I] = T_ptr[I - 1];
      T_ptr[0] = 0;
    }
  }
  /* 4. each owned coarse row as one process sums it */
  mf_nnz width = 1;
  for (mf_idx I = 0; I < nc; I++) {
    mf_nnz w = 0;
    for (mf_nnz t = T_ptr[I]; t < T_ptr[I + 1]; t++) w += (mf_nnz)ar[T_a[t]].at[1];
    width = w > width ? w : width;
  }
  if ((st = MF_ALLOC_N(slot_of, (size_t)npr + 1, "galerkin slots")) ||
      (st = MF_ALLOC_N(rac, (size_t)width + 1, "galerkin row columns")) ||
      (st = MF_ALLOC_N(rav, (size_t)width * pb + 1, "galerkin row")) ||
      (st = MF_ALLOC_N(pos, (size_t)ncc + 1, "galerkin coarse positions")) ||
      (st = MF_CALLOC_N(c_ptr, (size_t)nc + 1, "coarse row offsets")))
    goto done;
  for (mf_nnz r = 0; r < npr; r++) slot_of[r] = -1;
  for (mf_nnz u = 0; u < ncc; u++) pos[u] = -1;
  stream colv = {0}, valv = {0}; /* the coarse rows' columns (indices into cc) and blocks */
  for (mf_idx I = 0; I < nc; I++) {
    mf_nnz w = 0;
    for (mf_nnz t = T_ptr[I]; t < T_ptr[I + 1]; t++) { /* (R A)_I */
      const double *Arec = ar[T_a[t]].at, *Prec = pr[mf_amg_find_key(pr, sizeof *pr, npr, ar[T_a[t]].key)].at;
      const mf_nnz alen = (mf_nnz)Arec[1], plen = (mf_nnz)Prec[1];
      const double *Pi = &Prec[2 + 2 * plen + (size_t)pb * T_pos[t]];
      for (mf_nnz b = 0; b < alen; b++) {
        const mf_nnz pk = mf_amg_find_key(pr, sizeof *pr, npr, (uint64_t)Arec[2 + b]);
        if (pk < 0) {
          st = MF_ERROR(MF_ERR_INTERNAL, "multigrid across processes: no P row for fine column %.17g", Arec[2 + b]);
          goto rows_done;
        }
        if ((mf_nnz)pr[pk].at[1] == 0) continue; /* no coarse column: adds nothing */
        if (slot_of[pk] < 0) {
          slot_of[pk] = w;
          rac[w] = pk;
          for (int z = 0; z < pb; z++) rav[(size_t)pb * w + z] = 0.0;
          w++;
        }
        const double *Aik = &Arec[2 + alen + (size_t)bs2 * b];
        double *dst = &rav[(size_t)pb * slot_of[pk]];
        for (int m = 0; m < M; m++) /* as mf_amg_galerkin.c: each entry in a register */
          for (int c = 0; c < bs; c++) {
            double acc = 0.0;
            for (int r = 0; r < bs; r++) acc += Pi[M * r + m] * Aik[bs * r + c];
            dst[bs * m + c] += acc;
          }
      }
    }
    /* the row's coarse columns, ascending key */
    mf_nnz rl = 0;
    const mf_nnz row0 = colv.n;
    for (mf_nnz s = 0; s < w; s++) {
      const double *Pk = pr[rac[s]].at;
      for (mf_nnz q = 0; q < (mf_nnz)Pk[1]; q++) {
        const mf_nnz u = mf_amg_find_key(cc, sizeof *cc, ncc, (uint64_t)Pk[2 + 2 * q]);
        if (pos[u] >= 0) continue;
        pos[u] = 0;
        if ((st = put(&colv, (double)u))) goto rows_done;
        rl++;
      }
    }
    double *cu = &colv.v[row0];
    for (mf_nnz q = 1; q < rl; q++) { /* insertion sort: rows are short */
      double x = cu[q];
      mf_nnz z = q;
      for (; z > 0 && cu[z - 1] > x; z--) cu[z] = cu[z - 1];
      cu[z] = x;
    }
    for (mf_nnz q = 0; q < rl; q++) pos[(mf_nnz)cu[q]] = q;
    if ((st = MF_ALLOC_N(acr, (size_t)rl * M2 + 1, "galerkin coarse row"))) goto rows_done;
    for (mf_nnz e = 0; e < rl * M2; e++) acr[e] = 0.0;
    for (mf_nnz s = 0; s < w; s++) { /* Ac[I, J] += (R A)_Ik P_kJ, fine columns k in the order above */
      const double *Pk = pr[rac[s]].at, *ra = &rav[(size_t)pb * s];
      const mf_nnz plen = (mf_nnz)Pk[1];
      slot_of[rac[s]] = -1;
      for (mf_nnz q = 0; q < plen; q++) {
        const double *Pkq = &Pk[2 + 2 * plen + (size_t)pb * q];
        double *blk = &acr[(size_t)M2 * pos[mf_amg_find_key(cc, sizeof *cc, ncc, (uint64_t)Pk[2 + 2 * q])]];
        for (int m = 0; m < M; m++)
          for (int nn = 0; nn < M; nn++) {
            double acc = 0.0;
            for (int c = 0; c < bs; c++) acc += ra[bs * m + c] * Pkq[M * c + nn];
            blk[M * m + nn] += acc;
          }
      }
    }
    for (mf_nnz q = 0; q < rl; q++) pos[(mf_nnz)cu[q]] = -1;
    st = put_n(&valv, acr, rl * M2);
    mf_free(&acr);
    if (st) goto rows_done;
    c_ptr[I + 1] = colv.n;
  }
rows_done:
  if (!st) st = store(lv, next, cc, ncc, c_ptr, colv.v, valv.v);
  mf_free(&colv.v), mf_free(&valv.v);
done:
  if (st_of)
    for (int o = 0; o < R; o++) mf_free(&st_of[o].v);
  mf_free(&st_of), mf_free(&stamp), mf_free(&cnt), mf_free(&rcnt), mf_free(&ranks), mf_free(&sptr), mf_free(&rptr);
  mf_free(&gp_ptr), mf_free(&gv), mf_free(&recv), mf_free(&streams), mf_free(&slen), mf_free(&ar), mf_free(&pr);
  mf_free(&cc), mf_free(&T_ptr), mf_free(&T_a), mf_free(&T_pos), mf_free(&slot_of), mf_free(&rac), mf_free(&rav);
  mf_free(&pos), mf_free(&c_ptr);
  return st;
}
