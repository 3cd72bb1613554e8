/* What memfem's MPI tests share (label mpi, run by mpiexec): start MPI and memfem's
 * communicator, count a rank's failed checks without stopping (a rank never leaves the
 * others waiting), and end with the failures summed over every rank. */
#ifndef MF_TEST_MPI_H
#define MF_TEST_MPI_H

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/mf_comm.h"

static int mf_test_failures, mf_test_rank;

#define CHECK(cond, ...)                                                           \
  do {                                                                             \
    if (!(cond) && mf_test_failures++ < 10) {                                      \
      fprintf(stderr, "rank %d: %s:%d: ", mf_test_rank, __FILE__, __LINE__);       \
      fprintf(stderr, __VA_ARGS__);                                                \
      fputc('\n', stderr);                                                         \
    }                                                                              \
  } while (0)

static inline mf_comm *mf_test_mpi_start(int *argc, char ***argv) {
  int provided = 0;
  MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &mf_test_rank);
  mf_comm *comm = NULL;
  if (mf_comm_mpi_create(&comm)) {
    fprintf(stderr, "rank %d: %s\n", mf_test_rank, mf_error_message());
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  CHECK(comm->rank == mf_test_rank, "communicator rank %d", comm->rank);
  return comm;
}

/* Sum the failures over the ranks, print "ok: WHAT at R ranks" on rank 0, end MPI; the
 * exit status. */
static inline int mf_test_mpi_finish(mf_comm *comm, const char *what) {
  int64_t total = mf_test_failures;
  if (comm->ops->sum_i64(comm, &total, 1)) total = -1;
  if (mf_test_rank == 0)
    printf("%s: %s at %d ranks: %lld failures\n", total == 0 ? "ok" : "FAIL", what, comm->size, (long long)total);
  mf_comm_destroy(&comm);
  MPI_Finalize();
  return total == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
