/* What this binary is: version, commit, compiler, flags, OpenMP and memory strategy. */
#ifndef MF_BUILD_INFO_H
#define MF_BUILD_INFO_H

#include <stdio.h>

typedef struct {
  const char *version, *git_commit, *build_type, *compiler, *c_flags, *openmp;
  const char *scratch, *layout, *allocator;
  const char *sanitize; /* "" or the -fsanitize= list, e.g. "address,undefined" */
  int mpi;              /* built with MEMFEM_MPI (core/mf_comm.h's mpi communicator) */
} mf_build_info;

const mf_build_info *mf_build_info_get(void);
void mf_build_info_print(FILE *out);

#endif
