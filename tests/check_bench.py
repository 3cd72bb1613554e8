#!/usr/bin/env python3
"""Smoke and consistency check of memfem-bench (issue 6, item 1).

Runs the three microbenchmarks on tiny sizes and checks what they print, never a time:
  - CSV with the documented header; every figure finite and positive (counts may be
    zero), median within [min, max];
  - assembly: the internal-force hash is the same at 1, 2 and 3 threads (bit-identical
    arithmetic); allocations per assembly are 0 with the pool scratch and exactly
    10 per element with the naive one (one malloc per work array);
  - cg: STREAM, SpMV and CG figures and their ratios at each thread count;
  - iterate: every variant at each thread count, the same sum from every variant that
    visits records in order (same data, same arithmetic) and the shuffled one equal to
    rounding, resident bytes per record at least the payload.

usage: check_bench.py MEMFEM-BENCH
"""
import csv
import io
import math
import subprocess
import sys

HEADER = "bench,variant,case,threads,reps,metric,unit,median,min,max,note".split(",")
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)


def run(exe, *args):
    p = subprocess.run([exe, *args], capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        sys.exit(f"check_bench: {' '.join(args)} exited {p.returncode}:\n{p.stderr}")
    rows = list(csv.reader(io.StringIO(p.stdout)))
    check(rows and rows[0] == HEADER, f"{args[0]}: header {rows[:1]}")
    out = [dict(zip(HEADER, r)) for r in rows[1:]]
    for r in out:
        lo, med, hi = (float(r[k]) for k in ("min", "median", "max"))
        finite = all(math.isfinite(v) for v in (lo, med, hi))
        check(finite and lo <= med <= hi, f"{args[0]}: {r['metric']} not min <= median <= max: {r}")
        if r["unit"] != "count":
            check(lo > 0, f"{args[0]}: {r['metric']} not positive: {r}")
    check(out, f"{args[0]}: no rows")
    return out


def main():
    exe = sys.argv[1]
    mesh = "box:1x1x1:6x5x4"
    rows = run(exe, "assembly", "--mesh", mesh, "--threads", "1,2,3", "--reps", "2")
    scratch = rows[0]["variant"].split("-")[0]
    hashes = {r["note"].split()[1] for r in rows}
    check(len(hashes) == 1, f"assembly: internal force differs between thread counts: {hashes}")
    for r in rows:
        if r["metric"] != "allocs_per_assembly":
            continue
        elems = float(r["note"].split("elements=")[1])
        want = 0 if scratch == "pool" else 10 * elems
        check(float(r["median"]) == want, f"assembly: {r['median']} allocations per assembly, expected {want} ({scratch})")
    check({int(r["threads"]) for r in rows} == {1, 2, 3}, "assembly: missing thread counts")

    rows = run(exe, "cg", "--mesh", mesh, "--threads", "1,2", "--reps", "2", "--iters", "5", "--stream-mb", "8")
    metrics = {(r["metric"], int(r["threads"])) for r in rows}
    for m in ("triad_bandwidth", "spmv_bandwidth", "spmv_over_triad", "cg_bandwidth", "cg_iteration_time",
              "cg_over_triad"):
        for t in (1, 2):
            check((m, t) in metrics, f"cg: no {m} at {t} threads")

    rows = run(exe, "iterate", "--nodes", "40003", "--threads", "1,2", "--reps", "2")
    for t in (1, 2):
        mine = [r for r in rows if int(r["threads"]) == t]
        variants = {r["case"].split(":")[0] for r in mine}
        check({"flat", "ptr-inorder", "ptr-shuffled"} <= variants and any(v.startswith("store-") for v in variants),
              f"iterate: variants at {t} threads: {variants}")
        sums = {r["case"].split(":")[0]: float(r["note"].split("=")[1]) for r in mine if r["metric"] == "time_per_record"}
        in_order = {v: s for v, s in sums.items() if v != "ptr-shuffled"}
        check(len(set(in_order.values())) == 1, f"iterate: variants disagree at {t} threads: {in_order}")
        # the shuffled visit adds the same terms in another order: equal to rounding
        check(abs(sums["ptr-shuffled"] - sums["flat"]) <= 1e-12 * abs(sums["flat"]),
              f"iterate: shuffled sum {sums['ptr-shuffled']} vs flat {sums['flat']}")
        for r in mine:
            if r["metric"] == "resident_per_record":
                check(float(r["median"]) >= 0.9 * 24, f"iterate: resident bytes per record below the payload: {r}")
    for args in (("assembly", "--reps", "0"), ("cg", "--threads", "1,x"), ("iterate", "--record-bytes", "12"),
                 ("nosuch",), ("assembly", "--mesh")):
        p = subprocess.run([exe, *args], capture_output=True, text=True, timeout=60)
        check(p.returncode == 2 and "error" in p.stderr and p.stdout == "",
              f"bad arguments {args}: exit {p.returncode}, stderr {p.stderr!r}")
    p = subprocess.run([exe, "assembly", "--mesh", "/nonexistent.msh"], capture_output=True, text=True, timeout=60)
    check(p.returncode == 1 and "/nonexistent.msh" in p.stderr, f"missing mesh: exit {p.returncode}, {p.stderr!r}")

    for f in failures:
        print("FAIL:", f)
    print(f"check_bench: {'FAILED' if failures else 'ok'} ({len(failures)} failures)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
