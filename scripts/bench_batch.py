#!/usr/bin/env python
"""`bulletin classify` at batch scale: wall time, CPU/wall and peak memory at 100 and
1,000 bulletins (corpus copied from data/raw and tests/fixtures).

Each run is the real command in a subprocess. CPU is user+system time of the command and
its worker processes; CPU/wall near the number of cores means they were all busy. Peak
memory is sampled every 50 ms over the whole process tree: the sum of PSS (each page
shared by forked workers counted once, shared out), and the largest single process.

Usage:
  python scripts/bench_batch.py [--sizes 100 1000] [--jobs 1 0] [--model default]
  python scripts/bench_batch.py --code /path/to/other/checkout   # the same runs with other code
  python scripts/bench_batch.py --annotate 12000                  # annotate: .csv vs .xlsx
`--jobs 0` means the default (all cores).
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_corpus import make_corpus  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def _tree_memory(pid: int) -> tuple[int, int]:
    """(sum of PSS over the process tree, largest RSS of one process), in bytes."""
    import psutil
    try:
        root = psutil.Process(pid)
        procs = [root] + root.children(recursive=True)
    except psutil.NoSuchProcess:
        return 0, 0
    total, largest = 0, 0
    for p in procs:
        try:
            info = p.memory_full_info()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        total += getattr(info, "pss", info.rss)
        largest = max(largest, info.rss)
    return total, largest


def run(cmd: list[str], cwd: Path) -> dict:
    """Run a command; wall, CPU of it and its children, peak memory of its process tree."""
    env = {**os.environ, "PYTHONPATH": str(cwd), "HF_HUB_OFFLINE": "1"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = {"pss": 0, "largest": 0}
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            total, largest = _tree_memory(proc.pid)
            peak["pss"] = max(peak["pss"], total)
            peak["largest"] = max(peak["largest"], largest)
            stop.wait(0.05)
    t = threading.Thread(target=sample, daemon=True)
    t.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - t0
    stop.set()
    t.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-2000:]}")
    return {"wall": wall, "cpu": cpu, "pss": peak["pss"], "largest": peak["largest"], "rc": proc.returncode}


def bench_classify(args, work: Path) -> None:
    code = Path(args.code).resolve() if args.code else ROOT
    print(f"classify with --model {args.model}, code in {code}, {os.cpu_count()} core(s)")
    print(f"{'bulletins':>9} {'jobs':>7} {'wall s':>7} {'CPU s':>7} {'CPU/wall':>8} {'peak PSS MB':>11} "
          f"{'largest RSS MB':>14} {'bulletins/s':>11}")
    for n in args.sizes:
        corpus = make_corpus(work / f"corpus{n}", n)
        for jobs in args.jobs:
            out = work / f"r{n}_{jobs}.jsonl"
            cmd = [sys.executable, "-m", "nlp.cli", "classify", str(corpus), "--out", str(out), "--model", args.model,
                   "--summary", str(work / "tally.json")]
            if jobs:
                cmd += ["--jobs", str(jobs)]
            r = run(cmd, code)
            print(f"{n:>9} {jobs or 'default':>7} {r['wall']:>7.1f} {r['cpu']:>7.1f} {r['cpu'] / r['wall']:>8.2f} "
                  f"{r['pss'] / 1e6:>11.0f} {r['largest'] / 1e6:>14.0f} {n / r['wall']:>11.1f}", flush=True)
            out.unlink(missing_ok=True)


def bench_annotate(args, work: Path) -> None:
    """Rows of the seed bulletin repeated to --annotate rows, written as .csv and as .xlsx."""
    code = Path(args.code).resolve() if args.code else ROOT
    sys.path.insert(0, str(code))  # the nlp package of that checkout, not an installed one
    from nlp.annotate import annotation_rows, write_sheet
    from nlp.classifiers import load_model
    from nlp.parse import parse_file

    model = load_model("rules")
    base = annotation_rows([parse_file(ROOT / "data" / "raw" / "000_f74bace5e6783c83.txt")], model)
    rows = [dict(base[i % len(base)], bulletin_id=f"b{i // len(base)}") for i in range(args.annotate)]
    for suffix in (".csv", ".xlsx"):
        t0 = time.perf_counter()
        write_sheet(work / f"sheet{suffix}", rows, model.scheme)
        print(f"annotate sheet of {len(rows):,} rows as {suffix} (code in {code}): {time.perf_counter() - t0:.1f} s, "
              f"{(work / f'sheet{suffix}').stat().st_size / 1e6:.1f} MB", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 0], help="0: the default (all cores)")
    ap.add_argument("--model", default="default")
    ap.add_argument("--code", help="a checkout whose nlp package to run (default: this one)")
    ap.add_argument("--annotate", type=int, metavar="ROWS", help="only time writing an annotation sheet of ROWS rows")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench_batch_"))
    try:
        if args.annotate:
            bench_annotate(args, work)
        else:
            bench_classify(args, work)
    finally:
        if args.keep:
            print(f"work folder: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
