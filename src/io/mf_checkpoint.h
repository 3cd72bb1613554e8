/* DIR/checkpoint.h5: the state of a run between load steps, for `memfem run --restart`.
 *
 * Layout (attributes on /, one dataset):
 *   format = "memfem-checkpoint", format_version = 2
 *   case_file, case_hash, mesh_hash   what the run was: FNV-1a 64 of the case file's bytes
 *                                     and of the mesh (coordinates, connectivity, regions,
 *                                     face groups), as 16 hex digits
 *   steps_count, soak_steps           the run settings that change the load path
 *   step, attempts, load_factor, step_size, easy, soaking, soak_done, unloading
 *                                     the load-stepping loop's state (mf_loop_state)
 *   /displacement float64 [nodes x 3] the converged displacement, the mesh's own node order
 *   state_checksum                    FNV-1a 64 over all of the above as little-endian
 *                                     bytes (mf_checkpoint.c, state_checksum), 16 hex digits
 * Across processes every process writes its rows of /displacement into the one file
 * (mf_checkpoint_write_blocks); the data are the same, the file is read the same way.
 * The file is sealed (mf_h5.h): its first 512 bytes hold FNV-1a 64 of the rest, checked
 * before libhdf5 parses anything. Written to a temporary file, fsynced and renamed over
 * the old one, so a crash while writing leaves the previous checkpoint intact. Reading
 * checks the seal, then every attribute's range,
 * the fingerprint against this run, the checksum (a damaged checkpoint is refused as
 * such) and that the state is one this run's load stepping can have written. */
#ifndef MF_CHECKPOINT_H
#define MF_CHECKPOINT_H

#include <stdint.h>

#include "core/mf_comm.h"
#include "core/mf_error.h"
#include "mesh/mf_mesh.h"
#include "solver/mf_newton.h"

typedef struct {
  uint64_t case_hash, mesh_hash;
  int steps_count, soak_steps;
} mf_checkpoint_id;

/* Fingerprint a run: the case file's bytes and the mesh, and the settings given. The
 * mesh may be an outline read from a mesh file (io/mf_h5_mesh.h, mf_h5_mesh_read_outline):
 * its arrays are then hashed from the file a slice at a time, to the same value. */
mf_status mf_checkpoint_id_make(const char *case_path, const mf_mesh *mesh, int steps_count, int soak_steps,
                                mf_checkpoint_id *id);
/* Write `path` atomically. mesh: the whole mesh; u: its displacement in its numbering. */
mf_status mf_checkpoint_write(const char *path, const mf_checkpoint_id *id, const mf_loop_state *ls,
                              const mf_mesh *mesh, const double *u);
/* The same file written by every process of comm (collective; parallel HDF5, issue 14):
 * block holds rows [first, first + count) of the displacement in the mesh's own node
 * order (la/mf_redistribute.h makes such blocks), the blocks of all processes covering
 * every row once. Rank 0 creates the file, computes state_checksum by reading the
 * written rows back a piece at a time, seals it and renames it over the old one, so no
 * process holds the whole displacement. The status is agreed. */
mf_status mf_checkpoint_write_blocks(const char *path, const mf_checkpoint_id *id, const mf_loop_state *ls,
                                     const mf_mesh *mesh, mf_comm *comm, int64_t first, int64_t count,
                                     const double *block);
/* Read `path` into *ls and u (3 per node of mesh, in its numbering), refusing a
 * checkpoint whose fingerprint differs from `id` with a message saying what differs. */
mf_status mf_checkpoint_read(const char *path, const mf_checkpoint_id *id, const mf_mesh *mesh, mf_loop_state *ls,
                             double *u);
/* The same, every check included, but u takes n rows: row i is the mesh's own node
 * file_row[i] (the file's order). What a process of a run across processes reads: its
 * local nodes only; the displacement is streamed a piece at a time. */
mf_status mf_checkpoint_read_rows(const char *path, const mf_checkpoint_id *id, const mf_mesh *mesh, mf_idx n,
                                  const int64_t *file_row, mf_loop_state *ls, double *u);

#endif
