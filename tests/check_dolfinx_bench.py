#!/usr/bin/python3
"""Smoke test of bench/dolfinx/compare.sh (label bench): one repetition on the committed
3,589-node cantilever, DOLFINx on 1 and 2 ranks, memfem block-jacobi and amg on 1 and 2
threads. Checks the files it writes and that the two codes solve the same problem (every
probe and every node's displacement agree); never a time.

    check_dolfinx_bench.py MEMFEM OUT_DIR        exit 77 (skipped) without DOLFINx or MPI
"""
import csv
import json
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = "/usr/bin/python3"  # the interpreter compare.sh runs DOLFINx with
AGREE = 1e-6  # relative; the same P1 problem solved by two CGs to 1e-8


def fail(msg):
    print(f"FAIL: {msg}")
    sys.exit(1)


def main():
    memfem, out = sys.argv[1], sys.argv[2]
    # compare.sh runs Debian's /usr/bin/python3. Asked in a child: importing dolfinx here
    # would make this process an MPI singleton whose environment breaks compare.sh's mpirun.
    if subprocess.call([PY, "-c", "import dolfinx, yaml, h5py"], stderr=subprocess.DEVNULL):
        print("skipped: no python3-dolfinx, python3-yaml or python3-h5py (scripts/install-deps.sh --dolfinx)")
        return 77
    if shutil.which("mpirun") is None:
        print("skipped: no mpirun (scripts/install-deps.sh --dolfinx)")
        return 77
    shutil.rmtree(out, ignore_errors=True)
    cmd = [os.path.join(ROOT, "bench/dolfinx/compare.sh"), "--no-install", "--mesh",
           os.path.join(ROOT, "meshes/cantilever.msh"), "--reps", "1", "--out", out, memfem]
    rc = subprocess.call(cmd)
    if rc == 77:
        return 77
    if rc != 0:
        fail(f"compare.sh exited {rc}")

    for f in ("machine.txt", "meshes.csv", "results.csv", "table.md", "agreement.json"):
        if not os.path.getsize(os.path.join(out, f)):
            fail(f"{f} is empty")
    machine = open(os.path.join(out, "machine.txt")).read()
    for word in ("dolfinx 0.5", "petsc", "Open MPI", "memfem", "load average"):
        if word not in machine:
            fail(f"machine.txt does not name {word!r}")
    meshes = list(csv.DictReader(open(os.path.join(out, "meshes.csv"))))
    if [(m["mesh"], m["nodes"]) for m in meshes] != [("cantilever", "3589")] or len(meshes[0]["md5"]) != 32:
        fail(f"meshes.csv: {meshes}")

    rows = list(csv.DictReader(open(os.path.join(out, "results.csv"))))
    got = sorted((r["tool"], r["config"], r["ranks"], r["threads"]) for r in rows)
    want = sorted([("dolfinx", "gamg", "1", "1"), ("dolfinx", "gamg", "2", "1")] +
                  [("memfem", pc, "1", t) for pc in ("block-jacobi", "amg") for t in ("1", "2")])
    if got != want:
        fail(f"results.csv configurations {got}, expected {want}")
    tips = []
    for r in rows:
        what = f"{r['tool']} {r['config']} {r['ranks']}x{r['threads']}"
        if r["status"] != "ok" or r["nodes"] != "3589" or r["mesh"] != "cantilever":
            fail(f"{what}: {r}")
        for c in ("wall_s", "mesh_s", "assembly_s", "setup_s", "solve_s", "peak_rss_mb", "load1"):
            if not float(r[c]) >= 0.0:  # present and a number; never compared with a time
                fail(f"{what}: {c} = {r[c]!r}")
        if not 0 < int(r["iterations"]) < 20000 or not float(r["peak_rss_mb"]) > 0:
            fail(f"{what}: iterations {r['iterations']}, peak RSS {r['peak_rss_mb']}")
        tips.append(float(r["tip_uz"]))
    # Same answer everywhere; and the right one: a tip load of 10 on a 10 x 1 x 1 beam of
    # E 200000 bends it by P L^3 / 3EI = 0.2 (linear tets on this coarse mesh are stiffer).
    spread = (max(tips) - min(tips)) / abs(tips[0])
    if spread > AGREE:
        fail(f"tip uz differs between runs by {spread:.2e} relative: {tips}")
    if not -0.2 < tips[0] < -0.17:
        fail(f"tip uz {tips[0]} is not the beam's deflection (about -0.19)")

    agree = json.load(open(os.path.join(out, "agreement.json")))
    p, fld = agree["probes"].get("cantilever"), agree["field"].get("cantilever")
    if not p or p["probes"] != ["mid_top", "tip_center", "tip_corner"] or p["max_rel_diff"] > AGREE:
        fail(f"probe agreement: {p}")
    if not fld or fld["nodes"] != 3589 or fld["max_rel_diff"] > AGREE:
        fail(f"field agreement: {fld}")
    table = open(os.path.join(out, "table.md")).read()
    if table.count("| memfem |") != 4 or table.count("| dolfinx |") != 2 or "Against DOLFINx on 2 ranks" not in table:
        fail("table.md lacks a configuration or the ratio to DOLFINx")
    print(f"ok: tip uz {tips[0]:.9e}, probes agree to {p['max_rel_diff']:.1e}, field to {fld['max_rel_diff']:.1e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
