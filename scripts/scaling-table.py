#!/usr/bin/env python3
"""Tabulate one scaling study of scripts/scaling.sh.

usage: scaling-table.py STUDY LIST OUT.csv
  STUDY  strong or weak
  LIST   lines "RANKS THREADS REP PATH/summary.json"
Writes one CSV row per configuration (ranks x threads, in order of cores = ranks x
threads, then ranks): medians (and min/max of the wall time) over the repetitions, phase
times (communication: rank 0's time in the communicator, inside the other phases),
figures of merit, peak RSS (the largest rank's and the sum over ranks), speed-up and
efficiency against the first configuration (strong: T1 * c1 / (c * Tc); weak: T1 / Tc,
also per CG iteration since the weak boxes need more CG iterations as they grow), and
the displacement checksum. Exit 1 when the repetitions
of a configuration disagree on the checksum, or (strong) configurations do.
"""
import csv
import json
import statistics
import sys

PHASES = ["mesh", "reorder", "setup", "pattern", "assembly", "pc_setup", "solve", "spmv", "pc", "vec", "output",
          "communication"]


def num(v):
    return v if isinstance(v, (int, float)) else None


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(v):
    if v is None:
        return "n/a"
    return "%.6g" % v if isinstance(v, float) else str(v)


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("strong", "weak"):
        sys.exit(__doc__)
    study, listing, out = sys.argv[1:]
    runs = {}
    with open(listing) as f:
        for line in f:
            nr, t, _, path = line.split(None, 3)
            with open(path.strip()) as g:
                runs.setdefault((int(nr), int(t)), []).append(json.load(g))
    rows, bad = [], []
    for nr, t in sorted(runs, key=lambda k: (k[0] * k[1], k[0])):
        rs = runs[(nr, t)]
        cores = nr * t
        sec = [r["run"]["seconds"] for r in rs]
        fom = [r["fom"] for r in rs]
        wall = [s["total"] for s in sec]
        sums = {r["displacement_checksum"] for r in rs}
        if len(sums) != 1:
            bad.append("%d ranks x %d threads: repetitions disagree on the checksum: %s" % (nr, t, sorted(sums)))
        cg_its = med([f["cg_iterations"] for f in fom])
        row = {"study": study, "config": "%dx%d" % (nr, t), "ranks": nr, "threads": t, "cores": cores,
               "reps": len(rs), "nodes": rs[0]["mesh"]["nodes"], "elements": rs[0]["mesh"]["elements"],
               "elements_per_core": rs[0]["mesh"]["elements"] / cores,
               "wall_median": med(wall), "wall_min": min(wall), "wall_max": max(wall)}
        for p in PHASES:
            row[p] = med([num(s.get(p)) for s in sec])
        row["newton_iterations"] = med([sum(s["newton_iterations"] for s in r["steps"]) for r in rs])
        row["cg_iterations"] = cg_its
        row["solve_per_cg_iteration"] = row["solve"] / cg_its if cg_its else None
        # peak RSS: the largest rank's, and the sum over ranks (one rank: the same figure)
        row["peak_rss_mib"] = med([f["peak_rss_bytes"] / 2**20 for f in fom])
        row["peak_rss_sum_mib"] = med([f.get("peak_rss_bytes_sum_over_ranks", f["peak_rss_bytes"]) / 2**20
                                       for f in fom])
        for k in ("assembly_elements_per_s", "cg_bandwidth_gbs", "stream_triad_gbs", "cg_bandwidth_ratio"):
            row[k] = med([num(f.get(k)) for f in fom])
        row["checksum"] = sorted(sums)[0] if len(sums) == 1 else "MIXED"
        rows.append(row)
    ref = rows[0]
    for row in rows:
        t, t0 = row["cores"], ref["cores"]
        if study == "strong":
            row["speedup"] = ref["wall_median"] / row["wall_median"]
            row["efficiency"] = row["speedup"] * t0 / t
            row["efficiency_per_cg_iteration"] = (ref["solve_per_cg_iteration"] * t0 /
                                                  (row["solve_per_cg_iteration"] * t)
                                                  if row["solve_per_cg_iteration"] else None)
        else:
            row["speedup"] = ref["wall_median"] * t / (row["wall_median"] * t0)  # work rate vs ref
            row["efficiency"] = ref["wall_median"] / row["wall_median"]
            row["efficiency_per_cg_iteration"] = (ref["solve_per_cg_iteration"] / row["solve_per_cg_iteration"]
                                                  if row["solve_per_cg_iteration"] else None)
    if study == "strong" and len({r["checksum"] for r in rows}) != 1:
        bad.append("strong scaling: checksums differ between configurations: %s" %
                   {r["config"]: r["checksum"] for r in rows})
    fields = list(rows[0].keys())
    with open(out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(fields)
        for r in rows:
            w.writerow([fmt(r[k]) for k in fields])
    print("%s scaling (median of %d; wall min-max):" % (study, ref["reps"]))
    for r in rows:
        print("  %5s (ranks x threads)  %7d elements  wall %.3f s (%.3f-%.3f)  solve %.3f  assembly %.3f"
              "  comm %s  eff %.2f  CG %s GB/s  STREAM %s GB/s  ratio %s  %s" %
              (r["config"], r["elements"], r["wall_median"], r["wall_min"], r["wall_max"], r["solve"],
               r["assembly"], fmt(r["communication"]), r["efficiency"], fmt(r["cg_bandwidth_gbs"]),
               fmt(r["stream_triad_gbs"]), fmt(r["cg_bandwidth_ratio"]), r["checksum"]))
    for b in bad:
        print("scaling-table.py: error:", b, file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
