#!/usr/bin/env python3
"""Medians [min-max] of run.sh's and run2.sh's box_1m runs: wall, CG iterations, phases,
peak RSS and checksums per variant.  usage: tabulate.py DIR (run.sh's OUT, or run2.sh's OUT/box_1m)"""
import glob, json, os, re, statistics, sys

out = sys.argv[1]
variants = {}
for f in sorted(glob.glob(os.path.join(out, "*-[0-9]*.json"))):
    v = re.sub(r"-[0-9]+\.json$", "", os.path.basename(f))
    d = json.load(open(f))
    wall, rss = open(f[:-5] + ".time").read().split()[0:3:2]
    s = d["run"]["seconds"]
    variants.setdefault(v, []).append({
        "wall": float(wall), "rss": float(rss) / 1024, "cg": d["fom"]["cg_iterations"], "setup": s["setup"],
        "assembly": s["assembly"], "pc_setup": s["pc_setup"], "pc": s["pc"], "spmv": s["spmv"],
        "checksum": d["displacement_checksum"]})


def med(rows, k, fmt="%.1f"):
    v = [r[k] for r in rows]
    return (fmt + " [" + fmt + "-" + fmt + "]") % (statistics.median(v), min(v), max(v))


print("| variant | runs | CG its | whole run s | assembly s | V-cycles s | pc set-up s | mesh set-up s | "
      "CG products s | peak RSS MiB | checksum |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for v, rows in variants.items():
    print(f"| {v} | {len(rows)} | {rows[0]['cg']} | {med(rows, 'wall')} | {med(rows, 'assembly')} | {med(rows, 'pc')} | "
          f"{med(rows, 'pc_setup')} | {med(rows, 'setup')} | {med(rows, 'spmv')} | {med(rows, 'rss', '%.0f')} | "
          f"{', '.join(sorted(set(r['checksum'] for r in rows)))} |")
