/* libFuzzer harness: the HDF5 mesh reader (io/mf_h5_mesh.c) on any bytes, then the
 * volume check mf_mesh_load makes. Seeds: tests/fuzz/corpus/h5_mesh (the test meshes
 * written by memfem convert), dictionary h5.dict.
 *
 * libhdf5 itself parses the file. It is Debian's build, not instrumented: libFuzzer
 * sees no coverage inside it, and a crash inside it is libhdf5's, not memfem's.
 * scripts/fuzz.sh tells the two apart by the crashing frame (docs/reliability.md). */
#include <stdio.h>

#include "fuzz_common.h"
#include "io/mf_h5_mesh.h"
#include "mesh/mf_mesh.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static FILE *devnull;
  mf_fuzz_setup();
  if (!devnull) devnull = fopen("/dev/null", "w");
  const char *path = mf_fuzz_file(data, size);
  mf_fuzz_mark mark;
  mf_fuzz_mark_now(&mark);
  mf_mesh *m = NULL;
  mf_status st = mf_h5_mesh_read(path, &m);
  MF_FUZZ_CHECK((st == MF_OK) == (m != NULL), "status %d with mesh %p", (int)st, (void *)m);
  if (m) {
    mf_fuzz_check_mesh(m);
    st = mf_mesh_check_volumes(m);
    mf_mesh_report(m, devnull);
    mf_mesh_destroy(&m);
  }
  mf_fuzz_after(st != MF_OK, path, &mark);
  return 0;
}
