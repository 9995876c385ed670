#!/usr/bin/env python
"""Classification speed, side by side in one run: each figure the median of --repeat runs.

- the shipped default model (library call `predict_proba`) against two plain scikit-learn
  peers trained on the same data: a Pipeline(TfidfVectorizer(char 1–3), LogisticRegression)
  per task, and one TfidfVectorizer whose transform both tasks' regressions share;
- the rules baseline;
- a transformer (the tiny test BERT, built as the tests build it, briefly fine-tuned) with
  length-sorted dynamic batches under torch.inference_mode, against a one-at-a-time
  `transformers.pipeline` on the same weights;
- the cold start of `bulletin classify` on one bulletin (a fresh process, wall clock).

Rates are measures per wall second and per CPU second (the "per core" figure: process CPU
time, so threads used by numpy or torch count); peak memory is the Python-heap peak
(tracemalloc, numpy included; torch's tensors are not traced) of one classification run,
and the process's peak resident memory for the cold start. The corpus is made here, deterministically, from the seed bulletin and the test
bulletins: bulletin i is the seed twice in three, else the next test bulletin, with its
digits rotated by i so no two copies are the same text.
Usage: python scripts/bench_classify.py [--n-bulletins 300] [--repeat 3] [--checkpoint PATH]
                                       [--out eval/reports/bench.txt | --out -]
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
SEED = ROOT / "data" / "raw" / "000_f74bace5e6783c83.txt"
FIXTURES = sorted(p for d in ("layouts", "stress") for p in (ROOT / "tests" / "fixtures" / d).iterdir()
                  if p.suffix in (".txt", ".html") and not p.name.startswith("not_a"))
TRAIN = [ROOT / "data" / "gold" / "seed.jsonl", ROOT / "data" / "synthetic" / "measures.jsonl"]
SECTION = "# scripts/bench_classify.py"


def corpus(n_bulletins: int) -> list[dict]:
    """Measure records of n deterministic bulletins (see the module docstring)."""
    from nlp.parse import parse_file
    from nlp.records import measure_rows

    seed_rows = measure_rows(parse_file(SEED))
    fixture_rows = [measure_rows(parse_file(p)) for p in FIXTURES]
    out = []
    for i in range(n_bulletins):
        rows = seed_rows if i % 3 != 2 else fixture_rows[(i // 3) % len(fixture_rows)]
        rotate = str.maketrans("0123456789", "".join(str((d + i) % 10) for d in range(10)))
        out += [{**r, "bulletin_id": f"b{i:05d}", "issue_title": (r["issue_title"] or "").translate(rotate),
                 "text": r["text"].translate(rotate)} for r in rows]
    return out


def timed(fn, n: int, repeat: int) -> dict:
    """Median measures/s (wall) and per CPU second over `repeat` runs, and one run's heap peak."""
    fn()  # warm: caches, lazy imports
    walls, cpus = [], []
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"rate": n / statistics.median(walls), "per_cpu": n / statistics.median(cpus), "peak_mb": peak / 2**20}


def sklearn_peers(train: list[dict], scheme):
    """The plain scikit-learn peers: (per-task pipelines, shared-transform) predict functions."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    texts = [r["text"] for r in train]
    pipes = {t: Pipeline([("tfidf", TfidfVectorizer(analyzer="char", ngram_range=(1, 3))),
                          ("lr", LogisticRegression(max_iter=1000))]).fit(texts, [r[t] for r in train])
             for t in scheme.tasks}
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3)).fit(texts)
    X = vec.transform(texts)
    heads = {t: LogisticRegression(max_iter=1000).fit(X, [r[t] for r in train]) for t in scheme.tasks}

    def per_task(records):
        texts = [r["text"] for r in records]
        return {t: p.predict_proba(texts) for t, p in pipes.items()}

    def shared(records):
        Xr = vec.transform([r["text"] for r in records])
        return {t: h.predict_proba(Xr) for t, h in heads.items()}

    return per_task, shared


def transformer_rows(records: list[dict], train: list[dict], scheme, repeat: int, naive_n: int,
                     checkpoint: str | None = None, threads: int = 1) -> list[tuple]:
    """Batched prediction against a one-at-a-time pipeline, for the tiny test BERT or a local checkpoint."""
    import torch
    from transformers import pipeline
    from transformers.utils import logging as hf_logging

    from helpers.tiny_bert import build_tiny_bert
    from nlp.classifiers.transformer import TransformerClassifier, TransformerOptions

    hf_logging.set_verbosity_error()
    torch.set_num_threads(threads)
    with tempfile.TemporaryDirectory() as tmp:
        base = checkpoint or build_tiny_bert([r["issue_title"] + r["text"] for r in train], Path(tmp) / "tiny")
        model = TransformerClassifier(scheme, TransformerOptions(base_model=str(base), max_steps=2, batch_size=8,
                                                                 max_length=256, val_fraction=0)).fit(train[:64])
    device = model.device_
    fast = timed(lambda: model.predict_proba(records), len(records), repeat)
    sub = records[:naive_n]
    pipes = {t: pipeline("text-classification", model=m, tokenizer=model.tokenizer_, device=device, top_k=None)
             for t, m in model.models_.items()}

    def naive():
        for r in sub:
            for p in pipes.values():
                p({"text": r["issue_title"], "text_pair": r["text"]}, truncation=True, max_length=256)

    slow = timed(naive, len(sub), repeat)
    name = Path(checkpoint).name if checkpoint else "tiny BERT"
    where = f"{device}, {torch.get_num_threads()} torch threads" if device.type == "cpu" else str(device)
    return [(f"{name} ({where}): length-sorted batches, inference_mode", len(records), fast),
            (f"{name} ({where}): pipeline, one measure at a time", len(sub), slow)]


def cold_start(repeat: int) -> tuple[float, float | None]:
    """Median wall seconds of `bulletin classify` on the seed in a fresh process, and its peak
    resident memory in MiB (VmHWM, read by the child itself: a rusage figure would include
    this parent's pages, which Linux carries across fork and exec)."""
    code = ("import sys; from nlp.cli import main; rc = main(sys.argv[1:]); "
            "hwm = [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')] "
            "if sys.platform == 'linux' else []; print('VmHWM', *hwm); sys.exit(rc)")
    walls, peaks = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeat):
            t0 = time.perf_counter()
            res = subprocess.run([sys.executable, "-c", code, "classify", str(SEED), "--out", f"{tmp}/r.jsonl"],
                                 check=True, capture_output=True, text=True, cwd=ROOT)
            walls.append(time.perf_counter() - t0)
            peaks += [int(w) / 1024 for w in res.stdout.split("VmHWM")[-1].split()]
    return statistics.median(walls), (max(peaks) if peaks else None)


def write_section(path: Path, text: str) -> None:
    """Replace this script's section of the shared report, keeping the other scripts' sections."""
    from nlp.outputs import atomic_write_text

    old = path.read_text(encoding="utf-8") if path.exists() else ""
    parts = [p for p in re.split(r"(?m)^(?=# scripts/)", old) if p.strip() and not p.startswith(SECTION)]
    atomic_write_text(path, "\n".join(p.rstrip("\n") + "\n" for p in parts + [text]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n-bulletins", type=int, default=300, help="bulletins in the corpus (default 300)")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per figure; the median is reported (>= 3)")
    ap.add_argument("--naive-n", type=int, default=100, help="measures for the one-at-a-time transformer pipeline")
    ap.add_argument("--transformer-n", type=int, default=1000, help="measures for the batched transformer")
    ap.add_argument("--no-transformer", action="store_true", help="skip the transformer rows (no torch import)")
    ap.add_argument("--checkpoint", help="also time this local Hugging Face checkpoint (briefly fine-tuned)")
    ap.add_argument("--torch-threads", type=int, default=1,
                    help="torch threads on CPU (default 1: on busy shared cores more threads made the figures "
                         "swing fivefold)")
    ap.add_argument("--out", type=Path, default=ROOT / "eval" / "reports" / "bench.txt",
                    help="report file; this script's section is replaced ('-': print only)")
    args = ap.parse_args()
    if args.repeat < 3 or args.n_bulletins < 1:
        ap.error("--repeat must be at least 3 and --n-bulletins at least 1")

    from nlp.classifiers import load_model
    from nlp.data import load_labelled
    from nlp.labels import LabelScheme

    load_before = os.getloadavg()[0]
    scheme = LabelScheme.load()
    train = load_labelled(TRAIN, scheme)
    records = corpus(args.n_bulletins)
    n = len(records)
    bulletins: dict[str, list[dict]] = {}
    for r in records:
        bulletins.setdefault(r["bulletin_id"], []).append(r)
    bulletins = list(bulletins.values())
    default, rules = load_model("default"), load_model("rules")
    per_task, shared = sklearn_peers(train, scheme)
    rows = [("default model (models/default, library call)", n, timed(lambda: default.predict_proba(records), n,
                                                                       args.repeat)),
            ("default model, one call per bulletin (as bulletin classify does)", n,
             timed(lambda: [default.predict_proba(b) for b in bulletins], n, args.repeat)),
            ("scikit-learn peer: Pipeline(TfidfVectorizer char 1-3, LR) per task", n,
             timed(lambda: per_task(records), n, args.repeat)),
            ("scikit-learn peer: one TfidfVectorizer shared by both tasks", n,
             timed(lambda: shared(records), n, args.repeat)),
            ("rules baseline", n, timed(lambda: rules.predict_proba(records), n, args.repeat))]
    if not args.no_transformer:
        rows += transformer_rows(records[:args.transformer_n], train, scheme, args.repeat, args.naive_n,
                                 threads=args.torch_threads)
        if args.checkpoint:
            rows += transformer_rows(records[:args.transformer_n], train, scheme, args.repeat, args.naive_n,
                                     args.checkpoint, args.torch_threads)
    cold, rss = cold_start(args.repeat)

    width = max(len(r[0]) for r in rows)
    lines = [SECTION,
             f"corpus: {args.n_bulletins} bulletins, {n} measures (seed and test bulletins); "
             f"{os.cpu_count()} cores (load average {load_before:.1f} at the start: other work shares them); "
             f"median of {args.repeat} runs",
             f"{'':<{width}}  {'measures':>8}  {'meas/s':>9}  {'meas/CPU-s':>10}  {'peak MiB':>8}"]
    for name, count, r in rows:
        lines.append(f"{name:<{width}}  {count:>8}  {r['rate']:>9.0f}  {r['per_cpu']:>10.0f}  {r['peak_mb']:>8.1f}")
    lines.append(f"cold start: bulletin classify, one bulletin: {cold:.2f} s wall"
                 + (f", peak resident memory {rss:.0f} MiB" if rss is not None else ""))
    text = "\n".join(lines) + "\n"
    print(text, end="")
    if str(args.out) != "-":
        write_section(args.out, text)


if __name__ == "__main__":
    main()
