"""Peak memory, time and output sizes of `compare` over many bulletins (default 2,000).

The bulletins are copies of the seed and the hand-written fixtures (tests/fixtures/),
under distinct file names; the run goes through the same function as `bulletin compare`.

    python scripts/bench_compare_memory.py [--n 2000] [--model rules|default]
"""
from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--model", default="rules", help="'rules' (fast) or 'default' (the shipped model)")
    args = ap.parse_args()
    from matplotlib import image

    from nlp.batch import Failures
    from nlp.classifiers import load_model
    from nlp.compare import compare

    sources = [ROOT / "data" / "raw" / "000_f74bace5e6783c83.txt"] + sorted(
        p for p in (ROOT / "tests" / "fixtures").glob("*/*.txt") if p.name != "not_a_bulletin.txt")
    model = load_model(None if args.model == "default" else args.model)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in"
        src.mkdir()
        for i in range(args.n):
            shutil.copy(sources[i % len(sources)], src / f"b{i:05d}_{sources[i % len(sources)].name}")
        print(f"{args.n} bulletins ({sum(p.stat().st_size for p in src.iterdir()) / 1e6:.1f} MB); "
              f"start: peak RSS {peak_mb():.0f} MB")
        t = time.perf_counter()
        failures = Failures()
        result = compare([src], Path(tmp) / "out", model, failures)
        took = time.perf_counter() - t
        out = Path(tmp) / "out"
        print(f"compared {len(result['bulletins'])} bulletins, {sum(b['measures'] for b in result['bulletins']):,} "
              f"measures in {took:.0f} s ({len(failures.items)} failures); peak RSS {peak_mb():.0f} MB")
        for p in sorted(out.iterdir()):
            extra = ""
            if p.suffix == ".png":
                h, w = image.imread(p).shape[:2]
                extra = f", {w}×{h} px"
            print(f"  {p.name}: {p.stat().st_size / 1e6:.2f} MB{extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
