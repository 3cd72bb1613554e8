/* A build without MPI (MEMFEM_MPI=OFF): the MPI communicator is refused by name, and so
 * is a start by an MPI launcher with more than one process. */
#include <stdlib.h>

#include "core/mf_comm.h"

mf_status mf_comm_mpi_create(mf_comm **c) {
  *c = NULL;
  return MF_ERROR(MF_ERR_INPUT, "communicator: this memfem is built without MPI (configure with -DMEMFEM_MPI=ON)");
}

mf_status mf_comm_world_start(int *argc, char ***argv, mf_comm **c) {
  (void)argc, (void)argv;
  *c = NULL;
  const char *size = getenv("OMPI_COMM_WORLD_SIZE");
  if (!size) size = getenv("PMI_SIZE");
  MF_CHECK(!size || atoi(size) <= 1, MF_ERR_INPUT,
           "communicator: started as one of %s processes, but this memfem is built without MPI, so each would run "
           "the whole case alone (configure with -DMEMFEM_MPI=ON)", size);
  return mf_comm_self_create(c);
}

void mf_comm_world_end(mf_comm **c) { mf_comm_destroy(c); }
