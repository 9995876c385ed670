#!/usr/bin/env python
"""Classify a crawl-sized corpus file with Hugging Face `datasets`.

A corpus file holds one bulletin per row (JSON Lines, CSV or Parquet). `datasets` reads
it memory-mapped, `map(batched=True, num_proc=N)` sends batches of rows to N processes,
and each batch goes through the library call `nlp.classify.classify_texts`, which turns
bulletin texts into labelled measure rows (one row per measure, the columns of `bulletin
classify`). The model is loaded once per process. The result is written as Parquet or
JSON Lines; `datasets` caches it, so an interrupted run recomputes only unfinished shards
when `--cache-dir` is kept.

Usage:
  python scripts/examples/classify_datasets.py crawl.jsonl --out measures.parquet \\
      [--text-field content] [--id-field id] [--num-proc 4] [--model default] [--batch-size 16]
"""
from __future__ import annotations

import argparse
import os
from functools import lru_cache
from pathlib import Path

FORMATS = {".jsonl": "json", ".json": "json", ".ndjson": "json", ".csv": "csv", ".parquet": "parquet"}


@lru_cache(maxsize=None)
def _model(spec: str):
    """The model, loaded once in each worker process."""
    from nlp.classifiers import load_model
    return load_model(spec)


def features(model_spec: str = "default", all_probs: bool = False):
    """The column types of the labelled rows (fixed, so that empty batches fit too)."""
    from datasets import Features, Value

    from nlp.classify import output_columns
    model = _model(model_spec)
    types = {"issue_no": "int64", "measure_no": "int64"}
    return Features({c: Value("float64" if c.endswith("_score") or c.startswith("p_") else types.get(c, "string"))
                     for c in output_columns(model, all_probs)})


def label_batch(batch: dict, indices: list[int], text_field: str, id_field: str | None, model_spec: str,
                all_probs: bool) -> dict:
    """datasets.map function: a batch of bulletins (rows) -> a batch of labelled measures."""
    from nlp.classify import classify_texts, output_columns

    model = _model(model_spec)
    ids = [str(x) for x in batch[id_field]] if id_field else [f"row{i}" for i in indices]
    rows = classify_texts([t or "" for t in batch[text_field]], model, ids=ids, all_probs=all_probs)
    return {c: [r[c] for r in rows] for c in output_columns(model, all_probs)}


def classify_corpus(path: str | Path, out: str | Path, text_field: str = "content", id_field: str | None = None,
                    num_proc: int | None = None, model_spec: str = "default", batch_size: int = 16,
                    all_probs: bool = False, cache_dir: str | None = None):
    """Label every bulletin of a corpus file; write the measures to `out` (.parquet or .jsonl)."""
    from datasets import load_dataset

    path = Path(path)
    ds = load_dataset(FORMATS[path.suffix.lower()], data_files=str(path), split="train", cache_dir=cache_dir)
    labelled = ds.map(label_batch, batched=True, batch_size=batch_size, with_indices=True,
                      num_proc=num_proc if num_proc and num_proc > 1 else None,
                      remove_columns=ds.column_names, features=features(model_spec, all_probs),
                      fn_kwargs={"text_field": text_field, "id_field": id_field, "model_spec": model_spec,
                                 "all_probs": all_probs},
                      desc="classifying")
    if str(out).lower().endswith(".parquet"):
        labelled.to_parquet(str(out))
    else:
        labelled.to_json(str(out), lines=True, force_ascii=False)
    return labelled


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", help="a .jsonl, .csv or .parquet file, one bulletin per row")
    ap.add_argument("--out", required=True, help="measures to write: .parquet or .jsonl")
    ap.add_argument("--text-field", default="content")
    ap.add_argument("--id-field", help="column with each bulletin's id (default: row number)")
    ap.add_argument("--num-proc", type=int, default=os.cpu_count())
    ap.add_argument("--model", default="default")
    ap.add_argument("--batch-size", type=int, default=16, help="bulletins per batch")
    ap.add_argument("--all-probs", action="store_true")
    ap.add_argument("--cache-dir", help="datasets cache (keep it to resume an interrupted run)")
    a = ap.parse_args()
    ds = classify_corpus(a.corpus, a.out, a.text_field, a.id_field, a.num_proc, a.model, a.batch_size,
                         a.all_probs, a.cache_dir)
    print(f"wrote {len(ds)} measure row(s) to {a.out}")


if __name__ == "__main__":
    main()
