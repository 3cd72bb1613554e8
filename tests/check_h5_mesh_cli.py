#!/usr/bin/env python3
"""`memfem convert` and .h5 meshes through the command line (tests/CMakeLists.txt).

usage: check_h5_mesh_cli.py MEMFEM CASE OUTDIR

convert CASE's Gmsh mesh to .h5; `memfem info` reports the same mesh from both; a run on
the .h5 mesh gives the .msh run's displacement_checksum bit for bit; a results.h5 loads
as a mesh too; a truncated .h5 mesh and a missing one fail with exit 2 and one error line
naming the file."""
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h5check import fail, run, summary  # noqa: E402

memfem, case, out = sys.argv[1:4]
shutil.rmtree(out, ignore_errors=True)
os.makedirs(out)
msh = os.path.join(os.path.dirname(os.path.abspath(case)), "..", "meshes", "cube.msh")
h5 = os.path.join(out, "cube.h5")
r = run([memfem, "convert", msh, h5])
if not r.stdout.startswith("wrote " + h5):
    fail("convert printed: %s" % r.stdout)
info_msh = run([memfem, "info", msh]).stdout.splitlines()
info_h5 = run([memfem, "info", h5]).stdout.splitlines()
if info_msh[1:] != info_h5[1:] or not info_h5[0].endswith(h5):
    fail("info differs:\n%s\n---\n%s" % ("\n".join(info_msh), "\n".join(info_h5)))

run([memfem, "run", case, "--quiet", "--out", os.path.join(out, "msh"), "--mesh", msh])
run([memfem, "run", case, "--quiet", "--out", os.path.join(out, "h5"), "--mesh", h5])
a, b = summary(os.path.join(out, "msh")), summary(os.path.join(out, "h5"))
if a["displacement_checksum"] != b["displacement_checksum"]:
    fail("checksum from .msh %s, from .h5 %s" % (a["displacement_checksum"], b["displacement_checksum"]))
res = os.path.join(out, "h5", "results.h5")
if run([memfem, "info", res]).stdout.splitlines()[1:] != info_msh[1:]:
    fail("results.h5 does not load as the same mesh")


def one_error(args, path, pattern):
    r = run(args, expect_rc=2)
    lines = r.stderr.strip().splitlines()
    if len(lines) != 1 or path not in lines[0] or not re.search(pattern, lines[0]):
        fail("expected one error line naming %s matching %r, got:\n%s" % (path, pattern, r.stderr))
    print(lines[0])


trunc = os.path.join(out, "truncated.h5")
data = open(h5, "rb").read()
open(trunc, "wb").write(data[: len(data) * 2 // 3])
one_error([memfem, "run", case, "--quiet", "--out", os.path.join(out, "bad"), "--mesh", trunc], trunc,
          "truncated or corrupt")
one_error([memfem, "info", trunc], trunc, "truncated or corrupt")
missing = os.path.join(out, "missing.h5")
one_error([memfem, "convert", missing, os.path.join(out, "x.h5")], missing, "cannot open")
one_error([memfem, "convert", msh, os.path.join(out, "no_such_dir", "x.h5")], "x.h5", "cannot create")
print("ok: convert, info, run on .h5 = run on .msh (%s), broken files reported" % b["displacement_checksum"])
