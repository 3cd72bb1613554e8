#!/usr/bin/env python3
"""Tabulate bench/solvers.sh: one row per case, preconditioner and thread count, medians
and min-max over the repetitions. usage: tabulate-solvers.py DIR (writes DIR/solvers.csv,
prints markdown)."""
import pathlib
import sys

from runstats import group_runs, peak_rss_bytes, solver_figures, spread, status, write_csv


def one(run, s):
    f = solver_figures(s)
    per_step = [st["cg_iterations"] / st["newton_iterations"] for st in s["steps"] if st["newton_iterations"]]
    f["cg_per_solve_max_step"] = max(per_step) if per_step else float("nan")
    f["peak_rss_mb"] = peak_rss_bytes(run / "time.txt") / 2**20
    f["levels"] = len(s.get("linear", {}).get("hierarchy", {}).get("levels", []))
    return f


def main():
    out = pathlib.Path(sys.argv[1])
    groups = group_runs(out, r"(.+?)-(none|jacobi|block-jacobi|amg|boomeramg(?:-agg\d+)?)-t(\d+)-r(\d+)$", one)
    groups = {(c, pc, int(t)): runs for (c, pc, t), runs in groups.items()}
    keys = ["nodes", "solves", "cg_per_solve", "cg_per_solve_max_step", "pc_setup_s", "solve_s", "total_s",
            "peak_rss_mb", "levels"]
    write_csv(out / "solvers.csv",
              lambda k, runs: [("case", k[0]), ("pc", k[1]), ("threads", k[2]), ("reps", len(runs)),
                               ("status", status(runs))],
              groups, keys)
    print("| case | nodes | preconditioner | threads | status | CG per solve (worst step) | pc set-up s | solve s | "
          "total s | peak RSS MiB |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for (case, pc, t), runs in groups.items():
        print(f"| {case} | {runs[0]['nodes']} | {pc} | {t} | {status(runs)} | {spread(runs, 'cg_per_solve', 1)} "
              f"({spread(runs, 'cg_per_solve_max_step', 1)}) | {spread(runs, 'pc_setup_s', 2)} | "
              f"{spread(runs, 'solve_s', 2)} | {spread(runs, 'total_s', 2)} | {spread(runs, 'peak_rss_mb', 1)} |")


if __name__ == "__main__":
    main()
