/* The communicator: the one place memfem's layers talk to other processes, behind a
 * small function table so that the layers above never name MPI (issue 14).
 *
 *   self : one process, no neighbours (every build; what a serial run uses)
 *   mpi  : MPI_COMM_WORLD, duplicated (builds with MEMFEM_MPI=ON; the caller initialises
 *          MPI); a build without MPI has mf_comm_mpi_create refuse with a clear error.
 *
 * What the layers need is small: the neighbour exchange of a ghost update (each side
 * knows what it sends and receives, so there is no size handshake, or counts are
 * announced first with an all-to-all of one integer per process), sends one at a time
 * into an exchange's posted receives (so that several streams share one send buffer),
 * reductions of a few integers (counts, and a failure flag after each phase, so that an
 * error on one process ends every process instead of leaving them waiting), and a
 * gather of owned rows onto rank 0, which records reactions and probes
 * (la/mf_gather.h). Reductions of doubles, where the order of a sum would change the
 * bits, are not offered here on purpose. The one place above core that names MPI is
 * parallel HDF5's file access (io/mf_h5_collective.c), which takes the communicator
 * itself (`native`). */
#ifndef MF_COMM_H
#define MF_COMM_H

#include <stdint.h>

#include "core/mf_error.h"
#include "core/mf_types.h"

typedef struct mf_comm mf_comm;

typedef struct mf_comm_ops {
  const char *name;
  /* To ranks[k] the values send[send_ptr[k] .. send_ptr[k+1]), from ranks[k] into
   * recv[recv_ptr[k] .. recv_ptr[k+1]), for k < n; both sides agree on the counts and a
   * zero count sends nothing (send_ptr NULL: receives only, for `send` below). begin
   * starts it and returns at once; end returns when everything has arrived (send and
   * recv untouched in between); one exchange at a time per communicator. The time
   * between is the caller's to overlap with work. */
  mf_status (*exchange_begin)(mf_comm *c, int n, const int32_t *ranks, const double *send, const mf_nnz *send_ptr,
                              double *recv, const mf_nnz *recv_ptr);
  mf_status (*exchange_end)(mf_comm *c);
  /* To rank `to` the values v[0 .. n), returning when v may be written again, inside an
   * exchange begun with receives only (send_ptr NULL) and not yet ended. Every process
   * posts its receives before it sends, so a send never waits on a receiver that is
   * sending itself: streams written and sent one at a time from one buffer. */
  mf_status (*send)(mf_comm *c, int to, const double *v, mf_nnz n);
  /* In place over every process: the largest / the sum of each of v[0 .. n). */
  mf_status (*max_i64)(mf_comm *c, int64_t *v, int n);
  mf_status (*sum_i64)(mf_comm *c, int64_t *v, int n);
  /* send[r] to rank r, recv[r] from rank r (size values each): how many values each
   * process will send each other one, where only the sender knows (the multigrid's
   * aggregates, whose members a root's owner cannot list itself) */
  mf_status (*alltoall_i64)(mf_comm *c, const int64_t *send, int64_t *recv);
  /* Rank 0 receives each process's send[0 .. n) in rank order: rank r's values at
   * recv[recv_ptr[r] .. recv_ptr[r+1]) (recv and recv_ptr, size + 1 entries, are rank 0's
   * and agree with every n; other ranks pass NULL). What rank 0 writes out from the
   * processes' owned rows (la/mf_gather.h). */
  mf_status (*gather)(mf_comm *c, const double *send, mf_nnz n, double *recv, const mf_nnz *recv_ptr);
  /* Every process's v[0 .. n) becomes rank root's: what rank 0 alone knows (the run's
   * fingerprint, from the whole mesh it reads for all). */
  mf_status (*bcast_i32)(mf_comm *c, int32_t *v, mf_nnz n, int root);
  void (*destroy)(mf_comm *c); /* the implementation's part */
} mf_comm_ops;

struct mf_comm {
  int rank, size;
  double seconds; /* spent in the operations above (posting, waiting, reducing): the
                     communication time of a run's phases (MPI_Wtime; 0 for self) */
  const mf_comm_ops *ops;
  void *impl;
  const void *native; /* the MPI_Comm (a const MPI_Comm *) for a library that takes one,
                         parallel HDF5; NULL for self */
};

/* begin, then end: an exchange with nothing to overlap. */
static inline mf_status mf_comm_exchange(mf_comm *c, int n, const int32_t *ranks, const double *send,
                                         const mf_nnz *send_ptr, double *recv, const mf_nnz *recv_ptr) {
  mf_status st = c->ops->exchange_begin(c, n, ranks, send, send_ptr, recv, recv_ptr);
  return st ? st : c->ops->exchange_end(c);
}

/* The collective check that ends a phase (issue 14): every process passes its own
 * status and gets back MF_OK when all succeeded, otherwise the status of the lowest
 * failing rank, whose number goes to *failed_rank (-1 when none failed). That rank holds
 * the message (mf_error_message) and is the one to print it, so an error is reported
 * once, and every process stops instead of waiting on the one that failed. A failed
 * reduction itself is an internal error. */
mf_status mf_comm_agree(mf_comm *c, mf_status mine, int *failed_rank);
/* The same at the end of a phase, where every process passes its own verdict and one
 * process prints the error: *reporter is the lowest rank that failed by itself (its
 * error is not an echo, mf_error_is_echo), or the lowest failing rank if none did. An
 * agreement inside the phase makes the other processes fail with an echo of that
 * rank's failure, and the lowest of them (rank 0, say) would otherwise speak for it
 * without its message. */
mf_status mf_comm_agree_phase(mf_comm *c, mf_status mine, int *reporter);

mf_status mf_comm_self_create(mf_comm **c);
mf_status mf_comm_mpi_create(mf_comm **c);
void mf_comm_destroy(mf_comm **c);

/* The program's communicator: MPI (MPI_Init_thread, then mf_comm_mpi_create) when the
 * process was started by an MPI launcher (mpirun / mpiexec set OMPI_COMM_WORLD_SIZE,
 * PMIX_RANK or PMI_SIZE), otherwise self, so a plain `memfem run` never starts MPI. A
 * build without MPI started by a launcher with more than one process refuses by name
 * (each process would run the whole case alone, over the same output). */
mf_status mf_comm_world_start(int *argc, char ***argv, mf_comm **c);
/* Destroy c, then MPI_Finalize if mf_comm_world_start initialised MPI. */
void mf_comm_world_end(mf_comm **c);

#endif
