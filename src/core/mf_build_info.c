#include "core/mf_build_info.h"

#include "mf_config.h"
#include "mf_git_commit.h"

static const mf_build_info info = {
    .version = MF_VERSION,
    .git_commit = MF_GIT_COMMIT,
    .build_type = MF_BUILD_TYPE,
    .compiler = MF_COMPILER,
    .c_flags = MF_C_FLAGS,
    .openmp = MF_OPENMP_VERSION,
    .scratch = MF_SCRATCH_NAME,
    .layout = MF_LAYOUT_NAME,
    .allocator = MF_ALLOCATOR_NAME,
    .sanitize = MF_SANITIZE,
    .mpi = MF_HAVE_MPI,
};

const mf_build_info *mf_build_info_get(void) { return &info; }

void mf_build_info_print(FILE *out) {
  fprintf(out, "memfem %s (commit %s)\n", info.version, info.git_commit);
  fprintf(out, "  build type : %s\n", info.build_type);
  fprintf(out, "  compiler   : %s\n", info.compiler);
  fprintf(out, "  C flags    : %s\n", info.c_flags);
  fprintf(out, "  OpenMP     : %s\n", info.openmp);
  fprintf(out, "  scratch    : %s\n", info.scratch);
  fprintf(out, "  node layout: %s\n", info.layout);
  fprintf(out, "  allocator  : %s\n", info.allocator);
  fprintf(out, "  MPI        : %s\n", info.mpi ? "yes (MEMFEM_MPI)" : "no");
  if (info.sanitize[0]) fprintf(out, "  sanitizers : %s\n", info.sanitize);
}
