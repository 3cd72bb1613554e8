#!/usr/bin/env python3
"""Crash safety (issue 15 item 6): SIGKILL a run at random moments, then restart it.

usage: check_kill.py MEMFEM CASE OUTDIR [KILLS [SEED]]

CASE (configs/box_1m.yaml) runs on a smaller box with results every step and
checkpoint {every: 1}, one thread. The uninterrupted run gives the reference checksum and
its duration. Then KILLS (default 12) runs are killed with SIGKILL, seeded (default seed
15): half at a random moment of the run, half the moment a temporary file of an atomic
write (.checkpoint.h5.tmp.PID, .results.xdmf.tmp.PID) appears, that is during an output
write. After each kill every file in the output directory must open (h5py, json, XML,
complete CSV rows; h5check.check_outdir), and `--restart DIR/checkpoint.h5` (a fresh run
where no checkpoint was written yet) must end with the reference's checksum, leave no
temporary file behind and hold every step in results.h5 and results.xdmf."""
import os
import random
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h5check import check_outdir, fail, make_test_case, run, summary  # noqa: E402

memfem, case, out = sys.argv[1:4]
KILLS = int(sys.argv[4]) if len(sys.argv) > 4 else 12
SEED = int(sys.argv[5]) if len(sys.argv) > 5 else 15
MESH, STEPS = "box:1x1x4:6x6x24", "12"
test_case = make_test_case(case, out, "output: {dir: %s/unused, every: 1}\ncheckpoint: {every: 1}" % out)
base = [memfem, "run", test_case, "--mesh", MESH, "--steps", STEPS, "--quiet", "--threads", "1"]

ref = os.path.join(out, "ref")
t0 = time.time()
run(base + ["--out", ref])
duration = time.time() - t0
ref_sum = summary(ref)["displacement_checksum"]
n_steps = summary(ref)["steps"][-1]["step"]
print("reference: %d steps in %.2f s, checksum %s" % (n_steps, duration, ref_sum))

rng = random.Random(SEED)
kills = during_write = with_checkpoint = attempts = 0
while kills < KILLS:
    attempts += 1
    if attempts > 4 * KILLS:
        fail("only %d of %d runs could be killed before they ended" % (kills, KILLS))
    d = os.path.join(out, "kill%02d" % kills)
    shutil.rmtree(d, ignore_errors=True)
    at_write = kills % 2 == 1
    delay = rng.uniform(0.02, 0.95) * duration
    nth = rng.randrange(1, int(STEPS))  # the n-th temporary file seen
    p = subprocess.Popen(base + ["--out", d], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    start, seen, present = time.time(), 0, set()
    while p.poll() is None:
        if at_write:  # count appearances: every write of a file reuses its temporary name
            names = {n for n in (os.listdir(d) if os.path.isdir(d) else []) if ".tmp." in n}
            seen += len(names - present)
            present = names
            if seen >= nth:
                break
        elif time.time() - start >= delay:
            break
        time.sleep(0.0002)
    if p.poll() is not None:  # ended first: not a kill, try another moment
        continue
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    left = check_outdir(d, allow_tmp=True) if os.path.isdir(d) else {}
    tmp_left = [n for n in left if left[n] == "tmp"]
    kills += 1
    during_write += bool(tmp_left)
    ck = os.path.join(d, "checkpoint.h5")
    had_checkpoint = os.path.exists(ck)
    if had_checkpoint:
        with_checkpoint += 1
        r = run(base + ["--out", d, "--restart", ck])
    else:
        r = run(base + ["--out", d])
    for n in tmp_left:
        if "removed %s" % os.path.join(d, n) not in r.stdout:
            fail("kill %d: the restart did not report removing %s" % (kills, n))
    after = check_outdir(d)
    if summary(d)["displacement_checksum"] != ref_sum:
        fail("kill %d: the restarted run ends with %s, the uninterrupted one with %s"
             % (kills, summary(d)["displacement_checksum"], ref_sum))
    if after.get("results.h5") != list(range(1, n_steps + 1)) or after.get("results.xdmf") != after["results.h5"]:
        fail("kill %d: after the restart results.h5 holds %s, results.xdmf %s"
             % (kills, after.get("results.h5"), after.get("results.xdmf")))
    print("kill %2d %s after %.3f s: left %s; %s -> checksum %s" % (
        kills, "at a write " if at_write else "at random  ", time.time() - start,
        ", ".join("%s%s" % (n, "" if left[n] != "tmp" else " (temporary)") for n in sorted(left)) or "nothing",
        "restarted from the checkpoint" if had_checkpoint else "no checkpoint yet, run afresh", ref_sum))
if during_write < 2:
    fail("only %d of %d kills hit an atomic write; the test must cover writes" % (during_write, kills))
print("ok: %d SIGKILLs (%d during an atomic write, %d with a checkpoint to restart from), every file opened "
      "after each, every restart reproduced %s" % (kills, during_write, with_checkpoint, ref_sum))
