/* Checkpoints: write atomically, read back with every field checked (mf_checkpoint.h). */
#include "io/mf_checkpoint.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/mf_atomic.h"
#include "io/mf_checksum.h"
#include "core/mf_limits.h"
#include "io/mf_h5.h"
#include "io/mf_h5_collective.h"
#include "mem/mf_alloc.h"

#define FORMAT_NAME "memfem-checkpoint"
#define FORMAT_VERSION 2 /* 2: state_checksum, state checked against the run */

static mf_status hash_file(const char *path, uint64_t *h) {
  FILE *f = fopen(path, "rb");
  if (!f) return MF_ERROR(MF_ERR_IO, "cannot open case file %s: %s", path, strerror(errno));
  unsigned char buf[65536];
  size_t n;
  *h = MF_FNV1A64_INIT;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) *h = mf_fnv1a64(*h, buf, n);
  int bad = ferror(f);
  fclose(f);
  MF_CHECK(!bad, MF_ERR_IO, "cannot read case file %s", path);
  return MF_OK;
}

static uint64_t hash_groups(uint64_t h, const mf_mesh *m) {
  for (int g = 0; g < m->n_groups; g++) {
    const mf_group *gr = &m->groups[g];
    h = mf_fnv1a64(h, gr->name, strlen(gr->name) + 1);
    h = mf_fnv1a64(h, &gr->dim, sizeof gr->dim);
    for (mf_idx k = 0; k < gr->n_nodes; k++) h = mf_fnv1a64(h, &gr->nodes[k], sizeof gr->nodes[k]);
  }
  return h;
}

static uint64_t hash_mesh(const mf_mesh *m) {
  uint64_t h = MF_FNV1A64_INIT;
  h = mf_fnv1a64(h, &m->nodes.n_local, sizeof m->nodes.n_local);
  for (mf_idx i = 0; i < m->nodes.n_local; i++) {
    double X[3];
    mf_nodes_coords(&m->nodes, i, X);
    h = mf_fnv1a64(h, X, sizeof X);
  }
  h = mf_fnv1a64(h, m->nodes.tag, (size_t)m->nodes.n_local * sizeof *m->nodes.tag);
  h = mf_fnv1a64(h, m->conn, (size_t)m->npe * m->n_elems * sizeof *m->conn);
  h = mf_fnv1a64(h, m->region, (size_t)m->n_elems * sizeof *m->region);
  return hash_groups(h, m);
}

/* h through one slice of a dataset (mf_h5_each_slice): its bytes as read. */
typedef struct {
  uint64_t h;
  size_t row_bytes;
} slice_hash;

static mf_status hash_slice(void *ctx, uint64_t first, uint64_t n, const void *data) {
  slice_hash *sh = ctx;
  (void)first;
  sh->h = mf_fnv1a64(sh->h, data, (size_t)n * sh->row_bytes);
  return MF_OK;
}

static mf_status hash_rows(hid_t mg, const char *name, hid_t mem_type, uint64_t rows, uint64_t cols, const char *path,
                           uint64_t *h) {
  slice_hash sh = {*h, (cols ? cols : 1) * H5Tget_size(mem_type)};
  MF_CALL(mf_h5_each_slice(mg, name, mem_type, rows, cols, hash_slice, &sh, path));
  *h = sh.h;
  return MF_OK;
}

/* hash_mesh of the mesh in the file an outline was read from (io/mf_h5_mesh.h), its
 * arrays streamed a slice at a time: the same bytes in the same order (the file is in
 * the mesh's own order, and an mf_idx is the int32 read here). */
static mf_status hash_mesh_file(const mf_mesh *m, uint64_t *out) {
  const char *path = m->source;
  const uint64_t n = (uint64_t)m->nodes.n_local, ne = (uint64_t)m->n_elems;
  hid_t f, mg = H5I_INVALID_HID;
  MF_CALL(mf_h5_open(path, 0, &f));
  uint64_t h = mf_fnv1a64(MF_FNV1A64_INIT, &m->nodes.n_local, sizeof m->nodes.n_local);
  mf_status st;
  if (!(st = mf_h5_group_open(f, "mesh", path, &mg)) &&
      !(st = hash_rows(mg, "coordinates", H5T_NATIVE_DOUBLE, n, 3, path, &h)) &&
      !(st = hash_rows(mg, "node_tags", H5T_NATIVE_INT64, n, 0, path, &h)) &&
      !(st = hash_rows(mg, "connectivity", H5T_NATIVE_INT32, ne, (uint64_t)m->npe, path, &h)) &&
      !(st = hash_rows(mg, "element_region", H5T_NATIVE_INT32, ne, 0, path, &h)))
    *out = hash_groups(h, m);
  mf_h5_close(&mg);
  H5Fclose(f);
  return st;
}

mf_status mf_checkpoint_id_make(const char *case_path, const mf_mesh *mesh, int steps_count, int soak_steps,
                                mf_checkpoint_id *id) {
  MF_CALL(hash_file(case_path, &id->case_hash));
  if (mesh->conn) id->mesh_hash = hash_mesh(mesh);
  else MF_CALL(hash_mesh_file(mesh, &id->mesh_hash)); /* an outline: its file holds the arrays */
  id->steps_count = steps_count;
  id->soak_steps = soak_steps;
  return MF_OK;
}

/* FNV-1a 64 over what a restart continues from, as little-endian bytes: the run's
 * fingerprint, every field of the loop state and the displacement in file order. Stored
 * as state_checksum; a checkpoint whose data no longer gives it is damaged. */
static uint64_t hash_le(uint64_t h, uint64_t bits) {
  unsigned char b[8];
  for (int j = 0; j < 8; j++) b[j] = (unsigned char)(bits >> (8 * j));
  return mf_fnv1a64(h, b, 8);
}

static uint64_t hash_real(uint64_t h, double v) {
  uint64_t bits;
  memcpy(&bits, &v, sizeof bits);
  return hash_le(h, bits);
}

/* The hash of everything before the displacement; hash_real of each of its values in
 * file order then completes state_checksum. */
static uint64_t state_head(const mf_checkpoint_id *id, const mf_loop_state *ls) {
  uint64_t h = mf_fnv1a64(MF_FNV1A64_INIT, FORMAT_NAME, sizeof FORMAT_NAME);
  const int64_t ints[] = {FORMAT_VERSION, id->steps_count, id->soak_steps, ls->step,      ls->attempts,
                          ls->easy,       ls->soaking,     ls->soak_done,  ls->unloading};
  h = hash_le(hash_le(h, id->case_hash), id->mesh_hash);
  for (size_t i = 0; i < sizeof ints / sizeof *ints; i++) h = hash_le(h, (uint64_t)ints[i]);
  return hash_real(hash_real(h, ls->load_factor), ls->step_size);
}

static uint64_t state_checksum(const mf_checkpoint_id *id, const mf_loop_state *ls, const double *u, size_t n) {
  uint64_t h = state_head(id, ls);
  for (size_t i = 0; i < n; i++) h = hash_real(h, u[i]);
  return h;
}

static mf_status write_hash(hid_t f, const char *path, const char *name, uint64_t h) {
  char s[17];
  snprintf(s, sizeof s, "%016" PRIx64, h);
  return mf_h5_attr_write_str(f, name, s, path);
}

/* Every attribute but state_checksum. */
static mf_status write_header(hid_t f, const char *path, const mf_checkpoint_id *id, const mf_loop_state *ls) {
  MF_CALL(mf_h5_attr_write_str(f, "format", FORMAT_NAME, path));
  MF_CALL(mf_h5_attr_write_i64(f, "format_version", FORMAT_VERSION, path));
  MF_CALL(write_hash(f, path, "case_hash", id->case_hash));
  MF_CALL(write_hash(f, path, "mesh_hash", id->mesh_hash));
  MF_CALL(mf_h5_attr_write_i64(f, "steps_count", id->steps_count, path));
  MF_CALL(mf_h5_attr_write_i64(f, "soak_steps", id->soak_steps, path));
  MF_CALL(mf_h5_attr_write_i64(f, "step", ls->step, path));
  MF_CALL(mf_h5_attr_write_i64(f, "attempts", ls->attempts, path));
  MF_CALL(mf_h5_attr_write_f64(f, "load_factor", ls->load_factor, path));
  MF_CALL(mf_h5_attr_write_f64(f, "step_size", ls->step_size, path));
  MF_CALL(mf_h5_attr_write_i64(f, "easy", ls->easy, path));
  MF_CALL(mf_h5_attr_write_i64(f, "soaking", ls->soaking, path));
  MF_CALL(mf_h5_attr_write_i64(f, "soak_done", ls->soak_done, path));
  return mf_h5_attr_write_i64(f, "unloading", ls->unloading, path);
}

static mf_status write_all(hid_t f, const char *path, const mf_checkpoint_id *id, const mf_loop_state *ls,
                           const mf_mesh *mesh, const double *u) {
  MF_CALL(write_header(f, path, id, ls));
  /* A renumbered mesh: stored in the mesh's own node order, like the mesh hash, so the
   * checkpoint does not depend on the reorder setting. Between steps, not in an iteration. */
  const size_t n = 3 * (size_t)mesh->nodes.n_local;
  double *own = NULL;
  if (mesh->node_new2old) {
    MF_CALL(MF_ALLOC_N(own, n + 1, "checkpoint displacement in mesh order"));
    for (mf_idx i = 0; i < mesh->nodes.n_local; i++)
      for (int c = 0; c < 3; c++) own[3 * (size_t)mesh->node_new2old[i] + c] = u[3 * (size_t)i + c];
  }
  const double *out = own ? own : u;
  mf_status st = mf_h5_write(f, "displacement", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, mesh->nodes.n_local, 3, out, 0,
                             path);
  if (!st) st = write_hash(f, path, "state_checksum", state_checksum(id, ls, out, n));
  mf_free(&own);
  return st;
}

/* What a checkpoint file takes at most: its displacement and room for the metadata. */
static double checkpoint_bytes(const mf_mesh *mesh) { return 24.0 * mesh->nodes.n_local + 262144.0; }

/* Sealed, then renamed over the old checkpoint; tmp removed on failure. */
static mf_status commit(const char *tmp, const char *path) {
  mf_h5_unreserve(tmp);
  mf_status st = mf_h5_seal(tmp);
  if (st) {
    unlink(tmp);
    return st;
  }
  return mf_atomic_commit(tmp, path);
}

mf_status mf_checkpoint_write(const char *path, const mf_checkpoint_id *id, const mf_loop_state *ls,
                              const mf_mesh *mesh, const double *u) {
  char tmp[MF_ATOMIC_TMP_MAX];
  MF_CALL(mf_atomic_tmp_name(path, tmp));
  hid_t f;
  MF_CALL(mf_h5_create_sealed(tmp, &f));
  /* Space first: a full disk is reported before HDF5 starts a write it cannot finish
   * (mf_h5_reserve); the previous checkpoint stays. */
  mf_status st = mf_h5_reserve(tmp, checkpoint_bytes(mesh), "the checkpoint");
  if (!st) st = write_all(f, tmp, id, ls, mesh, u);
  if (!st && H5Fclose(f) < 0) st = MF_H5_ERROR(MF_ERR_IO, tmp, "cannot close the file");
  if (st) { /* not closed after a failure: closing would only write more of it */
    unlink(tmp);
    return st;
  }
  return commit(tmp, path);
}

#define PIECE_ROWS 16384 /* rows a streamed read takes at once: 384 KiB */

typedef struct {
  int64_t file_row;
  mf_idx row; /* of u */
} wanted_row;

static int cmp_wanted(const void *a, const void *b) {
  const wanted_row *x = a, *y = b;
  return (x->file_row > y->file_row) - (x->file_row < y->file_row);
}

/* The displacement read a piece at a time: every value hashed in file order (*out, from
 * the head's hash h), checked finite (*bad_row: the first row that is not, or
 * UINT64_MAX), and file row file_row[i] copied into u's row i (n rows, in any order), so
 * a process holds only the rows it asks for. */
static mf_status stream_rows(hid_t f, const char *path, uint64_t h, uint64_t rows, mf_idx n, const int64_t *file_row,
                             double *u, uint64_t *out, uint64_t *bad_row) {
  double *piece = NULL;
  wanted_row *want = NULL; /* ascending file row */
  mf_status st;
  if ((st = MF_ALLOC_N(piece, 3 * PIECE_ROWS, "checkpoint rows")) ||
      (st = MF_ALLOC_N(want, (size_t)n + 1, "checkpoint rows wanted")))
    goto done;
  for (mf_idx i = 0; i < n && !st; i++) {
    if (file_row[i] < 0 || (uint64_t)file_row[i] >= rows)
      st = MF_ERROR(MF_ERR_INTERNAL, "%s: row %lld asked of a %llu-row displacement", path, (long long)file_row[i],
                    (unsigned long long)rows);
    want[i] = (wanted_row){file_row[i], i};
  }
  if (st) goto done;
  qsort(want, (size_t)n, sizeof *want, cmp_wanted);
  *bad_row = UINT64_MAX;
  mf_idx next = 0;
  for (uint64_t first = 0; first < rows; first += PIECE_ROWS) {
    uint64_t m = rows - first < PIECE_ROWS ? rows - first : PIECE_ROWS;
    if ((st = mf_h5_read_rows(f, "displacement", H5T_NATIVE_DOUBLE, first, m, 3, piece, path))) break;
    for (uint64_t i = 0; i < 3 * m; i++) {
      h = hash_real(h, piece[i]);
      if (!isfinite(piece[i]) && *bad_row == UINT64_MAX) *bad_row = first + i / 3;
    }
    for (; next < n && (uint64_t)want[next].file_row < first + m; next++)
      memcpy(&u[3 * (size_t)want[next].row], &piece[3 * ((uint64_t)want[next].file_row - first)], 3 * sizeof *u);
  }
  *out = h;
done:
  mf_free(&piece);
  mf_free(&want);
  return st;
}

/* Across processes, rank 0 before the collective write: the header and an empty
 * displacement dataset of the whole mesh (storage allocated, for the processes to fill). */
static mf_status create_shell(const char *tmp, const mf_checkpoint_id *id, const mf_loop_state *ls,
                              const mf_mesh *mesh) {
  hid_t f;
  MF_CALL(mf_h5_create_sealed(tmp, &f));
  mf_status st = mf_h5_reserve(tmp, checkpoint_bytes(mesh), "the checkpoint");
  if (!st) st = write_header(f, tmp, id, ls);
  if (!st) st = mf_h5_create_dataset(f, "displacement", H5T_IEEE_F64LE, (uint64_t)mesh->nodes.n_local, 3, 0, tmp);
  if (!st && H5Fclose(f) < 0) st = MF_H5_ERROR(MF_ERR_IO, tmp, "cannot close the file");
  return st;
}

/* Rank 0 after the collective write: state_checksum over the displacement as the file
 * holds it, read back a piece at a time (no process holds the whole field). */
static mf_status add_state_checksum(const char *tmp, const mf_checkpoint_id *id, const mf_loop_state *ls,
                                    const mf_mesh *mesh) {
  hid_t f;
  MF_CALL(mf_h5_open(tmp, 1, &f));
  uint64_t h, bad_row;
  mf_status st = stream_rows(f, tmp, state_head(id, ls), (uint64_t)mesh->nodes.n_local, 0, NULL, NULL, &h, &bad_row);
  if (!st) st = write_hash(f, tmp, "state_checksum", h);
  if (H5Fclose(f) < 0 && !st) st = MF_H5_ERROR(MF_ERR_IO, tmp, "cannot close the file");
  return st;
}

mf_status mf_checkpoint_write_blocks(const char *path, const mf_checkpoint_id *id, const mf_loop_state *ls,
                                     const mf_mesh *mesh, mf_comm *comm, int64_t first, int64_t count,
                                     const double *block) {
  const int root = comm->rank == 0;
  int failed;
  /* one temporary name, rank 0's: it creates, seals and commits the file */
  int64_t pid = root ? (int64_t)getpid() : 0;
  MF_CALL(comm->ops->max_i64(comm, &pid, 1));
  char tmp[MF_ATOMIC_TMP_MAX];
  MF_CALL(mf_atomic_tmp_name_pid(path, (long)pid, tmp));
  mf_status st = root ? create_shell(tmp, id, ls, mesh) : MF_OK;
  if (!(st = mf_comm_agree(comm, st, &failed))) {
    const mf_h5_block b = {"displacement", 3, first, count, block, 3, 0};
    st = mf_h5_write_blocks(tmp, comm, 1, &b); /* agreed */
  }
  if (root && !st && !(st = add_state_checksum(tmp, id, ls, mesh))) st = commit(tmp, path);
  else if (root && st) unlink(tmp);
  return mf_comm_agree(comm, st, &failed);
}

/* An integer attribute in [lo, hi]. */
static mf_status read_int(hid_t f, const char *path, const char *name, int64_t lo, int64_t hi, int *v) {
  return mf_h5_attr_read_int(f, name, lo, hi, path, "", v);
}

static mf_status read_real(hid_t f, const char *path, const char *name, double lo, double hi, double *v) {
  MF_CALL(mf_h5_attr_read_f64(f, name, v, path));
  if (!isfinite(*v) || *v < lo || *v > hi)
    return MF_ERROR(MF_ERR_PARSE, "%s: attribute %s = %g is out of range [%g, %g]", path, name, *v, lo, hi);
  return MF_OK;
}

static mf_status read_hash(hid_t f, const char *path, const char *name, uint64_t *h) {
  char s[32], *end;
  MF_CALL(mf_h5_attr_read_str(f, name, s, sizeof s, path));
  errno = 0;
  *h = strtoull(s, &end, 16);
  MF_CHECK(strlen(s) == 16 && *end == '\0' && errno == 0, MF_ERR_PARSE, "%s: attribute %s '%s' is not 16 hex digits",
           path, name, s);
  return MF_OK;
}

/* The displacement is stored as 8-byte IEEE numbers; anything narrower (float32) would
 * be converted on reading and restart from another state. */
static mf_status check_float64(hid_t f, const char *path, const char *name) {
  if (!mf_h5_exists(f, name)) return MF_ERROR(MF_ERR_PARSE, "%s: dataset /%s is missing", path, name);
  hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
  hid_t t = ds < 0 ? H5I_INVALID_HID : H5Dget_type(ds);
  int ok = t >= 0 && H5Tget_class(t) == H5T_FLOAT && H5Tget_size(t) == 8;
  size_t bytes = t >= 0 ? H5Tget_size(t) : 0;
  if (t >= 0) H5Tclose(t);
  if (ds >= 0) H5Dclose(ds);
  if (ds < 0) return MF_H5_ERROR(MF_ERR_PARSE, path, "cannot open dataset /%s", name);
  MF_CHECK(ok, MF_ERR_PARSE, "%s: dataset /%s holds %zu-byte values; a checkpoint holds 8-byte floating-point ones",
           path, name, bytes);
  return MF_OK;
}

/* A state the load-stepping loop can have written for this run (mf_newton.c): the step
 * size is the nominal 1/count halved and doubled (so a power-of-two fraction of it);
 * before the soak phase the load factor grows by at most 1/count a step; in it the run
 * has reached full load and cycles between 0.5 and 1. */
static mf_status check_state(const char *path, const mf_checkpoint_id *id, const mf_loop_state *ls) {
  const double nominal = 1.0 / id->steps_count;
  int e;
  double m = frexp(nominal / ls->step_size, &e);
  MF_CHECK(m == 0.5, MF_ERR_INPUT,
           "%s: step_size %.17g is not the nominal load step 1/%d halved a whole number of times", path,
           ls->step_size, id->steps_count);
  if (ls->soaking == 0) {
    MF_CHECK(ls->soak_done == 0 && ls->unloading == 1, MF_ERR_INPUT,
             "%s: soak_done %d and unloading %d before the soak phase (expected 0 and 1)", path, ls->soak_done,
             ls->unloading);
    MF_CHECK(ls->load_factor > 0.0 && ls->load_factor <= ls->step * nominal * (1.0 + 1e-9), MF_ERR_INPUT,
             "%s: load_factor %.17g after %d steps of at most 1/%d", path, ls->load_factor, ls->step,
             id->steps_count);
  } else {
    MF_CHECK(id->soak_steps > 0 && ls->soak_done >= 1 && ls->load_factor >= 0.5 &&
                 ls->step >= id->steps_count + ls->soak_done,
             MF_ERR_INPUT,
             "%s: a soak-phase state (soak_done %d of %d, load factor %.17g, step %d) this run cannot have written",
             path, ls->soak_done, id->soak_steps, ls->load_factor, ls->step);
  }
  return MF_OK;
}

static mf_status read_all(hid_t f, const char *path, const mf_checkpoint_id *id, const mf_mesh *mesh,
                          mf_loop_state *ls, mf_idx n, const int64_t *file_row, double *u) {
  char format[64];
  int64_t version;
  MF_CALL(mf_h5_attr_read_str(f, "format", format, sizeof format, path));
  MF_CHECK(strcmp(format, FORMAT_NAME) == 0, MF_ERR_PARSE, "%s: format '%s' is not a memfem checkpoint", path,
           format);
  MF_CALL(mf_h5_attr_read_i64(f, "format_version", &version, path));
  MF_CHECK(version == FORMAT_VERSION, MF_ERR_PARSE, "%s: checkpoint format version %lld, this memfem reads %d", path,
           (long long)version, FORMAT_VERSION);
  mf_checkpoint_id got;
  MF_CALL(read_hash(f, path, "case_hash", &got.case_hash));
  MF_CALL(read_hash(f, path, "mesh_hash", &got.mesh_hash));
  MF_CALL(read_int(f, path, "steps_count", 1, MF_MAX_STEP_ATTEMPTS, &got.steps_count));
  MF_CALL(read_int(f, path, "soak_steps", 0, MF_MAX_STEP_ATTEMPTS, &got.soak_steps));
  if (got.case_hash != id->case_hash)
    return MF_ERROR(MF_ERR_INPUT,
                    "%s: checkpoint made for a different case file (case hash %016" PRIx64 ", this case %016" PRIx64
                    "); restart with the case it was made with",
                    path, got.case_hash, id->case_hash);
  if (got.mesh_hash != id->mesh_hash)
    return MF_ERROR(MF_ERR_INPUT,
                    "%s: checkpoint made for a different mesh (mesh hash %016" PRIx64 ", this mesh %016" PRIx64
                    "); restart with the mesh it was made with",
                    path, got.mesh_hash, id->mesh_hash);
  if (got.steps_count != id->steps_count || got.soak_steps != id->soak_steps)
    return MF_ERROR(MF_ERR_INPUT,
                    "%s: checkpoint made with %d load steps and %d soak steps, this run has %d and %d; give the "
                    "same --steps/--soak-steps",
                    path, got.steps_count, got.soak_steps, id->steps_count, id->soak_steps);
  MF_CALL(read_int(f, path, "step", 1, MF_MAX_STEP_ATTEMPTS, &ls->step));
  MF_CALL(read_int(f, path, "attempts", ls->step, MF_MAX_STEP_ATTEMPTS, &ls->attempts));
  MF_CALL(read_real(f, path, "load_factor", 0.0, 1.0, &ls->load_factor));
  MF_CALL(read_real(f, path, "step_size", MF_MIN_LOAD_STEP, 1.0 / got.steps_count, &ls->step_size));
  MF_CALL(read_int(f, path, "easy", 0, ls->step, &ls->easy));
  MF_CALL(read_int(f, path, "soaking", 0, 1, &ls->soaking));
  MF_CALL(read_int(f, path, "soak_done", 0, got.soak_steps, &ls->soak_done));
  MF_CALL(read_int(f, path, "unloading", 0, 1, &ls->unloading));
  MF_CALL(check_float64(f, path, "displacement"));
  uint64_t rows, cols;
  MF_CALL(mf_h5_shape(f, "displacement", &rows, &cols, path));
  MF_CHECK(rows == (uint64_t)mesh->nodes.n_local && cols == 3, MF_ERR_PARSE,
           "%s: dataset /displacement is %llu x %llu, expected %lld x 3", path, (unsigned long long)rows,
           (unsigned long long)(cols ? cols : 1), (long long)mesh->nodes.n_local);
  uint64_t computed, bad_row;
  MF_CALL(stream_rows(f, path, state_head(&got, ls), rows, n, file_row, u, &computed, &bad_row));
  uint64_t stored;
  MF_CALL(read_hash(f, path, "state_checksum", &stored));
  if (stored != computed)
    return MF_ERROR(MF_ERR_INPUT,
                    "%s: the checkpoint is damaged: its state_checksum is %016" PRIx64 ", its data give %016" PRIx64
                    "; restart from an earlier checkpoint or from the start",
                    path, stored, computed);
  MF_CHECK(bad_row == UINT64_MAX, MF_ERR_PARSE, "%s: /displacement row %llu is not finite", path,
           (unsigned long long)bad_row);
  return check_state(path, &got, ls);
}

typedef struct {
  const char *path;
  const mf_checkpoint_id *id;
  const mf_mesh *mesh;
  mf_loop_state *ls;
  mf_idx n;
  const int64_t *file_row;
  double *u;
} read_args;

static mf_status read_file(void *args) {
  read_args *a = args;
  hid_t f;
  /* The seal first: a damaged file never reaches libhdf5 (mf_h5.h). */
  MF_CALL(mf_h5_check_seal(a->path, "memfem checkpoint"));
  MF_CALL(mf_h5_open(a->path, 0, &f));
  mf_status st = read_all(f, a->path, a->id, a->mesh, a->ls, a->n, a->file_row, a->u);
  H5Fclose(f);
  return st;
}

mf_status mf_checkpoint_read_rows(const char *path, const mf_checkpoint_id *id, const mf_mesh *mesh, mf_idx n,
                                  const int64_t *file_row, mf_loop_state *ls, double *u) {
  read_args a = {path, id, mesh, ls, n, file_row, u};
  /* behind a forged seal libhdf5 still parses what it is given: in a child first */
  mf_status st = mf_h5_guarded(path, read_file, &a);
  if (!st) st = read_file(&a);
  if (st) mf_error_trace(__FILE__, __LINE__, __func__);
  return st;
}

mf_status mf_checkpoint_read(const char *path, const mf_checkpoint_id *id, const mf_mesh *mesh, mf_loop_state *ls,
                             double *u) {
  /* stored in the mesh's own order: node i of a renumbered mesh takes row new2old[i] */
  const mf_idx n = mesh->nodes.n_local;
  int64_t *file_row;
  MF_CALL(MF_ALLOC_N(file_row, (size_t)n + 1, "checkpoint rows of the nodes"));
  for (mf_idx i = 0; i < n; i++) file_row[i] = mesh->node_new2old ? mesh->node_new2old[i] : i;
  mf_status st = mf_checkpoint_read_rows(path, id, mesh, n, file_row, ls, u);
  mf_free(&file_row);
  return st;
}
