/* A build without MPI (MEMFEM_MPI=OFF): the MPI communicator is refused by name. */
#include "core/mf_comm.h"

mf_status mf_comm_mpi_create(mf_comm **c) {
  *c = NULL;
  return MF_ERROR(MF_ERR_INPUT, "communicator: this memfem is built without MPI (configure with -DMEMFEM_MPI=ON)");
}
