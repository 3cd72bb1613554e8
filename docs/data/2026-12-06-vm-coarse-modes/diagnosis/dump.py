"""DOLFINx's assembled matrix of bench/dolfinx/cantilever_linear.yaml on a mesh (clamped rows
and columns identity, as elasticity.py assembles them), its load vector and each node's
coordinates, as raw binaries in OUT; then PETSc CG + GAMG on it as the comparison runs it.
usage: dump.py CASE.yaml MESH.msh OUT"""
import sys, numpy as np
sys.path.insert(0, "/work/main/bench/dolfinx")
import elasticity as E
from mpi4py import MPI
from petsc4py import PETSc
case = E.read_case(sys.argv[1])
groups = list(dict.fromkeys(case["clamped"] + [g for g, _ in case["tractions"]]))
mesh, ft, xyz, tag_of, _ = E.read_mesh(sys.argv[2], groups, MPI.COMM_WORLD)
V, a, L, bc = E.problem(mesh, ft, tag_of, case)
A, b = E.assemble(a, L, bc)
out = sys.argv[3]
B = A.convert("aij") if A.getType() != "seqaij" else A
ip, ix, va = B.getValuesCSR()
print(A.getType(), A.getSize(), A.getBlockSize(), len(va))
np.asarray(ip, np.int64).tofile(out + "/indptr.bin")
np.asarray(ix, np.int32).tofile(out + "/indices.bin")
np.asarray(va, np.float64).tofile(out + "/data.bin")
np.asarray(b.getArray(), np.float64).tofile(out + "/b.bin")
n_owned = V.dofmap.index_map.size_local
np.asarray(V.tabulate_dof_coordinates()[:n_owned], np.float64).ravel().tofile(out + "/xyz.bin")
# GAMG on it, as the compare does
ksp = E.krylov(A, V, case)
ksp.setUp()
x = b.duplicate()
ksp.solve(b, x)
print("gamg its", ksp.getIterationNumber(), ksp.getConvergedReason())
np.asarray(x.getArray(), np.float64).tofile(out + "/x_gamg.bin")
