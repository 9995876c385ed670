"""Batch classification: parse bulletins, label every measure, write rows safely.

Rows go through a resumable progress log (nlp.outputs.RowLog), one bulletin at a time,
so an interrupted run over thousands of files picks up where it stopped.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from .batch import Failures, iter_units
from .classifiers.base import Classifier
from .parse import Bulletin
from .records import measure_rows
from .inputs import expand_inputs
from .source import ReadOptions

ROW_FIELDS = ["bulletin_id", "issue_no", "measure_no", "issue_title", "text"]


def label_rows(rows: list[dict], model: Classifier, all_probs: bool = False) -> list[dict]:
    """Add each task's label and its probability (`<task>_score`) to measure rows."""
    if not rows:
        return []
    probs = model.predict_proba(rows)
    out = [dict(r) for r in rows]
    for task, p in probs.items():
        labels = model.scheme.tasks[task].labels
        best = p.argmax(axis=1)
        for i, r in enumerate(out):
            r[task] = labels[int(best[i])]
            r[f"{task}_score"] = round(float(p[i, best[i]]), 4)
            if all_probs:
                for j, label in enumerate(labels):
                    r[f"p_{task}_{label}"] = round(float(p[i, j]), 4)
    return out


def classify_bulletin(bulletin: Bulletin, model: Classifier, all_probs: bool = False) -> list[dict]:
    """The measure rows of one parsed bulletin, labelled."""
    return label_rows(measure_rows(bulletin), model, all_probs)


def output_columns(model: Classifier, all_probs: bool) -> list[str]:
    cols = list(ROW_FIELDS)
    for task in model.scheme.tasks.values():
        cols += [task.name, f"{task.name}_score"]
        if all_probs:
            cols += [f"p_{task.name}_{label}" for label in task.labels]
    return cols


def tally(rows: list[dict], model: Classifier) -> dict[str, dict]:
    """Per bulletin: number of measures, and measures per label of each task."""
    out: dict[str, dict] = {}
    for r in rows:
        t = out.setdefault(r["bulletin_id"], {"measures": 0, **{task: {} for task in model.scheme.tasks}})
        t["measures"] += 1
        for task in model.scheme.tasks:
            t[task][r[task]] = t[task].get(r[task], 0) + 1
    return out


def format_tally(t: dict[str, dict]) -> str:
    lines = []
    for bid, d in t.items():
        parts = [f"{bid}: {d['measures']} measures"]
        for task, counts in d.items():
            if task != "measures":
                parts.append(f"{task} " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1])))
        lines.append("; ".join(parts))
    return "\n".join(lines)


def classify_files(inputs: list[str | Path], model: Classifier, out: str | Path, resume: bool = False,
                   all_probs: bool = False, failures: Failures | None = None,
                   options: ReadOptions | None = None) -> list[dict]:
    """Classify every bulletin under `inputs` (files, folders, corpus rows) into `out` (.jsonl
    or .csv); returns all rows."""
    from .outputs import RowLog

    failures = failures if failures is not None else Failures()
    items = expand_inputs(inputs, options)  # nothing to read is an error before any output
    log = RowLog(out, resume)
    if resume and log.done:
        print(f"resuming: {len(log.done)} bulletin(s) already done", file=sys.stderr)
    cols = output_columns(model, all_probs)
    for key, bulletin in iter_units(items, failures, "classifying", options, skip=log.done.__contains__):
        rows = classify_bulletin(bulletin, model, all_probs)
        log.add(key, [{k: r.get(k) for k in cols} for r in rows])
    return log.finish(cols)


def write_summary(path: str | Path, t: dict) -> None:
    from .outputs import atomic_write_text
    atomic_write_text(path, json.dumps(t, ensure_ascii=False, indent=2) + "\n")
