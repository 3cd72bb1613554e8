#!/usr/bin/env python3
"""Tabulate bench/amg-options.sh: one row per case and option, medians and min-max over
the repetitions, in the order the runs were made. usage: tabulate-amg-options.py DIR
(writes DIR/amg-options.csv, prints markdown)."""
import pathlib
import sys

from runstats import group_runs, solver_figures, spread, status, write_csv


def main():
    out = pathlib.Path(sys.argv[1])
    groups = group_runs(out, r"(.+?)-(.+)-r(\d+)$", lambda run, s: dict(solver_figures(s), mtime=run.stat().st_mtime))
    groups = dict(sorted(groups.items(), key=lambda kv: min(r["mtime"] for r in kv[1])))
    keys = ["solves", "cg_per_solve", "pc_setup_s", "solve_s", "total_s"]
    write_csv(out / "amg-options.csv",
              lambda k, runs: [("case", k[0]), ("option", k[1]), ("reps", len(runs)), ("status", status(runs))],
              groups, keys)
    print("| case | option | status | Newton | CG per solve | pc set-up s | solve s | total s |")
    print("|---|---|---|---|---|---|---|---|")
    for (c, o), runs in groups.items():
        print(f"| {c} | {o} | {status(runs)} | {spread(runs, 'solves', 0)} | {spread(runs, 'cg_per_solve', 1)} | "
              f"{spread(runs, 'pc_setup_s', 2)} | {spread(runs, 'solve_s', 2)} | {spread(runs, 'total_s', 2)} |")


if __name__ == "__main__":
    main()
