/* Solver validation on closed forms: the patch test, uniaxial tension of a neo-Hookean
 * cube, bit-identical results across thread counts, colouring, zero loads and cutbacks. */
#include <string.h>

#include "fem/mf_blocks.h"
#include "fem/mf_colour.h"
#include "fem/mf_mesh_check.h"
#include "fem/mf_tet4.h"
#include "mesh/mf_mesh_pack.h"
#include "mesh/mf_partition.h"
#include "mf_test_solve.h"

/* ---- patch test: a linear field is reproduced exactly by linear elasticity -------- */

static const double patch_A[3][3] = {{1e-3, 2e-3, -1e-3}, {-2e-3, 5e-4, 3e-3}, {1.5e-3, -1e-3, 2e-3}};
static const double patch_b[3] = {1e-3, -2e-3, 5e-4};

static void patch_value(const double X[3], double u[3]) {
  for (int i = 0; i < 3; i++) u[i] = patch_b[i] + patch_A[i][0] * X[0] + patch_A[i][1] * X[1] + patch_A[i][2] * X[2];
}

/* Make the mesh irregular (interior nodes moved) and prescribe the field on the boundary. */
static void patch_hook(mf_test_run *run, void *ctx) {
  (void)ctx;
  mf_mesh *m = run->mesh;
  mf_nodes *ns = &m->nodes;
  unsigned seed = 12345;
  for (mf_idx i = 0; i < ns->n_local; i++) {
    double c[3];
    mf_nodes_coords(ns, i, c);
    int interior = 1;
    for (int k = 0; k < 3; k++) interior &= (c[k] > 1e-12 && c[k] < 1 - 1e-12);
    if (!interior) continue;
    for (int k = 0; k < 3; k++) {
      seed = seed * 1103515245u + 12345u;
      c[k] += 0.08 * (((seed >> 8) & 0xffff) / 65535.0 - 0.5);
    }
    mf_nodes_set_coords(ns, i, c);
  }
  assert_int_equal(mf_mesh_check_elements(m), MF_OK);
  for (mf_idx i = 0; i < ns->n_local; i++) {
    double X[3], u[3];
    mf_nodes_coords(ns, i, X);
    patch_value(X, u);
    for (int k = 0; k < 3; k++)
      if (run->pb->bc_mask[3 * i + k]) run->pb->bc_value[3 * i + k] = u[k];
  }
}

static void test_patch_linear_elastic(void **state) {
  (void)state;
  mf_test_run run;
  mf_test_run_yaml(&run,
                   "mesh: box:1x1x1:4x4x4\n"
                   "materials: [{model: linear-elastic, E: 1000, nu: 0.3}]\n"
                   "boundary:\n"
                   "  - {group: xmin, ux: 0, uy: 0, uz: 0}\n  - {group: xmax, ux: 0, uy: 0, uz: 0}\n"
                   "  - {group: ymin, ux: 0, uy: 0, uz: 0}\n  - {group: ymax, ux: 0, uy: 0, uz: 0}\n"
                   "  - {group: zmin, ux: 0, uy: 0, uz: 0}\n  - {group: zmax, ux: 0, uy: 0, uz: 0}\n"
                   "linear: {rtol: 1.0e-14}\n"
                   "newton: {rtol: 1.0e-14, atol: 1.0e-13}\n",
                   0, patch_hook, NULL);
  assert_int_equal(run.status, MF_OK);
  const double *u = mf_solver_displacement(run.solver);
  double err = 0;
  mf_idx interior = 0;
  for (mf_idx i = 0; i < run.mesh->nodes.n_local; i++) {
    double X[3], ue[3];
    mf_nodes_coords(&run.mesh->nodes, i, X);
    patch_value(X, ue);
    interior += !run.pb->bc_mask[3 * i];
    for (int k = 0; k < 3; k++) err = fmax(err, fabs(u[3 * i + k] - ue[k]));
  }
  print_message("patch test: %d interior nodes, max error %.2e\n", (int)interior, err);
  assert_true(interior > 0);
  assert_true(err < 1e-10);
  mf_test_run_free(&run);
}

/* ---- uniaxial tension: reaction force against the closed form (mf_test_solve.h) ---- */

static void test_uniaxial_neo_hookean(void **state) {
  (void)state;
  mf_test_uniaxial("box:1x1x1:3x3x3", "full", "{model: neo-hookean, E: 1000, nu: 0.3}");
}

static void test_uniaxial_neo_hookean_decoupled(void **state) {
  (void)state;
  mf_test_uniaxial("box:1x1x1:3x3x3", "full", "{model: neo-hookean-decoupled, C10: 200, D1: 0.002}");
}

/* ---- determinism: bit-identical displacements at 1, 2 and 3 threads --------------- */

static const char *bend_case = "mesh: box:4x1x1:12x3x3\n"
                               "materials: [{model: neo-hookean, E: 1000, nu: 0.3}]\n"
                               "boundary: [{group: xmin, ux: 0, uy: 0, uz: 0}, {group: xmax, uz: -1.0}]\n"
                               "loads: [{body_force: [0, 0.5, 0]}]\n"
                               "steps: {count: 3}\n";

/* The same case, run at 1, 2 and 3 threads, must give the same bits. */
static void check_bit_identical(const char *yaml) {
  double *ref = NULL;
  mf_nnz n = 0;
  for (int threads = 1; threads <= 3; threads++) {
    mf_test_run run;
    mf_test_run_yaml(&run, yaml, threads, NULL, NULL);
    assert_int_equal(run.status, MF_OK);
    const double *u = mf_solver_displacement(run.solver);
    if (!ref) {
      n = run.pb->ndof;
      ref = malloc((size_t)n * sizeof *ref);
      memcpy(ref, u, (size_t)n * sizeof *ref);
    } else {
      assert_int_equal(run.pb->ndof, n);
      assert_memory_equal(u, ref, (size_t)n * sizeof *ref);
    }
    mf_test_run_free(&run);
  }
  free(ref);
  omp_set_num_threads(2);
}

static void test_bit_identical_across_threads(void **state) {
  (void)state;
  check_bit_identical(bend_case);
}

/* Block assembly with several blocks (19,440 tets: 3 blocks of MF_BLOCK_ELEMS). */
static const char *bend_blocks_case = "mesh: box:4x1x1:40x9x9\n"
                                      "materials: [{model: neo-hookean, E: 1000, nu: 0.3}]\n"
                                      "boundary: [{group: xmin, ux: 0, uy: 0, uz: 0}, {group: xmax, uz: -1.0}]\n"
                                      "steps: {count: 1}\n"
                                      "assembly: blocks\n";

static void test_bit_identical_across_threads_blocks(void **state) {
  (void)state;
  check_bit_identical(bend_blocks_case);
}

static void test_colouring_has_no_conflicts(void **state) {
  (void)state;
  mf_mesh *m;
  assert_int_equal(mf_mesh_load("box:2x1x1:10x5x4", &m), MF_OK);
  mf_colouring *c;
  assert_int_equal(mf_colouring_create(m, &c), MF_OK);
  assert_int_equal(mf_colouring_verify(c, m), MF_OK);
  assert_true(c->n_colours >= 14); /* a structured Kuhn mesh has nodes in 24 tets */
  /* A deliberately broken colouring is caught. */
  mf_idx saved = c->elems[1];
  c->elems[1] = c->elems[0];
  mf_error_clear();
  assert_int_not_equal(mf_colouring_verify(c, m), MF_OK);
  c->elems[1] = saved;
  mf_error_clear();
  mf_colouring_destroy(&c);
  assert_null(c);
  mf_mesh_destroy(&m);
}

/* Every element in exactly one block interior or the interface colouring, interiors of
 * different blocks sharing no node, a conflict-free interface colouring; one block and
 * more blocks than make sense are handled; a broken blocking is caught. */
static void test_blocking_partitions_elements(void **state) {
  (void)state;
  mf_mesh *m;
  assert_int_equal(mf_mesh_load("box:2x1x1:16x8x8", &m), MF_OK); /* 6,144 tets */
  const mf_idx sizes[] = {1000000, 6144, 1024, 100, 7};
  for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
    mf_blocking *b;
    assert_int_equal(mf_blocking_create(m, sizes[k], &b), MF_OK);
    assert_int_equal(b->n_blocks, (int)((m->n_elems + sizes[k] - 1) / sizes[k]));
    assert_int_equal(mf_blocking_verify(b, m), MF_OK);
    double share = mf_blocking_interface_share(b, m);
    if (b->n_blocks == 1) assert_true(share == 0.0);
    else assert_true(share > 0.0 && share <= 1.0);
    if (b->n_blocks > 1 && b->ptr[1] > 0 && b->interface->ptr[b->interface->n_colours] > 0) {
      /* An interface element slipped into a block interior is caught. */
      mf_idx saved = b->interior[0];
      b->interior[0] = b->interface->elems[0];
      mf_error_clear();
      assert_int_not_equal(mf_blocking_verify(b, m), MF_OK);
      b->interior[0] = saved;
      mf_error_clear();
    }
    mf_blocking_destroy(&b);
    assert_null(b);
  }
  mf_error_clear();
  mf_blocking *b = NULL;
  assert_int_not_equal(mf_blocking_create(m, 0, &b), MF_OK);
  assert_null(b);
  mf_error_clear();
  mf_mesh_destroy(&m);
}

/* ---- Newton edge cases -------------------------------------------------------------- */

static void test_zero_load_needs_no_iteration(void **state) {
  (void)state;
  mf_test_run run;
  mf_test_run_yaml(&run,
                   "mesh: box:1x1x1:2x2x2\nmaterials: [{model: neo-hookean, E: 10, nu: 0.3}]\n"
                   "boundary: [{group: xmin, ux: 0, uy: 0, uz: 0}]\nsteps: {count: 2}\n",
                   0, NULL, NULL);
  assert_int_equal(run.status, MF_OK);
  assert_int_equal(run.res.n_steps, 2);
  for (int s = 0; s < 2; s++) {
    assert_int_equal(run.res.steps[s].newton_iterations, 0);
    assert_string_equal(run.res.steps[s].converged_by, "atol");
  }
  mf_test_run_free(&run);
}

/* On a linear problem's last load step the assembly after a solve is expected to end
 * Newton and skips the tangent. Where it does not (a loose CG leaves Newton more
 * iterations), the tangent is assembled before the next solve, and the run still reaches
 * the tight solve's answer. A nonlinear law's last step skips it where the residuals'
 * quadratic rate expects the end; a step that another follows keeps it. */
static void run_bar(mf_test_run *run, const char *model, const char *pull, int steps, double cg_rtol,
                    int line_search) {
  char yaml[512];
  snprintf(yaml, sizeof yaml,
           "mesh: box:4x1x1:8x2x2\nmaterials: [{model: %s, E: 1000, nu: 0.3}]\n"
           "%s\nsteps: {count: %d}\nlinear: {rtol: %g}\n"
           "newton: {rtol: 1.0e-9, atol: 1.0e-14, max_iter: 40, line_search: %s}\n",
           model, pull, steps, cg_rtol, line_search ? "true" : "false");
  mf_test_run_yaml(run, yaml, 0, NULL, NULL);
  assert_int_equal(run->status, MF_OK);
}

/* Pulled by a traction, or by a prescribed end displacement (whose first iteration takes
 * the jump whole, the later ones going through the line search). */
static const char *pulled = "boundary: [{group: xmin, ux: 0, uy: 0, uz: 0}]\n"
                            "loads: [{group: xmax, traction: [1, 0.5, 0]}]";
static const char *stretched = "boundary: [{group: xmin, ux: 0, uy: 0, uz: 0}, {group: xmax, ux: 0.2}]";

static void run_pulled_bar(mf_test_run *run, const char *model, int steps, double cg_rtol, int line_search) {
  run_bar(run, model, pulled, steps, cg_rtol, line_search);
}

static void test_last_check_skips_the_tangent(void **state) {
  (void)state;
  mf_test_run tight, two, loose, whole, nh;
  run_pulled_bar(&tight, "linear-elastic", 1, 1e-12, 1);
  const long long n = tight.mesh->n_elems;
  assert_int_equal(tight.res.steps[0].newton_iterations, 1);
  assert_int_equal(tight.res.elements_assembled, 2 * n); /* the solve's tangent, then the check */
  assert_int_equal(tight.res.tangents_assembled, n);

  run_pulled_bar(&whole, "linear-elastic", 1, 1e-12, 0); /* steps taken whole: the loop's own assembly */
  assert_int_equal(whole.res.elements_assembled, 2 * n);
  assert_int_equal(whole.res.tangents_assembled, n);

  run_pulled_bar(&two, "linear-elastic", 2, 1e-12, 1); /* step 1's check is step 2's tangent */
  assert_int_equal(two.res.elements_assembled, 3 * n);
  assert_int_equal(two.res.tangents_assembled, 2 * n);

  run_pulled_bar(&loose, "linear-elastic", 1, 1e-2, 1);
  const int its = loose.res.steps[0].newton_iterations;
  print_message("loose CG: %d Newton iterations\n", its);
  assert_true(its > 1);
  assert_int_equal(loose.res.tangents_assembled, its * n); /* one per solve */
  assert_int_equal(loose.res.elements_assembled, 2 * its * n);
  const double *u0 = mf_solver_displacement(tight.solver), *u1 = mf_solver_displacement(loose.solver);
  double umax = 0, diff = 0;
  for (mf_nnz d = 0; d < tight.pb->ndof; d++) {
    umax = fmax(umax, fabs(u0[d]));
    diff = fmax(diff, fabs(u1[d] - u0[d]));
  }
  assert_true(umax > 0 && diff < 1e-7 * umax);

  /* both places that assemble a check: the loop's own assembly (no line search), and
   * the line search's full step after a prescribed jump taken whole */
  for (int line_search = 0; line_search < 2; line_search++) {
    run_bar(&nh, "neo-hookean", line_search ? stretched : pulled, 1, 1e-12, line_search);
    const int nh_its = nh.res.steps[0].newton_iterations;
    assert_true(nh_its > 2);
    assert_int_equal(nh.res.elements_assembled, (nh_its + 1) * n); /* the residuals contract quadratically: */
    assert_int_equal(nh.res.tangents_assembled, nh_its * n);       /* the check alone without the tangent */
    const double *r = nh.res.steps[0].residual_norms;
    assert_true(r[nh_its] < 1e-3 * r[nh_its - 1]);
    mf_test_run_free(&nh);
  }

  mf_test_run nh2; /* two steps: the first's check is the second's tangent */
  run_bar(&nh2, "neo-hookean", stretched, 2, 1e-12, 1);
  const int its1 = nh2.res.steps[0].newton_iterations, its2 = nh2.res.steps[1].newton_iterations;
  assert_int_equal(nh2.res.elements_assembled, (its1 + 1 + its2) * n);
  assert_int_equal(nh2.res.tangents_assembled, (its1 + its2) * n);
  mf_test_run_free(&tight);
  mf_test_run_free(&whole);
  mf_test_run_free(&two);
  mf_test_run_free(&loose);
  mf_test_run_free(&nh2);
}

/* What a process holds of the problem across processes (solver/mf_part_scatter.h): the
 * whole problem on the mesh's outline (a rank other than 0) or on the whole mesh (rank 0)
 * has the sizes, materials, boundary groups' nodes and probe nodes of the whole one and
 * no per-unknown fields; a part's problem, made on the part, has the whole one's bits. */
static void test_problem_outline_and_part(void **state) {
  (void)state;
  mf_test_run run;
  mf_test_run_yaml(&run,
                   "mesh: box:1x1x1:4x4x4\nmaterials: [{model: neo-hookean, E: 10, nu: 0.3}]\n"
                   "boundary: [{group: xmin, ux: 0, uy: 0, uz: 0}, {group: xmax, ux: 0.01}]\n"
                   "loads: [{group: ymax, traction: [0, 0.5, 0]}]\n"
                   "probes: {corner: [1, 1, 1]}\nsteps: {count: 1}\n",
                   0, NULL, NULL);
  assert_int_equal(run.status, MF_OK);
  const mf_problem *W = run.pb;
  mf_pack p = {0};
  assert_int_equal(mf_mesh_pack_outline(W->mesh, &p), MF_OK);
  p.w = malloc((p.n + 1) * sizeof *p.w), p.cap = p.n + 1, p.n = 0;
  assert_int_equal(mf_mesh_pack_outline(W->mesh, &p), MF_OK);
  mf_unpack u = {p.w, p.n, 0, "outline"};
  mf_mesh *outline = NULL;
  mf_problem *O = NULL;
  assert_int_equal(mf_mesh_unpack_outline(&u, &outline), MF_OK);
  free(p.w);
  assert_int_equal(mf_problem_create_outline(W->desc, outline, W->probe_node, &O), MF_OK);
  assert_true(O->ndof == W->ndof && O->probe_node[0] == W->probe_node[0] && O->shape == W->shape);
  assert_null(O->bc_mask);
  assert_null(O->fext);
  assert_int_equal(memcmp(O->region_mat, W->region_mat, ((size_t)W->mesh->n_groups + 1) * sizeof *W->region_mat), 0);
  for (int i = 0; i < W->desc->n_dirichlet; i++) {
    assert_int_equal(O->bc_group[i]->n_nodes, W->bc_group[i]->n_nodes);
    assert_int_equal(memcmp(O->bc_group[i]->nodes, W->bc_group[i]->nodes,
                            (size_t)W->bc_group[i]->n_nodes * sizeof *W->bc_group[i]->nodes),
                     0);
  }
  /* rank 0's: the same checks and probes on the whole mesh, and no fields */
  mf_problem *R = NULL;
  assert_int_equal(mf_problem_create_outline(W->desc, W->mesh, NULL, &R), MF_OK);
  assert_true(R->probe_node[0] == W->probe_node[0] && !R->bc_mask && !R->bc_value && !R->fext);
  mf_problem_destroy(&R);
  /* each part's own problem: an owned node's rows are the whole problem's bits; a
   * ghost's, once its owner's are shared (mf_problem_share_ghosts, here by hand), too */
  enum { NP = 3 };
  mf_partition *P = NULL;
  mf_part *pt[NP] = {NULL};
  mf_mesh *pm[NP] = {NULL};
  mf_problem *pp[NP] = {NULL};
  assert_int_equal(mf_partition_create(W->mesh, NP, NULL, &P), MF_OK);
  int without_load_faces = 0; /* a part that holds none of the loaded group's faces makes its problem too */
  for (int q = 0; q < NP; q++) {
    assert_int_equal(mf_part_create(P, q, &pt[q]), MF_OK);
    assert_int_equal(mf_part_mesh(P, pt[q], &pm[q]), MF_OK);
    assert_int_equal(mf_problem_create_part(W->desc, pm[q], &pp[q]), MF_OK);
    without_load_faces += mf_mesh_find_group(pm[q], "ymax", 2)->n_faces == 0;
  }
  assert_true(without_load_faces > 0);
  mf_nnz ghost_rows_unlike = 0;
  for (int q = 0; q < NP; q++)
    for (mf_idx l = 0; l < pt[q]->n_owned + pt[q]->n_ghost; l++) {
      const mf_idx node = pt[q]->nodes[l];
      const mf_part *o = l < pt[q]->n_owned ? pt[q] : pt[pt[q]->ghost_owner[l - pt[q]->n_owned]];
      const mf_problem *op = pp[o->part];
      const mf_idx ol = mf_part_local_node(o, node);
      assert_true(ol >= 0 && ol < o->n_owned);
      for (int c = 0; c < 3; c++) {
        const mf_nnz d = 3 * (mf_nnz)ol + c, D = 3 * (mf_nnz)node + c, mine = 3 * (mf_nnz)l + c;
        assert_int_equal(op->bc_mask[d], W->bc_mask[D]);
        assert_int_equal(memcmp(&op->bc_value[d], &W->bc_value[D], sizeof(double)), 0);
        assert_int_equal(memcmp(&op->fext[d], &W->fext[D], sizeof(double)), 0);
        ghost_rows_unlike += memcmp(&pp[q]->fext[mine], &W->fext[D], sizeof(double)) != 0 ||
                             pp[q]->bc_mask[mine] != W->bc_mask[D];
      }
    }
  assert_true(ghost_rows_unlike > 0); /* what the sharing is for: a ghost lacks faces on its part */
  for (int q = 0; q < NP; q++) {
    mf_problem_destroy(&pp[q]);
    mf_mesh_destroy(&pm[q]);
    mf_part_destroy(&pt[q]);
  }
  mf_partition_destroy(&P);
  mf_problem_destroy(&O);
  mf_mesh_destroy(&outline);
  mf_test_run_free(&run);
}

/* A stretch to 4x in one step: the full step's tangent is indefinite (CG breaks down),
 * half steps converge. */
static const char *stretch_case = "mesh: box:1x1x1:3x3x3\n"
                                  "materials: [{model: neo-hookean, E: 100, nu: 0.3}]\n"
                                  "boundary: [{group: xmin, ux: 0}, {group: ymin, uy: 0}, {group: zmin, uz: 0},\n"
                                  "           {group: xmax, ux: 3.0}]\n"
                                  "steps: {count: 1, max_cutbacks: 10}\n"
                                  "newton: {max_iter: 6}\n";

static void test_cutback_recovers(void **state) {
  (void)state;
  mf_test_run run;
  mf_test_run_yaml(&run, stretch_case, 0, NULL, NULL);
  assert_int_equal(run.status, MF_OK);
  int cutbacks = 0;
  for (int s = 0; s < run.res.n_steps; s++) cutbacks += run.res.steps[s].cutbacks;
  print_message("stretch: %d steps, %d cutbacks\n", run.res.n_steps, cutbacks);
  assert_true(cutbacks > 0);
  assert_true(run.res.n_steps > 1);
  assert_near(run.res.final_load_factor, 1.0, 0.0);
  mf_test_run_free(&run);
}

/* Crushing a clamped block with shear buckles it: with no cutbacks allowed, the run
 * stops at the first failed step and keeps the converged ones. */
static void test_failure_after_cutbacks_keeps_converged_steps(void **state) {
  (void)state;
  mf_test_run run;
  mf_test_run_yaml(&run,
                   "mesh: box:1x1x1:3x3x3\n"
                   "materials: [{model: neo-hookean, E: 100, nu: 0.3}]\n"
                   "boundary: [{group: xmin, ux: 0, uy: 0, uz: 0}, {group: xmax, ux: -0.7, uy: 0.3}]\n"
                   "steps: {count: 4, max_cutbacks: 0}\n"
                   "newton: {max_iter: 8}\n",
                   0, NULL, NULL);
  assert_int_equal(run.status, MF_ERR_SOLVER);
  assert_non_null(strstr(run.res.message, "cutbacks"));
  print_message("crush: failed after %d converged steps: %s\n", run.res.n_steps, run.res.message);
  assert_true(run.res.n_steps >= 1);
  assert_true(run.res.final_load_factor < 1.0);
  for (int s = 0; s < run.res.n_steps; s++) assert_true(run.res.steps[s].converged);
  mf_test_run_free(&run);
  mf_error_clear();
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_patch_linear_elastic),
      cmocka_unit_test(test_uniaxial_neo_hookean),
      cmocka_unit_test(test_uniaxial_neo_hookean_decoupled),
      cmocka_unit_test(test_bit_identical_across_threads),
      cmocka_unit_test(test_bit_identical_across_threads_blocks),
      cmocka_unit_test(test_blocking_partitions_elements),
      cmocka_unit_test(test_colouring_has_no_conflicts),
      cmocka_unit_test(test_zero_load_needs_no_iteration),
      cmocka_unit_test(test_last_check_skips_the_tangent),
      cmocka_unit_test(test_problem_outline_and_part),
      cmocka_unit_test(test_cutback_recovers),
      cmocka_unit_test(test_failure_after_cutbacks_keeps_converged_steps),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
