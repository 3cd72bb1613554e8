/* Error recording: one message per failure, a short trace of where it travelled. */
#include "core/mf_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MF_TRACE_DEPTH 16

static _Thread_local struct {
  mf_status code;
  char message[1024];
  char trace[MF_TRACE_DEPTH][160];
  int depth;
  int echo; /* another process's failure (mf_error_mark_echo) */
} err;

mf_status mf_error_set(mf_status code, const char *src_file, int src_line, const char *fmt, ...) {
  if (err.code != MF_OK && !err.echo) return code; /* keep the first, most specific message */
  err.code = code;
  err.echo = 0;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err.message, sizeof err.message, fmt, ap);
  va_end(ap);
  /* One line, whatever a file put into the text it quotes: a line break or another
   * control character inside a name or value becomes '?' (a tab a space). */
  for (unsigned char *p = (unsigned char *)err.message; *p; p++)
    if (*p < 0x20 || *p == 0x7f) *p = *p == '\t' ? ' ' : '?';
  err.depth = 0;
  snprintf(err.trace[err.depth++], sizeof err.trace[0], "%s:%d", src_file, src_line);
  return code;
}

void mf_error_trace(const char *src_file, int src_line, const char *func) {
  if (err.depth < MF_TRACE_DEPTH)
    snprintf(err.trace[err.depth++], sizeof err.trace[0], "%s:%d (%s)", src_file, src_line, func);
}

const char *mf_error_message(void) { return err.code == MF_OK ? "" : err.message; }

void mf_error_mark_echo(void) { err.echo = err.code != MF_OK; }

int mf_error_is_echo(void) { return err.echo; }

void mf_error_clear(void) {
  err.code = MF_OK;
  err.echo = 0;
  err.message[0] = '\0';
  err.depth = 0;
}

const char *mf_status_name(mf_status s) {
  switch (s) {
  case MF_OK: return "ok";
  case MF_ERR_IO: return "io";
  case MF_ERR_PARSE: return "parse";
  case MF_ERR_MESH: return "mesh";
  case MF_ERR_INPUT: return "input";
  case MF_ERR_MEMORY: return "memory";
  case MF_ERR_SOLVER: return "solver";
  case MF_ERR_NONFINITE: return "nonfinite";
  case MF_ERR_INTERNAL: return "internal";
  }
  return "unknown";
}

void mf_error_print(void) {
  fprintf(stderr, "memfem: error: %s\n", err.code == MF_OK ? "(no error recorded)" : err.message);
  const char *t = getenv("MEMFEM_TRACE");
  if (t && t[0] && strcmp(t, "0") != 0)
    for (int i = 0; i < err.depth; i++) fprintf(stderr, "  at %s\n", err.trace[i]);
}
