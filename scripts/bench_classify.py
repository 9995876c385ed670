#!/usr/bin/env python
"""Classification speed, side by side in one run: measures/s per model, and cold start.

- the shipped default model, the rules baseline and the plain TF-IDF baseline;
- a transformer (the tiny test BERT, and `--checkpoint PATH` if given: any local Hugging
  Face checkpoint) with length-sorted dynamic batching under torch.inference_mode, against
  a naive one-at-a-time `transformers.pipeline` on the same model;
- cold start of `bulletin classify` on one bulletin (a fresh process, wall clock).
Usage: python scripts/bench_classify.py [--n 2000] [--checkpoint PATH] [--naive-n 200]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "raw" / "000_f74bace5e6783c83.txt"


def rate(fn, n: int) -> float:
    t0 = time.perf_counter()
    fn()
    return n / (time.perf_counter() - t0)


def cold_start() -> float:
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "nlp.cli", "classify", str(SEED), "--out", f"{tmp}/r.jsonl"],
                       check=True, capture_output=True, cwd=ROOT)
        return time.perf_counter() - t0


def transformer_rows(name: str, path: str, records: list[dict], naive_n: int, scheme) -> list[tuple[str, float]]:
    import torch
    from transformers import pipeline

    from nlp.classifiers.transformer import TransformerClassifier, TransformerOptions

    model = TransformerClassifier(scheme, TransformerOptions(base_model=path, max_steps=2, batch_size=8,
                                                             max_length=256, val_fraction=0)).fit(records[:64])
    torch.set_num_threads(os.cpu_count() or 1)
    fast = rate(lambda: model.predict_proba(records), len(records))
    sub = records[:naive_n]
    pipes = {t: pipeline("text-classification", model=m, tokenizer=model.tokenizer, device=-1, top_k=None)
             for t, m in model.models.items()}

    def naive():
        for r in sub:
            for p in pipes.values():
                p({"text": r["issue_title"], "text_pair": r["text"]}, truncation=True, max_length=256)

    slow = rate(naive, len(sub))
    return [(f"{name}: dynamic batches (inference_mode)", fast), (f"{name}: pipeline, one at a time", slow)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=2000, help="measures to classify (the seed's, repeated)")
    ap.add_argument("--naive-n", type=int, default=200, help="measures for the slow one-at-a-time pipeline")
    ap.add_argument("--checkpoint", help="a local Hugging Face checkpoint to time as well")
    args = ap.parse_args()

    from nlp.classifiers import load_model
    from nlp.classifiers.tfidf import TfidfClassifier, TfidfOptions
    from nlp.data import load_labelled
    from nlp.labels import LabelScheme

    scheme = LabelScheme.load()
    gold = load_labelled(ROOT / "data" / "gold" / "seed.jsonl", scheme)
    records = [gold[i % len(gold)] for i in range(args.n)]
    rows = [("cold start: bulletin classify, one bulletin (s)", cold_start())]
    rows.append(("default model (models/default)", rate(lambda: load_model("default").predict_proba(records), len(records))))
    rows.append(("rules baseline", rate(lambda: load_model("rules").predict_proba(records), len(records))))
    plain = TfidfClassifier(scheme, TfidfOptions.plain()).fit(gold)
    rows.append(("plain TF-IDF + LR", rate(lambda: plain.predict_proba(records), len(records))))

    from nlp.classifiers.tiny_bert import build_tiny_bert
    with tempfile.TemporaryDirectory() as tmp:
        tiny = build_tiny_bert([r["issue_title"] + r["text"] for r in gold], Path(tmp) / "tiny")
        rows += transformer_rows("tiny BERT", str(tiny), records, args.naive_n, scheme)
    if args.checkpoint:
        rows += transformer_rows(Path(args.checkpoint).name, args.checkpoint, records[: min(len(records), 1000)],
                                 min(args.naive_n, 100), scheme)

    width = max(len(name) for name, _ in rows)
    print(f"{'':<{width}}  measures/s   (n={args.n}, {os.cpu_count()} cores)")
    for name, value in rows:
        unit = "s" if name.startswith("cold start") else ""
        print(f"{name:<{width}}  {value:>10.1f}{unit}")


if __name__ == "__main__":
    main()
