#!/usr/bin/env python3
"""Tabulate bench/solver-memory.sh: one row per variant, medians and min-max over the
repetitions. usage: tabulate-solver-memory.py DIR (writes DIR/solver-memory.csv, prints
markdown)."""
import pathlib
import sys

from runstats import group_runs, peak_rss_bytes, solver_figures, spread, status, write_csv


def one(run, s):
    f = solver_figures(s)
    rss = peak_rss_bytes(run / "time.txt")
    levels = s.get("linear", {}).get("hierarchy", {}).get("levels", [])
    f.update(checksum=s["displacement_checksum"], peak_rss_mib=rss / 2**20, rss_bytes_per_node=rss / f["nodes"],
             hierarchy_bytes_per_node=sum(lv["bytes"] for lv in levels) / f["nodes"] if levels else 0.0)
    return f


def main():
    out = pathlib.Path(sys.argv[1])
    groups = group_runs(out, r"(.+)-r(\d+)$", one)
    keys = ["solves", "cg_per_solve", "peak_rss_mib", "rss_bytes_per_node", "hierarchy_bytes_per_node", "pc_setup_s",
            "solve_s", "total_s"]
    write_csv(out / "solver-memory.csv",
              lambda k, runs: [("variant", k[0]), ("nodes", runs[0]["nodes"]), ("reps", len(runs)),
                               ("status", status(runs)), ("checksum", runs[0]["checksum"])],
              groups, keys)
    print("| variant | nodes | status | CG per solve | peak RSS MiB | B/node (RSS) | B/node (hierarchy) | "
          "pc set-up s | solve s | total s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for (v,), runs in groups.items():
        print(f"| {v} | {runs[0]['nodes']} | {status(runs)} | {spread(runs, 'cg_per_solve', 1)} | "
              f"{spread(runs, 'peak_rss_mib', 0)} | {spread(runs, 'rss_bytes_per_node', 0)} | "
              f"{spread(runs, 'hierarchy_bytes_per_node', 0)} | {spread(runs, 'pc_setup_s', 1)} | "
              f"{spread(runs, 'solve_s', 1)} | {spread(runs, 'total_s', 1)} |")


if __name__ == "__main__":
    main()
