/* results.h5 writer (layout in mf_h5_results.h); results.xdmf follows every step. */
#include "io/mf_h5_results.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/mf_build_info.h"
#include "fem/mf_element.h"
#include "la/mf_redistribute.h"
#include "io/mf_atomic.h"
#include "io/mf_h5.h"
#include "io/mf_h5_collective.h"
#include "io/mf_h5_mesh.h"
#include "io/mf_xdmf.h"
#include "mem/mf_alloc.h"

#define UNITS                                                                                       \
  "those of the inputs: coordinates and displacement in the mesh's length unit, stresses in the " \
  "unit of the material constants (E, C10)"
#define VOIGT_ORDER "xx xy xz yy yz zz" /* XDMF's Tensor6 order, so ParaView labels components right */
#define WRITING "steps/writing" /* a step that every process is writing (write_step_dist) */

/* Across processes: this process's rows of each step's datasets. */
typedef struct {
  mf_comm *comm;
  const mf_problem *part_pb;
  mf_idx n_own;                /* the part's own elements (local numbers; the part's) */
  const mf_idx *own;
  mf_redistribute *nodes;      /* owned rows of u into a block of the file's rows (the caller's) */
  mf_redistribute *elems;      /* own elements' stress and von Mises (7 values a row) */
} results_dist;

struct mf_results {
  char h5_path[MF_PATH_MAX + 16], xdmf_path[MF_PATH_MAX + 16];
  hid_t file;            /* one process, or rank 0 (between the collective writes) */
  const mf_problem *pb;  /* the whole mesh's */
  int deflate;
  double *stress, *vm;   /* elems x 6, elems, in the mesh's own element order */
  double *u_out;         /* nodes x 3: displacement in the mesh's own node order */
  int n_steps, cap_steps;
  mf_xdmf_step *steps;   /* written steps, for the XDMF index */
  int broken;            /* a write failed: the file is left as its last flush left it */
  int64_t last_step;     /* the last step written, or -1 (on every process) */
  int root;              /* writes the file's metadata: one process, or rank 0 */
  results_dist *dist;    /* across processes, else NULL */
};

/* Generous upper bounds of what a write adds to the file: the raw data, a quarter more
 * for chunk indexes and object headers, and the group's growing name heap. Reserved
 * before the write (mf_h5_reserve), so a full disk stops the run before HDF5 starts a
 * write it cannot finish, and results.h5 keeps every step written so far. */
static double step_bytes(const mf_results *r) {
  const mf_mesh *m = r->pb->mesh;
  double raw = 24.0 * m->nodes.n_local + 56.0 * m->n_elems;
  return 1.25 * raw + 262144.0 + 64.0 * r->n_steps;
}

static double header_bytes(const mf_results *r, size_t text_len) {
  const mf_mesh *m = r->pb->mesh;
  double raw = 32.0 * m->nodes.n_local + 52.0 * m->n_elems + 32.0 * m->n_faces + 2.0 * (double)text_len;
  return 1.25 * raw + 262144.0;
}

double mf_von_mises(const double s[6]) {
  double a = s[0] - s[1], b = s[1] - s[2], c = s[2] - s[0];
  return sqrt(0.5 * (a * a + b * b + c * c) + 3.0 * (s[3] * s[3] + s[4] * s[4] + s[5] * s[5]));
}

/* Whole case file, for case_text (at most 1 MiB). */
static mf_status read_text(const char *path, char **out) {
  *out = NULL;
  FILE *f = fopen(path, "rb");
  if (!f) return MF_ERROR(MF_ERR_IO, "cannot open case file %s: %s", path, strerror(errno));
  char *buf;
  mf_status st = mf_malloc((1u << 20) + 1, "case text", &buf);
  if (st) {
    fclose(f);
    return st;
  }
  size_t n = fread(buf, 1, 1u << 20, f);
  fclose(f);
  buf[n] = '\0';
  *out = buf;
  return MF_OK;
}

/* The case text as the root attribute case_text - or, when longer than an attribute
 * may be (it lives in the root group's object header, which libhdf5's default file
 * format caps at 64 KiB), as the byte dataset /case_text, the attribute then saying so. */
#define CASE_TEXT_ATTR_MAX 60000
static mf_status write_case_text(hid_t f, const char *text, const char *path) {
  size_t n = strlen(text);
  if (n <= CASE_TEXT_ATTR_MAX) return mf_h5_attr_write_str(f, "case_text", text, path);
  MF_CALL(mf_h5_write(f, "case_text", H5T_NATIVE_UCHAR, H5T_STD_U8LE, n, 0, text, 0, path));
  char note[128];
  snprintf(note, sizeof note, "(%zu bytes: in the dataset /case_text)", n);
  return mf_h5_attr_write_str(f, "case_text", note, path);
}

/* Root attributes, /mesh and an empty /steps into the open file f (path: its name). */
static mf_status write_header(mf_results *r, const mf_case *cs, hid_t f, const char *path) {
  const mf_build_info *b = mf_build_info_get();
  char build[1024];
  snprintf(build, sizeof build, "memfem %s commit %s, %s, %s, flags '%s', OpenMP %s, scratch %s, layout %s, allocator %s",
           b->version, b->git_commit, b->build_type, b->compiler, b->c_flags, b->openmp, b->scratch, b->layout,
           b->allocator);
  char *text = NULL;
  if (cs->path[0]) MF_CALL(read_text(cs->path, &text));
  mf_status st;
  if (!(st = mf_h5_reserve(path, header_bytes(r, text ? strlen(text) : 0), "the mesh and header")) &&
      !(st = mf_h5_attr_write_str(f, "memfem_version", b->version, path)) &&
      !(st = mf_h5_attr_write_str(f, "build", build, path)) &&
      !(st = mf_h5_attr_write_str(f, "case_file", cs->path, path)) &&
      !(st = write_case_text(f, text ? text : "", path)) &&
      !(st = mf_h5_attr_write_str(f, "units", UNITS, path)) &&
      !(st = r->pb->mesh->conn ? mf_h5_mesh_write(f, r->pb->mesh, r->deflate, path)
                                : mf_h5_mesh_copy(f, r->pb->mesh->source, r->pb->mesh, r->deflate, path))) {
    hid_t g;
    if (!(st = mf_h5_group_create(f, "steps", path, &g))) H5Gclose(g);
  }
  mf_free(&text);
  return st;
}

/* A new results.h5, whole or not at all: header and mesh go to a temporary file that
 * is renamed over results.h5 once closed (mf_atomic.h), then reopened for the steps. A
 * kill while the mesh is written (seconds for a large one) leaves no half-written
 * results.h5, only a temporary file the next run removes. */
static mf_status create_fresh(mf_results *r, const mf_case *cs) {
  char tmp[MF_ATOMIC_TMP_MAX];
  MF_CALL(mf_atomic_tmp_name(r->h5_path, tmp));
  hid_t f;
  MF_CALL(mf_h5_create(tmp, &f));
  mf_status st = write_header(r, cs, f, tmp);
  if (!st && H5Fclose(f) < 0) st = MF_H5_ERROR(MF_ERR_IO, tmp, "cannot close the file");
  if (st) { /* not closed after a failure: closing would only write more of it */
    unlink(tmp);
    return st;
  }
  mf_h5_unreserve(tmp);
  MF_CALL(mf_atomic_commit(tmp, r->h5_path));
  return mf_h5_open(r->h5_path, 1, &r->file);
}

static mf_status add_step(mf_results *r, int64_t step, double lf) {
  if (r->n_steps == r->cap_steps) {
    int cap = r->cap_steps ? 2 * r->cap_steps : 64;
    mf_xdmf_step *grown;
    MF_CALL(MF_ALLOC_N(grown, cap, "written steps"));
    if (r->n_steps) memcpy(grown, r->steps, (size_t)r->n_steps * sizeof *grown);
    mf_free(&r->steps);
    r->steps = grown;
    r->cap_steps = cap;
  }
  r->steps[r->n_steps++] = (mf_xdmf_step){step, lf};
  return MF_OK;
}

/* Restart: keep the steps up to keep_upto of an existing file of the same mesh. */
typedef struct {
  mf_results *r;
  int64_t keep_upto;
  int n_drop;
  char drop[256][16];
  mf_status st;
} scan_ctx;

static herr_t scan_step(hid_t g, const char *name, const H5L_info_t *info, void *data) {
  (void)info;
  scan_ctx *c = data;
  char *end;
  long long step = strtoll(name, &end, 10);
  if (*end != '\0' || step < 0) return 0; /* not a step group: leave it */
  if (step > c->keep_upto) {
    if (c->n_drop < 256) snprintf(c->drop[c->n_drop++], sizeof c->drop[0], "%s", name);
    return 0;
  }
  hid_t sg = H5Gopen2(g, name, H5P_DEFAULT);
  double lf = 0.0;
  c->st = sg < 0 ? MF_H5_ERROR(MF_ERR_IO, c->r->h5_path, "cannot open /steps/%s", name)
                 : mf_h5_attr_read_f64(sg, "load_factor", &lf, c->r->h5_path);
  if (sg >= 0) H5Gclose(sg);
  if (!c->st) c->st = add_step(c->r, step, lf);
  return c->st ? -1 : 0;
}

/* dry: open read-only and drop nothing (the read mf_h5_guarded makes in a child first). */
static int reopen_file(mf_results *r, int64_t keep_upto, int dry) {
  if (mf_h5_open(r->h5_path, !dry, &r->file)) { /* none to continue: start afresh */
    mf_error_clear();
    return 0;
  }
  const mf_mesh *m = r->pb->mesh;
  uint64_t rows, cols, erows, ecols;
  hid_t g = H5I_INVALID_HID;
  if (mf_h5_shape(r->file, "mesh/coordinates", &rows, &cols, r->h5_path) ||
      mf_h5_shape(r->file, "mesh/connectivity", &erows, &ecols, r->h5_path) || rows != (uint64_t)m->nodes.n_local ||
      erows != (uint64_t)m->n_elems || mf_h5_group_open(r->file, "steps", r->h5_path, &g))
    goto fresh;
  scan_ctx c = {.r = r, .keep_upto = keep_upto};
  hsize_t idx = 0;
  H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, &idx, scan_step, &c);
  for (int i = 0; i < c.n_drop && !c.st && !dry; i++)
    if (H5Ldelete(g, c.drop[i], H5P_DEFAULT) < 0) c.st = MF_ERROR(MF_ERR_IO, "cannot drop a step");
  H5Gclose(g);
  /* a step that processes were writing when a run was killed */
  if (!c.st && !dry && mf_h5_exists(r->file, WRITING) && H5Ldelete(r->file, WRITING, H5P_DEFAULT) < 0)
    c.st = MF_ERROR(MF_ERR_IO, "cannot drop /" WRITING);
  if (c.st) goto fresh;
  return 1;
fresh:
  mf_error_clear();
  H5Eclear2(H5E_DEFAULT);
  mf_h5_close(&r->file);
  r->n_steps = 0;
  return 0;
}

typedef struct {
  mf_results *r;
  int64_t keep_upto;
} reopen_args;

static mf_status reopen_in_child(void *args) {
  reopen_args *a = args;
  return reopen_file(a->r, a->keep_upto, 1) ? MF_OK : MF_ERR_PARSE;
}

/* A results.h5 that crashes libhdf5 in the child is treated as unreadable: afresh. */
static int reopen(mf_results *r, int64_t keep_upto) {
  reopen_args a = {r, keep_upto};
  if (mf_h5_guarded(r->h5_path, reopen_in_child, &a)) {
    mf_error_clear();
    return 0;
  }
  return reopen_file(r, keep_upto, 0);
}

/* This process's part: its own elements and the plans that move its rows into blocks of
 * the file's order (the mesh's own numbering, renumbering undone). */
static mf_status dist_create(mf_results *r, const mf_results_dist *d) {
  const mf_part *pt = d->part;
  results_dist *q;
  MF_CALL(MF_CALLOC_N(q, 1, "results across processes"));
  r->dist = q;
  q->comm = d->comm;
  q->part_pb = d->part_pb;
  q->nodes = d->nodes;
  q->n_own = pt->n_elems_owned;
  q->own = pt->own;
  /* elements: the own ones, stress and von Mises in one row, blocks aligned to the
   * stress dataset's chunks (von Mises chunks, 6 times longer, may have two writers,
   * which collective writes allow) */
  const mf_idx ne = r->pb->mesh->n_elems;
  return mf_redistribute_create(q->comm, ne, q->n_own, pt->own_row, 7, mf_h5_chunk_rows(H5T_IEEE_F64LE, ne, 6),
                                &q->elems);
}

/* One process, or rank 0: a new file, or the old one reopened, and its XDMF index. */
static mf_status open_file(mf_results *r, const mf_case *cs, int64_t keep_upto) {
  if ((keep_upto < 0 || !reopen(r, keep_upto))) MF_CALL(create_fresh(r, cs));
  if (H5Fflush(r->file, H5F_SCOPE_GLOBAL) < 0) {
    r->broken = 1;
    return MF_H5_ERROR(MF_ERR_IO, r->h5_path, "cannot flush the file");
  }
  const mf_mesh *m = r->pb->mesh;
  return mf_xdmf_write(r->xdmf_path, "results.h5", m->elem, m->nodes.n_local, m->n_elems, r->n_steps, r->steps);
}

mf_status mf_results_open(const char *dir, const mf_case *cs, const mf_problem *pb, int64_t keep_upto,
                          const mf_results_dist *dist, mf_results **out) {
  *out = NULL;
  mf_h5_init();
  mf_results *r;
  MF_CALL(MF_CALLOC_N(r, 1, "results writer"));
  r->file = H5I_INVALID_HID;
  r->pb = pb;
  r->deflate = cs->output_compression;
  r->root = !dist || dist->comm->rank == 0;
  snprintf(r->h5_path, sizeof r->h5_path, "%s/results.h5", dir);
  snprintf(r->xdmf_path, sizeof r->xdmf_path, "%s/results.xdmf", dir);
  const mf_idx ne = pb->mesh->n_elems;
  mf_status st;
  if (dist) st = dist_create(r, dist);
  else if (!(st = MF_ALLOC_N(r->stress, 6 * (size_t)ne, "element stress for output")) &&
           !(st = MF_ALLOC_N(r->vm, ne, "von Mises stress for output")))
    st = MF_ALLOC_N(r->u_out, 3 * (size_t)pb->mesh->nodes.n_local, "displacement for output");
  if (!st && r->root) st = open_file(r, cs, keep_upto);
  r->last_step = r->n_steps ? r->steps[r->n_steps - 1].step : -1;
  int failed;
  if (dist && !(st = mf_comm_agree(dist->comm, st, &failed))) /* rank 0's restart decides */
    st = dist->comm->ops->max_i64(dist->comm, &r->last_step, 1);
  if (st) {
    mf_results_close(&r);
    return st;
  }
  *out = r;
  return MF_OK;
}

/* Cauchy stress of element e of pb (averaged over its quadrature points) from u in pb's
 * numbering, into out[0..6) in XDMF's Tensor6 order, and von Mises of that average. A
 * state that converged always evaluates; should one not, NaN marks the element. */
static void element_stress(const mf_problem *pb, const double *u, mf_idx e, double *out, double *vm) {
  const mf_mesh *m = pb->mesh;
  double X[3 * MF_ELEM_MAX_NODES], ue[3 * MF_ELEM_MAX_NODES], s[6];
  const mf_idx *v = mf_mesh_elem(m, e);
  for (int a = 0; a < m->npe; a++) {
    mf_nodes_coords(&m->nodes, v[a], &X[3 * a]);
    for (int c = 0; c < 3; c++) ue[3 * a + c] = u[3 * (size_t)v[a] + c];
  }
  if (mf_element_cauchy(pb->shape, &pb->region_mat[m->region[e] + 1], X, ue, s) != 0) {
    for (int c = 0; c < 6; c++) out[c] = NAN;
    *vm = NAN;
    return;
  }
  out[0] = s[0], out[1] = s[3], out[2] = s[5], out[3] = s[1], out[4] = s[4], out[5] = s[2];
  *vm = mf_von_mises(s);
}

/* A failed write leaves the file unflushed and unclosed: closing would write the half
 * step's metadata; the file stays as its last successful flush left it. */
static mf_status write_step(mf_results *r, int64_t step, double lf, const double *u);
static mf_status write_step_dist(mf_results *r, int64_t step, double lf, const double *u);

mf_status mf_results_write_step(mf_results *r, int64_t step, double lf, const double *u) {
  if (r->broken) return MF_ERROR(MF_ERR_INTERNAL, "%s: written after a failed write", r->h5_path);
  char what[64];
  snprintf(what, sizeof what, "step %lld", (long long)step);
  /* a full disk is found before anything is written: the file stays whole */
  mf_status st = r->root ? mf_h5_reserve(r->h5_path, step_bytes(r), what) : MF_OK;
  int failed;
  if (r->dist) st = mf_comm_agree(r->dist->comm, st, &failed);
  if (st) return st;
  st = r->dist ? write_step_dist(r, step, lf, u) : write_step(r, step, lf, u);
  if (st == MF_OK) {
    r->last_step = step;
    return MF_OK;
  }
  r->broken = 1;
  mf_error_trace(__FILE__, __LINE__, __func__);
  return st;
}

/* Drop /NAME if the file has it (a step written again, a /steps/writing left behind). */
static mf_status drop(mf_results *r, const char *name) {
  if (mf_h5_exists(r->file, name) && H5Ldelete(r->file, name, H5P_DEFAULT) < 0)
    return MF_H5_ERROR(MF_ERR_IO, r->h5_path, "cannot replace /%s", name);
  return MF_OK;
}

/* The group NAME (replacing one of that name) with the step's attributes and its three
 * datasets: written from u, r->stress and r->vm, or (u NULL) made empty for the
 * processes to fill. */
static mf_status write_group(mf_results *r, const char *name, int64_t step, double lf, const double *u) {
  const mf_mesh *m = r->pb->mesh;
  const char *f = r->h5_path;
  MF_CALL(drop(r, name));
  const struct {
    const char *name;
    uint64_t rows, cols;
    const double *data;
  } set[3] = {{"displacement", (uint64_t)m->nodes.n_local, 3, u},
              {"cauchy_stress", (uint64_t)m->n_elems, 6, r->stress},
              {"von_mises", (uint64_t)m->n_elems, 0, r->vm}};
  hid_t g;
  MF_CALL(mf_h5_group_create(r->file, name, f, &g));
  mf_status st;
  if (!(st = mf_h5_attr_write_i64(g, "step", step, f))) st = mf_h5_attr_write_f64(g, "load_factor", lf, f);
  for (int i = 0; i < 3 && !st; i++)
    st = u ? mf_h5_write(g, set[i].name, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, set[i].rows, set[i].cols, set[i].data,
                         r->deflate, f)
           : mf_h5_create_dataset(g, set[i].name, H5T_IEEE_F64LE, set[i].rows, set[i].cols, r->deflate, f);
  if (!st) {
    hid_t ds = H5Dopen2(g, "cauchy_stress", H5P_DEFAULT);
    st = ds < 0 ? MF_H5_ERROR(MF_ERR_IO, f, "cannot reopen /%s/cauchy_stress", name)
                : mf_h5_attr_write_str(ds, "voigt_order", VOIGT_ORDER, f);
    if (ds >= 0) H5Dclose(ds);
  }
  H5Gclose(g);
  return st;
}

/* Data first, then the index that points at it. */
static mf_status finish_step(mf_results *r, int64_t step, double lf) {
  if (H5Fflush(r->file, H5F_SCOPE_GLOBAL) < 0) return MF_H5_ERROR(MF_ERR_IO, r->h5_path, "cannot flush the file");
  MF_CALL(add_step(r, step, lf));
  const mf_mesh *m = r->pb->mesh;
  return mf_xdmf_write(r->xdmf_path, "results.h5", m->elem, m->nodes.n_local, m->n_elems, r->n_steps, r->steps);
}

static mf_status write_step(mf_results *r, int64_t step, double lf, const double *u) {
  const mf_mesh *m = r->pb->mesh;
  for (mf_idx e = 0; e < m->n_elems; e++) { /* stored in the mesh's own order, renumbering undone */
    mf_idx at = m->elem_new2old ? m->elem_new2old[e] : e;
    element_stress(r->pb, u, e, &r->stress[6 * (size_t)at], &r->vm[at]);
  }
  if (m->node_new2old) { /* displacement in the mesh's own node order */
    for (mf_idx i = 0; i < m->nodes.n_local; i++)
      for (int c = 0; c < 3; c++) r->u_out[3 * (size_t)m->node_new2old[i] + c] = u[3 * (size_t)i + c];
    u = r->u_out;
  }
  char name[48];
  snprintf(name, sizeof name, "steps/%06lld", (long long)step);
  MF_CALL(write_group(r, name, step, lf, u));
  return finish_step(r, step, lf);
}

static mf_status write_step_dist(mf_results *r, int64_t step, double lf, const double *u) {
  results_dist *q = r->dist;
  int failed;
  const int64_t *slot; /* each own element's row of stress and von Mises: computed in place */
  double *rows = mf_redistribute_send_rows(q->elems, &slot);
  for (mf_idx k = 0; k < q->n_own; k++)
    element_stress(q->part_pb, u, q->own[k], &rows[7 * slot[k]], &rows[7 * slot[k] + 6]);
  const double *node_block, *elem_block;
  MF_CALL(mf_redistribute_run(q->nodes, u, &node_block));
  MF_CALL(mf_redistribute_run(q->elems, NULL, &elem_block));
  /* rank 0 makes the step's empty datasets under a name no reader takes for a step, and
   * closes the file for the processes to open it together */
  mf_status st = MF_OK;
  if (r->root && !(st = write_group(r, WRITING, step, lf, NULL))) {
    st = H5Fclose(r->file) < 0 ? MF_H5_ERROR(MF_ERR_IO, r->h5_path, "cannot close the file") : MF_OK;
    r->file = H5I_INVALID_HID;
  }
  MF_CALL(mf_comm_agree(q->comm, st, &failed));
  mf_h5_block b[3] = {{WRITING "/displacement", 3, 0, 0, node_block, 3, 0},
                      {WRITING "/cauchy_stress", 6, 0, 0, elem_block, 7, 0},
                      {WRITING "/von_mises", 0, 0, 0, elem_block, 7, 6}};
  mf_redistribute_block(q->nodes, &b[0].first, &b[0].count);
  mf_redistribute_block(q->elems, &b[1].first, &b[1].count);
  b[2].first = b[1].first, b[2].count = b[1].count;
  MF_CALL(mf_h5_write_blocks(r->h5_path, q->comm, 3, b));
  /* complete: rank 0 gives the step its name */
  if (r->root && !(st = mf_h5_open(r->h5_path, 1, &r->file))) {
    char name[48];
    snprintf(name, sizeof name, "steps/%06lld", (long long)step);
    if (!(st = drop(r, name)))
      st = H5Lmove(r->file, WRITING, r->file, name, H5P_DEFAULT, H5P_DEFAULT) < 0
               ? MF_H5_ERROR(MF_ERR_IO, r->h5_path, "cannot rename /" WRITING " to /%s", name)
               : finish_step(r, step, lf);
  }
  return mf_comm_agree(q->comm, st, &failed);
}

int64_t mf_results_last_step(const mf_results *r) { return r->last_step; }

mf_status mf_results_close(mf_results **rp) {
  mf_results *r = *rp;
  if (!r) return MF_OK;
  mf_status st = MF_OK;
  if (r->file >= 0 && !r->broken) {
    if (H5Fclose(r->file) < 0) st = MF_H5_ERROR(MF_ERR_IO, r->h5_path, "cannot close the file");
    else mf_h5_unreserve(r->h5_path);
  }
  mf_free(&r->stress);
  mf_free(&r->vm);
  mf_free(&r->u_out);
  mf_free(&r->steps);
  results_dist *q = r->dist;
  if (q) {
    mf_redistribute_destroy(&q->elems);
    mf_free(&r->dist);
  }
  mf_free(rp);
  return st;
}
