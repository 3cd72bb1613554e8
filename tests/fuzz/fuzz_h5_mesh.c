/* libFuzzer harness: the HDF5 mesh reader (io/mf_h5_mesh.c) on any bytes, then the
 * volume check mf_mesh_load makes. Seeds: tests/fuzz/corpus/h5_mesh (the test meshes
 * written by memfem convert), dictionary h5.dict.
 *
 * libhdf5 itself parses the file. It is Debian's build, not instrumented: libFuzzer
 * sees no coverage inside it, and a crash inside it is libhdf5's, not memfem's.
 * scripts/fuzz.sh tells the two apart by the crashing frame (docs/reliability.md). */
#include "fuzz_common.h"
#include "io/mf_h5_mesh.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mf_fuzz_mesh_reader(data, size, mf_h5_mesh_read);
  return 0;
}
