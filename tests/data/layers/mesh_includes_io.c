/* A mesh-layer file including a higher layer: must not compile with mesh's include roots. */
#include "io/mf_case.h"
int mf_layer_probe(void) { return 0; }
