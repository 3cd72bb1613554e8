#!/usr/bin/env python3
"""Markdown tables from bench/microbench.sh's micro.csv (memfem-bench rows of several
builds): assembly rates and allocations, kernel bandwidths against the STREAM triad,
and the flat-versus-pointer iteration figures. Every cell is "median [min-max]".
Exit 1 when the builds' internal-force hashes disagree (bit-identity broken).

usage: tabulate-micro.py micro.csv
"""
import csv
import sys
from collections import OrderedDict


def fmt(r, digits=3):
    f = lambda v: f"{float(v):.{digits}g}"
    return f"{f(r['median'])} [{f(r['min'])}-{f(r['max'])}]" if r["min"] != r["max"] else f(r["median"])


def main():
    rows = list(csv.DictReader(open(sys.argv[1])))
    status = 0
    by = {}
    for r in rows:
        by[(r["bench"], r["variant"], r["case"], int(r["threads"]), r["metric"])] = r

    asm = [r for r in rows if r["bench"] == "assembly"]
    if asm:
        variants = list(OrderedDict.fromkeys(r["variant"] for r in asm))
        threads = sorted({int(r["threads"]) for r in asm})
        case = asm[0]["case"]
        ref = "pool-soa-system" if "pool-soa-system" in variants else variants[0]
        hashes = {r["note"].split()[1] for r in asm}
        elems = asm[0]["note"].split("elements=")[1]
        print(f"### Assembly: {case}, {elems} elements, {asm[0]['note'].split()[0]} order\n")
        head = ["variant"] + [f"Melem/s, {t} thr" for t in threads] + [f"vs {ref}, {t} thr" for t in threads]
        if len(threads) > 1:
            head.append(f"speed-up {threads[0]}->{threads[-1]} thr")
        head.append("allocs per assembly")
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for v in variants:
            cells = [v]
            rate = {t: by.get(("assembly", v, case, t, "assembly_rate")) for t in threads}
            cells += [fmt(rate[t]) if rate[t] else "-" for t in threads]
            for t in threads:
                mine, base = rate[t], by.get(("assembly", ref, case, t, "assembly_rate"))
                cells.append(f"{float(mine['median']) / float(base['median']):.2f}" if mine and base else "-")
            if len(threads) > 1 and rate[threads[0]] and rate[threads[-1]]:
                cells.append(f"{float(rate[threads[-1]]['median']) / float(rate[threads[0]]['median']):.2f}")
            elif len(threads) > 1:
                cells.append("-")
            al = by.get(("assembly", v, case, threads[0], "allocs_per_assembly"))
            cells.append(f"{float(al['median']):.0f}" if al else "-")
            print("| " + " | ".join(cells) + " |")
        verdict = "all builds and thread counts agree" if len(hashes) == 1 else "BUILDS DISAGREE"
        print(f"\nInternal-force hash: {', '.join(sorted(hashes))} ({verdict}).")
        print("Ratios are of medians; above 1 is faster than the reference.\n")
        if len(hashes) != 1:
            status = 1

    cg = [r for r in rows if r["bench"] == "cg"]
    if cg:
        print(f"### Kernel bandwidth against the STREAM triad: {cg[0]['case']}\n")
        print("| variant | threads | triad GB/s | SpMV GB/s | SpMV/triad | PCG GB/s | PCG/triad | ms per PCG iteration |")
        print("|---|---|---|---|---|---|---|---|")
        for v, t in OrderedDict.fromkeys((r["variant"], int(r["threads"])) for r in cg):
            case = cg[0]["case"]
            g = lambda m: by.get(("cg", v, case, t, m))
            cells = [v, str(t)] + [fmt(g(m)) if g(m) else "-" for m in (
                "triad_bandwidth", "spmv_bandwidth", "spmv_over_triad", "cg_bandwidth", "cg_over_triad",
                "cg_iteration_time")]
            print("| " + " | ".join(cells) + " |")
        print("\nBandwidths count the bytes each kernel must move at least (matrix, indices and "
              "vectors once); a ratio above 1 means part of the data came from cache.\n")

    it = [r for r in rows if r["bench"] == "iterate"]
    if it:
        print("### Iteration over flat versus pointer-per-item records\n")
        print("| build | variant | threads | ns per record | time / flat | resident bytes per record | note |")
        print("|---|---|---|---|---|---|---|")
        for v, case, t in OrderedDict.fromkeys((r["variant"], r["case"], int(r["threads"])) for r in it):
            g = lambda m: by.get(("iterate", v, case, t, m))
            res = g("resident_per_record")
            print(f"| {v} | {case} | {t} | {fmt(g('time_per_record'))} | {fmt(g('time_over_flat'), 2)} | "
                  f"{float(res['median']):.1f} | {res['note']} |")
        print("\n`time / flat`: median over median of the same build and thread count; the range pairs "
              "the extremes. Resident bytes: VmRSS growth while the records were allocated and written.\n")
    return status


if __name__ == "__main__":
    sys.exit(main())
