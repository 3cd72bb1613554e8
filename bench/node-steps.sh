# Sourced by the node studies (bench/node-study.sh, bench/node-mpi-study.sh): a study in
# steps that fits a short lease. Each step runs when its estimate fits the seconds left
# of the budget, for at most those seconds; the work folder is packed into
# OUTDIR/node.tar.gz after every step, so an interrupted study still returns what it
# finished. Set before sourcing: budget (s), outdir, work; the log is OUTDIR/node.log.
start=$(date +%s)
log=$outdir/node.log
say() { echo "node-study [$(($(date +%s) - start)) s]: $*" | tee -a "$log"; }
pack() { tar -C "$work" -czf "$outdir/node.tar.gz.tmp" . && mv "$outdir/node.tar.gz.tmp" "$outdir/node.tar.gz"; }
# step NAME ESTIMATE_S COMMAND...: its output goes to the log.
step() {
  local name=$1 est=$2 left
  shift 2
  left=$((budget - ($(date +%s) - start)))
  if [ "$left" -lt "$est" ]; then
    say "SKIP $name: estimated ${est} s, ${left} s left"
    return
  fi
  say "start $name (estimate ${est} s, ${left} s left)"
  timeout --signal=INT --kill-after=5 "$left" "$@" >> "$log" 2>&1
  say "end $name: exit $?"
  pack
}
