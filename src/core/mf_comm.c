/* The communicator of one process (see mf_comm.h). */
#include "core/mf_comm.h"

#include <stdlib.h>
#include <string.h>

static mf_status self_exchange(mf_comm *c, int n, const int32_t *ranks, const double *send, const mf_nnz *send_ptr,
                               double *recv, const mf_nnz *recv_ptr) {
  (void)c, (void)ranks, (void)send, (void)send_ptr, (void)recv, (void)recv_ptr;
  MF_CHECK(n == 0, MF_ERR_INTERNAL, "communicator self: an exchange with %d neighbours, but one process has none", n);
  return MF_OK;
}

static mf_status self_end(mf_comm *c) {
  (void)c;
  return MF_OK;
}

static mf_status self_reduce(mf_comm *c, int64_t *v, int n) {
  (void)c, (void)v, (void)n;
  return MF_OK;
}

static mf_status self_gather(mf_comm *c, const double *send, mf_nnz n, double *recv, const mf_nnz *recv_ptr) {
  (void)c;
  MF_CHECK(recv_ptr && recv_ptr[1] - recv_ptr[0] == n, MF_ERR_INTERNAL,
           "communicator self: a gather of %lld values into %lld", (long long)n,
           recv_ptr ? (long long)(recv_ptr[1] - recv_ptr[0]) : -1LL);
  if (n > 0 && recv + recv_ptr[0] != send) memcpy(recv + recv_ptr[0], send, (size_t)n * sizeof *send);
  return MF_OK;
}

static mf_status self_alltoall(mf_comm *c, const int64_t *send, int64_t *recv) {
  (void)c;
  recv[0] = send[0];
  return MF_OK;
}

static mf_status self_bcast(mf_comm *c, int32_t *v, mf_nnz n, int root) {
  (void)c, (void)v, (void)n;
  MF_CHECK(root == 0, MF_ERR_INTERNAL, "communicator self: a broadcast from rank %d of one process", root);
  return MF_OK;
}

static mf_status self_send(mf_comm *c, int to, const double *v, mf_nnz n) {
  (void)c, (void)v;
  return MF_ERROR(MF_ERR_INTERNAL, "communicator self: %lld values sent to rank %d of one process", (long long)n, to);
}

static void self_destroy(mf_comm *c) { (void)c; }

static const mf_comm_ops self_ops = {"self",      self_exchange, self_end,      self_send,  self_reduce,
                                     self_reduce, self_alltoall, self_gather,   self_bcast, self_destroy};

mf_status mf_comm_self_create(mf_comm **out) {
  /* core sits below mem: a plain calloc (a few bytes, once) */
  mf_comm *c = calloc(1, sizeof *c);
  MF_CHECK(c, MF_ERR_MEMORY, "communicator: out of memory");
  c->rank = 0;
  c->size = 1;
  c->ops = &self_ops;
  *out = c;
  return MF_OK;
}

mf_status mf_comm_agree(mf_comm *c, mf_status mine, int *failed_rank) {
  /* one max over (size - rank) * 256 + status: the lowest failing rank wins */
  int64_t v = mine == MF_OK ? 0 : (int64_t)(c->size - c->rank) * 256 + (int64_t)mine;
  if (c->ops->max_i64(c, &v, 1)) {
    *failed_rank = c->rank;
    return MF_ERR_INTERNAL;
  }
  if (v == 0) {
    *failed_rank = -1;
    return MF_OK;
  }
  *failed_rank = c->size - (int)(v / 256);
  const mf_status all = (mf_status)(v % 256);
  if (mine == MF_OK) { /* this process fails with the failed one: an echo of its error */
    MF_ERROR(all, "rank %d of %d failed (it reports its error)", *failed_rank, c->size);
    mf_error_mark_echo();
  }
  return all;
}

mf_status mf_comm_agree_phase(mf_comm *c, mf_status mine, int *reporter) {
  /* one max over own (2) or echoed (1) failure, then (size - rank) * 256 + status */
  const int64_t unit = (int64_t)(c->size + 1) * 256;
  int64_t v = mine == MF_OK ? 0 : (mf_error_is_echo() ? 1 : 2) * unit + (int64_t)(c->size - c->rank) * 256 + mine;
  if (c->ops->max_i64(c, &v, 1)) {
    *reporter = c->rank;
    return MF_ERR_INTERNAL;
  }
  if (v == 0) {
    *reporter = -1;
    return MF_OK;
  }
  v %= unit;
  *reporter = c->size - (int)(v / 256);
  return (mf_status)(v % 256);
}

void mf_comm_destroy(mf_comm **cp) {
  mf_comm *c = *cp;
  if (!c) return;
  c->ops->destroy(c);
  free(c);
  *cp = NULL;
}
