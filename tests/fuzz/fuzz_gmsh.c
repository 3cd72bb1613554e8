/* libFuzzer harness: the Gmsh reader (mesh/mf_gmsh.c), MSH 2.2 and 4.1, ASCII and
 * binary, then the volume check mf_mesh_load makes. Seeds: tests/fuzz/corpus/gmsh (the
 * test meshes of tests/data), dictionary gmsh.dict. */
#include <stdio.h>

#include "fuzz_common.h"
#include "mesh/mf_mesh.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static FILE *devnull;
  mf_fuzz_setup();
  if (!devnull) devnull = fopen("/dev/null", "w");
  const char *path = mf_fuzz_file(data, size);
  mf_fuzz_mark mark;
  mf_fuzz_mark_now(&mark);
  mf_mesh *m = NULL;
  mf_status st = mf_mesh_read_gmsh(path, &m);
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
