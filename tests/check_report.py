#!/usr/bin/env python3
"""The run report (scripts/report.sh, issue 16) end to end.

usage: check_report.py REPORT_SH MEMFEM WORKDIR [--expect-failed] SOURCE [SOURCE...]
       check_report.py --png FILE...

Each SOURCE is a memfem output directory (e.g. a fixture of another build under
tests/data/report/) or live:NAME, a run this MEMFEM makes first (NAME in LIVE below).
The report of all SOURCEs together is written to WORKDIR/report and checked:
  - report.sh exits 0 and prints the path of index.html;
  - every PNG in the report is a valid image (signature, chunk CRCs, IHDR, the image
    data inflates to exactly its size) of non-trivial size and content;
  - index.html loads nothing from the network (no scheme, no absolute path, no script)
    and every file it references exists;
  - every figure in the HTML (spans with data-key/data-value) equals summary.json's
    value at that path, both the raw value and the number shown; the headline figures
    (build options, mesh, status, time per phase, peak RSS, bytes per node, checksum)
    are there for every run, and a column per run names its directory;
  - the telemetry figures the HTML says were left out as n/a are exactly the ones that
    are "n/a" in every row of that run's telemetry.csv;
  - --expect-failed: a run did not converge, its status is shown as failed and its
    converged steps are listed.
--png checks PNG files only (for scripts/render.sh).
"""
import csv
import html.parser
import json
import os
import re
import struct
import subprocess
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# Live runs: the case the fixtures were made with (tests/data/report/make_fixtures.sh),
# one thread; and a run that fails after three converged steps.
LIVE = {
    "cube": (["configs/cube.yaml", "--mesh", "box:1x1x1:6x6x6", "--steps", "3", "--threads", "1"], 0),
    "buckle": (["tests/data/cases/buckle.yaml", "--threads", "1"], 1),
}
HEADLINE = ["status", "build.options.scratch", "build.options.layout", "build.options.allocator",
            "mesh.nodes", "mesh.elements", "run.seconds.total", "run.seconds.mesh", "run.seconds.setup",
            "run.seconds.assembly", "run.seconds.solve", "run.seconds.spmv", "run.seconds.pc", "run.seconds.vec",
            "run.seconds.output", "fom.peak_rss_bytes", "derived.bytes_per_node", "displacement_checksum"]
# Telemetry columns the memory plot draws; the report names those that are n/a throughout.
PLOTTED = ["rss_bytes", "hwm_bytes", "live_bytes", "allocator_allocated", "allocator_active",
           "allocator_resident", "frag_ratio", "allocs"]
UNITS = {"B": 1, "KiB": 1024, "MiB": 1024 ** 2, "GiB": 1024 ** 3, "s": 1, "GB/s": 1}

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)
    return cond


def check_png(path, min_bytes=8000, min_w=300, min_h=200):
    """A PNG that decodes: chunks with good CRCs, IHDR first, IDAT inflating to the exact
    size of its scanlines, IEND last; large enough and not a blank canvas."""
    name = os.path.basename(path)
    data = open(path, "rb").read()
    if not check(data[:8] == b"\x89PNG\r\n\x1a\n", "%s: not a PNG" % name):
        return
    check(len(data) >= min_bytes, "%s: %d bytes, a plot has at least %d" % (name, len(data), min_bytes))
    pos, chunks, idat = 8, [], b""
    while pos + 12 <= len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body, crc = data[pos + 8:pos + 8 + n], data[pos + 8 + n:pos + 12 + n]
        if not check(len(crc) == 4 and struct.unpack(">I", crc)[0] == zlib.crc32(kind + body),
                     "%s: bad CRC in chunk %s" % (name, kind)):
            return
        chunks.append((kind, body))
        idat += body if kind == b"IDAT" else b""
        pos += 12 + n
    if not check(chunks and chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND", "%s: IHDR/IEND" % name):
        return
    w, h, depth, ctype = struct.unpack(">IIBB", chunks[0][1][:10])
    check(w >= min_w and h >= min_h, "%s: %dx%d pixels is too small" % (name, w, h))
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}.get(ctype)
    if not check(channels and depth == 8, "%s: colour type %d depth %d" % (name, ctype, depth)):
        return
    raw = zlib.decompress(idat)
    check(len(raw) == h * (1 + w * channels), "%s: image data %d bytes, expected %d" % (
        name, len(raw), h * (1 + w * channels)))
    check(len(set(raw[::97])) > 8, "%s: (nearly) uniform image" % name)


class Page(html.parser.HTMLParser):
    """Collects references, figures (data-key spans with their shown text, without the
    ratio spans), column heads, left-out notes and status badges of index.html."""

    def __init__(self):
        super().__init__()
        self.refs, self.figures, self.columns, self.left_out, self.classes = [], [], {}, {}, []
        self.scripts = 0
        self.run = None
        self.stack = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.classes += (a.get("class") or "").split()
        for k in ("src", "href"):
            if k in a:
                self.refs.append(a[k])
        if tag in ("script", "link", "iframe", "object", "embed"):
            self.scripts += 1
        if "data-run" in a and tag != "span":  # a cell, column head or section of one run
            self.run = int(a["data-run"])
            if tag == "th" and "data-dir" in a:
                self.columns[self.run] = a["data-dir"]
        if "data-left-out" in a:
            self.left_out[int(a["data-run"])] = a["data-left-out"].split()
        if tag in ("br", "img", "meta", "col"):
            return
        entry = None
        if "data-key" in a:
            entry = {"run": self.run or 0, "key": a["data-key"], "value": a["data-value"], "text": ""}
            self.figures.append(entry)
        elif "ratio" in (a.get("class") or "").split():
            entry = "skip"
        self.stack.append(entry)

    def handle_endtag(self, tag):
        if tag in ("br", "img", "meta", "col"):
            return
        if self.stack:
            self.stack.pop()

    def handle_data(self, data):
        for entry in reversed(self.stack):
            if entry == "skip":
                return
            if isinstance(entry, dict):
                entry["text"] += data
                return


def lookup(summary, key):
    for part in key.split("."):
        summary = summary[int(part)] if isinstance(summary, list) else summary[part]
    return summary


def derived(summary, key):
    steps = [s for s in summary["steps"] if s.get("converged", True)]
    if key == "derived.steps_converged":
        return len(steps)
    if key == "derived.newton_iterations":
        return sum(s["newton_iterations"] for s in steps)
    if key == "derived.bytes_per_node":
        return round(summary["fom"]["peak_rss_bytes"] / summary["mesh"]["nodes"])
    raise KeyError(key)


def shown_matches(text, value):
    """The text shown for a figure says the value: the same string, or a number that
    rounds to it at the precision shown (thousands separators and units allowed)."""
    text = text.strip()
    if isinstance(value, str) or isinstance(value, bool):
        return text == str(value)
    m = re.fullmatch(r"(-?[\d,]*\.?\d+)(?:e([+-]\d+))?(?: (B|KiB|MiB|GiB|s|GB/s))?", text)
    if not m:
        return False
    mant, exp, unit = m.group(1).replace(",", ""), int(m.group(2) or 0), m.group(3) or "B"
    decimals = len(mant.split(".")[1]) if "." in mant else 0
    scale = UNITS[unit] * 10.0 ** exp
    return abs(float(mant) * scale - value) <= 0.5 * 10.0 ** -decimals * scale * (1 + 1e-9) + 1e-12


def telemetry_na(d):
    path = os.path.join(d, "telemetry.csv")
    if not os.path.exists(path):
        return None
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    return sorted(c for c in PLOTTED if rows and all(r.get(c, "n/a") == "n/a" for r in rows))


def live_run(memfem, work, name):
    args, rc_expected = LIVE[name]
    out = os.path.join(work, "live-" + name)
    cmd = [memfem, "run", os.path.join(ROOT, args[0])] + args[1:] + ["--quiet", "--out", out]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if p.returncode != rc_expected:
        sys.exit("memfem exited %d, expected %d: %s\n%s" % (p.returncode, rc_expected, " ".join(cmd), p.stderr))
    return out


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--png":
        for path in sys.argv[2:]:
            check_png(path)
        print("%d check(s) failed" % len(failures) if failures else "png ok: %s" % " ".join(sys.argv[2:]))
        return 1 if failures else 0
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    report_sh, memfem, work = sys.argv[1:4]
    rest = sys.argv[4:]
    expect_failed = "--expect-failed" in rest
    sources = [s for s in rest if s != "--expect-failed"]
    os.makedirs(work, exist_ok=True)
    dirs = [live_run(memfem, work, s[5:]) if s.startswith("live:") else os.path.abspath(s) for s in sources]
    out = os.path.join(work, "report")
    for f in os.listdir(out) if os.path.isdir(out) else []:
        os.remove(os.path.join(out, f))
    p = subprocess.run([report_sh] + dirs + ["--out", out], capture_output=True, text=True, timeout=300)
    print(p.stdout + p.stderr, end="")
    index = os.path.join(out, "index.html")
    if not check(p.returncode == 0, "report.sh exited %d" % p.returncode):
        return 1
    check(os.path.abspath(index) in p.stdout, "report.sh did not print the path of index.html")

    pngs = sorted(f for f in os.listdir(out) if f.endswith(".png"))
    check({"convergence.png", "memory.png", "phases.png"} <= set(pngs), "plots missing: %s" % pngs)
    for f in pngs:
        check_png(os.path.join(out, f))

    text = open(index).read()
    page = Page()
    page.feed(text)
    check(page.scripts == 0, "index.html has script/link/iframe elements")
    check(not re.search(r"(https?|ftp)://|url\(", text), "index.html names a network resource")
    for ref in page.refs:
        ok = not re.match(r"^([a-z][a-z0-9+.-]*:|/)", ref, re.I)
        check(ok, "index.html references %s (not a relative path)" % ref)
        check(not ok or os.path.exists(os.path.join(out, ref)), "index.html references %s, which does not exist" % ref)
    for f in pngs:
        check(f in page.refs, "index.html does not show %s" % f)

    summaries = [json.load(open(os.path.join(d, "summary.json"))) for d in dirs]
    if len(dirs) > 1:
        for i, d in enumerate(dirs):
            col = page.columns.get(i)
            check(col is not None and os.path.samefile(os.path.join(out, col), d),
                  "run %d: column names %s, not %s" % (i, col, d))
    seen = {}
    for fig in page.figures:
        i, key = fig["run"], fig["key"]
        if not check(0 <= i < len(dirs), "figure %s of unknown run %d" % (key, i)):
            continue
        try:
            want = derived(summaries[i], key) if key.startswith("derived.") else lookup(summaries[i], key)
        except (KeyError, IndexError, TypeError):
            check(False, "run %d: %s is not in summary.json" % (i, key))
            continue
        check(json.loads(fig["value"]) == want, "run %d: %s is %s in the HTML, %r in summary.json" % (
            i, key, fig["value"], want))
        check(shown_matches(fig["text"], want), "run %d: %s shown as '%s', summary.json has %r" % (
            i, key, fig["text"].strip(), want))
        seen.setdefault(i, set()).add(key)
    for i, s in enumerate(summaries):
        missing = [k for k in HEADLINE if k not in seen.get(i, set())]
        check(not missing, "run %d: headline figures missing from the HTML: %s" % (i, missing))
        n_steps = len(s["steps"])
        check(sum(1 for k in seen.get(i, set()) if re.fullmatch(r"steps\.\d+\.cg_iterations", k)) == n_steps,
              "run %d: the load-step table does not list the %d steps" % (i, n_steps))
        na = telemetry_na(dirs[i])
        if na is not None:
            check(sorted(page.left_out.get(i, [])) == na, "run %d: HTML says %s left out as n/a, telemetry.csv "
                  "has n/a throughout in %s" % (i, page.left_out.get(i, []), na))
    failed = [i for i, s in enumerate(summaries) if s["status"] != "converged"]
    if expect_failed:
        check(failed, "--expect-failed, but every run converged")
        check("bad" in page.classes and "failure" in page.classes, "a failed run is not shown as failed")
    else:
        check(not failed and "bad" not in page.classes, "a run failed: %s" % [summaries[i]["status"] for i in failed])
    if failures:
        print("%d check(s) failed" % len(failures))
        return 1
    print("report ok: %d run(s), %d figures checked against summary.json, %d PNGs, %s" % (
        len(dirs), len(page.figures), len(pngs), index))
    return 0


if __name__ == "__main__":
    sys.exit(main())
