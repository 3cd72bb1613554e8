#!/usr/bin/env python3
"""Medians [min-max] of run.sh's cantilever and box_1m runs: wall, CG iterations, phases,
peak RSS and checksums, before against after.  usage: tabulate.py OUT"""
import glob, json, os, statistics, sys

out = sys.argv[1]


def runs(pattern):
    rows = []
    for f in sorted(glob.glob(os.path.join(out, pattern + ".json"))):
        d = json.load(open(f))
        wall, rss = open(f[:-5] + ".time").read().split()[0:3:2]
        s = d["fom"]["seconds"]
        rows.append({"wall": float(wall), "rss": float(rss) / 1024, "cg": d["fom"]["cg_iterations"],
                     "setup": s["pc_setup"], "pc": s["cg_preconditioner"], "assembly": s["assembly"],
                     "checksum": d["displacement_checksum"],
                     "levels": [l["rows"] for l in d["linear"]["hierarchy"]["levels"]],
                     "opc": d["linear"]["hierarchy"]["operator_complexity"]})
    return rows


def med(rows, k, fmt="%.2f"):
    v = [r[k] for r in rows]
    return (fmt + " [" + fmt + "-" + fmt + "]") % (statistics.median(v), min(v), max(v))


print("| run | n | CG its | wall s | pc set-up s | V-cycles s | assembly s | peak RSS MiB | levels (op. complexity) | checksum |")
print("|---|---|---|---|---|---|---|---|---|---|")
for name, pat in [("fine cantilever, before", "cantilever/before-default-*"),
                  ("fine cantilever, after", "cantilever/after-default-*"),
                  ("fine cantilever agg1, before", "cantilever/before-agg1-*"),
                  ("fine cantilever agg1, after", "cantilever/after-agg1-*"),
                  ("box_1m, before", "box_1m/before-*"), ("box_1m, after", "box_1m/after-*")]:
    rows = runs(pat)
    if not rows:
        continue
    print(f"| {name} | {len(rows)} | {rows[0]['cg']} | {med(rows, 'wall')} | {med(rows, 'setup')} | {med(rows, 'pc')} | "
          f"{med(rows, 'assembly')} | {med(rows, 'rss', '%.0f')} | {' / '.join(map(str, rows[0]['levels']))} "
          f"({rows[0]['opc']:.2f}) | {', '.join(sorted(set(r['checksum'] for r in rows)))} |")
