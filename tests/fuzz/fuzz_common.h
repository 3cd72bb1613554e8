/* Shared by memfem's libFuzzer harnesses (tests/fuzz/fuzz_*.c).
 *
 * Each harness is a LLVMFuzzerTestOneInput that hands the input to one of memfem's
 * readers of untrusted files and then checks more than "no crash": a reader that
 * accepts the input must produce a valid object (ranges, uniqueness, finiteness), one
 * that refuses it must say so in one line naming the file, and either way every byte it
 * allocated and every HDF5 handle it opened must be released. A violation aborts,
 * which libFuzzer records as a crash like any sanitizer report.
 *
 * The readers take paths, so the input is written to a file of its own in /dev/shm
 * (memory-backed; libhdf5 cannot open a memfd's /proc/self/fd path). Built two ways (tests/fuzz/CMakeLists.txt): with libFuzzer
 * (clang, preset fuzz) for fuzzing, and with fuzz_replay.c's main for replaying the
 * corpora and the regression inputs in the normal test suite, sanitizers or not. */
#ifndef MF_FUZZ_COMMON_H
#define MF_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

/* The input as a file: returns its path (valid until the next call). */
const char *mf_fuzz_file(const uint8_t *data, size_t size);
/* Once per process: quiet errors, memory limit for readers (core/mf_limits.h). */
void mf_fuzz_setup(void);
/* Abort with a message when `cond` is false: the harness's oracle. */
#define MF_FUZZ_CHECK(cond, ...) ((cond) ? (void)0 : mf_fuzz_fail(__FILE__, __LINE__, __VA_ARGS__))
void mf_fuzz_fail(const char *file, int line, const char *fmt, ...) __attribute__((noreturn, format(printf, 3, 4)));
/* What is held before a reader runs: memfem's live bytes and HDF5's identifiers of each
 * kind (files, groups, datasets, datatypes, dataspaces, attributes, property lists). */
typedef struct {
  int64_t live;
  unsigned long long ids[7];
} mf_fuzz_mark;
void mf_fuzz_mark_now(mf_fuzz_mark *m);
/* After a reader returned: on failure the message is one line naming `path`; every
 * byte memfem allocated since `before` is freed and every HDF5 identifier it opened is
 * closed. */
void mf_fuzz_after(int failed, const char *path, const mf_fuzz_mark *before);


/* Mesh harnesses: a mesh a reader accepted must be one the solver can index safely. */
#include "mesh/mf_mesh.h"
void mf_fuzz_check_mesh(const mf_mesh *m);
/* The whole of a mesh harness: the input through `read`, the oracle, then the volume
 * check and the report on what was accepted. */
void mf_fuzz_mesh_reader(const uint8_t *data, size_t size, mf_status (*read)(const char *path, mf_mesh **m));

#endif
