/* Fixtures shared by the cmocka tests: a scratch directory per test group, and the
 * counting layer's live bytes (to check that a failing call leaks nothing). nftw and
 * mkdtemp are POSIX: memfem_core's _GNU_SOURCE makes them visible. */
#ifndef MF_TEST_FIXTURES_H
#define MF_TEST_FIXTURES_H

#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "mem/mf_alloc.h"

static inline int64_t mf_test_live_bytes(void) {
  mf_alloc_stats s;
  mf_alloc_stats_get(&s);
  return s.live_bytes;
}

static int mf_test_remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb, (void)flag, (void)ftw;
  return remove(path);
}

/* Create the directory named by `tmpl` (ending in XXXXXX, completed in place). */
static inline int mf_test_make_dir(char *tmpl) { return mkdtemp(tmpl) ? 0 : -1; }

/* Remove `dir` and everything in it. */
static inline int mf_test_remove_dir(const char *dir) {
  return nftw(dir, mf_test_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* make_tmpdir and remove_tmpdir, cmocka group fixtures for the scratch directory `dir`
 * (a char array whose name ends in XXXXXX). */
#define MF_TEST_TMPDIR_FIXTURES(dir)                                        \
  static int make_tmpdir(void **state) {                                    \
    (void)state;                                                            \
    return mf_test_make_dir(dir);                                           \
  }                                                                         \
  static int remove_tmpdir(void **state) {                                  \
    (void)state;                                                            \
    return mf_test_remove_dir(dir);                                         \
  }

#endif
