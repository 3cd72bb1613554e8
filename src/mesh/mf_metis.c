/* Shared METIS options and error mapping (mf_metis.h). */
#include "mesh/mf_metis.h"

void mf_metis_options(idx_t options[METIS_NOPTIONS]) {
  METIS_SetDefaultOptions(options);
  options[METIS_OPTION_NUMBERING] = 0;
  options[METIS_OPTION_SEED] = 1;
}

mf_status mf_metis_status(int rc, const char *who, const char *call) {
  switch (rc) {
  case METIS_OK: return MF_OK;
  case METIS_ERROR_INPUT:
    return MF_ERROR(MF_ERR_INPUT, "%s: %s rejected its input (METIS_ERROR_INPUT)", who, call);
  case METIS_ERROR_MEMORY:
    return MF_ERROR(MF_ERR_MEMORY, "%s: %s ran out of memory (METIS_ERROR_MEMORY)", who, call);
  default:
    return MF_ERROR(MF_ERR_INTERNAL, "%s: %s failed (METIS_ERROR, code %d)", who, call, rc);
  }
}
