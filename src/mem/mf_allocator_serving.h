/* Private to mem/mf_allocator_<name>.c: which shared object serves malloc.
 *
 * The answer comes from the dynamic linker, not from the build: dladdr() on the malloc
 * that symbol lookup finds (RTLD_DEFAULT: the executable, then its libraries in load
 * order). That is the malloc every caller gets, so a build whose allocator was dropped
 * at link time, or overridden by LD_PRELOAD, shows up as "not verified". Looked up once
 * (pthread_once, so any thread may ask first) into a static buffer: later calls do no
 * work and no allocation. */
#ifndef MF_ALLOCATOR_SERVING_H
#define MF_ALLOCATOR_SERVING_H

#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <string.h>

static char mf_serving_path[PATH_MAX] = "unknown";
static pthread_once_t mf_serving_once = PTHREAD_ONCE_INIT;

static void mf_serving_lookup(void) {
  Dl_info info;
  void *sym = dlsym(RTLD_DEFAULT, "malloc");
  if (sym && dladdr(sym, &info) && info.dli_fname && info.dli_fname[0]) {
    strncpy(mf_serving_path, info.dli_fname, sizeof mf_serving_path - 1);
    mf_serving_path[sizeof mf_serving_path - 1] = '\0';
  }
}

static inline const char *mf_serving_get(void) {
  pthread_once(&mf_serving_once, mf_serving_lookup);
  return mf_serving_path;
}

/* The file name of the serving object, without its directory. */
static inline const char *mf_serving_basename(void) {
  const char *p = mf_serving_get(), *slash = strrchr(p, '/');
  return slash ? slash + 1 : p;
}

#endif
