/* results.xdmf: the XML index ParaView (Xdmf3ReaderT) and other readers open to find
 * the datasets of results.h5.
 *
 * One temporal collection; each written step is a Uniform grid of the mesh's elements whose
 * Topology and Geometry DataItems point at the one copy of the mesh in results.h5
 * (/mesh/connectivity, /mesh/coordinates: the mesh is written once and referenced by
 * every step) and whose attributes point at /steps/NNNNNN/{displacement,
 * cauchy_stress, von_mises}. Every DataItem states NumberType and Precision;
 * connectivity is 64-bit. Time is the step number (the load factor need not grow:
 * soak steps unload); the load factor is in an Information element. The file is
 * replaced atomically, so it is valid at every moment. */
#ifndef MF_XDMF_H
#define MF_XDMF_H

#include <stdint.h>

#include "core/mf_error.h"
#include "mesh/mf_elem.h"

typedef struct {
  int64_t step;
  double load_factor;
} mf_xdmf_step;

/* Write (replace) path for a mesh of n_elems elements of type et. h5_name is
 * results.h5's name relative to the XDMF file. */
mf_status mf_xdmf_write(const char *path, const char *h5_name, const mf_elem_topology *et, int64_t n_nodes,
                        int64_t n_elems, int n_steps, const mf_xdmf_step *steps);

#endif
