#!/usr/bin/env python3
"""Tabulate bench/solvers.sh: one row per case, preconditioner and thread count, medians
and min-max over the repetitions. usage: tabulate-solvers.py DIR (writes DIR/solvers.csv,
prints markdown)."""
import csv
import json
import pathlib
import re
import statistics
import sys


def peak_rss_mb(time_txt):
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", time_txt.read_text())
    return int(m.group(1)) / 1024.0 if m else float("nan")


def one(run):
    s = json.loads((run / "summary.json").read_text())
    steps = s["steps"]
    solves = sum(st["newton_iterations"] for st in steps)
    cg = sum(st["cg_iterations"] for st in steps)
    per_step = [st["cg_iterations"] / st["newton_iterations"] for st in steps if st["newton_iterations"]]
    sec = s["run"]["seconds"]
    return {
        "status": "converged" if s["status"] == "converged" else "FAILED",
        "nodes": s["mesh"]["nodes"],
        "solves": solves,
        "cg_per_solve": cg / solves if solves else float("nan"),
        "cg_per_solve_max_step": max(per_step) if per_step else float("nan"),
        "pc_setup_s": sec.get("pc_setup", float("nan")),
        "solve_s": sec["solve"],
        "total_s": sec["total"],
        "peak_rss_mb": peak_rss_mb(run / "time.txt"),
        "levels": len(s.get("linear", {}).get("hierarchy", {}).get("levels", [])),
    }


def main():
    out = pathlib.Path(sys.argv[1])
    groups = {}
    for run in sorted((out / "runs").iterdir()):
        m = re.match(r"(.+?)-(none|jacobi|block-jacobi|amg|boomeramg)-t(\d+)-r(\d+)$", run.name)
        if not m or not (run / "summary.json").exists():
            continue
        groups.setdefault((m.group(1), m.group(2), int(m.group(3))), []).append(one(run))
    keys = ["nodes", "solves", "cg_per_solve", "cg_per_solve_max_step", "pc_setup_s", "solve_s", "total_s",
            "peak_rss_mb", "levels"]
    with open(out / "solvers.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["case", "pc", "threads", "reps", "status"] + [k + s for k in keys for s in ("_median", "_min", "_max")])
        for (case, pc, t), runs in groups.items():
            status = "converged" if all(r["status"] == "converged" for r in runs) else "FAILED"
            row = [case, pc, t, len(runs), status]
            for k in keys:
                v = [r[k] for r in runs]
                row += [statistics.median(v), min(v), max(v)]
            w.writerow(row)
    print("| case | nodes | preconditioner | threads | status | CG per solve (worst step) | pc set-up s | solve s | "
          "total s | peak RSS MiB |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for (case, pc, t), runs in groups.items():
        status = "converged" if all(r["status"] == "converged" for r in runs) else "FAILED"

        def fmt(k, d=1):
            v = [r[k] for r in runs]
            med = statistics.median(v)
            return f"{med:.{d}f}" if len(v) == 1 else f"{med:.{d}f} [{min(v):.{d}f}-{max(v):.{d}f}]"

        print(f"| {case} | {runs[0]['nodes']} | {pc} | {t} | {status} | {fmt('cg_per_solve')} "
              f"({fmt('cg_per_solve_max_step')}) | {fmt('pc_setup_s', 2)} | {fmt('solve_s', 2)} | {fmt('total_s', 2)} | "
              f"{fmt('peak_rss_mb')} |")


if __name__ == "__main__":
    main()
