#!/usr/bin/env python3
"""End-to-end check of memfem's memory telemetry (issue 3, guarantees 11, 12 and 14).

Runs a case with the given memfem binary and checks what it wrote:
  - telemetry.csv has the documented columns and one row per Newton iteration (the
    iterations of every step plus the check that found convergence);
  - pool scratch: no allocation by memfem in any iteration after the first of its step,
    at every thread count given; naive scratch: at least one counted allocation per
    element per assembly;
  - the allocator's own figures are numbers where the allocator has them (jemalloc:
    allocated, active, resident, mapped, retained) and exactly "n/a" where it has none
    (glibc: active, resident), in telemetry.csv and in summary.json's memory section;
  - the fragmentation ratio is a positive number in every row;
  - --memory-report prints its table; a soak run with release_after_step adds its rows.

usage: check_telemetry.py MEMFEM CASE OUTDIR ALLOCATOR SCRATCH [THREADS,...]
"""
import csv
import json
import os
import subprocess
import sys

REQUIRED = ["step", "iteration", "seconds", "allocs", "alloc_bytes", "live_bytes",
            "peak_live_bytes", "rss_bytes", "hwm_bytes", "vmsize_bytes",
            "allocator_allocated", "allocator_active", "allocator_resident", "frag_ratio"]
# Per-phase seconds (issue 4), appended after the memory columns: the older columns keep
# their order.
PHASES = ["t_assembly", "t_spmv", "t_pc", "t_vec"]
STEP_SECONDS = ["assembly", "solve", "other", "spmv", "pc", "vec", "output"]
RUN_SECONDS = ["mesh", "reorder", "setup", "pattern", "assembly", "solve", "spmv", "pc", "vec", "output", "total"]
ALLOCATOR_FIELDS = ["allocated", "active", "resident", "mapped", "retained"]
# Which allocator figures each allocator provides (see src/mem/mf_allocator_<name>.c).
PROVIDES = {
    "system": {"allocated", "mapped", "retained"},
    "jemalloc": set(ALLOCATOR_FIELDS),
    "tcmalloc": set(ALLOCATOR_FIELDS),
    "mimalloc": {"mapped"},
}

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def run(memfem, args, out):
    cmd = [memfem, "run"] + args + ["--out", out]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        sys.exit("memfem failed (%d): %s\n%s" % (p.returncode, " ".join(cmd), p.stderr))
    with open(os.path.join(out, "summary.json")) as f:
        summary = json.load(f)
    with open(os.path.join(out, "telemetry.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    return p.stdout, summary, rows


# A sanitizer build (MEMFEM_SANITIZE=address or thread; tests/CMakeLists.txt sets this):
# the sanitizer's runtime serves malloc, so memfem must say the allocator is not verified
# and give no allocator figure (n/a), rather than plausible-looking ones.
SANITIZED = os.environ.get("MF_SANITIZER_SERVES_MALLOC") == "1"


def check_allocator_figures(allocator, rows, memory, label):
    have = set() if SANITIZED else PROVIDES[allocator]
    for field in ALLOCATOR_FIELDS:
        col = "allocator_" + field
        values = {r[col] for r in rows}
        if field in have:
            check("n/a" not in values and all(int(v) >= 0 for v in values),
                  "%s: %s must be a number in every row (got %s)" % (label, col, sorted(values)[:3]))
            check(isinstance(memory["final"][col], (int, float)),
                  "%s: summary.json memory.final.%s must be a number" % (label, col))
        else:
            check(values == {"n/a"}, "%s: %s must be n/a in every row (got %s)" % (label, col, sorted(values)[:3]))
            check(memory["final"][col] == "n/a", "%s: summary.json memory.final.%s must be \"n/a\"" % (label, col))


def check_phases(summary, rows, label):
    """Per-phase timers: columns appended in order, non-negative numbers, and per step the
    telemetry rows add up to the step's assembly and CG kernel seconds."""
    header = list(rows[0].keys()) if rows else []
    check(header[-len(PHASES):] == PHASES and header[:len(header) - len(PHASES)][-1] == "frag_ratio",
          "%s: telemetry.csv must end with frag_ratio,%s (got %s)" % (label, ",".join(PHASES), header[-6:]))
    for c in PHASES:
        check(all(float(r[c]) >= 0 for r in rows), "%s: %s must be a number >= 0 in every row" % (label, c))
    check(any(float(r["t_spmv"]) > 0 for r in rows), "%s: t_spmv is zero in every row" % label)
    for s in summary["steps"]:
        sec = s["seconds"]
        missing = [k for k in STEP_SECONDS if not isinstance(sec.get(k), (int, float)) or sec[k] < 0]
        check(not missing, "%s: step %d seconds lack %s" % (label, s["step"], missing))
        if missing:
            continue
        check(sec["spmv"] + sec["pc"] + sec["vec"] <= sec["solve"] * 1.0001 + 1e-6,
              "%s: step %d spmv+pc+vec exceeds solve" % (label, s["step"]))
        mine = [r for r in rows if int(r["step"]) == s["step"] and int(r["iteration"]) >= 0]
        for col, key in (("t_assembly", "assembly"), ("t_spmv", "spmv"), ("t_pc", "pc"), ("t_vec", "vec")):
            total = sum(float(r[col]) for r in mine)
            check(abs(total - sec[key]) <= 1e-5 * len(mine) + 1e-6 * sec[key],
                  "%s: step %d telemetry %s sums to %.6f, summary says %.6f" % (label, s["step"], col, total, sec[key]))
    run_sec = summary["run"]["seconds"]
    check(all(k in run_sec for k in RUN_SECONDS), "%s: run.seconds lacks %s" % (label, [k for k in RUN_SECONDS if k not in run_sec]))
    check(run_sec.get("reorder") == "n/a" or isinstance(run_sec.get("reorder"), (int, float)),
          "%s: run.seconds.reorder must be a number or \"n/a\"" % label)
    fom = summary["fom"]
    for k in ("stream_triad_gbs", "cg_bandwidth_ratio"):
        check(fom.get(k) == "n/a", "%s: fom.%s must be \"n/a\" without --stream (got %s)" % (label, k, fom.get(k)))


def main():
    if len(sys.argv) < 6:
        sys.exit(__doc__)
    memfem, case, outdir, allocator, scratch = sys.argv[1:6]
    threads = [int(t) for t in (sys.argv[6] if len(sys.argv) > 6 else "1,2").split(",")]
    checksums = set()
    for t in threads:
        label = "%s/%s %d thread(s)" % (scratch, allocator, t)
        out = os.path.join(outdir, "threads-%d" % t)
        stdout, summary, rows = run(memfem, [case, "--threads", str(t), "--quiet"], out)
        memory = summary["memory"]
        checksums.add(summary["displacement_checksum"])
        check(memory["scratch"] == scratch and memory["allocator"] == allocator,
              "%s: summary.json names scratch %s, allocator %s" % (label, memory["scratch"], memory["allocator"]))
        check(memory["allocator_verified"] is not SANITIZED,
              "%s: allocator %sverified (%s)" % (label, "" if SANITIZED else "not ", memory["allocator_serving"]))

        missing = [c for c in REQUIRED if c not in rows[0]] if rows else REQUIRED
        check(not missing, "%s: telemetry.csv lacks columns %s" % (label, missing))
        expected_rows = sum(s["newton_iterations"] + 1 for s in summary["steps"])
        check(len(rows) == expected_rows, "%s: %d telemetry rows, expected %d" % (label, len(rows), expected_rows))
        check(memory["telemetry_rows"] == len(rows), "%s: summary telemetry_rows %s" % (label, memory["telemetry_rows"]))
        steps_seen = {int(r["step"]) for r in rows}
        check(steps_seen == {s["step"] for s in summary["steps"]}, "%s: telemetry steps %s" % (label, steps_seen))

        allocs = [int(r["allocs"]) for r in rows]
        later = [int(r["allocs"]) for r in rows if int(r["iteration"]) > 0]
        assembled = summary["fom"]["elements_assembled"]
        if scratch == "pool":
            check(later and max(later) == 0,
                  "%s: pool build allocated in an iteration after the first: %s" % (label, sorted(set(later))))
            check(memory["max_allocs_later_iteration"] == 0, "%s: summary max_allocs_later_iteration" % label)
        else:
            check(assembled > 0 and sum(allocs) >= assembled,
                  "%s: naive build counted %d allocations for %d element evaluations" % (label, sum(allocs), assembled))
            check(memory["allocs_in_iterations"] == sum(allocs), "%s: summary allocs_in_iterations" % label)
        check(all(r["frag_ratio"] != "n/a" and float(r["frag_ratio"]) > 0 for r in rows),
              "%s: frag_ratio must be a positive number in every row" % label)
        check(all(int(r["rss_bytes"]) > 0 and int(r["hwm_bytes"]) >= int(r["rss_bytes"]) for r in rows),
              "%s: rss_bytes/hwm_bytes" % label)
        check_allocator_figures(allocator, rows, memory, label)
        check_phases(summary, rows, label)
    check(len(checksums) == 1, "displacement checksums differ between thread counts: %s" % checksums)

    # A soak with release_after_step (set in the case file; --soak-steps overrides the
    # case's count) and --memory-report: extra load steps, data kept between them, and a
    # sample after each step's release (iteration -1).
    soak_case = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "cases", "cube_soak.yaml")
    out = os.path.join(outdir, "soak")
    stdout, summary, rows = run(memfem, [soak_case, "--soak-steps", "6", "--memory-report"], out)
    memory = summary["memory"]
    check("memory by load step" in stdout, "--memory-report printed no table")
    check(memory["soak_steps"] == 6 and memory["release_after_step"] is True,
          "summary.json memory: soak_steps %s, release_after_step %s" % (memory["soak_steps"], memory["release_after_step"]))
    n_steps = len(summary["steps"])
    check(n_steps == 2 + 6, "soak ran %d load steps, expected 2 + 6" % n_steps)
    released = [r for r in rows if int(r["iteration"]) == -1]
    check(len(released) == n_steps, "%d release samples for %d steps" % (len(released), n_steps))
    live = [int(r["live_bytes"]) for r in rows]
    check(max(live) > live[0], "soak kept no data: live_bytes never grew above %d" % live[0])
    check_allocator_figures(allocator, rows, memory, "soak")

    if failures:
        print("%d check(s) failed" % len(failures))
        return 1
    print("telemetry checks passed: %s scratch, %s allocator, threads %s" % (scratch, allocator, threads))
    return 0


if __name__ == "__main__":
    sys.exit(main())
