/* libFuzzer harness: the Gmsh reader (mesh/mf_gmsh.c), MSH 2.2 and 4.1, ASCII and
 * binary, then the volume check mf_mesh_load makes. Seeds: tests/fuzz/corpus/gmsh (the
 * test meshes of tests/data), dictionary gmsh.dict. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mf_fuzz_mesh_reader(data, size, mf_mesh_read_gmsh);
  return 0;
}
