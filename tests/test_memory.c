/* Memory-strategy guarantees, checked by memfem's own telemetry in whichever variant
 * this binary was built as (MEMFEM_SCRATCH, MEMFEM_LAYOUT, MEMFEM_ALLOCATOR):
 *  - pool: no allocation at all inside any Newton iteration, at 1 and 2 threads;
 *  - naive: at least one allocation per element per assembly, counted;
 *  - every layout stores the same coordinates; the scatter measure tells them apart;
 *  - the counting layer balances: what a run allocates it frees. */
#include <string.h>

#include "mem/mf_alloc.h"
#include "mem/mf_scratch.h"
#include "mem/mf_telemetry.h"
#include "mf_config.h"
#include "mf_test_solve.h"

static const char *case_yaml = "mesh: box:2x1x1:8x4x4\n"
                               "materials: [{model: neo-hookean, E: 1000, nu: 0.3}]\n"
                               "boundary: [{group: xmin, ux: 0, uy: 0, uz: 0}, {group: xmax, uz: -0.3}]\n"
                               "steps: {count: 3}\n";

/* Run the case with telemetry attached to the solver (summary only, no CSV). */
static void run_with_telemetry(int threads, mf_test_run *run, mf_telemetry **tel) {
  memset(run, 0, sizeof *run);
  char path[64];
  snprintf(path, sizeof path, "/tmp/memfem-test-mem-%d.yaml", (int)getpid());
  mf_test_write_file(path, case_yaml);
  omp_set_num_threads(threads);
  mf_error_clear();
  assert_int_equal(mf_case_load(path, &run->cs), MF_OK);
  unlink(path);
  assert_int_equal(mf_mesh_load(run->cs->mesh, &run->mesh), MF_OK);
  assert_int_equal(mf_problem_create(&run->cs->problem, run->mesh, &run->pb), MF_OK);
  assert_int_equal(mf_solver_create(run->pb, &run->cs->solver, &run->solver), MF_OK);
  assert_int_equal(mf_telemetry_open(NULL, tel), MF_OK);
  mf_solver_set_telemetry(run->solver, *tel);
  mf_run_options opt = {.quiet = 1};
  run->status = mf_solver_run(run->solver, &opt, &run->res);
  mf_telemetry_end(*tel);
}

static void test_newton_iterations_allocate_as_the_provider_says(void **state) {
  (void)state;
  for (int threads = 1; threads <= 2; threads++) {
    mf_test_run run;
    mf_telemetry *tel;
    run_with_telemetry(threads, &run, &tel);
    assert_int_equal(run.status, MF_OK);
    const mf_telemetry_summary *s = mf_telemetry_get_summary(tel);
    int newton = 0;
    for (int i = 0; i < run.res.n_steps; i++) newton += run.res.steps[i].newton_iterations;
    print_message("%s scratch, %d threads: %lld telemetry rows, %llu allocations in iterations "
                  "(max %llu in a first iteration, %llu in a later one)\n",
                  mf_scratch_name(), threads, s->rows, (unsigned long long)s->allocs_in_iterations,
                  (unsigned long long)s->max_allocs_first_iteration,
                  (unsigned long long)s->max_allocs_later_iteration);
    assert_int_equal(s->rows, newton + run.res.n_steps); /* one row per pass, the last checks only */
    if (strcmp(mf_scratch_name(), "pool") == 0) {
      assert_int_equal(s->max_allocs_later_iteration, 0);
      assert_int_equal(s->max_allocs_first_iteration, 0);
    } else {
      /* Every assembly allocates each scratch array once per element, and nothing else
       * in an iteration allocates: exactly arrays x elements assembled. */
      uint64_t per_assembly = (uint64_t)MF_SCRATCH_N_ARRAYS * (uint64_t)run.mesh->n_elems;
      assert_int_equal(s->allocs_in_iterations, (uint64_t)MF_SCRATCH_N_ARRAYS * (uint64_t)run.res.elements_assembled);
      assert_int_equal(s->first.allocs % per_assembly, 0);
      assert_true(s->first.allocs >= per_assembly);
    }
    mf_telemetry_close(&tel);
    mf_test_run_free(&run);
  }
  omp_set_num_threads(2);
}

static void test_every_allocation_is_freed(void **state) {
  (void)state;
  mf_alloc_stats before, after;
  mf_alloc_stats_get(&before);
  mf_test_run run;
  mf_telemetry *tel;
  run_with_telemetry(2, &run, &tel);
  assert_int_equal(run.status, MF_OK);
  mf_telemetry_close(&tel);
  mf_test_run_free(&run);
  mf_alloc_stats_get(&after);
  assert_int_equal(after.live_bytes, before.live_bytes);
  assert_int_equal(after.allocs - before.allocs, after.frees - before.frees);
}

static void test_layout_stores_and_scatter(void **state) {
  (void)state;
  mf_mesh *m;
  assert_int_equal(mf_mesh_load("box:1x2x3:4x5x6", &m), MF_OK);
  for (mf_idx i = 0; i < m->nodes.n_local; i++) {
    double X[3];
    mf_nodes_coords(&m->nodes, i, X);
    mf_idx ix = i % 5, iy = (i / 5) % 6, iz = i / 30;
    assert_near(X[0], 1.0 * ix / 4, 1e-15);
    assert_near(X[1], 2.0 * iy / 5, 1e-15);
    assert_near(X[2], 3.0 * iz / 6, 1e-15);
  }
  mf_nodes_scatter sc;
  mf_nodes_scatter_measure(&m->nodes, &sc);
  print_message("layout %s: %.1f%% of consecutive records adjacent, %.1f%% on the same page, mean gap %.0f bytes\n",
                MF_LAYOUT_NAME, 100 * sc.adjacent_share, 100 * sc.same_page_share, sc.mean_gap_bytes);
  if (strcmp(MF_LAYOUT_NAME, "boxed") == 0) {
    assert_true(sc.adjacent_share < 0.9); /* the interleaved loader allocations show */
  } else {
    assert_true(sc.adjacent_share == 1.0); /* contiguous arrays: 8 or 24 bytes apart */
    assert_true(sc.mean_gap_bytes <= 24.0);
  }
  mf_mesh_destroy(&m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_newton_iterations_allocate_as_the_provider_says),
      cmocka_unit_test(test_every_allocation_is_freed),
      cmocka_unit_test(test_layout_stores_and_scatter),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
