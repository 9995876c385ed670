#!/usr/bin/env python
"""A corpus of N bulletin files for benchmarks and fault drills, by copying the shipped
bulletin (every other file: 141 measures, a full-size bulletin) and the hand-written
test bulletins in turn (data/raw, tests/fixtures; 5-15 measures each).

Usage: python scripts/make_corpus.py DEST N [--bad]
`--bad` adds one file that is not a bulletin, so runs also exercise the failure path.
"""
from __future__ import annotations

import argparse
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def sources() -> tuple[list[Path], list[Path]]:
    """(the shipped bulletins, the hand-written fixtures)."""
    fixtures = ROOT / "tests" / "fixtures"
    small: list[Path] = []
    for sub in ("layouts", "stress"):
        small += sorted(p for p in (fixtures / sub).iterdir()
                        if p.suffix in (".txt", ".html") and "not_a" not in p.name)
    return sorted((ROOT / "data" / "raw").glob("*.txt")), small


def make_corpus(dest: str | Path, n: int, bad: bool = False) -> Path:
    """Fill `dest` (emptied first) with n bulletin files; returns it."""
    dest = Path(dest)
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    big, small = sources()
    for i in range(n):
        s = big[(i // 2) % len(big)] if i % 2 == 0 else small[(i // 2) % len(small)]
        shutil.copyfile(s, dest / f"{i:06d}_{s.stem}{s.suffix}")
    if bad:
        shutil.copyfile(ROOT / "tests" / "fixtures" / "layouts" / "not_a_bulletin.txt", dest / "zz_not_a_bulletin.txt")
    return dest


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dest")
    ap.add_argument("n", type=int)
    ap.add_argument("--bad", action="store_true")
    a = ap.parse_args()
    d = make_corpus(a.dest, a.n, a.bad)
    print(f"{a.n} bulletin file(s) in {d}")
