/* Test helper: run a case given as YAML text through the same path as `memfem run`
 * (case reader, mesh loader, problem, solver) and keep what tests inspect. A hook lets
 * a test change the problem (prescribed values, loads) before the solve. */
#ifndef MF_TEST_SOLVE_H
#define MF_TEST_SOLVE_H

#include <math.h>
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

/* max |u - ref| over the 3 n displacements of two solutions; *scale = max |ref|. */
static inline double mf_test_max_difference(const double *u, const double *ref, mf_idx n, double *scale) {
  double diff = 0;
  *scale = 0;
  for (mf_nnz i = 0; i < 3 * (mf_nnz)n; i++) {
    diff = fmax(diff, fabs(u[i] - ref[i]));
    *scale = fmax(*scale, fabs(ref[i]));
  }
  return diff;
}

/* max |u_pc - u_block-jacobi| / max |u| of a case solved with both. */
static inline double mf_test_pc_difference(const char *case_path, const char *mesh, int steps, mf_pc_type pc) {
  mf_idx n;
  double *ub = mf_test_solve_with(case_path, mesh, steps, MF_PC_BLOCK_JACOBI, &n);
  double *up = mf_test_solve_with(case_path, mesh, steps, pc, &n);
  double scale;
  const double diff = mf_test_max_difference(up, ub, n, &scale);
  free(ub), free(up);
  print_message("%s with %s: max |u - u_block-jacobi| / max |u| = %.2e\n", case_path, mf_pc_name(pc), diff / scale);
  return diff / scale;
}

/* ---- uniaxial tension against the closed form (test_solver, test_convergence) ---- */

/* Lateral stretch t of a bar stretched by lam with free lateral faces: S22(lam, t) = 0. */
static inline double mf_test_lateral_stretch(const mf_material *m, double lam) {
  double t = 1.0;
  for (int it = 0; it < 100; it++) {
    double F[9] = {lam, 0, 0, 0, t, 0, 0, 0, t}, S[6], D[36];
    assert_int_equal(mf_material_eval(m, F, S, D), 0);
    double h = 1e-7;
    double Fp[9] = {lam, 0, 0, 0, t + h, 0, 0, 0, t + h}, Sp[6];
    assert_int_equal(mf_material_eval(m, Fp, Sp, D), 0);
    double dt = -S[1] / ((Sp[1] - S[1]) / h);
    t += dt;
    if (fabs(dt) < 1e-15) break;
  }
  return t;
}

/* Uniaxial tension: the unit cube on MESH stretched to 1.8 in 8 steps (symmetry planes at
 * xmin, ymin, zmin, `volumetric` as in case files): at each step the reaction on xmax is
 * the closed-form P11 (first Piola-Kirchhoff: force per reference area, area 1) to 1e-6,
 * and the lateral contraction is homogeneous (every node on ymax has uy = t - 1). */
static inline void mf_test_uniaxial(const char *mesh, const char *volumetric, const char *material_yaml) {
  char yaml[1024];
  snprintf(yaml, sizeof yaml,
           "mesh: %s\n"
           "materials: [%s]\n"
           "volumetric: %s\n"
           "boundary:\n"
           "  - {group: xmin, ux: 0}\n  - {group: ymin, uy: 0}\n  - {group: zmin, uz: 0}\n"
           "  - {group: xmax, ux: 0.8}\n"
           "steps: {count: 8}\n"
           "newton: {rtol: 1.0e-12, atol: 1.0e-11}\n"
           "linear: {rtol: 1.0e-12}\n",
           mesh, material_yaml, volumetric);
  mf_test_run run;
  mf_test_run_yaml(&run, yaml, 0, NULL, NULL);
  assert_int_equal(run.status, MF_OK);
  assert_int_equal(run.res.n_steps, 8);
  const mf_material *mat = &run.cs->problem.materials[0].mat;
  for (int s = 0; s < run.res.n_steps; s++) {
    const mf_step_record *r = &run.res.steps[s];
    double lam = 1.0 + 0.8 * r->load_factor;
    double t = mf_test_lateral_stretch(mat, lam);
    double F[9] = {lam, 0, 0, 0, t, 0, 0, 0, t}, S[6], D[36];
    assert_int_equal(mf_material_eval(mat, F, S, D), 0);
    double P11 = lam * S[0];
    int xmax = 3; /* boundary entries in case order */
    print_message("%s %s: lambda %.2f  reaction %.12g  closed form %.12g\n", mesh, volumetric, lam,
                  r->reactions[xmax][0], P11);
    assert_rel_near(r->reactions[xmax][0], P11, 1e-6);
    assert_rel_near(-r->reactions[0][0], P11, 1e-6);
  }
  const double *u = mf_solver_displacement(run.solver);
  double t = mf_test_lateral_stretch(mat, 1.8);
  const mf_group *ymax = mf_mesh_find_group(run.mesh, "ymax", 2);
  for (mf_idx k = 0; k < ymax->n_nodes; k++) assert_rel_near(u[3 * ymax->nodes[k] + 1], t - 1.0, 1e-6);
  mf_test_run_free(&run);
}

#endif
