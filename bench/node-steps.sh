# Sourced by the node studies (bench/node-study.sh, bench/node-mpi-study.sh): a study in
# steps that fits a short lease. Each step runs when its estimate fits the seconds left
# of the budget, for at most those seconds; the work folder is packed into
# OUTDIR/node.tar.gz after every step, so an interrupted study still returns what it
# finished; the log is OUTDIR/node.log.
#
#   study_begin NAME BUNDLE OUTDIR DEFAULT_BUDGET [--budget S] [--quick]
#     sets bundle, outdir, work (a fresh folder), budget and quick (0/1), sources
#     BUNDLE/env.sh and starts the clock
study_begin() {
  local name=$1
  bundle=$(cd "$2" && pwd) || return 2
  outdir=$3 budget=$4 quick=0
  shift 4
  while [ $# -gt 0 ]; do
    case $1 in
      --budget) budget=$2; shift 2 ;;
      --quick) quick=1; shift ;;
      *) echo "$name: unknown argument '$1'" >&2; return 2 ;;
    esac
  done
  mkdir -p "$outdir" && outdir=$(cd "$outdir" && pwd) && work=$(mktemp -d "/tmp/$name.XXXXXX") || return 2
  log=$outdir/node.log
  # shellcheck source=/dev/null
  source "$bundle/env.sh"
  start=$(date +%s)
}
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
