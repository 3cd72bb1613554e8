/* memfem-bench dist-cg in a build without MPI: refused by name. */
#include <stdio.h>

#include "mf_bench.h"

int mf_bench_dist_cg(const mf_bench_options *o, int *argc, char ***argv) {
  (void)o, (void)argc, (void)argv;
  fprintf(stderr, "memfem-bench: error: dist-cg needs a build with MPI (configure with -DMEMFEM_MPI=ON)\n");
  return 2;
}
