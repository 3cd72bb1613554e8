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
    error line naming the file and the problem;
 5. checkpoints verify themselves (issue 15): any changed byte breaks the seal and is
    refused before libhdf5 reads the file; behind a recomputed seal, a changed value
    without its state checksum is refused as damaged; states whose checksums were
    recomputed but which this run cannot
    have written (attributes near INT32_MAX, a step size of 1e-300 or not a power-of-two
    fraction of 1/count, soaking without soak steps, load factor 0 at step 2, a float32
    displacement, format version 1) are refused naming the attribute, and a NaN behind a
    matching checksum naming its row; 20 seeded random
    byte flips either are refused or restart to the uninterrupted checksum;
 6. a temporary file of an interrupted checkpoint write (.checkpoint.h5.tmp.PID of a
    dead process) is removed, and reported, by the restart;
 7. with memfem's multigrid (whose aggregates its first set-up makes), a restart from
    step 6 of 7 ends on the uninterrupted checksum."""
import os
import random
import re
import shutil
import struct
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h5check import check_xdmf, fail, fnv1a64, make_test_case, reseal, results_steps, run, summary  # noqa: E402

memfem, case, out = sys.argv[1:4]
MESH = "box:1x1x4:6x6x24"
STEPS = "16"
test_case = make_test_case(case, out, "output: {dir: %s/unused}\ncheckpoint: {every: 2}" % out)
text = open(test_case).read()
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

# a temporary file a killed checkpoint write would leave: a process that has exited
dead = subprocess.run(["sh", "-c", "echo $$"], capture_output=True, text=True).stdout.strip()
stale = os.path.join(killed, ".checkpoint.h5.tmp.%s" % dead)
with open(stale, "wb") as f:
    f.write(b"\x89HDF half written")
r = run(base + ["--out", killed, "--restart", ckpt])
if os.path.exists(stale) or "removed %s" % stale not in r.stdout:
    fail("the restart did not remove and report %s:\n%s" % (stale, r.stdout))
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
broken("truncated.h5", lambda p: open(p, "wb").write(data[: len(data) // 2]), "damaged: .* bytes follow its seal")
broken("garbage.h5", lambda p: open(p, "wb").write(b"not hdf5 at all\n" * 100), "not a memfem checkpoint")


def missing_attr(p):
    shutil.copy(ckpt, p)
    with h5py.File(p, "r+") as f:
        del f.attrs["load_factor"]
    reseal(p)


broken("no_load_factor.h5", missing_attr, "attribute /load_factor is missing")


def short_u(p):
    shutil.copy(ckpt, p)
    with h5py.File(p, "r+") as f:
        u = f["displacement"][...]
        del f["displacement"]
        f["displacement"] = u[:-1]
    reseal(p)


broken("short_displacement.h5", short_u, "dataset /displacement is .* expected")
broken("missing.h5", lambda p: None, "cannot open")


# 5. checkpoints verify themselves
def state_checksum(f):
    """mf_checkpoint.c's state_checksum of an open checkpoint (h5py)."""
    a = f.attrs
    h = fnv1a64(0xcbf29ce484222325, b"memfem-checkpoint\0")
    for k in ("case_hash", "mesh_hash"):
        h = fnv1a64(h, struct.pack("<Q", int(a[k].decode() if isinstance(a[k], bytes) else a[k], 16)))
    for k in ("format_version", "steps_count", "soak_steps", "step", "attempts", "easy", "soaking", "soak_done",
              "unloading"):
        h = fnv1a64(h, struct.pack("<q", int(a[k])))
    h = fnv1a64(h, struct.pack("<dd", float(a["load_factor"]), float(a["step_size"])))
    return fnv1a64(h, f["displacement"][...].astype("<f8").tobytes())


with h5py.File(ckpt, "r") as f:
    if "%016x" % state_checksum(f) != f.attrs["state_checksum"].decode():
        fail("the test's state checksum disagrees with memfem's: %016x, %s"
             % (state_checksum(f), f.attrs["state_checksum"].decode()))
    nominal = 1.0 / int(f.attrs["steps_count"])


def forged(**attrs):
    """A copy with attributes changed and the checksum made to match them."""
    def make(p):
        shutil.copy(ckpt, p)
        with h5py.File(p, "r+") as f:
            for k, v in attrs.items():
                if k == "displacement32":
                    u = f["displacement"][...]
                    del f["displacement"]
                    f["displacement"] = u.astype("<f4")
                    continue
                f.attrs[k] = np.float64(v) if isinstance(v, float) else np.int64(v)
            if "displacement32" not in attrs:
                f.attrs["state_checksum"] = np.bytes_("%016x" % state_checksum(f))
        reseal(p)
    return make


def changed_value(sealed):
    def make(p):
        shutil.copy(ckpt, p)
        with h5py.File(p, "r+") as f:
            u = f["displacement"][...]
            u[5, 1] = np.nextafter(u[5, 1], 1.0)  # one ulp: a different answer, same shape
            f["displacement"][...] = u
        if sealed:
            reseal(p)
    return make


def nan_value(p):
    """A NaN in row 5 behind a matching state checksum and seal."""
    shutil.copy(ckpt, p)
    with h5py.File(p, "r+") as f:
        u = f["displacement"][...]
        u[5, 1] = np.nan
        f["displacement"][...] = u
        f.attrs["state_checksum"] = np.bytes_("%016x" % state_checksum(f))
    reseal(p)


broken("changed_value.h5", changed_value(False), "damaged: its bytes hash to")
broken("nan_value.h5", nan_value, "/displacement row 5 is not finite")
broken("changed_value_resealed.h5", changed_value(True), "the checkpoint is damaged: its state_checksum is")
broken("attempts_max.h5", forged(attempts=2147483647), "attribute attempts = 2147483647 is out of range")
broken("easy_max.h5", forged(easy=2147483646), "attribute easy = 2147483646 is out of range")
broken("step_tiny.h5", forged(step_size=1e-300), "attribute step_size = 1e-300 is out of range")
broken("step_third.h5", forged(step_size=nominal / 3), "is not the nominal load step 1/%s halved" % STEPS)
broken("soaking.h5", forged(soaking=1), "a soak-phase state")
broken("load_zero.h5", forged(step=2, attempts=2, easy=0, load_factor=0.0), "load_factor 0 after 2 steps")
broken("float32.h5", forged(displacement32=True), "dataset /displacement holds 4-byte values")
broken("version1.h5", forged(format_version=1), "checkpoint format version 1, this memfem reads 2")

# random damage: refused, or (a byte nothing reads) the same answer; never another one
rng = random.Random(15)
refused_flips = same = 0
for i in range(20):
    path = os.path.join(out, "flip%02d.h5" % i)
    flipped = bytearray(data)
    pos = rng.randrange(len(flipped))
    flipped[pos] ^= 1 << rng.randrange(8)
    with open(path, "wb") as f:
        f.write(flipped)
    dst = os.path.join(out, "flip-out")
    shutil.rmtree(dst, ignore_errors=True)
    r = run(base + ["--out", dst, "--restart", path], expect_rc=None)
    lines = r.stderr.strip().splitlines()
    if r.returncode == 2 and len(lines) == 1 and path in lines[0]:
        refused_flips += 1
    elif r.returncode == 0 and summary(dst)["displacement_checksum"] == ref_sm["displacement_checksum"]:
        same += 1
    else:
        fail("byte %d flipped: exit %d, %s" % (pos, r.returncode, r.stderr or "another answer"))
print("20 byte flips: %d refused, %d in bytes nothing reads (same answer)" % (refused_flips, same))

# 7. memfem's multigrid makes its aggregates at its first set-up, from that matrix: a
# restart makes them from the uninterrupted run's first tangent (u = 0) before resuming,
# so it ends on the same bits (from the checkpoint's tangent it did not)
amg = [memfem, "run", test_case, "--mesh", MESH, "--steps", "7", "--quiet", "--preconditioner", "amg"]
run(amg + ["--out", os.path.join(out, "amg")])
want = summary(os.path.join(out, "amg"))["displacement_checksum"]
run(amg + ["--out", os.path.join(out, "amg-restart"), "--restart", os.path.join(out, "amg", "checkpoint.h5")])
got = summary(os.path.join(out, "amg-restart"))
if got["displacement_checksum"] != want or [s["step"] for s in got["steps"]] != [7]:
    fail("amg restarted from step 6: checksum %s, steps %s; uninterrupted %s"
         % (got["displacement_checksum"], [s["step"] for s in got["steps"]], want))
print("amg restarted from step 6: %s, the uninterrupted checksum" % want)
print("ok: restart bit-identical (%s), refusals and broken checkpoints reported" % sm["displacement_checksum"])
