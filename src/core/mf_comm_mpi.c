/* The MPI communicator (see mf_comm.h): a duplicate of MPI_COMM_WORLD, so that memfem's
 * messages never match a library's (hypre's) on the same processes. */
#include <limits.h>
#include <mpi.h>
#include <stdlib.h>

#include "core/mf_comm.h"

typedef struct {
  MPI_Comm comm;
  MPI_Request *req; /* 2 per neighbour; grown by the first, largest exchange, then reused */
  int req_cap;
  int n_req;        /* of the exchange in flight */
  int *counts;      /* rank 0's gather: counts and displacements, size each, made once */
} mpi_impl;

enum { TAG_EXCHANGE = 14 };

static mf_status mpi_fail(int rc, const char *call) {
  char msg[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, msg, &len);
  return MF_ERROR(MF_ERR_INTERNAL, "communicator mpi: %s failed: %s", call, msg);
}

static mf_status mpi_exchange(mf_comm *c, int n, const int32_t *ranks, const double *send, const mf_nnz *send_ptr,
                              double *recv, const mf_nnz *recv_ptr) {
  mpi_impl *m = c->impl;
  const double t0 = MPI_Wtime();
  if (2 * n > m->req_cap) {
    MPI_Request *r = realloc(m->req, (size_t)(2 * n) * sizeof *r);
    MF_CHECK(r, MF_ERR_MEMORY, "communicator mpi: out of memory for %d requests", 2 * n);
    m->req = r;
    m->req_cap = 2 * n;
  }
  int nreq = 0, rc = MPI_SUCCESS;
  for (int k = 0; k < n && rc == MPI_SUCCESS; k++) {
    mf_nnz count = recv_ptr[k + 1] - recv_ptr[k];
    MF_CHECK(count <= INT_MAX, MF_ERR_INPUT, "communicator mpi: %lld values from rank %d exceed one message",
             (long long)count, ranks[k]);
    if (count > 0)
      rc = MPI_Irecv(recv + recv_ptr[k], (int)count, MPI_DOUBLE, ranks[k], TAG_EXCHANGE, m->comm, &m->req[nreq++]);
  }
  for (int k = 0; send_ptr && k < n && rc == MPI_SUCCESS; k++) {
    mf_nnz count = send_ptr[k + 1] - send_ptr[k];
    MF_CHECK(count <= INT_MAX, MF_ERR_INPUT, "communicator mpi: %lld values to rank %d exceed one message",
             (long long)count, ranks[k]);
    if (count > 0)
      rc = MPI_Isend(send + send_ptr[k], (int)count, MPI_DOUBLE, ranks[k], TAG_EXCHANGE, m->comm, &m->req[nreq++]);
  }
  m->n_req = nreq;
  c->seconds += MPI_Wtime() - t0;
  return rc == MPI_SUCCESS ? MF_OK : mpi_fail(rc, "MPI_Isend/MPI_Irecv");
}

static mf_status mpi_exchange_end(mf_comm *c) {
  mpi_impl *m = c->impl;
  const double t0 = MPI_Wtime();
  int rc = MPI_Waitall(m->n_req, m->req, MPI_STATUSES_IGNORE);
  m->n_req = 0;
  c->seconds += MPI_Wtime() - t0;
  return rc == MPI_SUCCESS ? MF_OK : mpi_fail(rc, "MPI_Waitall");
}

static mf_status mpi_send(mf_comm *c, int to, const double *v, mf_nnz n) {
  MF_CHECK(n <= INT_MAX, MF_ERR_INPUT, "communicator mpi: %lld values to rank %d exceed one message", (long long)n, to);
  const double t0 = MPI_Wtime();
  int rc = MPI_Send(v, (int)n, MPI_DOUBLE, to, TAG_EXCHANGE, ((mpi_impl *)c->impl)->comm);
  c->seconds += MPI_Wtime() - t0;
  return rc == MPI_SUCCESS ? MF_OK : mpi_fail(rc, "MPI_Send");
}

static mf_status mpi_reduce(mf_comm *c, int64_t *v, int n, MPI_Op op) {
  const double t0 = MPI_Wtime();
  int rc = MPI_Allreduce(MPI_IN_PLACE, v, n, MPI_INT64_T, op, ((mpi_impl *)c->impl)->comm);
  c->seconds += MPI_Wtime() - t0;
  return rc == MPI_SUCCESS ? MF_OK : mpi_fail(rc, "MPI_Allreduce");
}
static mf_status mpi_max(mf_comm *c, int64_t *v, int n) { return mpi_reduce(c, v, n, MPI_MAX); }
static mf_status mpi_sum(mf_comm *c, int64_t *v, int n) { return mpi_reduce(c, v, n, MPI_SUM); }

static mf_status mpi_alltoall(mf_comm *c, const int64_t *send, int64_t *recv) {
  const double t0 = MPI_Wtime();
  int rc = MPI_Alltoall(send, 1, MPI_INT64_T, recv, 1, MPI_INT64_T, ((mpi_impl *)c->impl)->comm);
  c->seconds += MPI_Wtime() - t0;
  return rc == MPI_SUCCESS ? MF_OK : mpi_fail(rc, "MPI_Alltoall");
}

static mf_status mpi_gather(mf_comm *c, const double *send, mf_nnz n, double *recv, const mf_nnz *recv_ptr) {
  mpi_impl *m = c->impl;
  MF_CHECK(n <= INT_MAX, MF_ERR_INPUT, "communicator mpi: a gather of %lld values exceeds one message", (long long)n);
  int *counts = NULL, *displs = NULL;
  if (c->rank == 0) {
    if (!m->counts && !(m->counts = malloc(2 * (size_t)c->size * sizeof *m->counts)))
      return MF_ERROR(MF_ERR_MEMORY, "communicator mpi: out of memory for a gather over %d ranks", c->size);
    counts = m->counts;
    displs = m->counts + c->size;
    for (int r = 0; r < c->size; r++) {
      MF_CHECK(recv_ptr[r + 1] <= INT_MAX, MF_ERR_INPUT,
               "communicator mpi: a gather of %lld values exceeds one message", (long long)recv_ptr[r + 1]);
      counts[r] = (int)(recv_ptr[r + 1] - recv_ptr[r]);
      displs[r] = (int)recv_ptr[r];
    }
  }
  const double t0 = MPI_Wtime();
  int rc = MPI_Gatherv(send, (int)n, MPI_DOUBLE, recv, counts, displs, MPI_DOUBLE, 0, m->comm);
  c->seconds += MPI_Wtime() - t0;
  return rc == MPI_SUCCESS ? MF_OK : mpi_fail(rc, "MPI_Gatherv");
}

static mf_status mpi_bcast(mf_comm *c, int32_t *v, mf_nnz n, int root) {
  const double t0 = MPI_Wtime();
  int rc = MPI_SUCCESS;
  for (mf_nnz k = 0; k < n && rc == MPI_SUCCESS; k += INT_MAX) /* messages of at most INT_MAX values */
    rc = MPI_Bcast(v + k, (int)(n - k < INT_MAX ? n - k : INT_MAX), MPI_INT32_T, root, ((mpi_impl *)c->impl)->comm);
  c->seconds += MPI_Wtime() - t0;
  return rc == MPI_SUCCESS ? MF_OK : mpi_fail(rc, "MPI_Bcast");
}

static void mpi_destroy(mf_comm *c) {
  mpi_impl *m = c->impl;
  if (!m) return;
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Comm_free(&m->comm);
  free(m->req);
  free(m->counts);
  free(m);
}

static const mf_comm_ops mpi_ops = {"mpi",        mpi_exchange, mpi_exchange_end, mpi_send,   mpi_max,
                                    mpi_sum,      mpi_alltoall, mpi_gather,       mpi_bcast,  mpi_destroy};

mf_status mf_comm_mpi_create(mf_comm **out) {
  *out = NULL;
  int init = 0;
  MPI_Initialized(&init);
  MF_CHECK(init, MF_ERR_INTERNAL, "communicator mpi: MPI is not initialised (MPI_Init_thread first)");
  mf_comm *c = calloc(1, sizeof *c);
  mpi_impl *m = calloc(1, sizeof *m);
  if (!c || !m) {
    free(c);
    free(m);
    return MF_ERROR(MF_ERR_MEMORY, "communicator mpi: out of memory");
  }
  /* errors come back as codes, to become memfem's error values */
  MPI_Comm_dup(MPI_COMM_WORLD, &m->comm);
  MPI_Comm_set_errhandler(m->comm, MPI_ERRORS_RETURN);
  MPI_Comm_rank(m->comm, &c->rank);
  MPI_Comm_size(m->comm, &c->size);
  c->ops = &mpi_ops;
  c->impl = m;
  c->native = &m->comm;
  *out = c;
  return MF_OK;
}

static int started_mpi; /* mf_comm_world_start initialised MPI, so world_end finalises it */

static int launched(void) {
  return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") || getenv("PMI_SIZE");
}

mf_status mf_comm_world_start(int *argc, char ***argv, mf_comm **c) {
  *c = NULL;
  if (!launched()) return mf_comm_self_create(c);
  /* funneled: memfem's OpenMP threads never call MPI, only the master between loops */
  int provided = 0;
  int rc = MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
  if (rc != MPI_SUCCESS) return mpi_fail(rc, "MPI_Init_thread");
  started_mpi = 1;
  MF_CHECK(provided >= MPI_THREAD_FUNNELED, MF_ERR_INTERNAL,
           "communicator mpi: the MPI library offers no thread support (level %d)", provided);
  return mf_comm_mpi_create(c);
}

void mf_comm_world_end(mf_comm **c) {
  mf_comm_destroy(c);
  if (started_mpi) MPI_Finalize();
  started_mpi = 0;
}
