/* A mesh-layer file including its own layer: must compile with mesh's include roots. */
#include "mesh/mf_mesh.h"
int mf_layer_probe(void) { return MF_ELEM_TET4; }
