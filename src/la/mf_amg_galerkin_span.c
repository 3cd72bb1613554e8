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
 *    ghosts (lengths first, once), so every process has P for all its local rows.
 * 2. Every process sends each other process owning a coarse column of one of its owned
 *    P rows the A records of those rows and the P records of all their columns (once
 *    per destination); it keeps the same of its own for itself.
 * 3. The owner indexes the records by key and sums each owned coarse row from them.
 * Partial sums would be smaller to send but would change the order of the sum, so the
 * bits. The first product counts the streams, makes every list, buffer and index to
 * size, and then points each record of the process's own rows at the blocks the level
 * keeps (A's and P's rows) or receives (the ghost P rows), freeing its own stream, which
 * holds keys and columns only. The send and receive buffers of the ghost P rows and of
 * the streams are the hierarchy's exchange space, which the levels take in turn. A later
 * product (a numeric set-up) writes the same records into the same send buffers,
 * exchanges them with the same counts, and sums each coarse row into next->A's values on
 * every thread (a row each), allocating nothing. */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "la/mf_amg_impl.h"
#include "mem/mf_alloc.h"

/* A stream of doubles: growing (fixed 0), or of a size counted before (fixed 1): with
 * v NULL it only counts, else it writes into cap places that are not its own to grow. */
typedef struct {
  double *v;
  mf_nnz n, cap;
  int fixed;
  int headers; /* keys and columns only: the own stream, whose blocks are read where the
                  level keeps them (own_in_place), so they are never copied */
} stream;

static mf_status put_n(stream *s, const double *x, mf_nnz n) {
  if (s->fixed) {
    if (s->v) {
      MF_CHECK(s->n + n <= s->cap, MF_ERR_INTERNAL, "galerkin records: %lld values into a stream of %lld",
               (long long)(s->n + n), (long long)s->cap);
      if (n) memcpy(&s->v[s->n], x, (size_t)n * sizeof *x);
    }
    s->n += n;
    return MF_OK;
  }
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


/* A P row of local row i: owned rows from lv->P, ghost rows as received (ghost g's: len[g]
 * (coarse key, rank) pairs, then len[g] blocks, at v[off[g]]; v NULL while only counting). */
typedef struct {
  const mf_nnz *off, *len; /* n_ghost */
  const double *v;
} ghost_p;

static mf_nnz p_len(const mf_amg_level *lv, const ghost_p *g, mf_idx i) {
  if (i >= lv->n) return g->len[i - lv->n];
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
  return s->headers ? MF_OK : put_n(s, &lv->P.val[(size_t)pb * q0], len * pb);
}

/* Append local row i's P record to s. */
static mf_status put_p(stream *s, const mf_amg_level *lv, const ghost_p *g, mf_idx i) {
  const int pb = lv->bs * MF_AMG_MODES;
  const mf_nnz len = p_len(lv, g, i);
  MF_CALL(put(s, (double)mf_amg_key(lv, i)));
  MF_CALL(put(s, (double)len));
  if (i >= lv->n) {
    const mf_nnz n = len * (s->headers ? 2 : 2 + pb);
    if (!s->v) return put_n(s, NULL, n); /* counting: the rows need not be there yet */
    return put_n(s, &g->v[g->off[i - lv->n]], n);
  }
  return put_p_owned(s, lv, i);
}

/* Append owned row i's A record to s. */
static mf_status put_a(stream *s, const mf_amg_level *lv, mf_idx i) {
  const mf_bcsr *A = lv->A;
  const mf_nnz p0 = A->row_ptr[i], len = A->row_ptr[i + 1] - p0;
  MF_CALL(put(s, (double)mf_amg_key(lv, i)));
  MF_CALL(put(s, (double)len));
  for (mf_nnz p = p0; p < p0 + len; p++) MF_CALL(put(s, (double)mf_amg_key(lv, A->col[p])));
  return s->headers ? MF_OK : put_n(s, &A->val[(size_t)A->bs2 * p0], len * A->bs2);
}

/* 1. The P rows of the ghost rows, from their owners. Their lengths are exchanged once
 * (ghost_p_lengths); every product then writes the rows sent into the exchange space's
 * send buffer and receives them at the start of its receive buffer, where they stay, in
 * the halo's order, while the product reads them: no level keeps a copy of its own. */
typedef struct {
  mf_nnz *sptr, *rptr; /* nb + 1: each neighbour's rows, sent and received */
  mf_nnz *off, *len;   /* n_ghost: each ghost's row in the received rows, its length */
} ghost_rows;

static mf_status ghost_p_lengths(const mf_amg_level *lv, ghost_rows *G) {
  const mf_halo *h = lv->halo;
  const int nb = h->n_neighbours, pb = lv->bs * MF_AMG_MODES;
  const mf_nnz ns = h->send_ptr[nb], nr = h->recv_ptr[nb];
  double *slen = NULL, *rlen = NULL;
  mf_status st;
  if ((st = MF_ALLOC_N(slen, (size_t)ns + 1, "P row lengths")) ||
      (st = MF_ALLOC_N(rlen, (size_t)nr + 1, "P row lengths")) ||
      (st = MF_CALLOC_N(G->sptr, (size_t)nb + 1, "P row offsets")) ||
      (st = MF_CALLOC_N(G->rptr, (size_t)nb + 1, "P row offsets")) ||
      (st = MF_CALLOC_N(G->off, (size_t)lv->n_ghost + 1, "ghost P rows")) ||
      (st = MF_CALLOC_N(G->len, (size_t)lv->n_ghost + 1, "ghost P rows")))
    goto done;
  for (mf_nnz q = 0; q < ns; q++) slen[q] = (double)p_len(lv, NULL, h->send[q]);
  if ((st = mf_comm_exchange(h->comm, nb, h->neighbours, slen, h->send_ptr, rlen, h->recv_ptr))) goto done;
  for (int k = 0; k < nb; k++) {
    G->sptr[k + 1] = G->sptr[k], G->rptr[k + 1] = G->rptr[k];
    for (mf_nnz q = h->send_ptr[k]; q < h->send_ptr[k + 1]; q++) G->sptr[k + 1] += (mf_nnz)slen[q] * (2 + pb);
    for (mf_nnz q = h->recv_ptr[k]; q < h->recv_ptr[k + 1]; q++) {
      const mf_idx g = h->recv[q] - lv->n;
      G->off[g] = G->rptr[k + 1];
      G->len[g] = (mf_nnz)rlen[q];
      G->rptr[k + 1] += G->len[g] * (2 + pb);
    }
  }
done:
  mf_free(&slen), mf_free(&rlen);
  return st;
}

/* The rows themselves, from send (room for G->sptr[nb]) into recv (G->rptr[nb]). */
static mf_status ghost_p_rows(const mf_amg_level *lv, const ghost_rows *G, double *send, double *recv) {
  const mf_halo *h = lv->halo;
  const int nb = h->n_neighbours;
  stream out = {send, 0, G->sptr[nb], 1, 0};
  for (mf_nnz q = 0; q < h->send_ptr[nb]; q++) MF_CALL(put_p_owned(&out, lv, h->send[q]));
  MF_CHECK(out.n == out.cap, MF_ERR_INTERNAL, "galerkin ghost P rows: %lld values, counted %lld", (long long)out.n,
           (long long)out.cap);
  return mf_comm_exchange(h->comm, nb, h->neighbours, send, G->sptr, recv, G->rptr);
}

/* A record found by key: where it starts in its stream (its keys: the first product
 * only), its length and its blocks. The blocks of this process's own records are its
 * matrices' own (A, P, the ghost P rows received), the stream they came from freed. */
typedef struct {
  uint64_t key;
  const double *at, *val;
  mf_nnz len;
  mf_idx row; /* an own record's local row, else -1 */
} rec;

/* The records of one kind (0: A, 1: P) of streams s[0 .. ns) (each [na, np, A records,
 * P records]), sorted by key, duplicates (a P row sent by two processes: the same bits)
 * dropped. s[0] is the own stream, headers only: its records' val is NULL until
 * own_in_place. */
static mf_status index_records(const double *const *s, const mf_nnz *len, int ns, int kind, int bs2, int pb,
                               const mf_idx *own_row, rec **out, mf_nnz *n_out) {
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
          if (pass)
            (*out)[n] = k == 0 ? (rec){(uint64_t)v[0], v, NULL, l, own_row[r]}
                               : (rec){(uint64_t)v[0], v, v + 2 + (is_p ? 2 * l : l), l, -1};
          n++;
        }
        v += 2 + (is_p ? l * (2 + (k ? pb : 0)) : l * (1 + (k ? bs2 : 0)));
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
 * whose P row has a coarse column o owns, and the P records of their columns, once.
 * rows (may be NULL): each record's local row, in stream order. */
static mf_status make_stream(const mf_amg_level *lv, const ghost_p *g, int o, int32_t *stamp, stream *s,
                             mf_idx *rows) {
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
        if (rows) rows[na] = i;
        na++;
      } else {
        for (mf_nnz p = A->row_ptr[i]; p < A->row_ptr[i + 1]; p++) {
          const mf_idx k = A->col[p];
          if (stamp[k] == o) continue;
          stamp[k] = o;
          MF_CALL(put_p(s, lv, g, k));
          if (rows) rows[na + np] = k;
          np++;
        }
      }
    }
  if (s->v) s->v[0] = (double)na, s->v[1] = (double)np;
  return MF_OK;
}



/* The next level from the owned coarse rows (row I: columns cu[c_ptr[I] .. c_ptr[I + 1])
 * as indices into cc, ascending key; the values are left to the caller's sums): its
 * matrix in local numbering, owned
 * coarse rows first, then the other ranks' coarse rows its columns name (ascending
 * key), their keys and owners. (The sums set dropped coarse unknowns' unit diagonal.) */
static mf_status store(const mf_amg_level *lv, mf_amg_level *next, const mf_amg_keyed *cc, mf_nnz ncc,
                       const mf_nnz *c_ptr, const double *cu) {
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

/* A coarse row's work arrays (one per thread): the fine columns of (R A)_I and their
 * blocks, the coarse columns' positions, the row being summed. */
struct scratch {
  mf_nnz *slot_of, *rac, *pos;
  double *rav, *acr;
};

static mf_status scratch_alloc(struct scratch *w, mf_nnz npr, mf_nnz ncc, mf_nnz width, int pb, mf_nnz acr_width) {
  MF_CALL(MF_ALLOC_N(w->slot_of, (size_t)npr + 1, "galerkin slots"));
  MF_CALL(MF_ALLOC_N(w->rac, (size_t)width + 1, "galerkin row columns"));
  MF_CALL(MF_ALLOC_N(w->rav, (size_t)width * pb + 1, "galerkin row"));
  MF_CALL(MF_ALLOC_N(w->pos, (size_t)ncc + 1, "galerkin coarse positions"));
  if (acr_width) MF_CALL(MF_ALLOC_N(w->acr, (size_t)acr_width * MF_AMG_MODES * MF_AMG_MODES, "galerkin coarse row"));
  for (mf_nnz r = 0; r < npr; r++) w->slot_of[r] = -1;
  for (mf_nnz v = 0; v < ncc; v++) w->pos[v] = -1;
  return MF_OK;
}

/* What the first product makes and later ones reuse: every list, buffer and index
 * (their records sit at the same places of the same streams, whose room is kept), and
 * each coarse row's columns. */
struct mf_amg_galerkin_plan {
  ghost_rows gr;
  int R, nr;
  mf_idx n;                  /* lv->n: a P record of a local row >= n is a ghost's, received */
  stream own;                /* this rank's own records */
  mf_nnz *len_of;            /* R: the size of the stream to each rank (counted first) */
  uint8_t *dest;             /* R: whether a stream goes there */
  int32_t *stamp, *ranks;
  mf_nnz *sptr, *rptr;       /* the streams sent and received, concatenated, in the
                                exchange space (lv->xspace) while this level's product runs,
                                received after the ghost P rows (gr.rptr[nb] values) */
  rec *ar, *pr;
  mf_nnz na, npr, ncc;
  mf_amg_keyed *cc;          /* the coarse columns of every P record, by key */
  mf_nnz *T_ptr, *T_a, *T_pos;
  struct scratch *sc;        /* per thread: a coarse row's work arrays */
  int n_sc;
  mf_nnz width, acr_width;   /* a row's most fine columns (a bound until the first product
                                counts them) and coarse columns */
  mf_nnz width_found;        /* the most fine columns the first product met in a row */
  mf_nnz *c_ptr;             /* nc + 1: each coarse row's columns ... */
  stream cu;                 /*   as indices into cc, ascending key */
  /* the key searches of the sums, done once: each A record's own P record and its
   * columns' P records (a_ptr offsets into a_pk), each P record's columns in cc */
  mf_nnz *a_p, *a_ptr, *a_pk, *p_ptr, *p_u;
};

/* Every record, own and received, indexed by key; the coarse columns; for each owned
 * coarse row I the A records of the fine rows whose P row has it (ascending key) and
 * where that block is in the row's P record; the summation's work arrays. */
static mf_status index_all(const mf_amg_level *lv, struct mf_amg_galerkin_plan *g, const mf_idx *own_row) {
  const int me = lv->halo->comm->rank, bs = lv->bs, pb = bs * MF_AMG_MODES;
  const mf_idx nc = lv->nc;
  const double **streams = NULL;
  mf_nnz *slen = NULL;
  mf_status st;
  if ((st = MF_ALLOC_N(streams, (size_t)g->nr + 2, "galerkin streams")) ||
      (st = MF_ALLOC_N(slen, (size_t)g->nr + 2, "galerkin stream lengths")))
    goto done;
  streams[0] = g->own.v, slen[0] = g->own.n;
  const double *recv = lv->xspace->recv + g->gr.rptr[lv->halo->n_neighbours];
  for (int k = 0; k < g->nr; k++) streams[k + 1] = &recv[g->rptr[k]], slen[k + 1] = g->rptr[k + 1] - g->rptr[k];
  if ((st = index_records(streams, slen, g->nr + 1, 0, bs * bs, pb, own_row, &g->ar, &g->na)) ||
      (st = index_records(streams, slen, g->nr + 1, 1, bs * bs, pb, own_row, &g->pr, &g->npr)))
    goto done;
  mf_nnz total = 0;
  for (mf_nnz r = 0; r < g->npr; r++) total += (mf_nnz)g->pr[r].at[1];
  if ((st = MF_ALLOC_N(g->cc, (size_t)total + 1, "galerkin coarse columns"))) goto done;
  for (mf_nnz r = 0; r < g->npr; r++)
    for (mf_nnz q = 0; q < (mf_nnz)g->pr[r].at[1]; q++)
      g->cc[g->ncc++] = (mf_amg_keyed){(uint64_t)g->pr[r].at[2 + 2 * q], (int32_t)g->pr[r].at[3 + 2 * q]};
  qsort(g->cc, (size_t)g->ncc, sizeof *g->cc, mf_amg_cmp_key);
  mf_nnz u = 0;
  for (mf_nnz q = 0; q < g->ncc; q++)
    if (u == 0 || g->cc[q].key != g->cc[u - 1].key) g->cc[u++] = g->cc[q];
  g->ncc = u;
  if ((st = MF_CALLOC_N(g->T_ptr, (size_t)nc + 1, "galerkin transpose"))) goto done;
  for (int pass = 0; pass < 2; pass++) {
    for (mf_nnz a = 0; a < g->na; a++) {
      const mf_nnz p = mf_amg_find_key(g->pr, sizeof *g->pr, g->npr, g->ar[a].key);
      if (p < 0) {
        st = MF_ERROR(MF_ERR_INTERNAL, "multigrid across processes: no P row for fine row %llu",
                      (unsigned long long)g->ar[a].key);
        goto done;
      }
      const double *P = g->pr[p].at;
      for (mf_nnz q = 0; q < (mf_nnz)P[1]; q++) {
        if ((int32_t)P[3 + 2 * q] != me) continue;
        const mf_idx I = mf_amg_owned_root(lv, (uint64_t)P[2 + 2 * q]);
        if (I < 0) {
          st = MF_ERROR(MF_ERR_INTERNAL, "multigrid across processes: coarse row %.17g is not owned", P[2 + 2 * q]);
          goto done;
        }
        if (!pass) {
          g->T_ptr[I + 1]++;
        } else {
          g->T_a[g->T_ptr[I]] = a;
          g->T_pos[g->T_ptr[I]++] = q;
        }
      }
    }
    if (!pass) {
      for (mf_idx I = 0; I < nc; I++) g->T_ptr[I + 1] += g->T_ptr[I];
      if ((st = MF_ALLOC_N(g->T_a, (size_t)g->T_ptr[nc] + 1, "galerkin transpose rows")) ||
          (st = MF_ALLOC_N(g->T_pos, (size_t)g->T_ptr[nc] + 1, "galerkin transpose blocks")))
        goto done;
    } else {
      for (mf_idx I = nc; I > 0; I--) g->T_ptr[I] = g->T_ptr[I - 1];
      g->T_ptr[0] = 0;
    }
  }
  mf_nnz width = 1;
  for (mf_idx I = 0; I < nc; I++) {
    mf_nnz w = 0;
    for (mf_nnz t = g->T_ptr[I]; t < g->T_ptr[I + 1]; t++) w += (mf_nnz)g->ar[g->T_a[t]].at[1];
    width = w > width ? w : width;
  }
  g->width = width;
  if ((st = MF_CALLOC_N(g->sc, 1, "galerkin work arrays"))) goto done;
  g->n_sc = 1;
  /* the first product's symbolic pass lists a row's fine columns only: their blocks
   * (pb doubles each) are made after it, at the width it met */
  if ((st = scratch_alloc(&g->sc[0], g->npr, g->ncc, width, 0, 0)) ||
      (st = MF_CALLOC_N(g->c_ptr, (size_t)nc + 1, "coarse row offsets")))
    goto done;
  if ((st = MF_ALLOC_N(g->a_p, (size_t)g->na + 1, "galerkin A rows' P rows")) ||
      (st = MF_CALLOC_N(g->a_ptr, (size_t)g->na + 1, "galerkin A columns")) ||
      (st = MF_CALLOC_N(g->p_ptr, (size_t)g->npr + 1, "galerkin P columns")))
    goto done;
  for (mf_nnz a = 0; a < g->na; a++) g->a_ptr[a + 1] = g->a_ptr[a] + (mf_nnz)g->ar[a].at[1];
  for (mf_nnz r = 0; r < g->npr; r++) g->p_ptr[r + 1] = g->p_ptr[r] + (mf_nnz)g->pr[r].at[1];
  if ((st = MF_ALLOC_N(g->a_pk, (size_t)g->a_ptr[g->na] + 1, "galerkin A columns")) ||
      (st = MF_ALLOC_N(g->p_u, (size_t)g->p_ptr[g->npr] + 1, "galerkin P columns")))
    goto done;
  for (mf_nnz a = 0; a < g->na && !st; a++) {
    const double *Arec = g->ar[a].at;
    g->a_p[a] = mf_amg_find_key(g->pr, sizeof *g->pr, g->npr, g->ar[a].key); /* found above */
    for (mf_nnz b = 0; b < (mf_nnz)Arec[1]; b++) {
      const mf_nnz pk = mf_amg_find_key(g->pr, sizeof *g->pr, g->npr, (uint64_t)Arec[2 + b]);
      if (pk < 0)
        st = MF_ERROR(MF_ERR_INTERNAL, "multigrid across processes: no P row for fine column %.17g", Arec[2 + b]);
      g->a_pk[g->a_ptr[a] + b] = pk;
    }
  }
  for (mf_nnz r = 0; r < g->npr; r++)
    for (mf_nnz q = 0; q < (mf_nnz)g->pr[r].at[1]; q++)
      g->p_u[g->p_ptr[r] + q] = mf_amg_find_key(g->cc, sizeof *g->cc, g->ncc, (uint64_t)g->pr[r].at[2 + 2 * q]);
done:
  mf_free(&streams), mf_free(&slen);
  return st;
}

/* After the first product's index: each own record's blocks are read where the level
 * keeps them, A's and P's rows, and where the ghost P rows are received (every numeric
 * set-up refills those in place, bit for bit what the stream copied), and the own stream
 * goes: no process keeps a second copy of its rows. */
static void own_in_place(const mf_amg_level *lv, struct mf_amg_galerkin_plan *g) {
  const mf_bcsr *A = lv->A;
  const int pb = lv->bs * MF_AMG_MODES;
  for (mf_nnz a = 0; a < g->na; a++) {
    const mf_idx i = g->ar[a].row;
    if (i >= 0) g->ar[a].val = &A->val[(size_t)A->bs2 * A->row_ptr[i]];
  }
  for (mf_nnz r = 0; r < g->npr; r++) {
    const mf_idx k = g->pr[r].row;
    if (k < 0 || g->pr[r].len == 0) continue;
    g->pr[r].val = k < lv->n ? &lv->P.val[(size_t)pb * lv->P.row_ptr[lv->P.slot[k]]]
                             : &lv->xspace->recv[g->gr.off[k - lv->n] + 2 * g->pr[r].len];
  }
  for (mf_nnz a = 0; a < g->na; a++) g->ar[a].at = NULL;
  for (mf_nnz r = 0; r < g->npr; r++) g->pr[r].at = NULL;
  mf_free(&g->own.v);
  g->own = (stream){0};
}

/* Coarse row I as one process sums it, into ws->acr (its columns: g->cu from c_ptr[I]).
 * first: only find those columns (the first product's symbolic pass). */
static mf_status coarse_row(const mf_amg_level *lv, struct mf_amg_galerkin_plan *g, struct scratch *ws, mf_idx I,
                            int first, mf_nnz *rl_out) {
  const int bs = lv->bs, M = MF_AMG_MODES, bs2 = bs * bs, pb = bs * M, M2 = M * M;
  const rec *pr = g->pr;
  mf_nnz w = 0;
  for (mf_nnz t = g->T_ptr[I]; t < g->T_ptr[I + 1]; t++) { /* (R A)_I */
    const mf_nnz a = g->T_a[t];
    const mf_nnz alen = g->ar[a].len;
    const double *Av = g->ar[a].val, *Pi = &pr[g->a_p[a]].val[(size_t)pb * g->T_pos[t]];
    for (mf_nnz b = 0; b < alen; b++) {
      const mf_nnz pk = g->a_pk[g->a_ptr[a] + b];
      if (pr[pk].len == 0) continue; /* no coarse column: adds nothing */
      if (ws->slot_of[pk] < 0) {
        ws->slot_of[pk] = w;
        ws->rac[w] = pk;
        if (!first)
          for (int z = 0; z < pb; z++) ws->rav[(size_t)pb * w + z] = 0.0;
        w++;
      }
      if (first) continue; /* the columns only */
      const double *Aik = &Av[(size_t)bs2 * b];
      double *dst = &ws->rav[(size_t)pb * ws->slot_of[pk]];
      for (int m = 0; m < M; m++) /* as mf_amg_galerkin.c: each entry in a register */
        for (int c = 0; c < bs; c++) {
          double acc = 0.0;
          for (int r = 0; r < bs; r++) acc += Pi[M * r + m] * Aik[bs * r + c];
          dst[bs * m + c] += acc;
        }
    }
  }
  if (first && w > g->width_found) g->width_found = w;
  /* the row's coarse columns, ascending key (the first product finds them) */
  const mf_nnz row0 = first ? g->cu.n : g->c_ptr[I];
  mf_nnz rl = first ? 0 : g->c_ptr[I + 1] - row0;
  if (first) {
    for (mf_nnz z = 0; z < w; z++) {
      for (mf_nnz q = 0; q < pr[ws->rac[z]].len; q++) {
        const mf_nnz u = g->p_u[g->p_ptr[ws->rac[z]] + q];
        if (ws->pos[u] >= 0) continue;
        ws->pos[u] = 0;
        MF_CALL(put(&g->cu, (double)u));
        rl++;
      }
    }
    double *cu = &g->cu.v[row0];
    for (mf_nnz q = 1; q < rl; q++) { /* insertion sort: rows are short */
      double x = cu[q];
      mf_nnz z = q;
      for (; z > 0 && cu[z - 1] > x; z--) cu[z] = cu[z - 1];
      cu[z] = x;
    }
    g->c_ptr[I + 1] = row0 + rl;
    if (rl > g->acr_width) g->acr_width = rl;
    for (mf_nnz q = 0; q < rl; q++) ws->pos[(mf_nnz)cu[q]] = -1;
    for (mf_nnz z = 0; z < w; z++) ws->slot_of[ws->rac[z]] = -1;
    *rl_out = rl;
    return MF_OK;
  }
  const double *cu = &g->cu.v[row0];
  for (mf_nnz q = 0; q < rl; q++) ws->pos[(mf_nnz)cu[q]] = q;
  for (mf_nnz e = 0; e < rl * M2; e++) ws->acr[e] = 0.0;
  for (mf_nnz z = 0; z < w; z++) { /* Ac[I, J] += (R A)_Ik P_kJ, fine columns k in the order above */
    const double *Pk = pr[ws->rac[z]].val, *ra = &ws->rav[(size_t)pb * z];
    const mf_nnz plen = pr[ws->rac[z]].len;
    ws->slot_of[ws->rac[z]] = -1;
    for (mf_nnz q = 0; q < plen; q++) {
      const double *Pkq = &Pk[(size_t)pb * q];
      double *blk = &ws->acr[(size_t)M2 * ws->pos[g->p_u[g->p_ptr[ws->rac[z]] + q]]];
      for (int m = 0; m < M; m++)
        for (int nn = 0; nn < M; nn++) {
          double acc = 0.0;
          for (int c = 0; c < bs; c++) acc += ra[bs * m + c] * Pkq[M * c + nn];
          blk[M * m + nn] += acc;
        }
    }
  }
  for (mf_nnz q = 0; q < rl; q++) ws->pos[(mf_nnz)cu[q]] = -1;
  *rl_out = rl;
  return MF_OK;
}

/* A received record's blocks (another process's A or P row, or a ghost's P row) move
 * with the buffer they were received into. */
static void move_received(struct mf_amg_galerkin_plan *g, const double *from, double *to) {
  for (mf_nnz a = 0; a < g->na; a++)
    if (g->ar[a].row < 0) g->ar[a].val = to + (g->ar[a].val - from);
  for (mf_nnz r = 0; r < g->npr; r++)
    if ((g->pr[r].row < 0 || g->pr[r].row >= g->n) && g->pr[r].val) g->pr[r].val = to + (g->pr[r].val - from);
}

/* Room in the exchange space for g's ghost P rows and streams (the first product), g a
 * user from now on: sent one after the other from the same place, received side by side.
 * A larger receive buffer is made before the old one is freed, so the earlier users'
 * received records are moved by their offsets in the old one. */
static mf_status space_take(mf_amg_exchange_space *x, struct mf_amg_galerkin_plan *g, int nb) {
  MF_CHECK(x && x->n_users < MF_AMG_MAX_LEVELS, MF_ERR_INTERNAL, "galerkin records: no exchange space");
  const mf_nnz ns = g->sptr[g->nr] > g->gr.sptr[nb] ? g->sptr[g->nr] : g->gr.sptr[nb];
  const mf_nnz nr = g->gr.rptr[nb] + g->rptr[g->nr];
  if (ns > x->send_cap) {
    mf_free(&x->send);
    x->send_cap = 0;
    MF_CALL(MF_ALLOC_N(x->send, (size_t)ns + 1, "galerkin records sent"));
    x->send_cap = ns;
  }
  if (nr > x->recv_cap) {
    double *v;
    MF_CALL(MF_ALLOC_N(v, (size_t)nr + 1, "galerkin records received"));
    for (int u = 0; u < x->n_users; u++) move_received(x->user[u], x->recv, v);
    mf_free(&x->recv);
    x->recv = v, x->recv_cap = nr;
  }
  x->user[x->n_users++] = g;
  return MF_OK;
}

size_t mf_amg_exchange_space_bytes(const mf_amg_exchange_space *x) {
  return (size_t)(x->send_cap + x->recv_cap) * sizeof(double);
}

void mf_amg_exchange_space_free(mf_amg_exchange_space *x) {
  mf_free(&x->send), mf_free(&x->recv);
  *x = (mf_amg_exchange_space){0};
}

mf_status mf_amg_galerkin_span(mf_amg_level *lv, mf_amg_level *next) {
  mf_comm *comm = lv->halo->comm;
  const int R = comm->size, me = comm->rank, M2 = MF_AMG_MODES * MF_AMG_MODES;
  const mf_idx nl = lv->n + lv->n_ghost, nc = lv->nc;
  MF_CHECK(lv->P.val && !lv->A->symmetric && !lv->af, MF_ERR_INPUT,
           "multigrid across processes: single-precision or symmetric levels are not supported yet");
  struct mf_amg_galerkin_plan *g = lv->gplan;
  const int first = g == NULL;
  if (first) {
    MF_CALL(MF_CALLOC_N(g, 1, "galerkin plan"));
    lv->gplan = g;
    g->R = R, g->n = lv->n;
    MF_CALL(MF_CALLOC_N(g->len_of, (size_t)R, "galerkin stream sizes"));
    MF_CALL(MF_ALLOC_N(g->stamp, (size_t)nl + 1, "marks"));
    MF_CALL(MF_CALLOC_N(g->dest, (size_t)R, "galerkin destinations"));
    g->dest[me] = 1;
    for (mf_idx c = 0; c < lv->nc_ghost; c++) g->dest[lv->cg_rank[c]] = 1;
  }
  const int nb = lv->halo->n_neighbours;
  if (first) MF_CALL(ghost_p_lengths(lv, &g->gr));
  ghost_p gp = {g->gr.off, g->gr.len, NULL};
  /* 2. a stream per rank that owns a coarse column of an owned P row, and our own. The
   * first product counts them (the ghost P rows' lengths are all that takes), then every
   * later one writes the same records at the same places of buffers made to size: no
   * doubling room, and the streams sent are written where the exchange sends them from,
   * not copied there. */
  if (first) {
    for (mf_idx i = 0; i < nl; i++) g->stamp[i] = -1;
    for (int o = 0; o < R; o++)
      if (g->dest[o]) {
        stream count = {NULL, 0, 0, 1, o == me};
        MF_CALL(make_stream(lv, &gp, o, g->stamp, &count, NULL));
        g->len_of[o] = count.n;
      }
    int64_t *cnt = NULL, *rcnt = NULL;
    mf_status st;
    if (!(st = MF_CALLOC_N(cnt, (size_t)R, "galerkin counts")) &&
        !(st = MF_ALLOC_N(rcnt, (size_t)R, "galerkin counts"))) {
      for (int o = 0; o < R; o++) cnt[o] = o == me ? 0 : g->len_of[o];
      st = comm->ops->alltoall_i64(comm, cnt, rcnt);
    }
    for (int o = 0; o < R && !st; o++) g->nr += o != me && (cnt[o] || rcnt[o]);
    if (!st && !(st = MF_ALLOC_N(g->ranks, (size_t)g->nr + 1, "galerkin ranks")) &&
        !(st = MF_CALLOC_N(g->sptr, (size_t)g->nr + 1, "galerkin offsets")) &&
        !(st = MF_CALLOC_N(g->rptr, (size_t)g->nr + 1, "galerkin offsets"))) {
      for (int o = 0, k = 0; o < R; o++) {
        if (o == me || !(cnt[o] || rcnt[o])) continue;
        g->ranks[k] = o;
        g->sptr[k + 1] = g->sptr[k] + cnt[o];
        g->rptr[k + 1] = g->rptr[k] + rcnt[o];
        k++;
      }
      g->own = (stream){NULL, 0, g->len_of[me], 1, 1};
      if (!(st = MF_ALLOC_N(g->own.v, (size_t)g->len_of[me] + 1, "galerkin own records")))
        st = space_take(lv->xspace, g, nb);
    }
    mf_free(&cnt), mf_free(&rcnt);
    MF_CALL(st);
  }
  mf_amg_exchange_space *x = lv->xspace;
  MF_CALL(ghost_p_rows(lv, &g->gr, x->send, x->recv));
  gp.v = x->recv;
  for (mf_idx i = 0; i < nl; i++) g->stamp[i] = -1;
  mf_idx *own_row = NULL; /* the first product: each own record's local row */
  if (first) {
    g->own.n = 0;
    MF_CALL(MF_ALLOC_N(own_row, (size_t)(lv->n + nl) + 1, "galerkin own rows"));
    mf_status st = make_stream(lv, &gp, me, g->stamp, &g->own, own_row);
    if (st) mf_free(&own_row);
    MF_CALL(st);
  }
  for (int k = 0; k < g->nr; k++) {
    const int o = g->ranks[k];
    if (!g->dest[o]) continue; /* a rank that only sends to this one */
    stream to = {&x->send[g->sptr[k]], 0, g->sptr[k + 1] - g->sptr[k], 1, 0};
    MF_CALL(make_stream(lv, &gp, o, g->stamp, &to, NULL));
    MF_CHECK(to.n == to.cap, MF_ERR_INTERNAL, "galerkin records: %lld values for rank %d, counted %lld",
             (long long)to.n, o, (long long)to.cap);
  }
  mf_status xs = mf_comm_exchange(comm, g->nr, g->ranks, x->send, g->sptr, &x->recv[g->gr.rptr[nb]], g->rptr);
  /* 3. the records indexed by key (once: later products find them at the same places),
   * the own ones then reading their blocks in place */
  if (first && !xs) xs = index_all(lv, g, own_row);
  mf_free(&own_row);
  MF_CALL(xs);
  if (first) own_in_place(lv, g);
  /* 4. each owned coarse row as one process sums it: the first product finds every
   * row's columns (one thread: they go in row order) and makes the next level; then, as
   * in every later product, the rows are summed independently, a thread each */
  if (first) {
    mf_status st = MF_OK;
    for (mf_idx I = 0; I < nc && !st; I++) {
      mf_nnz rl = 0;
      st = coarse_row(lv, g, &g->sc[0], I, 1, &rl);
    }
    if (!st) st = store(lv, next, g->cc, g->ncc, g->c_ptr, g->cu.v);
    /* the row's work arrays at the width met instead of the bound the columns were
     * listed in (the sum of the A rows' lengths: on coarse levels several times the
     * distinct columns) */
    if (!st) {
      g->width = g->width_found > 0 ? g->width_found : 1;
      mf_free(&g->sc[0].rac), mf_free(&g->sc[0].rav);
      if (!(st = MF_ALLOC_N(g->sc[0].rac, (size_t)g->width + 1, "galerkin row columns")))
        st = MF_ALLOC_N(g->sc[0].rav, (size_t)g->width * lv->bs * MF_AMG_MODES + 1, "galerkin row");
    }
    /* every thread's work arrays */
    const int nt = omp_get_max_threads();
    struct scratch *sc = NULL;
    if (!st && !(st = MF_ALLOC_N(g->sc[0].acr, (size_t)g->acr_width * M2 + 1, "galerkin coarse row")) && nt > 1 &&
        !(st = MF_CALLOC_N(sc, (size_t)nt, "galerkin work arrays"))) {
      sc[0] = g->sc[0];
      mf_free(&g->sc);
      g->sc = sc;
      for (int t = 1; t < nt && !st; t++, g->n_sc = t)
        st = scratch_alloc(&g->sc[t], g->npr, g->ncc, g->width, lv->bs * MF_AMG_MODES, g->acr_width);
    }
    MF_CALL(st);
  }
  mf_bcsr *Ac = next->A;
#pragma omp parallel num_threads(g->n_sc)
  {
    struct scratch *ws = &g->sc[omp_get_thread_num()];
#pragma omp for schedule(dynamic, 16)
    for (mf_idx I = 0; I < nc; I++) {
      mf_nnz rl = 0;
      (void)coarse_row(lv, g, ws, I, 0, &rl); /* fails only when it finds the columns (first) */
      memcpy(&Ac->val[(size_t)M2 * g->c_ptr[I]], ws->acr, (size_t)rl * M2 * sizeof *Ac->val);
      for (int k = 0; k < MF_AMG_MODES; k++)
        if (lv->dropped[(size_t)MF_AMG_MODES * I + k])
          Ac->val[(size_t)M2 * Ac->diag[I] + (MF_AMG_MODES + 1) * k] = 1.0;
    }
  }
  return MF_OK;
}

size_t mf_amg_galerkin_span_bytes(const mf_amg_level *lv) {
  const struct mf_amg_galerkin_plan *g = lv->gplan;
  if (!g) return 0;
  const size_t d = sizeof(double), z = sizeof(mf_nnz);
  const int nb = lv->halo->n_neighbours, pb = lv->bs * MF_AMG_MODES;
  size_t b = (size_t)(2 * (nb + 1) + 2 * lv->n_ghost) * z; /* the ghost P rows' offsets */
  b += (size_t)g->own.cap * d;                                                            /* records */
  b += (size_t)(lv->n + lv->n_ghost) * sizeof(int32_t) + (size_t)g->R * z;
  b += (size_t)(g->na + g->npr) * sizeof(rec) + (size_t)g->ncc * sizeof(mf_amg_keyed);  /* indexes */
  b += (size_t)(2 * g->T_ptr[lv->nc] + lv->nc + g->cu.cap) * z + (size_t)g->cu.cap * (d - z);
  b += (size_t)(2 * g->na + g->a_ptr[g->na] + g->npr + g->p_ptr[g->npr]) * z;             /* lookups */
  b += (size_t)g->n_sc * ((size_t)(g->npr + g->ncc + g->width) * z +                      /* work arrays */
                          ((size_t)g->width * pb + (size_t)g->acr_width * MF_AMG_MODES * MF_AMG_MODES) * d);
  return b;
}

void mf_amg_galerkin_span_free(mf_amg_level *lv) {
  struct mf_amg_galerkin_plan *g = lv->gplan;
  if (!g) return;
  mf_free(&g->gr.sptr), mf_free(&g->gr.rptr), mf_free(&g->gr.off), mf_free(&g->gr.len);
  mf_free(&g->own.v), mf_free(&g->len_of);
  mf_free(&g->dest), mf_free(&g->stamp), mf_free(&g->ranks), mf_free(&g->sptr);
  mf_free(&g->rptr), mf_free(&g->ar), mf_free(&g->pr), mf_free(&g->cc);
  mf_free(&g->T_ptr), mf_free(&g->T_a), mf_free(&g->T_pos);
  for (int t = 0; g->sc && t < g->n_sc; t++) {
    struct scratch *w = &g->sc[t];
    mf_free(&w->slot_of), mf_free(&w->rac), mf_free(&w->pos), mf_free(&w->rav), mf_free(&w->acr);
  }
  mf_free(&g->sc), mf_free(&g->c_ptr), mf_free(&g->cu.v);
  mf_free(&g->a_p), mf_free(&g->a_ptr), mf_free(&g->a_pk), mf_free(&g->p_ptr), mf_free(&g->p_u);
  mf_free(&lv->gplan);
}
