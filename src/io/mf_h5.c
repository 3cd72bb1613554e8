/* HDF5 plumbing: errors as mf_status, chunked datasets, shape-checked reads (mf_h5.h). */
#include "io/mf_h5.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <omp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <signal.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mem/mf_alloc.h"

#define ROWS_PER_CHUNK_BYTES (1u << 20) /* ~1 MiB chunks: large enough to stream, small enough to cache */
#define REASON_MAX 200

void mf_h5_init(void) {
  /* No atexit handler: libhdf5's would close what is still open at exit, and after a
   * failed flush or close (a full disk) that crashes inside the library (H5F__close_cb
   * <- H5F_term_package <- exit). memfem closes every handle it opens itself; a file
   * left open after a failure stays as its last successful flush left it. H5dont_atexit
   * only works before the library initialises, so it comes first. */
  static int done;
  if (!done) {
    H5dont_atexit();
    done = 1;
  }
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

/* The innermost message of HDF5's error stack: where the library saw the problem. On
 * one line; a failed system call ("file write failed: time = ..., errno = 28, ...")
 * becomes its first words and strerror. */
static herr_t first_error(unsigned n, const H5E_error2_t *e, void *data) {
  char *buf = data;
  if (n != 0 || !e->desc) return 0;
  const char *en = strstr(e->desc, "errno = ");
  const char *colon = strchr(e->desc, ':');
  if (en && colon && colon < en)
    snprintf(buf, REASON_MAX, "%.*s: %s", (int)(colon - e->desc), e->desc, strerror(atoi(en + 8)));
  else
    snprintf(buf, REASON_MAX, "%s", e->desc);
  for (char *p = buf; *p; p++)
    if (*p == '\n' || *p == '\r' || *p == '\t') *p = ' ';
  return 0;
}

mf_status mf_h5_fail(mf_status code, const char *src_file, int src_line, const char *file,
                     const char *fmt, ...) {
  char what[512], reason[REASON_MAX] = "";
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, first_error, reason);
  H5Eclear2(H5E_DEFAULT);
  if (reason[0])
    return mf_error_set(code, src_file, src_line, "%s: %s (HDF5: %s)", file, what, reason);
  return mf_error_set(code, src_file, src_line, "%s: %s", file, what);
}

/* "/group/name" of loc + name, for messages. */
static void obj_name(hid_t loc, const char *name, char *buf, size_t cap) {
  char base[256] = "";
  if (H5Iget_name(loc, base, sizeof base) < 0) base[0] = '\0';
  if (strcmp(base, "/") == 0) base[0] = '\0';
  snprintf(buf, cap, "%s/%s", base, name);
}

/* ---- reading in a child process first ---------------------------------------------- */

static int guard_on = 1;
void mf_h5_set_guard(int on) { guard_on = on; }

enum { CHILD_OK = 0, CHILD_ERROR = 3, CHILD_SECONDS = 300 };

mf_status mf_h5_guarded(const char *file, mf_status (*read)(void *ctx), void *ctx) {
  if (!guard_on) return MF_OK;
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) return MF_ERROR(MF_ERR_IO, "%s: cannot start the process that reads the file first: %s", file,
                               strerror(errno));
  if (pid == 0) { /* one thread (libgomp's pool is the parent's), output nowhere */
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) dup2(null, 2), dup2(null, 1);
    omp_set_num_threads(1);
    alarm(CHILD_SECONDS);
    _exit(read(ctx) == MF_OK ? CHILD_OK : CHILD_ERROR);
  }
  int ws;
  while (waitpid(pid, &ws, 0) < 0)
    if (errno != EINTR) return MF_ERROR(MF_ERR_IO, "%s: lost the process that reads the file first: %s", file,
                                        strerror(errno));
  if (WIFEXITED(ws) && (WEXITSTATUS(ws) == CHILD_OK || WEXITSTATUS(ws) == CHILD_ERROR))
    return MF_OK; /* the reader's own errors come again from the read in this process */
  if (WIFSIGNALED(ws) && WTERMSIG(ws) == SIGALRM)
    return MF_ERROR(MF_ERR_PARSE, "%s: reading the file did not finish in %d s (damaged?); memfem does not read it",
                    file, CHILD_SECONDS);
  return MF_ERROR(MF_ERR_PARSE,
                  "%s: the file is damaged: reading it crashed libhdf5 in a separate process (%s %d); memfem does "
                  "not read it",
                  file, WIFSIGNALED(ws) ? "signal" : "exit", WIFSIGNALED(ws) ? WTERMSIG(ws) : WEXITSTATUS(ws));
}

mf_status mf_h5_open(const char *file, int rw, hid_t *fid) {
  mf_h5_init();
  *fid = H5I_INVALID_HID;
  htri_t is = H5Fis_hdf5(file); /* H5Fis_accessible in HDF5 >= 1.12 */
  if (is <= 0) {
    FILE *f = fopen(file, "rb");
    if (!f) return MF_H5_ERROR(MF_ERR_IO, file, "cannot open the file (missing or unreadable)");
    fclose(f);
    return MF_H5_ERROR(MF_ERR_PARSE, file, "not a readable HDF5 file (truncated or corrupt?)");
  }
  hid_t f = H5Fopen(file, rw ? H5F_ACC_RDWR : H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) return MF_H5_ERROR(MF_ERR_PARSE, file, "cannot open as HDF5 (truncated or corrupt?)");
  *fid = f;
  return MF_OK;
}

mf_status mf_h5_create(const char *file, hid_t *fid) {
  mf_h5_init();
  *fid = H5Fcreate(file, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (*fid < 0) return MF_H5_ERROR(MF_ERR_IO, file, "cannot create the file");
  return MF_OK;
}

mf_status mf_h5_create_sealed(const char *file, hid_t *fid) {
  mf_h5_init();
  hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
  H5Pset_userblock(fcpl, MF_H5_SEAL_BYTES);
  *fid = H5Fcreate(file, H5F_ACC_TRUNC, fcpl, H5P_DEFAULT);
  H5Pclose(fcpl);
  if (*fid < 0) return MF_H5_ERROR(MF_ERR_IO, file, "cannot create the file");
  return MF_OK;
}

/* FNV-1a 64 of the bytes of fd after the user block; *n: how many. */
static int hash_after_seal(int fd, uint64_t *h, uint64_t *n) {
  unsigned char buf[65536];
  *h = 0xcbf29ce484222325ULL, *n = 0;
  for (off_t off = MF_H5_SEAL_BYTES;;) {
    ssize_t got = pread(fd, buf, sizeof buf, off);
    if (got < 0) return -1;
    if (got == 0) return 0;
    for (ssize_t i = 0; i < got; i++) *h = (*h ^ buf[i]) * 0x100000001b3ULL;
    off += got, *n += (uint64_t)got;
  }
}

mf_status mf_h5_seal(const char *file) {
  int fd = open(file, O_RDWR);
  if (fd < 0) return MF_ERROR(MF_ERR_IO, "%s: cannot open the file to seal it: %s", file, strerror(errno));
  uint64_t h, n;
  char seal[MF_H5_SEAL_BYTES] = {0};
  int ok = hash_after_seal(fd, &h, &n) == 0;
  snprintf(seal, sizeof seal, "memfem-seal 1 fnv1a64 %016llx bytes %llu\n", (unsigned long long)h,
           (unsigned long long)n);
  ok = ok && pwrite(fd, seal, sizeof seal, 0) == (ssize_t)sizeof seal;
  int e = errno;
  close(fd);
  MF_CHECK(ok, MF_ERR_IO, "%s: cannot seal the file: %s", file, strerror(e));
  return MF_OK;
}

mf_status mf_h5_check_seal(const char *file, const char *what) {
  int fd = open(file, O_RDONLY);
  if (fd < 0) return MF_ERROR(MF_ERR_IO, "%s: cannot open the file (%s)", file, strerror(errno));
  char seal[MF_H5_SEAL_BYTES + 1] = {0};
  unsigned long long want_h = 0, want_n = 0;
  uint64_t h = 0, n = 0;
  ssize_t got = pread(fd, seal, MF_H5_SEAL_BYTES, 0);
  int sealed = got == MF_H5_SEAL_BYTES && sscanf(seal, "memfem-seal 1 fnv1a64 %16llx bytes %llu\n", &want_h, &want_n) == 2;
  int hashed = sealed && hash_after_seal(fd, &h, &n) == 0;
  close(fd);
  MF_CHECK(sealed, MF_ERR_PARSE, "%s: not a %s (no memfem seal in its first %d bytes: damaged, or another file?)",
           file, what, MF_H5_SEAL_BYTES);
  MF_CHECK(hashed, MF_ERR_IO, "%s: cannot read the file", file);
  MF_CHECK(n == want_n, MF_ERR_PARSE, "%s: damaged: %llu bytes follow its seal, which records %llu (truncated?)", file,
           (unsigned long long)n, want_n);
  MF_CHECK(h == want_h, MF_ERR_PARSE, "%s: damaged: its bytes hash to %016llx, its seal records %016llx", file,
           (unsigned long long)h, want_h);
  return MF_OK;
}

mf_status mf_h5_group_create(hid_t loc, const char *name, const char *file, hid_t *gid) {
  hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  *gid = H5Gcreate2(loc, name, lcpl, H5P_DEFAULT, H5P_DEFAULT);
  H5Pclose(lcpl);
  if (*gid < 0) return MF_H5_ERROR(MF_ERR_IO, file, "cannot create group %s", name);
  return MF_OK;
}

int mf_h5_exists(hid_t loc, const char *name) {
  /* H5Lexists needs every intermediate link to exist; walk the path one link at a time. */
  char path[512];
  snprintf(path, sizeof path, "%s", name);
  for (char *p = path;; p++) {
    if (*p != '/' && *p != '\0') continue;
    char c = *p;
    *p = '\0';
    if (path[0] && H5Lexists(loc, path, H5P_DEFAULT) <= 0) {
      H5Eclear2(H5E_DEFAULT);
      return 0;
    }
    if (c == '\0') return 1;
    *p = c;
  }
}

mf_status mf_h5_group_open(hid_t loc, const char *name, const char *file, hid_t *gid) {
  *gid = H5I_INVALID_HID;
  char full[300];
  obj_name(loc, name, full, sizeof full);
  if (!mf_h5_exists(loc, name))
    return MF_ERROR(MF_ERR_PARSE, "%s: group %s is missing", file, full);
  *gid = H5Gopen2(loc, name, H5P_DEFAULT);
  if (*gid < 0) return MF_H5_ERROR(MF_ERR_PARSE, file, "cannot open group %s", full);
  return MF_OK;
}

void mf_h5_close(hid_t *id) {
  if (*id < 0) return;
  switch (H5Iget_type(*id)) {
  case H5I_FILE: H5Fclose(*id); break;
  case H5I_GROUP: H5Gclose(*id); break;
  case H5I_DATASET: H5Dclose(*id); break;
  case H5I_DATASPACE: H5Sclose(*id); break;
  case H5I_DATATYPE: H5Tclose(*id); break;
  case H5I_ATTR: H5Aclose(*id); break;
  case H5I_GENPROP_LST: H5Pclose(*id); break;
  default: break;
  }
  *id = H5I_INVALID_HID;
}

uint64_t mf_h5_chunk_rows(hid_t file_type, uint64_t rows, uint64_t cols) {
  uint64_t r = ROWS_PER_CHUNK_BYTES / (H5Tget_size(file_type) * (cols ? cols : 1));
  if (r < 1) r = 1;
  return r < rows ? r : rows;
}

/* Dataset `name` in loc, chunked along rows (optionally deflated); early: its storage
 * allocated now (the dataset is filled later, by processes that open the file in
 * parallel). */
static mf_status create_dataset(hid_t loc, const char *name, hid_t file_type, uint64_t rows, uint64_t cols,
                                int deflate, int early, const char *file, hid_t *ds) {
  char full[300];
  obj_name(loc, name, full, sizeof full);
  int rank = cols ? 2 : 1;
  hsize_t dims[2] = {rows, cols ? cols : 1};
  hid_t space = H5Screate_simple(rank, dims, NULL);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  if (rows > 0) { /* chunked along rows; an empty dataset stays contiguous */
    hsize_t chunk[2] = {mf_h5_chunk_rows(file_type, rows, cols), dims[1]};
    H5Pset_chunk(dcpl, rank, chunk);
    if (deflate > 0) {
      H5Pset_shuffle(dcpl);
      H5Pset_deflate(dcpl, (unsigned)deflate);
    }
    if (early) H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY);
  }
  *ds = H5Dcreate2(loc, name, file_type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  H5Pclose(dcpl);
  H5Sclose(space);
  return *ds < 0 ? MF_H5_ERROR(MF_ERR_IO, file, "cannot create dataset %s", full) : MF_OK;
}

mf_status mf_h5_create_dataset(hid_t loc, const char *name, hid_t file_type, uint64_t rows, uint64_t cols,
                               int deflate, const char *file) {
  hid_t ds;
  MF_CALL(create_dataset(loc, name, file_type, rows, cols, deflate, 1, file, &ds));
  H5Dclose(ds);
  return MF_OK;
}

mf_status mf_h5_write(hid_t loc, const char *name, hid_t mem_type, hid_t file_type, uint64_t rows,
                      uint64_t cols, const void *data, int deflate, const char *file) {
  hid_t ds;
  MF_CALL(create_dataset(loc, name, file_type, rows, cols, deflate, 0, file, &ds));
  mf_status st = MF_OK;
  if (rows > 0 && H5Dwrite(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) {
    char full[300];
    obj_name(loc, name, full, sizeof full);
    st = MF_H5_ERROR(MF_ERR_IO, file, "cannot write dataset %s", full);
  }
  mf_h5_close(&ds);
  return st;
}

static mf_status open_dataset(hid_t loc, const char *name, const char *file, hid_t *ds) {
  char full[300];
  obj_name(loc, name, full, sizeof full);
  *ds = H5I_INVALID_HID;
  if (!mf_h5_exists(loc, name)) return MF_ERROR(MF_ERR_PARSE, "%s: dataset %s is missing", file, full);
  *ds = H5Dopen2(loc, name, H5P_DEFAULT);
  if (*ds < 0) return MF_H5_ERROR(MF_ERR_PARSE, file, "cannot open dataset %s", full);
  return MF_OK;
}

static mf_status dataset_shape(hid_t ds, const char *full, uint64_t *rows, uint64_t *cols, const char *file) {
  hid_t space = H5Dget_space(ds);
  int rank = space < 0 ? -1 : H5Sget_simple_extent_ndims(space);
  hsize_t dims[2] = {0, 0};
  if (rank == 1 || rank == 2) H5Sget_simple_extent_dims(space, dims, NULL);
  if (space >= 0) H5Sclose(space);
  if (rank != 1 && rank != 2)
    return MF_ERROR(MF_ERR_PARSE, "%s: dataset %s has rank %d, expected 1 or 2", file, full, rank);
  *rows = dims[0];
  *cols = rank == 2 ? dims[1] : 0;
  return MF_OK;
}

mf_status mf_h5_shape(hid_t loc, const char *name, uint64_t *rows, uint64_t *cols, const char *file) {
  char full[300];
  obj_name(loc, name, full, sizeof full);
  hid_t ds;
  MF_CALL(open_dataset(loc, name, file, &ds));
  mf_status st = dataset_shape(ds, full, rows, cols, file);
  H5Dclose(ds);
  return st;
}

/* Conversion exceptions of a read: integers out of range and reals truncated into
 * integers abort it; infinities and NaN pass (callers check finiteness themselves). */
static H5T_conv_ret_t refuse_range(H5T_conv_except_t e, hid_t src, hid_t dst, void *sb, void *db, void *flag) {
  (void)src, (void)dst, (void)sb, (void)db;
  if (e == H5T_CONV_EXCEPT_RANGE_HI || e == H5T_CONV_EXCEPT_RANGE_LOW || e == H5T_CONV_EXCEPT_TRUNCATE) {
    *(int *)flag = 1;
    return H5T_CONV_ABORT;
  }
  return H5T_CONV_UNHANDLED;
}

/* A dataset's shape (rows x cols) and numeric class (mem_type's) checked. */
static mf_status check_dataset(hid_t ds, const char *full, hid_t mem_type, uint64_t rows, uint64_t cols,
                               const char *file) {
  uint64_t r = 0, c = 0;
  mf_status st = dataset_shape(ds, full, &r, &c, file);
  if (!st && (r != rows || c != cols))
    st = MF_ERROR(MF_ERR_PARSE, "%s: dataset %s is %llu x %llu, expected %llu x %llu", file, full,
                  (unsigned long long)r, (unsigned long long)(c ? c : 1), (unsigned long long)rows,
                  (unsigned long long)(cols ? cols : 1));
  if (!st) {
    hid_t ft = H5Dget_type(ds);
    H5T_class_t want = H5Tget_class(mem_type), have = ft < 0 ? H5T_NO_CLASS : H5Tget_class(ft);
    if (ft >= 0) H5Tclose(ft);
    if (have != want)
      st = MF_ERROR(MF_ERR_PARSE, "%s: dataset %s holds %s, expected %s", file, full,
                    have == H5T_INTEGER ? "integers" : have == H5T_FLOAT ? "floating-point numbers" : "another type",
                    want == H5T_INTEGER ? "integers" : "floating-point numbers");
  }
  return st;
}

/* H5Dread of a selection; a value the memory type cannot hold fails the read instead of
 * being clipped (HDF5's default), so a too large tag or index never turns into a valid
 * one. */
static mf_status read_checked(hid_t ds, const char *full, hid_t mem_type, hid_t mspace, hid_t fspace, void *data,
                              const char *file) {
  int out_of_range = 0;
  mf_status st = MF_OK;
  hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
  H5Pset_type_conv_cb(dxpl, refuse_range, &out_of_range);
  if (H5Dread(ds, mem_type, mspace, fspace, dxpl, data) < 0) {
    if (out_of_range) {
      H5Eclear2(H5E_DEFAULT);
      st = MF_ERROR(MF_ERR_PARSE, "%s: dataset %s holds a value beyond the range of the %zu-bit %s memfem reads it as",
                    file, full, 8 * H5Tget_size(mem_type),
                    H5Tget_class(mem_type) == H5T_INTEGER ? "integers" : "numbers");
    } else {
      st = MF_H5_ERROR(MF_ERR_PARSE, file, "cannot read dataset %s (truncated or corrupt?)", full);
    }
  }
  H5Pclose(dxpl);
  return st;
}

mf_status mf_h5_read(hid_t loc, const char *name, hid_t mem_type, uint64_t rows, uint64_t cols,
                     void *data, const char *file) {
  char full[300];
  obj_name(loc, name, full, sizeof full);
  hid_t ds;
  MF_CALL(open_dataset(loc, name, file, &ds));
  mf_status st = check_dataset(ds, full, mem_type, rows, cols, file);
  if (!st && rows > 0) st = read_checked(ds, full, mem_type, H5S_ALL, H5S_ALL, data, file);
  H5Dclose(ds);
  return st;
}

/* mf_h5_read_at reads the rows in spans: a span of consecutive rows, at most
 * READ_AT_SPAN of them, is read as one hyperslab and the wanted rows picked from it, so
 * long as at least one row in READ_AT_SPARSE of the span is wanted (a part's rows come
 * in runs: HDF5 point selections cost about a microsecond per value). */
#define READ_AT_SPAN 65536
#define READ_AT_SPARSE 4

mf_status mf_h5_read_at(hid_t loc, const char *name, hid_t mem_type, uint64_t rows, uint64_t cols, size_t n,
                        const mf_idx *at, void *data, const char *file) {
  char full[300];
  obj_name(loc, name, full, sizeof full);
  hid_t ds;
  MF_CALL(open_dataset(loc, name, file, &ds));
  const size_t width = cols ? cols : 1, row_bytes = width * H5Tget_size(mem_type);
  char *span = NULL;
  hid_t fspace = H5I_INVALID_HID, mspace = H5I_INVALID_HID;
  mf_status st = check_dataset(ds, full, mem_type, rows, cols, file);
  for (size_t i = 0; i < n && !st; i++)
    if (at[i] < 0 || (uint64_t)at[i] >= rows || (i && at[i] <= at[i - 1]))
      st = MF_ERROR(MF_ERR_INTERNAL, "%s: row %lld (entry %zu) of dataset %s, which has %llu: not ascending in range",
                    file, (long long)at[i], i, full, (unsigned long long)rows);
  if (!st) st = MF_ALLOC_N(span, READ_AT_SPAN * row_bytes, "HDF5 read span");
  if (!st && (fspace = H5Dget_space(ds)) < 0) st = MF_H5_ERROR(MF_ERR_PARSE, file, "dataset %s: no dataspace", full);
  for (size_t i = 0, j; i < n && !st; i = j) {
    /* the span from row at[i]: as far as READ_AT_SPAN rows, while dense enough */
    for (j = i + 1; j < n && at[j] - at[i] < READ_AT_SPAN &&
                    (size_t)(at[j] - at[i]) < READ_AT_SPARSE * (j + 1 - i) + READ_AT_SPARSE * 64;
         j++) {
    }
    const hsize_t start[2] = {(hsize_t)at[i], 0}, count[2] = {(hsize_t)(at[j - 1] - at[i] + 1), width};
    mspace = H5Screate_simple(cols ? 2 : 1, count, NULL);
    if (mspace < 0 || H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL) < 0)
      st = MF_H5_ERROR(MF_ERR_PARSE, file, "cannot select rows %lld..%lld of dataset %s", (long long)at[i],
                       (long long)at[j - 1], full);
    else
      st = read_checked(ds, full, mem_type, mspace, fspace, span, file);
    mf_h5_close(&mspace);
    for (size_t k = i; k < j && !st; k++)
      memcpy((char *)data + k * row_bytes, span + (size_t)(at[k] - at[i]) * row_bytes, row_bytes);
  }
  mf_h5_close(&fspace);
  mf_free(&span);
  H5Dclose(ds);
  return st;
}

/* Rows [first, first + count) of a dataset read into data, or written from it. */
static mf_status rows_io(hid_t loc, const char *name, hid_t mem_type, uint64_t first, uint64_t count, uint64_t cols,
                         void *data, int write, const char *file) {
  char full[300];
  obj_name(loc, name, full, sizeof full);
  hid_t ds;
  MF_CALL(open_dataset(loc, name, file, &ds));
  hid_t fspace = H5Dget_space(ds);
  hsize_t start[2] = {first, 0}, n[2] = {count, cols ? cols : 1};
  hid_t mspace = H5Screate_simple(cols ? 2 : 1, n, NULL);
  herr_t e = fspace < 0 || mspace < 0 ? -1 : H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, n, NULL);
  if (e >= 0 && count > 0)
    e = write ? H5Dwrite(ds, mem_type, mspace, fspace, H5P_DEFAULT, data)
              : H5Dread(ds, mem_type, mspace, fspace, H5P_DEFAULT, data);
  if (mspace >= 0) H5Sclose(mspace);
  if (fspace >= 0) H5Sclose(fspace);
  H5Dclose(ds);
  if (e < 0)
    return MF_H5_ERROR(write ? MF_ERR_IO : MF_ERR_PARSE, file, "cannot %s rows %llu..%llu of dataset %s%s",
                       write ? "write" : "read", (unsigned long long)first, (unsigned long long)(first + count), full,
                       write ? "" : " (truncated or corrupt?)");
  return MF_OK;
}

mf_status mf_h5_read_rows(hid_t loc, const char *name, hid_t mem_type, uint64_t first, uint64_t count, uint64_t cols,
                          void *data, const char *file) {
  return rows_io(loc, name, mem_type, first, count, cols, data, 0, file);
}

mf_status mf_h5_write_rows(hid_t loc, const char *name, hid_t mem_type, uint64_t first, uint64_t count,
                           uint64_t cols, const void *data, const char *file) {
  return rows_io(loc, name, mem_type, first, count, cols, (void *)data, 1, file);
}

mf_status mf_h5_each_slice(hid_t loc, const char *name, hid_t mem_type, uint64_t rows, uint64_t cols,
                           mf_h5_slice_fn fn, void *ctx, const char *file) {
  const size_t row_bytes = (cols ? cols : 1) * H5Tget_size(mem_type);
  void *buf = NULL;
  MF_CALL(MF_ALLOC_N(buf, (size_t)MF_H5_SLICE_ROWS * row_bytes, "dataset rows, a slice"));
  mf_status st = MF_OK;
  for (uint64_t first = 0; first < rows && !st; first += MF_H5_SLICE_ROWS) {
    const uint64_t n = rows - first < MF_H5_SLICE_ROWS ? rows - first : MF_H5_SLICE_ROWS;
    if (!(st = rows_io(loc, name, mem_type, first, n, cols, buf, 0, file))) st = fn(ctx, first, n, buf);
  }
  mf_free(&buf);
  return st;
}

/* ---- attributes ------------------------------------------------------------------ */

static mf_status attr_write(hid_t obj, const char *name, hid_t file_type, hid_t mem_type, const void *v,
                            const char *file) {
  char full[300];
  obj_name(obj, name, full, sizeof full);
  if (H5Aexists(obj, name) > 0) H5Adelete(obj, name);
  hid_t space = H5Screate(H5S_SCALAR);
  hid_t a = H5Acreate2(obj, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT);
  mf_status st = MF_OK;
  if (a < 0 || H5Awrite(a, mem_type, v) < 0)
    st = MF_H5_ERROR(MF_ERR_IO, file, "cannot write attribute %s", full);
  if (a >= 0) H5Aclose(a);
  H5Sclose(space);
  return st;
}

mf_status mf_h5_attr_write_i64(hid_t obj, const char *name, int64_t v, const char *file) {
  return attr_write(obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &v, file);
}

mf_status mf_h5_attr_write_f64(hid_t obj, const char *name, double v, const char *file) {
  return attr_write(obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &v, file);
}

mf_status mf_h5_attr_write_str(hid_t obj, const char *name, const char *v, const char *file) {
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, strlen(v) + 1);
  H5Tset_strpad(t, H5T_STR_NULLTERM);
  mf_status st = attr_write(obj, name, t, t, v, file);
  H5Tclose(t);
  return st;
}

static mf_status attr_open(hid_t obj, const char *name, H5T_class_t cls, const char *file, hid_t *a) {
  char full[300];
  obj_name(obj, name, full, sizeof full);
  *a = H5I_INVALID_HID;
  if (H5Aexists(obj, name) <= 0) {
    H5Eclear2(H5E_DEFAULT);
    return MF_ERROR(MF_ERR_PARSE, "%s: attribute %s is missing", file, full);
  }
  *a = H5Aopen(obj, name, H5P_DEFAULT);
  if (*a < 0) return MF_H5_ERROR(MF_ERR_PARSE, file, "cannot open attribute %s", full);
  hid_t t = H5Aget_type(*a), sp = H5Aget_space(*a);
  int ok = t >= 0 && H5Tget_class(t) == cls && sp >= 0 && H5Sget_simple_extent_npoints(sp) == 1;
  if (t >= 0) H5Tclose(t);
  if (sp >= 0) H5Sclose(sp);
  if (!ok) {
    H5Aclose(*a);
    *a = H5I_INVALID_HID;
    return MF_ERROR(MF_ERR_PARSE, "%s: attribute %s is not a single %s", file, full,
                    cls == H5T_STRING ? "string" : cls == H5T_INTEGER ? "integer" : "number");
  }
  return MF_OK;
}

static mf_status attr_read(hid_t obj, const char *name, H5T_class_t cls, hid_t mem_type, void *v,
                           const char *file) {
  hid_t a;
  MF_CALL(attr_open(obj, name, cls, file, &a));
  mf_status st = MF_OK;
  if (H5Aread(a, mem_type, v) < 0) st = MF_H5_ERROR(MF_ERR_PARSE, file, "cannot read attribute %s", name);
  H5Aclose(a);
  return st;
}

mf_status mf_h5_attr_read_i64(hid_t obj, const char *name, int64_t *v, const char *file) {
  return attr_read(obj, name, H5T_INTEGER, H5T_NATIVE_INT64, v, file);
}

mf_status mf_h5_attr_read_int(hid_t obj, const char *name, int64_t lo, int64_t hi, const char *file,
                              const char *where, int *v) {
  int64_t x;
  MF_CALL(mf_h5_attr_read_i64(obj, name, &x, file));
  if (x < lo || x > hi || x < INT_MIN || x > INT_MAX)
    return MF_ERROR(MF_ERR_PARSE, "%s: attribute %s%s = %lld is out of range [%lld, %lld]", file, where, name,
                    (long long)x, (long long)lo, (long long)hi);
  *v = (int)x;
  return MF_OK;
}

mf_status mf_h5_attr_read_f64(hid_t obj, const char *name, double *v, const char *file) {
  return attr_read(obj, name, H5T_FLOAT, H5T_NATIVE_DOUBLE, v, file);
}

mf_status mf_h5_attr_read_str(hid_t obj, const char *name, char *buf, size_t cap, const char *file) {
  hid_t a;
  MF_CALL(attr_open(obj, name, H5T_STRING, file, &a));
  hid_t ft = H5Aget_type(a);
  mf_status st = MF_OK;
  if (H5Tis_variable_str(ft) > 0) {
    st = MF_ERROR(MF_ERR_PARSE, "%s: attribute %s is a variable-length string; memfem writes fixed-length ones",
                  file, name);
  } else {
    size_t n = H5Tget_size(ft);
    if (n + 1 > cap) {
      st = MF_ERROR(MF_ERR_PARSE, "%s: attribute %s is %zu characters long (at most %zu)", file, name, n, cap - 1);
    } else {
      hid_t mt = H5Tcopy(H5T_C_S1);
      H5Tset_size(mt, n + 1); /* room for n characters and the terminator: a null-padded
                                 string of exactly n characters (h5py's) is kept whole */
      memset(buf, 0, cap);
      if (H5Aread(a, mt, buf) < 0) st = MF_H5_ERROR(MF_ERR_PARSE, file, "cannot read attribute %s", name);
      H5Tclose(mt);
      buf[n] = '\0';
    }
  }
  H5Tclose(ft);
  H5Aclose(a);
  return st;
}

/* ---- space for a write, and the library ------------------------------------------ */

mf_status mf_h5_reserve(const char *file, double bytes, const char *what) {
  struct stat sb;
  if (stat(file, &sb) != 0) return MF_ERROR(MF_ERR_IO, "%s: cannot stat the file: %s", file, strerror(errno));
  int fd = open(file, O_WRONLY);
  if (fd < 0) return MF_ERROR(MF_ERR_IO, "%s: cannot open the file to reserve space: %s", file, strerror(errno));
  /* Every block up to the current end plus `bytes`, past the end without changing the
   * size: holes HDF5 left by extending the file and the space the write will append. */
  off_t len = sb.st_size + (off_t)bytes;
  int rc = fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, len), e = rc ? errno : 0;
  close(fd);
  if (rc == 0) return MF_OK;
  struct statvfs vf;
  double free_bytes = -1.0;
  char dir[1100];
  const char *slash = strrchr(file, '/');
  snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - file) + (slash == file) : 1, slash ? file : ".");
  if (statvfs(dir, &vf) == 0) free_bytes = (double)vf.f_bavail * (double)vf.f_frsize;
  if (e == EOPNOTSUPP || e == ENOSYS || e == EINVAL) { /* no fallocate here: compare with the free space */
    if (free_bytes < 0.0 || free_bytes >= bytes) return MF_OK;
    e = ENOSPC;
  }
  if (e == ENOSPC || e == EDQUOT)
    return MF_ERROR(MF_ERR_IO,
                    "%s: no space left on the device for %s (needs about %.2f MiB, %.2f MiB free)",
                    file, what, bytes / 1048576.0, free_bytes < 0.0 ? 0.0 : free_bytes / 1048576.0);
  return MF_ERROR(MF_ERR_IO, "%s: cannot reserve space for %s: %s", file, what, strerror(e));
}

void mf_h5_unreserve(const char *file) {
  struct stat sb;
  if (stat(file, &sb) == 0 && S_ISREG(sb.st_mode) && truncate(file, sb.st_size) != 0) {
    /* best effort: the blocks stay allocated past the end, nothing else */
  }
}

void mf_h5_print_library(FILE *out) {
  unsigned maj = 0, min = 0, rel = 0;
  mf_h5_init();
  H5get_libversion(&maj, &min, &rel);
  Dl_info info;
  const char *lib = dladdr((void *)H5open, &info) && info.dli_fname ? info.dli_fname : "unknown library";
#ifdef H5_HAVE_PARALLEL
  const char *flavour = "parallel (MPI)";
#else
  const char *flavour = "serial";
#endif
  fprintf(out, "  HDF5       : %u.%u.%u %s, %s\n", maj, min, rel, flavour, lib);
}
