#!/usr/bin/env python3
"""Tabulate scripts/compare-builds.sh runs: DIR/runs.csv (every run), DIR/summary.csv
(median, min, max per preset and figure), a markdown table on stdout. Exits 1 when the
displacement checksums differ between variants.

usage: tabulate-builds.py DIR
"""
import csv
import glob
import json
import os
import re
import statistics
import sys

FIGURES = ["wall_s", "mesh_s", "reorder_s", "setup_s", "assembly_s", "solve_s", "spmv_s", "pc_s", "vec_s",
           "peak_rss_mib", "allocs_per_iteration", "frag_ratio", "cg_iterations"]


def time_v(path):
    text = open(path).read()
    wall = re.search(r"Elapsed \(wall clock\) time.*: (.*)", text).group(1)
    wall_s = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall.split(":"))))
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
    return wall_s, rss_kb / 1024


def num(v):
    return v if isinstance(v, (int, float)) else float("nan")


def main():
    out = sys.argv[1]
    rows = []
    for d in sorted(glob.glob(os.path.join(out, "runs", "*-[0-9]*"))):
        preset, rep = os.path.basename(d).rsplit("-", 1)
        s = json.load(open(os.path.join(d, "summary.json")))
        wall, rss = time_v(os.path.join(d, "time.txt"))
        sec, m = s["run"]["seconds"], s["memory"]
        rows.append({
            "preset": preset, "rep": int(rep), "scratch": m["scratch"], "layout": m["layout"],
            "allocator": m["allocator"], "nodes": s["mesh"]["nodes"], "elements": s["mesh"]["elements"],
            "wall_s": wall, "mesh_s": num(sec.get("mesh")), "reorder_s": num(sec.get("reorder")),
            "setup_s": num(sec.get("setup")), "assembly_s": s["fom"]["seconds"]["assembly"],
            "solve_s": s["fom"]["seconds"]["solve"], "spmv_s": s["fom"]["seconds"]["cg_spmv"],
            "pc_s": s["fom"]["seconds"]["cg_preconditioner"], "vec_s": s["fom"]["seconds"]["cg_vector_ops"],
            "peak_rss_mib": rss, "allocs_per_iteration": m["allocs_in_iterations"] / max(1, m["telemetry_rows"]),
            "frag_ratio": num(m.get("final_frag_ratio")), "cg_iterations": s["fom"]["cg_iterations"],
            "checksum": s["displacement_checksum"]})
    if not rows:
        sys.exit("tabulate-builds: no runs under %s/runs" % out)
    with open(os.path.join(out, "runs.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    presets = list(dict.fromkeys(r["preset"] for r in rows))
    summary = []
    for p in presets:
        rs = [r for r in rows if r["preset"] == p]
        line = {"preset": p, "scratch": rs[0]["scratch"], "layout": rs[0]["layout"],
                "allocator": rs[0]["allocator"], "reps": len(rs)}
        for k in FIGURES:
            v = [r[k] for r in rs]
            line[k + "_median"], line[k + "_min"], line[k + "_max"] = statistics.median(v), min(v), max(v)
        summary.append(line)
    with open(os.path.join(out, "summary.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(summary[0]))
        w.writeheader()
        w.writerows(summary)

    print(open(os.path.join(out, "machine.txt")).read().strip().replace("\n", "  \n"))
    print("\n%d nodes, %d elements; median (min-max) of %d repetition(s)\n" % (
        rows[0]["nodes"], rows[0]["elements"], max(r["rep"] for r in rows)))
    print("| preset | wall s | assembly s | solve s | peak RSS MiB | allocs/iteration | frag ratio | CG its |")
    print("|---|---|---|---|---|---|---|---|")
    fmt = lambda l, k, f: (f + " (" + f + "-" + f + ")") % (l[k + "_median"], l[k + "_min"], l[k + "_max"])
    for l in summary:
        print("| %s | %s | %s | %s | %s | %.0f | %.3f | %d |" % (
            l["preset"], fmt(l, "wall_s", "%.2f"), fmt(l, "assembly_s", "%.3f"), fmt(l, "solve_s", "%.2f"),
            fmt(l, "peak_rss_mib", "%.1f"), l["allocs_per_iteration_median"], l["frag_ratio_median"],
            l["cg_iterations_median"]))
    base = next((l for l in summary if l["preset"] == "pool-system"), summary[0])
    print("\nRatios to %s (medians): wall, assembly, peak RSS" % base["preset"])
    for l in summary:
        print("- %s: %.2f, %.2f, %.2f" % (l["preset"], l["wall_s_median"] / base["wall_s_median"],
                                         l["assembly_s_median"] / base["assembly_s_median"],
                                         l["peak_rss_mib_median"] / base["peak_rss_mib_median"]))
    sums = {r["checksum"] for r in rows}
    if len(sums) != 1:
        print("\nCHECKSUMS DIFFER between variants: %s" % sorted(sums))
        return 1
    print("\nchecksum %s in every run of every variant" % sums.pop())
    return 0


if __name__ == "__main__":
    sys.exit(main())
