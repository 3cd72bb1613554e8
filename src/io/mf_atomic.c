/* Atomic file replacement (mf_atomic.h). */
#include "io/mf_atomic.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

mf_status mf_atomic_tmp_name_pid(const char *path, long pid, char tmp[MF_ATOMIC_TMP_MAX]) {
  const char *slash = strrchr(path, '/');
  int dir_len = slash ? (int)(slash - path + 1) : 0;
  int n = snprintf(tmp, MF_ATOMIC_TMP_MAX, "%.*s.%s.tmp.%ld", dir_len, path, slash ? slash + 1 : path, pid);
  MF_CHECK(n > 0 && n < MF_ATOMIC_TMP_MAX, MF_ERR_IO, "%s: path too long", path);
  return MF_OK;
}

mf_status mf_atomic_tmp_name(const char *path, char tmp[MF_ATOMIC_TMP_MAX]) {
  return mf_atomic_tmp_name_pid(path, (long)getpid(), tmp);
}

static int sync_path(const char *p, int flags) {
  int fd = open(p, flags);
  if (fd < 0) return -1;
  int rc = fsync(fd);
  close(fd);
  return rc;
}

mf_status mf_atomic_commit(const char *tmp, const char *path) {
  if (sync_path(tmp, O_RDONLY) != 0) {
    int e = errno;
    unlink(tmp);
    return MF_ERROR(MF_ERR_IO, "%s: cannot sync to disk: %s", tmp, strerror(e));
  }
  if (rename(tmp, path) != 0) {
    int e = errno;
    unlink(tmp);
    return MF_ERROR(MF_ERR_IO, "cannot rename %s to %s: %s", tmp, path, strerror(e));
  }
  char dir[MF_ATOMIC_TMP_MAX];
  const char *slash = strrchr(path, '/');
  snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) + (slash == path) : 1, slash ? path : ".");
  sync_path(dir, O_RDONLY | O_DIRECTORY); /* best effort: some file systems refuse */
  return MF_OK;
}

mf_status mf_atomic_write(const char *path, const char *text, size_t len) {
  char tmp[MF_ATOMIC_TMP_MAX];
  MF_CALL(mf_atomic_tmp_name(path, tmp));
  FILE *f = fopen(tmp, "wb");
  if (!f) return MF_ERROR(MF_ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
  int ok = fwrite(text, 1, len, f) == len;
  ok = (fclose(f) == 0) && ok;
  if (!ok) {
    int e = errno;
    unlink(tmp);
    return MF_ERROR(MF_ERR_IO, "cannot write %s: %s", path, strerror(e));
  }
  return mf_atomic_commit(tmp, path);
}

/* The PID of a name ".NAME.tmp.PID" as mf_atomic_tmp_name makes it, or -1. */
static long tmp_pid(const char *name) {
  const char *t = strstr(name, ".tmp.");
  if (name[0] != '.' || !t) return -1;
  while (strstr(t + 1, ".tmp.")) t = strstr(t + 1, ".tmp.");
  char *end;
  long pid = strtol(t + 5, &end, 10);
  return t[5] >= '0' && t[5] <= '9' && *end == '\0' && pid > 0 ? pid : -1;
}

mf_status mf_atomic_remove_stale(const char *dir, FILE *report, int *n_removed) {
  if (n_removed) *n_removed = 0;
  DIR *d = opendir(dir);
  if (!d) return errno == ENOENT ? MF_OK : MF_ERROR(MF_ERR_IO, "cannot list %s: %s", dir, strerror(errno));
  mf_status st = MF_OK;
  struct dirent *e;
  while (!st && (e = readdir(d))) {
    long pid = tmp_pid(e->d_name);
    if (pid < 0 || pid == (long)getpid()) continue;
    if (kill((pid_t)pid, 0) == 0 || errno == EPERM) continue; /* its writer still runs */
    char path[MF_ATOMIC_TMP_MAX + 300];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    if (unlink(path) != 0 && errno != ENOENT) {
      st = MF_ERROR(MF_ERR_IO, "cannot remove %s, left by an interrupted write: %s", path, strerror(errno));
      break;
    }
    if (report) fprintf(report, "memfem: removed %s, left by an interrupted write of process %ld\n", path, pid);
    if (n_removed) (*n_removed)++;
  }
  closedir(d);
  return st;
}
