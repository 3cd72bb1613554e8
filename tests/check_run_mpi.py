#!/usr/bin/env python3
"""`memfem run` across processes gives the one-process bits (issue 14; label mpi).

usage: check_run_mpi.py MPIEXEC MEMFEM OUTDIR [--hypre]

 1. The validation cases at ranks {1, 2, 3, 4} x threads {1, 2}: the cube with
    block-Jacobi and with memfem's multigrid (amg; again with its near-nullspace
    following the deformation, which redoes the tentative prolongator at every set-up,
    with the fine matrix in float for the V-cycle, and with every level below the fine
    one in float: amg.precision single),
    the cantilever with block-Jacobi, the tet10 and the mean-dilatation hex8 beams with
    amg, the linear plate with a hole with amg (its one step's check assembled without
    the tangent on every rank: half the elements assembled carry one). The displacement checksum of each equals the run without mpirun (and with amg
    across ranks, rank 0 allocates nothing after the first step: later numeric set-ups
    refill the hierarchy in place); for the cubes
    at every rank count, the residual history, CG iterations, reactions and probes of
    every step in summary.json, and every dataset of results.h5, are the same bits.
 1b. results.h5 and checkpoint.h5 of a box whose datasets span several chunks, written
    in blocks by 3 ranks and by 2 ranks x 2 threads: every dataset, and every
    checkpoint attribute (its state_checksum, computed on rank 0 by reading the written
    rows back, included), the one-process bits.
 1c. A mesh file carrying its cuts (`memfem convert --order rcm --parts 2,3`): the
    amg cantilever at 2 and 3 ranks (the file's parts, each read by its own rank from
    the file) and 4 (METIS's, handed out by rank 0) gives the .msh run's checksum, and
    the printout and summary.json say which cuts came from the file; so does the
    colour-assembled cantilever at 3 ranks x 2 threads (the colouring's keys read).
    There rank 0 reads only the file's outline: at 2 ranks every step record (probes
    found across the parts, reactions) and every results.h5 dataset (the mesh copied
    from the file) are one process's on the file, and a one-process checkpoint of the
    file (step 8) restarts at 2 ranks to the uninterrupted checksum (the run's
    fingerprint hashed from the file).
 2. Restart across rank counts: a 15-step run with a checkpoint every 2 steps, at 2
    ranks, leaves the checkpoint of step 14 with the one-process displacement; restarted
    from it at 3 ranks x 2 threads and at one process, the run ends on the uninterrupted
    checksum; restarted at 3 ranks into the 2-rank run's directory (given a
    /steps/writing group, as a run killed mid-write leaves), it continues its results.h5
    to the one-process file.
 3. Bad input: a case file that only rank 1 cannot open (MPMD launch: rank 1 is given
    another path, as on a node that does not see the file) ends every rank with exit 2
    and one message naming rank 1; so does a mesh file whose part 1 alone is damaged
    (rank 1 finds it reading its part), and one whose parts' exchange lists disagree (an
    owner changed: checked before any exchange); more ranks than elements is refused by
    name.
    None hangs (each run has a time limit).
 4. With --hypre (a build with MEMFEM_HYPRE=ON): BoomerAMG across 2 and 3 ranks takes the
    owned rows in hypre's parallel numbering; hypre's algorithms depend on the rank
    count, so the check is the answer, not the bits: converged, and the final
    displacement within 1e-9 of the largest one-process displacement."""
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h5check import fail, make_test_case, summary  # noqa: E402

mpiexec, memfem, out = sys.argv[1:4]
with_hypre = sys.argv[4:] == ["--hypre"]
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
env = dict(os.environ, OMP_WAIT_POLICY="passive", OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
os.makedirs(out, exist_ok=True)


def run(cmd, expect_rc=0):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    except subprocess.TimeoutExpired:
        fail("%s did not end within 600 s (a rank waiting on another?)" % " ".join(cmd))
    if expect_rc is not None and p.returncode != expect_rc:
        fail("%s exited %d (expected %d)\nstdout:\n%s\nstderr:\n%s"
             % (" ".join(cmd), p.returncode, expect_rc, p.stdout[-3000:], p.stderr[-3000:]))
    return p


def mpi(ranks, args, expect_rc=0):
    return run([mpiexec, "-n", str(ranks), "--oversubscribe", memfem] + args, expect_rc)


def datasets(path):
    found = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: found.__setitem__(name, obj[...].tobytes())
                     if isinstance(obj, h5py.Dataset) else None)
    return found


def checkpoint(path):
    """A checkpoint's attributes and datasets, as comparable values."""
    with h5py.File(path, "r") as f:
        attrs = {k: (v.tobytes() if isinstance(v, np.ndarray) else v) for k, v in f.attrs.items()}
    return attrs, datasets(path)


def step_record(sm):
    keep = ("step", "load_factor", "newton_iterations", "cg_iterations", "residual_norms", "reactions", "probes")
    return [{k: s.get(k) for k in keep} for s in sm["steps"]]


def cube_with(name, linear):
    """configs/cube.yaml with its output replaced and the line `linear` added."""
    case = make_test_case(os.path.join(root, "configs/cube.yaml"), os.path.join(out, name, "case"),
                          "output: {dir: %s/unused}" % out)
    with open(case, "a") as f:
        f.write(linear + "\n")
    return case


# 1. the validation cases
current = cube_with("cube_amg_current", "linear: {preconditioner: amg, amg: {nullspace: current}}")
fine_single = cube_with("cube_amg_fine_single", "linear: {preconditioner: amg, amg: {fine_precision: single}}")
single = cube_with("cube_amg_single", "linear: {preconditioner: amg, amg: {precision: single}}")
cases = [("cube", ["configs/cube.yaml"]), ("cube_amg", ["configs/cube.yaml", "--preconditioner", "amg"]),
         ("cube_amg_current", [current]), ("cube_amg_fine_single", [fine_single]), ("cube_amg_single", [single]),
         ("cantilever", ["configs/cantilever.yaml"]),
         ("beam_tet10_amg", ["tests/data/cases/beam_tet10.yaml", "--preconditioner", "amg"]),
         ("beam_hex8_md_amg", ["tests/data/cases/beam_hex8_mean_dilatation.yaml"]),
         ("plate_hole_amg", ["configs/plate_hole.yaml", "--preconditioner", "amg"])]
for name, args in cases:
    args = [os.path.join(root, args[0])] + args[1:]
    ref = os.path.join(out, name, "one")
    run([memfem, "run"] + args + ["--out", ref, "--quiet"])
    ref_sm = summary(ref)
    checksum = ref_sm["displacement_checksum"]
    ref_h5 = datasets(os.path.join(ref, "results.h5")) if name.startswith("cube") else None
    for ranks in (1, 2, 3, 4):
        for threads in (1, 2):
            d = os.path.join(out, name, "%dx%d" % (ranks, threads))
            mpi(ranks, ["run"] + args + ["--out", d, "--quiet", "--threads", str(threads)])
            sm = summary(d)
            if sm["displacement_checksum"] != checksum or sm["run"]["ranks"] != ranks:
                fail("%s at %d ranks x %d threads: checksum %s (ranks %s), one process %s"
                     % (name, ranks, threads, sm["displacement_checksum"], sm["run"]["ranks"], checksum))
            fom = sm["fom"]
            if name.startswith("plate_hole") and 2 * fom["elements_assembled_with_tangent"] != fom["elements_assembled"]:
                fail("%s at %d ranks: %d of %d elements assembled with their tangent: a linear problem's one step "
                     "should carry it in the solve's assembly only" % (name, ranks, fom["elements_assembled_with_tangent"],
                                                                       fom["elements_assembled"]))
            if name.startswith("cube_amg") and ranks > 1:  # the hierarchy is made once, then refilled
                with open(os.path.join(d, "telemetry.csv")) as f:
                    rows = [l.split(",") for l in f.read().split()[1:]]
                later = sum(int(r[4]) for r in rows if int(r[0]) > 1)
                if later or sm["memory"]["max_allocs_later_iteration"]:
                    fail("%s at %d ranks: %d allocations on rank 0 in steps after the first, at most %d in a later "
                         "iteration: a numeric set-up across processes allocated"
                         % (name, ranks, later, sm["memory"]["max_allocs_later_iteration"]))
            if ref_h5 is not None and threads == 2:
                if step_record(sm) != step_record(ref_sm):
                    fail("%s at %d ranks: summary.json steps differ from one process's" % (name, ranks))
                h5 = datasets(os.path.join(d, "results.h5"))
                differ = sorted(k for k in ref_h5 if h5.get(k) != ref_h5[k])
                if differ or set(h5) != set(ref_h5):
                    fail("%s at %d ranks: results.h5 datasets differ from one process's: %s" % (name, ranks, differ[:5]))
    print("%s: checksum %s at ranks 1-4 x threads 1-2%s" % (name, checksum,
          ", and every step record and results.h5 dataset" if ref_h5 is not None else ""))

# 1b. results.h5 written by several processes: a box whose datasets span several chunks,
# so that each rank writes its own block of rows of them (io/mf_h5_collective.h)
wr = os.path.join(out, "writers")
case = make_test_case(os.path.join(root, "configs/box_1m.yaml"), wr,
                      "output: {dir: %s/unused, every: 1, compression: 4}\ncheckpoint: {every: 1}" % wr)
base = ["run", case, "--mesh", "box:1x1x1:40x40x30:hex8", "--steps", "1", "--quiet"]
run([memfem] + base + ["--out", os.path.join(wr, "one")])
ref_h5 = datasets(os.path.join(wr, "one", "results.h5"))
ref_ckpt = checkpoint(os.path.join(wr, "one", "checkpoint.h5"))
with h5py.File(os.path.join(wr, "one", "results.h5"), "r") as f:
    d = f["steps/000001/displacement"]
    if d.shape[0] <= d.chunks[0] or d.compression != "gzip":
        fail("the writers' box has %d displacement rows in chunks of %d (%s): not several deflated chunks"
             % (d.shape[0], d.chunks[0], d.compression))
for ranks, threads in ((3, 1), (2, 2)):
    d = os.path.join(wr, "%dx%d" % (ranks, threads))
    mpi(ranks, base + ["--out", d, "--threads", str(threads)])
    h5 = datasets(os.path.join(d, "results.h5"))
    differ = sorted(k for k in ref_h5 if h5.get(k) != ref_h5[k])
    if differ or set(h5) != set(ref_h5):
        fail("results.h5 written by %d ranks differs from one process's: %s" % (ranks, differ[:5]))
    if checkpoint(os.path.join(d, "checkpoint.h5")) != ref_ckpt:
        fail("checkpoint.h5 written by %d ranks x %d threads differs from one process's (attributes or displacement)"
             % (ranks, threads))
print("results.h5 and checkpoint.h5 written in blocks by 3 ranks and by 2 ranks x 2 threads: every dataset and "
      "checkpoint attribute the one-process bits")

# 1c. a mesh file carrying its cuts (memfem convert --order rcm --parts 2,3): rank 0 takes
# the file's order, blocks and parts instead of making them, and at 2 and 3 ranks each rank
# reads its own part from the file (io/mf_h5_part.h); the runs keep the bits
cut_dir = os.path.join(out, "cuts")
os.makedirs(cut_dir, exist_ok=True)
cut_mesh = os.path.join(cut_dir, "cantilever.h5")
run([memfem, "convert", os.path.join(root, "meshes/cantilever.msh"), cut_mesh, "--order", "rcm", "--parts", "2,3"])
cant = [os.path.join(root, "configs/cantilever.yaml"), "--preconditioner", "amg", "--threads", "1"]
run([memfem, "run"] + cant + ["--out", os.path.join(cut_dir, "msh"), "--quiet"])
want = summary(os.path.join(cut_dir, "msh"))["displacement_checksum"]
for ranks in (2, 3, 4):
    d = os.path.join(cut_dir, "%d" % ranks)
    p = mpi(ranks, ["run"] + cant + ["--mesh", cut_mesh, "--out", d])
    stored = "parts of the element dual graph (the mesh file's, each process reading its own)" in p.stdout
    hint = "parts of the element dual graph (the mesh file has them for 2, 3 processes, not 4)" in p.stdout
    if "rcm: the mesh file's order" not in p.stdout or stored != (ranks in (2, 3)) or hint != (ranks == 4):
        fail("%d ranks on %s: the printout does not say which cuts are the file's:\n%s" % (ranks, cut_mesh, p.stdout))
    cuts = "mesh file: order, blocks" + (", parts, each read by its process" if ranks in (2, 3) else "")
    if summary(d)["run"]["cuts"] != cuts:
        fail("%d ranks: summary.json run.cuts %r, expected %r" % (ranks, summary(d)["run"]["cuts"], cuts))
    if summary(d)["displacement_checksum"] != want:
        fail("%d ranks on the mesh file with its cuts: checksum %s, the .msh run's %s"
             % (ranks, summary(d)["displacement_checksum"], want))
# rank 0 read only the file's outline: the probes (found across the parts), reactions,
# results.h5 (its mesh copied from the file a slice at a time) are one process's on the file
one = os.path.join(cut_dir, "one-on-file")
run([memfem, "run"] + cant + ["--mesh", cut_mesh, "--out", one, "--quiet"])
two = os.path.join(cut_dir, "2")
if (step_record(summary(two)) != step_record(summary(one))
        or summary(two)["mesh"]["nodes"] != summary(one)["mesh"]["nodes"]):
    fail("2 ranks reading their parts: summary.json steps or mesh differ from one process's on the file")
if datasets(os.path.join(two, "results.h5")) != datasets(os.path.join(one, "results.h5")):
    fail("2 ranks reading their parts: results.h5 differs from one process's on the file")
# a checkpoint made by one process, which read the whole file, restarts at 2 ranks, where
# rank 0 reads only the outline: the fingerprint hashed from the file a slice at a time is
# the whole mesh's, and the multigrid's aggregates are made from the first tangent again
ck_dir = os.path.join(cut_dir, "ckpt")
ck_case = make_test_case(os.path.join(root, "configs/cantilever.yaml"), ck_dir,
                         "output: {dir: %s/unused}\ncheckpoint: {every: 4}" % ck_dir)
ck = ["run", ck_case, "--mesh", cut_mesh, "--preconditioner", "amg", "--threads", "1", "--quiet"]
run([memfem] + ck + ["--out", os.path.join(ck_dir, "one")])
want_ck = summary(os.path.join(ck_dir, "one"))["displacement_checksum"]
mpi(2, ck + ["--out", os.path.join(ck_dir, "two"), "--restart", os.path.join(ck_dir, "one", "checkpoint.h5")])
sm = summary(os.path.join(ck_dir, "two"))
if sm["displacement_checksum"] != want_ck or [s["step"] for s in sm["steps"]] != [9, 10]:
    fail("a one-process checkpoint of the file restarted at 2 ranks (rank 0 reading the outline): checksum %s, "
         "steps %s; the uninterrupted run's %s" % (sm["displacement_checksum"], [s["step"] for s in sm["steps"]],
                                                  want_ck))
# colour assembly: its plan's keys are read too
colour = [os.path.join(root, "configs/cantilever.yaml"), "--assembly", "colour"]
run([memfem, "run"] + colour + ["--threads", "1", "--out", os.path.join(cut_dir, "msh-colour"), "--quiet"])
want_colour = summary(os.path.join(cut_dir, "msh-colour"))["displacement_checksum"]
d = os.path.join(cut_dir, "3-colour")
mpi(3, ["run"] + colour + ["--threads", "2", "--mesh", cut_mesh, "--out", d])
if summary(d)["displacement_checksum"] != want_colour or "each read" not in summary(d)["run"]["cuts"]:
    fail("3 ranks x 2 threads, colour assembly, each rank reading its part: checksum %s (cuts %r), the .msh run's %s"
         % (summary(d)["displacement_checksum"], summary(d)["run"]["cuts"], want_colour))
print("cantilever from a mesh file with its cuts at 2 and 3 ranks (the file's parts, each read by its rank; colour "
      "assembly too) and 4 (METIS's): checksum %s, the .msh run's" % want)

# 2. restart across rank counts
rs = os.path.join(out, "restart")
case = make_test_case(os.path.join(root, "configs/box_1m.yaml"), rs,
                      "output: {dir: %s/unused, every: 1}\ncheckpoint: {every: 2}" % rs)
base = ["run", case, "--mesh", "box:1x1x2:4x4x8", "--steps", "15", "--quiet"]
run([memfem] + base + ["--out", os.path.join(rs, "one")])
want = summary(os.path.join(rs, "one"))["displacement_checksum"]
mpi(2, base + ["--out", os.path.join(rs, "two")])
ckpt = os.path.join(rs, "two", "checkpoint.h5")
with h5py.File(ckpt, "r") as a, h5py.File(os.path.join(rs, "one", "checkpoint.h5"), "r") as b:
    if int(a.attrs["step"]) != 14 or datasets(ckpt) != datasets(os.path.join(rs, "one", "checkpoint.h5")):
        fail("the 2-rank checkpoint (step %s) differs from the one-process one" % a.attrs["step"])
for ranks, threads in ((3, 2), (1, 1)):
    d = os.path.join(rs, "restart-%d" % ranks)
    cmd = base + ["--out", d, "--restart", ckpt, "--threads", str(threads)]
    mpi(ranks, cmd) if ranks > 1 else run([memfem] + cmd)
    sm = summary(d)
    if sm["displacement_checksum"] != want or [s["step"] for s in sm["steps"]] != [15]:
        fail("restart at %d ranks from the 2-rank checkpoint: checksum %s steps %s, uninterrupted %s"
             % (ranks, sm["displacement_checksum"], [s["step"] for s in sm["steps"]], want))
# restarted at 3 ranks into the 2-rank run's own directory: results.h5 is reopened, its
# step 15 dropped and written again by the 3 ranks, the half-written group of a killed
# run replaced, and it then equals the one-process file
saved = os.path.join(rs, "step14.h5")
os.replace(ckpt, saved)
with h5py.File(os.path.join(rs, "two", "results.h5"), "a") as f:  # as a run killed mid-write leaves it
    f.create_group("steps/writing").create_dataset("displacement", data=np.zeros((3, 3)))
mpi(3, base + ["--out", os.path.join(rs, "two"), "--restart", saved])
h5, ref_h5 = datasets(os.path.join(rs, "two", "results.h5")), datasets(os.path.join(rs, "one", "results.h5"))
if h5 != ref_h5:
    fail("results.h5 continued at 3 ranks from a 2-rank run differs from one process's: %s"
         % sorted(k for k in ref_h5 if h5.get(k) != ref_h5[k])[:5])
print("restart: a 2-rank checkpoint of step 14 restarts at 3 ranks and at one process to %s, and continues "
      "the 2-rank results.h5 to the one-process file" % want)

# 3. bad input
cube = os.path.join(root, "configs/cube.yaml")
bad = os.path.join(out, "bad")
p = run([mpiexec, "--oversubscribe", "-n", "1", memfem, "run", cube, "--out", bad, "--quiet", ":",
         "-n", "1", memfem, "run", os.path.join(out, "missing.yaml"), "--out", bad, "--quiet"], expect_rc=None)
lines = [l for l in p.stderr.splitlines() if l.startswith("memfem: error")]
if p.returncode != 2 or len(lines) != 1 or "rank 1 of 2" not in lines[0] or "missing.yaml" not in lines[0]:
    fail("a case file missing on rank 1: exit %d, errors %s" % (p.returncode, lines))
for ranks, case, args, words in ((3, cube, ["--mesh", "box:1x1x1:1x1x2:hex8"], "a part needs at least one element"),):
    p = mpi(ranks, ["run", case, "--out", bad, "--quiet"] + args, expect_rc=None)
    lines = [l for l in p.stderr.splitlines() if l.startswith("memfem: error")]
    if p.returncode != 2 or len(lines) != 1 or words not in lines[0]:
        fail("%d ranks with %s: exit %d, errors %s" % (ranks, " ".join(args), p.returncode, lines))
# a mesh file whose part 1 alone is damaged: rank 1 finds it reading its part, and says so
broken = os.path.join(out, "bad-part.h5")
shutil.copyfile(cut_mesh, broken)
with h5py.File(broken, "r+") as f:
    first = int(f["/mesh/cuts/parts_0_local_ptr"][1])
    f["/mesh/cuts/parts_0_local"][first + 3] = 0  # part 1's elements no longer ascend
p = mpi(2, ["run", os.path.join(root, "configs/cantilever.yaml"), "--mesh", broken, "--out", bad, "--quiet"],
        expect_rc=None)
lines = [l for l in p.stderr.splitlines() if l.startswith("memfem: error")]
if p.returncode != 2 or len(lines) != 1 or "rank 1 of 2" not in lines[0] or "parts_0_local" not in lines[0]:
    fail("a mesh file whose part 1 is damaged: exit %d, errors %s" % (p.returncode, lines))
# a mesh file whose views disagree: a node inside part 0 said to be part 1's, so the parts'
# exchange lists differ; checked before any exchange, so an error and not a wait
shutil.copyfile(cut_mesh, broken)
with h5py.File(broken, "r+") as f:
    conn, owner = f["/mesh/connectivity"][...], f["/mesh/cuts/parts_0_owner"][...]
    ptr, local = f["/mesh/cuts/parts_0_local_ptr"][...], f["/mesh/cuts/parts_0_local"][...]
    held_by_1 = np.zeros(len(owner), bool)
    held_by_1[conn[local[ptr[1]:ptr[2]]].ravel()] = True
    f["/mesh/cuts/parts_0_owner"][int(np.flatnonzero((owner == 0) & ~held_by_1)[0])] = 1
p = mpi(2, ["run", os.path.join(root, "configs/cantilever.yaml"), "--mesh", broken, "--out", bad, "--quiet"],
        expect_rc=None)
lines = [l for l in p.stderr.splitlines() if l.startswith("memfem: error")]
if p.returncode != 2 or len(lines) != 1 or "exchange lists disagree" not in lines[0]:
    fail("a mesh file whose parts' views disagree: exit %d, errors %s" % (p.returncode, lines))
print("bad input: an error on rank 1 alone (a case file, its part of a mesh file), parts' views that disagree and "
      "too many ranks end every rank with one message")

# 4. BoomerAMG across ranks
def final_displacement(d):
    with h5py.File(os.path.join(d, "results.h5"), "r") as f:
        last = sorted(f["steps"].keys())[-1]
        return f["steps/%s/displacement" % last][...]


if with_hypre:
    hy = os.path.join(out, "boomeramg")
    args = ["run", cube, "--preconditioner", "boomeramg", "--quiet"]
    run([memfem] + args + ["--out", os.path.join(hy, "one")])
    u1 = final_displacement(os.path.join(hy, "one"))
    for ranks in (2, 3):
        d = os.path.join(hy, "r%d" % ranks)
        p = mpi(ranks, args + ["--out", d])
        if p.stderr.count("warning: hypre") > 1:
            fail("BoomerAMG at %d ranks: its set-up warning printed %d times" % (ranks, p.stderr.count("warning: hypre")))
        sm = summary(d)
        err = float(np.abs(final_displacement(d) - u1).max() / np.abs(u1).max())
        if sm["status"] != "converged" or not err < 1e-9:
            fail("BoomerAMG at %d ranks: status %s, displacement off by %.3g of the largest" % (ranks, sm["status"], err))
        print("boomeramg at %d ranks: %d CG iterations (one process %d), displacement within %.1e"
              % (ranks, sm["fom"]["cg_iterations"], summary(os.path.join(hy, "one"))["fom"]["cg_iterations"], err))
print("ok")
