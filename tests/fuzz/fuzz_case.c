/* libFuzzer harness: the case-file reader (io/mf_case.c, YAML through libyaml). A case
 * it accepts must hold values in the ranges mf_case.h documents. Seeds:
 * tests/fuzz/corpus/case (configs/ and tests/data/cases/), dictionary case.dict. */
#include <math.h>
#include <string.h>

#include "core/mf_limits.h"
#include "fuzz_common.h"
#include "io/mf_case.h"

static void check_case(const mf_case *c) {
  const mf_problem_desc *pb = &c->problem;
  MF_FUZZ_CHECK(c->solver.steps.count >= 1 && c->solver.steps.count <= MF_MAX_STEP_ATTEMPTS, "steps %d",
                c->solver.steps.count);
  MF_FUZZ_CHECK(c->soak_steps >= 0 && c->soak_steps <= MF_MAX_STEP_ATTEMPTS, "soak_steps %d", c->soak_steps);
  MF_FUZZ_CHECK(c->solver.steps.max_cutbacks >= 0 && c->solver.newton.max_iter >= 1 &&
                    c->solver.linear.max_iter >= 1, "counts");
  MF_FUZZ_CHECK(c->solver.newton.rtol >= 0 && c->solver.newton.atol >= 0 && c->solver.newton.dtol >= 0 &&
                    c->solver.linear.rtol > 0 && (c->solver.newton.rtol > 0 || c->solver.newton.atol > 0),
                "tolerances");
  MF_FUZZ_CHECK(c->output_every >= 0 && c->output_compression >= 0 && c->output_compression <= 9 &&
                    c->checkpoint_every >= 0,
                "output settings");
  MF_FUZZ_CHECK(memchr(c->mesh, '\0', sizeof c->mesh) && memchr(c->output_dir, '\0', sizeof c->output_dir) &&
                    c->mesh[0],
                "paths");
  for (int i = 0; i < pb->n_materials; i++) {
    const mf_material *m = &pb->materials[i].mat;
    MF_FUZZ_CHECK(isfinite(m->mu) && isfinite(m->lambda) && isfinite(m->C10) && isfinite(m->D1) && m->mu > 0,
                  "material %d constants mu %g lambda %g C10 %g D1 %g", i, m->mu, m->lambda, m->C10, m->D1);
  }
  for (int i = 0; i < pb->n_dirichlet; i++)
    for (int k = 0; k < 3; k++) MF_FUZZ_CHECK(isfinite(pb->dirichlet[i].value[k]), "boundary value");
  for (int i = 0; i < pb->n_loads; i++)
    for (int k = 0; k < 3; k++) MF_FUZZ_CHECK(isfinite(pb->loads[i].vec[k]), "load value");
  for (int i = 0; i < pb->n_probes; i++)
    for (int k = 0; k < 3; k++) MF_FUZZ_CHECK(isfinite(pb->probes[i].X[k]), "probe");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mf_fuzz_setup();
  const char *path = mf_fuzz_file(data, size);
  mf_fuzz_mark mark;
  mf_fuzz_mark_now(&mark);
  mf_case *c = NULL;
  mf_status st = mf_case_load(path, &c);
  MF_FUZZ_CHECK((st == MF_OK) == (c != NULL), "status %d with case %p", (int)st, (void *)c);
  if (c) {
    check_case(c);
    mf_case_destroy(&c);
  }
  mf_fuzz_after(st != MF_OK, path, &mark);
  return 0;
}
