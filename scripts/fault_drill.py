#!/usr/bin/env python
"""Fault drill: kill `bulletin classify` and `bulletin compare` at random moments, resume
or rerun, and check the result is byte-identical to a clean run.

classify: each trial starts `classify --resume` into a fresh folder, kills its whole
process group (SIGKILL mostly, sometimes SIGTERM or SIGINT) at a random moment of a
clean run's duration, sometimes kills the resumed run once more, then resumes to the
end. The output and the --summary must equal a clean run's byte for byte, and nothing
may be left beside them (progress log, lock, temporary files).

compare: each trial copies an earlier comparison (of half the corpus, so that every
file differs) into the output folder, starts `compare` over the whole corpus into it and
kills it at a random moment. The folder must then hold either the earlier result or the
new one, complete (never a mix of the two, nor half a file); a rerun must give the clean
result, with no temporary folder left behind.

Kill moments are uniform over a clean run's duration, and for 40% of trials drawn from
its last 15%, where the outputs are being written.

A kill that lands after the command finished does not count. The corpus (make_corpus.py)
includes one file that is not a bulletin, so the failure path runs too (exit status 1).

Usage: python scripts/fault_drill.py [--kills 20] [--n 300] [--compare-n 60] [--only classify|compare]
Exit status 0 when every trial passed.
"""
from __future__ import annotations

import argparse
import filecmp
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_corpus import make_corpus  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SIGNALS = [signal.SIGKILL, signal.SIGKILL, signal.SIGKILL, signal.SIGTERM, signal.SIGINT]


def bulletin(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "nlp.cli", *map(str, args)]


def env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}


def run(cmd: list[str]) -> tuple[int, float, str]:
    t0 = time.perf_counter()
    p = subprocess.run(cmd, cwd=ROOT, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return p.returncode, time.perf_counter() - t0, p.stderr


def kill_moment(wall: float, rng: random.Random) -> float:
    if rng.random() < 0.4:
        return rng.uniform(0.85, 1.02) * wall
    return rng.uniform(0.05, wall * 1.02)


def start_and_kill(cmd: list[str], after: float, rng: random.Random) -> tuple[bool, str]:
    """Start cmd in its own process group; kill the group after `after` s if still running."""
    p = subprocess.Popen(cmd, cwd=ROOT, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    try:
        p.wait(timeout=after)
        return False, "finished first"
    except subprocess.TimeoutExpired:
        pass
    sig = rng.choice(SIGNALS)
    os.killpg(p.pid, sig)
    try:
        p.wait(timeout=60)
    except subprocess.TimeoutExpired:  # SIGTERM/SIGINT ignored? then the hard way
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
    try:  # workers of a killed parent must not outlive it
        os.killpg(p.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    return True, f"{signal.Signals(sig).name} at {after:.2f} s"


def same_tree(a: Path, b: Path) -> list[str]:
    """Names that differ between two folders (missing, extra or different bytes)."""
    names_a = {p.name for p in a.iterdir()}
    names_b = {p.name for p in b.iterdir()} if b.exists() else set()
    bad = sorted(names_a ^ names_b)
    bad += [n for n in sorted(names_a & names_b) if not filecmp.cmp(a / n, b / n, shallow=False)]
    return bad


def progress(d: Path, fmt: str) -> str:
    """How far a killed run got: bulletins marked done in its progress log, or the output."""
    done = d / f"r.{fmt}.progress.done"
    if (d / f"r.{fmt}").exists():
        return "output written" + (", progress log not yet removed" if done.exists() else "")
    if not done.exists():
        return "before the progress log"
    return f"{max(0, len(done.read_bytes().splitlines()) - 1)} bulletins marked done"


def drill_classify(work: Path, corpus: Path, kills: int, rng: random.Random) -> bool:
    clean = {}
    for fmt in ("jsonl", "csv"):
        d = work / f"clean_{fmt}"
        d.mkdir()
        rc, wall, err = run(bulletin("classify", corpus, "--out", d / f"r.{fmt}", "--summary", d / "s.json"))
        if rc not in (0, 1):
            print(f"clean classify run failed ({rc}): {err[-500:]}")
            return False
        clean[fmt] = (d, rc, wall)
        print(f"clean classify run (.{fmt}): {wall:.1f} s, exit status {rc}", flush=True)
    done, trial, ok = 0, 0, True
    while done < kills:
        trial += 1
        fmt = "jsonl" if trial % 2 else "csv"
        cdir, crc, wall = clean[fmt]
        d = work / f"trial{trial}"
        d.mkdir()
        cmd = bulletin("classify", corpus, "--out", d / f"r.{fmt}", "--summary", d / "s.json", "--resume")
        events = []
        killed, what = start_and_kill(cmd, kill_moment(wall, rng), rng)
        events.append(what + (f" ({progress(d, fmt)})" if killed else ""))
        done += killed
        if killed and rng.random() < 0.3:  # kill the resumed run too
            killed2, what2 = start_and_kill(cmd, rng.uniform(0.05, wall * 0.8), rng)
            events.append("resumed, then " + what2)
            done += killed2
        rc, _, err = run(cmd)
        diff = same_tree(cdir, d)
        good = rc == crc and not diff and "Traceback" not in err
        ok &= good
        print(f"classify trial {trial:>2} (.{fmt}): {'; '.join(events)}; resumed -> exit {rc}, "
              + ("identical to the clean run" if good else f"DIFFERS: {diff or err[-300:]}"), flush=True)
        shutil.rmtree(d)
    print(f"classify: {done} kill(s) in {trial} trial(s): "
          + ("every resumed run byte-identical to a clean run" if ok else "FAILED"), flush=True)
    return ok


def drill_compare(work: Path, corpus: Path, kills: int, rng: random.Random) -> bool:
    cdir = work / "clean_cmp"
    rc0, wall, err = run(bulletin("compare", corpus, "--out", cdir))
    if rc0 not in (0, 1):
        print(f"clean compare run failed ({rc0}): {err[-500:]}")
        return False
    print(f"clean compare run: {wall:.1f} s, exit status {rc0}", flush=True)
    half = work / "corpus_half"
    half.mkdir()
    for f in sorted(corpus.iterdir())[::2]:
        shutil.copyfile(f, half / f.name)
    earlier = work / "earlier_cmp"
    run(bulletin("compare", half, "--out", earlier))
    if set(same_tree(cdir, earlier)) != {p.name for p in cdir.iterdir()}:
        print("the earlier comparison shares files with the clean one; the drill could not tell a mix")
        return False
    done, trial, ok = 0, 0, True
    while done < kills:
        trial += 1
        parent = work / f"cmp_trial{trial}"
        parent.mkdir()
        out = parent / "cmp"
        shutil.copytree(earlier, out)  # an earlier, complete comparison
        killed, what = start_and_kill(bulletin("compare", corpus, "--out", out), kill_moment(wall, rng), rng)
        done += killed
        if not out.exists():
            after_kill = ["(the output folder is gone)"]
        else:
            after_kill = min(same_tree(earlier, out), same_tree(cdir, out), key=len)
        rc, _, err = run(bulletin("compare", corpus, "--out", out))
        diff = same_tree(cdir, out)
        stray = sorted(p.name for p in parent.iterdir() if p.name != "cmp")
        good = not after_kill and rc == rc0 and not diff and not stray and "Traceback" not in err
        ok &= good
        print(f"compare trial {trial:>2}: {what}; "
              + ("folder complete after the kill" if not after_kill else f"AFTER THE KILL, A MIX: {after_kill}")
              + f"; rerun -> exit {rc}, "
              + ("identical" if not diff else f"DIFFERS: {diff}")
              + (f"; LEFT BEHIND: {stray}" if stray else ""), flush=True)
        shutil.rmtree(parent)
    print(f"compare: {done} kill(s) in {trial} trial(s): "
          + ("every folder complete after a kill, every rerun byte-identical" if ok else "FAILED"), flush=True)
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kills", type=int, default=20, help="kills per command (default 20)")
    ap.add_argument("--n", type=int, default=300, help="bulletins in the classify corpus")
    ap.add_argument("--compare-n", type=int, default=60, help="bulletins in the compare corpus")
    ap.add_argument("--only", choices=["classify", "compare"])
    ap.add_argument("--seed", type=int, default=0, help="random seed of the kill moments")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="fault_drill_"))
    ok = True
    try:
        if args.only in (None, "classify"):
            ok &= drill_classify(work, make_corpus(work / "corpus", args.n, bad=True), args.kills, rng)
        if args.only in (None, "compare"):
            ok &= drill_compare(work, make_corpus(work / "corpus_cmp", args.compare_n, bad=True), args.kills, rng)
    finally:
        if args.keep:
            print(f"work folder: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
