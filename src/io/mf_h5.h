/* Thin HDF5 plumbing shared by the results, mesh and checkpoint files: HDF5 failures
 * become mf_status messages naming the file, the object and HDF5's own reason, and
 * datasets are written chunked (optionally deflated) and read with their shape checked.
 *
 * HDF5 prints its error stack to stderr by default; mf_h5_init() turns that off so
 * that bad input gives memfem's one error line and nothing else. Every function here
 * takes `file` (the path, for messages) and never leaves an HDF5 handle open on error. */
#ifndef MF_H5_H
#define MF_H5_H

#include <hdf5.h>
#include <stdint.h>
#include <stdio.h>

#include "core/mf_error.h"
#include "core/mf_types.h"

/* Silence HDF5's automatic error printing (idempotent; call before any HDF5 use). */
void mf_h5_init(void);

/* Record "FILE: WHAT (HDF5: innermost reason)" as an error and return code. */
mf_status mf_h5_fail(mf_status code, const char *src_file, int src_line, const char *file,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
#define MF_H5_ERROR(code, file, ...) mf_h5_fail((code), __FILE__, __LINE__, (file), __VA_ARGS__)

/* Open an existing file read-only (rw = 0) or read-write; a missing, truncated or
 * non-HDF5 file is an error naming it. */
mf_status mf_h5_open(const char *file, int rw, hid_t *fid);

/* libhdf5 1.10 has memory errors on some damaged files (a heap overflow decoding an
 * attribute message, found by tests/fuzz within a minute; tests/fuzz/library-crashes).
 * The readers of files memfem did not just write (HDF5 meshes, checkpoints, results.h5
 * on a restart) therefore run their read first in a forked child process: `read(ctx)`,
 * the very read they then make themselves, single-threaded, output discarded. If the
 * child crashes or runs for minutes, the file is refused as damaged (MF_ERR_PARSE) and
 * memfem never reads it; if it finished, with or without an error, MF_OK: the read in
 * this process takes the same path. */
mf_status mf_h5_guarded(const char *file, mf_status (*read)(void *ctx), void *ctx);
/* Turn that off (0) or on: the fuzz harnesses run libhdf5 in their own process, so that
 * a crash inside it is seen and classified (scripts/fuzz.sh). */
void mf_h5_set_guard(int on);
/* Create (truncate) a file. */
mf_status mf_h5_create(const char *file, hid_t *fid);

/* Sealed files (checkpoints): the first MF_H5_SEAL_BYTES are an HDF5 user block, which
 * libhdf5 skips, holding one line "memfem-seal 1 fnv1a64 HASH bytes N" over the N bytes
 * after it. mf_h5_check_seal verifies it before libhdf5 reads a byte of the file, so a
 * damaged file (a flipped byte, a truncation) is refused by memfem and never parsed by
 * libhdf5, which has memory errors on some damaged files (docs/reliability.md). A seal
 * detects damage, not a forger: FNV-1a is not a cryptographic hash. */
#define MF_H5_SEAL_BYTES 512
/* Create a file with room for the seal. */
mf_status mf_h5_create_sealed(const char *file, hid_t *fid);
/* After the file is closed: hash what follows the user block and write the seal. */
mf_status mf_h5_seal(const char *file);
/* Before opening: the seal must be there and match; `what` names the kind of file. */
mf_status mf_h5_check_seal(const char *file, const char *what);
/* Create a group (intermediate groups too). */
mf_status mf_h5_group_create(hid_t loc, const char *name, const char *file, hid_t *gid);
mf_status mf_h5_group_open(hid_t loc, const char *name, const char *file, hid_t *gid);
int mf_h5_exists(hid_t loc, const char *name);
void mf_h5_close(hid_t *id); /* any HDF5 id; sets it to H5I_INVALID_HID */

/* Write a rows x cols dataset (cols = 0: one-dimensional) from memory of mem_type into
 * file_type, chunked along rows; `deflate` 1..9 compresses (0: not). */
mf_status mf_h5_write(hid_t loc, const char *name, hid_t mem_type, hid_t file_type, uint64_t rows,
                      uint64_t cols, const void *data, int deflate, const char *file);
/* The same dataset without data, its storage allocated now: what processes that open
 * the file in parallel then fill (io/mf_h5_collective.h). */
mf_status mf_h5_create_dataset(hid_t loc, const char *name, hid_t file_type, uint64_t rows, uint64_t cols,
                               int deflate, const char *file);
/* Rows per chunk of those datasets (about 1 MiB; at most rows). */
uint64_t mf_h5_chunk_rows(hid_t file_type, uint64_t rows, uint64_t cols);
/* Shape of a dataset: rank 1 (cols set to 0) or 2; other ranks are an error. */
mf_status mf_h5_shape(hid_t loc, const char *name, uint64_t *rows, uint64_t *cols, const char *file);
/* Read a whole dataset that must have exactly the shape rows x cols (cols = 0: 1-D)
 * and a numeric class matching mem_type (integer or float). */
mf_status mf_h5_read(hid_t loc, const char *name, hid_t mem_type, uint64_t rows, uint64_t cols,
                     void *data, const char *file);
/* Rows at[0..n) (ascending, each in 0..rows-1) of a dataset that must have the shape
 * rows x cols and mem_type's class, into data one after the other (n x cols values): a
 * process reading its own part of a file (io/mf_h5_part.h). Read in spans of
 * consecutive rows (at most 64 Ki), each dense enough in wanted rows. */
mf_status mf_h5_read_at(hid_t loc, const char *name, hid_t mem_type, uint64_t rows, uint64_t cols, size_t n,
                        const mf_idx *at, void *data, const char *file);
/* Rows [first, first + count) of a dataset of `cols` columns (its shape and class
 * checked by the caller) into data, as mem_type: what a reader streaming a large dataset
 * takes. */
mf_status mf_h5_read_rows(hid_t loc, const char *name, hid_t mem_type, uint64_t first, uint64_t count, uint64_t cols,
                          void *data, const char *file);

/* A dataset of `rows` rows x cols read as mem_type a slice of MF_H5_SLICE_ROWS rows at a
 * time, each slice handed to fn(ctx, first, n, data) in order: what a process streaming
 * a dataset larger than it wants to hold does (the outline's regions, the mesh copied
 * into results.h5, the run's fingerprint). The first error, of the read or of fn, ends it. */
#define MF_H5_SLICE_ROWS (1 << 18)
typedef mf_status (*mf_h5_slice_fn)(void *ctx, uint64_t first, uint64_t n, const void *data);
mf_status mf_h5_each_slice(hid_t loc, const char *name, hid_t mem_type, uint64_t rows, uint64_t cols,
                           mf_h5_slice_fn fn, void *ctx, const char *file);
/* The same the other way: rows [first, first + count) of an existing dataset written. */
mf_status mf_h5_write_rows(hid_t loc, const char *name, hid_t mem_type, uint64_t first, uint64_t count,
                           uint64_t cols, const void *data, const char *file);

/* Scalar attributes on an object. */
mf_status mf_h5_attr_write_i64(hid_t obj, const char *name, int64_t v, const char *file);
mf_status mf_h5_attr_write_f64(hid_t obj, const char *name, double v, const char *file);
mf_status mf_h5_attr_write_str(hid_t obj, const char *name, const char *v, const char *file);
mf_status mf_h5_attr_read_i64(hid_t obj, const char *name, int64_t *v, const char *file);
mf_status mf_h5_attr_read_f64(hid_t obj, const char *name, double *v, const char *file);
/* An integer attribute that must lie in [lo, hi] (and fit an int); `where` ("" or e.g.
 * "/mesh/cuts/") names its object in the message. */
mf_status mf_h5_attr_read_int(hid_t obj, const char *name, int64_t lo, int64_t hi, const char *file,
                              const char *where, int *v);
/* A string attribute into buf (cap bytes, always terminated); too long is an error. */
mf_status mf_h5_attr_read_str(hid_t obj, const char *name, char *buf, size_t cap, const char *file);

/* Make sure `bytes` more can be written to `file` (an HDF5 file, open or not) before a
 * write that would otherwise hit a full disk halfway and leave HDF5's metadata torn:
 * the blocks are allocated now (fallocate, size unchanged), or, where the file system
 * cannot, the free space is compared. A full disk is an error naming `what` and the
 * figures; the file is untouched. */
mf_status mf_h5_reserve(const char *file, double bytes, const char *what);
/* After the file is closed: give back what mf_h5_reserve allocated past its end
 * (truncate to its own size). Best effort. */
void mf_h5_unreserve(const char *file);

/* The HDF5 library this process loaded, for --version: "  HDF5       : 1.10.8 serial,
 * /usr/lib/x86_64-linux-gnu/libhdf5_serial.so.103" (the flavour from H5_HAVE_PARALLEL,
 * the file from the dynamic linker). */
void mf_h5_print_library(FILE *out);

#endif
