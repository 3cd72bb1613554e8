/* Errors are values: every fallible function returns mf_status.
 *
 * The first failure records one user-facing line (file, place, what is wrong) with
 * mf_error_set(); each MF_CALL on the way up appends a frame to a short trace that
 * `MEMFEM_TRACE=1` prints. Library code never exits. Inside an OpenMP region, set a
 * flag (reduction or atomic write) and check it after the loop. */
#ifndef MF_ERROR_H
#define MF_ERROR_H

typedef enum {
  MF_OK = 0,
  MF_ERR_IO,        /* a file could not be opened, read or written */
  MF_ERR_PARSE,     /* malformed mesh or case file */
  MF_ERR_MESH,      /* a mesh that loads but cannot be used (inverted tet, ...) */
  MF_ERR_INPUT,     /* invalid case values, unknown group, bad option */
  MF_ERR_MEMORY,    /* an allocation failed */
  MF_ERR_SOLVER,    /* a solver failed (Newton after all cutbacks, CG breakdown) */
  MF_ERR_NONFINITE, /* NaN/Inf or an inverted element met during an iteration */
  MF_ERR_INTERNAL   /* a broken invariant: a bug */
} mf_status;

/* Record the first error (later ones are ignored until mf_error_clear) and return code. */
mf_status mf_error_set(mf_status code, const char *src_file, int src_line,
                       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Append a trace frame; used by MF_CALL. */
void mf_error_trace(const char *src_file, int src_line, const char *func);
const char *mf_error_message(void);
const char *mf_status_name(mf_status s);
void mf_error_clear(void);
/* Across processes (core/mf_comm.h): the recorded error is an echo of another process's
 * failure, learnt in an agreement; that process reports it, this one stops with it. An
 * echo does not hold its place as the first error: mf_error_set replaces it (a caller's
 * own words for it, which the caller marks as an echo again). */
void mf_error_mark_echo(void);
int mf_error_is_echo(void);
/* Print "memfem: error: <message>" (and the trace if MEMFEM_TRACE is set) to stderr. */
void mf_error_print(void);

#define MF_CALL(expr)                                    \
  do {                                                   \
    mf_status mf_call_s_ = (expr);                       \
    if (mf_call_s_ != MF_OK) {                           \
      mf_error_trace(__FILE__, __LINE__, __func__);      \
      return mf_call_s_;                                 \
    }                                                    \
  } while (0)

#define MF_CHECK(cond, code, ...)                                  \
  do {                                                             \
    if (!(cond)) return mf_error_set((code), __FILE__, __LINE__, __VA_ARGS__); \
  } while (0)

#define MF_ERROR(code, ...) mf_error_set((code), __FILE__, __LINE__, __VA_ARGS__)

#endif
