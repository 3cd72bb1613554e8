#!/usr/bin/env bash
# Profile one memfem run's heap with an external tool, as a check on memfem's own
# telemetry (telemetry.csv counts what memfem allocates; these tools see every malloc
# in the process, libraries included).
#
#   usage: scripts/profile-heap.sh TOOL [-b MEMFEM] CASE [memfem run options...]
#     TOOL  heaptrack   heaptrack; report by heaptrack_print
#           massif      valgrind --tool=massif --pages-as-heap=yes (pages mapped, not
#                       just malloc'd bytes: what RSS is made of); report by ms_print
#           dhat        valgrind --tool=dhat; report: dhat.json (open it in
#                       dh_view.html) and a summary of it printed here
#   e.g. scripts/profile-heap.sh dhat configs/cube.yaml --threads 2
#
# The run's output directory (--out, or the case's output.dir) gets the report in
# profile-TOOL/; the headline figures (peak heap, number of allocations, top allocation
# sites) are printed. Valgrind serialises threads and runs 20-50x slower: profile small
# cases. Needs the tool installed (Debian packages heaptrack, valgrind); memfem is
# profiled as built, so build with the system allocator for heaptrack/DHAT to see
# every call (they intercept glibc's malloc; a linked jemalloc hides its internals).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
usage() { sed -n 5,21p "$0" >&2; exit 2; }
[ $# -ge 2 ] || usage
tool=$1; shift
memfem=$root/build/src/memfem
if [ "$1" = -b ]; then memfem=$2; shift 2; fi
[ $# -ge 1 ] || usage
case_file=$1; shift
[ -x "$memfem" ] || { echo "profile-heap: no memfem at $memfem (scripts/build.sh, or -b PATH)" >&2; exit 2; }
[ -f "$case_file" ] || { echo "profile-heap: no case file $case_file" >&2; exit 2; }

# Where the run writes: --out DIR if given, otherwise the case's output.dir (relative
# to the case file), otherwise out/<case name>, which is what memfem does.
out=""
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  [ "${args[$i]}" = --out ] && out=${args[$((i + 1))]:-}
done
if [ -z "$out" ]; then
  out=out/$(basename "$case_file" .yaml)
  args+=(--out "$out")
fi
report=$out/profile-$tool
mkdir -p "$report"
run=("$memfem" run "$case_file" --quiet "${args[@]}")

need() { command -v "$1" > /dev/null || { echo "profile-heap: $1 is not installed (apt-get install $2)" >&2; exit 3; }; }
case $tool in
  heaptrack)
    need heaptrack heaptrack
    heaptrack -o "$report/heaptrack" "${run[@]}" > "$report/run.log" 2>&1
    data=""
    for f in "$report"/heaptrack*.zst "$report"/heaptrack*.gz; do [ -e "$f" ] && data=$f; done
    [ -n "$data" ] || { echo "profile-heap: heaptrack wrote no data (see $report/run.log)" >&2; exit 1; }
    heaptrack_print -f "$data" > "$report/report.txt"
    echo "heaptrack report: $report/report.txt (data: $data; GUI: heaptrack_gui $data)"
    grep -E '^(total runtime|calls to allocation functions|temporary memory allocations|peak heap memory consumption|peak RSS|total memory leaked)' "$report/report.txt"
    echo "top allocation sites (by calls):"
    awk '/^MOST CALLS TO ALLOCATION FUNCTIONS/ {on = 1; next} on && /^[0-9]+ calls/ {print "  " $0; getline; print "  " $0; if (++n == 5) exit}' "$report/report.txt"
    ;;
  massif)
    need valgrind valgrind
    valgrind --tool=massif --pages-as-heap=yes --massif-out-file="$report/massif.out" "${run[@]}" \
      > "$report/run.log" 2>&1
    ms_print "$report/massif.out" > "$report/report.txt"
    echo "massif report: $report/report.txt"
    python3 - "$report/massif.out" <<'EOF'
import re, sys
# Snapshots: "snapshot=N", "mem_heap_B=...", "heap_tree=empty|detailed|peak", then for
# detailed/peak ones a tree of "nK: BYTES ADDR: FUNCTION" lines indented by depth.
snaps, cur = [], None
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    if line.startswith("snapshot="):
        cur = {"bytes": 0, "tree": []}
        snaps.append(cur)
    elif cur is not None and line.startswith("mem_heap_B="):
        cur["bytes"] = int(line.split("=")[1])
    elif cur is not None and re.match(r" *n[0-9]+: [0-9]+ ", line):
        cur["tree"].append(line)
peak = max(snaps, key=lambda s: s["bytes"])
print("peak pages mapped (heap, stacks, libraries; --pages-as-heap): %.1f MiB (%d snapshots)" % (peak["bytes"] / 2**20, len(snaps)))
detailed = max((s for s in snaps if s["tree"]), key=lambda s: s["bytes"])
print("largest contributors in the largest detailed snapshot (%.1f MiB), call-path depth 1-4:" % (detailed["bytes"] / 2**20))
rows = []
for line in detailed["tree"]:
    depth = len(line) - len(line.lstrip(" "))
    m = re.match(r" *n[0-9]+: ([0-9]+) (?:0x[0-9A-F]+: )?(.*)", line)
    if 1 <= depth <= 4 and m and int(m.group(1)) >= 0.02 * detailed["bytes"]:
        rows.append("  " + "  " * (depth - 1) + "%8.1f MiB  %s" % (int(m.group(1)) / 2**20, m.group(2)[:100]))
print("\n".join(rows[:16]))
EOF
    ;;
  dhat)
    need valgrind valgrind
    valgrind --tool=dhat --dhat-out-file="$report/dhat.json" "${run[@]}" > "$report/run.log" 2>&1
    echo "DHAT data: $report/dhat.json (open in /usr/libexec/valgrind/dh_view.html)"
    grep -E '^==[0-9]+== (Total|At t-gmax|At t-end|Reads|Writes):' "$report/run.log" | sed 's/^==[0-9]*== /  /'
    python3 - "$report/dhat.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
frames = d["ftbl"]
print("top allocation sites (by blocks):")
for p in sorted(d["pps"], key=lambda p: p["tbk"], reverse=True)[:6]:
    # The first frame that is not the allocator itself names the site.
    # The first frame that is neither the allocator nor memfem's counting layer names the site.
    skip = ("malloc", "calloc", "realloc", "aligned_alloc", "posix_memalign", "mf_alloc.c")
    site = next((frames[f] for f in p["fs"] if not any(k in frames[f] for k in skip)), frames[p["fs"][0]])
    print("  %10d blocks %14d bytes  %s" % (p["tbk"], p["tb"], site[:110]))
EOF
    ;;
  *) usage ;;
esac
