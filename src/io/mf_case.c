/* Case files: read a YAML case with libyaml's document API, check it against the
 * schema in mf_case.h and fill an mf_case.
 *
 * Every rejection is one line "FILE:LINE: SECTION: what is wrong" so that a user can
 * fix the file without reading code. Status codes:
 *   MF_ERR_IO     the file cannot be opened or read;
 *   MF_ERR_PARSE  the file does not have the schema's shape: YAML syntax, empty file,
 *                 unknown, duplicate or missing keys, wrong types, numbers that do not
 *                 parse or are not finite;
 *   MF_ERR_INPUT  well-formed but invalid values: out-of-range parameters, unknown
 *                 model/solver/preconditioner names, duplicate regions, groups or
 *                 probes, contradictory parameter sets, names or paths too long.
 *
 * Decisions beyond mf_case.h:
 *   - List entries are named 0-based, as in materials[0], matching the order in the file.
 *   - Values that expect numbers or booleans must be plain YAML scalars: a quoted
 *     "0.3" is a string in YAML and is refused with a hint, not silently converted.
 *   - A group may appear in only one boundary entry: two entries for one group would
 *     need a rule for components given twice, and merging them is one edit for the
 *     user. Distinct groups that share nodes are the solver's business, not this file's.
 *   - Tractions on the same group and several body forces are allowed; they add up.
 *   - newton.rtol and newton.atol may not both be 0 (Newton could never converge);
 *     linear.rtol must be > 0 since CG has no absolute tolerance.
 *   - A file with more than one YAML document is refused rather than half read. */
#include "io/mf_case.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <yaml.h>

#include "core/mf_limits.h"
#include "mem/mf_alloc.h"

#define MF_STR_(x) #x
#define MF_STR(x) MF_STR_(x)
#define STEP_ATTEMPTS_HINT "a run makes at most " MF_STR(MF_MAX_STEP_ATTEMPTS) " step attempts"
#define N_OF(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* What the walkers share: the document and the file name for messages. */
typedef struct {
  yaml_document_t *doc;
  const char *file;
} reader;

/* An optional number: whether it was given, its value and the node (for lines). */
typedef struct {
  int given;
  double v;
  const yaml_node_t *node;
} opt_num;

static const char *const top_keys[] = {"mesh",   "materials", "boundary", "loads",  "steps",
                                       "newton", "linear",    "probes",   "output", "memory",
                                       "checkpoint", "reorder", "assembly", "matrix", "volumetric"};
static const char *const material_keys[] = {"region", "model", "E", "nu", "C10", "D1"};
static const char *const boundary_keys[] = {"group", "ux", "uy", "uz"};
static const char *const load_keys[] = {"group", "traction", "body_force"};
/* ---- defaults and life cycle --------------------------------------------------- */

mf_status mf_case_create_default(mf_case **out) {
  *out = NULL;
  mf_case *c;
  MF_CALL(MF_CALLOC_N(c, 1, "case"));
  c->solver = mf_solver_options_default();
  c->reorder = MF_REORDER_RCM; /* measured: docs/performance.md, Renumbering */
  strcpy(c->output_dir, "out");
  c->output_every = 1;
  c->problem.origin = c->path;
  *out = c;
  return MF_OK;
}

void mf_case_destroy(mf_case **c) {
  if (!c || !*c) return;
  mf_problem_desc *p = &(*c)->problem;
  mf_free(&p->materials);
  mf_free(&p->dirichlet);
  mf_free(&p->loads);
  mf_free(&p->probes);
  mf_free(c);
}

/* ---- node access and error lines ------------------------------------------------ */

static int line_of(const yaml_node_t *n) { return (int)n->start_mark.line + 1; }

static const char *text(const yaml_node_t *n) { return (const char *)n->data.scalar.value; }

static yaml_node_t *node_at(const reader *rd, int index) {
  return yaml_document_get_node(rd->doc, index);
}

static int seq_len(const yaml_node_t *n) {
  return (int)(n->data.sequence.items.top - n->data.sequence.items.start);
}

static yaml_node_t *seq_item(const reader *rd, const yaml_node_t *n, int i) {
  return node_at(rd, n->data.sequence.items.start[i]);
}

static int map_len(const yaml_node_t *n) {
  return (int)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
}

/* A plain scalar that YAML reads as null (`key:`, `key: ~`, `key: null`): the user
 * left the value out, which deserves its own message rather than "not a number". */
static int is_null(const yaml_node_t *n) {
  if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return 0;
  const char *s = text(n);
  return s[0] == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
         strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

static int is_quoted(const yaml_node_t *n) {
  return n->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
         n->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
}

static const char *kind_name(const yaml_node_t *n) {
  switch (n->type) {
  case YAML_MAPPING_NODE: return "a mapping";
  case YAML_SEQUENCE_NODE: return "a list";
  case YAML_SCALAR_NODE: return is_null(n) ? "nothing" : "a single value";
  default: return "nothing";
  }
}

/* Record "FILE:LINE: WHERE: detail". WHERE is the section ("materials[1]") or NULL at
 * the top level. `src_line` keeps the trace pointing at the check that failed. */
static mf_status case_fail(const reader *rd, mf_status code, const yaml_node_t *at,
                           const char *where, int src_line, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static mf_status case_fail(const reader *rd, mf_status code, const yaml_node_t *at,
                           const char *where, int src_line, const char *fmt, ...) {
  char detail[640];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(detail, sizeof detail, fmt, ap);
  va_end(ap);
  if (where && where[0])
    return mf_error_set(code, __FILE__, src_line, "%s:%d: %s: %s", rd->file, line_of(at), where,
                        detail);
  return mf_error_set(code, __FILE__, src_line, "%s:%d: %s", rd->file, line_of(at), detail);
}

#define FAIL(rd, code, at, where, ...) case_fail((rd), (code), (at), (where), __LINE__, __VA_ARGS__)

/* ---- mapping keys --------------------------------------------------------------- */

static void join_names(const char *const names[], int n, char *buf, size_t cap) {
  size_t used = 0;
  buf[0] = '\0';
  for (int i = 0; i < n && used < cap; i++) {
    int w = snprintf(buf + used, cap - used, "%s%s", i ? ", " : "", names[i]);
    if (w < 0) break;
    used += (size_t)w;
  }
}

/* Every key must be a scalar, appear once and (unless `allowed` is NULL, for free-form
 * names such as probes) be one of `allowed`. libyaml itself accepts duplicate keys. */
static mf_status check_keys(const reader *rd, const yaml_node_t *map, const char *where,
                            const char *const allowed[], int n_allowed) {
  const yaml_node_pair_t *first = map->data.mapping.pairs.start;
  for (const yaml_node_pair_t *p = first; p < map->data.mapping.pairs.top; p++) {
    const yaml_node_t *key = node_at(rd, p->key);
    if (key->type != YAML_SCALAR_NODE)
      return FAIL(rd, MF_ERR_PARSE, key, where, "keys must be names, got %s", kind_name(key));
    const char *k = text(key);
    int known = allowed == NULL;
    for (int i = 0; i < n_allowed && !known; i++) known = strcmp(k, allowed[i]) == 0;
    if (!known) {
      char expected[256];
      join_names(allowed, n_allowed, expected, sizeof expected);
      return FAIL(rd, MF_ERR_PARSE, key, where, "unknown key '%.80s' (expected %s)", k, expected);
    }
    for (const yaml_node_pair_t *q = first; q < p; q++) {
      const yaml_node_t *prev = node_at(rd, q->key);
      if (strcmp(k, text(prev)) == 0)
        return FAIL(rd, MF_ERR_PARSE, key, where, "duplicate key '%.80s' (first given at line %d)",
                    k, line_of(prev));
    }
  }
  return MF_OK;
}

/* The value of `key` in a mapping whose keys check_keys accepted; NULL if absent. */
static yaml_node_t *map_get(const reader *rd, const yaml_node_t *map, const char *key) {
  for (const yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
       p++)
    if (strcmp(text(node_at(rd, p->key)), key) == 0) return node_at(rd, p->value);
  return NULL;
}

/* A section or list entry that must be a mapping with known keys. */
static mf_status expect_map(const reader *rd, const yaml_node_t *n, const char *where,
                            const char *const keys[], int n_keys, const char *example) {
  if (n->type != YAML_MAPPING_NODE)
    return FAIL(rd, MF_ERR_PARSE, n, where, "expected a mapping such as %s, got %s", example,
                kind_name(n));
  return check_keys(rd, n, where, keys, n_keys);
}

/* ---- scalar values -------------------------------------------------------------- */

/* A scalar with a value: neither a list/mapping nor left empty. */
static mf_status expect_scalar(const reader *rd, const yaml_node_t *n, const char *where,
                               const char *key, const char *what) {
  if (n->type != YAML_SCALAR_NODE || is_null(n))
    return FAIL(rd, MF_ERR_PARSE, n, where, "%s must be %s, got %s", key, what, kind_name(n));
  return MF_OK;
}

/* YAML spells infinities and NaN .inf/.nan; strtod does not read those, so name them. */
static int is_yaml_nonfinite(const char *s) {
  if (*s == '+' || *s == '-') s++;
  return strcasecmp(s, ".inf") == 0 || strcasecmp(s, ".nan") == 0;
}

/* A finite real from a plain scalar. strtod must consume the whole text: "1.0e-8x"
 * and "" are errors, not 1e-8 and 0. (strtod follows LC_NUMERIC; memfem never calls
 * setlocale, so the decimal point is '.'.) */
static mf_status parse_real(const reader *rd, const yaml_node_t *n, const char *where,
                            const char *key, double *out) {
  MF_CALL(expect_scalar(rd, n, where, key, "a number"));
  const char *s = text(n);
  if (is_quoted(n))
    return FAIL(rd, MF_ERR_PARSE, n, where,
                "%s must be a number, got the quoted string '%.64s' (remove the quotes)", key, s);
  if (is_yaml_nonfinite(s))
    return FAIL(rd, MF_ERR_PARSE, n, where, "%s = %.64s is not a finite number", key, s);
  char *end;
  double v = strtod(s, &end); /* underflow to 0 or a denormal is accepted; overflow is inf */
  if (end == s || *end != '\0')
    return FAIL(rd, MF_ERR_PARSE, n, where, "%s must be a number, got '%.64s'", key, s);
  if (!isfinite(v))
    return FAIL(rd, MF_ERR_PARSE, n, where, "%s = %.64s is not a finite number", key, s);
  *out = v;
  return MF_OK;
}

/* A whole number in int range; "10.5" and "1e3" are refused so that counts are exact. */
static mf_status parse_int(const reader *rd, const yaml_node_t *n, const char *where,
                           const char *key, int *out) {
  MF_CALL(expect_scalar(rd, n, where, key, "an integer"));
  const char *s = text(n);
  if (is_quoted(n))
    return FAIL(rd, MF_ERR_PARSE, n, where,
                "%s must be an integer, got the quoted string '%.64s' (remove the quotes)", key, s);
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (end == s || *end != '\0')
    return FAIL(rd, MF_ERR_PARSE, n, where, "%s must be an integer, got '%.64s'", key, s);
  if (errno == ERANGE || v < INT_MIN || v > INT_MAX)
    return FAIL(rd, MF_ERR_INPUT, n, where, "%s = %.64s is out of the integer range", key, s);
  *out = (int)v;
  return MF_OK;
}

static mf_status parse_bool(const reader *rd, const yaml_node_t *n, const char *where,
                            const char *key, int *out) {
  MF_CALL(expect_scalar(rd, n, where, key, "true or false"));
  const char *s = text(n);
  if (is_quoted(n))
    return FAIL(rd, MF_ERR_PARSE, n, where,
                "%s must be true or false, got the quoted string '%.64s' (remove the quotes)", key,
                s);
  if (strcasecmp(s, "true") == 0 || strcasecmp(s, "yes") == 0) {
    *out = 1;
    return MF_OK;
  }
  if (strcasecmp(s, "false") == 0 || strcasecmp(s, "no") == 0) {
    *out = 0;
    return MF_OK;
  }
  return FAIL(rd, MF_ERR_PARSE, n, where, "%s must be true, false, yes or no, got '%.64s'", key, s);
}

/* A non-empty string that fits `cap` bytes with its terminator. */
static mf_status parse_string(const reader *rd, const yaml_node_t *n, const char *where,
                              const char *key, char *dst, size_t cap) {
  MF_CALL(expect_scalar(rd, n, where, key, "text"));
  size_t len = n->data.scalar.length;
  if (len == 0) return FAIL(rd, MF_ERR_PARSE, n, where, "%s must not be empty", key);
  if (len >= cap)
    return FAIL(rd, MF_ERR_INPUT, n, where, "%s '%.40s...' is %zu characters long (at most %zu)",
                key, text(n), len, cap - 1);
  /* A NUL inside a quoted scalar would silently shorten the name. */
  if (strlen(text(n)) != len)
    return FAIL(rd, MF_ERR_INPUT, n, where, "%s contains a NUL character", key);
  memcpy(dst, text(n), len + 1);
  return MF_OK;
}

/* [x, y, z]: exactly three finite numbers. */
static mf_status parse_vec3(const reader *rd, const yaml_node_t *n, const char *where,
                            const char *key, double v[3]) {
  if (n->type != YAML_SEQUENCE_NODE)
    return FAIL(rd, MF_ERR_PARSE, n, where, "%s must be a list of 3 numbers [x, y, z], got %s",
                key, kind_name(n));
  if (seq_len(n) != 3)
    return FAIL(rd, MF_ERR_PARSE, n, where,
                "%s must be a list of 3 numbers [x, y, z], got a list of %d", key, seq_len(n));
  for (int i = 0; i < 3; i++) {
    char item[MF_NAME_MAX + 8];
    snprintf(item, sizeof item, "%s[%d]", key, i);
    MF_CALL(parse_real(rd, seq_item(rd, n, i), where, item, &v[i]));
  }
  return MF_OK;
}

/* ---- optional keys with range checks -------------------------------------------- */

static mf_status opt_real(const reader *rd, const yaml_node_t *map, const char *where,
                          const char *key, opt_num *out) {
  out->given = 0;
  out->node = map_get(rd, map, key);
  if (!out->node) return MF_OK;
  MF_CALL(parse_real(rd, out->node, where, key, &out->v));
  out->given = 1;
  return MF_OK;
}

/* Required string key. */
static mf_status need_string(const reader *rd, const yaml_node_t *map, const char *where,
                             const char *key, char *dst, size_t cap) {
  const yaml_node_t *n = map_get(rd, map, key);
  if (!n) return FAIL(rd, MF_ERR_PARSE, map, where, "missing key '%s'", key);
  return parse_string(rd, n, where, key, dst, cap);
}

/* ---- mesh ----------------------------------------------------------------------- */

/* A relative mesh path is relative to the case file, so the case runs from any working
 * directory. Generator specs and absolute paths are kept. No normalisation: the file
 * need not exist yet, and the path the user can recognise is the best one to report. */
static mf_status resolve_mesh(const reader *rd, const yaml_node_t *n, const char *mesh,
                              char out[MF_PATH_MAX]) {
  const char *slash = strrchr(rd->file, '/');
  int keep = strncmp(mesh, "box:", 4) == 0 || mesh[0] == '/' || slash == NULL;
  int dir_len = keep ? 0 : (int)(slash - rd->file) + 1;
  int len = snprintf(out, MF_PATH_MAX, "%.*s%s", dir_len, rd->file, mesh);
  if (len < 0 || len >= MF_PATH_MAX)
    return FAIL(rd, MF_ERR_INPUT, n, NULL, "mesh path '%.40s...' is longer than %d characters",
                mesh, MF_PATH_MAX - 1);
  return MF_OK;
}

static mf_status read_mesh(const reader *rd, const yaml_node_t *root, mf_case *c) {
  const yaml_node_t *n = map_get(rd, root, "mesh");
  if (!n)
    return FAIL(rd, MF_ERR_PARSE, root, NULL,
                "missing required key 'mesh' (a mesh file or box:LXxLYxLZ:NXxNYxNZ)");
  char mesh[MF_PATH_MAX];
  MF_CALL(parse_string(rd, n, NULL, "mesh", mesh, sizeof mesh));
  return resolve_mesh(rd, n, mesh, c->mesh);
}

/* ---- materials ------------------------------------------------------------------ */

/* E and nu: both required, each in its range. */
static mf_status check_E_nu(const reader *rd, const yaml_node_t *map, const char *where,
                            const char *model, const opt_num *E, const opt_num *nu) {
  if (!E->given || !nu->given)
    return FAIL(rd, MF_ERR_PARSE, map, where, "missing key '%s' (model %s needs E and nu)",
                E->given ? "nu" : "E", model);
  if (!(E->v > 0.0))
    return FAIL(rd, MF_ERR_INPUT, E->node, where, "E = %.64s must be > 0", text(E->node));
  if (E->v < MF_MODULUS_MIN || E->v > MF_MODULUS_MAX)
    return FAIL(rd, MF_ERR_INPUT, E->node, where, "E = %.64s is outside [%g, %g], beyond what double precision "
                "stiffness can hold; change the units", text(E->node), MF_MODULUS_MIN, MF_MODULUS_MAX);
  if (!(nu->v > -1.0 && nu->v < 0.5))
    return FAIL(rd, MF_ERR_INPUT, nu->node, where, "nu = %.64s must satisfy -1 < nu < 0.5",
                text(nu->node));
  return MF_OK;
}

static mf_status check_C10_D1(const reader *rd, const yaml_node_t *map, const char *where,
                              const opt_num *C10, const opt_num *D1) {
  if (!C10->given || !D1->given)
    return FAIL(rd, MF_ERR_PARSE, map, where, "missing key '%s' (C10 and D1 are given together)",
                C10->given ? "D1" : "C10");
  if (!(C10->v > 0.0))
    return FAIL(rd, MF_ERR_INPUT, C10->node, where, "C10 = %.64s must be > 0", text(C10->node));
  if (!(D1->v > 0.0))
    return FAIL(rd, MF_ERR_INPUT, D1->node, where, "D1 = %.64s must be > 0", text(D1->node));
  if (C10->v > MF_MODULUS_MAX || C10->v < MF_MODULUS_MIN || D1->v > 1.0 / MF_MODULUS_MIN || D1->v < 1.0 / MF_MODULUS_MAX)
    return FAIL(rd, MF_ERR_INPUT, map, where, "C10 and 1/D1 must lie in [%g, %g], beyond that double precision "
                "stiffness overflows; change the units", MF_MODULUS_MIN, MF_MODULUS_MAX);
  return MF_OK;
}

/* Pick the parameter set the model takes, check it here (with lines), then let the
 * material module derive its constants. */
static mf_status build_material(const reader *rd, const yaml_node_t *map, const char *where,
                                mf_material_model model, const opt_num p[4], mf_material *m) {
  const opt_num *E = &p[0], *nu = &p[1], *C10 = &p[2], *D1 = &p[3];
  const char *name = mf_material_model_name(model);
  if (model != MF_MAT_NEO_HOOKEAN_DECOUPLED) {
    const opt_num *extra = C10->given ? C10 : D1->given ? D1 : NULL;
    if (extra)
      return FAIL(rd, MF_ERR_INPUT, extra->node, where,
                  "%s is a parameter of neo-hookean-decoupled; model %s takes E and nu",
                  extra == C10 ? "C10" : "D1", name);
    MF_CALL(check_E_nu(rd, map, where, name, E, nu));
    MF_CALL(mf_material_from_E_nu(model, E->v, nu->v, m));
    return MF_OK;
  }
  int has_cd = C10->given || D1->given, has_en = E->given || nu->given;
  if (has_cd && has_en)
    return FAIL(rd, MF_ERR_INPUT, map, where,
                "give either C10 and D1 or E and nu for model %s, not both", name);
  if (has_cd) {
    MF_CALL(check_C10_D1(rd, map, where, C10, D1));
    MF_CALL(mf_material_from_C10_D1(C10->v, D1->v, m));
    return MF_OK;
  }
  if (!has_en)
    return FAIL(rd, MF_ERR_PARSE, map, where, "model %s needs C10 and D1, or E and nu", name);
  MF_CALL(check_E_nu(rd, map, where, name, E, nu));
  MF_CALL(mf_material_from_E_nu(model, E->v, nu->v, m));
  return MF_OK;
}

static mf_status read_material(const reader *rd, const yaml_node_t *map, const char *where,
                               mf_material_assignment *cm) {
  MF_CALL(expect_map(rd, map, where, material_keys, N_OF(material_keys),
                     "{model: neo-hookean, E: 200000, nu: 0.3}"));
  cm->line = line_of(map);
  const yaml_node_t *region = map_get(rd, map, "region");
  if (region) MF_CALL(parse_string(rd, region, where, "region", cm->region, sizeof cm->region));
  char model_name[MF_NAME_MAX];
  MF_CALL(need_string(rd, map, where, "model", model_name, sizeof model_name));
  mf_material_model model;
  char list[128];
  if (mf_material_model_parse(model_name, &model) != 0)
    return FAIL(rd, MF_ERR_INPUT, map_get(rd, map, "model"), where, "unknown model '%s' (expected %s)", model_name,
                mf_name_list(mf_material_model_names, 0, list, sizeof list));
  opt_num p[4];
  static const char *const params[4] = {"E", "nu", "C10", "D1"};
  for (int i = 0; i < 4; i++) MF_CALL(opt_real(rd, map, where, params[i], &p[i]));
  return build_material(rd, map, where, model, p, &cm->mat);
}

/* An unnamed region means "every element", which is only unambiguous when alone. */
static mf_status check_regions(const reader *rd, const yaml_node_t *seq, const mf_problem_desc *c) {
  for (int i = 0; i < c->n_materials; i++) {
    const mf_material_assignment *m = &c->materials[i];
    char where[32];
    snprintf(where, sizeof where, "materials[%d]", i);
    if (c->n_materials > 1 && m->region[0] == '\0')
      return FAIL(rd, MF_ERR_INPUT, seq_item(rd, seq, i), where,
                  "missing key 'region' (required when there is more than one material)");
    for (int j = 0; j < i; j++)
      if (strcmp(m->region, c->materials[j].region) == 0)
        return FAIL(rd, MF_ERR_INPUT, seq_item(rd, seq, i), where,
                    "region '%s' already has a material (materials[%d], line %d)", m->region, j,
                    c->materials[j].line);
  }
  return MF_OK;
}

static mf_status read_materials(const reader *rd, const yaml_node_t *root, mf_problem_desc *c) {
  const yaml_node_t *seq = map_get(rd, root, "materials");
  if (!seq)
    return FAIL(rd, MF_ERR_PARSE, root, NULL,
                "missing required key 'materials' (a list such as "
                "[{model: neo-hookean, E: 200000, nu: 0.3}])");
  if (seq->type != YAML_SEQUENCE_NODE)
    return FAIL(rd, MF_ERR_PARSE, seq, "materials", "expected a list of materials, got %s",
                kind_name(seq));
  int n = seq_len(seq);
  if (n == 0)
    return FAIL(rd, MF_ERR_INPUT, seq, "materials",
                "the list is empty; give at least one material");
  MF_CALL(MF_CALLOC_N(c->materials, n, "case materials"));
  c->n_materials = n;
  for (int i = 0; i < n; i++) {
    char where[32];
    snprintf(where, sizeof where, "materials[%d]", i);
    MF_CALL(read_material(rd, seq_item(rd, seq, i), where, &c->materials[i]));
  }
  return check_regions(rd, seq, c);
}

/* ---- boundary ------------------------------------------------------------------- */

static mf_status read_dirichlet(const reader *rd, const yaml_node_t *map, const char *where,
                                mf_dirichlet_set *d) {
  MF_CALL(expect_map(rd, map, where, boundary_keys, N_OF(boundary_keys), "{group: fixed, ux: 0}"));
  d->line = line_of(map);
  MF_CALL(need_string(rd, map, where, "group", d->group, sizeof d->group));
  int any = 0;
  for (int k = 0; k < 3; k++) {
    opt_num u;
    MF_CALL(opt_real(rd, map, where, boundary_keys[1 + k], &u));
    d->fixed[k] = u.given;
    d->value[k] = u.given ? u.v : 0.0;
    any |= u.given;
  }
  if (!any)
    return FAIL(rd, MF_ERR_INPUT, map, where,
                "group '%s' prescribes no component (give ux, uy and/or uz)", d->group);
  return MF_OK;
}

static mf_status read_boundary(const reader *rd, const yaml_node_t *root, mf_problem_desc *c) {
  const yaml_node_t *seq = map_get(rd, root, "boundary");
  if (!seq) return MF_OK;
  if (seq->type != YAML_SEQUENCE_NODE)
    return FAIL(rd, MF_ERR_PARSE, seq, "boundary",
                "expected a list such as [{group: fixed, ux: 0, uy: 0, uz: 0}], got %s",
                kind_name(seq));
  int n = seq_len(seq);
  MF_CALL(MF_CALLOC_N(c->dirichlet, n, "case boundary conditions"));
  c->n_dirichlet = n;
  for (int i = 0; i < n; i++) {
    char where[32];
    snprintf(where, sizeof where, "boundary[%d]", i);
    MF_CALL(read_dirichlet(rd, seq_item(rd, seq, i), where, &c->dirichlet[i]));
    for (int j = 0; j < i; j++)
      if (strcmp(c->dirichlet[i].group, c->dirichlet[j].group) == 0)
        return FAIL(rd, MF_ERR_INPUT, seq_item(rd, seq, i), where,
                    "group '%s' already has an entry (boundary[%d], line %d); "
                    "give all its components in one entry",
                    c->dirichlet[i].group, j, c->dirichlet[j].line);
  }
  return MF_OK;
}

/* ---- loads ---------------------------------------------------------------------- */

static mf_status read_load(const reader *rd, const yaml_node_t *map, const char *where,
                           mf_load *l) {
  MF_CALL(expect_map(rd, map, where, load_keys, N_OF(load_keys),
                     "{group: top, traction: [0, 0, -1]} or {body_force: [0, 0, -9.81]}"));
  l->line = line_of(map);
  const yaml_node_t *tr = map_get(rd, map, "traction");
  const yaml_node_t *bf = map_get(rd, map, "body_force");
  const yaml_node_t *group = map_get(rd, map, "group");
  if (tr && bf)
    return FAIL(rd, MF_ERR_INPUT, map, where,
                "give either traction (with group) or body_force in one entry, not both");
  if (!tr && !bf)
    return FAIL(rd, MF_ERR_PARSE, map, where, "missing key 'traction' or 'body_force'");
  if (bf) {
    if (group)
      return FAIL(rd, MF_ERR_INPUT, group, where,
                  "body_force acts on the whole body; remove 'group'");
    l->kind = MF_LOAD_BODY_FORCE;
    return parse_vec3(rd, bf, where, "body_force", l->vec);
  }
  l->kind = MF_LOAD_TRACTION;
  if (!group)
    return FAIL(rd, MF_ERR_PARSE, map, where,
                "missing key 'group' (the surface the traction acts on)");
  MF_CALL(parse_string(rd, group, where, "group", l->group, sizeof l->group));
  return parse_vec3(rd, tr, where, "traction", l->vec);
}

static mf_status read_loads(const reader *rd, const yaml_node_t *root, mf_problem_desc *c) {
  const yaml_node_t *seq = map_get(rd, root, "loads");
  if (!seq) return MF_OK;
  if (seq->type != YAML_SEQUENCE_NODE)
    return FAIL(rd, MF_ERR_PARSE, seq, "loads",
                "expected a list such as [{group: top, traction: [0, 0, -1]}], got %s",
                kind_name(seq));
  int n = seq_len(seq);
  MF_CALL(MF_CALLOC_N(c->loads, n, "case loads"));
  c->n_loads = n;
  for (int i = 0; i < n; i++) {
    char where[32];
    snprintf(where, sizeof where, "loads[%d]", i);
    MF_CALL(read_load(rd, seq_item(rd, seq, i), where, &c->loads[i]));
  }
  return MF_OK;
}

/* ---- probes and output ---------------------------------------------------------- */

static mf_status read_probes(const reader *rd, const yaml_node_t *root, mf_problem_desc *c) {
  const yaml_node_t *map = map_get(rd, root, "probes");
  if (!map) return MF_OK;
  if (map->type != YAML_MAPPING_NODE)
    return FAIL(rd, MF_ERR_PARSE, map, "probes",
                "expected a mapping of names to points such as {tip: [10, 0.5, 0.5]}, got %s",
                kind_name(map));
  MF_CALL(check_keys(rd, map, "probes", NULL, 0));
  int n = map_len(map);
  MF_CALL(MF_CALLOC_N(c->probes, n, "case probes"));
  c->n_probes = n;
  for (int i = 0; i < n; i++) {
    const yaml_node_pair_t *p = &map->data.mapping.pairs.start[i];
    const yaml_node_t *key = node_at(rd, p->key);
    mf_probe *pr = &c->probes[i];
    MF_CALL(parse_string(rd, key, "probes", "probe name", pr->name, sizeof pr->name));
    MF_CALL(parse_vec3(rd, node_at(rd, p->value), "probes", pr->name, pr->X));
  }
  return MF_OK;
}

/* ---- flat sections, by one field table ---------------------------------------------- */

/* One key of a flat section (steps, newton, linear, output, checkpoint, memory) or a
 * top-level word (reorder, assembly): its type, where it goes in mf_case and its range.
 * The messages are those of the typed readers above. */
typedef enum { F_INT, F_REAL, F_BOOL, F_STRING, F_NAME, F_SECTION } field_kind;
struct case_section;

#define NOWHERE SIZE_MAX /* a field that is checked but not stored */

typedef struct {
  const char *key;
  field_kind kind;
  size_t offset;        /* of the value in mf_case, or NOWHERE */
  double min;           /* F_INT, F_REAL: smallest value */
  int strict;           /* F_REAL: must exceed min */
  int max;              /* F_INT: largest value, with max_hint (0: none) */
  const char *max_hint;
  const mf_name *names; /* F_NAME: the accepted words and their values */
  size_t cap;           /* F_STRING: buffer size */
  const struct case_section *section; /* F_SECTION: a mapping of its own fields */
} case_field;

typedef struct case_section {
  const char *name;     /* the section's key */
  const char *where;    /* its name in messages, when not the key (a nested section) */
  const char *example;  /* shown when it is not a mapping */
  const char *required; /* a key it must have (NULL: none), and why */
  const char *required_why;
  const case_field *fields;
  int n_fields;
  mf_status (*check)(const reader *rd, const yaml_node_t *map, const mf_case *c); /* across keys */
} case_section;

static const mf_name solver_names[] = {{"cg", 0}, {NULL, 0}};

#define CASE_AT(member) offsetof(mf_case, member)
static const case_field steps_fields[] = {
    {"count", F_INT, CASE_AT(solver.steps.count), .min = 1, .max = MF_MAX_STEP_ATTEMPTS,
     .max_hint = STEP_ATTEMPTS_HINT},
    {"max_cutbacks", F_INT, CASE_AT(solver.steps.max_cutbacks), .min = 0},
};
static const case_field newton_fields[] = {
    {"rtol", F_REAL, CASE_AT(solver.newton.rtol), .min = 0.0},
    {"atol", F_REAL, CASE_AT(solver.newton.atol), .min = 0.0},
    {"dtol", F_REAL, CASE_AT(solver.newton.dtol), .min = 0.0},
    {"max_iter", F_INT, CASE_AT(solver.newton.max_iter), .min = 1},
    {"line_search", F_BOOL, CASE_AT(solver.newton.line_search), .min = 0},
};
static const case_field amg_fields[] = {
    {"threshold", F_REAL, CASE_AT(solver.linear.pc.amg.threshold), .min = 0.0},
    {"smoother", F_NAME, CASE_AT(solver.linear.pc.amg.smoother), .names = mf_amg_smoother_names},
    {"sweeps", F_INT, CASE_AT(solver.linear.pc.amg.sweeps), .min = 1, .max = 8,
     .max_hint = "give 1 to 8 sweeps (the Chebyshev degree)"},
    {"eig_ratio", F_REAL, CASE_AT(solver.linear.pc.amg.eig_ratio), .min = 1.0, .strict = 1},
    {"coarse_size", F_INT, CASE_AT(solver.linear.pc.amg.coarse_size), .min = 1, .max = 4000,
     .max_hint = "the coarsest level is factored densely: give at most 4000 unknowns"},
    {"max_levels", F_INT, CASE_AT(solver.linear.pc.amg.max_levels), .min = 1, .max = MF_AMG_MAX_LEVELS,
     .max_hint = "give at most 16 levels"},
    {"aggressive_levels", F_INT, CASE_AT(solver.linear.pc.amg.aggressive_levels), .min = 0, .max = MF_AMG_MAX_LEVELS,
     .max_hint = "give 0 to 16 levels"},
    {"nullspace", F_NAME, CASE_AT(solver.linear.pc.amg.nullspace), .names = mf_amg_nullspace_names},
    {"precision", F_NAME, CASE_AT(solver.linear.pc.amg.precision), .names = mf_amg_precision_names},
    {"fine_precision", F_NAME, CASE_AT(solver.linear.pc.amg.fine_precision), .names = mf_amg_precision_names},
};
static const case_field boomeramg_fields[] = {
    {"aggressive_levels", F_INT, CASE_AT(solver.linear.pc.boomeramg.aggressive_levels), .min = 0, .max = 25,
     .max_hint = "give 0 to 25 levels (hypre's most)"},
};
static const struct case_section amg_section;
static const struct case_section boomeramg_section;
static const case_field linear_fields[] = {
    {"solver", F_NAME, NOWHERE, .names = solver_names},
    {"preconditioner", F_NAME, CASE_AT(solver.linear.pc.type), .names = mf_pc_names},
    {"rtol", F_REAL, CASE_AT(solver.linear.rtol), .min = 0.0, .strict = 1},
    {"max_iter", F_INT, CASE_AT(solver.linear.max_iter), .min = 1},
    {"reuse", F_REAL, CASE_AT(solver.linear.reuse), .min = 0.0},
    {"reproducible", F_BOOL, CASE_AT(solver.linear.reproducible), .min = 0},
    {"amg", F_SECTION, NOWHERE, .section = &amg_section},
    {"boomeramg", F_SECTION, NOWHERE, .section = &boomeramg_section},
};
static const case_field output_fields[] = {
    {"dir", F_STRING, CASE_AT(output_dir), .cap = MF_PATH_MAX},
    {"every", F_INT, CASE_AT(output_every), .min = 0},
    {"compression", F_INT, CASE_AT(output_compression), .min = 0, .max = 9,
     .max_hint = "give a deflate level 0 (none) to 9"},
};
static const case_field checkpoint_fields[] = {
    {"every", F_INT, CASE_AT(checkpoint_every), .min = 1},
};
static const case_field memory_fields[] = {
    {"release_after_step", F_BOOL, CASE_AT(release_after_step), .min = 0},
    {"soak_steps", F_INT, CASE_AT(soak_steps), .min = 0, .max = MF_MAX_STEP_ATTEMPTS,
     .max_hint = STEP_ATTEMPTS_HINT},
};
static const case_field word_fields[] = {
    {"reorder", F_NAME, CASE_AT(reorder), .names = mf_reorder_names},
    {"assembly", F_NAME, CASE_AT(solver.assembly), .names = mf_assembly_method_names},
    {"matrix", F_NAME, CASE_AT(solver.matrix), .names = mf_matrix_storage_names},
    {"volumetric", F_NAME, CASE_AT(problem.volumetric), .names = mf_volumetric_names},
};
#undef CASE_AT

static mf_status check_newton(const reader *rd, const yaml_node_t *map, const mf_case *c) {
  if (c->solver.newton.rtol == 0.0 && c->solver.newton.atol == 0.0)
    return FAIL(rd, MF_ERR_INPUT, map, "newton",
                "rtol and atol are both 0, so Newton could never converge; set one > 0");
  return MF_OK;
}

#define FIELDS(f) f, N_OF(f)
static const case_section steps_section = {"steps", NULL, "{count: 10, max_cutbacks: 10}", "count",
                                           "number of load steps", FIELDS(steps_fields), NULL};
static const case_section newton_section = {
    "newton", NULL, "{rtol: 1e-8, atol: 1e-10, max_iter: 25}", NULL, NULL, FIELDS(newton_fields), check_newton};
static const case_section linear_section = {"linear", NULL, "{solver: cg, preconditioner: block-jacobi}", NULL, NULL,
                                            FIELDS(linear_fields), NULL};
static const case_section amg_section = {"amg", "linear.amg", "{threshold: 0.02, sweeps: 2, coarse_size: 500}",
                                         NULL, NULL, FIELDS(amg_fields), NULL};
static const case_section boomeramg_section = {"boomeramg", "linear.boomeramg", "{aggressive_levels: 1}", NULL, NULL,
                                               FIELDS(boomeramg_fields), NULL};
static const case_section output_section = {"output", NULL, "{dir: out/cantilever, every: 1, compression: 4}", NULL,
                                            NULL, FIELDS(output_fields), NULL};
static const case_section checkpoint_section = {
    "checkpoint", NULL, "{every: 5}", "every", "write a checkpoint every K steps", FIELDS(checkpoint_fields), NULL};
static const case_section memory_section = {"memory", NULL, "{release_after_step: true, soak_steps: 100}", NULL, NULL,
                                            FIELDS(memory_fields), NULL};
#undef FIELDS

static mf_status read_section(const reader *rd, const yaml_node_t *root, const case_section *sec, mf_case *c);

/* Read f from map into c, if present; `where` is the section (NULL at the top level). */
static mf_status read_field(const reader *rd, const yaml_node_t *map, const char *where, const case_field *f,
                            mf_case *c) {
  const yaml_node_t *n = map_get(rd, map, f->key);
  if (!n) return MF_OK;
  void *dst = f->offset == NOWHERE ? NULL : (char *)c + f->offset;
  switch (f->kind) {
  case F_INT: {
    int v = 0;
    MF_CALL(parse_int(rd, n, where, f->key, &v));
    if (v < (int)f->min) return FAIL(rd, MF_ERR_INPUT, n, where, "%s = %d must be >= %d", f->key, v, (int)f->min);
    if (f->max && v > f->max) return FAIL(rd, MF_ERR_INPUT, n, where, "%s = %d: %s", f->key, v, f->max_hint);
    *(int *)dst = v;
    return MF_OK;
  }
  case F_REAL: {
    double v;
    MF_CALL(parse_real(rd, n, where, f->key, &v));
    if (v < f->min || (f->strict && v == f->min))
      return FAIL(rd, MF_ERR_INPUT, n, where, "%s = %.64s must be %s %g", f->key, text(n), f->strict ? ">" : ">=",
                  f->min);
    *(double *)dst = v;
    return MF_OK;
  }
  case F_BOOL: return parse_bool(rd, n, where, f->key, (int *)dst);
  case F_STRING: return parse_string(rd, n, where, f->key, (char *)dst, f->cap);
  case F_SECTION: return read_section(rd, map, f->section, c);
  case F_NAME: {
    char word[MF_NAME_MAX], list[256];
    int v;
    MF_CALL(parse_string(rd, n, where, f->key, word, sizeof word));
    if (mf_name_parse(f->names, word, &v) != 0)
      return FAIL(rd, MF_ERR_INPUT, n, where, "unknown %s '%s' (expected %s)", f->key, word,
                  mf_name_list(f->names, 0, list, sizeof list));
    if (dst) *(int *)dst = v; /* enums: int-sized (checked in mf_case_load) */
    return MF_OK;
  }
  }
  return MF_ERROR(MF_ERR_INTERNAL, "case field %s: unknown kind", f->key);
}

static mf_status read_section(const reader *rd, const yaml_node_t *root, const case_section *sec, mf_case *c) {
  const yaml_node_t *map = map_get(rd, root, sec->name);
  if (!map) return MF_OK;
  enum { MAX_KEYS = 16 };
  const char *where = sec->where ? sec->where : sec->name, *keys[MAX_KEYS];
  MF_CHECK(sec->n_fields <= MAX_KEYS, MF_ERR_INTERNAL, "case section %s: %d keys, at most %d", where, sec->n_fields,
           MAX_KEYS);
  for (int i = 0; i < sec->n_fields; i++) keys[i] = sec->fields[i].key;
  MF_CALL(expect_map(rd, map, where, keys, sec->n_fields, sec->example));
  if (sec->required && !map_get(rd, map, sec->required))
    return FAIL(rd, MF_ERR_PARSE, map, where, "missing key '%s' (%s)", sec->required, sec->required_why);
  for (int i = 0; i < sec->n_fields; i++) MF_CALL(read_field(rd, map, where, &sec->fields[i], c));
  return sec->check ? sec->check(rd, map, c) : MF_OK;
}

static mf_status read_case(const reader *rd, mf_case *c) {
  const yaml_node_t *root = yaml_document_get_root_node(rd->doc);
  if (root->type != YAML_MAPPING_NODE)
    return FAIL(rd, MF_ERR_PARSE, root, NULL,
                "a case file is a mapping of sections (mesh, materials, ...), got %s",
                kind_name(root));
  MF_CALL(check_keys(rd, root, NULL, top_keys, N_OF(top_keys)));
  MF_CALL(read_mesh(rd, root, c));
  MF_CALL(read_materials(rd, root, &c->problem));
  MF_CALL(read_boundary(rd, root, &c->problem));
  MF_CALL(read_loads(rd, root, &c->problem));
  MF_CALL(read_section(rd, root, &steps_section, c));
  MF_CALL(read_section(rd, root, &newton_section, c));
  MF_CALL(read_section(rd, root, &linear_section, c));
  MF_CALL(read_probes(rd, root, &c->problem));
  MF_CALL(read_section(rd, root, &output_section, c));
  MF_CALL(read_section(rd, root, &memory_section, c));
  for (int i = 0; i < N_OF(word_fields); i++) MF_CALL(read_field(rd, root, NULL, &word_fields[i], c));
  MF_CALL(read_section(rd, root, &checkpoint_section, c));
  return MF_OK;
}

/* ---- reading the file ----------------------------------------------------------- */

static mf_status yaml_failure(const char *path, const yaml_parser_t *p) {
  if (p->error == YAML_MEMORY_ERROR)
    return MF_ERROR(MF_ERR_MEMORY, "out of memory while reading case file %s", path);
  if (p->error == YAML_READER_ERROR) /* bad encoding or a failed read: no line known */
    return MF_ERROR(MF_ERR_PARSE, "%s: cannot read the case file: %s (at byte %zu)", path,
                    p->problem ? p->problem : "unknown error", p->problem_offset);
  const char *problem = p->problem ? p->problem : "unknown error";
  if (p->context)
    return MF_ERROR(MF_ERR_PARSE, "%s:%d: YAML syntax error: %s (%s starting at line %d)", path,
                    (int)p->problem_mark.line + 1, problem, p->context,
                    (int)p->context_mark.line + 1);
  return MF_ERROR(MF_ERR_PARSE, "%s:%d: YAML syntax error: %s", path,
                  (int)p->problem_mark.line + 1, problem);
}

/* Parse the one document in `fp` into *doc. Anything after it (a second document or
 * a syntax error there) is an error, so that no part of the file is silently ignored. */
static mf_status parse_document(const char *path, FILE *fp, yaml_document_t *doc) {
  yaml_parser_t parser;
  if (!yaml_parser_initialize(&parser))
    return MF_ERROR(MF_ERR_MEMORY, "out of memory while reading case file %s", path);
  yaml_parser_set_input_file(&parser, fp);
  mf_status st = MF_OK;
  if (!yaml_parser_load(&parser, doc)) { /* libyaml deletes doc on failure */
    st = yaml_failure(path, &parser);
    yaml_parser_delete(&parser);
    return st;
  }
  yaml_document_t extra;
  if (!yaml_parser_load(&parser, &extra)) {
    st = yaml_failure(path, &parser);
  } else {
    const yaml_node_t *more = yaml_document_get_root_node(&extra);
    if (more)
      st = MF_ERROR(MF_ERR_PARSE,
                    "%s:%d: a case file holds one YAML document; a second one starts here", path,
                    line_of(more));
    yaml_document_delete(&extra);
  }
  yaml_parser_delete(&parser);
  if (st != MF_OK) yaml_document_delete(doc);
  return st;
}

static mf_status open_case_file(const char *path, FILE **out) {
  FILE *fp = fopen(path, "rb");
  if (!fp) return MF_ERROR(MF_ERR_IO, "cannot open case file %s: %s", path, strerror(errno));
  /* fopen succeeds on a directory; reading it would fail with a vaguer message. */
  struct stat sb;
  if (fstat(fileno(fp), &sb) == 0 && S_ISDIR(sb.st_mode)) {
    fclose(fp);
    return MF_ERROR(MF_ERR_IO, "cannot read case file %s: %s", path, strerror(EISDIR));
  }
  *out = fp;
  return MF_OK;
}

/* Parse and walk; the document is always released here, whatever happens. */
static mf_status load_into(const char *path, mf_case *c) {
  FILE *fp = NULL;
  MF_CALL(open_case_file(path, &fp));
  yaml_document_t doc;
  mf_status st = parse_document(path, fp, &doc);
  fclose(fp);
  if (st != MF_OK) return st;
  reader rd = {&doc, path};
  if (!yaml_document_get_root_node(&doc))
    st = MF_ERROR(MF_ERR_PARSE,
                  "%s: the case file is empty; it needs at least 'mesh' and 'materials'", path);
  else
    st = read_case(&rd, c);
  yaml_document_delete(&doc);
  return st;
}

/* F_NAME fields store enums through an int. */
_Static_assert(sizeof(mf_pc_type) == sizeof(int) && sizeof(mf_reorder_method) == sizeof(int) &&
                   sizeof(mf_assembly_method) == sizeof(int) && sizeof(mf_amg_nullspace) == sizeof(int) && sizeof(mf_amg_smoother) == sizeof(int) &&
                   sizeof(mf_matrix_storage) == sizeof(int) && sizeof(mf_amg_precision) == sizeof(int),
               "case enums must be int-sized");

mf_status mf_case_load(const char *path, mf_case **out) {
  *out = NULL;
  if (!path || !path[0]) return MF_ERROR(MF_ERR_INPUT, "no case file given");
  size_t len = strlen(path);
  if (len >= MF_PATH_MAX)
    return MF_ERROR(MF_ERR_INPUT, "case file path '%.40s...' is %zu characters long (at most %d)",
                    path, len, MF_PATH_MAX - 1);
  mf_case *c;
  MF_CALL(mf_case_create_default(&c));
  memcpy(c->path, path, len + 1);
  mf_status st = load_into(c->path, c);
  if (st != MF_OK) {
    mf_error_trace(__FILE__, __LINE__, __func__);
    mf_case_destroy(&c);
    return st;
  }
  *out = c;
  return MF_OK;
}
