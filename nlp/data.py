"""Labelled measures: reading and validating gold files, grouped splits, `datasets` views.

Gold files are JSON Lines in the record format of LABELS.md. Splits keep all measures of
one bulletin (or, inside a single bulletin, of one problem) on the same side, so that no
text leaks between train and test.
"""
from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

from .labels import LabelScheme

REQUIRED_FIELDS = ("bulletin_id", "issue_no", "measure_no", "text")


class GoldError(ValueError):
    """A labelled file with a problem; the message names the file and line."""


def read_labelled(path: str | Path, scheme: LabelScheme, require_labels: bool = True) -> list[dict]:
    """Read one JSON Lines file of labelled measures, checking every line against the scheme."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        raise GoldError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise GoldError(f"{path}: not UTF-8 text") from None
    records = []
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            raise GoldError(f"{where}: not valid JSON") from None
        if not isinstance(rec, dict):
            raise GoldError(f"{where}: expected a JSON object")
        for f in REQUIRED_FIELDS:
            if f not in rec or rec[f] in (None, ""):
                raise GoldError(f"{where}: missing field '{f}'")
        if not isinstance(rec["text"], str):
            raise GoldError(f"{where}: 'text' must be a string")
        rec.setdefault("issue_title", "")
        if require_labels:
            for task in scheme.tasks.values():
                label = rec.get(task.name)
                if label in (None, ""):
                    raise GoldError(f"{where}: missing label '{task.name}'")
                if label not in task.labels:
                    raise GoldError(f"{where}: unknown {task.name} label '{label}' (known: {', '.join(task.labels)})")
        records.append(rec)
    if not records:
        raise GoldError(f"{path}: no records")
    return records


def load_labelled(paths: list[str | Path] | str | Path, scheme: LabelScheme, require_labels: bool = True) -> list[dict]:
    """Read several gold files; a measure (bulletin, issue, measure number) may appear once."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    out, seen = [], {}
    for p in paths:
        for rec in read_labelled(p, scheme, require_labels):
            key = measure_key(rec)
            if key in seen:
                raise GoldError(f"{p}: measure {key} appears twice (also in {seen[key]})")
            seen[key] = str(p)
            out.append(rec)
    return out


def measure_key(rec: dict) -> tuple[str, int, int]:
    return (str(rec["bulletin_id"]), int(rec["issue_no"]), int(rec["measure_no"]))


def records_hash(records: list[dict], fields: tuple[str, ...] | None = None) -> str:
    """A stable fingerprint of labelled data, for model cards."""
    h = hashlib.sha256()
    for r in records:
        keep = {k: r.get(k) for k in (fields or sorted(r))}
        h.update(json.dumps(keep, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    return h.hexdigest()[:16]


def group_level(records: list[dict]) -> str:
    """'bulletin' when the data spans several bulletins, else 'issue'."""
    return "bulletin" if len({r["bulletin_id"] for r in records}) > 1 else "issue"


def group_of(rec: dict, level: str) -> str:
    return str(rec["bulletin_id"]) if level == "bulletin" else f"{rec['bulletin_id']}#{rec['issue_no']}"


def grouped_folds(records: list[dict], k: int, level: str | None = None, seed: int = 0) -> list[tuple[list[int], list[int]]]:
    """K folds (train indices, test indices) with whole groups on one side.

    Groups are shuffled with a fixed seed and dealt, largest first, to the fold with the
    fewest measures, so the folds are balanced and reproducible.
    """
    level = level or group_level(records)
    groups: dict[str, list[int]] = {}
    for i, r in enumerate(records):
        groups.setdefault(group_of(r, level), []).append(i)
    if len(groups) < k:
        raise GoldError(f"cannot make {k} folds from {len(groups)} {level} group(s)")
    names = sorted(groups)
    random.Random(seed).shuffle(names)
    names.sort(key=lambda g: -len(groups[g]))
    folds: list[list[int]] = [[] for _ in range(k)]
    for g in names:
        min(folds, key=len).extend(groups[g])
    all_idx = set(range(len(records)))
    return [(sorted(all_idx - set(f)), sorted(f)) for f in folds]


def leave_one_bulletin_out(records: list[dict]) -> list[tuple[str, list[int], list[int]]]:
    ids = sorted({str(r["bulletin_id"]) for r in records})
    return [(b, [i for i, r in enumerate(records) if str(r["bulletin_id"]) != b],
             [i for i, r in enumerate(records) if str(r["bulletin_id"]) == b]) for b in ids]


def grouped_split(records: list[dict], test_size: float = 0.2, level: str | None = None,
                  seed: int = 0) -> tuple[list[int], list[int]]:
    """One train/test split by groups, about `test_size` of the measures in test."""
    level = level or group_level(records)
    groups: dict[str, list[int]] = {}
    for i, r in enumerate(records):
        groups.setdefault(group_of(r, level), []).append(i)
    names = sorted(groups)
    random.Random(seed).shuffle(names)
    test: list[int] = []
    target = max(1, round(test_size * len(records)))
    for g in names:
        if len(test) >= target or len(test) + len(groups[g]) > target * 1.5 and test:
            continue
        test.extend(groups[g])
    if len(test) == len(records):  # a single group: nothing would be left to train on
        raise GoldError("need at least two groups to split")
    test_set = set(test)
    return [i for i in range(len(records)) if i not in test_set], sorted(test)


def to_dataset_dict(records: list[dict], scheme: LabelScheme, test_size: float = 0.2,
                    level: str | None = None, seed: int = 0):
    """A `datasets.DatasetDict` (train/test) with one ClassLabel feature per task, split by group."""
    from datasets import ClassLabel, Dataset, DatasetDict, Features, Value

    feats = {"bulletin_id": Value("string"), "issue_no": Value("int32"), "measure_no": Value("int32"),
             "issue_title": Value("string"), "text": Value("string")}
    for t in scheme.tasks.values():
        feats[t.name] = ClassLabel(names=t.labels)
    features = Features(feats)

    def table(idx: list[int]) -> dict:
        cols: dict[str, list] = {k: [] for k in feats}
        for i in idx:
            r = records[i]
            for k in feats:
                v = r.get(k, "")
                cols[k].append(scheme.tasks[k].index(v) if k in scheme.tasks else v)
        return cols

    train_idx, test_idx = grouped_split(records, test_size, level, seed)
    return DatasetDict({"train": Dataset.from_dict(table(train_idx), features=features),
                        "test": Dataset.from_dict(table(test_idx), features=features)})
