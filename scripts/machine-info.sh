#!/usr/bin/env bash
# Describe this machine for a benchmark's machine.txt: time, host, CPU, caches, NUMA,
# memory, kernel, glibc, compiler, transparent huge pages, OpenMP binding, load, and the
# memfem build when a binary is given.   usage: scripts/machine-info.sh [MEMFEM]
# No pipefail here on purpose: `cmd | head` may end cmd with SIGPIPE, which is not an
# error of the description.
set -u
echo "# $(date -u +%FT%TZ) $(hostname), nproc $(nproc)"
lscpu | grep -E 'Model name|^CPU\(s\)|Thread|Socket|L2|L3|NUMA node\(s\)'
free -g | head -n 2
echo "kernel $(uname -r); $(ldd --version | head -n 1); $(gcc --version 2>/dev/null | head -n 1)"
echo "transparent hugepages: $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)"
echo "OMP_PROC_BIND=${OMP_PROC_BIND:-unset} OMP_PLACES=${OMP_PLACES:-unset} OMP_NUM_THREADS=${OMP_NUM_THREADS:-unset}"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
[ $# -ge 1 ] && "$1" --version
exit 0
