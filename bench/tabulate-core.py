#!/usr/bin/env python3
"""Tabulate bench/core-figures.sh runs: median and min-max per thread count."""
import csv, glob, json, os, re, statistics, sys

out = sys.argv[1]
rows = []
for d in sorted(glob.glob(os.path.join(out, "run-*-*"))):
    s = json.load(open(os.path.join(d, "summary.json")))
    t = open(os.path.join(d, "time.txt")).read()
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
    wall = re.search(r"Elapsed \(wall clock\) time.*: (.*)", t).group(1)
    wall_s = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall.split(":"))))
    f = s["fom"]
    rows.append({
        "threads": s["run"]["threads"],
        "nodes": s["mesh"]["nodes"], "elements": s["mesh"]["elements"],
        "wall_s": wall_s, "mesh_s": s["run"]["seconds"]["mesh"], "setup_s": s["run"]["seconds"]["setup"],
        "assembly_s": f["seconds"]["assembly"], "solve_s": f["seconds"]["solve"],
        "spmv_s": f["seconds"]["cg_spmv"], "pc_s": f["seconds"]["cg_preconditioner"],
        "vec_s": f["seconds"]["cg_vector_ops"],
        "newton_iterations": sum(st["newton_iterations"] for st in s["steps"]),
        "cg_iterations": f["cg_iterations"],
        "assembly_elements_per_s": f["assembly_elements_per_s"], "cg_bandwidth_gbs": f["cg_bandwidth_gbs"],
        "peak_rss_mib": rss_kb / 1024, "rss_bytes_per_node": rss_kb * 1024 / s["mesh"]["nodes"],
        "solver_bytes_per_node": f["solver_array_bytes"] / s["mesh"]["nodes"],
        "checksum": s["displacement_checksum"], "status": s["status"],
    })
with open(os.path.join(out, "figures.csv"), "w", newline="") as fh:
    w = csv.DictWriter(fh, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows(rows)

keys = ["wall_s", "mesh_s", "setup_s", "assembly_s", "solve_s", "spmv_s", "pc_s", "vec_s", "newton_iterations",
        "cg_iterations", "assembly_elements_per_s", "cg_bandwidth_gbs", "peak_rss_mib", "rss_bytes_per_node",
        "solver_bytes_per_node"]
threads = sorted({r["threads"] for r in rows})
print("| figure | " + " | ".join(f"{t} thread{'s' if t > 1 else ''}" for t in threads) + " |")
print("|---|" + "---|" * len(threads))
for k in keys:
    cells = []
    for t in threads:
        v = [r[k] for r in rows if r["threads"] == t]
        m = statistics.median(v)
        fmt = (lambda x: f"{x:.3g}") if abs(m) < 1e4 else (lambda x: f"{x:.3e}")
        cells.append(fmt(m) + (f" ({fmt(min(v))}-{fmt(max(v))}, n={len(v)})" if len(v) > 1 else " (n=1)"))
    print(f"| {k} | " + " | ".join(cells) + " |")
sums = {r["checksum"] for r in rows}
print(f"\nchecksums: {', '.join(sorted(sums))} ({'identical' if len(sums) == 1 else 'DIFFER'} across runs)")
