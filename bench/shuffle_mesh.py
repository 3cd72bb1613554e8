"""Write a memfem HDF5 mesh with its nodes and elements in a random (fixed-seed) order.

A generated box is numbered lexicographically, which is already a good order; a mesher's
numbering often is not. This makes such a mesh from any memfem .h5 mesh, to measure what
renumbering (reorder: rcm|metis) recovers. Node tags and element tags move with their
entities, so the same physical node keeps its tag.
usage: shuffle_mesh.py IN.h5 OUT.h5 [SEED]   (python3 with h5py, numpy)"""
import sys

import h5py
import numpy as np

src, dst = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
with h5py.File(src, "r") as f, h5py.File(dst, "w") as g:
    f.copy("mesh", g)
    m = g["mesh"]
    n = m["coordinates"].shape[0]
    ne = m["connectivity"].shape[0]
    new2old = rng.permutation(n)
    old2new = np.empty(n, dtype=np.int64)
    old2new[new2old] = np.arange(n)
    enew2old = rng.permutation(ne)

    def put(name, data):
        attrs = dict(m[name].attrs)
        del m[name]
        ds = m.create_dataset(name, data=data)
        for k, v in attrs.items():
            ds.attrs[k] = v

    put("coordinates", m["coordinates"][...][new2old])
    put("node_tags", m["node_tags"][...][new2old])
    put("connectivity", old2new[m["connectivity"][...]][enew2old])
    put("element_tags", m["element_tags"][...][enew2old])
    put("element_region", m["element_region"][...][enew2old])
    put("faces", old2new[m["faces"][...]])
    for k, v in f.attrs.items():
        g.attrs[k] = v
print("wrote %s: %d nodes, %d elements shuffled" % (dst, n, ne))
