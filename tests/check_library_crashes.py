#!/usr/bin/env python3
"""Files that crash libhdf5 do not crash memfem (issue 15).

usage: check_library_crashes.py MEMFEM FUZZDIR OUTDIR

FUZZDIR/library-crashes/TARGET holds the inputs on which scripts/fuzz.sh saw libhdf5
itself crash (a heap overflow or a SIGSEGV inside Debian's libhdf5 1.10, with the stack in
NAME.txt), and two on which it leaks on an error path (a LeakSanitizer abort in the
asan-ubsan build unless tests/lsan.supp is given). memfem reads such files in a child process first (src/io/mf_h5.h,
mf_h5_guarded), so each must end in exit 2 and one error line naming the file, never a
signal: h5_mesh inputs through `memfem info`, checkpoint inputs (resealed, as the
harness read them) through `memfem run checkpoint-case.yaml --restart`."""
import glob
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h5check import fail, reseal  # noqa: E402

memfem, fuzzdir, out = sys.argv[1:4]
shutil.rmtree(out, ignore_errors=True)
os.makedirs(out)
runs = []
for f in sorted(glob.glob(os.path.join(fuzzdir, "library-crashes", "h5_mesh", "*"))):
    if not f.endswith(".txt"):
        copy = os.path.join(out, os.path.basename(f) + ".h5")  # .h5: read as an HDF5 mesh
        shutil.copy(f, copy)
        runs.append((copy, [memfem, "info", copy]))
for f in sorted(glob.glob(os.path.join(fuzzdir, "library-crashes", "checkpoint", "*"))):
    if not f.endswith(".txt"):
        copy = os.path.join(out, os.path.basename(f) + ".h5")
        shutil.copy(f, copy)
        reseal(copy)
        runs.append((copy, [memfem, "run", os.path.join(fuzzdir, "checkpoint-case.yaml"), "--quiet",
                            "--out", os.path.join(out, "run"), "--restart", copy]))
if not runs:
    fail("no inputs in %s/library-crashes" % fuzzdir)
for path, cmd in runs:
    p = subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=600,
                       env=dict(os.environ, OMP_NUM_THREADS="1"))
    lines = p.stderr.strip().splitlines()
    if p.returncode != 2 or len(lines) != 1 or not lines[0].startswith("memfem: error: " + path):
        fail("%s: exit %d, stderr:\n%s" % (path, p.returncode, p.stderr))
    print("%s: %s" % (os.path.basename(path), lines[0][len("memfem: error: ") + len(path) + 2:]))
print("ok: %d files that crash libhdf5 refused without a crash" % len(runs))
