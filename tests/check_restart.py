#!/usr/bin/env python3
"""Checkpoint/restart end to end (tests/CMakeLists.txt).

usage: check_restart.py MEMFEM CASE OUTDIR

CASE (configs/box_1m.yaml) runs on a smaller box mesh with checkpoint {every: 2}:
 1. uninterrupted: the reference checksum and results.h5;
 2. the same run killed with SIGKILL after a checkpoint and a later written step
    (between checkpoints): results.h5 and results.xdmf must still be readable with every
    step written so far; then `--restart DIR/checkpoint.h5` must end with the reference's
    displacement_checksum, and its results.h5 must hold the same steps with bit-identical
    displacements;
 3. a checkpoint is refused for another mesh, another case file and other --steps;
 4. a truncated checkpoint, a non-HDF5 one and one missing a field give exit 2 and one
    error line naming the file and the problem."""
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h5check import check_xdmf, fail, results_steps, run, summary  # noqa: E402

memfem, case, out = sys.argv[1:4]
MESH = "box:1x1x4:6x6x24"
STEPS = "16"
shutil.rmtree(out, ignore_errors=True)
os.makedirs(out)
case_dir = os.path.dirname(os.path.abspath(case))
text = open(case).read().replace("../meshes/", os.path.join(case_dir, "..", "meshes") + "/")
text = re.sub(r"output: \{[^}]*\}", "output: {dir: %s/unused}\ncheckpoint: {every: 2}" % out, text)
test_case = os.path.join(out, "case.yaml")
with open(test_case, "w") as f:
    f.write(text)
base = [memfem, "run", test_case, "--mesh", MESH, "--steps", STEPS, "--quiet"]

# 1. uninterrupted reference
ref = os.path.join(out, "ref")
run(base + ["--out", ref])
ref_sm = summary(ref)
if ref_sm["status"] != "converged":
    fail("reference run did not converge: %s" % ref_sm["status"])
n_ref = ref_sm["steps"][-1]["step"]

# 2. killed between checkpoints, then restarted
killed = os.path.join(out, "killed")
ckpt = os.path.join(killed, "checkpoint.h5")
xdmf = os.path.join(killed, "results.xdmf")
p = subprocess.Popen(base + ["--out", killed], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def xdmf_steps():
    try:
        return [int(float(t.get("Value"))) for t in ET.parse(xdmf).getroot().iter("Time")]
    except (OSError, ET.ParseError):
        return []


deadline = time.time() + 300
while time.time() < deadline and p.poll() is None:
    # kill once a checkpoint exists and a step after it has been written (odd step)
    if os.path.exists(ckpt) and any(s % 2 == 1 and s > 2 for s in xdmf_steps()):
        os.kill(p.pid, signal.SIGKILL)
        break
    time.sleep(0.005)
p.wait()
if p.returncode != -signal.SIGKILL:
    fail("the run was not killed mid-way (exit %s); make the case longer" % p.returncode)
with h5py.File(ckpt, "r") as f:
    ck_step = int(f.attrs["step"])
if not 2 <= ck_step < n_ref:
    fail("checkpoint step %d, expected between 2 and %d" % (ck_step, n_ref))
# nothing lost: both files readable, every written step there
xs = check_xdmf(killed)
with h5py.File(os.path.join(killed, "results.h5"), "r") as h5:
    hs = results_steps(h5)
if [s for s, _ in xs] != hs or not hs or hs[-1] <= ck_step:
    fail("after SIGKILL: xdmf steps %s, results.h5 steps %s, checkpoint %d" % (xs, hs, ck_step))
print("killed at written step %d with checkpoint at step %d" % (hs[-1], ck_step))

run(base + ["--out", killed, "--restart", ckpt])
sm = summary(killed)
if sm["displacement_checksum"] != ref_sm["displacement_checksum"]:
    fail("restarted checksum %s, uninterrupted %s" % (sm["displacement_checksum"], ref_sm["displacement_checksum"]))
if sm["steps"][0]["step"] != ck_step + 1 or sm["steps"][-1]["step"] != n_ref:
    fail("restarted run covers steps %d..%d, expected %d..%d"
         % (sm["steps"][0]["step"], sm["steps"][-1]["step"], ck_step + 1, n_ref))
with h5py.File(os.path.join(ref, "results.h5"), "r") as a, h5py.File(os.path.join(killed, "results.h5"), "r") as b:
    if results_steps(a) != results_steps(b):
        fail("restarted results.h5 steps %s, uninterrupted %s" % (results_steps(b), results_steps(a)))
    for s in results_steps(a):
        for d in ("displacement", "cauchy_stress", "von_mises"):
            x, y = a["steps/%06d/%s" % (s, d)][...], b["steps/%06d/%s" % (s, d)][...]
            if x.tobytes() != y.tobytes():
                fail("step %d %s differs between the restarted and the uninterrupted run" % (s, d))
if [s for s, _ in check_xdmf(killed)] != results_steps(h5py.File(os.path.join(ref, "results.h5"), "r")):
    fail("restarted results.xdmf does not list every step")


# 3. refused for another run
def refused(args, pattern):
    r = run(args, expect_rc=2)
    lines = r.stderr.strip().splitlines()
    if len(lines) != 1 or not re.search(pattern, lines[0]) or ckpt not in lines[0]:
        fail("expected one error line naming %s and matching %r, got:\n%s" % (ckpt, pattern, r.stderr))


refused([memfem, "run", test_case, "--mesh", "box:1x1x4:5x5x20", "--steps", STEPS, "--quiet",
         "--out", os.path.join(out, "other"), "--restart", ckpt], "different mesh")
other_case = os.path.join(out, "other.yaml")
with open(other_case, "w") as f:
    f.write(text + "# the same case, another file\n")
refused([memfem, "run", other_case, "--mesh", MESH, "--steps", STEPS, "--quiet",
         "--out", os.path.join(out, "other"), "--restart", ckpt], "different case file")
refused([memfem, "run", test_case, "--mesh", MESH, "--steps", "12", "--quiet",
         "--out", os.path.join(out, "other"), "--restart", ckpt], "12 and 0")


# 4. broken checkpoints
def broken(name, make, pattern):
    path = os.path.join(out, name)
    make(path)
    r = run(base + ["--out", os.path.join(out, "other"), "--restart", path], expect_rc=2)
    lines = r.stderr.strip().splitlines()
    if len(lines) != 1 or path not in lines[0] or not re.search(pattern, lines[0]):
        fail("%s: expected one error line naming the file and matching %r, got:\n%s" % (name, pattern, r.stderr))
    print("%s: %s" % (name, lines[0]))


data = open(ckpt, "rb").read()
broken("truncated.h5", lambda p: open(p, "wb").write(data[: len(data) // 2]), "truncated or corrupt")
broken("garbage.h5", lambda p: open(p, "wb").write(b"not hdf5 at all\n" * 100), "not a readable HDF5 file")


def missing_attr(p):
    shutil.copy(ckpt, p)
    with h5py.File(p, "r+") as f:
        del f.attrs["load_factor"]


broken("no_load_factor.h5", missing_attr, "attribute /load_factor is missing")


def short_u(p):
    shutil.copy(ckpt, p)
    with h5py.File(p, "r+") as f:
        u = f["displacement"][...]
        del f["displacement"]
        f["displacement"] = u[:-1]


broken("short_displacement.h5", short_u, "dataset /displacement is .* expected")
broken("missing.h5", lambda p: None, "cannot open")
print("ok: restart bit-identical (%s), refusals and broken checkpoints reported" % sm["displacement_checksum"])
