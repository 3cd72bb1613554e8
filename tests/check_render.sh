#!/usr/bin/env bash
# scripts/render.sh (issue 16): the picture of a result with ParaView (when pvpython and
# an X display or Xvfb are there), with matplotlib (--matplotlib, and as the fallback
# when ParaView fails), and a clean error for a step that was not written.
#   usage: check_render.sh MEMFEM WORKDIR PYTHON CHECK_REPORT_PY
set -uo pipefail
memfem=$1 work=$2 py=$3 checker=$4
render=$(cd "$(dirname "$0")/.." && pwd)/scripts/render.sh
root=$(dirname "$(dirname "$render")")
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*"; exit 1; }
"$memfem" run "$root/configs/cube.yaml" --mesh box:1x1x1:6x6x6 --steps 2 --threads 1 --quiet --out "$work/run" \
  > /dev/null || fail "memfem run"

if command -v pvpython > /dev/null && { [ -n "${DISPLAY:-}" ] || command -v Xvfb > /dev/null; }; then
  out=$("$render" "$work/run" "$work/paraview.png" --units MPa 2>&1) || fail "render.sh with ParaView: $out"
  echo "$out"
  grep -q "(ParaView, step 2)" <<< "$out" || fail "render.sh did not draw with ParaView: $out"
  "$py" "$checker" --png "$work/paraview.png" || fail "ParaView picture"
else
  echo "pvpython, or an X display and Xvfb, missing: ParaView not checked"
fi

out=$("$render" "$work/run/results.h5" "$work/matplotlib.png" --matplotlib --step 1 2>&1) || fail "render.sh --matplotlib: $out"
echo "$out"
grep -q "(matplotlib, step 1," <<< "$out" || fail "render.sh --matplotlib: $out"
"$py" "$checker" --png "$work/matplotlib.png" || fail "matplotlib picture"

# A pvpython that fails: render.sh says so and falls back to matplotlib.
mkdir -p "$work/bin"
printf '#!/bin/sh\necho "pvpython: broken on purpose" >&2\nexit 1\n' > "$work/bin/pvpython"
chmod +x "$work/bin/pvpython"
out=$(DISPLAY=:0 PATH="$work/bin:$PATH" "$render" "$work/run" "$work/fallback.png" 2>&1) || fail "fallback: $out"
echo "$out"
grep -q "ParaView failed" <<< "$out" && grep -q "(matplotlib, step 2," <<< "$out" || fail "no fallback: $out"
"$py" "$checker" --png "$work/fallback.png" || fail "fallback picture"

out=$("$render" "$work/run" "$work/none.png" --step 7 2>&1)
rc=$?
[ "$rc" -eq 2 ] && grep -q "has no step 7" <<< "$out" || fail "--step 7: exit $rc, $out"
[ ! -e "$work/none.png" ] || fail "--step 7 wrote a picture"
echo "ok: render.sh draws with ParaView and matplotlib, falls back, rejects a missing step"
