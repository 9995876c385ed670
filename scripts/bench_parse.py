#!/usr/bin/env python
"""Parser throughput: bulletins/s and MB/s over a few hundred bulletins on one core.

The shipped bulletins and the hand-written layouts are repeated to reach --n documents.
Usage: python scripts/bench_parse.py [--n 400]
"""
import argparse
import time
from pathlib import Path

from nlp.parse import parse_text
from nlp.source import read_source

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=400, help="number of bulletins to parse")
    args = ap.parse_args()
    files = sorted((ROOT / "data" / "raw").glob("*.txt")) + sorted(
        p for p in (ROOT / "tests" / "fixtures" / "layouts").glob("*.txt") if "not_a" not in p.name)
    texts = [read_source(f).text for f in files]
    docs = [texts[i % len(texts)] for i in range(args.n)]
    mb = sum(len(t.encode("utf-8")) for t in docs) / 1e6
    parse_text(docs[0])  # warm the regex caches
    t0 = time.perf_counter()
    n_issues = sum(len(parse_text(t).issues) for t in docs)
    dt = time.perf_counter() - t0
    print(f"parsed {args.n} bulletins ({mb:.1f} MB UTF-8, {n_issues} problems) in {dt:.2f} s")
    print(f"{args.n / dt:.1f} bulletins/s  {mb / dt:.2f} MB/s  (one core)")


if __name__ == "__main__":
    main()
