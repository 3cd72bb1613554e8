/* The ghost exchange (see mf_halo.h). */
#include "la/mf_halo.h"

#include <string.h>

#include "mem/mf_alloc.h"

/* A halo of bs values per node from node lists: per neighbour k, send[send_ptr[k] / div
 * .. send_ptr[k + 1] / div) and likewise recv (div: the values per node the offsets
 * count). */
static mf_status make(mf_comm *comm, int bs, mf_idx n_owned, mf_idx n_ghost, int n, const int32_t *neighbours,
                      const mf_nnz *send_ptr, const mf_nnz *recv_ptr, int div, const mf_idx *send, const mf_idx *recv,
                      mf_halo **out) {
  *out = NULL;
  MF_CHECK(bs >= 1, MF_ERR_INPUT, "ghost exchange: %d values per node", bs);
  const mf_nnz ns = send_ptr[n] / div, nr = recv_ptr[n] / div;
  mf_halo *h = NULL;
  mf_status st;
  if ((st = MF_CALLOC_N(h, 1, "ghost exchange")) || (st = MF_ALLOC_N(h->neighbours, (size_t)n + 1, "neighbours")) ||
      (st = MF_ALLOC_N(h->send_ptr, (size_t)n + 1, "send offsets")) ||
      (st = MF_ALLOC_N(h->recv_ptr, (size_t)n + 1, "recv offsets")) ||
      (st = MF_ALLOC_N(h->send, ns + 1, "send nodes")) || (st = MF_ALLOC_N(h->recv, nr + 1, "recv nodes")) ||
      (st = MF_ALLOC_N(h->send_buf, bs * ns + 1, "send buffer")) ||
      (st = MF_ALLOC_N(h->recv_buf, bs * nr + 1, "recv buffer"))) {
    mf_halo_destroy(&h);
    return st;
  }
  h->comm = comm;
  h->bs = bs;
  h->n_owned = n_owned;
  h->n_ghost = n_ghost;
  h->n_neighbours = n;
  memcpy(h->neighbours, neighbours, (size_t)n * sizeof *h->neighbours);
  for (int k = 0; k <= n; k++) h->send_ptr[k] = bs * (send_ptr[k] / div), h->recv_ptr[k] = bs * (recv_ptr[k] / div);
  memcpy(h->send, send, (size_t)ns * sizeof *h->send);
  memcpy(h->recv, recv, (size_t)nr * sizeof *h->recv);
  *out = h;
  return MF_OK;
}

mf_status mf_halo_create(mf_comm *comm, const mf_part *p, int bs, mf_halo **out) {
  *out = NULL;
  MF_CHECK(p->part == comm->rank && p->n_parts == comm->size, MF_ERR_INPUT,
           "ghost exchange: part %d of %d on rank %d of %d: one part per process, in rank order", p->part, p->n_parts,
           comm->rank, comm->size);
  return make(comm, bs, p->n_owned, p->n_ghost, p->n_neighbours, p->neighbours, p->send_ptr, p->recv_ptr, 1, p->send,
              p->recv, out);
}

mf_status mf_halo_check_part(mf_comm *comm, const mf_part *p) {
  const int R = comm->size, nb = p->n_neighbours;
  int64_t *sends = NULL, *got = NULL;
  double *ids = NULL, *theirs = NULL;
  int failed;
  mf_status st;
  if (!(st = MF_CALLOC_N(sends, (size_t)R, "exchange counts")) && !(st = MF_ALLOC_N(got, (size_t)R, "exchange counts")))
    for (int k = 0; k < nb; k++) sends[p->neighbours[k]] = p->send_ptr[k + 1] - p->send_ptr[k];
  if ((st = mf_comm_agree(comm, st, &failed)) || (st = comm->ops->alltoall_i64(comm, sends, got))) goto done;
  for (int k = 0; k < nb && !st; k++) /* got[q]: what q will send this part */
    if (got[p->neighbours[k]] != p->recv_ptr[k + 1] - p->recv_ptr[k])
      st = MF_ERROR(MF_ERR_INPUT, "rank %d sends %lld ghost values, this part expects %lld: the parts' exchange "
                    "lists disagree (a damaged mesh file?)", p->neighbours[k],
                    (long long)got[p->neighbours[k]], (long long)(p->recv_ptr[k + 1] - p->recv_ptr[k]));
  for (int q = 0, k = 0; q < R && !st; q++) { /* and a rank this part does not list sends it nothing */
    while (k < nb && p->neighbours[k] < q) k++;
    if (got[q] && (k == nb || p->neighbours[k] != q))
      st = MF_ERROR(MF_ERR_INPUT, "rank %d sends %lld ghost values this part does not expect: the parts' exchange "
                    "lists disagree (a damaged mesh file?)", q, (long long)got[q]);
  }
  if ((st = mf_comm_agree(comm, st, &failed))) goto done;
  /* the counts agree: the nodes' mesh numbers (below 2^31: exact as doubles) */
  if (!(st = MF_ALLOC_N(ids, (size_t)p->send_ptr[nb] + 1, "exchanged nodes")) &&
      !(st = MF_ALLOC_N(theirs, (size_t)p->recv_ptr[nb] + 1, "exchanged nodes"))) {
    for (mf_nnz i = 0; i < p->send_ptr[nb]; i++) ids[i] = (double)p->nodes[p->send[i]];
    st = mf_comm_exchange(comm, nb, p->neighbours, ids, p->send_ptr, theirs, p->recv_ptr);
  }
  for (mf_nnz i = 0; !st && i < p->recv_ptr[nb]; i++)
    if (theirs[i] != (double)p->nodes[p->recv[i]])
      st = MF_ERROR(MF_ERR_INPUT, "a neighbour sends node %.0f where this part expects node %lld: the parts' "
                    "exchange lists disagree (a damaged mesh file?)", theirs[i], (long long)p->nodes[p->recv[i]]);
done:
  mf_free(&sends);
  mf_free(&got);
  mf_free(&ids);
  mf_free(&theirs);
  return st;
}

mf_status mf_halo_create_from_owners(mf_comm *comm, mf_idx n_owned, mf_idx n_ghost, const int32_t *ghost_rank,
                                     const uint64_t *key, int bs, mf_halo **out) {
  *out = NULL;
  const int R = comm->size;
  int64_t *want = NULL, *asked = NULL;
  int32_t *nbr = NULL;
  mf_nnz *rptr = NULL, *sptr = NULL;
  mf_idx *recv = NULL, *send = NULL;
  double *rkeys = NULL, *skeys = NULL;
  mf_status st;
  if ((st = MF_CALLOC_N(want, (size_t)R, "halo requests")) || (st = MF_ALLOC_N(asked, (size_t)R, "halo requests")))
    goto done;
  for (mf_idx g = 0; g < n_ghost; g++) {
    MF_CHECK(ghost_rank[g] >= 0 && ghost_rank[g] < R && ghost_rank[g] != comm->rank, MF_ERR_INTERNAL,
             "ghost exchange: ghost %lld owned by rank %d", (long long)g, ghost_rank[g]);
    want[ghost_rank[g]]++;
  }
  if ((st = comm->ops->alltoall_i64(comm, want, asked))) goto done;
  int n = 0;
  for (int r = 0; r < R; r++) n += want[r] || asked[r];
  if ((st = MF_ALLOC_N(nbr, (size_t)n + 1, "neighbours")) || (st = MF_CALLOC_N(rptr, (size_t)n + 1, "recv offsets")) ||
      (st = MF_CALLOC_N(sptr, (size_t)n + 1, "send offsets")) ||
      (st = MF_ALLOC_N(recv, (size_t)n_ghost + 1, "recv nodes")))
    goto done;
  for (int r = 0, k = 0; r < R; r++)
    if (want[r] || asked[r]) {
      nbr[k] = r;
      rptr[k + 1] = rptr[k] + want[r];
      sptr[k + 1] = sptr[k] + asked[r];
      k++;
    }
  if ((st = MF_ALLOC_N(send, (size_t)sptr[n] + 1, "send nodes")) ||
      (st = MF_ALLOC_N(rkeys, (size_t)n_ghost + 1, "requested keys")) ||
      (st = MF_ALLOC_N(skeys, (size_t)sptr[n] + 1, "requested keys")))
    goto done;
  for (int k = 0; k < n; k++) { /* each owner's ghosts, ascending key (ghosts ascend) */
    mf_nnz at = rptr[k];
    for (mf_idx g = 0; g < n_ghost; g++)
      if (ghost_rank[g] == nbr[k]) recv[at] = n_owned + g, rkeys[at++] = (double)key[n_owned + g];
  }
  if ((st = mf_comm_exchange(comm, n, nbr, rkeys, rptr, skeys, sptr))) goto done;
  for (mf_nnz q = 0; q < sptr[n]; q++) { /* owned rows by key */
    const uint64_t k = (uint64_t)skeys[q];
    mf_idx lo = 0, hi = n_owned;
    while (lo < hi) {
      mf_idx mid = lo + (hi - lo) / 2;
      if (key[mid] < k) lo = mid + 1;
      else hi = mid;
    }
    if (lo == n_owned || key[lo] != k) {
      st = MF_ERROR(MF_ERR_INTERNAL, "ghost exchange: a process asks for row %llu, which this one does not own",
                    (unsigned long long)k);
      goto done;
    }
    send[q] = lo;
  }
  st = make(comm, bs, n_owned, n_ghost, n, nbr, sptr, rptr, 1, send, recv, out);
done:
  mf_free(&want), mf_free(&asked), mf_free(&nbr), mf_free(&rptr), mf_free(&sptr), mf_free(&recv), mf_free(&send);
  mf_free(&rkeys), mf_free(&skeys);
  return st;
}

mf_status mf_halo_create_like(const mf_halo *h, int bs, mf_halo **out) {
  return make(h->comm, bs, h->n_owned, h->n_ghost, h->n_neighbours, h->neighbours, h->send_ptr, h->recv_ptr, h->bs,
              h->send, h->recv, out);
}

/* Rows rows[0 .. n) of x, bs values each, packed into buf. */
static void gather(int bs, mf_nnz n, const mf_idx *rows, const double *x, double *buf) {
  for (mf_nnz k = 0; k < n; k++)
    for (int c = 0; c < bs; c++) buf[bs * k + c] = x[(mf_nnz)bs * rows[k] + c];
}

mf_status mf_halo_forward_begin(mf_halo *h, const double *x) {
  const int bs = h->bs, n = h->n_neighbours;
  gather(bs, h->send_ptr[n] / bs, h->send, x, h->send_buf);
  return h->comm->ops->exchange_begin(h->comm, n, h->neighbours, h->send_buf, h->send_ptr, h->recv_buf, h->recv_ptr);
}

mf_status mf_halo_forward_end(mf_halo *h, double *x) {
  const int bs = h->bs, n = h->n_neighbours;
  MF_CALL(h->comm->ops->exchange_end(h->comm));
  const mf_nnz nr = h->recv_ptr[n] / bs;
  for (mf_nnz k = 0; k < nr; k++)
    for (int c = 0; c < bs; c++) x[(mf_nnz)bs * h->recv[k] + c] = h->recv_buf[bs * k + c];
  return MF_OK;
}

mf_status mf_halo_forward(mf_halo *h, double *x) {
  MF_CALL(mf_halo_forward_begin(h, x));
  return mf_halo_forward_end(h, x);
}

mf_status mf_halo_reverse_add(mf_halo *h, double *x) {
  const int bs = h->bs, n = h->n_neighbours;
  /* the forward lists, read backwards: ghosts go out, owners' rows come in */
  gather(bs, h->recv_ptr[n] / bs, h->recv, x, h->recv_buf);
  MF_CALL(mf_comm_exchange(h->comm, n, h->neighbours, h->recv_buf, h->recv_ptr, h->send_buf, h->send_ptr));
  const mf_nnz ns = h->send_ptr[n] / bs;
  for (mf_nnz k = 0; k < ns; k++) /* neighbour by neighbour, ascending rank: a fixed order */
    for (int c = 0; c < bs; c++) x[(mf_nnz)bs * h->send[k] + c] += h->send_buf[bs * k + c];
  return MF_OK;
}

void mf_halo_destroy(mf_halo **hp) {
  mf_halo *h = *hp;
  if (!h) return;
  mf_free(&h->neighbours);
  mf_free(&h->send_ptr);
  mf_free(&h->recv_ptr);
  mf_free(&h->send);
  mf_free(&h->recv);
  mf_free(&h->send_buf);
  mf_free(&h->recv_buf);
  mf_free(hp);
}
