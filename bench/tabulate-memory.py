#!/usr/bin/env python3
"""Tabulate bench/memory-strategies.sh results: DIR/speed.csv, DIR/soak.csv, and a
markdown table on stdout (median and min-max over repetitions).

usage: tabulate-memory.py DIR
"""
import csv
import glob
import json
import os
import re
import statistics
import sys


def time_v(path):
    """Wall seconds and peak RSS (bytes) from a /usr/bin/time -v report."""
    wall = rss = None
    for line in open(path):
        if "Elapsed (wall clock)" in line:
            parts = [float(x) for x in line.rsplit(" ", 1)[1].split(":")]
            wall = sum(v * 60 ** i for i, v in enumerate(reversed(parts)))
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", line)
        if m:
            rss = int(m.group(1)) * 1024
    return wall, rss


def telemetry(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def num(v):
    return None if v in ("n/a", "", None) else float(v)


def spread(values, fmt):
    values = [v for v in values if v is not None]
    if not values:
        return "n/a"
    med = statistics.median(values)
    if len(values) == 1:
        return fmt % med
    return (fmt + " [" + fmt + "-" + fmt + "]") % (med, min(values), max(values))


def mib(b):
    return None if b is None else b / 2**20


def speed(root):
    runs = {}
    for d in sorted(glob.glob(os.path.join(root, "speed", "*-[0-9]*"))):
        preset = os.path.basename(d).rsplit("-", 1)[0]
        s = json.load(open(os.path.join(d, "summary.json")))
        wall, rss = time_v(os.path.join(d, "time.txt"))
        m, fom = s["memory"], s["fom"]
        runs.setdefault(preset, []).append({
            "preset": preset, "rep": os.path.basename(d).rsplit("-", 1)[1],
            "scratch": m["scratch"], "layout": m["layout"], "allocator": m["allocator"],
            "wall_s": wall, "assembly_s": fom["seconds"]["assembly"], "solve_s": fom["seconds"]["solve"],
            "elements_per_s": fom["assembly_elements_per_s"], "peak_rss_bytes": rss,
            "allocs_per_iteration": m["allocs_in_iterations"] / max(1, m["telemetry_rows"]),
            "final_frag_ratio": m["final_frag_ratio"], "adjacent_share": m["node_scatter"]["adjacent_share"],
            "newton": sum(st["newton_iterations"] for st in s["steps"]), "cg": fom["cg_iterations"],
            "checksum": s["displacement_checksum"]})
    return runs


def soak(root):
    rows = []
    for d in sorted(glob.glob(os.path.join(root, "soak", "*"))):
        preset, mode = os.path.basename(d).rsplit("-", 1)
        s = json.load(open(os.path.join(d, "summary.json")))
        tel = telemetry(os.path.join(d, "telemetry.csv"))
        wall, rss = time_v(os.path.join(d, "time.txt"))
        load_steps = len(s["steps"]) - s["memory"]["soak_steps"]
        # The last row of the plain load steps, and the last row of the run.
        at_load = [r for r in tel if int(r["step"]) == load_steps][-1]
        last = tel[-1]
        rows.append({
            "preset": preset, "mode": mode, "allocator": s["memory"]["allocator"], "scratch": s["memory"]["scratch"],
            "steps": len(s["steps"]), "wall_s": wall, "peak_rss_bytes": rss,
            "rss_after_load": int(at_load["rss_bytes"]), "rss_end": int(last["rss_bytes"]),
            "live_after_load": int(at_load["live_bytes"]), "live_end": int(last["live_bytes"]),
            "alloc_allocated_end": num(last["allocator_allocated"]), "alloc_resident_end": num(last["allocator_resident"]),
            "rss_over_live_end": int(last["rss_bytes"]) / int(last["live_bytes"]),
            "frag_ratio_end": num(last["frag_ratio"]), "max_frag_ratio": s["memory"]["max_frag_ratio"],
            "checksum": s["displacement_checksum"]})
    return rows


def write_csv(path, rows):
    if not rows:
        return
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)


def main():
    root = sys.argv[1]
    runs = speed(root)
    write_csv(os.path.join(root, "speed.csv"), [r for rs in runs.values() for r in rs])
    soaks = soak(root)
    write_csv(os.path.join(root, "soak.csv"), soaks)
    print(open(os.path.join(root, "machine.txt")).read().strip().replace("\n", "  \n"))
    ok = True
    if runs:
        sums = {r["checksum"] for rs in runs.values() for r in rs}
        ok = len(sums) == 1
        print("\n### Speed case: median [min-max] of %d repetitions\n" % len(next(iter(runs.values()))))
        print("| preset | wall s | assembly s | solve s | Melem/s | peak RSS MiB | allocs/iteration | frag ratio | adjacent nodes |")
        print("|---|---|---|---|---|---|---|---|---|")
        for p, rs in runs.items():
            print("| %s | %s | %s | %s | %s | %s | %.0f | %.3f | %.3f |" % (
                p, spread([r["wall_s"] for r in rs], "%.2f"), spread([r["assembly_s"] for r in rs], "%.3f"),
                spread([r["solve_s"] for r in rs], "%.2f"), spread([r["elements_per_s"] / 1e6 for r in rs], "%.2f"),
                spread([mib(r["peak_rss_bytes"]) for r in rs], "%.1f"), rs[0]["allocs_per_iteration"],
                rs[0]["final_frag_ratio"], rs[0]["adjacent_share"]))
        base = runs.get("pool-system")
        if base:
            b_asm = statistics.median(r["assembly_s"] for r in base)
            b_wall = statistics.median(r["wall_s"] for r in base)
            b_rss = statistics.median(r["peak_rss_bytes"] for r in base)
            print("\nRatios to pool-system (medians): assembly time, wall time, peak RSS\n")
            for p, rs in runs.items():
                print("- %s: %.2f, %.2f, %.2f" % (p, statistics.median(r["assembly_s"] for r in rs) / b_asm,
                                                  statistics.median(r["wall_s"] for r in rs) / b_wall,
                                                  statistics.median(r["peak_rss_bytes"] for r in rs) / b_rss))
        print("\nNewton/CG iterations: %s; displacement checksums: %s" % (
            sorted({(r["newton"], r["cg"]) for rs in runs.values() for r in rs}), sorted(sums)))
    if soaks:
        print("\n### Soak: %d load steps in all (one run each)\n" % soaks[0]["steps"])
        print("| preset | after step | RSS after load MiB | RSS end MiB | live end MiB | RSS/live end | allocator resident MiB | frag ratio end (max) | peak RSS MiB | wall s |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for r in soaks:
            print("| %s | %s | %.1f | %.1f | %.1f | %.2f | %s | %.2f (%.2f) | %.1f | %.1f |" % (
                r["preset"], r["mode"], mib(r["rss_after_load"]), mib(r["rss_end"]), mib(r["live_end"]),
                r["rss_over_live_end"], "n/a" if r["alloc_resident_end"] is None else "%.1f" % mib(r["alloc_resident_end"]),
                r["frag_ratio_end"] or 0, r["max_frag_ratio"], mib(r["peak_rss_bytes"]), r["wall_s"]))
        sums = {r["checksum"] for r in soaks}
        ok = ok and len(sums) == 1
        print("\nSoak displacement checksums: %s" % sorted(sums))
    if not ok:
        print("\nCHECKSUMS DIFFER between variants", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
