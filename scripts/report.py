"""Plots and a one-page HTML report of memfem runs (scripts/report.sh; issue 16).

usage: report.py DIR [DIR...] [--out OUT] [--render] [--units U] [--title T]

Reads DIR/summary.json and DIR/telemetry.csv (documented in README.md and
docs/memory.md; memfem's stdout is never parsed) and writes into OUT:
  convergence.png  |R| per Newton iteration, a line per load step (log scale), and CG
                   iterations per Newton iteration of each step;
  memory.png       per Newton iteration: VmRSS, VmHWM, memfem's live heap and the
                   allocator's allocated/active/resident bytes, the fragmentation ratio
                   and memfem's allocations, load-step boundaries marked;
  phases.png       seconds per phase (mesh, reorder, setup, assembly, solve split into
                   SpMV/preconditioner/vector/rest, output, the rest of the run);
  index.html       the headline figures of summary.json and the plots; plain HTML with
                   inline CSS, relative links only.
With several DIRs every plot overlays the runs (a colour per run) and the table has a
column per run. Figures a run does not have ("n/a": e.g. glibc's active and resident
bytes) are left out of the plots and named under them, never drawn as zero. A failed
run shows what it did: the converged steps, and the telemetry of the failed attempt,
shaded. OUT defaults to DIR/report for one run and to
PARENT/report-A-vs-B next to the first DIR for several. --render adds the deformed mesh
(scripts/render.sh) of the first DIR's results.h5.
"""
import csv
import html
import json
import math
import os
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

MIB = 1048576.0
# Telemetry byte series of the memory plot: column, legend label, line style when runs
# are overlaid (a colour per run then; a colour per series for one run).
MEMORY_SERIES = [
    ("rss_bytes", "VmRSS", "-", 2.0),
    ("hwm_bytes", "VmHWM (peak RSS)", (0, (1, 1.5)), 1.2),
    ("live_bytes", "memfem live heap", "--", 1.6),
    ("allocator_allocated", "allocator: allocated", (0, (6, 2, 1, 2, 1, 2)), 1.2),
    ("allocator_active", "allocator: active", ":", 2.0),
    ("allocator_resident", "allocator: resident", "-.", 1.6),
]
# run.seconds keys of the phase plot, with their labels; the solve's kernels indented.
PHASES = [("mesh", "mesh"), ("reorder", "reorder"), ("setup", "setup"), ("assembly", "assembly"),
          ("solve", "solve"), ("spmv", "solve: SpMV"), ("pc", "solve: preconditioner"),
          ("vec", "solve: vector kernels"), ("solve_rest", "solve: rest"), ("output", "output"),
          ("rest", "rest of run")]
NA = "n/a"


def fail(msg, code=2):
    print("report.sh: error: " + msg, file=sys.stderr)
    sys.exit(code)


def num(v):
    """A number from telemetry.csv or summary.json, None for "n/a", missing or blank."""
    if v is None or v == NA or v == "" or isinstance(v, bool):
        return None
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def lookup(data, path):
    """summary.json value at a dotted path ("fom.peak_rss_bytes", "steps.0.step"); KeyError if absent."""
    for part in path.split("."):
        data = data[int(part)] if isinstance(data, list) else data[part]
    return data


class Run:
    def __init__(self, path):
        self.dir = path
        try:
            with open(os.path.join(path, "summary.json")) as f:
                self.s = json.load(f)
        except (OSError, ValueError) as e:
            fail("%s: no readable summary.json (%s)" % (path, e))
        self.rows = []
        tpath = os.path.join(path, "telemetry.csv")
        if os.path.exists(tpath):
            with open(tpath, newline="") as f:
                self.rows = [r for r in csv.DictReader(f) if num(r.get("step")) is not None]
        self.steps = [st for st in self.s.get("steps", []) if st.get("converged", True)]
        opts = self.s.get("build", {}).get("options", {})
        self.scratch, self.layout = opts.get("scratch", "?"), opts.get("layout", "?")
        self.allocator = opts.get("allocator", "?")
        # The CMakePresets.json name of the build: boxed-system, aos-jemalloc, naive-system, ...
        self.label = "%s-%s" % (self.layout if self.layout not in ("soa", "?") else self.scratch, self.allocator)
        self.converged = self.s.get("status") == "converged"
        self.blocks = self._blocks()

    def _blocks(self):
        """Telemetry rows grouped by attempt: a block starts at iteration 0 (iteration -1 is
        the release sample after a step). Each: (first row, last row, step, load factor, converged)."""
        done = [(st["step"], st["load_factor"]) for st in self.steps]
        blocks, start = [], 0
        for i in range(1, len(self.rows) + 1):
            if i == len(self.rows) or int(self.rows[i]["iteration"]) == 0:
                r = self.rows[start]
                step, lf = int(r["step"]), float(r["load_factor"])
                ok = any(s == step and abs(f - lf) <= 1e-6 * max(1.0, abs(f)) for s, f in done)
                blocks.append((start, i - 1, step, lf, ok))
                start = i
        return blocks

    def column(self, name):
        return [num(r.get(name)) for r in self.rows]

    def points(self, name, scale=1.0):
        """(x, value / scale) of the rows where the column holds a number, x counting the
        rows from 1: an "n/a" column has no points and is left out, never drawn as zero."""
        return [(x, v / scale) for x, v in enumerate(self.column(name), 1) if v is not None]

    def seconds(self):
        sec = self.s.get("run", {}).get("seconds", {})
        out = {k: num(sec.get(k)) for k in ("mesh", "reorder", "setup", "assembly", "solve", "spmv", "pc",
                                            "vec", "output", "total")}
        if None not in (out["solve"], out["spmv"], out["pc"], out["vec"]):
            out["solve_rest"] = max(0.0, out["solve"] - out["spmv"] - out["pc"] - out["vec"])
        if out["total"] is not None:
            parts = [out[k] for k in ("mesh", "reorder", "setup", "assembly", "solve", "output") if out[k] is not None]
            out["rest"] = max(0.0, out["total"] - sum(parts))
        return out


# ---- plots ------------------------------------------------------------------------------

def colour(i):
    return "C%d" % (i % 10)


def overlay(i, n, lw=1.5):
    """Line width, opacity and stacking of run i of n: the first run widest and underneath,
    so that runs with the same figures (pool and naive often have) stay visible."""
    if n == 1:
        return {"linewidth": lw, "alpha": 0.95, "zorder": 3}
    return {"linewidth": lw * (2.4 if i == 0 else 1.0), "alpha": 0.55 if i == 0 else 0.95, "zorder": 3 + i}


def new_figure(nrows, height, ncols=1, **kw):
    fig, axes = plt.subplots(nrows, ncols, figsize=(10, height), dpi=110, squeeze=False, **kw)
    for ax in axes.flat:
        ax.grid(True, color="0.9", linewidth=0.8)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    return fig, axes


def save(fig, out, name):
    fig.tight_layout()
    path = os.path.join(out, name)
    fig.savefig(path)
    plt.close(fig)
    return name


def plot_convergence(runs, out):
    fig, axes = new_figure(1, 4.2, ncols=2, gridspec_kw={"width_ratios": [3, 2]})
    ax, cx = axes[0]
    single = len(runs) == 1
    markers = "os^Dvx"
    cmap = plt.get_cmap("viridis")
    for i, run in enumerate(runs):
        n = len(run.steps)
        for j, st in enumerate(run.steps):
            norms = st.get("residual_norms", [])
            pts = [(k, r) for k, r in enumerate(norms) if num(r) is not None and r > 0]
            if not pts:
                continue
            c = cmap(j / max(1, n - 1) * 0.9) if single else colour(i)
            label = ("step %d (load %.3g)" % (st["step"], st["load_factor"]) if single
                     else (run.label if j == 0 else None))
            ax.plot(*zip(*pts), color=c, marker=markers[i % len(markers)], markersize=3.5 if single or i else 6,
                    label=label, markerfacecolor="none" if i else c, **overlay(i, len(runs), 1.2))
    if any(r.steps for r in runs):
        ax.set_yscale("log")
    ax.set_xlabel("Newton iteration in the load step (0: start of the step)")
    ax.set_ylabel("|R|")
    ax.set_title("Newton convergence")
    ax.xaxis.get_major_locator().set_params(integer=True)
    handles = ax.get_legend_handles_labels()[0]
    if single and len(handles) > 12:
        sm = plt.cm.ScalarMappable(cmap=cmap, norm=plt.Normalize(runs[0].steps[0]["step"], runs[0].steps[-1]["step"]))
        fig.colorbar(sm, ax=ax, label="load step", pad=0.01)
    elif handles:
        ax.legend(fontsize=7.5, ncol=2 if len(handles) > 6 else 1, frameon=False)

    width = 0.8 / len(runs)
    for i, run in enumerate(runs):
        xs = [st["step"] + (i - (len(runs) - 1) / 2) * width for st in run.steps if st.get("newton_iterations")]
        ys = [st["cg_iterations"] / st["newton_iterations"] for st in run.steps if st.get("newton_iterations")]
        cx.bar(xs, ys, width=width * 0.95, color=colour(i), alpha=0.85, label=run.label)
    cx.set_xlabel("load step")
    cx.set_ylabel("mean over the load step")
    cx.set_title("CG iterations per Newton iteration")
    cx.xaxis.get_major_locator().set_params(integer=True)
    if not any(r.steps for r in runs):
        for a in (ax, cx):
            a.text(0.5, 0.5, "no converged load step", transform=a.transAxes, ha="center", color="0.4")
            a.set_xticks([])
            a.set_yticks([])
    return save(fig, out, "convergence.png")


def mark_steps(ax, runs, top_labels):
    """Load-step boundaries (dotted), failed attempts shaded, step numbers on a top axis."""
    same = all(r.blocks == runs[0].blocks for r in runs)
    for i, run in enumerate(runs if not same else runs[:1]):
        c = "0.55" if same else colour(i)
        for first, last, step, lf, ok in run.blocks:
            if first > 0:
                ax.axvline(first + 0.5, color=c, linestyle=":", linewidth=0.8, zorder=0)
            if not ok:
                ax.axvspan(first + 0.5, last + 1.5, color="#d62728", alpha=0.08, zorder=0, linewidth=0)
    if top_labels:
        blocks = runs[0].blocks
        every = max(1, math.ceil(len(blocks) / 25))
        top = ax.secondary_xaxis("top")
        top.set_xticks([(b[0] + b[1]) / 2 + 1 for b in blocks[::every]])
        top.set_xticklabels([str(b[2]) for b in blocks[::every]], fontsize=7.5)
        top.tick_params(length=0)
        top.set_xlabel("load step" + ("" if same else " (%s)" % runs[0].label), fontsize=8.5)


def plot_memory(runs, out):
    """Bytes, fragmentation ratio, allocations per Newton iteration; returns the figure
    name and, per run, the telemetry figures left out as n/a."""
    fig, axes = new_figure(3, 8.6, sharex=True, gridspec_kw={"height_ratios": [2.2, 1, 1]})
    bx, fx, ax = axes[:, 0]
    single = len(runs) == 1
    left_out = []
    failed_attempt = False
    released = False
    for i, run in enumerate(runs):
        missing = []
        for j, (col, label, style, lw) in enumerate(MEMORY_SERIES):
            pts = run.points(col, MIB)
            if pts:
                bx.plot(*zip(*pts), color=colour(j) if single else colour(i), linestyle=style,
                        label=label if single else None, **overlay(i, len(runs), lw))
            else:
                missing.append(col)
        rss = dict(run.points("rss_bytes", MIB))
        rel = [x for x, r in enumerate(run.rows, 1) if int(r["iteration"]) == -1 and x in rss]
        if rel:
            released = True
            bx.plot(rel, [rss[x] for x in rel], linestyle="none", marker="v", markersize=4,
                    color=colour(0) if single else colour(i))
        pts = run.points("frag_ratio")
        if pts:
            fx.plot(*zip(*pts), color=colour(i), label=run.label, **overlay(i, len(runs), 1.6))
        else:
            missing.append("frag_ratio")
        pts = run.points("allocs")
        if pts:
            zero = not any(v for _, v in pts)
            ax.plot(*zip(*pts), color=colour(i), drawstyle="steps-mid", marker=".", markersize=3,
                    label=run.label + (": 0 in every iteration" if zero else ""), **overlay(i, len(runs), 1.6))
        else:
            missing.append("allocs")
        left_out.append(missing)
        failed_attempt |= any(not b[4] for b in run.blocks)
    for a in (bx, fx, ax):
        mark_steps(a, runs, a is bx)
    bx.set_ylabel("MiB")
    bx.set_ylim(bottom=0)
    bx.set_title("memory per Newton iteration", loc="left", pad=24)
    if single:
        handles, labels = bx.get_legend_handles_labels()
    else:
        handles = [Line2D([], [], color=colour(i), linewidth=2) for i in range(len(runs))]
        labels = [r.label for r in runs]
        present = [s for s in MEMORY_SERIES if any(r.points(s[0]) for r in runs)]
        handles += [Line2D([], [], color="0.2", linestyle=s[2], linewidth=s[3]) for s in present]
        labels += [s[1] for s in present]
    if released:
        handles.append(Line2D([], [], color="0.2", marker="v", linestyle="none"))
        labels.append("after release (iteration -1)")
    if failed_attempt:
        handles.append(plt.Rectangle((0, 0), 1, 1, color="#d62728", alpha=0.15))
        labels.append("attempt that did not converge")
    bx.legend(handles, labels, fontsize=7.5, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fx.set_ylabel("resident / live")
    fx.set_title("fragmentation ratio", loc="left", fontsize=10)
    ax.set_ylabel("allocations")
    ax.set_title("memfem's allocations per Newton iteration", loc="left", fontsize=10)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: "{:,.0f}".format(v)))
    top = max([v for r in runs for _, v in r.points("allocs")] + [0])
    ax.set_ylim(-0.06 * max(top, 1), 1.08 * max(top, 1))
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel("Newton iteration, counted over the run (telemetry.csv row)")
    ax.xaxis.get_major_locator().set_params(integer=True)
    for a in (fx, ax):
        if not single or a is ax:
            a.legend(fontsize=7.5, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
    for a in (bx, fx, ax):
        a.grid(axis="x", visible=False)
    return save(fig, out, "memory.png"), left_out


def plot_phases(runs, out):
    secs = [r.seconds() for r in runs]
    keys = [(k, label) for k, label in PHASES if any(s.get(k) is not None for s in secs)]
    fig, axes = new_figure(1, min(8.0, 1.0 + len(keys) * (0.2 + 0.17 * len(runs))))
    ax = axes[0][0]
    h = 0.8 / len(runs)
    top = max([s.get(k) or 0 for s in secs for k, _ in keys] + [1e-9])
    for i, (run, s) in enumerate(zip(runs, secs)):
        ys = [n + (i - (len(runs) - 1) / 2) * h for n in range(len(keys))]
        vals = [s.get(k) for k, _ in keys]
        pts = [(y, v) for y, v in zip(ys, vals) if v is not None]
        ax.barh([p[0] for p in pts], [p[1] for p in pts], height=h * 0.92, color=colour(i), alpha=0.85,
                label="%s (total %.3f s)" % (run.label, s["total"]) if s.get("total") is not None else run.label)
        for y, v in pts:
            ax.text(v + 0.01 * top, y, "%.3f s" % v, va="center", fontsize=7.5)
    ax.set_yticks(range(len(keys)))
    ax.set_yticklabels([label for _, label in keys], fontsize=9)
    ax.invert_yaxis()
    ax.set_xlim(0, top * 1.15)
    ax.set_xlabel("seconds")
    ax.set_title("time per phase", loc="left")
    ax.grid(axis="y", visible=False)
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    return save(fig, out, "phases.png")


# ---- HTML ---------------------------------------------------------------------------------

def fmt_bytes(v):
    if abs(v) >= 1 << 30:
        return "%.2f GiB" % (v / (1 << 30))
    if abs(v) >= 1 << 20:
        return "%.1f MiB" % (v / MIB)
    if abs(v) >= 1 << 10:
        return "%.1f KiB" % (v / 1024.0)
    return "%d B" % v


FORMATS = {
    "bytes": fmt_bytes,
    "s": lambda v: "%.3f s" % v,
    "count": lambda v: "{:,.0f}".format(v),
    "ratio": lambda v: "%.3f" % v,
    "g": lambda v: "%.4g" % v,
    "rate": lambda v: "%.3e" % v,
    "gbs": lambda v: "%.2f GB/s" % v,
}

# Headline rows: (section, label, summary.json path or derived key, format).
HEADLINE = [
    ("Run", "status", "status", "text"),
    ("Run", "case", "run.case", "text"),
    ("Run", "host, start", "run.host|run.start_time", "text"),
    ("Run", "threads", "run.threads", "count"),
    ("Build", "scratch, layout, allocator", "build.options.scratch|build.options.layout|build.options.allocator", "text"),
    ("Build", "malloc served by", "memory.allocator_serving", "text"),
    ("Build", "version, commit", "build.version|build.git_commit", "text"),
    ("Build", "compiler, flags", "build.compiler|build.c_flags", "text"),
    ("Mesh", "source", "mesh.source", "text"),
    ("Mesh", "nodes", "mesh.nodes", "count"),
    ("Mesh", "elements", "mesh.elements", "count"),
    ("Mesh", "node renumbering", "run.reorder", "text"),
    ("Solution", "load steps converged", "derived.steps_converged", "count"),
    ("Solution", "final load factor", "final_load_factor", "g"),
    ("Solution", "Newton iterations", "derived.newton_iterations", "count"),
    ("Solution", "CG iterations", "fom.cg_iterations", "count"),
    ("Solution", "displacement checksum", "displacement_checksum", "text"),
    ("Time", "total", "run.seconds.total", "s"),
    ("Time", "mesh", "run.seconds.mesh", "s"),
    ("Time", "reorder", "run.seconds.reorder", "s"),
    ("Time", "setup", "run.seconds.setup", "s"),
    ("Time", "assembly", "run.seconds.assembly", "s"),
    ("Time", "solve", "run.seconds.solve", "s"),
    ("Time", "SpMV", "run.seconds.spmv", "s"),
    ("Time", "preconditioner", "run.seconds.pc", "s"),
    ("Time", "vector kernels", "run.seconds.vec", "s"),
    ("Time", "output", "run.seconds.output", "s"),
    ("Time", "assembly, elements/s", "fom.assembly_elements_per_s", "rate"),
    ("Time", "CG effective bandwidth", "fom.cg_bandwidth_gbs", "gbs"),
    ("Time", "STREAM triad", "fom.stream_triad_gbs", "gbs"),
    ("Memory", "peak RSS", "fom.peak_rss_bytes", "bytes"),
    ("Memory", "bytes per node (peak RSS)", "derived.bytes_per_node", "count"),
    ("Memory", "solver arrays", "fom.solver_array_bytes", "bytes"),
    ("Memory", "peak live heap (memfem)", "memory.peak_live_bytes", "bytes"),
    ("Memory", "allocations in iterations", "memory.allocs_in_iterations", "count"),
    ("Memory", "most in a later iteration", "memory.max_allocs_later_iteration", "count"),
    ("Memory", "fragmentation ratio, final", "memory.final_frag_ratio", "ratio"),
    ("Memory", "fragmentation ratio, max", "memory.max_frag_ratio", "ratio"),
    ("Memory", "allocator resident, final", "memory.final.allocator_resident", "bytes"),
    ("Memory", "allocator settings", "memory.allocator_settings", "text"),
    ("Memory", "transparent huge pages", "memory.transparent_hugepages", "text"),
]
# Ratios to the first run are shown for these when runs are compared.
RATIO_KEYS = {"run.seconds.total", "run.seconds.assembly", "run.seconds.solve", "fom.peak_rss_bytes",
              "memory.peak_live_bytes", "memory.allocs_in_iterations"}


def derived(run, key):
    s = run.s
    if key == "derived.steps_converged":
        return len(run.steps)
    if key == "derived.newton_iterations":
        return sum(st.get("newton_iterations", 0) for st in run.steps)
    if key == "derived.bytes_per_node":
        rss, nodes = num(s.get("fom", {}).get("peak_rss_bytes")), num(s.get("mesh", {}).get("nodes"))
        return round(rss / nodes) if rss is not None and nodes else NA
    raise KeyError(key)


def cell(run, path, kind, base=None):
    """A <td> with the value(s) at path ('|' joins several), each in a span carrying
    data-key and data-value (the JSON value) so that the report can be checked."""
    parts = []
    first_value = None
    for p in path.split("|"):
        try:
            v = derived(run, p) if p.startswith("derived.") else lookup(run.s, p)
        except (KeyError, IndexError, TypeError, ValueError):
            parts.append('<span class="na">missing</span>')
            continue
        x = num(v)
        text = str(v) if kind == "text" or x is None else FORMATS[kind](x)
        if first_value is None:
            first_value = x
        css = ' class="na"' if v == NA else ""
        parts.append('<span data-key="%s" data-value="%s"%s>%s</span>' % (
            html.escape(p), html.escape(json.dumps(v)), css, html.escape(text)))
    ratio = ""
    if base is not None and first_value is not None and base:
        ratio = ' <span class="ratio">&times;%.2f</span>' % (first_value / base)
    return "<td>%s%s</td>" % (", ".join(parts), ratio)


def steps_table(run):
    rows = []
    for i, st in enumerate(run.s.get("steps", [])):
        norms = st.get("residual_norms") or [NA]
        n = st.get("newton_iterations") or 0
        k = "steps.%d." % i
        sec = st.get("seconds", {})
        rows.append("<tr><td>%d</td><td>%.4g</td><td>%d</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td>"
                    "<td>%d</td><td>%s</td><td>%s</td></tr>" % (
                        st["step"], st["load_factor"], n,
                        '<span data-key="%sresidual_norms.%d" data-value="%s">%.3e</span>' % (
                            k, len(norms) - 1, html.escape(json.dumps(norms[-1])), norms[-1])
                        if num(norms[-1]) is not None else NA,
                        '<span data-key="%scg_iterations" data-value="%d">%s</span>' % (
                            k, st["cg_iterations"], "{:,}".format(st["cg_iterations"])),
                        "%.1f" % (st["cg_iterations"] / n) if n else NA,
                        html.escape(str(st.get("converged_by"))), st.get("cutbacks", 0),
                        "%.3f" % sec["assembly"] if num(sec.get("assembly")) is not None else NA,
                        "%.3f" % sec["solve"] if num(sec.get("solve")) is not None else NA))
    return ("<table class=\"steps\"><tr><th>step</th><th>load factor</th><th>Newton</th><th>final |R|</th>"
            "<th>CG</th><th>CG/Newton</th><th>converged by</th><th>cutbacks</th><th>assembly s</th>"
            "<th>solve s</th></tr>%s</table>" % "".join(rows))


CSS = """
body { font-family: -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #222;
       max-width: 1120px; margin: 2em auto; padding: 0 1.2em; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.1em; } h2 { font-size: 1.2em; margin-top: 2em;
     border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
.sub { color: #666; margin-top: 0; }
table { border-collapse: collapse; font-size: 0.92em; }
.cards table { display: inline-table; vertical-align: top; width: CARD_WIDTH; margin: 0 1.2em 0.6em 0;
               table-layout: fixed; }
.cards td { overflow-wrap: break-word; word-wrap: break-word; }
.msg { font-size: 0.9em; color: #444; }
table.head td, table.head th { padding: 0.25em 0.9em 0.25em 0; vertical-align: top; text-align: left; }
table.head th.sec { color: #888; font-weight: 600; padding-top: 0.8em; font-size: 0.85em;
                    text-transform: uppercase; letter-spacing: 0.05em; }
table.head td:first-child { color: #555; }
table.steps td, table.steps th { padding: 0.15em 0.7em; text-align: right; border-bottom: 1px solid #eee; }
.na { color: #999; } .ratio { color: #777; font-size: 0.85em; }
.badge { display: inline-block; padding: 0.05em 0.6em; border-radius: 0.8em; font-size: 0.85em;
         font-weight: 600; color: #fff; } .ok { background: #2e7d32; } .bad { background: #c62828; }
.failure { background: #fdecea; border-left: 4px solid #c62828; padding: 0.5em 0.8em; }
figure { margin: 1.2em 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption, .note { color: #555; font-size: 0.9em; }
code { background: #f4f4f4; padding: 0 0.25em; border-radius: 3px; }
details { margin: 0.6em 0; } summary { cursor: pointer; color: #333; }
footer { color: #888; font-size: 0.85em; margin-top: 3em; border-top: 1px solid #eee; padding-top: 0.6em; }
"""


def write_html(runs, out, figs, left_out, picture, title):
    rel = [os.path.relpath(r.dir, out) for r in runs]
    single = len(runs) == 1
    e = html.escape
    # One table per section, side by side where they fit; with several runs a column each.
    columns = "" if single else "<tr><th></th>%s</tr>" % "".join(
        '<th data-run="%d" data-dir="%s">%s</th>' % (i, e(rel[i]), e(r.label)) for i, r in enumerate(runs))
    sections = {}
    for sec, label, path, kind in HEADLINE:
        rows = sections.setdefault(sec, [])
        base = None
        if not single and path in RATIO_KEYS:
            try:
                base = num(lookup(runs[0].s, path))
            except (KeyError, IndexError, TypeError):
                base = None
        cells = []
        for i, r in enumerate(runs):
            c = cell(r, path, kind, base if i > 0 else None)
            if path == "status":  # a badge; a failure's message follows it
                c = c.replace("<span ", '<span class="badge ok" ' if r.converged else
                              '<span class="badge bad">FAILED</span> <span class="msg" ', 1)
            cells.append(c.replace("<td>", '<td data-run="%d">' % i, 1))
        rows.append("<tr><td>%s</td>%s</tr>" % (e(label), "".join(cells)))
    cols = '<colgroup><col style="width: %d%%">%s</colgroup>' % (
        48 if single else 22, "<col>" * len(runs))
    blocks = ['<tr><th class="sec" colspan="%d">%s</th></tr>%s' % (len(runs) + 1, e(sec), "".join(rows))
              for sec, rows in sections.items()]
    if single:  # small tables side by side
        head = "".join('<table class="head">%s%s</table>' % (cols, b) for b in blocks)
    else:  # one table, a column per run
        head = '<table class="head">%s%s%s</table>' % (cols, columns, "".join(blocks))
    sums = {r.s.get("displacement_checksum") for r in runs}
    checks = "" if single else "<p>%s</p>" % (
        "All runs end with the same displacement checksum: the strategies changed time and memory, not the result."
        if len(sums) == 1 else "The displacement checksums differ: these runs did not compute the same result.")
    failures = "".join('<p class="failure"><b>%s did not converge</b> (status below). The report shows the %d '
                       'load step(s) that converged; the telemetry of the failed attempt is shaded.</p>' % (
                           e(r.label), len(r.steps)) for r in runs if not r.converged)
    notes = []
    for i, (r, miss) in enumerate(zip(runs, left_out)):
        if miss:
            notes.append('<span data-run="%d" data-left-out="%s">%s: %s</span>' % (
                i, " ".join(miss), e(r.label), ", ".join(miss)))
    no_tel = [r.label for r in runs if not r.rows]
    links = " &middot; ".join('<a href="%s">%s</a>' % (e(os.path.join(rel[i], f).replace(os.sep, "/")), e(
        f if single else "%s/%s" % (r.label, f))) for i, r in enumerate(runs)
        for f in ("summary.json", "telemetry.csv", "results.xdmf") if os.path.exists(os.path.join(r.dir, f)))
    fig_html = {}
    captions = {
        "convergence": "Left: the residual norm |R| at each Newton iterate of every converged load step "
                       "(log scale; iterate 0 is the state the step starts from, and a zero norm, the "
                       "unloaded start, cannot be drawn). Right: CG iterations per Newton iteration, the "
                       "mean of each step (summary.json records CG iterations per step).",
        "memory": "One point per telemetry.csv row, i.e. per Newton iteration (assembly, convergence check "
                  "and linear solve); dotted lines separate load steps. The fragmentation ratio is the "
                  "allocator's resident bytes (or RSS, where it has none) over its live bytes (or memfem's). "
                  "memfem's allocations are counted by its own allocation layer: a pool build makes none in "
                  "a Newton iteration, a naive build at least one per element per assembly.",
        "phases": "Wall-clock seconds per phase (summary.json run.seconds). The solve is split into its "
                  "SpMV, preconditioner and vector kernels; what the kernels do not cover is its rest, and "
                  "what no phase covers (case file, Newton bookkeeping, checksum) the rest of the run.",
    }
    for name in figs:
        key = name[:-4]
        extra = ""
        if key == "memory" and notes:
            extra = '<br>Not plotted, "n/a" in telemetry.csv (the allocator has no such figure): %s.' % "; ".join(notes)
        if key == "memory" and no_tel:
            extra += "<br>No telemetry rows: %s." % e(", ".join(no_tel))
        fig_html[key] = '<figure><img src="%s" alt="%s"><figcaption>%s%s</figcaption></figure>' % (
            e(name), e(key), captions[key], extra)
    if "memory" not in fig_html:
        fig_html["memory"] = '<p class="note">No telemetry.csv rows to plot.</p>'

    pic = ""
    if picture:
        pic = ('<figure><img src="%s" alt="deformed mesh"><figcaption>The deformed mesh at the last written '
               'step, coloured by von Mises stress (<code>scripts/render.sh</code>).</figcaption></figure>' % e(picture))
    details = "".join('<details data-run="%d"%s><summary>load steps of %s (%d)</summary>%s</details>' % (
        i, " open" if single and len(r.s.get("steps", [])) <= 12 else "", e(r.label), len(r.s.get("steps", [])),
        steps_table(r)) for i, r in enumerate(runs))
    page = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><style>{css}</style></head>
<body>
<h1>{title}</h1>
<p class="sub">{sub}</p>
{failures}
<div class="cards">{head}</div>
{checks}
{pic}
<h2>Convergence</h2>
{convergence}
<h2>Memory</h2>
{memory}
<h2>Time</h2>
{phases}
<h2>Load steps</h2>
{details}
<footer>Written by <code>scripts/report.sh</code> from {links}. Field meanings: README.md (summary.json) and
docs/memory.md (telemetry.csv).</footer>
</body></html>
""".format(title=e(title), css=CSS.replace("CARD_WIDTH", "330px" if single else "100%"),
           sub=e(" vs ".join(r.label for r in runs) + " \u2014 " + ", ".join(os.path.abspath(r.dir) for r in runs)),
           failures=failures, head=head, checks=checks, pic=pic, details=details, links=links, **fig_html)
    with open(os.path.join(out, "index.html"), "w") as f:
        f.write(page)
    return os.path.join(out, "index.html")


def main(argv):
    dirs, out, render, units, title = [], None, False, None, None
    args = list(argv)
    while args:
        a = args.pop(0)
        if a in ("--out", "--units", "--title"):
            if not args:
                fail("%s expects a value" % a)
            v = args.pop(0)
            out, units, title = (v if a == "--out" else out, v if a == "--units" else units,
                                 v if a == "--title" else title)
        elif a == "--render":
            render = True
        elif a.startswith("-"):
            print(__doc__, file=sys.stderr)
            sys.exit(2)
        else:
            dirs.append(a)
    if not dirs:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    runs = [Run(d) for d in dirs]
    seen = {}
    for r in runs:  # two runs of one build: tell them apart by their directory
        seen.setdefault(r.label, []).append(r)
    for label, rs in seen.items():
        if len(rs) > 1:
            for r in rs:
                r.label = "%s (%s)" % (label, os.path.basename(os.path.normpath(r.dir)))
    if out is None:
        if len(dirs) == 1:
            out = os.path.join(dirs[0], "report")
        else:
            names = [os.path.basename(os.path.normpath(d)) for d in dirs]
            out = os.path.join(os.path.dirname(os.path.normpath(os.path.abspath(dirs[0]))), "report-" + "-vs-".join(names))
    os.makedirs(out, exist_ok=True)
    if title is None:
        case = os.path.basename(str(runs[0].s.get("run", {}).get("case", "")))
        title = ("memfem run: %s" % case) if len(runs) == 1 else ("memfem: %d runs compared (%s)" % (len(runs), case))
    figs = [plot_convergence(runs, out)]
    left_out = [[] for _ in runs]
    if any(r.rows for r in runs):
        name, left_out = plot_memory(runs, out)
        figs.append(name)
    figs.append(plot_phases(runs, out))
    picture = None
    if render:
        h5 = os.path.join(dirs[0], "results.h5")
        cmd = [os.path.join(os.path.dirname(os.path.abspath(__file__)), "render.sh"), h5,
               os.path.join(out, "deformed.png")] + (["--units", units] if units else [])
        if os.path.exists(h5) and subprocess.run(cmd).returncode == 0:
            picture = "deformed.png"
        else:
            print("report.sh: no picture of the deformed mesh (%s)" % (
                "render.sh failed" if os.path.exists(h5) else "no results.h5"), file=sys.stderr)
    index = write_html(runs, out, figs, left_out, picture, title)
    print("report: %s" % os.path.abspath(index))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
