"""The same V-cycle on two chains of prolongators: point-Jacobi Chebyshev of degree 2 on
[0.1, 1.1] lmax before and after each coarse correction, Galerkin coarse operators, the
last of K levels solved exactly (sparse LU); PCG iterations to ||r|| <= 1e-8 ||b|| on the
matrix dump.py wrote. A chain is the files PREFIX0, PREFIX1, ...: amgrun's .bin
(EXPORTP) or gamg.py's .npz (SAVEALL).  usage: levels.py DIR PREFIX K[,K...]"""
import glob, sys
import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as sla

d, prefix, Ks = sys.argv[1], sys.argv[2], [int(k) for k in sys.argv[3].split(",")]
ip, ix = np.fromfile(d + "/indptr.bin", np.int64), np.fromfile(d + "/indices.bin", np.int32)
b = np.fromfile(d + "/b.bin", np.float64)
n = len(b)
A = sp.csr_matrix((np.fromfile(d + "/data.bin", np.float64), ix, ip), shape=(n, n))


def load_bin(path):  # amgrun's export: header, then (row, col, rb x cb block) records
    raw = open(path, "rb").read()
    nr, nc, _, rbcb = np.frombuffer(raw[:32], np.int64)
    rb, cb = rbcb // 1000, rbcb % 1000
    R = np.frombuffer(raw[32:], np.dtype([("r", np.int64), ("c", np.int64), ("v", np.float64, rb * cb)]))
    rows = (R["r"][:, None] * rb + np.arange(rb)[None, :])[:, :, None].repeat(cb, 2)
    cols = (R["c"][:, None] * cb + np.arange(cb)[None, :])[:, None, :].repeat(rb, 1)
    return sp.csr_matrix((R["v"].ravel(), (rows.ravel(), cols.ravel())), shape=(nr * rb, nc * cb))


class Level:
    def __init__(self, A):
        self.A = A.tocsr()
        dg = self.A.diagonal()
        self.dinv = 1.0 / np.where(dg == 0, 1.0, dg)
        s = sp.diags(np.sqrt(self.dinv))
        self.lmax = sla.eigsh(s @ self.A @ s, k=1, which="LA", tol=1e-3, return_eigenvectors=False)[0]

    def cheb(self, r, x=None, degree=2):
        hi, lo = 1.1 * self.lmax, 0.1 * self.lmax
        theta, delta = (hi + lo) / 2, (hi - lo) / 2
        res = r.copy() if x is None else r - self.A @ x
        x = np.zeros_like(r) if x is None else x.copy()
        sigma = theta / delta
        rho = 1 / sigma
        dd = self.dinv * res / theta
        x += dd
        for _ in range(1, degree):
            res = res - self.A @ dd
            rn = 1 / (2 * sigma - rho)
            dd = rn * rho * dd + 2 * rn / delta * self.dinv * res
            rho = rn
            x += dd
        return x


files = sorted(glob.glob(prefix + "*"), key=lambda f: int(f[len(prefix):].split(".")[0]))
Ps = [load_bin(f) if f.endswith(".bin") else sp.load_npz(f).tocsr() for f in files]
print(prefix, "coarse unknowns per level:", [P.shape[1] for P in Ps], flush=True)
for K in Ks:
    levels, Ac = [Level(A)], A
    for l in range(K - 1):
        Ac = (Ps[l].T @ Ac @ Ps[l]).tocsr()
        fix = np.where(np.abs(Ac.diagonal()) == 0)[0]  # dropped coarse modes: unit diagonal
        Ac = Ac + sp.csr_matrix((np.ones(len(fix)), (fix, fix)), shape=Ac.shape)
        if l < K - 2:
            levels.append(Level(Ac))
    lu = sla.splu(Ac.tocsc())

    def vcycle(l, r):
        if l == K - 1:
            return lu.solve(r)
        L = levels[l]
        x = L.cheb(r)
        x = x + Ps[l] @ vcycle(l + 1, Ps[l].T @ (r - L.A @ x))
        return L.cheb(r, x)

    x, r = np.zeros(n), b.copy()
    z = vcycle(0, r)
    p, rz, bn = z.copy(), r @ z, np.linalg.norm(b)
    for it in range(1, 1000):
        q = A @ p
        al = rz / (p @ q)
        x += al * p
        r -= al * q
        if np.linalg.norm(r) <= 1e-8 * bn:
            break
        z = vcycle(0, r)
        rz, rz_old = r @ z, rz
        p = z + rz / rz_old * p
    print(f"  {K} levels, the last exact ({Ps[K - 2].shape[1]} unknowns): {it} PCG iterations", flush=True)
