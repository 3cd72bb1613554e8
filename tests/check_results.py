#!/usr/bin/env python3
"""results.h5 and results.xdmf end to end on the uniaxial cube (tests/CMakeLists.txt).

usage: check_results.py MEMFEM CASE OUTDIR

Runs CASE with output {every: 2, compression: 4} (5 load steps: written steps 2, 4 and
the last, 5) and checks: datasets, shapes, types, chunking and compression; attributes
(units, case file, build, Voigt order); the final displacement reproduces summary.json's
displacement_checksum; load factors match summary.json; von Mises agrees with the stored
Cauchy stress; the stress is the uniaxial state (uniform, lateral components zero) whose
resultant equals the reaction summary.json reports on xmax; results.xdmf parses and every
dataset it names exists with the stated shape and type."""
import os
import shutil
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h5check import attr_str, check_xdmf, fail, fnv1a64_displacement, results_steps, run, summary  # noqa: E402

memfem, case, out = sys.argv[1:4]
shutil.rmtree(out, ignore_errors=True)
os.makedirs(out)
case_dir = os.path.dirname(os.path.abspath(case))
text = open(case).read().replace("../meshes/", os.path.join(case_dir, "..", "meshes") + "/")
test_case = os.path.join(out, "case.yaml")
with open(test_case, "w") as f:
    f.write(text.replace("output: {dir: out/cube}", "output: {dir: %s, every: 2, compression: 4}" % out))
run([memfem, "run", test_case, "--quiet"])
sm = summary(out)
n_steps = len(sm["steps"])
if n_steps != 5:
    fail("expected 5 converged steps, summary.json has %d" % n_steps)
want_steps = [2, 4, 5]

with h5py.File(os.path.join(out, "results.h5"), "r") as h5:
    for a in ("units", "case_file", "case_text", "build", "memfem_version"):
        if not attr_str(h5, a):
            fail("root attribute %s missing or empty" % a)
    if attr_str(h5, "case_file") != test_case:
        fail("case_file attribute is %s" % attr_str(h5, "case_file"))
    if "compression: 4" not in attr_str(h5, "case_text"):
        fail("case_text does not hold the case file")
    nn, ne = sm["mesh"]["nodes"], sm["mesh"]["elements"]
    X = h5["mesh/coordinates"][...]
    conn = h5["mesh/connectivity"][...]
    tags = h5["mesh/node_tags"][...]
    if X.shape != (nn, 3) or conn.shape != (ne, 4) or conn.dtype != np.int64 or tags.shape != (nn,):
        fail("mesh shapes %s %s %s" % (X.shape, conn.shape, tags.shape))
    if conn.min() != 0 or conn.max() != nn - 1:
        fail("connectivity is not 0-based over all nodes")
    got = results_steps(h5)
    if got != want_steps:
        fail("written steps %s, expected %s (every 2 and the last)" % (got, want_steps))
    for s in got:
        g = h5["steps/%06d" % s]
        lf = sm["steps"][s - 1]["load_factor"]
        if g.attrs["load_factor"] != lf or g.attrs["step"] != s:
            fail("step %d: load_factor %r, summary.json %r" % (s, g.attrs["load_factor"], lf))
        u, sig, vm = g["displacement"], g["cauchy_stress"], g["von_mises"]
        if u.shape != (nn, 3) or sig.shape != (ne, 6) or vm.shape != (ne,):
            fail("step %d shapes %s %s %s" % (s, u.shape, sig.shape, vm.shape))
        for d in (u, sig, vm):
            if d.chunks is None or d.compression != "gzip":
                fail("%s is not chunked and deflated (chunks %s, compression %s)" % (d.name, d.chunks, d.compression))
        if attr_str(sig, "voigt_order") != "xx xy xz yy yz zz":
            fail("voigt_order attribute is %r" % attr_str(sig, "voigt_order"))
        S = sig[...]
        xx, xy, xz, yy, yz, zz = (S[:, k] for k in range(6))
        vm_ref = np.sqrt(0.5 * ((xx - yy) ** 2 + (yy - zz) ** 2 + (zz - xx) ** 2) + 3 * (xy ** 2 + yz ** 2 + xz ** 2))
        if not np.allclose(vm[...], vm_ref, rtol=1e-12, atol=0):
            fail("step %d: von_mises disagrees with cauchy_stress" % s)
        # Uniaxial tension: sigma_xx uniform, every other component zero.
        sxx = float(np.mean(xx))
        if not sxx > 0 or np.max(np.abs(xx - sxx)) > 1e-6 * sxx:
            fail("step %d: sigma_xx not uniform and positive (mean %g, spread %g)" % (s, sxx, np.ptp(xx)))
        if max(np.max(np.abs(S[:, k])) for k in (1, 2, 3, 4, 5)) > 1e-6 * sxx:
            fail("step %d: lateral/shear stress not zero in uniaxial tension" % s)
        # Resultant on xmax (deformed area from the free corner) equals the reaction.
        U = u[...]
        corner = int(np.argmax(X.sum(axis=1)))
        area = (1 + U[corner, 1]) * (1 + U[corner, 2])
        fx = sm["steps"][s - 1]["reactions"]["xmax"][0]
        if abs(sxx * area - fx) > 1e-6 * abs(fx):
            fail("step %d: sigma_xx * area = %.10g, reaction on xmax %.10g" % (s, sxx * area, fx))
    final = h5["steps/%06d/displacement" % want_steps[-1]][...]
    ck = fnv1a64_displacement(tags, final)
    if ck != sm["displacement_checksum"]:
        fail("final displacement checksum %s, summary.json %s" % (ck, sm["displacement_checksum"]))

xsteps = check_xdmf(out)
if [s for s, _ in xsteps] != want_steps:
    fail("results.xdmf lists steps %s, expected %s" % (xsteps, want_steps))
for s, lf in xsteps:
    if lf != sm["steps"][s - 1]["load_factor"]:
        fail("results.xdmf load factor of step %d is %r" % (s, lf))
print("ok: results.h5 steps %s, checksum %s, results.xdmf consistent" % (want_steps, ck))

# output.every 0: no field output at all, the run and its summary unchanged.
quiet_out = os.path.join(out, "no-results")
quiet_case = os.path.join(out, "case-no-results.yaml")
with open(quiet_case, "w") as f:
    f.write(text.replace("output: {dir: out/cube}", "output: {dir: %s, every: 0}" % quiet_out))
run([memfem, "run", quiet_case, "--quiet"])
for name in ("results.h5", "results.xdmf"):
    if os.path.exists(os.path.join(quiet_out, name)):
        fail("output.every 0 wrote %s" % name)
if summary(quiet_out)["displacement_checksum"] != sm["displacement_checksum"]:
    fail("output.every 0 changed the result")
print("ok: output.every 0 writes no results files")

# A case file longer than an HDF5 attribute may be (70 KB of comments): its text is the
# dataset /case_text, byte for byte, and the run is otherwise the same.
long_out = os.path.join(out, "long-case")
long_case = os.path.join(out, "case-long.yaml")
long_text = text.replace("output: {dir: out/cube}", "output: {dir: %s, every: 5}" % long_out)
long_text += "".join("# padding line %05d to exceed the 64 KiB attribute limit of HDF5's format\n" % i
                     for i in range(900))
with open(long_case, "w") as f:
    f.write(long_text)
run([memfem, "run", long_case, "--quiet"])
with h5py.File(os.path.join(long_out, "results.h5"), "r") as h5:
    stored = bytes(h5["case_text"][...]).decode()
    if stored != long_text:
        fail("/case_text holds %d bytes, the case file %d" % (len(stored), len(long_text)))
    if "in the dataset /case_text" not in attr_str(h5, "case_text"):
        fail("the case_text attribute does not point to the dataset: %r" % attr_str(h5, "case_text"))
if summary(long_out)["displacement_checksum"] != sm["displacement_checksum"]:
    fail("a long case file changed the result")
print("ok: a %d-byte case file is stored whole in /case_text" % len(long_text))
