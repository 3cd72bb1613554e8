"""PETSc CG + GAMG (bench/dolfinx/elasticity.py's options) on the matrix dump.py wrote.
usage: gamg.py DIR [PETSc options...]; SAVEALL=PREFIX writes each level's prolongator
(PREFIX0.npz: level 0 -> 1, ...)."""
import os, sys, time
import numpy as np
import petsc4py
petsc4py.init(sys.argv[2:])
from petsc4py import PETSc
import scipy.sparse as sp

d = sys.argv[1]
ip = np.fromfile(d + "/indptr.bin", np.int64).astype(PETSc.IntType)
ix = np.fromfile(d + "/indices.bin", np.int32).astype(PETSc.IntType)
va = np.fromfile(d + "/data.bin", np.float64)
b = np.fromfile(d + "/b.bin", np.float64)
xyz = np.fromfile(d + "/xyz.bin", np.float64)
A = PETSc.Mat().createAIJ(size=(len(b), len(b)), csr=(ip, ix, va), bsize=3)
A.assemble()
A.setNearNullSpace(PETSc.NullSpace().createRigidBody(PETSc.Vec().createWithArray(xyz.copy(), bsize=3)))
A.setOption(PETSc.Mat.Option.SPD, True)
opts = PETSc.Options()
for k, v in {"ksp_type": "cg", "ksp_rtol": 1e-8, "ksp_max_it": 2000, "ksp_norm_type": "unpreconditioned",
             "pc_type": "gamg", "mg_levels_ksp_type": "chebyshev", "mg_levels_pc_type": "jacobi",
             "mg_levels_ksp_chebyshev_esteig_steps": 10}.items():
    if not opts.hasName(k):
        opts[k] = v
ksp = PETSc.KSP().create()
ksp.setOperators(A)
ksp.setFromOptions()
bv = PETSc.Vec().createWithArray(b.copy())
x = bv.duplicate()
t = time.time()
ksp.setUp()
ksp.solve(bv, x)
print("gamg its", ksp.getIterationNumber(), "reason", ksp.getConvergedReason(), "%.2f s" % (time.time() - t))
if os.environ.get("SAVEALL"):
    pc = ksp.getPC()
    nl = pc.getMGLevels()
    for level in range(nl - 1):
        P = pc.getMGInterpolation(nl - 1 - level)
        ipp, ixx, vv = P.getValuesCSR()
        sp.save_npz(os.environ["SAVEALL"] + "%d.npz" % level, sp.csr_matrix((vv, ixx, ipp), shape=P.getSize()))
