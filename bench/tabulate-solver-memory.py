#!/usr/bin/env python3
"""Tabulate bench/solver-memory.sh: one row per variant, medians and min-max over the
repetitions. usage: tabulate-solver-memory.py DIR (writes DIR/solver-memory.csv, prints
markdown)."""
import csv
import json
import pathlib
import re
import statistics
import sys


def peak_rss_bytes(time_txt):
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", time_txt.read_text())
    return int(m.group(1)) * 1024.0 if m else float("nan")


def one(run):
    s = json.loads((run / "summary.json").read_text())
    steps = s["steps"]
    solves = sum(st["newton_iterations"] for st in steps)
    cg = sum(st["cg_iterations"] for st in steps)
    sec = s["run"]["seconds"]
    nodes = s["mesh"]["nodes"]
    rss = peak_rss_bytes(run / "time.txt")
    levels = s.get("linear", {}).get("hierarchy", {}).get("levels", [])
    return {
        "status": "converged" if s["status"] == "converged" else "FAILED",
        "nodes": nodes,
        "checksum": s["displacement_checksum"],
        "solves": solves,
        "cg_per_solve": cg / solves if solves else float("nan"),
        "peak_rss_mib": rss / 2**20,
        "rss_bytes_per_node": rss / nodes,
        "hierarchy_bytes_per_node": sum(lv["bytes"] for lv in levels) / nodes if levels else 0.0,
        "pc_setup_s": sec.get("pc_setup", float("nan")),
        "solve_s": sec["solve"],
        "total_s": sec["total"],
    }


def main():
    out = pathlib.Path(sys.argv[1])
    groups = {}
    for run in sorted((out / "runs").iterdir()):
        m = re.match(r"(.+)-r(\d+)$", run.name)
        if not m or not (run / "summary.json").exists():
            continue
        groups.setdefault(m.group(1), []).append(one(run))
    keys = ["solves", "cg_per_solve", "peak_rss_mib", "rss_bytes_per_node", "hierarchy_bytes_per_node", "pc_setup_s",
            "solve_s", "total_s"]
    with open(out / "solver-memory.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["variant", "nodes", "reps", "status", "checksum"] +
                   [k + s for k in keys for s in ("_median", "_min", "_max")])
        for v, runs in groups.items():
            status = "converged" if all(r["status"] == "converged" for r in runs) else "FAILED"
            row = [v, runs[0]["nodes"], len(runs), status, runs[0]["checksum"]]
            for k in keys:
                x = [r[k] for r in runs]
                row += [statistics.median(x), min(x), max(x)]
            w.writerow(row)
    print("| variant | nodes | status | CG per solve | peak RSS MiB | B/node (RSS) | B/node (hierarchy) | "
          "pc set-up s | solve s | total s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for v, runs in groups.items():
        status = "converged" if all(r["status"] == "converged" for r in runs) else "FAILED"

        def fmt(k, d=0):
            x = [r[k] for r in runs]
            med = statistics.median(x)
            return f"{med:.{d}f}" if len(x) == 1 else f"{med:.{d}f} [{min(x):.{d}f}-{max(x):.{d}f}]"

        print(f"| {v} | {runs[0]['nodes']} | {status} | {fmt('cg_per_solve', 1)} | {fmt('peak_rss_mib')} | "
              f"{fmt('rss_bytes_per_node')} | {fmt('hierarchy_bytes_per_node')} | {fmt('pc_setup_s', 1)} | "
              f"{fmt('solve_s', 1)} | {fmt('total_s', 1)} |")


if __name__ == "__main__":
    main()
