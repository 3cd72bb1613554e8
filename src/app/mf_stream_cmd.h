/* `memfem bench-stream` and the STREAM triad at the end of `memfem run --stream`. */
#ifndef MF_STREAM_CMD_H
#define MF_STREAM_CMD_H

/* memfem bench-stream [--threads N] [--size MB] [--reps R]; returns the exit code. */
int mf_cmd_bench_stream(int argc, char **argv);
/* The triad at the current thread count, array size from MEMFEM_STREAM_MB (MiB per array)
 * or the default (mf_stream_default_bytes), MEMFEM_STREAM_REPS repetitions (default 10).
 * Returns 0 and the best bandwidth in *gbs, or -1 after printing why (no figure then). */
int mf_stream_for_run(int quiet, double *gbs);

#endif
