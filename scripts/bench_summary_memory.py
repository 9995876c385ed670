"""Peak memory of summarising one very large bulletin (default 10 MB of UTF-8 text).

The bulletin is made from the sentences of the hand-written fixtures, recombined and
numbered so that no two measures are the same. Each stage runs in this process and the
peak resident set size (ru_maxrss) is printed after it, so the figure includes parsing
and labelling as well as the summaries.

    python scripts/bench_summary_memory.py [--mb 10] [--model rules] [--ranker weighted|textrank]
"""
from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_bulletin(megabytes: float, seed: int = 0) -> str:
    from nlp.sentences import split_sentences

    pool = []
    for p in sorted((ROOT / "tests" / "fixtures").glob("*/*.txt")):
        pool += [s.text for s in split_sentences(p.read_text(encoding="utf-8")) if len(s.text) > 20 and s.text.endswith("。")]
    rng = random.Random(seed)
    head = ("中共临江市某某局党组关于市委巡察反馈意见整改情况的通报\n发布时间：2024-05-11\n"
            "根据市委统一部署，2023年4月17日至6月28日，市委第一巡察组对局党组进行了巡察，并于2023年11月7日反馈了巡察意见。"
            "现将巡察整改情况予以公布。\n一、整改工作组织情况\n局党组成立整改工作领导小组。\n二、巡察反馈问题整改落实情况\n")
    parts, size, k = [head], len(head.encode()), 0
    while size < megabytes * 1_000_000:
        k += 1
        block = [f"{k}.关于“第{k}项问题{rng.choice(pool)[:12]}”问题的整改"]
        for j in range(1, rng.randint(2, 4) + 1):
            body = "".join(rng.sample(pool, 2)).replace("。", f"，涉及第{k}-{j}项。", 1)
            block.append(f"（{j}）{body}")
        text = "\n".join(block) + "\n"
        parts.append(text)
        size += len(text.encode())
    parts.append("三、下一步工作打算\n局党组将继续巩固整改成果。\n中共临江市某某局党组\n2024年5月10日\n")
    return "".join(parts)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=10.0)
    ap.add_argument("--model", default="rules", help="labels for the topic-level summaries (default: rules)")
    ap.add_argument("--ranker", default="weighted", choices=["weighted", "textrank"])
    args = ap.parse_args()
    from nlp import summarize as S
    from nlp.classifiers import load_model
    from nlp.classify import classify_bulletin
    from nlp.parse import parse_file

    if args.ranker == "textrank":
        plain = S.select
        S.select = lambda sents, length, **kw: plain(sents, length, ranker="textrank", **kw)
    text = make_bulletin(args.mb)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.txt"
        path.write_text(text, encoding="utf-8")
        print(f"bulletin: {path.stat().st_size / 1e6:.1f} MB, {len(text):,} characters; start: {peak_mb():.0f} MB")
        del text
        t = time.perf_counter()
        b = parse_file(path)
        print(f"parsed: {len(b.issues):,} problems, {b.n_measures:,} measures in {time.perf_counter() - t:.1f} s;"
              f" peak RSS {peak_mb():.0f} MB")
        t = time.perf_counter()
        rows = classify_bulletin(b, load_model(args.model))
        print(f"labelled ({args.model}) in {time.perf_counter() - t:.1f} s; peak RSS {peak_mb():.0f} MB")
        t = time.perf_counter()
        result = S.summarize_bulletin(b, rows)
        print(f"summarised ({args.ranker}) at all levels in {time.perf_counter() - t:.1f} s: "
              f"{len(result['issues']):,} problem summaries, {len(result['topics'])} topic summaries, "
              f"bulletin summary of {result['bulletin']['chars']} characters; peak RSS {peak_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
