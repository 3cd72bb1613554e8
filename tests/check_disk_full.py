#!/usr/bin/env python3
"""A full disk at every stage of a run (issue 15), run by check_disk_full.sh inside a
private mount namespace.

usage: check_disk_full.py MEMFEM CASE OUTDIR

CASE (configs/cube.yaml) runs with checkpoint {every: 1}: first on the normal disk (the
reference: the bytes its output needs and its checksum), then once each on tmpfs file
systems of a fraction of those bytes, so the disk fills while the mesh is written, in a
step, in a checkpoint and in the small files. Every run must end with exit 0 (it fit)
or exit 2 and one error line saying the space ran out, never a signal; every file left
in the output directory must open (tests/h5check.check_outdir) with the steps of
results.h5 bit-identical to the reference's; a checkpoint left behind must restart (on
the normal disk) to the reference's checksum. The sweep must include runs that failed
after results.h5 held steps and runs that failed at the start."""
import os
import re
import shutil
import subprocess
import sys

import h5py

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h5check import check_outdir, fail, make_test_case, run, summary  # noqa: E402

memfem, case, out = sys.argv[1:4]
STEPS = "8"
test_case = make_test_case(case, out, "output: {dir: %s/unused}\ncheckpoint: {every: 1}" % out)
base = [memfem, "run", test_case, "--steps", STEPS, "--quiet", "--threads", "1"]

ref = os.path.join(out, "ref")
run(base + ["--out", ref])
ref_sum = summary(ref)["displacement_checksum"]
need = sum(os.path.getsize(os.path.join(ref, n)) for n in os.listdir(ref))
with h5py.File(os.path.join(ref, "results.h5"), "r") as h5:
    ref_u = {int(k): h5["steps"][k]["displacement"][...].tobytes() for k in h5["steps"]}
print("reference: %d bytes of output, checksum %s" % (need, ref_sum))

mnt = os.path.join(out, "mnt")
os.makedirs(mnt)
failed_in_steps = failed_at_start = fits = 0
for frac in (0.05, 0.15, 0.3, 0.45, 0.6, 0.7, 0.8, 0.9, 0.97, 1.3, 3.0):
    size = max(65536, int(frac * need) // 4096 * 4096)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%d" % size, "tmpfs", mnt]).returncode != 0:
        print("SKIP: cannot mount a tmpfs here")
        sys.exit(77)
    try:
        dst = os.path.join(mnt, "out")
        p = run(base + ["--out", dst], expect_rc=None)
        if p.returncode < 0 or p.returncode not in (0, 2):
            fail("tmpfs of %d bytes: exit %d (a signal or a wrong code)\n%s" % (size, p.returncode, p.stderr))
        lines = p.stderr.strip().splitlines()
        if p.returncode == 2 and (len(lines) != 1 or not re.match(r"memfem: error: .*[Nn]o space left", lines[0])):
            fail("tmpfs of %d bytes: expected one error line about the space, got:\n%s" % (size, p.stderr))
        seen = check_outdir(dst) if os.path.isdir(dst) else {}
        steps = seen.get("results.h5", [])
        with h5py.File(os.path.join(dst, "results.h5"), "r") if steps else open(os.devnull) as h5:
            for s in steps:
                if h5["steps/%06d/displacement" % s][...].tobytes() != ref_u[s]:
                    fail("tmpfs of %d bytes: results.h5 step %d differs from the reference" % (size, s))
        ck = "checkpoint.h5" in seen
        if ck:  # restart the checkpoint left behind on the normal disk
            copy = os.path.join(out, "restart-%d" % size)
            shutil.copytree(dst, copy)
            run(base + ["--out", copy, "--restart", os.path.join(copy, "checkpoint.h5")])
            if summary(copy)["displacement_checksum"] != ref_sum:
                fail("tmpfs of %d bytes: the restarted checkpoint ends with another checksum" % size)
        if p.returncode == 0:
            fits += 1
            if summary(dst)["displacement_checksum"] != ref_sum:
                fail("tmpfs of %d bytes: the run that fit has another checksum" % size)
        elif steps:
            failed_in_steps += 1
        else:
            failed_at_start += 1
        print("tmpfs %8d bytes: exit %d, results.h5 steps %s, checkpoint %s%s" % (
            size, p.returncode, steps, "restarted to the reference" if ck else "none",
            ": " + lines[0] if lines else ""))
    finally:
        subprocess.run(["umount", mnt])
if not (failed_in_steps and failed_at_start and fits):
    fail("the sweep missed a case: %d failed after steps were written, %d at the start, %d fit"
         % (failed_in_steps, failed_at_start, fits))
print("ok: %d runs filled the disk after writing steps, %d at the start, %d fit; no signal, every file opens"
      % (failed_in_steps, failed_at_start, fits))
