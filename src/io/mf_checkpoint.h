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
 * The file is sealed (mf_h5.h): its first 512 bytes hold FNV-1a 64 of the rest, checked
 * before libhdf5 parses anything. Written to a temporary file, fsynced and renamed over
 * the old one, so a crash while writing leaves the previous checkpoint intact. Reading
 * checks the seal, then every attribute's range,
 * the fingerprint against this run, the checksum (a damaged checkpoint is refused as
 * such) and that the state is one this run's load stepping can have written. */
#ifndef MF_CHECKPOINT_H
#define MF_CHECKPOINT_H

#include <stdint.h>

#include "core/mf_error.h"
#include "mesh/mf_mesh.h"
#include "solver/mf_newton.h"

typedef struct {
  uint64_t case_hash, mesh_hash;
  int steps_count, soak_steps;
} mf_checkpoint_id;

/* Fingerprint a run: the case file's bytes and the mesh, and the settings given. */
mf_status mf_checkpoint_id_make(const char *case_path, const mf_mesh *mesh, int steps_count, int soak_steps,
                                mf_checkpoint_id *id);
/* Write `path` atomically. */
mf_status mf_checkpoint_write(const char *path, const mf_checkpoint_id *id, const mf_loop_state *ls,
                              const mf_mesh *mesh, const double *u);
/* Read `path` into *ls and u (3 per node of mesh), refusing a checkpoint whose
 * fingerprint differs from `id` with a message saying what differs. */
mf_status mf_checkpoint_read(const char *path, const mf_checkpoint_id *id, const mf_mesh *mesh, mf_loop_state *ls,
                             double *u);

#endif
