/* Mesh loading dispatch (mf_mesh_load.h). */
#include "io/mf_mesh_load.h"

#include <string.h>

#include "fem/mf_mesh_check.h"
#include "io/mf_h5_mesh.h"

mf_status mf_mesh_load(const char *path_or_spec, mf_mesh **mesh) {
  *mesh = NULL;
  size_t len = strlen(path_or_spec);
  if (strncmp(path_or_spec, "box:", 4) == 0) MF_CALL(mf_mesh_generate(path_or_spec, mesh));
  else if (len > 3 && strcmp(path_or_spec + len - 3, ".h5") == 0) MF_CALL(mf_h5_mesh_read(path_or_spec, mesh));
  else MF_CALL(mf_mesh_read_gmsh(path_or_spec, mesh));
  mf_status st = mf_mesh_check_elements(*mesh);
  if (st) mf_mesh_destroy(mesh);
  return st;
}
