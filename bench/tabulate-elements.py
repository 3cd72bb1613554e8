#!/usr/bin/env python3
"""Tables of bench/elements.sh (issue 13): assembly rate per element type and memory
build, and the cantilever's tip-deflection error against time, peak RSS and matrix bytes
per node for each element type.

usage: tabulate-elements.py DIR   (prints markdown; writes DIR/cantilever.csv)
"""
import csv
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import runstats  # noqa: E402

KINDS = {"tet4": "tet4", "tet10": "tet10", "hex8": "hex8", "hex8md": "hex8 mean-dilatation"}


def assembly_table(out):
    path = out / "assembly.csv"
    if not path.exists() or path.stat().st_size == 0:
        return ["(assembly part not run)"]
    rounds = {}
    with open(path) as f:
        for r in csv.reader(f):
            # type,round,bench,variant,case,threads,reps,metric,unit,median,min,max,note
            etype, variant, mesh, threads, metric = r[0], r[3], r[4], int(r[5]), r[7]
            if metric != "assembly_rate":
                continue
            note = dict(kv.split("=", 1) for kv in r[12].split() if "=" in kv)
            key = (etype, variant, threads)
            rounds.setdefault(key, {"mesh": mesh, "elements": int(note["elements"]), "medians": []})
            rounds[key]["medians"].append(float(r[9]))
    lines = ["| element | memory build | threads | elements | rounds | Melem/s median [min-max of rounds] | MDOF/s |",
             "|---|---|---:|---:|---:|---|---:|"]
    order = ["tet4", "tet10", "hex8"]
    for (etype, variant, threads), g in sorted(rounds.items(), key=lambda kv: (order.index(kv[0][0]), kv[0][1], kv[0][2])):
        n = [int(x) for x in g["mesh"].split(":")[2].split("x")]
        r_ = 2 if etype == "tet10" else 1
        nn = (r_ * n[0] + 1) * (r_ * n[1] + 1) * (r_ * n[2] + 1)
        med, lo, hi = statistics.median(g["medians"]), min(g["medians"]), max(g["medians"])
        # degrees of freedom assembled per second: the mesh's 3 x nodes per pass
        mdof = 3 * nn * med / g["elements"]
        lines.append(f"| {etype} | {variant} | {threads} | {g['elements']:,} | {len(g['medians'])} | "
                     f"{med:.4f} [{lo:.4f}-{hi:.4f}] | {mdof:.3f} |")
    return lines


def run_figures(run, summary):
    probe = summary["steps"][-1]["probes"]["tip_center"]["u"][2] if summary["steps"] else float("nan")
    f = runstats.solver_figures(summary)
    f.update({"uz": probe, "rss": runstats.peak_rss_bytes(run / "time.txt") / 2**20,
              "matrix_bpn": summary["fom"]["matrix_bytes"] / summary["mesh"]["nodes"],
              "elements": summary["mesh"]["elements"]})
    return f


def reference(groups):
    """Richardson's extrapolation of the three finest tet10 deflections (observed order)."""
    tet10 = sorted((int(k), statistics.median(r["uz"] for r in runs)) for (kind, k), runs in groups.items()
                   if kind == "tet10" and runstats.status(runs) == "converged")
    if len(tet10) < 3:
        return float("nan"), float("nan")
    (k1, u1), (k2, u2), (k3, u3) = tet10[-3:]
    # u(h) = u* + C h^p with h = 1/k: solve for p from the three (any ratios), then u*
    def resid(p):
        return (u1 - u2) / (u2 - u3) - (k1 ** -p - k2 ** -p) / (k2 ** -p - k3 ** -p)
    lo, hi = 0.5, 8.0
    if resid(lo) * resid(hi) > 0:
        return u3, float("nan")
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if resid(lo) * resid(mid) <= 0:
            hi = mid
        else:
            lo = mid
    p = 0.5 * (lo + hi)
    c = (u2 - u3) / (k2 ** -p - k3 ** -p)
    return u3 - c * k3 ** -p, p


def main():
    out = Path(sys.argv[1])
    print((out / "machine.txt").read_text().strip().replace("\n", "  \n") if (out / "machine.txt").exists() else "")
    print("\n### Assembly rate (memfem-bench assembly, blocks order, offsets scatter; presets interleaved)\n")
    print("\n".join(assembly_table(out)))
    if not (out / "runs").exists():
        return
    groups = runstats.group_runs(out, r"(tet4|tet10|hex8md|hex8)-k(\d+)-r(\d+)$", run_figures)
    uref, p = reference(groups)
    print(f"\n### Cantilever tip deflection (reference {uref:.7e} from the three finest tet10 runs, "
          f"observed order {p:.2f}; beam theory with shear: -2.0156e-02)\n")
    print("| element | k | nodes | elements | tip uz | error | CG/solve | run s median [min-max] | "
          "peak RSS MiB median [min-max] | matrix B/node |")
    print("|---|---:|---:|---:|---:|---:|---:|---|---|---:|")
    rows = {}
    first_within = {}
    for (kind, k), runs in sorted(groups.items(), key=lambda kv: (list(KINDS).index(kv[0][0]), int(kv[0][1]))):
        uz = statistics.median(r["uz"] for r in runs)
        err = abs(uz - uref) / abs(uref)
        for r in runs:
            r["err"] = err
        rows[(KINDS[kind], int(k))] = runs
        st = runstats.status(runs)
        print(f"| {KINDS[kind]} | {k} | {runs[0]['nodes']:,} | {runs[0]['elements']:,} | {uz:.6e} | "
              f"{100 * err:.3f}% | {runs[0]['cg_per_solve']:.1f} | {runstats.spread(runs, 'total_s', 3)} | "
              f"{runstats.spread(runs, 'rss', 1)} | {runs[0]['matrix_bpn']:.0f} |" + ("" if st == "converged" else " FAILED"))
        if err <= 0.01 and kind not in first_within and st == "converged":
            first_within[kind] = (k, runs)
    runstats.write_csv(out / "cantilever.csv",
                       lambda key, runs: [("element", key[0]), ("k", key[1]), ("nodes", runs[0]["nodes"]),
                                          ("elements", runs[0]["elements"]), ("error", runs[0]["err"]),
                                          ("matrix_bytes_per_node", runs[0]["matrix_bpn"])],
                       rows, ["uz", "total_s", "rss", "cg_per_solve"])
    print("\n### Cheapest mesh within 1% of the reference\n")
    print("| element | k | nodes | error | run s median [min-max] | peak RSS MiB median [min-max] |")
    print("|---|---:|---:|---:|---|---|")
    for kind in KINDS:
        if kind not in first_within:
            print(f"| {KINDS[kind]} | - | - | not within 1% on the ladder | - | - |")
            continue
        k, runs = first_within[kind]
        print(f"| {KINDS[kind]} | {k} | {runs[0]['nodes']:,} | {100 * runs[0]['err']:.3f}% | "
              f"{runstats.spread(runs, 'total_s', 3)} | {runstats.spread(runs, 'rss', 1)} |")


if __name__ == "__main__":
    main()
