/* Gmsh mesh reader: MSH 4.1 and 2.2, ASCII and binary, into an mf_mesh.
 *
 * The file streams through one fixed buffer, so reading a mesh costs its arrays and not
 * a copy of the file. Nodes, the volume elements and their boundary faces (the types of
 * mesh/mf_elem.h: one volume type per mesh) go into temporary arrays first (the element
 * counts per type are only known at the end); physical groups
 * come from $PhysicalNames, from the physical tags of $Entities (4.1) or from the first
 * element tag (2.2). Every count read from the file is checked against the bytes left
 * before it sizes anything, so a corrupt file ends in an error message, not in a huge
 * allocation, a crash or a hang. Messages name the file and the line (ASCII) or the
 * byte offset and section (binary). */
#include "mesh/mf_mesh.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mem/mf_alloc.h"

#define BUF_BYTES     ((size_t)1 << 20) /* streaming buffer */
#define TOKEN_MAX     256               /* longest ASCII token (numbers, section names) */
#define MAX_ELEM_TAGS 1024              /* 2.2: tags per element (physical, entity, partitions) */

/* ---- element types ---------------------------------------------------------------- */

enum { T_LINE = 1, T_POINT = 15 }; /* read and counted, not kept */

/* Nodes per element for the types memfem reads (0: not read): points, lines and the
 * volume and face types of the element table. */
static int type_nodes(int type) {
  mf_elem_type t;
  if (type == T_POINT) return 1;
  if (type == T_LINE) return 2;
  if (mf_elem_type_from_gmsh(type, &t) == 0) return mf_elem_topology_of(t)->nodes;
  if (mf_elem_type_from_gmsh_face(type, &t) == 0) return mf_elem_topology_of(t)->face_nodes;
  return 0;
}

static int type_dim(int type) {
  mf_elem_type t;
  if (type == T_POINT) return 0;
  if (type == T_LINE) return 1;
  if (mf_elem_type_from_gmsh_face(type, &t) == 0) return 2;
  return 3;
}

/* Readable names of Gmsh's element types, for the message that refuses one. */
static const char *type_name(int type) {
  static const char *const names[] = {
      [1] = "2-node line",          [2] = "3-node triangle",      [3] = "4-node quadrangle",
      [4] = "4-node tetrahedron",   [5] = "8-node hexahedron",    [6] = "6-node prism",
      [7] = "5-node pyramid",       [8] = "3-node line",          [9] = "6-node triangle",
      [10] = "9-node quadrangle",   [11] = "10-node tetrahedron", [12] = "27-node hexahedron",
      [13] = "18-node prism",       [14] = "14-node pyramid",     [15] = "1-node point",
      [16] = "8-node quadrangle",   [17] = "20-node hexahedron",  [18] = "15-node prism",
      [19] = "13-node pyramid",     [20] = "9-node triangle",     [21] = "10-node triangle",
      [22] = "12-node triangle",    [23] = "15-node triangle",    [24] = "15-node triangle",
      [25] = "21-node triangle",    [26] = "4-node line",         [27] = "5-node line",
      [28] = "6-node line",         [29] = "20-node tetrahedron", [30] = "35-node tetrahedron",
      [31] = "56-node tetrahedron",
  };
  if (type > 0 && type < (int)(sizeof names / sizeof names[0]) && names[type]) return names[type];
  return "unknown element";
}

/* ---- buffered reader ---------------------------------------------------------------- */

typedef struct reader {
  FILE *fp;
  const char *path;
  char *buf;        /* BUF_BYTES + 1; buf[end] is always '\0' so strtod stops there */
  size_t pos, end;  /* unread bytes: buf[pos .. end) */
  int eof;          /* nothing left in the file beyond buf[end) */
  int read_errno;   /* errno of a failed read (reported instead of "truncated") */
  int binary;       /* binary file: locate errors by byte offset, not line */
  long long line;   /* line number of buf[pos] */
  uint64_t base;    /* file offset of buf[0] */
  uint64_t size;    /* file size, UINT64_MAX if unknown */
  char section[64]; /* current section, for messages */
} reader;

static mf_status fail(const reader *r, mf_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* One message line: "path:line: what" for ASCII, "path: byte N ($Section): what" for binary. */
static mf_status fail(const reader *r, mf_status code, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (r->binary)
    return MF_ERROR(code, "%s: byte %llu (%s): %s", r->path, (unsigned long long)(r->base + r->pos),
                    r->section, msg);
  return MF_ERROR(code, "%s:%lld: %s", r->path, r->line, msg);
}

static mf_status truncated(const reader *r) {
  if (r->read_errno)
    return MF_ERROR(MF_ERR_IO, "%s: read error in %s: %s", r->path, r->section, strerror(r->read_errno));
  return MF_ERROR(MF_ERR_PARSE, "%s: unexpected end of file in %s (truncated?)", r->path, r->section);
}

/* Make at least `need` (<= BUF_BYTES) unread bytes available, unless the file ends first. */
static void fill(reader *r, size_t need) {
  if (r->end - r->pos >= need || r->eof) return;
  size_t left = r->end - r->pos;
  memmove(r->buf, r->buf + r->pos, left);
  r->base += r->pos;
  r->pos = 0;
  r->end = left;
  while (r->end < need && !r->eof) {
    size_t got = fread(r->buf + r->end, 1, BUF_BYTES - r->end, r->fp);
    r->end += got;
    if (got == 0) {
      if (ferror(r->fp)) r->read_errno = errno ? errno : EIO;
      r->eof = 1;
    }
  }
  r->buf[r->end] = '\0';
}

static int at_eof(reader *r) {
  fill(r, 1);
  return r->pos >= r->end;
}

static mf_status reader_open(reader *r, const char *path) {
  *r = (reader){.path = path, .line = 1, .size = UINT64_MAX};
  snprintf(r->section, sizeof r->section, "the file header");
  r->fp = fopen(path, "rb");
  if (!r->fp) return MF_ERROR(MF_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
  struct stat st;
  if (fstat(fileno(r->fp), &st) == 0 && S_ISREG(st.st_mode)) r->size = (uint64_t)st.st_size;
  mf_status s = mf_malloc(BUF_BYTES + 1, "mesh file buffer", &r->buf);
  if (s) {
    fclose(r->fp);
    r->fp = NULL;
    return s;
  }
  r->buf[0] = '\0';
  return MF_OK;
}

static void reader_close(reader *r) {
  if (r->fp) fclose(r->fp);
  r->fp = NULL;
  mf_free(&r->buf);
}

/* How many items of at least min_bytes each the rest of the file can hold (a fixed
 * batch if the size is unknown, e.g. a pipe). */
static size_t items_left(const reader *r, unsigned min_bytes) {
  uint64_t done = r->base + r->pos;
  if (r->size == UINT64_MAX) return (size_t)1 << 20;
  return r->size > done ? (size_t)((r->size - done) / min_bytes) : 0;
}

/* A count read from the file must be non-negative and fit in what is left of the file at
 * `min_bytes` per item: a corrupt count then cannot size a huge allocation or a long loop. */
static mf_status check_count(const reader *r, int64_t n, unsigned min_bytes, const char *what) {
  if (n < 0) return fail(r, MF_ERR_PARSE, "negative %s count %lld", what, (long long)n);
  if (r->size == UINT64_MAX || (uint64_t)n <= items_left(r, min_bytes)) return MF_OK;
  return fail(r, MF_ERR_PARSE,
              "%s count %lld cannot fit in the %llu bytes left of the file (truncated or corrupt?)", what,
              (long long)n, (unsigned long long)items_left(r, 1));
}

/* ---- ASCII tokens -------------------------------------------------------------------- */

static inline int is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }
static inline int is_space(char c) { return is_blank(c) || c == '\n'; }

/* Skip blanks, and line ends too if cross_lines. Returns the next byte, '\n' when it
 * stopped at a line end, or -1 at the end of the file. */
static int skip_ws(reader *r, int cross_lines) {
  for (;;) {
    while (r->pos < r->end) {
      char c = r->buf[r->pos];
      if (c == '\n') {
        if (!cross_lines) return '\n';
        r->line++;
      } else if (!is_blank(c)) {
        return (unsigned char)c;
      }
      r->pos++;
    }
    if (at_eof(r)) return -1;
  }
}

/* The next whitespace-delimited token, valid until the next read. Returns its length:
 * 0 at the end of the file or, unless cross_lines, at the end of the line. A token longer
 * than TOKEN_MAX comes back with a length > TOKEN_MAX (callers reject it). */
static size_t token(reader *r, int cross_lines, const char **tok) {
  int c = skip_ws(r, cross_lines);
  if (c < 0 || c == '\n') return 0;
  size_t n = 0;
  for (;;) {
    const char *p = r->buf + r->pos;
    size_t avail = r->end - r->pos;
    while (n < avail && !is_space(p[n])) n++;
    if (n < avail || r->eof || n > TOKEN_MAX) break;
    fill(r, n + 1);
  }
  *tok = r->buf + r->pos;
  r->pos += n;
  return n;
}

/* A missing value: either the file ended or (within a record) the line did. */
static mf_status missing(reader *r, const char *what) {
  if (at_eof(r)) return truncated(r);
  return fail(r, MF_ERR_PARSE, "line ends before the %s", what);
}

/* Digits with an optional sign, no overflow; 0 if malformed. */
static int parse_i64(const char *t, size_t n, int64_t *v) {
  size_t i = 0;
  int neg = 0;
  if (n > 0 && (t[0] == '-' || t[0] == '+')) {
    neg = t[0] == '-';
    i = 1;
  }
  if (i == n) return 0;
  uint64_t x = 0;
  for (; i < n; i++) {
    unsigned d = (unsigned)((unsigned char)t[i] - '0');
    if (d > 9 || x > ((uint64_t)INT64_MAX - d) / 10) return 0;
    x = 10 * x + d;
  }
  *v = neg ? -(int64_t)x : (int64_t)x;
  return 1;
}

static mf_status bad_token(reader *r, const char *what, const char *t, size_t n) {
  return fail(r, MF_ERR_PARSE, "malformed %s '%.*s'", what, (int)(n > 40 ? 40 : n), t);
}

static mf_status get_int(reader *r, int cross_lines, const char *what, int64_t *v) {
  *v = 0; /* outputs are always written, so no caller can read garbage */
  const char *t;
  size_t n = token(r, cross_lines, &t);
  if (n == 0) return missing(r, what);
  if (n > TOKEN_MAX || !parse_i64(t, n, v)) return bad_token(r, what, t, n);
  return MF_OK;
}

static mf_status get_double(reader *r, int cross_lines, const char *what, double *v) {
  *v = 0.0;
  const char *t;
  size_t n = token(r, cross_lines, &t);
  if (n == 0) return missing(r, what);
  char *end;
  *v = strtod(t, &end); /* the token is followed by a blank or the buffer's '\0' */
  if (n > TOKEN_MAX || end != t + n) return bad_token(r, what, t, n);
  return MF_OK;
}

/* The rest of the line must be blank. Its end stays unread, so that checks made after
 * reading a record still report the record's line. */
static mf_status end_line(reader *r, const char *what) {
  int c = skip_ws(r, 0);
  if (c < 0 || c == '\n') return MF_OK;
  const char *t;
  size_t n = token(r, 0, &t);
  return fail(r, MF_ERR_PARSE, "unexpected '%.*s' after %s (too many values on the line?)",
              (int)(n > 40 ? 40 : n), t, what);
}

/* end_line, then step past the line end: binary data starts right after it. */
static mf_status next_line(reader *r, const char *what) {
  MF_CALL(end_line(r, what));
  if (r->pos < r->end && r->buf[r->pos] == '\n') {
    r->pos++;
    r->line++;
  }
  return MF_OK;
}

/* The next token must be the section end `name`, e.g. "$EndNodes". */
static mf_status expect_end(reader *r, const char *name) {
  const char *t;
  size_t n = token(r, 1, &t);
  if (n == 0) return truncated(r);
  if (n != strlen(name) || memcmp(t, name, n) != 0)
    return fail(r, MF_ERR_PARSE, "expected %s, found '%.*s' (the counts do not match the data?)", name,
                (int)(n > 40 ? 40 : n), t);
  return next_line(r, name);
}

/* A double-quoted name on the current line into out[MF_NAME_MAX]. */
static mf_status get_quoted(reader *r, char *out) {
  int c = skip_ws(r, 0);
  if (c != '"') return c < 0 ? truncated(r) : fail(r, MF_ERR_PARSE, "expected a quoted physical name");
  r->pos++;
  fill(r, 2 * MF_NAME_MAX);
  size_t avail = r->end - r->pos, n = 0;
  const char *p = r->buf + r->pos;
  while (n < avail && p[n] != '"' && p[n] != '\n') n++;
  if (n >= MF_NAME_MAX)
    return fail(r, MF_ERR_PARSE, "physical name \"%.*s...\" is longer than %d characters", 32, p,
                MF_NAME_MAX - 1);
  if (n == avail) return truncated(r);
  if (p[n] != '"') return fail(r, MF_ERR_PARSE, "physical name without a closing quote");
  memcpy(out, p, n);
  out[n] = '\0';
  r->pos += n + 1;
  return MF_OK;
}

/* ---- binary values, and header values in either mode --------------------------------- */

static mf_status get_bytes(reader *r, void *dst, size_t n) {
  fill(r, n);
  if (r->end - r->pos < n) {
    memset(dst, 0, n);
    return truncated(r);
  }
  memcpy(dst, r->buf + r->pos, n);
  r->pos += n;
  return MF_OK;
}

/* A size_t of the binary format, which must fit an int64. */
static mf_status get_u64(reader *r, const char *what, int64_t *v) {
  *v = 0;
  uint64_t x;
  MF_CALL(get_bytes(r, &x, 8));
  if (x > (uint64_t)INT64_MAX)
    return fail(r, MF_ERR_PARSE, "%s %llu is out of range", what, (unsigned long long)x);
  *v = (int64_t)x;
  return MF_OK;
}

/* An int (binary: 4 bytes) of a 4.1 header or entity record. */
static mf_status get_int32(reader *r, const char *what, int *v) {
  if (r->binary) {
    int32_t x;
    MF_CALL(get_bytes(r, &x, 4));
    *v = x;
    return MF_OK;
  }
  int64_t x;
  MF_CALL(get_int(r, 1, what, &x));
  if (x < INT_MIN || x > INT_MAX)
    return fail(r, MF_ERR_PARSE, "%s %lld is out of range", what, (long long)x);
  *v = (int)x;
  return MF_OK;
}

/* A size_t (binary: 8 bytes) of a 4.1 header or entity record; never negative. */
static mf_status get_size(reader *r, const char *what, int64_t *v) {
  if (r->binary) return get_u64(r, what, v);
  MF_CALL(get_int(r, 1, what, v));
  if (*v < 0) return fail(r, MF_ERR_PARSE, "negative %s %lld", what, (long long)*v);
  return MF_OK;
}

static mf_status get_real(reader *r, const char *what, double *v) {
  if (r->binary) return get_bytes(r, v, 8);
  return get_double(r, 1, what, v);
}

/* ---- parse state ----------------------------------------------------------------------- */

typedef struct {
  int dim, tag;
  int named;
  char name[MF_NAME_MAX];
} phys_group;

/* The physical tags shared by a run of elements: those of a 4.1 entity, or the tags of a
 * 2.2 element (one per copy gmsh writes of an element in several groups). */
typedef struct {
  int dim, entity;     /* entity: the 4.1 entity tag (2.2: -1) */
  size_t first, count; /* into set_tags, ascending and unique */
} tag_set;

/* Elements of one kind (the volume type or its face type) in file order. */
typedef struct {
  int nn;
  size_t n, cap;
  mf_idx *conn;
  mf_gidx *tag;
  int32_t *set; /* tag_set index, -1: in no physical group */
} elem_buf;

typedef struct {
  int64_t tag;
  mf_idx idx;
} tag_pair;

/* Node tag -> local index: a direct table when the tags are dense enough, else sorted pairs. */
typedef struct {
  int64_t lo, span;
  mf_idx *dense;
  tag_pair *pairs;
  mf_idx n;
} tag_map;

/* 2.2: the last element read, held back until the next one shows whether gmsh repeated
 * it for another physical group. */
typedef struct {
  int valid, type, entity;
  mf_gidx tag;
  mf_idx nodes[MF_ELEM_MAX_NODES];
  int *phys;
  size_t n_phys, cap_phys;
} pending_elem;

typedef struct {
  int version; /* 41 or 22 */
  int have_format, have_names, have_entities, have_nodes, have_elements;
  phys_group *names;
  size_t n_names, cap_names;
  tag_set *sets;
  size_t n_sets, cap_sets, last_set;
  int *set_tags;
  size_t n_set_tags, cap_set_tags;
  mf_idx n_nodes;
  double *x, *y, *z;
  mf_gidx *ntag;
  tag_map map;
  int vol_type, face_type; /* Gmsh types of the volume elements and faces (0: none yet) */
  elem_buf vols, faces;
  int64_t n_points, n_lines;
  pending_elem pend;
} gmsh_state;

/* Move *pp (n_used items of `size` bytes) into a new block of `cap` items. */
static mf_status resize(void *pp, size_t n_used, size_t cap, size_t size, const char *what) {
  void *q;
  MF_CALL(mf_malloc(cap * size, what, &q));
  void **p = (void **)pp;
  if (n_used) memcpy(q, *p, n_used * size);
  mf_free(p);
  *p = q;
  return MF_OK;
}

/* Capacity for `need` items: 1.5x growth keeps appends amortised O(1), while a 4.1
 * block reserved up front gets just what it needs. */
static size_t next_cap(size_t cap, size_t need) {
  size_t c = cap + cap / 2;
  if (c < 16) c = 16;
  return c > need ? c : need;
}

/* Grow *pp (n_used items of `size` bytes, capacity *cap) to hold `need` items. */
static mf_status grow(void *pp, size_t *cap, size_t n_used, size_t need, size_t size, const char *what) {
  if (need <= *cap) return MF_OK;
  size_t c = next_cap(*cap, need);
  MF_CALL(resize(pp, n_used, c, size, what));
  *cap = c;
  return MF_OK;
}

static mf_status elem_reserve(elem_buf *b, size_t need) {
  if (need <= b->cap) return MF_OK;
  size_t c = next_cap(b->cap, need), nn = (size_t)b->nn;
  MF_CALL(resize(&b->conn, nn * b->n, nn * c, sizeof *b->conn, "element connectivity (reading)"));
  MF_CALL(resize(&b->tag, b->n, c, sizeof *b->tag, "element tags (reading)"));
  MF_CALL(resize(&b->set, b->n, c, sizeof *b->set, "element groups (reading)"));
  b->cap = c;
  return MF_OK;
}

static void elem_free(elem_buf *b) {
  mf_free(&b->conn);
  mf_free(&b->tag);
  mf_free(&b->set);
}

static void state_free(gmsh_state *s) {
  mf_free(&s->names);
  mf_free(&s->sets);
  mf_free(&s->set_tags);
  mf_free(&s->x);
  mf_free(&s->y);
  mf_free(&s->z);
  mf_free(&s->ntag);
  mf_free(&s->map.dense);
  mf_free(&s->map.pairs);
  elem_free(&s->vols);
  elem_free(&s->faces);
  mf_free(&s->pend.phys);
}

static int cmp_int(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

/* Sort and unique tags[0..n); returns the new count. */
static size_t sort_unique(int *tags, size_t n) {
  if (n < 2) return n; /* also keeps a NULL array away from qsort */
  qsort(tags, n, sizeof *tags, cmp_int);
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (k == 0 || tags[i] != tags[k - 1]) tags[k++] = tags[i];
  return k;
}

/* Append a tag set; its tags are sorted and made unique here. */
static mf_status add_set(gmsh_state *s, int dim, int entity, const int *tags, size_t n) {
  MF_CALL(grow(&s->sets, &s->cap_sets, s->n_sets, s->n_sets + 1, sizeof *s->sets, "physical tag sets"));
  MF_CALL(grow(&s->set_tags, &s->cap_set_tags, s->n_set_tags, s->n_set_tags + n, sizeof *s->set_tags,
               "physical tags"));
  int *dst = s->set_tags + s->n_set_tags;
  memcpy(dst, tags, n * sizeof *tags);
  n = sort_unique(dst, n);
  s->sets[s->n_sets++] = (tag_set){.dim = dim, .entity = entity, .first = s->n_set_tags, .count = n};
  s->n_set_tags += n;
  return MF_OK;
}

/* 4.1: the tag set of entity (dim, tag), -1 if it has no physical tags. */
static int32_t find_entity_set(const gmsh_state *s, int dim, int tag) {
  for (size_t i = 0; i < s->n_sets; i++)
    if (s->sets[i].dim == dim && s->sets[i].entity == tag) return (int32_t)i;
  return -1;
}

/* 2.2: the tag set holding exactly tags[0..n) (sorted, unique), created if new. */
static mf_status find_or_add_set(gmsh_state *s, int dim, const int *tags, size_t n, int32_t *out) {
  *out = -1;
  if (n == 0) return MF_OK;
  for (size_t k = 0; k < s->n_sets; k++) {
    size_t i = (s->last_set + k) % s->n_sets; /* runs of elements share a set: start at the last hit */
    const tag_set *ts = &s->sets[i];
    if (ts->dim == dim && ts->count == n && memcmp(s->set_tags + ts->first, tags, n * sizeof *tags) == 0) {
      s->last_set = i;
      *out = (int32_t)i;
      return MF_OK;
    }
  }
  MF_CALL(add_set(s, dim, -1, tags, n));
  s->last_set = s->n_sets - 1;
  *out = (int32_t)(s->n_sets - 1);
  return MF_OK;
}

/* ---- node tag map --------------------------------------------------------------------- */

static int cmp_pair(const void *a, const void *b) {
  int64_t x = ((const tag_pair *)a)->tag, y = ((const tag_pair *)b)->tag;
  return (x > y) - (x < y);
}

static inline mf_idx map_find(const tag_map *m, int64_t tag) {
  if (m->dense) {
    if (tag < m->lo || tag - m->lo >= m->span) return -1;
    return m->dense[tag - m->lo];
  }
  size_t lo = 0, hi = (size_t)m->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (m->pairs[mid].tag < tag)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < (size_t)m->n && m->pairs[lo].tag == tag ? m->pairs[lo].idx : -1;
}

static mf_status duplicate_tag(const char *path, int64_t tag) {
  return MF_ERROR(MF_ERR_PARSE, "%s: node tag %lld appears twice in $Nodes", path, (long long)tag);
}

/* Tags are positive (checked on reading). Gmsh's are usually 1..n: a direct table then
 * costs 4 bytes a node; far sparser tags fall back to binary search in sorted pairs. */
static mf_status build_tag_map(gmsh_state *s, const char *path) {
  tag_map *m = &s->map;
  m->n = s->n_nodes;
  if (m->n == 0) return MF_OK;
  int64_t lo = s->ntag[0], hi = s->ntag[0];
  for (mf_idx i = 1; i < m->n; i++) {
    if (s->ntag[i] < lo) lo = s->ntag[i];
    if (s->ntag[i] > hi) hi = s->ntag[i];
  }
  int64_t span = hi - lo + 1;
  if (span <= 2 * (int64_t)m->n + 1024) {
    MF_CALL(MF_ALLOC_N(m->dense, span, "node tag table"));
    for (int64_t k = 0; k < span; k++) m->dense[k] = -1;
    m->lo = lo;
    m->span = span;
    for (mf_idx i = 0; i < m->n; i++) {
      mf_idx *slot = &m->dense[s->ntag[i] - lo];
      if (*slot >= 0) return duplicate_tag(path, s->ntag[i]);
      *slot = i;
    }
    return MF_OK;
  }
  MF_CALL(MF_ALLOC_N(m->pairs, m->n, "node tag index"));
  for (mf_idx i = 0; i < m->n; i++) m->pairs[i] = (tag_pair){s->ntag[i], i};
  qsort(m->pairs, (size_t)m->n, sizeof *m->pairs, cmp_pair);
  for (mf_idx i = 1; i < m->n; i++)
    if (m->pairs[i].tag == m->pairs[i - 1].tag) return duplicate_tag(path, m->pairs[i].tag);
  return MF_OK;
}

/* ---- sections: format, names, entities -------------------------------------------------- */

static mf_status read_format(reader *r, gmsh_state *s) {
  const char *t;
  size_t n = token(r, 1, &t);
  if (n == 0) return truncated(r);
  char ver[32];
  snprintf(ver, sizeof ver, "%.*s", (int)(n < 31 ? n : 31), t);
  if (strcmp(ver, "4.1") == 0)
    s->version = 41;
  else if (strcmp(ver, "2.2") == 0)
    s->version = 22;
  else {
    char *end;
    (void)strtod(ver, &end);
    if (end == ver || *end) return fail(r, MF_ERR_PARSE, "malformed MSH version '%s'", ver);
    return MF_ERROR(MF_ERR_PARSE, "%s: MSH version %s is not supported (use 4.1 or 2.2)", r->path, ver);
  }
  int64_t file_type, data_size;
  MF_CALL(get_int(r, 0, "file type", &file_type));
  MF_CALL(get_int(r, 0, "data size", &data_size));
  if (file_type != 0 && file_type != 1)
    return fail(r, MF_ERR_PARSE, "file type %lld is neither 0 (ASCII) nor 1 (binary)",
                (long long)file_type);
  if (data_size != 8)
    return fail(r, MF_ERR_PARSE, "data size %lld is not supported (doubles must be 8 bytes)",
                (long long)data_size);
  MF_CALL(next_line(r, "the format line"));
  if (file_type == 1) {
    r->binary = 1;
    int32_t one;
    MF_CALL(get_bytes(r, &one, 4));
    if (one == 0x01000000)
      return fail(r, MF_ERR_PARSE,
                  "binary file of the other byte order; save it as ASCII or on this machine");
    if (one != 1) return fail(r, MF_ERR_PARSE, "bad byte-order mark %d (expected 1)", (int)one);
  }
  return expect_end(r, "$EndMeshFormat");
}

static mf_status read_physical_names(reader *r, gmsh_state *s) {
  int64_t n;
  MF_CALL(get_int(r, 1, "number of physical names", &n));
  MF_CALL(check_count(r, n, 7, "physical name"));
  MF_CALL(end_line(r, "the number of physical names"));
  for (int64_t i = 0; i < n; i++) {
    int64_t dim, tag;
    MF_CALL(
        grow(&s->names, &s->cap_names, s->n_names, s->n_names + 1, sizeof *s->names, "physical names"));
    phys_group *g = &s->names[s->n_names];
    MF_CALL(get_int(r, 1, "physical group dimension", &dim));
    MF_CALL(get_int(r, 0, "physical tag", &tag));
    if (dim < 0 || dim > 3)
      return fail(r, MF_ERR_PARSE, "physical group dimension %lld is not 0, 1, 2 or 3", (long long)dim);
    if (tag < INT_MIN || tag > INT_MAX)
      return fail(r, MF_ERR_PARSE, "physical tag %lld is out of range", (long long)tag);
    MF_CALL(get_quoted(r, g->name));
    MF_CALL(end_line(r, "the physical name"));
    g->dim = (int)dim;
    g->tag = (int)tag;
    g->named = g->name[0] != '\0';
    s->n_names++;
  }
  return expect_end(r, "$EndPhysicalNames");
}

/* One 4.1 entity record; keeps its physical tags if it has any. */
static mf_status read_entity(reader *r, gmsh_state *s, int dim, int **tags, size_t *cap) {
  int tag;
  double box;
  int64_t n_phys, n_bound;
  MF_CALL(get_int32(r, "entity tag", &tag));
  for (int k = 0; k < (dim == 0 ? 3 : 6); k++) MF_CALL(get_real(r, "entity coordinate", &box));
  MF_CALL(get_size(r, "number of physical tags", &n_phys));
  MF_CALL(check_count(r, n_phys, 2, "physical tag"));
  MF_CALL(grow(tags, cap, 0, (size_t)n_phys, sizeof **tags, "entity physical tags"));
  for (int64_t k = 0; k < n_phys; k++) MF_CALL(get_int32(r, "physical tag", &(*tags)[k]));
  if (dim > 0) {
    int bound;
    MF_CALL(get_size(r, "number of bounding entities", &n_bound));
    MF_CALL(check_count(r, n_bound, 2, "bounding entity"));
    for (int64_t k = 0; k < n_bound; k++) MF_CALL(get_int32(r, "bounding entity tag", &bound));
  }
  if (n_phys > 0) MF_CALL(add_set(s, dim, tag, *tags, (size_t)n_phys));
  return MF_OK;
}

static mf_status read_entities(reader *r, gmsh_state *s) {
  int64_t count[4];
  static const char *const what[4] = {"point entity", "curve entity", "surface entity", "volume entity"};
  for (int d = 0; d < 4; d++) MF_CALL(get_size(r, what[d], &count[d]));
  int *tags = NULL;
  size_t cap = 0;
  mf_status st = MF_OK;
  for (int d = 0; d < 4 && !st; d++) {
    st = check_count(r, count[d], 8, what[d]);
    for (int64_t e = 0; e < count[d] && !st; e++) st = read_entity(r, s, d, &tags, &cap);
  }
  mf_free(&tags);
  if (st) return st;
  return expect_end(r, "$EndEntities");
}

/* ---- $Nodes ---------------------------------------------------------------------------- */

static mf_status alloc_nodes(reader *r, gmsh_state *s, int64_t n) {
  if (n > MF_IDX_MAX)
    return fail(r, MF_ERR_PARSE, "%lld nodes exceed the 32-bit local numbering", (long long)n);
  s->n_nodes = (mf_idx)n;
  MF_CALL(MF_ALLOC_N(s->x, n, "node x (reading)"));
  MF_CALL(MF_ALLOC_N(s->y, n, "node y (reading)"));
  MF_CALL(MF_ALLOC_N(s->z, n, "node z (reading)"));
  MF_CALL(MF_ALLOC_N(s->ntag, n, "node tags (reading)"));
  return MF_OK;
}

static mf_status check_node_tag(reader *r, int64_t tag) {
  if (tag < 1) return fail(r, MF_ERR_PARSE, "node tag %lld is not positive", (long long)tag);
  return MF_OK;
}

static mf_status store_coords(reader *r, gmsh_state *s, mf_idx i, const double c[3]) {
  if (!isfinite(c[0]) || !isfinite(c[1]) || !isfinite(c[2]))
    return fail(r, MF_ERR_PARSE, "node %lld has a non-finite coordinate", (long long)s->ntag[i]);
  s->x[i] = c[0];
  s->y[i] = c[1];
  s->z[i] = c[2];
  return MF_OK;
}

/* ASCII node coordinates: x y z and n_par parametric coordinates on one line. */
static mf_status get_coord_line(reader *r, int n_par, double c[6]) {
  MF_CALL(get_double(r, 1, "x coordinate", &c[0]));
  MF_CALL(get_double(r, 0, "y coordinate", &c[1]));
  MF_CALL(get_double(r, 0, "z coordinate", &c[2]));
  for (int k = 0; k < n_par; k++) MF_CALL(get_double(r, 0, "parametric coordinate", &c[3 + k]));
  return end_line(r, n_par ? "the coordinates and parametric coordinates" : "the node coordinates");
}

/* One 4.1 node block: nb tags, then nb coordinate records (x y z + n_par parametric). */
static mf_status read_node_block41(reader *r, gmsh_state *s, mf_idx i0, int64_t nb, int n_par) {
  for (int64_t k = 0; k < nb; k++) {
    int64_t tag;
    if (r->binary)
      MF_CALL(get_u64(r, "node tag", &tag));
    else {
      MF_CALL(get_int(r, 1, "node tag", &tag));
      MF_CALL(end_line(r, "the node tag"));
    }
    MF_CALL(check_node_tag(r, tag));
    s->ntag[i0 + k] = tag;
  }
  for (int64_t k = 0; k < nb; k++) {
    double c[6];
    if (r->binary)
      MF_CALL(get_bytes(r, c, (3 + (size_t)n_par) * sizeof *c));
    else
      MF_CALL(get_coord_line(r, n_par, c));
    MF_CALL(store_coords(r, s, i0 + (mf_idx)k, c));
  }
  return MF_OK;
}

static mf_status read_nodes41(reader *r, gmsh_state *s) {
  int64_t n_blocks, n_nodes, tag_min, tag_max;
  MF_CALL(get_size(r, "number of node blocks", &n_blocks));
  MF_CALL(get_size(r, "number of nodes", &n_nodes));
  MF_CALL(get_size(r, "minimum node tag", &tag_min));
  MF_CALL(get_size(r, "maximum node tag", &tag_max));
  MF_CALL(check_count(r, n_nodes, r->binary ? 32 : 8, "node"));
  MF_CALL(check_count(r, n_blocks, r->binary ? 20 : 8, "node block"));
  MF_CALL(alloc_nodes(r, s, n_nodes));
  int64_t done = 0;
  for (int64_t b = 0; b < n_blocks; b++) {
    int dim, entity, parametric;
    int64_t nb;
    MF_CALL(get_int32(r, "entity dimension", &dim));
    MF_CALL(get_int32(r, "entity tag", &entity));
    MF_CALL(get_int32(r, "parametric flag", &parametric));
    MF_CALL(get_size(r, "number of nodes in the block", &nb));
    if (dim < 0 || dim > 3) return fail(r, MF_ERR_PARSE, "entity dimension %d is not 0, 1, 2 or 3", dim);
    if (parametric != 0 && parametric != 1)
      return fail(r, MF_ERR_PARSE, "parametric flag %d is neither 0 nor 1", parametric);
    if (nb > n_nodes - done)
      return fail(r, MF_ERR_PARSE, "node blocks hold more nodes than the %lld of the $Nodes header",
                  (long long)n_nodes);
    /* Parametric coordinates: u on curves, u v on surfaces, u v w in volumes (none at points). */
    MF_CALL(read_node_block41(r, s, (mf_idx)done, nb, parametric ? dim : 0));
    done += nb;
  }
  skip_ws(r, 1); /* report the mismatch where the data stops */
  if (done != n_nodes)
    return fail(r, MF_ERR_PARSE, "the $Nodes header announces %lld nodes but its blocks hold %lld",
                (long long)n_nodes, (long long)done);
  return expect_end(r, "$EndNodes");
}

static mf_status read_nodes22(reader *r, gmsh_state *s) {
  int64_t n;
  MF_CALL(get_int(r, 1, "number of nodes", &n));
  MF_CALL(check_count(r, n, r->binary ? 28 : 8, "node"));
  MF_CALL(next_line(r, "the number of nodes"));
  MF_CALL(alloc_nodes(r, s, n));
  for (mf_idx i = 0; i < s->n_nodes; i++) {
    int64_t tag;
    double c[6];
    if (r->binary) {
      int32_t t32;
      MF_CALL(get_bytes(r, &t32, 4));
      tag = t32;
      MF_CALL(get_bytes(r, c, 3 * sizeof *c));
    } else {
      MF_CALL(get_int(r, 1, "node tag", &tag));
      MF_CALL(get_double(r, 0, "x coordinate", &c[0]));
      MF_CALL(get_double(r, 0, "y coordinate", &c[1]));
      MF_CALL(get_double(r, 0, "z coordinate", &c[2]));
      MF_CALL(end_line(r, "the node coordinates"));
    }
    MF_CALL(check_node_tag(r, tag));
    s->ntag[i] = tag;
    MF_CALL(store_coords(r, s, i, c));
  }
  return expect_end(r, "$EndNodes");
}

/* ---- $Elements: shared ----------------------------------------------------------------- */

static mf_status check_type(reader *r, int type) {
  if (type_nodes(type)) return MF_OK;
  char known[256];
  size_t used = 0;
  known[0] = '\0';
  for (int t = 0; t < MF_ELEM_TYPES; t++) {
    const mf_elem_topology *et = mf_elem_topology_of((mf_elem_type)t);
    int w = snprintf(known + used, sizeof known - used, "%s (with %s faces), ", type_name(et->gmsh_type),
                     type_name(et->gmsh_face_type));
    if (w < 0 || (size_t)w >= sizeof known - used) break;
    used += (size_t)w;
  }
  return fail(r, MF_ERR_PARSE, "unsupported element type: %s (type %d); memfem reads %spoints and lines",
              type_name(type), type, known);
}

/* The buffer for an element of Gmsh type `type` (NULL for points and lines). A mesh
 * holds one volume type and its face type: a second volume type is refused by name. */
static mf_status elem_buffer(reader *r, gmsh_state *s, int type, elem_buf **out) {
  *out = NULL;
  if (type == T_POINT || type == T_LINE) return MF_OK;
  int vol = type_dim(type) == 3;
  int *have = vol ? &s->vol_type : &s->face_type;
  elem_buf *b = vol ? &s->vols : &s->faces;
  if (*have == 0) {
    *have = type;
    b->nn = type_nodes(type);
  } else if (*have != type) {
    return fail(r, MF_ERR_MESH, "the mesh mixes %s %s and %s elements; memfem takes one volume element type per mesh",
                vol ? "volume" : "boundary", type_name(*have), type_name(type));
  }
  *out = b;
  return MF_OK;
}

/* File node tags -> local indices; an unknown tag is an error naming the element. */
static mf_status map_nodes(reader *r, const gmsh_state *s, int64_t elem, const int64_t *tags, int nn,
                           mf_idx *loc) {
  for (int a = 0; a < nn; a++) {
    loc[a] = map_find(&s->map, tags[a]);
    if (loc[a] < 0)
      return fail(r, MF_ERR_PARSE, "element %lld refers to node %lld, which is not in $Nodes",
                  (long long)elem, (long long)tags[a]);
  }
  return MF_OK;
}

static mf_status store_element(reader *r, gmsh_state *s, int type, int64_t tag, const mf_idx *loc,
                               int32_t set) {
  if (type == T_POINT) {
    s->n_points++;
    return MF_OK;
  }
  if (type == T_LINE) {
    s->n_lines++;
    return MF_OK;
  }
  elem_buf *b;
  MF_CALL(elem_buffer(r, s, type, &b));
  if (b->n >= (size_t)MF_IDX_MAX)
    return fail(r, MF_ERR_PARSE, "more than %d elements of type %s exceed the 32-bit local numbering", MF_IDX_MAX,
                type_name(type));
  if (b->n == b->cap) MF_CALL(elem_reserve(b, b->n + 1));
  memcpy(&b->conn[(size_t)b->nn * b->n], loc, (size_t)b->nn * sizeof *loc);
  b->tag[b->n] = tag;
  b->set[b->n] = set;
  b->n++;
  return MF_OK;
}

/* ASCII: the nn node tags ending an element's line. */
static mf_status get_elem_nodes(reader *r, int64_t elem, int nn, int64_t *nodes) {
  for (int a = 0; a < nn; a++) {
    const char *t;
    size_t n = token(r, 0, &t);
    if (n == 0) {
      if (at_eof(r)) return truncated(r);
      return fail(r, MF_ERR_PARSE, "expected %d node tags for element %lld, found %d", nn, (long long)elem,
                  a);
    }
    if (n > TOKEN_MAX || !parse_i64(t, n, &nodes[a])) return bad_token(r, "node tag", t, n);
  }
  int c = skip_ws(r, 0);
  if (c >= 0 && c != '\n')
    return fail(r, MF_ERR_PARSE, "element %lld has more than the %d node tags of its type",
                (long long)elem, nn);
  return MF_OK;
}

/* ---- $Elements, MSH 4.1 ------------------------------------------------------------------ */

static mf_status read_element41(reader *r, int nn, int64_t *tag, int64_t *nodes) {
  if (!r->binary) {
    MF_CALL(get_int(r, 1, "element tag", tag));
    return get_elem_nodes(r, *tag, nn, nodes);
  }
  MF_CALL(get_u64(r, "element tag", tag));
  for (int a = 0; a < nn; a++) MF_CALL(get_u64(r, "node tag", &nodes[a]));
  return MF_OK;
}

static mf_status read_element_block41(reader *r, gmsh_state *s, int64_t room) {
  int dim, entity, type;
  int64_t nb;
  MF_CALL(get_int32(r, "entity dimension", &dim));
  MF_CALL(get_int32(r, "entity tag", &entity));
  MF_CALL(get_int32(r, "element type", &type));
  MF_CALL(get_size(r, "number of elements in the block", &nb));
  MF_CALL(check_type(r, type));
  if (dim != type_dim(type))
    return fail(r, MF_ERR_PARSE, "%s elements in an entity of dimension %d", type_name(type), dim);
  if (nb > room)
    return fail(r, MF_ERR_PARSE, "element blocks hold more elements than the $Elements header announces");
  int nn = type_nodes(type);
  int32_t set = find_entity_set(s, dim, entity);
  /* Reserve the block, but no more than the rest of the file can hold (each element is
   * 1 + nn numbers): a corrupt count then runs into the end of the file, not into a huge
   * allocation. */
  size_t fit = items_left(r, (unsigned)(1 + nn) * (r->binary ? 8 : 2));
  size_t want = (size_t)nb < fit ? (size_t)nb : fit;
  elem_buf *b;
  MF_CALL(elem_buffer(r, s, type, &b));
  if (b) MF_CALL(elem_reserve(b, b->n + want));
  for (int64_t k = 0; k < nb; k++) {
    int64_t tag, nodes[MF_ELEM_MAX_NODES];
    mf_idx loc[MF_ELEM_MAX_NODES];
    MF_CALL(read_element41(r, nn, &tag, nodes));
    MF_CALL(map_nodes(r, s, tag, nodes, nn, loc));
    MF_CALL(store_element(r, s, type, tag, loc, set));
  }
  return MF_OK;
}

static mf_status read_elements41(reader *r, gmsh_state *s) {
  int64_t n_blocks, n_elems, tag_min, tag_max;
  MF_CALL(get_size(r, "number of element blocks", &n_blocks));
  MF_CALL(get_size(r, "number of elements", &n_elems));
  MF_CALL(get_size(r, "minimum element tag", &tag_min));
  MF_CALL(get_size(r, "maximum element tag", &tag_max));
  MF_CALL(check_count(r, n_elems, r->binary ? 16 : 4, "element"));
  MF_CALL(check_count(r, n_blocks, r->binary ? 20 : 8, "element block"));
  int64_t before = (int64_t)(s->vols.n + s->faces.n) + s->n_points + s->n_lines;
  for (int64_t b = 0; b < n_blocks; b++) {
    int64_t done = (int64_t)(s->vols.n + s->faces.n) + s->n_points + s->n_lines - before;
    MF_CALL(read_element_block41(r, s, n_elems - done));
  }
  int64_t done = (int64_t)(s->vols.n + s->faces.n) + s->n_points + s->n_lines - before;
  skip_ws(r, 1); /* report the mismatch where the data stops */
  if (done != n_elems)
    return fail(r, MF_ERR_PARSE, "the $Elements header announces %lld elements but its blocks hold %lld",
                (long long)n_elems, (long long)done);
  return expect_end(r, "$EndElements");
}

/* ---- $Elements, MSH 2.2 ------------------------------------------------------------------ */

/* Store the held-back element with the union of its copies' physical tags. */
static mf_status flush_pending(reader *r, gmsh_state *s) {
  pending_elem *p = &s->pend;
  if (!p->valid) return MF_OK;
  p->valid = 0;
  int32_t set;
  p->n_phys = sort_unique(p->phys, p->n_phys);
  MF_CALL(find_or_add_set(s, type_dim(p->type), p->phys, p->n_phys, &set));
  return store_element(r, s, p->type, p->tag, p->nodes, set);
}

/* Gmsh 2.2 writes an element once per physical group of its entity, consecutively and
 * under new numbers: a repeat of the previous element adds its physical tag instead. */
static mf_status add_element22(reader *r, gmsh_state *s, int type, int64_t tag, int phys, int entity,
                               const int64_t *nodes) {
  int nn = type_nodes(type);
  mf_idx loc[MF_ELEM_MAX_NODES];
  MF_CALL(map_nodes(r, s, tag, nodes, nn, loc));
  pending_elem *p = &s->pend;
  int repeat = p->valid && p->type == type && p->entity == entity &&
               memcmp(p->nodes, loc, (size_t)nn * sizeof *loc) == 0;
  if (!repeat) {
    MF_CALL(flush_pending(r, s));
    *p = (pending_elem){
        .valid = 1, .type = type, .entity = entity, .tag = tag, .phys = p->phys, .cap_phys = p->cap_phys};
    memcpy(p->nodes, loc, (size_t)nn * sizeof *loc);
  }
  if (phys != 0) { /* 0: in no physical group */
    MF_CALL(
        grow(&p->phys, &p->cap_phys, p->n_phys, p->n_phys + 1, sizeof *p->phys, "element physical tags"));
    p->phys[p->n_phys++] = phys;
  }
  return MF_OK;
}

static mf_status check_tag_count(reader *r, int64_t n_tags) {
  if (n_tags < 0 || n_tags > MAX_ELEM_TAGS)
    return fail(r, MF_ERR_PARSE, "element tag count %lld is not in 0..%d", (long long)n_tags,
                MAX_ELEM_TAGS);
  return MF_OK;
}

static mf_status read_element22_ascii(reader *r, gmsh_state *s) {
  int64_t tag, type, n_tags, t, nodes[MF_ELEM_MAX_NODES], phys = 0, entity = -1;
  MF_CALL(get_int(r, 1, "element number", &tag));
  MF_CALL(get_int(r, 0, "element type", &type));
  if (type < INT_MIN || type > INT_MAX)
    return fail(r, MF_ERR_PARSE, "element type %lld is out of range", (long long)type);
  MF_CALL(check_type(r, (int)type));
  MF_CALL(get_int(r, 0, "number of element tags", &n_tags));
  MF_CALL(check_tag_count(r, n_tags));
  for (int64_t k = 0; k < n_tags; k++) {
    MF_CALL(get_int(r, 0, "element tag", &t));
    if (k < 2 && (t < INT_MIN || t > INT_MAX))
      return fail(r, MF_ERR_PARSE, "element tag %lld is out of range", (long long)t);
    if (k == 0) phys = t;
    if (k == 1) entity = t;
  }
  MF_CALL(get_elem_nodes(r, tag, type_nodes((int)type), nodes));
  return add_element22(r, s, (int)type, tag, (int)phys, (int)entity, nodes);
}

/* Binary 2.2: blocks of (type, count, number of tags), then per element int number, tags, nodes. */
static mf_status read_element_block22_binary(reader *r, gmsh_state *s, int64_t room, int64_t *n_read) {
  int32_t head[3];
  MF_CALL(get_bytes(r, head, sizeof head));
  int type = head[0], n_tags = head[2];
  int64_t count = head[1];
  MF_CALL(check_type(r, type));
  MF_CALL(check_tag_count(r, n_tags));
  if (count < 0 || count > room)
    return fail(r, MF_ERR_PARSE, "element block of %lld elements does not fit the $Elements count",
                (long long)count);
  int nn = type_nodes(type);
  for (int64_t k = 0; k < count; k++) {
    int32_t v[1 + MAX_ELEM_TAGS + MF_ELEM_MAX_NODES];
    int64_t nodes[MF_ELEM_MAX_NODES];
    MF_CALL(get_bytes(r, v, (size_t)(1 + n_tags + nn) * sizeof *v));
    for (int a = 0; a < nn; a++) nodes[a] = v[1 + n_tags + a];
    MF_CALL(add_element22(r, s, type, v[0], n_tags > 0 ? v[1] : 0, n_tags > 1 ? v[2] : -1, nodes));
  }
  *n_read = count;
  return MF_OK;
}

static mf_status read_elements22(reader *r, gmsh_state *s) {
  int64_t n;
  MF_CALL(get_int(r, 1, "number of elements", &n));
  MF_CALL(check_count(r, n, 8, "element"));
  MF_CALL(next_line(r, "the number of elements"));
  if (r->binary) {
    for (int64_t done = 0, got = 0; done < n; done += got)
      MF_CALL(read_element_block22_binary(r, s, n - done, &got));
  } else {
    for (int64_t k = 0; k < n; k++) MF_CALL(read_element22_ascii(r, s));
  }
  MF_CALL(flush_pending(r, s));
  return expect_end(r, "$EndElements");
}

/* ---- section dispatch --------------------------------------------------------------------- */

/* Skip an unknown section up to the line that starts with "$End<name>". For binary
 * sections this scans the bytes, which a coincidental match could fool; these sections
 * ($NodeData, $Periodic, ...) carry nothing memfem uses. */
static mf_status skip_section(reader *r, const char *name) {
  char marker[TOKEN_MAX + 8];
  size_t len = (size_t)snprintf(marker, sizeof marker, "$End%s", name + 1);
  for (;;) {
    fill(r, len + 1);
    size_t avail = r->end - r->pos;
    const char *p = r->buf + r->pos;
    if (avail >= len && memcmp(p, marker, len) == 0 && (avail == len || is_space(p[len]))) {
      r->pos += len;
      return next_line(r, marker);
    }
    for (;;) { /* on to the next line */
      const char *nl = memchr(r->buf + r->pos, '\n', r->end - r->pos);
      if (nl) {
        r->pos = (size_t)(nl - r->buf) + 1;
        r->line++;
        break;
      }
      r->pos = r->end;
      if (at_eof(r)) return truncated(r);
    }
  }
}

/* Sections the reader knows, with the flag that records having read one. */
static int *section_seen(gmsh_state *s, const char *name) {
  if (strcmp(name, "$MeshFormat") == 0) return &s->have_format;
  if (strcmp(name, "$PhysicalNames") == 0) return &s->have_names;
  if (strcmp(name, "$Entities") == 0 && s->version == 41) return &s->have_entities; /* 2.2: skipped */
  if (strcmp(name, "$Nodes") == 0) return &s->have_nodes;
  if (strcmp(name, "$Elements") == 0) return &s->have_elements;
  return NULL;
}

/* Order and uniqueness of sections, checked on the header's line. */
static mf_status check_section(reader *r, gmsh_state *s, const char *name) {
  int *seen = section_seen(s, name);
  if (!s->have_format && seen != &s->have_format)
    return fail(r, MF_ERR_PARSE,
                "the file starts with %s instead of $MeshFormat (not a Gmsh MSH 2.2/4.1 file?)", name);
  if (strncmp(name, "$End", 4) == 0) return fail(r, MF_ERR_PARSE, "%s without its section", name);
  if (seen == &s->have_elements && !s->have_nodes)
    return fail(r, MF_ERR_PARSE, "$Elements comes before $Nodes");
  if (seen && *seen) return fail(r, MF_ERR_PARSE, "a second %s section (only one is supported)", name);
  if (seen) *seen = 1;
  return MF_OK;
}

static mf_status read_section(reader *r, gmsh_state *s, const char *name) {
  MF_CALL(check_section(r, s, name));
  MF_CALL(next_line(r, name));
  int *seen = section_seen(s, name);
  if (seen == &s->have_format) return read_format(r, s);
  if (seen == &s->have_names) return read_physical_names(r, s);
  if (seen == &s->have_entities) return read_entities(r, s);
  if (seen == &s->have_nodes) {
    MF_CALL(s->version == 41 ? read_nodes41(r, s) : read_nodes22(r, s));
    return build_tag_map(s, r->path);
  }
  if (seen == &s->have_elements) return s->version == 41 ? read_elements41(r, s) : read_elements22(r, s);
  return skip_section(r, name);
}

static mf_status read_sections(reader *r, gmsh_state *s) {
  for (;;) {
    const char *t;
    size_t n = token(r, 1, &t);
    if (n == 0) break;
    if (t[0] != '$' || n >= sizeof r->section)
      return fail(r, MF_ERR_PARSE, "expected a section such as $Nodes, found '%.*s'%s",
                  (int)(n > 40 ? 40 : n), t, s->have_format ? "" : " (not a Gmsh MSH file?)");
    char name[sizeof r->section];
    memcpy(name, t, n);
    name[n] = '\0';
    memcpy(r->section, name, n + 1);
    MF_CALL(read_section(r, s, name));
    snprintf(r->section, sizeof r->section, "between sections");
  }
  if (r->read_errno) return truncated(r); /* a read error, not the end of the file */
  if (!s->have_format)
    return MF_ERROR(MF_ERR_PARSE, "%s: empty, or not a Gmsh MSH file (no $MeshFormat)", r->path);
  if (!s->have_nodes) return MF_ERROR(MF_ERR_PARSE, "%s: no $Nodes section", r->path);
  if (!s->have_elements) return MF_ERROR(MF_ERR_PARSE, "%s: no $Elements section", r->path);
  if (s->vols.n == 0)
    return MF_ERROR(MF_ERR_MESH, "%s: no volume elements (a surface mesh? mesh the volume: gmsh -3)", r->path);
  mf_elem_type t;
  mf_elem_type_from_gmsh(s->vol_type, &t);
  const mf_elem_topology *et = mf_elem_topology_of(t);
  if (s->faces.n && s->face_type != et->gmsh_face_type)
    return MF_ERROR(MF_ERR_MESH, "%s: boundary elements are %s, but the faces of %s are %s", r->path,
                    type_name(s->face_type), type_name(s->vol_type), type_name(et->gmsh_face_type));
  return MF_OK;
}

/* ---- physical groups and the mesh ---------------------------------------------------------- */

static int cmp_group(const void *a, const void *b) {
  const phys_group *x = a, *y = b;
  if (x->dim != y->dim) return x->dim - y->dim;
  if (x->tag != y->tag) return (x->tag > y->tag) - (x->tag < y->tag);
  return y->named - x->named; /* named first, so it survives the merge */
}

/* Index of group (dim, tag) in g[0..n), sorted by cmp_group and unique; -1 if absent. */
static int group_index(const phys_group *g, int n, int dim, int tag) {
  int lo = 0, hi = n;
  while (lo < hi) {
    int mid = lo + (hi - lo) / 2;
    if (g[mid].dim < dim || (g[mid].dim == dim && g[mid].tag < tag))
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < n && g[lo].dim == dim && g[lo].tag == tag ? lo : -1;
}

/* Merge $PhysicalNames with the tags met on entities/elements; sorted by (dim, tag), one
 * entry each, unnamed ones called physical_<dim>_<tag>. */
static mf_status merge_groups(const gmsh_state *s, const char *path, phys_group *g, int *n_out) {
  size_t n = 0;
  for (size_t i = 0; i < s->n_names; i++) g[n++] = s->names[i];
  for (size_t i = 0; i < s->n_sets; i++)
    for (size_t k = 0; k < s->sets[i].count; k++)
      g[n++] = (phys_group){.dim = s->sets[i].dim, .tag = s->set_tags[s->sets[i].first + k]};
  if (n > 1) qsort(g, n, sizeof *g, cmp_group);
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    if (m > 0 && g[m - 1].dim == g[i].dim && g[m - 1].tag == g[i].tag) {
      if (g[i].named && strcmp(g[i].name, g[m - 1].name) != 0)
        return MF_ERROR(MF_ERR_PARSE,
                        "%s: physical group %d of dimension %d has two names, \"%s\" and \"%s\"", path,
                        g[i].tag, g[i].dim, g[m - 1].name, g[i].name);
      continue;
    }
    g[m] = g[i];
    if (!g[m].named) snprintf(g[m].name, sizeof g[m].name, "physical_%d_%d", g[m].dim, g[m].tag);
    m++;
  }
  for (size_t i = 0; i < m; i++)
    for (size_t j = i + 1; j < m && g[j].dim == g[i].dim; j++)
      if (strcmp(g[i].name, g[j].name) == 0)
        return MF_ERROR(MF_ERR_PARSE,
                        "%s: two physical groups of dimension %d are named \"%s\" (tags %d and %d)", path,
                        g[i].dim, g[i].name, g[i].tag, g[j].tag);
  *n_out = (int)m;
  return MF_OK;
}

/* Per tag set: the region (group index of its lowest tag) for volume sets. */
static void set_regions(const gmsh_state *s, const phys_group *g, int n_groups, int32_t *region) {
  for (size_t i = 0; i < s->n_sets; i++) {
    const tag_set *ts = &s->sets[i];
    region[i] = ts->dim == 3 && ts->count ? group_index(g, n_groups, 3, s->set_tags[ts->first]) : -1;
  }
}

/* A copy rather than adopting the reading buffers: mf_mesh_alloc first-touched the mesh
 * arrays in parallel with the solver's static schedule, so their pages sit near the
 * threads that will use them; the buffers, filled by one thread, are freed right after. */
static void copy_nodes_and_elements(const gmsh_state *s, const int32_t *set_region, mf_mesh *m) {
  mf_idx n_nodes = s->n_nodes, n_elems = (mf_idx)s->vols.n, unassigned = 0;
  const int npe = m->npe;
  const int *order = m->elem->gmsh_order; /* Gmsh's node order -> memfem's (mf_elem.h) */
#pragma omp parallel for schedule(static)
  for (mf_idx i = 0; i < n_nodes; i++) {
    const double X[3] = {s->x[i], s->y[i], s->z[i]};
    mf_nodes_set_coords(&m->nodes, i, X);
    m->nodes.tag[i] = s->ntag[i];
  }
#pragma omp parallel for schedule(static) reduction(+ : unassigned)
  for (mf_idx e = 0; e < n_elems; e++) {
    for (int a = 0; a < npe; a++) m->conn[(size_t)npe * e + a] = s->vols.conn[(size_t)npe * e + (order ? order[a] : a)];
    m->elem_tag[e] = s->vols.tag[e];
    int32_t set = s->vols.set[e];
    m->region[e] = set >= 0 ? set_region[set] : -1;
    unassigned += m->region[e] < 0;
  }
  m->n_unassigned_elems = unassigned;
}

/* Faces into face_conn; each physical surface group gets the faces of its sets. */
static mf_status copy_faces(const gmsh_state *s, const phys_group *g, mf_mesh *m) {
  if (s->faces.n) memcpy(m->face_conn, s->faces.conn, (size_t)m->nfn * s->faces.n * sizeof *m->face_conn);
  for (size_t f = 0; f < s->faces.n; f++) {
    int32_t set = s->faces.set[f];
    if (set < 0 || s->sets[set].count == 0) m->n_unassigned_faces++;
    for (size_t k = 0; set >= 0 && k < s->sets[set].count; k++)
      m->groups[group_index(g, m->n_groups, 2, s->set_tags[s->sets[set].first + k])].n_faces++;
  }
  for (int i = 0; i < m->n_groups; i++) {
    MF_CALL(MF_ALLOC_N(m->groups[i].faces, m->groups[i].n_faces, "group face list"));
    m->groups[i].n_faces = 0;
  }
  for (size_t f = 0; f < s->faces.n; f++) {
    int32_t set = s->faces.set[f];
    for (size_t k = 0; set >= 0 && k < s->sets[set].count; k++) {
      mf_group *gr = &m->groups[group_index(g, m->n_groups, 2, s->set_tags[s->sets[set].first + k])];
      gr->faces[gr->n_faces++] = (mf_idx)f;
    }
  }
  return MF_OK;
}

static mf_status fill_mesh(const gmsh_state *s, const phys_group *g, const int32_t *set_region,
                           mf_mesh *m) {
  for (int i = 0; i < m->n_groups; i++) {
    memcpy(m->groups[i].name, g[i].name, sizeof g[i].name);
    m->groups[i].dim = g[i].dim;
    m->groups[i].tag = g[i].tag;
  }
  copy_nodes_and_elements(s, set_region, m);
  MF_CALL(copy_faces(s, g, m));
  m->n_points_skipped = s->n_points;
  m->n_lines_skipped = s->n_lines;
  return mf_mesh_finish_groups(m);
}

static mf_status build_mesh(const gmsh_state *s, const char *path, mf_mesh **out) {
  phys_group *g = NULL;
  int32_t *set_region = NULL;
  int n_groups = 0;
  mf_mesh *m = NULL;
  mf_status st;
  if ((st = MF_ALLOC_N(g, s->n_names + s->n_set_tags, "physical groups")) ||
      (st = MF_ALLOC_N(set_region, s->n_sets, "physical set regions")) ||
      (st = merge_groups(s, path, g, &n_groups)))
    goto done;
  set_regions(s, g, n_groups, set_region);
  mf_elem_type type;
  mf_elem_type_from_gmsh(s->vol_type, &type);
  if ((st = mf_mesh_alloc(type, s->n_nodes, (mf_idx)s->vols.n, (mf_idx)s->faces.n, n_groups, &m))) goto done;
  snprintf(m->source, sizeof m->source, "%s", path);
  st = fill_mesh(s, g, set_region, m);
done:
  mf_free(&g);
  mf_free(&set_region);
  if (st) mf_mesh_destroy(&m);
  *out = m;
  return st;
}

mf_status mf_mesh_read_gmsh(const char *path, mf_mesh **mesh) {
  *mesh = NULL;
  reader r;
  MF_CALL(reader_open(&r, path));
  gmsh_state s = {0};
  mf_status st = read_sections(&r, &s);
  reader_close(&r);
  if (st == MF_OK) st = build_mesh(&s, path, mesh);
  state_free(&s);
  if (st) mf_error_trace(__FILE__, __LINE__, __func__);
  return st;
}
