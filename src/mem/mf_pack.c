/* A flat stream of words (see mf_pack.h). */
#include "mem/mf_pack.h"

#include <string.h>

#include "mem/mf_alloc.h"

static size_t words(size_t bytes) { return (bytes + sizeof(double) - 1) / sizeof(double); }

static mf_status put(mf_pack *p, const void *src, size_t bytes) {
  const size_t nw = words(bytes);
  if (p->w) {
    MF_CHECK(p->n + nw <= p->cap, MF_ERR_INTERNAL, "pack: %zu words past a stream of %zu", p->n + nw, p->cap);
    if (nw) p->w[p->n + nw - 1] = 0.0; /* the padding of the last word */
    if (bytes) memcpy(&p->w[p->n], src, bytes);
  }
  p->n += nw;
  return MF_OK;
}

mf_status mf_pack_i64(mf_pack *p, int64_t v) { return put(p, &v, sizeof v); }

mf_status mf_pack_array(mf_pack *p, const void *a, size_t n, size_t size) {
  MF_CALL(mf_pack_i64(p, (int64_t)(n * size)));
  return put(p, a, n * size);
}

static mf_status get(mf_unpack *u, void *dst, size_t bytes) {
  const size_t nw = words(bytes);
  MF_CHECK(u->at + nw <= u->n, MF_ERR_INTERNAL, "%s: %zu words read from a stream of %zu", u->what, u->at + nw, u->n);
  if (bytes) memcpy(dst, &u->w[u->at], bytes);
  u->at += nw;
  return MF_OK;
}

mf_status mf_unpack_i64(mf_unpack *u, int64_t *v) { return get(u, v, sizeof *v); }

static mf_status length(mf_unpack *u, size_t n, size_t size, const char *what) {
  int64_t bytes = -1;
  MF_CALL(mf_unpack_i64(u, &bytes));
  MF_CHECK(bytes >= 0 && (size_t)bytes == n * size, MF_ERR_INTERNAL, "%s: %s of %lld bytes where %zu were expected",
           u->what, what, (long long)bytes, n * size);
  return MF_OK;
}

mf_status mf_unpack_array(mf_unpack *u, void *a, size_t n, size_t size, const char *what) {
  MF_CALL(length(u, n, size, what));
  return get(u, a, n * size);
}

mf_status mf_unpack_alloc(mf_unpack *u, void *a, size_t n, size_t size, const char *what) {
  void *block = NULL;
  MF_CALL(length(u, n, size, what));
  MF_CALL(mf_malloc((n + 1) * size, what, &block));
  mf_status st = get(u, block, n * size);
  if (st) mf_free(&block);
  memcpy(a, &block, sizeof block);
  return st;
}
