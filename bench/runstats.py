"""What the tabulators of bench/solvers.sh, bench/solver-memory.sh and bench/amg-options.sh
share: the runs of DIR/runs grouped by name (repetitions together), each run's figures
from its summary.json and /usr/bin/time file, medians and min-max into a CSV and into
markdown cells."""
import csv
import json
import re
import statistics


def peak_rss_bytes(time_txt):
    """Peak RSS from a /usr/bin/time -v file, NaN when the file has none."""
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", time_txt.read_text()) if time_txt.exists() else None
    return int(m.group(1)) * 1024.0 if m else float("nan")


def solver_figures(summary):
    """Figures every solver table shows, from one run's summary.json (a dict)."""
    steps = summary["steps"]
    solves = sum(st["newton_iterations"] for st in steps)
    cg = sum(st["cg_iterations"] for st in steps)
    sec = summary["run"]["seconds"]
    return {
        "status": "converged" if summary["status"] == "converged" else "FAILED",
        "nodes": summary["mesh"]["nodes"],
        "solves": solves,
        "cg_per_solve": cg / solves if solves else float("nan"),
        "pc_setup_s": sec.get("pc_setup", float("nan")),
        "solve_s": sec["solve"],
        "total_s": sec["total"],
    }


def group_runs(out, pattern, one):
    """{key: [one(run, summary), ...]} over DIR/runs/*/summary.json whose folder name
    matches `pattern`; the key is the tuple of the pattern's groups but the last (the
    repetition)."""
    groups = {}
    for run in sorted((out / "runs").iterdir()):
        m = re.match(pattern, run.name)
        if not m or not (run / "summary.json").exists():
            continue
        key = m.groups()[:-1]
        groups.setdefault(key, []).append(one(run, json.loads((run / "summary.json").read_text())))
    return groups


def status(runs):
    return "converged" if all(r["status"] == "converged" for r in runs) else "FAILED"


def spread(runs, key, digits):
    """'median [min-max]' of one figure over the repetitions, the median alone for one run."""
    v = [r[key] for r in runs]
    med = statistics.median(v)
    return f"{med:.{digits}f}" if len(v) == 1 else f"{med:.{digits}f} [{min(v):.{digits}f}-{max(v):.{digits}f}]"


def write_csv(path, head, rows, keys):
    """One row per group: head(key, runs) columns, then median, min and max of each key."""
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        first = True
        for key, runs in rows.items():
            names, values = zip(*head(key, runs))
            if first:
                w.writerow(list(names) + [k + s for k in keys for s in ("_median", "_min", "_max")])
                first = False
            row = list(values)
            for k in keys:
                v = [r[k] for r in runs]
                row += [statistics.median(v), min(v), max(v)]
            w.writerow(row)
