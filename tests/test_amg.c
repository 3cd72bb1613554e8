/* memfem's multigrid (la/mf_amg.h) on elasticity matrices of generated boxes:
 *  - the V-cycle is a symmetric positive definite operator (x'My = y'Mx, x'Mx > 0);
 *  - the tentative prolongator reproduces the rigid-body modes from the coarse ones;
 *  - a row with only weak couplings still joins an aggregate;
 *  - distance-1 aggregates (amg.aggressive_levels) are a root and its neighbours, and
 *    bit-identical at any thread count;
 *  - CG iterations grow by less than 1.5x per refinement, 8^3 -> 16^3 -> 32^3 cells;
 *  - solutions are bit-identical at 1, 2, 3 and 13 threads (Chebyshev; Jacobi at 1 and 3);
 *  - a whole run allocates nothing in Newton iterations after the first (pool build);
 *  - symmetric storage, single-precision prolongators and the fine matrix in float
 *    (amg.fine_precision) keep the answer and the bits at any thread count;
 *  - the answers agree with block-Jacobi's to the solver tolerance on the shipped cases. */
#include <stdlib.h>
#include <string.h>

#include "fem/mf_assemble.h"
#include "io/mf_checksum.h"
#include "la/mf_amg_impl.h"
#include "la/mf_cg.h"
#include "mem/mf_scratch.h"
#include "mem/mf_telemetry.h"
#include "mf_test_solve.h"

/* The linear-elastic stiffness of a box, nodes on face xmin fixed (identity rows and
 * columns, as the Newton solver imposes them), and what the multigrid needs with it. */
typedef struct {
  mf_mesh *mesh;
  mf_material *mat;
  mf_bcsr *K;
  mf_vec_layout *L;
  mf_operator op;
  double *xyz;
  mf_nnz n;
} box_system;

static void box_make(const char *spec, box_system *b) {
  memset(b, 0, sizeof *b);
  if (mf_mesh_load(spec, &b->mesh)) fail_msg("mesh: %s", mf_error_message());
  mf_mesh *m = b->mesh;
  b->mat = calloc((size_t)m->n_groups + 1, sizeof *b->mat);
  for (int r = 0; r <= m->n_groups; r++)
    assert_int_equal(mf_material_from_E_nu(MF_MAT_LINEAR_ELASTIC, 1000.0, 0.3, &b->mat[r]), MF_OK);
  mf_assembly *asmb;
  assert_int_equal(mf_assembly_create(m, mf_shape_of(m->elem->type), b->mat, MF_ASSEMBLY_COLOUR, &asmb), MF_OK);
  assert_int_equal(mf_bcsr_create_from_mesh(m, 3, 0, &b->K), MF_OK);
  assert_int_equal(mf_assembly_bind(asmb, b->K), MF_OK);
  b->n = 3 * (mf_nnz)m->nodes.n_local;
  double *u = calloc((size_t)b->n, sizeof *u), *f = calloc((size_t)b->n, sizeof *f);
  assert_int_equal(mf_assemble(asmb, u, b->K, f), MF_OK);
  free(u), free(f);
  mf_assembly_destroy(&asmb);
  const mf_group *g = mf_mesh_find_group(m, "xmin", 2);
  assert_non_null(g);
  uint8_t *fixed = calloc((size_t)m->nodes.n_local, 1);
  for (mf_idx k = 0; k < g->n_nodes; k++) fixed[g->nodes[k]] = 1;
  mf_bcsr *K = b->K;
  for (mf_idx i = 0; i < K->n_rows; i++)
    for (mf_nnz p = K->row_ptr[i]; p < K->row_ptr[i + 1]; p++)
      if (fixed[i] || fixed[K->col[p]])
        for (int c = 0; c < 9; c++) K->val[9 * p + c] = (K->col[p] == i && c % 4 == 0) ? 1.0 : 0.0;
  free(fixed);
  assert_int_equal(mf_vec_layout_create(K->n_rows, 0, 3, &b->L), MF_OK);
  b->op = mf_bcsr_operator(K, b->L);
  b->xyz = calloc((size_t)b->n, sizeof *b->xyz);
  for (mf_idx i = 0; i < m->nodes.n_local; i++) mf_nodes_coords(&m->nodes, i, &b->xyz[3 * i]);
}

static void box_free(box_system *b) {
  free(b->xyz), free(b->mat);
  mf_vec_layout_destroy(&b->L);
  mf_bcsr_destroy(&b->K);
  mf_mesh_destroy(&b->mesh);
}

static mf_pc *amg_with(box_system *b, mf_amg_smoother smoother, int aggressive_levels) {
  mf_pc_options po = mf_pc_options_default();
  po.type = MF_PC_AMG;
  po.amg.smoother = smoother;
  po.amg.aggressive_levels = aggressive_levels;
  mf_pc *pc;
  assert_int_equal(mf_pc_create(&po, &pc), MF_OK);
  mf_pc_set_coordinates(pc, b->xyz, b->mesh->nodes.global_id);
  assert_int_equal(mf_pc_setup_symbolic(pc, &b->op), MF_OK);
  if (mf_pc_setup_numeric(pc, &b->op)) fail_msg("amg setup: %s", mf_error_message());
  return pc;
}

static double rnd(uint64_t *s) {
  *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
  return (double)(*s >> 11) / 4503599627370496.0 - 1.0;
}

static double dot(mf_nnz n, const double *x, const double *y) {
  double s = 0;
  for (mf_nnz i = 0; i < n; i++) s += x[i] * y[i];
  return s;
}

static void vcycle_is_spd(mf_amg_smoother smoother) {
  box_system b;
  box_make("box:2x1x1:8x4x4", &b);
  mf_pc *pc = amg_with(&b, smoother, MF_AMG_MAX_LEVELS);
  mf_amg_info info;
  mf_pc_levels(pc, &info);
  assert_true(info.n_levels >= 2);
  double *x = calloc((size_t)b.n, sizeof *x), *y = calloc((size_t)b.n, sizeof *y);
  double *Mx = calloc((size_t)b.n, sizeof *Mx), *My = calloc((size_t)b.n, sizeof *My);
  uint64_t seed = 17;
  for (int trial = 0; trial < 5; trial++) {
    for (mf_nnz i = 0; i < b.n; i++) x[i] = rnd(&seed), y[i] = rnd(&seed);
    mf_pc_apply(pc, x, Mx);
    mf_pc_apply(pc, y, My);
    double xMy = dot(b.n, x, My), yMx = dot(b.n, y, Mx), xMx = dot(b.n, x, Mx);
    print_message("x'My = %.17g, y'Mx = %.17g, x'Mx = %.6g\n", xMy, yMx, xMx);
    assert_true(fabs(xMy - yMx) <= 1e-12 * sqrt(xMx * dot(b.n, y, My)));
    assert_true(xMx > 0.0);
  }
  free(x), free(y), free(Mx), free(My);
  mf_pc_destroy(&pc);
  box_free(&b);
}

static void test_vcycle_is_symmetric_positive_definite(void **state) {
  (void)state;
  vcycle_is_spd(MF_AMG_CHEBYSHEV);
  vcycle_is_spd(MF_AMG_JACOBI);
}

/* The box's matrix as a bare fine level: what the aggregation and the QR read (global
 * ids, constrained unknowns). level0_free releases what this made. */
static mf_amg_level level0(const box_system *b) {
  mf_amg_level lv = {.A = b->K, .bs = 3, .n = b->K->n_rows, .L = b->L};
  lv.fixed = calloc((size_t)b->n, 1);
  lv.gid = calloc((size_t)lv.n, sizeof *lv.gid);
  for (mf_idx i = 0; i < lv.n; i++) lv.gid[i] = (uint64_t)b->mesh->nodes.global_id[i];
  mf_amg_find_fixed(&lv);
  return lv;
}

static void level0_free(mf_amg_level *lv) {
  free(lv->fixed), free(lv->gid);
  mf_free(&lv->agg), mf_free(&lv->root);
}

/* Q Bc = B: the coarse level's modes, prolonged by the tentative prolongator, are the
 * fine level's rigid-body modes about the coordinates' origin (on every aggregated,
 * unconstrained unknown): one frame for every aggregate, so that the coarser levels'
 * aggregates of coarse nodes can reproduce the rotations too. (Bc in each aggregate's
 * own frame reproduced the modes about each root: the fine cantilever took 83 CG
 * iterations instead of 21.) */
static void test_tentative_prolongator_reproduces_rigid_modes(void **state) {
  (void)state;
  box_system b;
  box_make("box:2x1x1:8x4x4", &b);
  mf_amg_level lv = level0(&b);
  const int M = MF_AMG_MODES;
  assert_int_equal(mf_amg_aggregate(&lv, 0.0, 2), MF_OK);
  assert_true(lv.nc > 1 && lv.nc < lv.n / 4);
  lv.agg_ptr = calloc((size_t)lv.nc + 1, sizeof *lv.agg_ptr);
  lv.agg_rows = calloc((size_t)lv.n, sizeof *lv.agg_rows);
  for (mf_idx i = 0; i < lv.n; i++)
    if (lv.agg[i] >= 0) lv.agg_ptr[lv.agg[i] + 1]++;
  for (mf_idx a = 0; a < lv.nc; a++) lv.agg_ptr[a + 1] += lv.agg_ptr[a];
  mf_nnz *fill = calloc((size_t)lv.nc, sizeof *fill);
  for (mf_idx i = 0; i < lv.n; i++)
    if (lv.agg[i] >= 0) lv.agg_rows[lv.agg_ptr[lv.agg[i]] + fill[lv.agg[i]]++] = i;
  double *B = calloc((size_t)b.n * M, sizeof *B), *Bc = calloc((size_t)lv.nc * M * M, sizeof *Bc);
  mf_amg_rigid_modes(&lv, b.xyz, B);
  for (int single = 0; single < 2; single++) { /* Q in double, then stored in float */
    assert_int_equal(mf_amg_tentative_alloc(&lv, single), MF_OK);
    assert_int_equal(mf_amg_tentative(&lv, b.xyz, Bc), MF_OK);
    double err = 0.0, scale = 0.0;
    int checked = 0;
    for (mf_idx i = 0; i < lv.n; i++) {
      if (lv.agg[i] < 0) continue;
      double qbuf[3 * MF_AMG_MODES];
      const double *Qi = mf_amg_qblock(&lv, i, qbuf);
      for (int c = 0; c < 3; c++)
        for (int k = 0; k < M; k++) {
          double v = 0.0;
          for (int j = 0; j < M; j++) v += Qi[c * M + j] * Bc[((size_t)M * lv.agg[i] + j) * M + k];
          err = fmax(err, fabs(v - B[(3 * (size_t)i + c) * M + k]));
          scale = fmax(scale, fabs(B[(3 * (size_t)i + c) * M + k]));
          checked++;
        }
    }
    print_message("%s Q: %lld aggregates of %lld nodes; max |Q Bc - B| = %.3e (modes up to %.3g), %d entries\n",
                  single ? "float" : "double", (long long)lv.nc, (long long)lv.n, err, scale, checked);
    /* double: round-off; float: each entry of Q rounded once (2^-24 relative), summed
     * over 6 columns of R */
    assert_true(err <= (single ? 1e-6 : 1e-13) * scale);
    mf_free(&lv.Q), mf_free(&lv.Qf), mf_free(&lv.qr_work), mf_free(&lv.dropped);
  }
  free(B), free(Bc), free(fill);
  level0_free(&lv);
  free(lv.agg_ptr), free(lv.agg_rows);
  box_free(&b);
}

/* A row whose couplings are all weak (below the threshold) but which is not fixed still
 * gets an aggregate: that of its strongest neighbour. Left out, its unknowns would have
 * no coarse correction (on a fine Gmsh cantilever at threshold 0.1, 189 CG iterations
 * instead of 48). */
static void test_weakly_coupled_row_joins_an_aggregate(void **state) {
  (void)state;
  box_system b;
  box_make("box:1x1x1:6x6x6", &b);
  mf_bcsr *K = b.K;
  const mf_idx w = K->n_rows / 2; /* an interior node */
  mf_idx strongest = -1;
  double best = 0.0;
  for (mf_idx i = 0; i < K->n_rows; i++) /* scale row w and column w off the diagonal */
    for (mf_nnz p = K->row_ptr[i]; p < K->row_ptr[i + 1]; p++) {
      if ((i == w) == (K->col[p] == w)) continue;
      double s2 = 0.0;
      for (int c = 0; c < 9; c++) s2 += K->val[9 * p + c] * K->val[9 * p + c];
      if (i == w && s2 > best) best = s2, strongest = K->col[p];
      for (int c = 0; c < 9; c++) K->val[9 * p + c] *= 1e-3;
    }
  assert_true(strongest >= 0);
  mf_amg_level lv = level0(&b);
  assert_int_equal(mf_amg_aggregate(&lv, 0.04, 2), MF_OK);
  mf_idx left_out = 0;
  for (mf_idx i = 0; i < lv.n; i++) {
    int all_fixed = 1;
    for (int c = 0; c < 3; c++) all_fixed &= lv.fixed[3 * (size_t)i + c];
    left_out += !all_fixed && lv.agg[i] < 0;
  }
  print_message("weak row %lld: aggregate %lld; %lld unfixed rows in no aggregate\n", (long long)w,
                (long long)lv.agg[w], (long long)left_out);
  assert_true(lv.agg[w] >= 0);
  assert_int_equal(lv.agg[w], lv.agg[strongest]);
  assert_int_equal(left_out, 0);
  level0_free(&lv);
  box_free(&b);
}

/* CG + amg on K x = b (b: a smooth load), to 1e-8; returns the iterations. */
static int solve_box_with(const char *spec, int threads, mf_amg_smoother smoother, int aggressive_levels,
                          uint64_t *hash) {
  omp_set_num_threads(threads);
  box_system b;
  box_make(spec, &b);
  mf_pc *pc = amg_with(&b, smoother, aggressive_levels);
  double *rhs = calloc((size_t)b.n, sizeof *rhs), *x = calloc((size_t)b.n, sizeof *x);
  for (mf_idx i = 0; i < b.K->n_rows; i++) rhs[3 * i + 2] = -1e-3 * (1.0 + b.xyz[3 * i]); /* fixed rows: */
  for (mf_idx i = 0; i < b.K->n_rows; i++)                                                 /* zero */
    if (b.K->val[9 * b.K->diag[i] + 1] == 0.0 && b.K->row_ptr[i + 1] - b.K->row_ptr[i] > 0) {
      int alone = 1;
      for (mf_nnz p = b.K->row_ptr[i]; p < b.K->row_ptr[i + 1]; p++)
        if (b.K->col[p] != i && b.K->val[9 * p + 8] != 0.0) alone = 0;
      if (alone) rhs[3 * i + 2] = 0.0;
    }
  mf_cg *cg;
  assert_int_equal(mf_cg_create(b.L, &cg), MF_OK);
  mf_cg_stats st;
  assert_int_equal(mf_cg_solve(cg, &b.op, pc, rhs, x, 1e-8, 500, &st), MF_OK);
  assert_true(st.converged);
  if (hash) *hash = mf_fnv1a64(MF_FNV1A64_INIT, x, (size_t)b.n * sizeof *x);
  mf_amg_info info;
  mf_pc_levels(pc, &info);
  print_message("%s: %d CG iterations, %d levels, operator complexity %.3f\n", spec, st.iterations, info.n_levels,
                info.operator_complexity);
  free(rhs), free(x);
  mf_cg_destroy(&cg);
  mf_pc_destroy(&pc);
  box_free(&b);
  omp_set_num_threads(2);
  return st.iterations;
}

static int solve_box(const char *spec, int threads, uint64_t *hash) {
  return solve_box_with(spec, threads, MF_AMG_CHEBYSHEV, MF_AMG_MAX_LEVELS, hash);
}

static void test_iterations_grow_slowly_with_refinement(void **state) {
  (void)state;
  int it8 = solve_box("box:1x1x1:8x8x8", 2, NULL);
  int it16 = solve_box("box:1x1x1:16x16x16", 2, NULL);
  int it32 = solve_box("box:1x1x1:32x32x32", 2, NULL);
  assert_true(it16 < 1.5 * it8);
  assert_true(it32 < 1.5 * it16);
}

/* 1, 2 and 3 threads, and 13: more threads than the coarse levels have rows, so some
 * threads own no coarse row of a restriction (mf_amg_prolong.c's RESTRICT_KERNEL). */
static void test_bit_identical_at_any_thread_count(void **state) {
  (void)state;
  const int threads[4] = {1, 2, 3, 13};
  uint64_t h[4];
  int it[4];
  for (int k = 0; k < 4; k++) it[k] = solve_box("box:2x1x1:16x8x8", threads[k], &h[k]);
  for (int k = 1; k < 4; k++) {
    assert_int_equal(it[0], it[k]);
    assert_true(h[0] == h[k]);
  }
}

/* amg.aggressive_levels: distance-1 aggregates (a root and its neighbours: no two roots
 * adjacent, every member next to its root) on the levels past it; with them on every
 * level below the finest, the same bits at 1, 2 and 3 threads. */
static void test_distance_one_aggregates(void **state) {
  (void)state;
  box_system b;
  box_make("box:2x1x1:8x4x4", &b);
  mf_amg_level lv = level0(&b);
  assert_int_equal(mf_amg_aggregate(&lv, 0.0, 1), MF_OK);
  mf_idx nc1 = lv.nc, far = 0, adjacent_roots = 0;
  for (mf_idx i = 0; i < lv.n; i++)
    if (lv.agg[i] >= 0 && mf_bcsr_find(b.K, i, lv.root[lv.agg[i]]) < 0) far++;
  for (mf_idx a = 0; a < lv.nc; a++)
    for (mf_idx c = 0; c < lv.nc; c++)
      if (a != c && mf_bcsr_find(b.K, lv.root[a], lv.root[c]) >= 0) adjacent_roots++;
  mf_free(&lv.agg), mf_free(&lv.root);
  assert_int_equal(mf_amg_aggregate(&lv, 0.0, 2), MF_OK);
  print_message("distance 1: %lld aggregates (distance 2: %lld) of %lld nodes; %lld members away from their "
                "root, %lld pairs of adjacent roots\n",
                (long long)nc1, (long long)lv.nc, (long long)lv.n, (long long)far, (long long)adjacent_roots);
  assert_int_equal(far, 0);
  assert_int_equal(adjacent_roots, 0);
  assert_true(nc1 > lv.nc); /* smaller aggregates */
  level0_free(&lv);
  box_free(&b);

  uint64_t h[3];
  int it[3];
  for (int t = 1; t <= 3; t++) it[t - 1] = solve_box_with("box:2x1x1:16x8x8", t, MF_AMG_CHEBYSHEV, 1, &h[t - 1]);
  assert_int_equal(it[0], it[1]);
  assert_int_equal(it[0], it[2]);
  assert_true(h[0] == h[1] && h[0] == h[2]);
}

/* smoother: jacobi - damped block-Jacobi sweeps: also a multigrid whose iterations grow
 * slowly, and the same bits at 1 and 3 threads. */
static void test_jacobi_smoother(void **state) {
  (void)state;
  uint64_t h1, h3;
  int it8 = solve_box_with("box:1x1x1:8x8x8", 1, MF_AMG_JACOBI, MF_AMG_MAX_LEVELS, &h1);
  int it8_3 = solve_box_with("box:1x1x1:8x8x8", 3, MF_AMG_JACOBI, MF_AMG_MAX_LEVELS, &h3);
  int it16 = solve_box_with("box:1x1x1:16x16x16", 2, MF_AMG_JACOBI, MF_AMG_MAX_LEVELS, NULL);
  assert_int_equal(it8, it8_3);
  assert_true(h1 == h3);
  assert_true(it16 < 1.5 * it8);
}

/* A whole run: telemetry counts the allocations of each Newton iteration. */
static void no_allocation_after_the_first_iteration(const char *linear) {
  char yaml[512];
  snprintf(yaml, sizeof yaml,
           "mesh: box:2x1x1:12x6x6\n"
           "materials: [{model: neo-hookean, E: 1000, nu: 0.3}]\n"
           "boundary: [{group: xmin, ux: 0, uy: 0, uz: 0}, {group: xmax, uz: -0.2}]\n"
           "steps: {count: 3}\n"
           "linear: %s\n",
           linear);
  char path[64];
  snprintf(path, sizeof path, "/tmp/memfem-amg-%d.yaml", (int)getpid());
  mf_test_write_file(path, yaml);
  mf_test_run run;
  mf_telemetry *tel;
  memset(&run, 0, sizeof run);
  omp_set_num_threads(2);
  assert_int_equal(mf_case_load(path, &run.cs), MF_OK);
  assert_int_equal(mf_mesh_load(run.cs->mesh, &run.mesh), MF_OK);
  assert_int_equal(mf_mesh_reorder(run.mesh, run.cs->reorder), MF_OK);
  assert_int_equal(mf_problem_create(&run.cs->problem, run.mesh, &run.pb), MF_OK);
  assert_int_equal(mf_solver_create(run.pb, &run.cs->solver, &run.solver), MF_OK);
  assert_int_equal(mf_telemetry_open(NULL, &tel), MF_OK);
  mf_solver_set_telemetry(run.solver, tel);
  mf_run_options opt = {.quiet = 1};
  assert_int_equal(mf_solver_run(run.solver, &opt, &run.res), MF_OK);
  const mf_telemetry_summary *s = mf_telemetry_get_summary(tel);
  print_message("%s scratch: %llu allocations in the first iteration, at most %llu in a later one\n",
                mf_scratch_name(), (unsigned long long)s->first.allocs, (unsigned long long)s->max_allocs_later_iteration);
  if (strcmp(mf_scratch_name(), "pool") == 0) {
    assert_true(s->first.allocs > 0); /* the hierarchy is built in the first numeric set-up */
    assert_int_equal(s->allocs_in_iterations, s->first.allocs);
  }
  mf_telemetry_close(&tel);
  mf_test_run_free(&run);
  unlink(path);
}

/* (With amg.fine_precision single, later set-ups refill the fine matrix's float copy in
 * place.) */
static void test_no_allocation_after_the_first_iteration(void **state) {
  (void)state;
  no_allocation_after_the_first_iteration("{preconditioner: amg}");
  no_allocation_after_the_first_iteration("{preconditioner: amg, amg: {fine_precision: single}}");
}

/* Newton stops at rtol 1e-8 of the residual: both land within that of the solution. */
static void test_answers_agree_with_block_jacobi(void **state) {
  (void)state;
  assert_true(mf_test_pc_difference(MF_SOURCE_DIR "/configs/cube.yaml", NULL, 0, MF_PC_AMG) <= 1e-6);
  assert_true(mf_test_pc_difference(MF_SOURCE_DIR "/configs/cantilever.yaml", NULL, 3, MF_PC_AMG) <= 1e-6);
  assert_true(mf_test_pc_difference(MF_SOURCE_DIR "/configs/plate_hole.yaml", NULL, 0, MF_PC_AMG) <= 1e-6);
  assert_true(mf_test_pc_difference(MF_SOURCE_DIR "/configs/box_1m.yaml", "box:1x1x1:10x10x10", 0, MF_PC_AMG) <= 1e-6);
}

/* matrix: symmetric (the upper triangle of the tangent): the bits of full storage (the
 * element tangents are symmetric to the bit, so are the assembled matrix and the products
 * of both storages), at 1, 2 and 3 threads, with amg and block-Jacobi. */
static void test_symmetric_storage(void **state) {
  (void)state;
  const mf_pc_type pcs[] = {MF_PC_AMG, MF_PC_BLOCK_JACOBI};
  for (int k = 0; k < 2; k++) {
    mf_idx n;
    omp_set_num_threads(2);
    double *uf = mf_test_solve_stored(MF_SOURCE_DIR "/configs/cube.yaml", NULL, 2, pcs[k], MF_MATRIX_FULL, &n);
    double *us[3];
    for (int t = 1; t <= 3; t++) {
      omp_set_num_threads(t);
      us[t - 1] = mf_test_solve_stored(MF_SOURCE_DIR "/configs/cube.yaml", NULL, 2, pcs[k], MF_MATRIX_SYMMETRIC, &n);
    }
    double scale;
    const double diff = mf_test_max_difference(us[0], uf, n, &scale);
    print_message("%s: symmetric against full storage %.2e\n", mf_pc_name(pcs[k]), diff / scale);
    assert_memory_equal(us[0], uf, 3 * (size_t)n * sizeof(double));
    assert_memory_equal(us[0], us[1], 3 * (size_t)n * sizeof(double));
    assert_memory_equal(us[0], us[2], 3 * (size_t)n * sizeof(double));
    free(uf), free(us[0]), free(us[1]), free(us[2]);
  }
  omp_set_num_threads(2);
}

/* amg.precision: single (prolongators stored in float): block-Jacobi's answer to the
 * solver tolerance, bit-identical at 1 and 3 threads. */
static void test_single_precision_prolongator(void **state) {
  (void)state;
  char path[64];
  snprintf(path, sizeof path, "/tmp/memfem-amg-single-%d.yaml", (int)getpid());
  mf_test_write_file(path, "mesh: box:2x1x1:12x6x6\n"
                           "materials: [{model: neo-hookean, E: 1000, nu: 0.3}]\n"
                           "boundary: [{group: xmin, ux: 0, uy: 0, uz: 0}, {group: xmax, uz: -0.2}]\n"
                           "steps: {count: 2}\n"
                           "linear: {preconditioner: amg, amg: {precision: single}}\n");
  assert_true(mf_test_pc_difference(path, NULL, 0, MF_PC_AMG) <= 1e-6);
  mf_idx n;
  omp_set_num_threads(1);
  double *u1 = mf_test_solve_with(path, NULL, 0, MF_PC_AMG, &n);
  omp_set_num_threads(3);
  double *u3 = mf_test_solve_with(path, NULL, 0, MF_PC_AMG, &n);
  omp_set_num_threads(2);
  assert_memory_equal(u1, u3, 3 * (size_t)n * sizeof *u1);
  free(u1), free(u3);
  unlink(path);
}

/* amg.fine_precision: single (the V-cycle reads a float copy of the fine matrix): block-
 * Jacobi's answer to the solver tolerance, with full and symmetric storage (each its own
 * float kernel), bit-identical at 1 and 3 threads. */
static void test_fine_matrix_in_float(void **state) {
  (void)state;
  const mf_matrix_storage storage[] = {MF_MATRIX_FULL, MF_MATRIX_SYMMETRIC};
  char path[64];
  snprintf(path, sizeof path, "/tmp/memfem-amg-fine-single-%d.yaml", (int)getpid());
  mf_test_write_file(path, "mesh: box:2x1x1:12x6x6\n"
                           "materials: [{model: neo-hookean, E: 1000, nu: 0.3}]\n"
                           "boundary: [{group: xmin, ux: 0, uy: 0, uz: 0}, {group: xmax, uz: -0.2}]\n"
                           "steps: {count: 2}\n"
                           "linear: {preconditioner: amg, amg: {fine_precision: single}}\n");
  for (int k = 0; k < 2; k++) {
    mf_idx n;
    omp_set_num_threads(2);
    double *ub = mf_test_solve_stored(path, NULL, 0, MF_PC_BLOCK_JACOBI, storage[k], &n);
    omp_set_num_threads(1);
    double *u1 = mf_test_solve_stored(path, NULL, 0, MF_PC_AMG, storage[k], &n);
    omp_set_num_threads(3);
    double *u3 = mf_test_solve_stored(path, NULL, 0, MF_PC_AMG, storage[k], &n);
    omp_set_num_threads(2);
    assert_memory_equal(u1, u3, 3 * (size_t)n * sizeof *u1);
    double scale;
    const double diff = mf_test_max_difference(u1, ub, n, &scale);
    print_message("fine matrix in float, %s storage: %.2e from block-Jacobi's answer\n",
                  mf_name_of(mf_matrix_storage_names, (int)storage[k]), diff / scale);
    assert_true(diff <= 1e-6 * scale);
    free(ub), free(u1), free(u3);
  }
  unlink(path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_vcycle_is_symmetric_positive_definite),
      cmocka_unit_test(test_tentative_prolongator_reproduces_rigid_modes),
      cmocka_unit_test(test_weakly_coupled_row_joins_an_aggregate),
      cmocka_unit_test(test_distance_one_aggregates),
      cmocka_unit_test(test_iterations_grow_slowly_with_refinement),
      cmocka_unit_test(test_bit_identical_at_any_thread_count),
      cmocka_unit_test(test_jacobi_smoother),
      cmocka_unit_test(test_no_allocation_after_the_first_iteration),
      cmocka_unit_test(test_answers_agree_with_block_jacobi),
      cmocka_unit_test(test_symmetric_storage),
      cmocka_unit_test(test_single_precision_prolongator),
      cmocka_unit_test(test_fine_matrix_in_float),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
