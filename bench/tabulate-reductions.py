#!/usr/bin/env python3
"""Tabulate bench/reductions.sh: one row per case, reduction kind and thread count,
medians and min-max over the repetitions, and the exact runs' cost over the chunked ones
(ratio of the medians). usage: tabulate-reductions.py DIR (writes DIR/reductions.csv,
prints markdown)."""
import pathlib
import statistics
import sys

from runstats import group_runs, solver_figures, spread, status, write_csv


def one(run, s):
    f = solver_figures(s)
    sec = s["run"]["seconds"]
    f["vec_s"], f["pc_s"] = sec["vec"], sec["pc"]
    f["cg_iterations"] = sum(st["cg_iterations"] for st in s["steps"])
    f["checksum"] = s.get("displacement_checksum", "")
    return f


def main():
    out = pathlib.Path(sys.argv[1])
    groups = group_runs(out, r"(.+)-(exact|chunked)-t(\d+)-r(\d+)$", one)
    groups = {(c, m, int(t)): runs for (c, m, t), runs in groups.items()}
    keys = ["nodes", "cg_iterations", "vec_s", "pc_s", "solve_s", "total_s"]
    write_csv(out / "reductions.csv",
              lambda k, runs: [("case", k[0]), ("reductions", k[1]), ("threads", k[2]), ("reps", len(runs)),
                               ("status", status(runs))],
              groups, keys)
    print("| case | nodes | threads | reductions | CG iterations | vector kernels s | preconditioner s | solve s | "
          "total s | total / chunked |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for (case, mode, t), runs in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][2], kv[0][1] != "exact")):
        base = groups.get((case, "chunked", t))
        ratio = statistics.median(r["total_s"] for r in runs) / statistics.median(r["total_s"] for r in base) \
            if base else float("nan")
        print(f"| {case} | {runs[0]['nodes']} | {t} | {mode} | {runs[0]['cg_iterations']} | {spread(runs, 'vec_s', 3)} | "
              f"{spread(runs, 'pc_s', 3)} | {spread(runs, 'solve_s', 2)} | {spread(runs, 'total_s', 2)} | "
              f"{ratio:.3f} |")


if __name__ == "__main__":
    main()
