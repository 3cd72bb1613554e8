"""Shared checks of memfem's HDF5/XDMF output for the test scripts (h5py, xml.etree)."""
import json
import os
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET

import h5py
import numpy as np


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def run(cmd, expect_rc=0, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if expect_rc is not None and p.returncode != expect_rc:
        fail("%s exited %d (expected %d)\nstdout:\n%s\nstderr:\n%s"
             % (" ".join(cmd), p.returncode, expect_rc, p.stdout[-3000:], p.stderr[-3000:]))
    return p


def fnv1a64_displacement(tags, u):
    """summary.json's displacement_checksum: FNV-1a 64 over little-endian doubles,
    nodes in ascending tag order, x y z per node."""
    order = np.argsort(tags, kind="stable")
    data = np.ascontiguousarray(u[order], dtype="<f8").tobytes()
    h = 0xcbf29ce484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


def summary(out):
    with open(os.path.join(out, "summary.json")) as f:
        return json.load(f)


def attr_str(obj, name):
    v = obj.attrs[name]
    return v.decode() if isinstance(v, bytes) else str(v)


NUMBER_TYPES = {("Float", "8"): np.dtype("<f8"), ("Float", "4"): np.dtype("<f4"),
                ("Int", "8"): np.dtype("<i8"), ("Int", "4"): np.dtype("<i4")}


def check_xdmf(out):
    """Parse results.xdmf with a real XML parser and follow every DataItem into
    results.h5: the dataset must exist with the stated shape and number type.
    Returns the list of (step, load_factor) of the temporal collection."""
    path = os.path.join(out, "results.xdmf")
    root = ET.parse(path).getroot()
    if root.tag != "Xdmf" or root.get("Version") != "3.0":
        fail("%s: root is %s version %s, expected Xdmf 3.0" % (path, root.tag, root.get("Version")))
    coll = root.find("Domain/Grid")
    if coll is None or coll.get("GridType") != "Collection" or coll.get("CollectionType") != "Temporal":
        fail("%s: no temporal collection" % path)
    steps = []
    files = {}
    for grid in coll.findall("Grid"):
        topo = grid.find("Topology")
        if topo is None or topo.get("TopologyType") != "Tetrahedron" or topo.get("NodesPerElement") != "4":
            fail("%s: grid %s lacks a tetrahedral topology" % (path, grid.get("Name")))
        if grid.find("Geometry") is None or grid.find("Geometry").get("GeometryType") != "XYZ":
            fail("%s: grid %s lacks XYZ geometry" % (path, grid.get("Name")))
        names = sorted(a.get("Name") for a in grid.findall("Attribute"))
        if names != ["cauchy_stress", "displacement", "von_mises"]:
            fail("%s: grid %s has attributes %s" % (path, grid.get("Name"), names))
        items = grid.findall(".//DataItem")
        if len(items) != 5:
            fail("%s: grid %s has %d DataItems, expected 5" % (path, grid.get("Name"), len(items)))
        for it in items:
            for key in ("Dimensions", "NumberType", "Precision", "Format"):
                if it.get(key) is None:
                    fail("%s: a DataItem of grid %s lacks %s" % (path, grid.get("Name"), key))
            if it.get("Format") != "HDF":
                fail("%s: DataItem format %s" % (path, it.get("Format")))
            h5name, _, dset = it.text.strip().partition(":")
            fpath = os.path.join(out, h5name)
            if fpath not in files:
                files[fpath] = h5py.File(fpath, "r")
            f = files[fpath]
            if dset not in f:
                fail("%s: DataItem refers to %s:%s, which does not exist" % (path, h5name, dset))
            dims = tuple(int(x) for x in it.get("Dimensions").split())
            if f[dset].shape != dims:
                fail("%s: %s has shape %s, the XDMF says %s" % (path, dset, f[dset].shape, dims))
            want = NUMBER_TYPES.get((it.get("NumberType"), it.get("Precision")))
            if want is None or f[dset].dtype != want:
                fail("%s: %s is %s, the XDMF says %s/%s" % (path, dset, f[dset].dtype, it.get("NumberType"),
                                                          it.get("Precision")))
        conn = [it for it in topo.findall("DataItem")][0]
        if int(topo.get("NumberOfElements")) != int(conn.get("Dimensions").split()[0]):
            fail("%s: NumberOfElements disagrees with the connectivity" % path)
        lf = [i for i in grid.findall("Information") if i.get("Name") == "load_factor"]
        steps.append((int(float(grid.find("Time").get("Value"))), float(lf[0].get("Value"))))
    for f in files.values():
        f.close()
    return steps


def results_steps(h5):
    return sorted(int(k) for k in h5["steps"].keys())
