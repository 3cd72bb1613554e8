/* libFuzzer harness: checkpoint loading (io/mf_checkpoint.c) for the run of
 * checkpoint-case.yaml. A checkpoint it accepts is continued to the end, which must give
 * the uninterrupted run's displacement checksum bit for bit: a damaged checkpoint may be
 * refused, never continued to another answer. Seeds: the run's own checkpoints after
 * every step (make-seeds.sh), dictionary h5.dict. Each input is read as it is and
 * resealed (below); behind a matching seal libhdf5 parses the damaged bytes, see
 * fuzz_h5_mesh.c on crashes inside it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mf_limits.h"
#include "fuzz_common.h"
#include "io/mf_case.h"
#include "io/mf_checkpoint.h"
#include "io/mf_checksum.h"
#include "io/mf_h5.h"
#include "io/mf_mesh_load.h"
#include "mem/mf_alloc.h"
#include "mesh/mf_mesh.h"
#include "solver/mf_newton.h"

static mf_case *cs;
static mf_mesh *mesh;
static mf_problem *pb;
static mf_solver *solver;
static mf_checkpoint_id id;
static double *u;
static uint64_t reference; /* checksum of the uninterrupted run */

/* make-seeds.sh: with MEMFEM_FUZZ_SEEDS=DIR the reference run writes its checkpoint
 * after every step to DIR/step-N.h5, the seeds of corpus/checkpoint. */
static mf_status write_seed(void *dir, const mf_loop_state *ls, const mf_step_fields *f, int last) {
  (void)last;
  char path[4096];
  snprintf(path, sizeof path, "%s/step-%d.h5", (const char *)dir, ls->step);
  return mf_checkpoint_write(path, &id, ls, mesh, f->u_whole);
}

/* Run to the end (from `resume` when given); the final displacement's checksum. */
static mf_status finish(const mf_loop_state *resume, uint64_t *sum) {
  mf_run_options opt = {.quiet = 1, .soak_steps = cs->soak_steps, .resume = resume, .resume_u = resume ? u : NULL};
  const char *seeds = resume ? NULL : getenv("MEMFEM_FUZZ_SEEDS");
  if (seeds) opt.on_step = write_seed, opt.on_step_ctx = (void *)seeds;
  mf_run_result res;
  mf_status st = mf_solver_run(solver, &opt, &res);
  mf_run_result_free(&res);
  if (st) return st;
  return mf_displacement_checksum(&mesh->nodes, mf_solver_displacement(solver), sum);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  mf_fuzz_setup();
  const char *case_path = MF_FUZZ_DIR "/checkpoint-case.yaml";
  /* as memfem run does: fingerprint the mesh in its own order, then renumber */
  if (mf_case_load(case_path, &cs) || mf_mesh_load(cs->mesh, &mesh) ||
      mf_checkpoint_id_make(case_path, mesh, cs->solver.steps.count, cs->soak_steps, &id) || mf_mesh_reorder(mesh, cs->reorder) ||
      mf_problem_create(&cs->problem, mesh, &pb) || mf_solver_create(pb, &cs->solver, &solver) ||
      MF_ALLOC_N(u, pb->ndof, "fuzzed checkpoint displacement") || finish(NULL, &reference)) {
    mf_error_print();
    abort();
  }
  mf_error_clear();
  return 0;
}

/* One read of the input as a checkpoint, with the oracle. */
static void read_one(const uint8_t *data, size_t size) {
  const char *path = mf_fuzz_file(data, size);
  mf_fuzz_mark mark;
  mf_fuzz_mark_now(&mark);
  mf_loop_state ls = {0};
  mf_status st = mf_checkpoint_read(path, &id, mesh, &ls, u);
  if (st == MF_OK) {
    MF_FUZZ_CHECK(ls.step >= 1 && ls.step <= ls.attempts && ls.attempts <= MF_MAX_STEP_ATTEMPTS &&
                      ls.step_size >= MF_MIN_LOAD_STEP && ls.step_size <= 1.0 / cs->solver.steps.count && ls.load_factor > 0 &&
                      ls.load_factor <= 1.0 && ls.easy >= 0 && ls.easy <= ls.step && ls.soak_done >= 0 &&
                      ls.soak_done <= cs->soak_steps,
                  "accepted state: step %d attempts %d load %.17g step size %.17g easy %d soaking %d soak_done %d",
                  ls.step, ls.attempts, ls.load_factor, ls.step_size, ls.easy, ls.soaking, ls.soak_done);
    uint64_t sum = 0;
    mf_status run = finish(&ls, &sum);
    MF_FUZZ_CHECK(run == MF_OK && sum == reference,
                  "an accepted checkpoint (step %d) continued to %s, checksum %016llx instead of %016llx", ls.step,
                  run == MF_OK ? "the end" : mf_error_message(), (unsigned long long)sum,
                  (unsigned long long)reference);
  }
  mf_fuzz_after(st != MF_OK, path, &mark);
}

/* Twice: as it is, where almost every change breaks the seal and is refused before
 * libhdf5 reads the file; and with the seal made to match, as a forger would, so that
 * libhdf5 and memfem's checks behind the seal see the damaged bytes. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  read_one(data, size);
  if (size < MF_H5_SEAL_BYTES) return 0;
  uint8_t *sealed = malloc(size);
  MF_FUZZ_CHECK(sealed != NULL, "out of memory in the harness");
  memcpy(sealed, data, size);
  uint64_t h = MF_FNV1A64_INIT;
  h = mf_fnv1a64(h, data + MF_H5_SEAL_BYTES, size - MF_H5_SEAL_BYTES);
  memset(sealed, 0, MF_H5_SEAL_BYTES);
  snprintf((char *)sealed, MF_H5_SEAL_BYTES, "memfem-seal 1 fnv1a64 %016llx bytes %zu\n", (unsigned long long)h,
           size - MF_H5_SEAL_BYTES);
  read_one(sealed, size);
  free(sealed);
  return 0;
}
