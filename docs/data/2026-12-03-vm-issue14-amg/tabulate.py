#!/usr/bin/env python3
"""Median [min-max] per configuration of run.sh's runs: solve phases, CG iterations,
checksum (one value), peak RSS of the largest rank and summed over ranks (summary.json).
  usage: tabulate.py DIR [LABEL]"""
import glob
import json
import os
import statistics
import sys

out = sys.argv[1]
label = sys.argv[2] if len(sys.argv) > 2 else "ranks x threads"
rows = {}
for d in sorted(glob.glob(os.path.join(out, "*-r*"))):
    if not os.path.isdir(d):
        continue
    s = json.load(open(os.path.join(d, "summary.json")))
    f = s["fom"]
    rows.setdefault(os.path.basename(d).split("-r")[0], []).append(
        (f["seconds"]["solve"], f["seconds"]["pc_setup"], f["seconds"]["cg_preconditioner"], f["cg_iterations"],
         s["displacement_checksum"], f["peak_rss_bytes"] / 2**20,
         f.get("peak_rss_bytes_sum_over_ranks", f["peak_rss_bytes"]) / 2**20))


def med(v):
    return "%.2f [%.2f-%.2f]" % (statistics.median(v), min(v), max(v))


print("| %s | solve s | pc set-ups s | V-cycles s | CG iterations | checksum | peak RSS MiB, largest rank | "
      "summed over ranks |" % label)
print("|---|---|---|---|---|---|---|---|")
for k, v in rows.items():
    cols = list(zip(*v))
    print("| %s | %s | %s | %s | %s | %s | %s | %s |" % (k, med(cols[0]), med(cols[1]), med(cols[2]),
          ",".join(sorted(set(str(x) for x in cols[3]))), ",".join(sorted(set(cols[4]))), med(cols[5]), med(cols[6])))
