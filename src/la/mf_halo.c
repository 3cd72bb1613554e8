/* The ghost exchange (see mf_halo.h). */
#include "la/mf_halo.h"

#include <string.h>

#include "mem/mf_alloc.h"

mf_status mf_halo_create(mf_comm *comm, const mf_part *p, int bs, mf_halo **out) {
  *out = NULL;
  MF_CHECK(p->part == comm->rank && p->n_parts == comm->size, MF_ERR_INPUT,
           "ghost exchange: part %d of %d on rank %d of %d: one part per process, in rank order", p->part, p->n_parts,
           comm->rank, comm->size);
  MF_CHECK(bs >= 1, MF_ERR_INPUT, "ghost exchange: %d values per node", bs);
  const int n = p->n_neighbours;
  const mf_nnz ns = p->send_ptr[n], nr = p->recv_ptr[n];
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
  h->n_owned = p->n_owned;
  h->n_ghost = p->n_ghost;
  h->n_neighbours = n;
  memcpy(h->neighbours, p->neighbours, (size_t)n * sizeof *h->neighbours);
  for (int k = 0; k <= n; k++) h->send_ptr[k] = bs * p->send_ptr[k], h->recv_ptr[k] = bs * p->recv_ptr[k];
  memcpy(h->send, p->send, (size_t)ns * sizeof *h->send);
  memcpy(h->recv, p->recv, (size_t)nr * sizeof *h->recv);
  *out = h;
  return MF_OK;
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
