/* Atomic file replacement: write a temporary file next to the target, fsync it, rename
 * it over the target and fsync the directory, so a reader (or a restart after a crash)
 * sees the old file or the new one, never half of one. */
#ifndef MF_ATOMIC_H
#define MF_ATOMIC_H

#include <stddef.h>
#include <stdio.h>

#include "core/mf_error.h"

#define MF_ATOMIC_TMP_MAX 1100

/* "DIR/.NAME.tmp.PID" for target "DIR/NAME" into tmp[MF_ATOMIC_TMP_MAX]. */
mf_status mf_atomic_tmp_name(const char *path, char tmp[MF_ATOMIC_TMP_MAX]);
/* The same for process `pid`: a file that several processes write together takes the
 * PID of the one that creates and commits it (the one whose stale files it removes). */
mf_status mf_atomic_tmp_name_pid(const char *path, long pid, char tmp[MF_ATOMIC_TMP_MAX]);
/* fsync tmp, rename it to path, fsync path's directory; removes tmp on failure. */
mf_status mf_atomic_commit(const char *tmp, const char *path);
/* Replace path by `len` bytes of text, atomically. */
mf_status mf_atomic_write(const char *path, const char *text, size_t len);
/* Remove the temporary files that interrupted atomic writes (a kill, a power cut) left
 * in `dir`: ".NAME.tmp.PID" whose process PID no longer runs. Those of running
 * processes (another run writing there) are left. Each removal is a line on `report`
 * (NULL: none); *n_removed (may be NULL) counts them. */
mf_status mf_atomic_remove_stale(const char *dir, FILE *report, int *n_removed);

#endif
