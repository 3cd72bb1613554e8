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
 *    per destination).
 * 3. The owner indexes the records received by key and sums each owned coarse row from
 *    them and from its own rows, read where the level keeps them (A's and P's rows) or
 *    received them (the ghost P rows), through its local numbering. Each coarse row's
 *    fine rows come in ascending key from the restriction's lists (lv->rt_*).
 * Partial sums would be smaller to send but would change the order of the sum, so the
 * bits. With amg.precision single, P and the coarse levels are floats: their records
 * carry them widened to double, the values one process multiplies, and each coarse row
 * is summed in double and stored once as float. The first product counts the streams
 * and makes every list, buffer and index to size. The send and receive buffers of the
 * ghost P rows and of the streams are the hierarchy's exchange space, which the levels
 * take in turn; the streams are sent one at a time from one place, into receives all
 * posted first. A later product (a numeric set-up) writes the same records into the
 * same places, exchanges them with the same counts, and sums each coarse row into
 * next->A's values on every thread (a row each), allocating nothing. */
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

/* Append n blocks of len values, from dv, or widened from fv when dv is NULL (amg.precision
 * single): the values one process reads (mf_amg_block_of). */
static mf_status put_blocks(stream *s, const double *dv, const float *fv, mf_nnz k0, mf_nnz n, int len) {
  if (dv || (s->fixed && !s->v)) return put_n(s, dv ? &dv[(size_t)len * k0] : NULL, n * len);
  double buf[MF_AMG_MODES * MF_AMG_MODES];
  for (mf_nnz k = k0; k < k0 + n; k++) MF_CALL(put_n(s, mf_amg_block_of(dv, fv, (size_t)k, (size_t)len, buf), len));
  return MF_OK;
}


/* The length of local row i's P row: an owned row's from lv->P, a ghost row's from
 * ghost_len (n_ghost; may be NULL for owned rows). */
static mf_nnz p_len(const mf_amg_level *lv, const mf_nnz *ghost_len, mf_idx i) {
  if (i >= lv->n) return ghost_len[i - lv->n];
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
  return put_blocks(s, lv->P.val, lv->P.valf, q0, len, pb);
}

/* The ghost rows' P rows, where the exchange space receives them (step 1 below). */
typedef struct {
  mf_nnz *sptr, *rptr; /* nb + 1: each neighbour's rows, sent and received */
  mf_nnz *off, *len;   /* n_ghost: each ghost's row in the received rows, its length */
} ghost_rows;

/* Append local row i's P record to s; a ghost row's as received into gv (NULL while only
 * counting: the rows need not be there yet). */
static mf_status put_p(stream *s, const mf_amg_level *lv, const ghost_rows *G, const double *gv, mf_idx i) {
  const int pb = lv->bs * MF_AMG_MODES;
  const mf_nnz len = p_len(lv, G->len, i);
  MF_CALL(put(s, (double)mf_amg_key(lv, i)));
  MF_CALL(put(s, (double)len));
  if (i >= lv->n) return put_n(s, s->v ? &gv[G->off[i - lv->n]] : NULL, len * (2 + pb));
  return put_p_owned(s, lv, i);
}

/* Append owned row i's A record to s. */
static mf_status put_a(stream *s, const mf_amg_level *lv, mf_idx i) {
  const mf_bcsr *A = lv->A;
  const mf_nnz p0 = A->row_ptr[i], len = A->row_ptr[i + 1] - p0;
  MF_CALL(put(s, (double)mf_amg_key(lv, i)));
  MF_CALL(put(s, (double)len));
  for (mf_nnz p = p0; p < p0 + len; p++) MF_CALL(put(s, (double)mf_amg_key(lv, A->col[p])));
  return put_blocks(s, lv->af ? NULL : A->val, lv->af, p0, len, A->bs2);
}

/* 1. The P rows of the ghost rows, from their owners. Their lengths are exchanged once
 * (ghost_p_lengths); every product then writes the rows sent into the exchange space's
 * send buffer and receives them at the start of its receive buffer, where they stay, in
 * the halo's order, while the product reads them: no level keeps a copy of its own. */
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
  stream out = {send, 0, G->sptr[nb], 1};
  for (mf_nnz q = 0; q < h->send_ptr[nb]; q++) MF_CALL(put_p_owned(&out, lv, h->send[q]));
  MF_CHECK(out.n == out.cap, MF_ERR_INTERNAL, "galerkin ghost P rows: %lld values, counted %lld", (long long)out.n,
           (long long)out.cap);
  return mf_comm_exchange(h->comm, nb, h->neighbours, send, G->sptr, recv, G->rptr);
}

/* A received record: its blocks' offset in the exchange space's receive buffer (a
 * product writes them to the same places each time, and the buffer may move when a later
 * level's first product grows it: offsets, not pointers) and its number of blocks. */
typedef struct {
  mf_nnz off, len;
} rec;

/* A received record while the first product indexes them: its key and where it starts
 * in the receive buffer (key, len, then len column keys or (coarse key, rank) pairs). */
typedef struct {
  uint64_t key;
  mf_nnz at;
} found;

/* The received records of one kind (0: A, 1: P), sorted by key, duplicates (a P row sent
 * by two processes: the same bits) dropped. The streams (each [na, np, A records, P
 * records]) are x[base + rptr[k] .. base + rptr[k + 1]). */
static mf_status list_received(const double *x, mf_nnz base, const mf_nnz *rptr, int nr, int kind, int bs2, int pb,
                               found **out, mf_nnz *n_out) {
  mf_nnz n = 0;
  *out = NULL;
  for (int pass = 0; pass < 2; pass++) {
    n = 0;
    for (int k = 0; k < nr; k++) {
      if (rptr[k + 1] == rptr[k]) continue;
      mf_nnz at = base + rptr[k] + 2;
      const mf_nnz na = (mf_nnz)x[at - 2], np = (mf_nnz)x[at - 1], end = base + rptr[k + 1];
      for (mf_nnz r = 0; r < na + np; r++) {
        MF_CHECK(at + 2 <= end, MF_ERR_INTERNAL, "multigrid across processes: a Galerkin record stream ends early");
        const mf_nnz l = (mf_nnz)x[at + 1];
        const int is_p = r >= na;
        if (is_p == kind) {
          if (pass) (*out)[n] = (found){(uint64_t)x[at], at};
          n++;
        }
        at += 2 + (is_p ? l * (2 + pb) : l * (1 + bs2));
      }
      MF_CHECK(at == end, MF_ERR_INTERNAL, "multigrid across processes: a Galerkin record stream does not add up");
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

/* The stream for rank o: the A records of the owned rows whose P row has a coarse column
 * o owns, and the P records of their columns, once, but for the rows o holds itself:
 * its own rows and its ghost rows this process owns (o reads those where it keeps them). */
static mf_status make_stream(const mf_amg_level *lv, const ghost_rows *G, const double *gv, int o, int32_t *stamp,
                             stream *s) {
  const mf_bcsr *A = lv->A;
  const mf_halo *h = lv->halo;
  const int me = h->comm->rank;
  mf_nnz na = 0, np = 0;
  MF_CALL(put(s, 0.0));
  MF_CALL(put(s, 0.0));
  for (int j = 0; j < h->n_neighbours; j++) /* marked as sent already */
    if (h->neighbours[j] == o) {
      for (mf_nnz q = h->send_ptr[j]; q < h->send_ptr[j + 1]; q++) stamp[h->send[q]] = o;
      for (mf_nnz q = h->recv_ptr[j]; q < h->recv_ptr[j + 1]; q++) stamp[h->recv[q]] = o;
    }
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
          MF_CALL(put_p(s, lv, G, gv, k));
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
      (st = lv->P.valf ? MF_ALLOC_N(next->af, (size_t)M2 * nnzb + 1, "coarse matrix values (float)")
                       : MF_ALLOC_N(Ac->val, (size_t)M2 * nnzb + 1, "coarse matrix values")))
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
 * (the records sit at the same places of the same streams, whose room is kept), and
 * each coarse row's columns. This process's own rows are read where the level keeps
 * them, through its local numbering: only the records received are indexed. */
struct mf_amg_galerkin_plan {
  ghost_rows gr;
  int R, nr;
  mf_nnz *len_of;            /* R: the size of the stream to each rank (counted first) */
  uint8_t *dest;             /* R: whether a stream goes there */
  int32_t *stamp, *ranks;
  mf_nnz *sptr, *rptr;       /* the streams sent (one at a time) and received (side by
                                side, after the ghost P rows: streams_at) in the exchange
                                space (lv->xspace) while this level's product runs */
  /* A rows: an owned row is lv->A's; received ones ra[a], with their own P record (ra_p)
   * and their columns' (ra_pk from ra_ptr) */
  rec *ra;
  mf_nnz nra, *ra_p, *ra_ptr, *ra_pk;
  /* P records: r < n owned row r (lv->P), n <= r < nl ghost row r (received at the
   * start of the space), r >= nl received rp[r - nl] (n = lv->n, nl = n + lv->n_ghost).
   * Their coarse columns as indices into cc: an owned row's through cmap, the others'
   * from p_u[p_ptr[r - n]] */
  rec *rp;
  mf_nnz nrp, *p_ptr, *p_u;
  mf_nnz *cmap;              /* nc + nc_ghost: each local coarse column's index in cc */
  mf_amg_keyed *cc;          /* the coarse columns of every P record, by key */
  mf_nnz ncc;
  /* the restriction's received terms (lv->rt_row = -1 - k): term k's A row and its block
   * in that row's P record. With the owned rows' terms, lv->rt_* list each coarse row's
   * fine rows in ascending key: the order of the sums. */
  mf_nnz n_terms, *term_a, *term_pos;
  struct scratch *sc;        /* per thread: a coarse row's work arrays */
  int n_sc;
  mf_nnz width, acr_width;   /* a row's most fine columns (a bound until the first product
                                counts them) and coarse columns */
  mf_nnz width_found;        /* the most fine columns the first product met in a row */
  mf_nnz *c_ptr;             /* nc + 1: each coarse row's columns ... */
  stream cu;                 /*   as indices into cc, ascending key */
};

/* Where the streams are received: after the ghost P rows. */
static inline mf_nnz streams_at(const mf_amg_level *lv, const struct mf_amg_galerkin_plan *g) {
  return g->gr.rptr[lv->halo->n_neighbours];
}

/* P record r's length, blocks and coarse column q (an index into cc). */
static inline mf_nnz prec_len(const mf_amg_level *lv, const struct mf_amg_galerkin_plan *g, mf_nnz r) {
  const mf_idx nl = lv->n + lv->n_ghost;
  return r < nl ? p_len(lv, g->gr.len, (mf_idx)r) : g->rp[r - nl].len;
}

/* P record r's blocks, found once per row: an owned row's as lv->P keeps them (dv, or fv
 * in float), a received one's where they arrived; block q is prow_block(&row, q, ...). */
typedef struct {
  const double *dv;
  const float *fv;
  size_t k0; /* the row's first block */
} prow;

static inline prow prec_row(const mf_amg_level *lv, const struct mf_amg_galerkin_plan *g, mf_nnz r) {
  const mf_idx n = lv->n, nl = n + lv->n_ghost;
  const double *x = lv->xspace->recv;
  if (r < n) return (prow){lv->P.val, lv->P.valf, (size_t)lv->P.row_ptr[lv->P.slot[r]]};
  if (r < nl) return (prow){&x[g->gr.off[r - n] + 2 * g->gr.len[r - n]], NULL, 0};
  return (prow){&x[g->rp[r - nl].off], NULL, 0};
}

/* Block q of a P record's row (pb values), through buf when in float. */
static inline const double *prow_block(const prow *w, mf_nnz q, int pb, double *buf) {
  return mf_amg_block_of(w->dv, w->fv, w->k0 + (size_t)q, (size_t)pb, buf);
}

static inline mf_nnz prec_col(const mf_amg_level *lv, const struct mf_amg_galerkin_plan *g, mf_nnz r, mf_nnz q) {
  if (r < lv->n) return g->cmap[lv->P.col[lv->P.row_ptr[lv->P.slot[r]] + q]];
  return g->p_u[g->p_ptr[r - lv->n] + q];
}

/* A local row's key and its index, to find the P records this process holds itself. */
typedef struct {
  uint64_t key;
  mf_idx row;
} local_key;

/* The P record of fine row `key`: a local row's (lk: nl of them), else a received
 * one's; -1 if none. */
static mf_nnz prec_of(const struct mf_amg_galerkin_plan *g, const local_key *lk, mf_idx nl, const found *fp,
                      uint64_t key) {
  const mf_nnz l = mf_amg_find_key(lk, sizeof *lk, nl, key);
  if (l >= 0) return lk[l].row;
  const mf_nnz r = mf_amg_find_key(fp, sizeof *fp, g->nrp, key);
  return r < 0 ? -1 : nl + r;
}

/* Coarse column (key, rank) into cc's list (counting when cc is NULL). */
static void add_coarse(mf_amg_keyed *cc, mf_nnz *n, uint64_t key, int32_t rank) {
  if (cc) cc[*n] = (mf_amg_keyed){key, rank};
  (*n)++;
}

/* The coarse columns: every local one and those of the ghost and received P records. */
static mf_status index_coarse(const mf_amg_level *lv, struct mf_amg_galerkin_plan *g, const found *fp) {
  const int me = lv->halo->comm->rank;
  const mf_idx ncl = lv->nc + lv->nc_ghost;
  const double *x = lv->xspace->recv;
  const mf_nnz nx = lv->n_ghost + g->nrp;
  MF_CALL(MF_CALLOC_N(g->p_ptr, (size_t)nx + 1, "galerkin P columns"));
  for (mf_idx gh = 0; gh < lv->n_ghost; gh++) g->p_ptr[gh + 1] = g->p_ptr[gh] + g->gr.len[gh];
  for (mf_nnz r = 0; r < g->nrp; r++) g->p_ptr[lv->n_ghost + r + 1] = g->p_ptr[lv->n_ghost + r] + g->rp[r].len;
  /* where record x's (coarse key, rank) pairs start */
#define PAIRS(xi) ((xi) < lv->n_ghost ? g->gr.off[(xi)] : fp[(xi) - lv->n_ghost].at + 2)
  for (int pass = 0; pass < 2; pass++) {
    g->ncc = 0;
    for (mf_idx J = 0; J < ncl; J++)
      add_coarse(g->cc, &g->ncc, mf_amg_coarse_key(lv, J), J < lv->nc ? me : lv->cg_rank[J - lv->nc]);
    for (mf_nnz xi = 0; xi < nx; xi++)
      for (mf_nnz q = 0; q < g->p_ptr[xi + 1] - g->p_ptr[xi]; q++)
        add_coarse(g->cc, &g->ncc, (uint64_t)x[PAIRS(xi) + 2 * q], (int32_t)x[PAIRS(xi) + 2 * q + 1]);
    if (!pass) MF_CALL(MF_ALLOC_N(g->cc, (size_t)g->ncc + 1, "galerkin coarse columns"));
  }
  qsort(g->cc, (size_t)g->ncc, sizeof *g->cc, mf_amg_cmp_key);
  mf_nnz u = 0;
  for (mf_nnz q = 0; q < g->ncc; q++)
    if (u == 0 || g->cc[q].key != g->cc[u - 1].key) g->cc[u++] = g->cc[q];
  g->ncc = u;
  MF_CALL(MF_ALLOC_N(g->cmap, (size_t)ncl + 1, "galerkin coarse map"));
  MF_CALL(MF_ALLOC_N(g->p_u, (size_t)g->p_ptr[nx] + 1, "galerkin P columns"));
  for (mf_idx J = 0; J < ncl; J++) g->cmap[J] = mf_amg_find_key(g->cc, sizeof *g->cc, g->ncc, mf_amg_coarse_key(lv, J));
  for (mf_nnz xi = 0; xi < nx; xi++)
    for (mf_nnz q = 0; q < g->p_ptr[xi + 1] - g->p_ptr[xi]; q++)
      g->p_u[g->p_ptr[xi] + q] = mf_amg_find_key(g->cc, sizeof *g->cc, g->ncc, (uint64_t)x[PAIRS(xi) + 2 * q]);
#undef PAIRS
  return MF_OK;
}

/* Each received restriction term's A row and P block: the received A rows with a coarse
 * column owned here, listed per coarse row in ascending key, are matched in turn with
 * that row's received terms (lv->rt_row < 0), whose places among the owned rows' terms
 * are in ascending key too; the keys are checked to ascend. */
static mf_status index_terms(const mf_amg_level *lv, struct mf_amg_galerkin_plan *g, const found *fa) {
  const int me = lv->halo->comm->rank;
  const mf_idx nc = lv->nc;
  mf_nnz *b_ptr = NULL, *b_a = NULL, *b_q = NULL;
  mf_status st = MF_OK;
  g->n_terms = 0;
  for (mf_nnz t = 0; t < lv->rt_ptr[nc]; t++)
    if (lv->rt_row[t] < 0 && -1 - (mf_nnz)lv->rt_row[t] >= g->n_terms) g->n_terms = -(mf_nnz)lv->rt_row[t];
  if ((st = MF_ALLOC_N(g->term_a, (size_t)g->n_terms + 1, "galerkin terms")) ||
      (st = MF_ALLOC_N(g->term_pos, (size_t)g->n_terms + 1, "galerkin terms")) ||
      (st = MF_CALLOC_N(b_ptr, (size_t)nc + 2, "galerkin term lists")))
    goto done;
  for (int pass = 0; pass < 2; pass++) {
    for (mf_nnz a = 0; a < g->nra; a++) {
      const mf_nnz r = g->ra_p[a];
      for (mf_nnz q = 0; q < prec_len(lv, g, r); q++) {
        const mf_amg_keyed *c = &g->cc[prec_col(lv, g, r, q)];
        if (c->rank != me) continue;
        const mf_idx I = mf_amg_owned_root(lv, c->key);
        if (I < 0) {
          st = MF_ERROR(MF_ERR_INTERNAL, "multigrid across processes: coarse row %llu is not owned",
                        (unsigned long long)c->key);
          goto done;
        }
        if (!pass) {
          b_ptr[I + 2]++;
        } else {
          b_a[b_ptr[I + 1]] = a;
          b_q[b_ptr[I + 1]++] = q;
        }
      }
    }
    if (!pass) {
      for (mf_idx I = 0; I < nc; I++) b_ptr[I + 2] += b_ptr[I + 1];
      if ((st = MF_ALLOC_N(b_a, (size_t)b_ptr[nc + 1] + 1, "galerkin term lists")) ||
          (st = MF_ALLOC_N(b_q, (size_t)b_ptr[nc + 1] + 1, "galerkin term lists")))
        goto done;
    }
  }
  for (mf_idx I = 0; I < nc; I++) { /* b_ptr[I] .. b_ptr[I + 1]: row I's received A rows */
    mf_nnz j = b_ptr[I];
    int ok = 1;
    uint64_t last = 0;
    for (mf_nnz t = lv->rt_ptr[I]; t < lv->rt_ptr[I + 1] && ok; t++) {
      uint64_t key;
      if (lv->rt_row[t] >= 0) {
        key = mf_amg_key(lv, lv->rt_row[t]);
      } else if ((ok = j < b_ptr[I + 1])) {
        const mf_nnz k = -1 - (mf_nnz)lv->rt_row[t];
        g->term_a[k] = b_a[j], g->term_pos[k] = b_q[j];
        key = fa[b_a[j++]].key;
      } else {
        break;
      }
      ok = t == lv->rt_ptr[I] || key > last;
      last = key;
    }
    if (!ok || j != b_ptr[I + 1]) {
      st = MF_ERROR(MF_ERR_INTERNAL, "multigrid across processes: coarse row %lld's received A rows do not match "
                    "its restriction terms", (long long)I);
      goto done;
    }
  }
done:
  mf_free(&b_ptr), mf_free(&b_a), mf_free(&b_q);
  return st;
}

/* The received records indexed (their local rows' P records found through the local
 * keys), the coarse columns, the terms; the summation's work arrays. */
static mf_status index_all(const mf_amg_level *lv, struct mf_amg_galerkin_plan *g) {
  const int bs = lv->bs, pb = bs * MF_AMG_MODES;
  const mf_idx nc = lv->nc, nl = lv->n + lv->n_ghost;
  const double *x = lv->xspace->recv;
  found *fa = NULL, *fp = NULL;
  local_key *lk = NULL;
  mf_nnz nfa = 0, nfp = 0;
  mf_status st;
  if ((st = list_received(x, streams_at(lv, g), g->rptr, g->nr, 0, bs * bs, pb, &fa, &nfa)) ||
      (st = list_received(x, streams_at(lv, g), g->rptr, g->nr, 1, bs * bs, pb, &fp, &nfp)) ||
      (st = MF_ALLOC_N(lk, (size_t)nl + 1, "galerkin local keys")))
    goto done;
  for (mf_idx i = 0; i < nl; i++) lk[i] = (local_key){mf_amg_key(lv, i), i};
  qsort(lk, (size_t)nl, sizeof *lk, mf_amg_cmp_key);
  /* received P records of rows held here are the same bits: the local ones are read */
  g->nrp = 0;
  for (mf_nnz r = 0; r < nfp; r++)
    if (mf_amg_find_key(lk, sizeof *lk, nl, fp[r].key) < 0) fp[g->nrp++] = fp[r];
  if ((st = MF_ALLOC_N(g->rp, (size_t)g->nrp + 1, "galerkin P records"))) goto done;
  for (mf_nnz r = 0; r < g->nrp; r++) {
    const mf_nnz len = (mf_nnz)x[fp[r].at + 1];
    g->rp[r] = (rec){fp[r].at + 2 + 2 * len, len};
  }
  g->nra = nfa;
  if ((st = MF_ALLOC_N(g->ra, (size_t)nfa + 1, "galerkin A records")) ||
      (st = MF_ALLOC_N(g->ra_p, (size_t)nfa + 1, "galerkin A rows' P rows")) ||
      (st = MF_CALLOC_N(g->ra_ptr, (size_t)nfa + 1, "galerkin A columns")))
    goto done;
  for (mf_nnz a = 0; a < nfa; a++) {
    const mf_nnz len = (mf_nnz)x[fa[a].at + 1];
    g->ra[a] = (rec){fa[a].at + 2 + len, len};
    g->ra_ptr[a + 1] = g->ra_ptr[a] + len;
  }
  if ((st = MF_ALLOC_N(g->ra_pk, (size_t)g->ra_ptr[nfa] + 1, "galerkin A columns"))) goto done;
  for (mf_nnz a = 0; a < nfa && !st; a++) {
    g->ra_p[a] = prec_of(g, lk, nl, fp, fa[a].key);
    if (g->ra_p[a] < 0)
      st = MF_ERROR(MF_ERR_INTERNAL, "multigrid across processes: no P row for fine row %llu",
                    (unsigned long long)fa[a].key);
    for (mf_nnz b = 0; b < g->ra[a].len && !st; b++) {
      const double kb = x[fa[a].at + 2 + b];
      g->ra_pk[g->ra_ptr[a] + b] = prec_of(g, lk, nl, fp, (uint64_t)kb);
      if (g->ra_pk[g->ra_ptr[a] + b] < 0)
        st = MF_ERROR(MF_ERR_INTERNAL, "multigrid across processes: no P row for fine column %.17g", kb);
    }
  }
  if (st || (st = index_coarse(lv, g, fp)) || (st = index_terms(lv, g, fa))) goto done;
  mf_nnz width = 1;
  for (mf_idx I = 0; I < nc; I++) {
    mf_nnz w = 0;
    for (mf_nnz t = lv->rt_ptr[I]; t < lv->rt_ptr[I + 1]; t++) {
      const mf_idx i = lv->rt_row[t];
      w += i >= 0 ? lv->A->row_ptr[i + 1] - lv->A->row_ptr[i] : g->ra[g->term_a[-1 - (mf_nnz)i]].len;
    }
    width = w > width ? w : width;
  }
  g->width = width;
  if ((st = MF_CALLOC_N(g->sc, 1, "galerkin work arrays"))) goto done;
  g->n_sc = 1;
  /* the first product's symbolic pass lists a row's fine columns only: their blocks
   * (pb doubles each) are made after it, at the width it met */
  if ((st = scratch_alloc(&g->sc[0], nl + g->nrp, g->ncc, width, 0, 0)) ||
      (st = MF_CALLOC_N(g->c_ptr, (size_t)nc + 1, "coarse row offsets")))
    goto done;
done:
  mf_free(&fa), mf_free(&fp), mf_free(&lk);
  return st;
}

/* Coarse row I as one process sums it, into ws->acr (its columns: g->cu from c_ptr[I]).
 * first: only find those columns (the first product's symbolic pass). */
static mf_status coarse_row(const mf_amg_level *lv, struct mf_amg_galerkin_plan *g, struct scratch *ws, mf_idx I,
                            int first, mf_nnz *rl_out) {
  const int bs = lv->bs, M = MF_AMG_MODES, bs2 = bs * bs, pb = bs * M, M2 = M * M;
  const mf_bcsr *A = lv->A;
  const double *x = lv->xspace->recv;
  mf_nnz w = 0;
  for (mf_nnz t = lv->rt_ptr[I]; t < lv->rt_ptr[I + 1]; t++) { /* (R A)_I, fine rows in ascending key */
    mf_nnz alen, p0 = 0;
    const double *Av = NULL, *Pi;
    double pbuf[6 * MF_AMG_MODES], abuf[MF_AMG_MODES * MF_AMG_MODES];
    const mf_idx *lcol = NULL; /* an owned row's columns: local rows, so their P records */
    const mf_nnz *rcol = NULL; /* a received row's: P records found by key */
    if (lv->rt_row[t] >= 0) { /* an owned row: its blocks as the level keeps them */
      const mf_idx i = lv->rt_row[t];
      p0 = A->row_ptr[i];
      alen = A->row_ptr[i + 1] - p0, lcol = &A->col[p0];
      Pi = mf_amg_pblock(&lv->P, lv->rt_pos[t], pb, pbuf);
    } else {
      const mf_nnz k = -1 - (mf_nnz)lv->rt_row[t], a = g->term_a[k];
      alen = g->ra[a].len, Av = &x[g->ra[a].off], rcol = &g->ra_pk[g->ra_ptr[a]];
      const prow pr = prec_row(lv, g, g->ra_p[a]);
      Pi = prow_block(&pr, g->term_pos[k], pb, pbuf);
    }
    for (mf_nnz b = 0; b < alen; b++) {
      const mf_nnz pk = lcol ? (mf_nnz)lcol[b] : rcol[b];
      if (prec_len(lv, g, pk) == 0) continue; /* no coarse column: adds nothing */
      if (ws->slot_of[pk] < 0) {
        ws->slot_of[pk] = w;
        ws->rac[w] = pk;
        if (!first)
          for (int z = 0; z < pb; z++) ws->rav[(size_t)pb * w + z] = 0.0;
        w++;
      }
      if (first) continue; /* the columns only */
      const double *Aik = Av ? &Av[(size_t)bs2 * b] : mf_amg_stored_block(lv, p0 + b, abuf);
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
      for (mf_nnz q = 0; q < prec_len(lv, g, ws->rac[z]); q++) {
        const mf_nnz u = prec_col(lv, g, ws->rac[z], q);
        if (ws->pos[u] >= 0) continue;
        ws->pos[u] = 0;
        MF_CALL(put(&g->cu, (double)u));
        rl++;
      }
    }
    double *cu = &g->cu.v[row0];
    for (mf_nnz q = 1; q < rl; q++) { /* insertion sort: rows are short */
      double v = cu[q];
      mf_nnz z = q;
      for (; z > 0 && cu[z - 1] > v; z--) cu[z] = cu[z - 1];
      cu[z] = v;
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
    const mf_nnz r = ws->rac[z], plen = prec_len(lv, g, r);
    const double *ra = &ws->rav[(size_t)pb * z];
    const prow pr = prec_row(lv, g, r);
    ws->slot_of[r] = -1;
    for (mf_nnz q = 0; q < plen; q++) {
      double pbuf[6 * MF_AMG_MODES];
      const double *Pkq = prow_block(&pr, q, pb, pbuf);
      double *blk = &ws->acr[(size_t)M2 * ws->pos[prec_col(lv, g, r, q)]];
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

/* Room in the exchange space for a level's ghost P rows and streams (its first product):
 * the ghost rows and then each stream in turn are sent from the same place, so it holds
 * the largest of them; all are received side by side. What the space holds is dead
 * between products, so a larger buffer replaces the old one. */
static mf_status space_take(const mf_amg_level *lv, const struct mf_amg_galerkin_plan *g) {
  mf_amg_exchange_space *x = lv->xspace;
  MF_CHECK(x, MF_ERR_INTERNAL, "galerkin records: no exchange space");
  mf_nnz ns = g->gr.sptr[lv->halo->n_neighbours];
  for (int k = 0; k < g->nr; k++) ns = g->sptr[k + 1] - g->sptr[k] > ns ? g->sptr[k + 1] - g->sptr[k] : ns;
  const mf_nnz nr = streams_at(lv, g) + g->rptr[g->nr];
  if (ns > x->send_cap) {
    mf_free(&x->send);
    x->send_cap = 0;
    MF_CALL(MF_ALLOC_N(x->send, (size_t)ns + 1, "galerkin records sent"));
    x->send_cap = ns;
  }
  if (nr > x->recv_cap) {
    mf_free(&x->recv);
    x->recv_cap = 0;
    MF_CALL(MF_ALLOC_N(x->recv, (size_t)nr + 1, "galerkin records received"));
    x->recv_cap = nr;
  }
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
  MF_CHECK(!lv->A->symmetric, MF_ERR_INPUT, "multigrid across processes: symmetric levels are not supported yet");
  MF_CHECK(lv->rt_ptr, MF_ERR_INTERNAL, "galerkin across processes before the restriction's lists");
  struct mf_amg_galerkin_plan *g = lv->gplan;
  const int first = g == NULL;
  if (first) {
    MF_CALL(MF_CALLOC_N(g, 1, "galerkin plan"));
    lv->gplan = g;
    g->R = R;
    MF_CALL(MF_CALLOC_N(g->len_of, (size_t)R, "galerkin stream sizes"));
    MF_CALL(MF_ALLOC_N(g->stamp, (size_t)nl + 1, "marks"));
    MF_CALL(MF_CALLOC_N(g->dest, (size_t)R, "galerkin destinations"));
    for (mf_idx c = 0; c < lv->nc_ghost; c++) g->dest[lv->cg_rank[c]] = 1;
    MF_CALL(ghost_p_lengths(lv, &g->gr));
  }
  /* 2. a stream per rank that owns a coarse column of an owned P row. The first product
   * counts them (the ghost P rows' lengths are all that takes), then every later one
   * writes the same records at the same places of buffers made to size: no doubling
   * room, and the streams sent are written where the exchange sends them from, not
   * copied there. */
  if (first) {
    for (mf_idx i = 0; i < nl; i++) g->stamp[i] = -1;
    for (int o = 0; o < R; o++)
      if (g->dest[o]) {
        stream count = {NULL, 0, 0, 1};
        MF_CALL(make_stream(lv, &g->gr, NULL, o, g->stamp, &count));
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
      st = space_take(lv, g);
    }
    mf_free(&cnt), mf_free(&rcnt);
    MF_CALL(st);
  }
  mf_amg_exchange_space *x = lv->xspace;
  MF_CALL(ghost_p_rows(lv, &g->gr, x->send, x->recv));
  for (mf_idx i = 0; i < nl; i++) g->stamp[i] = -1;
  /* the streams: every receive posted first, then each stream written and sent in turn
   * from the same place (a send returns when the place may be written again) */
  MF_CALL(comm->ops->exchange_begin(comm, g->nr, g->ranks, NULL, NULL, &x->recv[streams_at(lv, g)], g->rptr));
  for (int k = 0; k < g->nr; k++) {
    const int o = g->ranks[k];
    const mf_nnz ns = g->sptr[k + 1] - g->sptr[k];
    if (!ns) continue; /* a rank that only sends to this one */
    stream to = {x->send, 0, ns, 1};
    MF_CALL(make_stream(lv, &g->gr, x->recv, o, g->stamp, &to));
    MF_CHECK(to.n == to.cap, MF_ERR_INTERNAL, "galerkin records: %lld values for rank %d, counted %lld",
             (long long)to.n, o, (long long)to.cap);
    MF_CALL(comm->ops->send(comm, o, x->send, ns));
  }
  MF_CALL(comm->ops->exchange_end(comm));
  /* 3. the records received indexed by key (once: later products find them at the same
   * places) */
  if (first) MF_CALL(index_all(lv, g));
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
        st = scratch_alloc(&g->sc[t], nl + g->nrp, g->ncc, g->width, lv->bs * MF_AMG_MODES, g->acr_width);
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
      const size_t row0 = (size_t)M2 * g->c_ptr[I];
      if (next->af) /* amg.precision single: the row, summed in double, stored once */
        for (size_t e = 0; e < (size_t)rl * M2; e++) next->af[row0 + e] = (float)ws->acr[e];
      else
        memcpy(&Ac->val[row0], ws->acr, (size_t)rl * M2 * sizeof *Ac->val);
      for (int k = 0; k < MF_AMG_MODES; k++)
        if (lv->dropped[(size_t)MF_AMG_MODES * I + k]) {
          const size_t e = (size_t)M2 * Ac->diag[I] + (MF_AMG_MODES + 1) * k;
          if (next->af) next->af[e] = 1.0f;
          else Ac->val[e] = 1.0;
        }
    }
  }
  return MF_OK;
}

size_t mf_amg_galerkin_span_bytes(const mf_amg_level *lv) {
  const struct mf_amg_galerkin_plan *g = lv->gplan;
  if (!g) return 0;
  const size_t d = sizeof(double), z = sizeof(mf_nnz);
  const int nb = lv->halo->n_neighbours, pb = lv->bs * MF_AMG_MODES;
  const mf_idx nl = lv->n + lv->n_ghost;
  size_t b = (size_t)(2 * (nb + 1) + 2 * lv->n_ghost) * z;                        /* the ghost P rows' offsets */
  b += (size_t)nl * sizeof(int32_t) + (size_t)g->R * (z + 1) + (size_t)2 * (g->nr + 1) * z; /* streams */
  b += (size_t)g->nra * (sizeof(rec) + 2 * z) + (size_t)(g->ra_ptr[g->nra] + 1) * z; /* received A rows */
  b += (size_t)g->nrp * sizeof(rec) + (size_t)(lv->n_ghost + g->nrp + 1 + g->p_ptr[lv->n_ghost + g->nrp]) * z;
  b += (size_t)(lv->nc + lv->nc_ghost) * z + (size_t)g->ncc * sizeof(mf_amg_keyed); /* coarse columns */
  b += (size_t)2 * g->n_terms * z;
  b += (size_t)(lv->nc + 1) * z + (size_t)g->cu.cap * d;                           /* coarse rows' columns */
  b += (size_t)g->n_sc * ((size_t)(nl + g->nrp + g->ncc + g->width) * z +       /* work arrays */
                          ((size_t)g->width * pb + (size_t)g->acr_width * MF_AMG_MODES * MF_AMG_MODES) * d);
  return b;
}

void mf_amg_galerkin_span_free(mf_amg_level *lv) {
  struct mf_amg_galerkin_plan *g = lv->gplan;
  if (!g) return;
  mf_free(&g->gr.sptr), mf_free(&g->gr.rptr), mf_free(&g->gr.off), mf_free(&g->gr.len);
  mf_free(&g->len_of), mf_free(&g->dest), mf_free(&g->stamp), mf_free(&g->ranks);
  mf_free(&g->sptr), mf_free(&g->rptr);
  mf_free(&g->ra), mf_free(&g->ra_p), mf_free(&g->ra_ptr), mf_free(&g->ra_pk);
  mf_free(&g->rp), mf_free(&g->p_ptr), mf_free(&g->p_u), mf_free(&g->cmap), mf_free(&g->cc);
  mf_free(&g->term_a), mf_free(&g->term_pos);
  for (int t = 0; g->sc && t < g->n_sc; t++) {
    struct scratch *w = &g->sc[t];
    mf_free(&w->slot_of), mf_free(&w->rac), mf_free(&w->pos), mf_free(&w->rav), mf_free(&w->acr);
  }
  mf_free(&g->sc), mf_free(&g->c_ptr), mf_free(&g->cu.v);
  mf_free(&lv->gplan);
}
