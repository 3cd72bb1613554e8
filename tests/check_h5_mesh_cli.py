#!/usr/bin/env python3
"""`memfem convert` and .h5 meshes through the command line (tests/CMakeLists.txt).

usage: check_h5_mesh_cli.py MEMFEM CASE OUTDIR

convert CASE's Gmsh mesh to .h5; `memfem info` reports the same mesh from both; a run on
the .h5 mesh gives the .msh run's displacement_checksum bit for bit, and so does a run on
the file `convert --order rcm --parts` writes (block-Jacobi and amg), which says it took
the file's order, while --reorder metis renumbers it again; convert refuses bad --order
and --parts with exit 2 and no file; a results.h5 loads
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

# --order and --parts: the file in the run's renumbering with its cuts, which a run takes
# (same checksum as the .msh run, with block-Jacobi and with amg, whose aggregation is
# keyed on the source order's node numbers the file keeps)
cut = os.path.join(out, "cube-rcm.h5")
r = run([memfem, "convert", msh, cut, "--order", "rcm", "--parts", "3,2,3"])
if "in rcm order, with its cut into 1 assembly blocks and its parts for 2, 3 processes" not in r.stdout:
    fail("convert --order printed: %s" % r.stdout)
info = run([memfem, "info", cut]).stdout
if "  cuts    rcm order, 1 assembly blocks, parts for 2, 3 processes" not in info:
    fail("info on %s does not list its cuts:\n%s" % (cut, info))
part = run([memfem, "partition", cut, "--parts", "3"]).stdout
if "in 3 parts (METIS k-way on the element dual graph, the mesh file's)" not in part:
    fail("partition on %s does not say it took the file's parts:\n%s" % (cut, part))
for pc in ("block-jacobi", "amg"):
    run([memfem, "run", case, "--quiet", "--out", os.path.join(out, "msh-" + pc), "--preconditioner", pc])
    p = run([memfem, "run", case, "--out", os.path.join(out, "cut-" + pc), "--mesh", cut, "--preconditioner", pc])
    if "reorder   rcm: the mesh file's order, and its cuts" not in p.stdout:
        fail("a run on %s does not say it took the file's order:\n%s" % (cut, p.stdout))
    ref, got = summary(os.path.join(out, "msh-" + pc)), summary(os.path.join(out, "cut-" + pc))
    if (ref["run"]["cuts"], got["run"]["cuts"]) != ("made by the run", "mesh file: order, blocks"):
        fail("summary.json run.cuts: %r from .msh, %r from the file" % (ref["run"]["cuts"], got["run"]["cuts"]))
    if ref["displacement_checksum"] != got["displacement_checksum"]:
        fail("%s: checksum from .msh %s, from the file with its cuts %s"
             % (pc, ref["displacement_checksum"], got["displacement_checksum"]))
# reorder none keeps the file's order, so its cuts hold; another setting renumbers the
# file again (its cuts dropped)
p = run([memfem, "run", case, "--out", os.path.join(out, "cut-none"), "--mesh", cut, "--reorder", "none"])
if "reorder   none: the mesh file's order (rcm), and its cuts" not in p.stdout or \
        summary(os.path.join(out, "cut-none"))["displacement_checksum"] != \
        summary(os.path.join(out, "cut-block-jacobi"))["displacement_checksum"]:
    fail("--reorder none on %s: not the file's order and cuts, or not its checksum:\n%s" % (cut, p.stdout))
p = run([memfem, "run", case, "--out", os.path.join(out, "cut-metis"), "--mesh", cut, "--reorder", "metis"])
if "the mesh file's order" in p.stdout or "reorder   metis" not in p.stdout:
    fail("--reorder metis on %s:\n%s" % (cut, p.stdout))
for args, pattern in ((["--parts", "2"], "--parts needs --order"), (["--order", "hilbert"], "--order expects"),
                      (["--order", "rcm", "--parts", "1"], "--parts expects"),
                      (["--order", "rcm", "--parts", "9999"], "at most the 4994 elements")):
    r = run([memfem, "convert", msh, os.path.join(out, "bad-cut.h5")] + args, expect_rc=2)
    if not re.search(pattern, r.stderr) or os.path.exists(os.path.join(out, "bad-cut.h5")):
        fail("convert %s: expected an error matching %r and no file, got: %s" % (args, pattern, r.stderr))
print("ok: convert, info, run on .h5 = run on .msh (%s), also with its cuts (block-Jacobi and amg), broken files "
      "and bad options reported" % b["displacement_checksum"])
