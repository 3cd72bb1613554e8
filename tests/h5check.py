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


def make_test_case(case, out, output):
    """A fresh OUT with OUT/case.yaml: CASE with its mesh path made absolute and its
    output section replaced by `output` (YAML lines, e.g. "output: {dir: X}\ncheckpoint:
    {every: 1}"). Returns the new case file."""
    import re
    import shutil
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    case_dir = os.path.dirname(os.path.abspath(case))
    text = open(case).read().replace("../meshes/", os.path.join(case_dir, "..", "meshes") + "/")
    text = re.sub(r"output: \{[^}]*\}", output, text)
    path = os.path.join(out, "case.yaml")
    with open(path, "w") as f:
        f.write(text)
    return path


def fnv1a64(h, data):
    """FNV-1a 64 of bytes, continuing from h."""
    for b in data:
        h ^= b
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def reseal(path):
    """Rewrite the seal of a sealed memfem file (src/io/mf_h5.h) after editing it, as a
    forger would: FNV-1a 64 of the bytes after the 512-byte user block."""
    with open(path, "r+b") as f:
        body = f.read()[512:]
        seal = ("memfem-seal 1 fnv1a64 %016x bytes %d\n" % (fnv1a64(0xcbf29ce484222325, body), len(body))).encode()
        f.seek(0)
        f.write(seal.ljust(512, b"\0"))


def fnv1a64_displacement(tags, u):
    """summary.json's displacement_checksum: FNV-1a 64 over little-endian doubles,
    nodes in ascending tag order, x y z per node."""
    order = np.argsort(tags, kind="stable")
    data = np.ascontiguousarray(u[order], dtype="<f8").tobytes()
    return "%016x" % fnv1a64(0xcbf29ce484222325, data)


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


def check_outdir(out, allow_tmp=False):
    """Every file a run leaves in `out` opens as what it is: .h5 with h5py (results.h5
    with every step group complete and the steps results.xdmf lists), .xdmf with
    check_xdmf, .json with json, telemetry.csv with complete rows (the last line may be
    cut only where it has no newline). Temporary files of atomic writes (.NAME.tmp.PID)
    are an error unless allow_tmp (right after a kill). Returns {name: detail}."""
    seen = {}
    for name in sorted(os.listdir(out)):
        path = os.path.join(out, name)
        if ".tmp." in name:
            if not allow_tmp:
                fail("%s: temporary file of an atomic write left behind" % path)
            seen[name] = "tmp"
        elif name.endswith(".h5"):
            try:
                with h5py.File(path, "r") as h5:
                    if name == "results.h5":
                        for s in results_steps(h5):
                            g = h5["steps/%06d" % s]
                            for d in ("displacement", "cauchy_stress", "von_mises"):
                                g[d][...]
                        seen[name] = results_steps(h5)
                    else:
                        seen[name] = {k: h5.attrs[k] for k in h5.attrs}
                        for k in h5:
                            if isinstance(h5[k], h5py.Dataset):
                                h5[k][...]
            except (OSError, KeyError) as e:
                fail("%s does not open: %s" % (path, e))
        elif name.endswith(".xdmf"):
            try:
                seen[name] = [s for s, _ in check_xdmf(out)]
            except (OSError, ET.ParseError) as e:
                fail("%s does not open: %s" % (path, e))
        elif name.endswith(".json"):
            try:
                with open(path) as f:
                    seen[name] = json.load(f)
            except ValueError as e:
                fail("%s is not JSON: %s" % (path, e))
        elif name.endswith(".csv"):
            with open(path) as f:
                text = f.read()
            lines = text.split("\n")
            ncol = len(lines[0].split(","))
            body = lines[1:-1] if text.endswith("\n") else lines[1:-2]
            for i, line in enumerate(body):
                if len(line.split(",")) != ncol:
                    fail("%s: row %d has %d columns, the header %d" % (path, i + 1, len(line.split(",")), ncol))
            seen[name] = len(body)
        else:
            seen[name] = "other"
    if "results.xdmf" in seen and "results.h5" in seen and seen["results.xdmf"] != seen["results.h5"][:len(seen["results.xdmf"])]:
        fail("%s: results.xdmf lists steps %s, results.h5 holds %s" % (out, seen["results.xdmf"], seen["results.h5"]))
    return seen
