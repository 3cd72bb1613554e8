/* Unit tests for the case-file reader (io/mf_case.c).
 *
 * Valid cases must parse to exact values, defaults included. Every invalid input must
 * be refused with the documented status and one message naming the file, the line and
 * the offending key or value; each bad input is its own named test (BAD_CASES below),
 * and each also checks that no memfem allocation outlives the failed load. Case files
 * are written to a fresh directory under /tmp that the group teardown removes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/mf_case.h"
#include "mem/mf_alloc.h"
#include "mf_test_fixtures.h"

static char tmpdir[] = "/tmp/memfem_test_case.XXXXXX";

/* ---- fixtures and helpers ------------------------------------------------------- */

MF_TEST_TMPDIR_FIXTURES(tmpdir)

/* Write `text` to tmpdir/rel (creating one level of subdirectory) and return the path. */
static void write_case(const char *rel, const char *text, char path[PATH_MAX]) {
  snprintf(path, PATH_MAX, "%s/%s", tmpdir, rel);
  char *slash = strrchr(path, '/');
  if (slash > path + strlen(tmpdir)) {
    *slash = '\0';
    mkdir(path, 0700);
    *slash = '/';
  }
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
  assert_int_equal(fclose(f), 0);
}

/* Load `path` expecting failure `code`; the message must contain "PATH:LINE:" (just
 * PATH when line is 0) and `needle`. */
static void expect_failure(const char *path, mf_status code, int line, const char *needle) {
  int64_t live_before = mf_test_live_bytes();
  static mf_case sentinel;
  mf_case *c = &sentinel; /* the load must reset it to NULL */
  mf_error_clear();
  mf_status st = mf_case_load(path, &c);
  const char *msg = mf_error_message();
  print_message("  message: %s\n", msg);
  assert_int_equal(st, code);
  assert_null(c);
  char where[PATH_MAX + 32];
  if (line > 0)
    snprintf(where, sizeof where, "%s:%d:", path, line);
  else
    snprintf(where, sizeof where, "%s", path);
  assert_non_null(strstr(msg, where));
  assert_non_null(strstr(msg, needle));
  assert_int_equal(mf_test_live_bytes(), live_before);
}

static mf_case *load_ok(const char *path) {
  mf_case *c = NULL;
  mf_error_clear();
  mf_status st = mf_case_load(path, &c);
  if (st != MF_OK) print_error("unexpected failure: %s\n", mf_error_message());
  assert_int_equal(st, MF_OK);
  assert_non_null(c);
  return c;
}

static void assert_rel_equal(double got, double want) {
  assert_true(fabs(got - want) <= 1e-12 * fabs(want));
}

/* ---- valid cases ---------------------------------------------------------------- */

static const char full_case[] =
    "# every section, values away from the defaults\n"                       /* 1 */
    "mesh: ../meshes/cantilever.msh\n"                                       /* 2 */
    "materials:\n"                                                           /* 3 */
    "  - {region: solid, model: neo-hookean, E: 200000, nu: 0.3}\n"          /* 4 */
    "  - region: soft\n"                                                     /* 5 */
    "    model: neo-hookean-decoupled\n"                                     /* 6 */
    "    C10: 1.5\n"                                                         /* 7 */
    "    D1: 0.02\n"                                                         /* 8 */
    "  - {region: lin, model: linear-elastic, E: 1000, nu: -0.25}\n"         /* 9 */
    "  - {region: dec, model: neo-hookean-decoupled, E: 300, nu: 0.4}\n"     /* 10 */
    "boundary:\n"                                                            /* 11 */
    "  - {group: fixed, ux: 0, uy: 0, uz: 0}\n"                              /* 12 */
    "  - {group: tip, uz: -3.0}\n"                                           /* 13 */
    "loads:\n"                                                               /* 14 */
    "  - {group: top, traction: [0, 0, -1.0]}\n"                             /* 15 */
    "  - {body_force: [0, 0, -9.81e-6]}\n"                                   /* 16 */
    "steps: {count: 10, max_cutbacks: 4}\n"                                  /* 17 */
    "newton: {rtol: 1.0e-6, atol: 1.0e-9, dtol: 1e-11, max_iter: 30, line_search: false}\n"
    "linear: {solver: cg, preconditioner: jacobi, rtol: 1.0e-7, max_iter: 500}\n"
    "probes: {tip_center: [10, 0.5, 0.5], origin: [0, 0, 0]}\n"
    "output: {dir: out/cantilever, every: 3, compression: 4}\n"
    "checkpoint: {every: 2}\n";

static void check_full_materials(const mf_case *c) {
  assert_int_equal(c->problem.n_materials, 4);
  const mf_material_assignment *m = c->problem.materials;
  assert_string_equal(m[0].region, "solid");
  assert_int_equal(m[0].line, 4);
  assert_int_equal(m[0].mat.model, MF_MAT_NEO_HOOKEAN);
  assert_rel_equal(m[0].mat.mu, 200000 / (2 * 1.3));
  assert_rel_equal(m[0].mat.lambda, 200000 * 0.3 / (1.3 * 0.4));
  assert_string_equal(m[1].region, "soft");
  assert_int_equal(m[1].line, 5);
  assert_int_equal(m[1].mat.model, MF_MAT_NEO_HOOKEAN_DECOUPLED);
  assert_true(m[1].mat.C10 == 1.5 && m[1].mat.D1 == 0.02);
  assert_string_equal(m[2].region, "lin");
  assert_int_equal(m[2].mat.model, MF_MAT_LINEAR_ELASTIC);
  assert_rel_equal(m[2].mat.mu, 1000 / (2 * 0.75));
  assert_int_equal(m[3].mat.model, MF_MAT_NEO_HOOKEAN_DECOUPLED);
  double mu = 300 / (2 * 1.4), K = 300 / (3 * (1 - 0.8));
  assert_rel_equal(m[3].mat.C10, mu / 2);
  assert_rel_equal(m[3].mat.D1, 2 / K);
}

static void check_full_bc_loads(const mf_case *c) {
  assert_int_equal(c->problem.n_dirichlet, 2);
  const mf_dirichlet_set *d = c->problem.dirichlet;
  assert_string_equal(d[0].group, "fixed");
  assert_int_equal(d[0].line, 12);
  for (int k = 0; k < 3; k++) assert_true(d[0].fixed[k] && d[0].value[k] == 0.0);
  assert_string_equal(d[1].group, "tip");
  assert_int_equal(d[1].line, 13);
  assert_true(!d[1].fixed[0] && !d[1].fixed[1] && d[1].fixed[2]);
  assert_true(d[1].value[2] == -3.0);

  assert_int_equal(c->problem.n_loads, 2);
  const mf_load *l = c->problem.loads;
  assert_int_equal(l[0].kind, MF_LOAD_TRACTION);
  assert_string_equal(l[0].group, "top");
  assert_int_equal(l[0].line, 15);
  assert_true(l[0].vec[0] == 0.0 && l[0].vec[1] == 0.0 && l[0].vec[2] == -1.0);
  assert_int_equal(l[1].kind, MF_LOAD_BODY_FORCE);
  assert_string_equal(l[1].group, "");
  assert_int_equal(l[1].line, 16);
  assert_true(l[1].vec[2] == -9.81e-6);
}

static void check_full_controls(const mf_case *c) {
  assert_int_equal(c->solver.steps.count, 10);
  assert_int_equal(c->solver.steps.max_cutbacks, 4);
  assert_true(c->solver.newton.rtol == 1.0e-6 && c->solver.newton.atol == 1.0e-9 && c->solver.newton.dtol == 1e-11);
  assert_int_equal(c->solver.newton.max_iter, 30);
  assert_int_equal(c->solver.newton.line_search, 0);
  assert_int_equal(c->solver.linear.pc.type, MF_PC_JACOBI);
  assert_true(c->solver.linear.rtol == 1.0e-7);
  assert_int_equal(c->solver.linear.max_iter, 500);
  assert_int_equal(c->problem.n_probes, 2);
  assert_string_equal(c->problem.probes[0].name, "tip_center");
  assert_true(c->problem.probes[0].X[0] == 10 && c->problem.probes[0].X[1] == 0.5 && c->problem.probes[0].X[2] == 0.5);
  assert_string_equal(c->problem.probes[1].name, "origin");
  assert_string_equal(c->output_dir, "out/cantilever");
  assert_int_equal(c->output_every, 3);
  assert_int_equal(c->output_compression, 4);
  assert_int_equal(c->checkpoint_every, 2);
}

static void test_full_case(void **state) {
  (void)state;
  char path[PATH_MAX], mesh[PATH_MAX];
  write_case("sub/full.yaml", full_case, path);
  mf_case *c = load_ok(path);
  assert_string_equal(c->path, path);
  snprintf(mesh, sizeof mesh, "%s/sub/../meshes/cantilever.msh", tmpdir);
  assert_string_equal(c->mesh, mesh);
  check_full_materials(c);
  check_full_bc_loads(c);
  check_full_controls(c);
  mf_case_destroy(&c);
  assert_null(c);
}

/* Omitted sections take the documented defaults; a box spec is kept verbatim. */
static void test_defaults(void **state) {
  (void)state;
  char path[PATH_MAX];
  write_case("sub/minimal.yaml",
             "mesh: box:10x1x1:20x2x2\n"
             "materials:\n"
             "  - {model: linear-elastic, E: 1, nu: 0}\n",
             path);
  mf_case *c = load_ok(path);
  assert_string_equal(c->mesh, "box:10x1x1:20x2x2");
  assert_int_equal(c->problem.n_materials, 1);
  assert_string_equal(c->problem.materials[0].region, "");
  assert_int_equal(c->problem.n_dirichlet, 0);
  assert_null(c->problem.dirichlet);
  assert_int_equal(c->problem.n_loads, 0);
  assert_int_equal(c->problem.n_probes, 0);
  assert_int_equal(c->solver.steps.count, 1);
  assert_int_equal(c->solver.steps.max_cutbacks, 10);
  assert_true(c->solver.newton.rtol == 1e-8 && c->solver.newton.atol == 1e-10 && c->solver.newton.dtol == 1e-12);
  assert_int_equal(c->solver.newton.max_iter, 25);
  assert_int_equal(c->solver.newton.line_search, 1);
  assert_int_equal(c->solver.linear.pc.type, MF_PC_BLOCK_JACOBI);
  assert_true(c->solver.linear.rtol == 1e-8);
  assert_int_equal(c->solver.linear.max_iter, 20000);
  assert_string_equal(c->output_dir, "out");
  assert_int_equal(c->output_every, 1);
  assert_int_equal(c->output_compression, 0);
  assert_int_equal(c->checkpoint_every, 0);
  mf_case_destroy(&c);
}

/* Sections given with only some keys keep the defaults of the others. */
static void test_partial_sections(void **state) {
  (void)state;
  char path[PATH_MAX];
  write_case("partial.yaml",
             "mesh: /abs/mesh.msh\n"
             "materials: [{region: a, model: neo-hookean, E: 5, nu: 0.2}]\n"
             "boundary: []\n"
             "steps: {count: 3}\n"
             "newton: {rtol: 0, line_search: yes}\n"
             "linear: {preconditioner: none}\n"
             "probes: {}\n"
             "output: {}\n"
             "reorder: metis\n"
             "assembly: blocks\n",
             path);
  mf_case *c = load_ok(path);
  assert_int_equal(c->reorder, MF_REORDER_METIS);
  assert_int_equal(c->solver.assembly, MF_ASSEMBLY_BLOCKS);
  assert_string_equal(c->mesh, "/abs/mesh.msh");
  assert_string_equal(c->problem.materials[0].region, "a");
  assert_int_equal(c->problem.n_dirichlet, 0);
  assert_int_equal(c->solver.steps.count, 3);
  assert_int_equal(c->solver.steps.max_cutbacks, 10);
  assert_true(c->solver.newton.rtol == 0.0 && c->solver.newton.atol == 1e-10);
  assert_int_equal(c->solver.newton.line_search, 1);
  assert_int_equal(c->solver.linear.pc.type, MF_PC_NONE);
  assert_true(c->solver.linear.rtol == 1e-8);
  assert_int_equal(c->problem.n_probes, 0);
  assert_string_equal(c->output_dir, "out");
  mf_case_destroy(&c);
}

/* The multigrid's options, nested under linear. */
static void test_amg_options(void **state) {
  (void)state;
  char path[PATH_MAX];
  write_case("amg.yaml",
             "mesh: m.msh\n"
             "materials: [{model: neo-hookean, E: 5, nu: 0.2}]\n"
             "linear: {preconditioner: amg, reuse: 1.5,\n"
             "         amg: {threshold: 0.02, smoother: jacobi, sweeps: 3, eig_ratio: 12, coarse_size: 300, max_levels: 6,\n"
             "               nullspace: current, precision: single}}\n",
             path);
  mf_case *c = load_ok(path);
  const mf_pc_options *pc = &c->solver.linear.pc;
  assert_int_equal(pc->type, MF_PC_AMG);
  assert_true(c->solver.linear.reuse == 1.5);
  assert_true(pc->amg.threshold == 0.02 && pc->amg.eig_ratio == 12.0);
  assert_int_equal(pc->amg.smoother, MF_AMG_JACOBI);
  assert_int_equal(pc->amg.sweeps, 3);
  assert_int_equal(pc->amg.coarse_size, 300);
  assert_int_equal(pc->amg.max_levels, 6);
  assert_int_equal(pc->amg.nullspace, MF_AMG_NULLSPACE_CURRENT);
  assert_int_equal(pc->amg.precision, MF_AMG_SINGLE);
  assert_int_equal(pc->boomeramg.aggressive_levels, 0); /* MFEM's elasticity options */
  mf_case_destroy(&c);
  write_case("boomeramg.yaml", "mesh: m.msh\nmaterials: [{model: neo-hookean, E: 5, nu: 0.2}]\n"
                               "linear: {preconditioner: boomeramg, boomeramg: {aggressive_levels: 2}}\n", path);
  c = load_ok(path);
  assert_int_equal(c->solver.linear.pc.type, MF_PC_BOOMERAMG);
  assert_int_equal(c->solver.linear.pc.boomeramg.aggressive_levels, 2);
  mf_case_destroy(&c);
  /* absent keys keep the defaults */
  write_case("amg_default.yaml", "mesh: m.msh\nmaterials: [{model: neo-hookean, E: 5, nu: 0.2}]\n"
                                 "linear: {preconditioner: amg, amg: {sweeps: 1}}\n", path);
  c = load_ok(path);
  mf_amg_options d = mf_amg_options_default();
  assert_int_equal(c->solver.linear.pc.amg.sweeps, 1);
  assert_int_equal(c->solver.linear.pc.amg.smoother, d.smoother);
  assert_true(c->solver.linear.pc.amg.threshold == d.threshold);
  assert_int_equal(c->solver.linear.pc.amg.coarse_size, d.coarse_size);
  /* reuse absent: amg keeps its hierarchy within a load step, the others set up per solve */
  assert_true(c->solver.linear.reuse < 0.0);
  assert_true(mf_linear_reuse(&c->solver.linear) == 2.0);
  c->solver.linear.pc.type = MF_PC_BLOCK_JACOBI;
  assert_true(mf_linear_reuse(&c->solver.linear) == 0.0);
  c->solver.linear.pc.type = MF_PC_BOOMERAMG;
  assert_true(mf_linear_reuse(&c->solver.linear) == 0.0);
  c->solver.linear.reuse = 0.0;
  c->solver.linear.pc.type = MF_PC_AMG;
  assert_true(mf_linear_reuse(&c->solver.linear) == 0.0);
  mf_case_destroy(&c);
}

/* A case named without a directory resolves its mesh against the working directory. */
static void test_bare_case_name(void **state) {
  (void)state;
  char path[PATH_MAX], cwd[PATH_MAX];
  write_case("bare.yaml", "mesh: m.msh\nmaterials: [{model: neo-hookean, E: 1, nu: 0.3}]\n", path);
  assert_non_null(getcwd(cwd, sizeof cwd));
  assert_int_equal(chdir(tmpdir), 0);
  mf_case *c = NULL;
  mf_error_clear();
  mf_status st = mf_case_load("bare.yaml", &c);
  assert_int_equal(chdir(cwd), 0);
  assert_int_equal(st, MF_OK);
  assert_string_equal(c->mesh, "m.msh");
  assert_string_equal(c->path, "bare.yaml");
  mf_case_destroy(&c);
}

static void test_create_default_and_names(void **state) {
  (void)state;
  mf_case *c = NULL;
  assert_int_equal(mf_case_create_default(&c), MF_OK);
  assert_int_equal(c->solver.steps.count, 1);
  assert_int_equal(c->solver.linear.pc.type, MF_PC_BLOCK_JACOBI);
  assert_int_equal(c->reorder, MF_REORDER_RCM);
  assert_int_equal(c->solver.assembly, MF_ASSEMBLY_BLOCKS);
  assert_string_equal(c->output_dir, "out");
  assert_int_equal(c->problem.n_materials, 0);
  mf_case_destroy(&c);
  assert_null(c);
  mf_case_destroy(&c); /* NULL is fine */
  mf_case_destroy(NULL);
  assert_string_equal(mf_pc_name(MF_PC_NONE), "none");
  assert_string_equal(mf_pc_name(MF_PC_JACOBI), "jacobi");
  assert_string_equal(mf_pc_name(MF_PC_BLOCK_JACOBI), "block-jacobi");
  mf_reorder_method r = MF_REORDER_NONE;
  assert_int_equal(mf_reorder_parse("metis", &r), 0);
  assert_int_equal(r, MF_REORDER_METIS);
  assert_int_equal(mf_reorder_parse("amd", &r), -1);
  assert_string_equal(mf_reorder_name(MF_REORDER_RCM), "rcm");
  mf_assembly_method am = MF_ASSEMBLY_COLOUR;
  assert_int_equal(mf_assembly_method_parse("blocks", &am), 0);
  assert_int_equal(am, MF_ASSEMBLY_BLOCKS);
  assert_int_equal(mf_assembly_method_parse("atomic", &am), -1);
  assert_string_equal(mf_assembly_method_name(MF_ASSEMBLY_COLOUR), "colour");
}

/* ---- files that cannot be read -------------------------------------------------- */

static void test_missing_file(void **state) {
  (void)state;
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/no-such-case.yaml", tmpdir);
  expect_failure(path, MF_ERR_IO, 0, "No such file or directory");
  assert_non_null(strstr(mf_error_message(), "cannot open case file"));
}

static void test_directory(void **state) {
  (void)state;
  expect_failure(tmpdir, MF_ERR_IO, 0, "Is a directory");
}

static void test_case_path_too_long(void **state) {
  (void)state;
  char path[MF_PATH_MAX + 8];
  memset(path, 'a', sizeof path - 1);
  path[sizeof path - 1] = '\0';
  mf_case *c = NULL;
  mf_error_clear();
  assert_int_equal(mf_case_load(path, &c), MF_ERR_INPUT);
  assert_null(c);
  assert_non_null(strstr(mf_error_message(), "at most 1023"));
}

/* ---- lengths that need long inputs ---------------------------------------------- */

static void test_output_dir_too_long(void **state) {
  (void)state;
  char yaml[MF_PATH_MAX + 200], path[PATH_MAX];
  int n = snprintf(yaml, sizeof yaml, "%s",
                   "mesh: m.msh\nmaterials: [{model: neo-hookean, E: 1, nu: 0.3}]\n"
                   "output:\n  dir: ");
  memset(yaml + n, 'd', MF_PATH_MAX);
  strcpy(yaml + n + MF_PATH_MAX, "\n");
  write_case("long_output.yaml", yaml, path);
  expect_failure(path, MF_ERR_INPUT, 4, "output: dir 'dddd");
}

/* The mesh name fits alone but not once joined to the case file's directory. */
static void test_mesh_path_too_long(void **state) {
  (void)state;
  char yaml[MF_PATH_MAX + 200], path[PATH_MAX];
  int n = snprintf(yaml, sizeof yaml, "materials: [{model: neo-hookean, E: 1, nu: 0.3}]\nmesh: ");
  memset(yaml + n, 'm', MF_PATH_MAX - 2);
  strcpy(yaml + n + MF_PATH_MAX - 2, "\n");
  write_case("long_mesh.yaml", yaml, path);
  expect_failure(path, MF_ERR_INPUT, 2, "longer than 1023 characters");
}

/* ---- one test per bad input ----------------------------------------------------- */

/* Lines 1-3 of most bad cases: a valid mesh and a valid single material. */
#define HEAD "mesh: m.msh\nmaterials:\n  - {model: neo-hookean, E: 200000, nu: 0.3}\n"
#define MAT(body) "mesh: m.msh\nmaterials:\n  - {" body "}\n" /* material on line 3 */
#define LONG_NAME "n123456789n123456789n123456789n123456789n123456789n123456789n1234"

/* X(id, status, line (0: no line in the message), text the message must contain, YAML) */
#define BAD_CASES(X)                                                                               \
  X(empty_file, MF_ERR_PARSE, 0, "is empty", "")                                                   \
  X(comments_only, MF_ERR_PARSE, 0, "is empty", "# nothing here\n\n")                              \
  X(yaml_syntax, MF_ERR_PARSE, 2, "mapping values are not allowed",                                \
    "mesh: m.msh\nmaterials: a: b\n")                                                              \
  X(yaml_unclosed_flow, MF_ERR_PARSE, 4, "YAML syntax error",                                      \
    "mesh: m.msh\nmaterials:\n  - {model: neo-hookean, E: 1\n")                                    \
  X(yaml_undefined_alias, MF_ERR_PARSE, 1, "undefined alias", "mesh: *nowhere\n")                  \
  X(invalid_utf8, MF_ERR_PARSE, 0, "cannot read", "mesh: \xff\xfe\n")                              \
  X(two_documents, MF_ERR_PARSE, 5, "second", HEAD "---\nmesh: other.msh\n")                       \
  X(root_is_list, MF_ERR_PARSE, 1, "got a list", "- mesh\n- materials\n")                          \
  X(root_is_scalar, MF_ERR_PARSE, 1, "mapping of sections", "just text\n")                         \
  X(unknown_top_key, MF_ERR_PARSE, 4, "unknown key 'mesh_file' (expected mesh, materials",         \
    HEAD "mesh_file: x.msh\n")                                                                     \
  X(duplicate_top_key, MF_ERR_PARSE, 4, "duplicate key 'mesh' (first given at line 1)",            \
    HEAD "mesh: other.msh\n")                                                                      \
  X(key_not_scalar, MF_ERR_PARSE, 4, "keys must be names", HEAD "? [a, b]\n: 1\n")                 \
  X(missing_mesh, MF_ERR_PARSE, 1, "missing required key 'mesh'",                                  \
    "materials:\n  - {model: neo-hookean, E: 1, nu: 0.3}\n")                                       \
  X(missing_materials, MF_ERR_PARSE, 1, "missing required key 'materials'", "mesh: m.msh\n")       \
  X(mesh_is_list, MF_ERR_PARSE, 1, "mesh must be text, got a list", "mesh: [a, b]\n")              \
  X(mesh_no_value, MF_ERR_PARSE, 1, "mesh must be text, got nothing",                              \
    "mesh:\nmaterials: [{model: neo-hookean, E: 1, nu: 0.3}]\n")                                   \
  X(materials_scalar, MF_ERR_PARSE, 2, "materials: expected a list", "mesh: m\nmaterials: s\n")    \
  X(materials_empty, MF_ERR_INPUT, 2, "materials: the list is empty",                              \
    "mesh: m.msh\nmaterials: []\n")                                                                \
  X(material_not_mapping, MF_ERR_PARSE, 3, "materials[0]: expected a mapping",                     \
    "mesh: m.msh\nmaterials:\n  - neo-hookean\n")                                                  \
  X(material_unknown_key, MF_ERR_PARSE, 3,                                                         \
    "materials[0]: unknown key 'Young' (expected region, model, E, nu, C10, D1)",                  \
    MAT("model: neo-hookean, Young: 200000, nu: 0.3"))                                             \
  X(material_duplicate_key, MF_ERR_PARSE, 3, "duplicate key 'E'",                                  \
    MAT("model: neo-hookean, E: 1, E: 2, nu: 0.3"))                                                \
  X(material_missing_model, MF_ERR_PARSE, 3, "missing key 'model'", MAT("E: 1, nu: 0.3"))          \
  X(material_unknown_model, MF_ERR_INPUT, 3, "unknown model 'mooney-rivlin'",                      \
    MAT("model: mooney-rivlin, E: 1, nu: 0.3"))                                                    \
  X(material_model_list, MF_ERR_PARSE, 3, "model must be text, got a list",                        \
    MAT("model: [neo-hookean], E: 1, nu: 0.3"))                                                    \
  X(E_not_number, MF_ERR_PARSE, 3, "E must be a number, got 'abc'",                                \
    MAT("model: neo-hookean, E: abc, nu: 0.3"))                                                    \
  X(E_trailing_text, MF_ERR_PARSE, 3, "got '200000MPa'",                                           \
    MAT("model: neo-hookean, E: 200000MPa, nu: 0.3"))                                              \
  X(E_quoted, MF_ERR_PARSE, 3, "E must be a number, got the quoted string '200000'",               \
    MAT("model: neo-hookean, E: \"200000\", nu: 0.3"))                                             \
  X(E_list, MF_ERR_PARSE, 3, "E must be a number, got a list",                                     \
    MAT("model: neo-hookean, E: [1], nu: 0.3"))                                                    \
  X(E_no_value, MF_ERR_PARSE, 4, "E must be a number, got nothing",                                \
    "mesh: m.msh\nmaterials:\n  - model: neo-hookean\n    E:\n    nu: 0.3\n")                      \
  X(E_yaml_inf, MF_ERR_PARSE, 3, "E = .inf is not a finite number",                                \
    MAT("model: neo-hookean, E: .inf, nu: 0.3"))                                                   \
  X(E_nan, MF_ERR_PARSE, 3, "E = nan is not a finite number",                                      \
    MAT("model: neo-hookean, E: nan, nu: 0.3"))                                                    \
  X(E_overflow, MF_ERR_PARSE, 3, "E = 1e400 is not a finite number",                               \
    MAT("model: neo-hookean, E: 1e400, nu: 0.3"))                                                  \
  X(E_zero, MF_ERR_INPUT, 3, "materials[0]: E = 0 must be > 0",                                    \
    MAT("model: neo-hookean, E: 0, nu: 0.3"))                                                      \
  X(E_negative, MF_ERR_INPUT, 3, "E = -5 must be > 0",                                             \
    MAT("model: linear-elastic, E: -5, nu: 0.3"))                                                  \
  X(nu_half, MF_ERR_INPUT, 3, "nu = 0.5 must satisfy -1 < nu < 0.5",                               \
    MAT("model: neo-hookean, E: 1, nu: 0.5"))                                                      \
  X(nu_minus_one, MF_ERR_INPUT, 3, "nu = -1 must satisfy -1 < nu < 0.5",                           \
    MAT("model: neo-hookean, E: 1, nu: -1"))                                                       \
  X(missing_nu, MF_ERR_PARSE, 3, "missing key 'nu' (model neo-hookean needs E and nu)",            \
    MAT("model: neo-hookean, E: 1"))                                                               \
  X(missing_E, MF_ERR_PARSE, 3, "missing key 'E' (model linear-elastic needs E and nu)",           \
    MAT("model: linear-elastic, nu: 0.3"))                                                         \
  X(C10_for_neo_hookean, MF_ERR_INPUT, 3, "C10 is a parameter of neo-hookean-decoupled",           \
    MAT("model: neo-hookean, E: 1, nu: 0.3, C10: 1"))                                              \
  X(decoupled_both_sets, MF_ERR_INPUT, 3, "either C10 and D1 or E and nu",                         \
    MAT("model: neo-hookean-decoupled, C10: 1, D1: 0.1, E: 1, nu: 0.3"))                           \
  X(decoupled_only_C10, MF_ERR_PARSE, 3, "missing key 'D1'",                                       \
    MAT("model: neo-hookean-decoupled, C10: 1"))                                                   \
  X(decoupled_only_D1, MF_ERR_PARSE, 3, "missing key 'C10'",                                       \
    MAT("model: neo-hookean-decoupled, D1: 0.1"))                                                  \
  X(decoupled_only_E, MF_ERR_PARSE, 3, "missing key 'nu'",                                         \
    MAT("model: neo-hookean-decoupled, E: 1"))                                                     \
  X(decoupled_no_params, MF_ERR_PARSE, 3, "needs C10 and D1, or E and nu",                         \
    MAT("model: neo-hookean-decoupled"))                                                           \
  X(C10_zero, MF_ERR_INPUT, 3, "C10 = 0 must be > 0",                                              \
    MAT("model: neo-hookean-decoupled, C10: 0, D1: 0.1"))                                          \
  X(D1_negative, MF_ERR_INPUT, 3, "D1 = -0.1 must be > 0",                                         \
    MAT("model: neo-hookean-decoupled, C10: 1, D1: -0.1"))                                         \
  X(region_omitted_with_two, MF_ERR_INPUT, 4,                                                      \
    "materials[1]: missing key 'region' (required when there is more than one material)",          \
    "mesh: m\nmaterials:\n  - {region: a, model: neo-hookean, E: 1, nu: 0.3}\n"                    \
    "  - {model: neo-hookean, E: 1, nu: 0.3}\n")                                                   \
  X(region_duplicate, MF_ERR_INPUT, 4, "region 'a' already has a material (materials[0], line 3)", \
    "mesh: m\nmaterials:\n  - {region: a, model: neo-hookean, E: 1, nu: 0.3}\n"                    \
    "  - {region: a, model: linear-elastic, E: 1, nu: 0.3}\n")                                     \
  X(region_too_long, MF_ERR_INPUT, 3, "region 'n123456789",                                        \
    MAT("region: " LONG_NAME ", model: neo-hookean, E: 1, nu: 0.3"))                               \
  X(region_empty, MF_ERR_PARSE, 3, "region must not be empty",                                     \
    MAT("region: '', model: neo-hookean, E: 1, nu: 0.3"))                                          \
  X(boundary_not_list, MF_ERR_PARSE, 4, "boundary: expected a list", HEAD "boundary: fixed\n")     \
  X(boundary_unknown_key, MF_ERR_PARSE, 5,                                                         \
    "boundary[0]: unknown key 'rx' (expected group, ux, uy, uz)",                                  \
    HEAD "boundary:\n  - {group: fixed, ux: 0, rx: 0}\n")                                          \
  X(boundary_missing_group, MF_ERR_PARSE, 5, "boundary[0]: missing key 'group'",                   \
    HEAD "boundary:\n  - {ux: 0}\n")                                                               \
  X(boundary_no_component, MF_ERR_INPUT, 6, "boundary[1]: group 'tip' prescribes no component",    \
    HEAD "boundary:\n  - {group: fixed, ux: 0}\n  - {group: tip}\n")                               \
  X(boundary_duplicate_group, MF_ERR_INPUT, 6,                                                     \
    "boundary[1]: group 'fixed' already has an entry (boundary[0], line 5)",                       \
    HEAD "boundary:\n  - {group: fixed, ux: 0}\n  - {group: fixed, uy: 0}\n")                      \
  X(boundary_value_text, MF_ERR_PARSE, 5, "uz must be a number, got 'zero'",                       \
    HEAD "boundary:\n  - {group: fixed, uz: zero}\n")                                              \
  X(boundary_group_too_long, MF_ERR_INPUT, 5, "at most 63",                                        \
    HEAD "boundary:\n  - {group: " LONG_NAME ", ux: 0}\n")                                         \
  X(loads_not_list, MF_ERR_PARSE, 4, "loads: expected a list", HEAD "loads: {group: top}\n")       \
  X(load_unknown_key, MF_ERR_PARSE, 5, "loads[0]: unknown key 'pressure'",                         \
    HEAD "loads:\n  - {group: top, pressure: 1}\n")                                                \
  X(load_both_kinds, MF_ERR_INPUT, 5, "not both",                                                  \
    HEAD "loads:\n  - {group: top, traction: [0, 0, 1], body_force: [0, 0, 1]}\n")                 \
  X(load_no_kind, MF_ERR_PARSE, 5, "missing key 'traction' or 'body_force'",                       \
    HEAD "loads:\n  - {group: top}\n")                                                             \
  X(traction_without_group, MF_ERR_PARSE, 5, "loads[0]: missing key 'group'",                      \
    HEAD "loads:\n  - {traction: [0, 0, 1]}\n")                                                    \
  X(body_force_with_group, MF_ERR_INPUT, 5, "remove 'group'",                                      \
    HEAD "loads:\n  - {group: top, body_force: [0, 0, 1]}\n")                                      \
  X(traction_scalar, MF_ERR_PARSE, 5,                                                              \
    "traction must be a list of 3 numbers [x, y, z], got a single value",                          \
    HEAD "loads:\n  - {group: top, traction: 1.0}\n")                                              \
  X(traction_two_items, MF_ERR_PARSE, 5, "got a list of 2",                                        \
    HEAD "loads:\n  - {group: top, traction: [0, 1]}\n")                                           \
  X(traction_item_text, MF_ERR_PARSE, 8, "traction[1] must be a number, got 'a'",                  \
    HEAD "loads:\n  - group: top\n    traction:\n      - 0\n      - a\n      - 1\n")               \
  X(body_force_nan, MF_ERR_PARSE, 5, "body_force[2] = .nan is not a finite number",                \
    HEAD "loads:\n  - {body_force: [0, 0, .nan]}\n")                                               \
  X(steps_scalar, MF_ERR_PARSE, 4, "steps: expected a mapping", HEAD "steps: 10\n")                \
  X(steps_unknown_key, MF_ERR_PARSE, 4, "unknown key 'cutbacks' (expected count, max_cutbacks)",   \
    HEAD "steps: {count: 2, cutbacks: 3}\n")                                                       \
  X(steps_missing_count, MF_ERR_PARSE, 4, "steps: missing key 'count'",                            \
    HEAD "steps: {max_cutbacks: 3}\n")                                                             \
  X(steps_count_zero, MF_ERR_INPUT, 4, "count = 0 must be >= 1", HEAD "steps: {count: 0}\n")       \
  X(steps_count_fraction, MF_ERR_PARSE, 4, "count must be an integer, got '10.5'",                 \
    HEAD "steps: {count: 10.5}\n")                                                                 \
  X(steps_count_huge, MF_ERR_INPUT, 4, "count = 99999999999 is out of the integer range",          \
    HEAD "steps: {count: 99999999999}\n")                                                          \
  X(max_cutbacks_negative, MF_ERR_INPUT, 4, "max_cutbacks = -1 must be >= 0",                      \
    HEAD "steps: {count: 1, max_cutbacks: -1}\n")                                                  \
  X(newton_unknown_key, MF_ERR_PARSE, 4, "newton: unknown key 'tol'", HEAD "newton: {tol: 1}\n")   \
  X(newton_rtol_negative, MF_ERR_INPUT, 4, "newton: rtol = -1e-8 must be >= 0",                    \
    HEAD "newton: {rtol: -1e-8}\n")                                                                \
  X(newton_atol_negative, MF_ERR_INPUT, 5, "newton: atol = -1 must be >= 0",                       \
    HEAD "newton:\n  atol: -1\n")                                                                  \
  X(newton_dtol_text, MF_ERR_PARSE, 4, "dtol must be a number, got 'small'",                       \
    HEAD "newton: {dtol: small}\n")                                                                \
  X(newton_max_iter_zero, MF_ERR_INPUT, 4, "max_iter = 0 must be >= 1",                            \
    HEAD "newton: {max_iter: 0}\n")                                                                \
  X(newton_tolerances_zero, MF_ERR_INPUT, 4, "rtol and atol are both 0",                           \
    HEAD "newton: {rtol: 0, atol: 0}\n")                                                           \
  X(line_search_not_bool, MF_ERR_PARSE, 4,                                                         \
    "line_search must be true, false, yes or no, got 'maybe'",                                     \
    HEAD "newton: {line_search: maybe}\n")                                                         \
  X(line_search_quoted, MF_ERR_PARSE, 4, "quoted string 'true'",                                   \
    HEAD "newton: {line_search: 'true'}\n")                                                        \
  X(linear_unknown_key, MF_ERR_PARSE, 4, "linear: unknown key 'precond'",                          \
    HEAD "linear: {precond: jacobi}\n")                                                            \
  X(linear_unknown_solver, MF_ERR_INPUT, 4, "unknown solver 'gmres' (expected cg)",                \
    HEAD "linear: {solver: gmres}\n")                                                              \
  X(linear_unknown_pc, MF_ERR_INPUT, 4,                                                            \
    "unknown preconditioner 'ilu' (expected none, jacobi, block-jacobi, amg, boomeramg)",          \
    HEAD "linear: {preconditioner: ilu}\n")                                                        \
  X(amg_not_mapping, MF_ERR_PARSE, 4, "linear.amg: expected a mapping", HEAD "linear: {amg: 2}\n") \
  X(amg_unknown_key, MF_ERR_PARSE, 4, "linear.amg: unknown key 'degree' (expected threshold",     \
    HEAD "linear: {amg: {degree: 2}}\n")                                                          \
  X(amg_sweeps_high, MF_ERR_INPUT, 4, "linear.amg: sweeps = 9: give 1 to 8 sweeps (the Chebyshev degree)", \
    HEAD "linear: {amg: {sweeps: 9}}\n")                                                          \
  X(amg_smoother_unknown, MF_ERR_INPUT, 4, "linear.amg: unknown smoother", \
    HEAD "linear: {amg: {smoother: gauss-seidel}}\n")                                             \
  X(amg_threshold_negative, MF_ERR_INPUT, 4, "linear.amg: threshold = -0.1 must be >= 0",          \
    HEAD "linear: {amg: {threshold: -0.1}}\n")                                                    \
  X(amg_nullspace_unknown, MF_ERR_INPUT, 4, "unknown nullspace 'deformed' (expected reference, current)", \
    HEAD "linear: {amg: {nullspace: deformed}}\n")                                                \
  X(amg_coarse_size_huge, MF_ERR_INPUT, 4, "coarse_size = 5000: the coarsest level is factored densely", \
    HEAD "linear: {amg: {coarse_size: 5000}}\n")                                                  \
  X(boomeramg_levels_high, MF_ERR_INPUT, 4,                                                        \
    "linear.boomeramg: aggressive_levels = 26: give 0 to 25 levels (hypre's most)",                \
    HEAD "linear: {boomeramg: {aggressive_levels: 26}}\n")                                         \
  X(boomeramg_unknown_key, MF_ERR_PARSE, 4, "linear.boomeramg: unknown key 'agg_levels'",          \
    HEAD "linear: {boomeramg: {agg_levels: 1}}\n")                                                 \
  X(linear_reuse_negative, MF_ERR_INPUT, 4, "linear: reuse = -1 must be >= 0",                      \
    HEAD "linear: {reuse: -1}\n")                                                                 \
  X(reorder_unknown, MF_ERR_INPUT, 4, "unknown reorder 'amd' (expected none, metis, rcm)",             \
    HEAD "reorder: amd\n")                                                                        \
  X(reorder_not_scalar, MF_ERR_PARSE, 4, "reorder", HEAD "reorder: [rcm]\n")                      \
  X(matrix_unknown, MF_ERR_INPUT, 4, "unknown matrix 'banded' (expected full, symmetric)",          \
    HEAD "matrix: banded\n")                                                                     \
  X(assembly_unknown, MF_ERR_INPUT, 4, "unknown assembly 'atomic' (expected colour, blocks)",      \
    HEAD "assembly: atomic\n")                                                                    \
  X(linear_rtol_zero, MF_ERR_INPUT, 4, "linear: rtol = 0 must be > 0", HEAD "linear: {rtol: 0}\n") \
  X(linear_max_iter_fraction, MF_ERR_PARSE, 4, "max_iter must be an integer, got '1e3'",           \
    HEAD "linear: {max_iter: 1e3}\n")                                                              \
  X(probes_list, MF_ERR_PARSE, 4, "probes: expected a mapping of names to points",                 \
    HEAD "probes: [[1, 2, 3]]\n")                                                                  \
  X(probe_scalar, MF_ERR_PARSE, 5, "probes: tip must be a list of 3 numbers",                      \
    HEAD "probes:\n  tip: 5\n")                                                                    \
  X(probe_four_items, MF_ERR_PARSE, 5,                                                             \
    "tip must be a list of 3 numbers [x, y, z], got a list of 4",                                  \
    HEAD "probes:\n  tip: [1, 2, 3, 4]\n")                                                         \
  X(probe_duplicate, MF_ERR_PARSE, 6, "duplicate key 'tip' (first given at line 5)",               \
    HEAD "probes:\n  tip: [0, 0, 0]\n  tip: [1, 1, 1]\n")                                          \
  X(probe_name_too_long, MF_ERR_INPUT, 5, "probe name 'n123456789",                                \
    HEAD "probes:\n  " LONG_NAME ": [0, 0, 0]\n")                                                  \
  X(output_unknown_key, MF_ERR_PARSE, 4,                                                         \
    "output: unknown key 'directory' (expected dir, every, compression)",                         \
    HEAD "output: {directory: x}\n")                                                               \
  X(output_dir_list, MF_ERR_PARSE, 4, "dir must be text, got a list", HEAD "output: {dir: [a]}\n") \
  X(output_every_negative, MF_ERR_INPUT, 4, "output: every = -1 must be >= 0", HEAD "output: {every: -1}\n") \
  X(output_every_real, MF_ERR_PARSE, 4, "every must be an integer", HEAD "output: {every: 2.5}\n") \
  X(output_compression_high, MF_ERR_INPUT, 4, "compression = 10: give a deflate level 0",        \
    HEAD "output: {compression: 10}\n")                                                            \
  X(output_compression_negative, MF_ERR_INPUT, 4, "compression = -1 must be >= 0",               \
    HEAD "output: {compression: -1}\n")                                                            \
  X(output_compression_name, MF_ERR_PARSE, 4, "compression must be an integer",                  \
    HEAD "output: {compression: gzip}\n")                                                          \
  X(checkpoint_unknown_key, MF_ERR_PARSE, 4, "checkpoint: unknown key 'interval' (expected every)", \
    HEAD "checkpoint: {interval: 2}\n")                                                            \
  X(checkpoint_missing_every, MF_ERR_PARSE, 4, "checkpoint: missing key 'every'",                \
    HEAD "checkpoint: {}\n")                                                                       \
  X(checkpoint_every_zero, MF_ERR_INPUT, 4, "checkpoint: every = 0 must be >= 1",                \
    HEAD "checkpoint: {every: 0}\n")                                                               \
  X(checkpoint_not_map, MF_ERR_PARSE, 4, "checkpoint: expected a mapping such as {every: 5}",    \
    HEAD "checkpoint: 5\n")

typedef struct {
  const char *id;
  mf_status code;
  int line;
  const char *needle;
  const char *yaml;
} bad_case;

#define BAD_DEFINE(id_, code_, line_, needle_, yaml_) \
  static bad_case bad_##id_ = {#id_, code_, line_, needle_, yaml_};
BAD_CASES(BAD_DEFINE)

static void run_bad_case(void **state) {
  const bad_case *b = *state;
  char rel[128], path[PATH_MAX];
  snprintf(rel, sizeof rel, "%s.yaml", b->id);
  write_case(rel, b->yaml, path);
  expect_failure(path, b->code, b->line, b->needle);
}

#define BAD_ENTRY(id_, code_, line_, needle_, yaml_) \
  {"bad_" #id_, run_bad_case, NULL, NULL, &bad_##id_},

int main(void) {
  const struct CMUnitTest good[] = {
      cmocka_unit_test(test_full_case),
      cmocka_unit_test(test_defaults),
      cmocka_unit_test(test_partial_sections),
      cmocka_unit_test(test_amg_options),
      cmocka_unit_test(test_bare_case_name),
      cmocka_unit_test(test_create_default_and_names),
      cmocka_unit_test(test_missing_file),
      cmocka_unit_test(test_directory),
      cmocka_unit_test(test_case_path_too_long),
      cmocka_unit_test(test_output_dir_too_long),
      cmocka_unit_test(test_mesh_path_too_long),
  };
  const struct CMUnitTest bad[] = {BAD_CASES(BAD_ENTRY)};
  int failed = cmocka_run_group_tests_name("case", good, make_tmpdir, remove_tmpdir);
  memcpy(tmpdir + strlen(tmpdir) - 6, "XXXXXX", 6); /* a fresh directory for the next group */
  failed += cmocka_run_group_tests_name("case_bad_input", bad, make_tmpdir, remove_tmpdir);
  return failed;
}
