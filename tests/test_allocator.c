/* Unit tests for the allocator variant (mem/mf_allocator_<name>.c, MEMFEM_ALLOCATOR).
 *
 * The same tests run in every build; what they expect depends on the allocator built in.
 * The point of the variant is that the chosen library really serves malloc at run time,
 * so that is checked through the dynamic linker, not the build flags. Statistics must be
 * plausible (ordered as the allocator defines them, -1 exactly where it has none) and
 * must move when the program allocates; reading them and releasing memory must not
 * allocate, since memfem does both in every Newton iteration. */
#include "mf_test.h"

#include <stdlib.h>
#include <string.h>

#include "core/mf_build_info.h"
#include "mem/mf_allocator.h"
#include "mf_config.h"

#define MIB ((size_t)1 << 20)

/* Stores through a volatile pointer keep the compiler from eliding malloc/free pairs. */
static void *volatile sink;

static int is(const char *name) { return strcmp(mf_allocator_name(), name) == 0; }

/* AddressSanitizer and ThreadSanitizer serve malloc themselves (libasan/libtsan, or the
 * executable): there is no allocator of memfem's to find or to read statistics from, and
 * memfem reports that honestly ("WARNING: malloc is served by ..."). Those tests skip. */
static int sanitizer_serves_malloc(void) {
  const char *s = mf_build_info_get()->sanitize;
  if (!strstr(s, "address") && !strstr(s, "thread")) return 0;
  print_message("sanitizers %s serve malloc (%s): nothing of the allocator's to check\n", s, mf_allocator_serving());
  return 1;
}

static void test_name_matches_build(void **state) {
  (void)state;
  assert_string_equal(mf_allocator_name(), MF_ALLOCATOR_NAME);
  assert_string_equal(mf_build_info_get()->allocator, MF_ALLOCATOR_NAME);
}

static void test_serving_library_is_the_built_one(void **state) {
  (void)state;
  if (sanitizer_serves_malloc()) skip();
  const char *serving = mf_allocator_serving();
  print_message("allocator %s, malloc served by %s\n", mf_allocator_name(), serving);
  assert_string_not_equal(serving, "unknown");
  assert_int_equal(mf_allocator_verified(), 1);
  /* Cached: the same buffer every time. */
  assert_ptr_equal(mf_allocator_serving(), serving);
}

static void print_stats(const char *when, const mf_allocator_stats *s) {
  print_message("%-14s allocated %lld active %lld resident %lld mapped %lld retained %lld\n", when,
                (long long)s->allocated, (long long)s->active, (long long)s->resident,
                (long long)s->mapped, (long long)s->retained);
}

/* Which figures each allocator has: the others must be exactly -1, these >= 0. */
static void assert_availability(const mf_allocator_stats *s) {
  int all = is("jemalloc") || is("tcmalloc"), sys = is("system"), mi = is("mimalloc");
  int has_alloc = all || sys, has_active = all, has_resident = all, has_mapped = 1,
      has_retained = all || sys;
  (void)mi;
  assert_true(has_alloc ? s->allocated >= 0 : s->allocated == -1);
  assert_true(has_active ? s->active >= 0 : s->active == -1);
  assert_true(has_resident ? s->resident >= 0 : s->resident == -1);
  assert_true(has_mapped ? s->mapped >= 0 : s->mapped == -1);
  assert_true(has_retained ? s->retained >= 0 : s->retained == -1);
}

static void test_stats_plausible(void **state) {
  (void)state;
  if (sanitizer_serves_malloc()) skip();
  mf_allocator_stats s;
  mf_allocator_stats_read(&s);
  print_stats("at start", &s);
  assert_availability(&s);
  assert_true(s.mapped > 0);
  if (s.allocated >= 0) {
    assert_true(s.allocated > 0); /* cmocka and stdio have allocated by now */
    assert_true(s.mapped >= s.allocated);
  }
  if (s.active >= 0) {
    assert_true(s.active >= s.allocated);
    assert_true(s.mapped >= s.active);
  }
  if (s.resident >= 0) assert_true(s.resident >= s.active);
}

/* 64 MiB, touched, must show in the allocator's own count of live bytes, or (mimalloc,
 * which has none) in what it has committed. */
static void test_stats_follow_allocation(void **state) {
  (void)state;
  if (sanitizer_serves_malloc()) skip();
  mf_allocator_stats before, during, after;
  mf_allocator_stats_read(&before);
  char *p = malloc(64 * MIB);
  assert_non_null(p);
  memset(p, 1, 64 * MIB);
  sink = p;
  mf_allocator_stats_read(&during);
  free(sink);
  sink = NULL;
  mf_allocator_release();
  mf_allocator_stats_read(&after);
  print_stats("before 64 MiB", &before);
  print_stats("holding it", &during);
  print_stats("after release", &after);
  if (before.allocated >= 0) {
    assert_true(during.allocated - before.allocated >= (int64_t)(64 * MIB));
    assert_true(during.allocated - after.allocated >= (int64_t)(64 * MIB));
  } else {
    assert_true(during.mapped - before.mapped >= (int64_t)(64 * MIB));
  }
  if (during.resident >= 0) assert_true(during.resident - before.resident >= (int64_t)(64 * MIB));
  /* Freed and released, the block no longer counts as mapped (glibc and mimalloc unmap a
   * block this size; jemalloc and tcmalloc purge it to retained or unmapped pages). */
  assert_true(during.mapped - after.mapped >= (int64_t)(32 * MIB));
}

/* Steady state: reading statistics, asking who serves malloc and releasing memory must
 * not allocate. Checked where the allocator counts live bytes: with nothing else going on
 * in this thread, the count must be the same after many calls. */
static void test_calls_do_not_allocate(void **state) {
  (void)state;
  if (sanitizer_serves_malloc()) skip();
  mf_allocator_stats a, b, tmp;
  /* Warm up: first calls may set up lazily (the serving lookup, jemalloc's ctl tree). */
  mf_allocator_release();
  mf_allocator_stats_read(&a);
  (void)mf_allocator_verified();
  mf_allocator_stats_read(&a);
  for (int i = 0; i < 100; i++) {
    mf_allocator_stats_read(&tmp);
    (void)mf_allocator_serving();
    (void)mf_allocator_verified();
    mf_allocator_release();
  }
  mf_allocator_stats_read(&b);
  if (a.allocated < 0) skip();
  assert_int_equal(b.allocated, a.allocated);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_name_matches_build),
      cmocka_unit_test(test_serving_library_is_the_built_one),
      cmocka_unit_test(test_stats_plausible),
      cmocka_unit_test(test_stats_follow_allocation),
      cmocka_unit_test(test_calls_do_not_allocate),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
