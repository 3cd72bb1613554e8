/* Test helper: run a case given as YAML text through the same path as `memfem run`
 * (case reader, mesh loader, problem, solver) and keep what tests inspect. A hook lets
 * a test change the problem (prescribed values, loads) before the solve. */
#ifndef MF_TEST_SOLVE_H
#define MF_TEST_SOLVE_H

#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/mf_case.h"
#include "io/mf_mesh_load.h"
#include "mem/mf_alloc.h"
#include "mesh/mf_mesh.h"
#include "mesh/mf_reorder.h"
#include "solver/mf_newton.h"
#include "mf_test.h"

typedef struct {
  mf_case *cs;
  mf_mesh *mesh;
  mf_problem *pb;
  mf_solver *solver;
  mf_run_result res;
  mf_status status;
} mf_test_run;

typedef void (*mf_test_hook)(mf_test_run *run, void *ctx);

static inline void mf_test_write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

/* Set up and run the case file at path; setup failures fail the test, a solver failure
 * is left in run->status. */
static inline void mf_test_run_case(mf_test_run *run, const char *path, int threads, mf_test_hook hook, void *ctx) {
  memset(run, 0, sizeof *run);
  if (threads > 0) omp_set_num_threads(threads);
  mf_error_clear();
  mf_status st = mf_case_load(path, &run->cs);
  if (st) fail_msg("case: %s", mf_error_message());
  if ((st = mf_mesh_load(run->cs->mesh, &run->mesh)) || (st = mf_mesh_reorder(run->mesh, run->cs->reorder)) ||
      (st = mf_problem_create(&run->cs->problem, run->mesh, &run->pb)))
    fail_msg("setup: %s", mf_error_message());
  if (hook) hook(run, ctx);
  if ((st = mf_solver_create(run->pb, &run->cs->solver, &run->solver))) fail_msg("solver: %s", mf_error_message());
  mf_run_options opt = {.quiet = 1};
  run->status = mf_solver_run(run->solver, &opt, &run->res);
}

/* The same for a case given as YAML text. */
static inline void mf_test_run_yaml(mf_test_run *run, const char *yaml, int threads, mf_test_hook hook, void *ctx) {
  char path[64];
  snprintf(path, sizeof path, "/tmp/memfem-test-%d.yaml", (int)getpid());
  mf_test_write_file(path, yaml);
  mf_test_run_case(run, path, threads, hook, ctx);
  unlink(path);
}

static inline void mf_test_run_free(mf_test_run *run) {
  mf_run_result_free(&run->res);
  mf_solver_destroy(&run->solver);
  mf_problem_destroy(&run->pb);
  mf_mesh_destroy(&run->mesh);
  mf_case_destroy(&run->cs);
}

/* Run a case file (mesh and step count replaced when given, the preconditioner and the
 * matrix storage set) and return its converged displacement, 3 per node (malloc'd), and
 * the node count. */
static inline double *mf_test_solve_stored(const char *case_path, const char *mesh, int steps, mf_pc_type pc,
                                           mf_matrix_storage storage, mf_idx *n) {
  mf_test_run run;
  memset(&run, 0, sizeof run);
  if (mf_case_load(case_path, &run.cs)) fail_msg("case: %s", mf_error_message());
  if (mesh) snprintf(run.cs->mesh, sizeof run.cs->mesh, "%s", mesh);
  if (steps) run.cs->solver.steps.count = steps;
  run.cs->solver.linear.pc.type = pc;
  run.cs->solver.matrix = storage;
  if (mf_mesh_load(run.cs->mesh, &run.mesh) || mf_mesh_reorder(run.mesh, run.cs->reorder) ||
      mf_problem_create(&run.cs->problem, run.mesh, &run.pb) ||
      mf_solver_create(run.pb, &run.cs->solver, &run.solver))
    fail_msg("setup: %s", mf_error_message());
  mf_run_options opt = {.quiet = 1};
  if (mf_solver_run(run.solver, &opt, &run.res)) fail_msg("solve with %s: %s", mf_pc_name(pc), mf_error_message());
  *n = run.mesh->nodes.n_local;
  double *u = malloc(3 * (size_t)*n * sizeof *u);
  memcpy(u, mf_solver_displacement(run.solver), 3 * (size_t)*n * sizeof *u);
  mf_test_run_free(&run);
  return u;
}

static inline double *mf_test_solve_with(const char *case_path, const char *mesh, int steps, mf_pc_type pc,
                                         mf_idx *n) {
  return mf_test_solve_stored(case_path, mesh, steps, pc, MF_MATRIX_FULL, n);
}

/* max |u_pc - u_block-jacobi| / max |u| of a case solved with both. */
static inline double mf_test_pc_difference(const char *case_path, const char *mesh, int steps, mf_pc_type pc) {
  mf_idx n;
  double *ub = mf_test_solve_with(case_path, mesh, steps, MF_PC_BLOCK_JACOBI, &n);
  double *up = mf_test_solve_with(case_path, mesh, steps, pc, &n);
  double diff = 0, scale = 0;
  for (mf_nnz i = 0; i < 3 * (mf_nnz)n; i++) {
    diff = fmax(diff, fabs(up[i] - ub[i]));
    scale = fmax(scale, fabs(ub[i]));
  }
  free(ub), free(up);
  print_message("%s with %s: max |u - u_block-jacobi| / max |u| = %.2e\n", case_path, mf_pc_name(pc), diff / scale);
  return diff / scale;
}

#endif
