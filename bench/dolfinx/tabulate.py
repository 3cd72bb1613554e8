#!/usr/bin/python3
"""Tables of a bench/dolfinx/compare.sh run:  tabulate.py OUT_DIR

Reads OUT_DIR/runs/index.csv and each run's files (GNU time's time.txt; DOLFINx's
run.json or memfem's summary.json) and writes
  results.csv     one row per timed run
  table.md        per mesh and configuration: median [min-max] of the figures, the load
                  averages the runs started under, and the ratios the issue's target names
  agreement.json  probe displacements of every run against DOLFINx's, and the full field
                  of the untimed first pass (rep 0)
Figures are read, never made up: a run that failed has status != ok and empty figures.
"""
import csv
import json
import os
import re
import statistics
import sys

import numpy as np

COLUMNS = ["tool", "config", "mesh", "nodes", "ranks", "threads", "rep", "wall_s", "mesh_s", "assembly_s",
           "setup_s", "solve_s", "iterations", "peak_rss_mb", "tip_uz", "load1", "status"]
TIMED = ["wall_s", "mesh_s", "assembly_s", "setup_s", "solve_s", "iterations", "peak_rss_mb"]  # table order
TIP = "tip_center"


def gnu_time(path):
    """(wall seconds, max RSS in MiB) from `/usr/bin/time -v`."""
    text = open(path).read()
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text).group(1)
    secs = 0.0
    for part in wall.split(":"):
        secs = 60 * secs + float(part)
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
    return secs, rss_kb / 1024.0


def dolfinx_figures(d):
    r = json.load(open(os.path.join(d, "run.json")))
    s = r["seconds"]
    return {"nodes": r["nodes"], "mesh_s": s["mesh"], "assembly_s": s["assembly"], "setup_s": s["setup"],
            "solve_s": s["solve"], "iterations": r["cg_iterations"],
            "peak_rss_mb": r["peak_rss_mb"]["sum"],  # every rank's peak, summed
            "rss_after": {k: sum(v) for k, v in r["peak_rss_mb"].get("per_rank_after", {}).items()},
            "probes": {k: v["u"] for k, v in r["probes"].items()},
            "status": "ok" if r["converged_reason"] > 0 else f"ksp reason {r['converged_reason']}"}


def memfem_figures(d):
    s = json.load(open(os.path.join(d, "summary.json")))
    t = s["run"]["seconds"]
    last = s["steps"][-1] if s["steps"] else {"probes": {}}
    return {"nodes": s["mesh"]["nodes"], "mesh_s": t["mesh"], "assembly_s": t["assembly"],
            "setup_s": t["pc_setup"], "solve_s": t["solve"] - t["pc_setup"],  # CG alone, as DOLFINx's solve
            "iterations": sum(st["cg_iterations"] for st in s["steps"]),
            "probes": {k: v["u"] for k, v in last["probes"].items()},
            "status": "ok" if s["status"] == "converged" else s["status"]}


def read_runs(out):
    rows = []
    with open(os.path.join(out, "runs", "index.csv")) as f:
        for ix in csv.DictReader(f):
            row = {k: ix[k] for k in ("tool", "config", "mesh", "ranks", "threads", "rep", "load1")}
            row["dir"] = ix["dir"]
            try:
                fig = (dolfinx_figures if ix["tool"] == "dolfinx" else memfem_figures)(ix["dir"])
                wall, rss = gnu_time(os.path.join(ix["dir"], "time.txt"))
                row["wall_s"] = wall
                fig.setdefault("peak_rss_mb", rss)  # memfem: GNU time's figure for the process
                row.update(fig)
                row["tip_uz"] = fig["probes"].get(TIP, [None] * 3)[2]
                if ix["rc"] != "0" and row["status"] == "ok":
                    row["status"] = f"exit {ix['rc']}"
            except (OSError, KeyError, ValueError, AttributeError, IndexError) as e:
                row.update(status=f"exit {ix['rc']}, unreadable: {e}", probes={})
            rows.append(row)
    return rows


def med_range(values, fmt):
    v = [x for x in values if x is not None]
    if not v:
        return "n/a"
    if len(v) == 1:
        return fmt.format(v[0])
    return (fmt + " [" + fmt + "-" + fmt + "]").format(statistics.median(v), min(v), max(v))


def agreement(rows, out):
    """Probe displacements of every run against the DOLFINx run of the same rep and mesh
    (rep 0: the field pass), and the full field of the field pass."""
    ref = {}
    for r in rows:  # the first DOLFINx run of each mesh and rep (the fewest ranks)
        if r["tool"] == "dolfinx" and r["status"] == "ok":
            ref.setdefault((r["mesh"], r["rep"]), r)
    result = {"probes": {}, "field": {}}
    for mesh in sorted({r["mesh"] for r in rows}):
        worst, names = 0.0, set()
        for r in rows:
            d = ref.get((mesh, r["rep"]))
            if r["mesh"] != mesh or d is None or r["status"] != "ok":
                continue
            for name, u in r["probes"].items():
                ud = np.asarray(d["probes"][name])
                worst = max(worst, float(np.abs(np.asarray(u) - ud).max() / np.abs(ud).max()))
                names.add(name)
        result["probes"][mesh] = {"max_rel_diff": worst, "probes": sorted(names)}
        field = [r for r in rows if r["mesh"] == mesh and r["rep"] == "0" and r["status"] == "ok"]
        dx = [r for r in field if r["tool"] == "dolfinx"]
        mf = [r for r in field if r["tool"] == "memfem"]
        if dx and mf and os.path.exists(os.path.join(dx[0]["dir"], "u.npy")):
            import h5py
            ud = np.load(os.path.join(dx[0]["dir"], "u.npy"))
            with h5py.File(os.path.join(mf[0]["dir"], "results.h5"), "r") as h:
                step = sorted(h["steps"])[-1]
                um = h["steps"][step]["displacement"][...][np.argsort(h["mesh/node_tags"][...])]
            scale = float(np.abs(ud).max())
            result["field"][mesh] = {"memfem_config": mf[0]["config"], "nodes": int(ud.shape[0]),
                                     "max_abs_diff": float(np.abs(um - ud).max()),
                                     "max_abs_u": scale,
                                     "max_rel_diff": float(np.abs(um - ud).max() / scale)}
    with open(os.path.join(out, "agreement.json"), "w") as f:
        json.dump(result, f, indent=1)
    return result


def table(rows, agree, out):
    timed = [r for r in rows if r["rep"] != "0"]
    lines = ["# memfem vs DOLFINx (CG + GAMG): linear cantilever", "",
             "Median [min-max] over the repetitions; wall = the whole command (for DOLFINx: mpirun, "
             "Python start-up and imports included); setup = preconditioner setup; solve = the CG "
             "iterations; peak RSS in MiB (DOLFINx: the ranks' peaks summed). load = 1-minute load "
             "average when each run started (the machine has "
             f"{os.cpu_count()} CPUs).", ""]
    keys = []
    for r in timed:
        k = (r["mesh"], r["tool"], r["config"], r["ranks"], r["threads"])
        if k not in keys:
            keys.append(k)
    for mesh in dict.fromkeys(k[0] for k in keys):
        runs = [r for r in timed if r["mesh"] == mesh]
        nodes = next((r["nodes"] for r in runs if r.get("nodes")), "?")
        lines += [f"## {mesh} ({nodes} nodes)", "",
                  "| tool | config | ranks x threads | wall s | mesh s | assembly s | setup s | solve s | "
                  "CG its | peak RSS MiB | tip uz | load | runs ok |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        medians = {}
        for k in (k for k in keys if k[0] == mesh):
            sel = [r for r in runs if (r["mesh"], r["tool"], r["config"], r["ranks"], r["threads"]) == k]
            ok = [r for r in sel if r["status"] == "ok"]
            cells = [med_range([r.get(c) for r in ok], "{:.0f}" if c in ("iterations", "peak_rss_mb") else "{:.2f}")
                     for c in TIMED]
            tip = f"{ok[0]['tip_uz']:.9e}" if ok and ok[0].get("tip_uz") is not None else "n/a"
            load = med_range([float(r["load1"]) for r in sel], "{:.2f}")
            lines.append(f"| {k[1]} | {k[2]} | {k[3]} x {k[4]} | " + " | ".join(cells) +
                         f" | {tip} | {load} | {len(ok)}/{len(sel)} |")
            if ok:
                medians[k[1:]] = {c: statistics.median(r[c] for r in ok) for c in ("wall_s", "peak_rss_mb")}
        lines.append("")
        for k in (k for k in keys if k[0] == mesh and k[1] == "dolfinx"):
            ok = [r for r in runs if (r["mesh"], r["tool"], r["config"], r["ranks"], r["threads"]) == k
                  and r["status"] == "ok" and r.get("rss_after")]
            if ok:
                after = ", ".join(f"{p} {statistics.median(r['rss_after'][p] for r in ok):.0f}"
                                  for p in ok[0]["rss_after"])
                lines.append(f"DOLFINx on {k[3]} rank(s), peak RSS summed over the ranks at the end of each "
                             f"phase (MiB, median): {after}.")
        lines.append("")
        ref = medians.get(("dolfinx", "gamg", "2", "1"))
        if ref:
            lines.append("Against DOLFINx on 2 ranks (target: memfem at 2 threads at most 0.5 of its wall "
                         "time and 0.5 of its peak RSS):")
            lines.append("")
            for k, v in medians.items():
                if k[0] == "memfem" and k[2] == "1" and k[3] == "2":
                    lines.append(f"- memfem {k[1]} at 2 threads: wall {v['wall_s'] / ref['wall_s']:.2f}x, "
                                 f"peak RSS {v['peak_rss_mb'] / ref['peak_rss_mb']:.2f}x")
            lines.append("")
        p = agree["probes"].get(mesh)
        if p:
            lines.append(f"Agreement: probe displacements ({', '.join(p['probes'])}) of every run against "
                         f"DOLFINx's of the same repetition, largest difference relative to the probe's "
                         f"largest component {p['max_rel_diff']:.2e}.")
        fld = agree["field"].get(mesh)
        if fld:
            lines.append(f"Every node's displacement, memfem {fld['memfem_config']} against DOLFINx: largest "
                         f"difference {fld['max_abs_diff']:.3e} (relative to max |u| {fld['max_abs_u']:.4e}: "
                         f"{fld['max_rel_diff']:.2e}).")
        lines.append("")
    with open(os.path.join(out, "table.md"), "w") as f:
        f.write("\n".join(lines))


def main():
    out = sys.argv[1]
    rows = read_runs(out)
    with open(os.path.join(out, "results.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            if r["rep"] != "0":
                w.writerow({k: (f"{v:.6g}" if isinstance(v, float) and k != "tip_uz" else
                                repr(v) if isinstance(v, float) else v) for k, v in r.items()})
    agree = agreement(rows, out)
    table(rows, agree, out)
    print(open(os.path.join(out, "table.md")).read())
    print(f"wrote {out}/results.csv, {out}/table.md, {out}/agreement.json")
    failed = [r for r in rows if r["status"] != "ok"]
    for r in failed:
        print(f"tabulate.py: {r['tool']} {r['config']} {r['mesh']} rep {r['rep']}: {r['status']}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
