"""memfem run --reorder none|rcm|metis: results.h5 keeps the mesh's own order.

The /mesh datasets of reordered runs equal the unreordered run's exactly; displacement
and stress fields agree to round-off (1e-9 of the largest value); summary.json records
the reorder and its time. A checkpoint written under one reorder restarts under another.
usage: check_reorder.py MEMFEM CASE OUTDIR"""
import json
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h5check import fail, run  # noqa: E402

memfem, case, out = sys.argv[1:4]
MESH = ["coordinates", "node_tags", "connectivity", "element_tags", "element_region", "faces"]
FIELDS = ["displacement", "cauchy_stress", "von_mises"]


def run_case(reorder, extra=()):
    d = os.path.join(out, reorder)
    run([memfem, "run", case, "--quiet", "--threads", "2", "--out", d, "--reorder", reorder, *extra])
    with open(os.path.join(d, "summary.json")) as f:
        sm = json.load(f)
    if sm["run"]["reorder"] != reorder or "reorder" not in sm["run"]["seconds"]:
        fail("%s: summary.json run.reorder/seconds.reorder missing or wrong" % reorder)
    return d


ref = h5py.File(os.path.join(run_case("none"), "results.h5"), "r")
last = sorted(ref["steps"].keys())[-1]
for reorder in ["rcm", "metis"]:
    with h5py.File(os.path.join(run_case(reorder), "results.h5"), "r") as f:
        for name in MESH:
            if not np.array_equal(ref["mesh"][name][...], f["mesh"][name][...]):
                fail("%s: /mesh/%s differs from the unreordered run's" % (reorder, name))
        if sorted(f["steps"].keys()) != sorted(ref["steps"].keys()):
            fail("%s: different steps written" % reorder)
        for name in FIELDS:
            a, b = ref["steps"][last][name][...], f["steps"][last][name][...]
            scale = np.abs(a).max()
            if not np.abs(a - b).max() <= 1e-9 * scale:
                fail("%s: /steps/%s/%s differs by %.3g of its max" % (reorder, last, name, np.abs(a - b).max() / scale))
        print("%s: mesh datasets identical, fields within %.2g of max" %
              (reorder, max(np.abs(ref["steps"][last][n][...] - f["steps"][last][n][...]).max() /
                            np.abs(ref["steps"][last][n][...]).max() for n in FIELDS)))

# checkpoint under rcm, restart under metis and under none: the same final field
text = open(case).read().replace("mesh: ../", "mesh: " + os.path.join(os.path.dirname(os.path.abspath(case)), "../"))
ck_case = os.path.join(out, "ck.yaml")
with open(ck_case, "w") as f:
    f.write(text + "\ncheckpoint: {every: 2}\n")
ck = os.path.join(out, "ck")
run([memfem, "run", ck_case, "--quiet", "--threads", "2", "--out", ck, "--reorder", "rcm", "--steps", "3"])
for reorder in ["metis", "none"]:
    d = os.path.join(out, "restart-" + reorder)
    run([memfem, "run", ck_case, "--quiet", "--threads", "2", "--out", d, "--reorder", reorder, "--steps", "3",
         "--restart", os.path.join(ck, "checkpoint.h5")])
    with h5py.File(os.path.join(ck, "results.h5"), "r") as a, h5py.File(os.path.join(d, "results.h5"), "r") as b:
        s = sorted(a["steps"].keys())[-1]
        if s not in b["steps"]:
            fail("restart under %s: step %s not written" % (reorder, s))
        ua, ub = a["steps"][s]["displacement"][...], b["steps"][s]["displacement"][...]
        if not np.abs(ua - ub).max() <= 1e-9 * np.abs(ua).max():
            fail("restart under %s from an rcm checkpoint: final displacement differs by %.3g of max"
                 % (reorder, np.abs(ua - ub).max() / np.abs(ua).max()))
print("restart across reorder settings: ok")
print("PASS")
