/* preconditioner: boomeramg in a build without hypre (MEMFEM_HYPRE=OFF): a clear error
 * naming the build option, at set-up, never a silent substitute. */
#include "la/mf_pc.h"

mf_status mf_pc_create_boomeramg(mf_pc *pc) {
  (void)pc;
  return MF_ERROR(MF_ERR_INPUT, "preconditioner boomeramg needs hypre: this memfem was built without it "
                                "(configure with -DMEMFEM_HYPRE=ON; Debian package libhypre-dev)");
}
