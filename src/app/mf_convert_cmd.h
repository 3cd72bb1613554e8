/* `memfem convert`: a mesh into memfem's HDF5 layout, optionally with the cuts a run
 * would make from it. */
#ifndef MF_CONVERT_CMD_H
#define MF_CONVERT_CMD_H

/* memfem convert IN OUT.h5 [--order none|metis|rcm] [--parts R[,R...]]; returns the exit
 * code. */
int mf_cmd_convert(int argc, char **argv);

#endif
