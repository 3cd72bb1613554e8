/* Shared by the fuzz harnesses (fuzz_common.h). */
#include "fuzz_common.h"

#include <hdf5.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "core/mf_error.h"
#include "core/mf_limits.h"
#include "io/mf_h5.h"
#include "mem/mf_alloc.h"
#include "fem/mf_mesh_check.h"
#include "mesh/mf_mesh.h"

static char path[128];

void mf_fuzz_fail(const char *file, int line, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "memfem fuzz oracle: %s:%d: ", file, line);
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
  abort();
}

void mf_fuzz_setup(void) {
  static int done;
  if (done) return;
  done = 1;
  mf_h5_init();
  /* libhdf5 runs in this process, so that a crash inside it is seen and classified
   * (scripts/fuzz.sh) rather than absorbed by the readers' child process (mf_h5.h). */
  mf_h5_set_guard(0);
  /* A reader may size arrays from the input; beyond this it must refuse (the real
   * machine's memory would let a 2 KiB file ask for gigabytes, and libFuzzer's RSS
   * limit would call that a crash). */
  mf_limits_set_memory_bytes(256.0 * 1048576.0);
}

static void remove_input(void) {
  unlink(path);
  *strrchr(path, '/') = '\0';
  rmdir(path);
}

const char *mf_fuzz_file(const uint8_t *data, size_t size) {
  if (!path[0]) { /* a directory of its own in memory-backed /dev/shm (else /tmp) */
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(path, sizeof path, "%s/memfem-fuzz.XXXXXX", base);
    MF_FUZZ_CHECK(mkdtemp(path) != NULL, "cannot make a directory for the input in %s", base);
    strcat(path, "/input");
    atexit(remove_input);
  }
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  MF_FUZZ_CHECK(fd >= 0 && (size == 0 || write(fd, data, size) == (ssize_t)size) && close(fd) == 0,
                "cannot write the input to %s", path);
  return path;
}

static const H5I_type_t id_types[7] = {H5I_FILE,      H5I_GROUP, H5I_DATASET,    H5I_DATATYPE,
                                       H5I_DATASPACE, H5I_ATTR,  H5I_GENPROP_LST};

void mf_fuzz_mark_now(mf_fuzz_mark *m) {
  mf_alloc_stats s;
  mf_alloc_stats_get(&s);
  m->live = s.live_bytes;
  for (int k = 0; k < 7; k++) {
    hsize_t n = 0;
    H5Inmembers(id_types[k], &n);
    m->ids[k] = n;
  }
}

void mf_fuzz_after(int failed, const char *file, const mf_fuzz_mark *before) {
  if (failed) {
    const char *msg = mf_error_message();
    MF_FUZZ_CHECK(msg[0] != '\0', "a reader failed without a message");
    for (const char *c = msg; *c; c++)
      MF_FUZZ_CHECK((unsigned char)*c >= 0x20 && *c != 0x7f, "the message holds control character %d: %s", *c, msg);
    MF_FUZZ_CHECK(strstr(msg, file) != NULL, "the message does not name the file %s: %s", file, msg);
  }
  mf_error_clear();
  mf_fuzz_mark now;
  mf_fuzz_mark_now(&now);
  MF_FUZZ_CHECK(now.live == before->live, "%lld bytes of memfem's allocations leaked",
                (long long)(now.live - before->live));
  static const char *names[7] = {"files", "groups", "datasets", "datatypes", "dataspaces", "attributes",
                                 "property lists"};
  for (int k = 0; k < 7; k++)
    MF_FUZZ_CHECK(now.ids[k] == before->ids[k], "%lld HDF5 %s left open",
                  (long long)now.ids[k] - (long long)before->ids[k], names[k]);
}

/* ---- meshes ---------------------------------------------------------------------- */

static int cmp_gidx(const void *a, const void *b) {
  mf_gidx x = *(const mf_gidx *)a, y = *(const mf_gidx *)b;
  return (x > y) - (x < y);
}

void mf_fuzz_check_mesh(const mf_mesh *m) {
  const mf_idx n = m->nodes.n_local;
  MF_FUZZ_CHECK(n >= 0 && m->n_elems >= 0 && m->n_faces >= 0 && m->n_groups >= 0, "negative counts");
  for (mf_idx i = 0; i < n; i++) {
    double X[3];
    mf_nodes_coords(&m->nodes, i, X);
    MF_FUZZ_CHECK(isfinite(X[0]) && isfinite(X[1]) && isfinite(X[2]), "node %d has a non-finite coordinate", i);
    MF_FUZZ_CHECK(m->nodes.tag[i] >= 1, "node %d has tag %lld", i, (long long)m->nodes.tag[i]);
  }
  if (n > 1) { /* unique tags: the output order and the checksum follow them */
    mf_gidx *t = malloc((size_t)n * sizeof *t);
    MF_FUZZ_CHECK(t != NULL, "out of memory in the oracle");
    memcpy(t, m->nodes.tag, (size_t)n * sizeof *t);
    qsort(t, (size_t)n, sizeof *t, cmp_gidx);
    for (mf_idx i = 1; i < n; i++) MF_FUZZ_CHECK(t[i] != t[i - 1], "node tag %lld twice", (long long)t[i]);
    free(t);
  }
  for (size_t k = 0; k < 4 * (size_t)m->n_elems; k++)
    MF_FUZZ_CHECK(m->conn[k] >= 0 && m->conn[k] < n, "connectivity entry %zu is %d of %d nodes", k, m->conn[k], n);
  for (size_t k = 0; k < 3 * (size_t)m->n_faces; k++)
    MF_FUZZ_CHECK(m->face_conn[k] >= 0 && m->face_conn[k] < n, "face entry %zu is %d", k, m->face_conn[k]);
  for (mf_idx e = 0; e < m->n_elems; e++) {
    int32_t r = m->region[e];
    MF_FUZZ_CHECK(r >= -1 && r < m->n_groups, "element %d has region %d of %d groups", e, r, m->n_groups);
    MF_FUZZ_CHECK(r < 0 || m->groups[r].dim == 3, "element %d is in group %d of dimension %d", e, r,
                  m->groups[r].dim);
  }
  for (int g = 0; g < m->n_groups; g++) {
    const mf_group *gr = &m->groups[g];
    MF_FUZZ_CHECK(memchr(gr->name, '\0', sizeof gr->name) != NULL, "group %d's name is not terminated", g);
    MF_FUZZ_CHECK(gr->dim >= 0 && gr->dim <= 3, "group %d has dimension %d", g, gr->dim);
    for (mf_idx f = 0; f < gr->n_faces; f++)
      MF_FUZZ_CHECK(gr->faces[f] >= 0 && gr->faces[f] < m->n_faces, "group %d face %d is %d", g, f, gr->faces[f]);
    for (mf_idx k = 0; k < gr->n_nodes; k++)
      MF_FUZZ_CHECK(gr->nodes[k] >= 0 && gr->nodes[k] < n && (k == 0 || gr->nodes[k] > gr->nodes[k - 1]),
                    "group %d's node list is not sorted, unique and in range at %d", g, k);
  }
}

void mf_fuzz_mesh_reader(const uint8_t *data, size_t size, mf_status (*read)(const char *path, mf_mesh **m)) {
  static FILE *devnull;
  mf_fuzz_setup();
  if (!devnull) devnull = fopen("/dev/null", "w");
  const char *path = mf_fuzz_file(data, size);
  mf_fuzz_mark mark;
  mf_fuzz_mark_now(&mark);
  mf_mesh *m = NULL;
  mf_status st = read(path, &m);
  MF_FUZZ_CHECK((st == MF_OK) == (m != NULL), "status %d with mesh %p", (int)st, (void *)m);
  if (m) {
    mf_fuzz_check_mesh(m);
    st = mf_mesh_check_elements(m); /* as mf_mesh_load does after reading */
    mf_mesh_report(m, devnull);
    mf_mesh_destroy(&m);
  }
  mf_fuzz_after(st != MF_OK, path, &mark);
}
