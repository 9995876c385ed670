"""Batch classification: parse bulletins, label every measure, write rows safely.

Files are parsed and labelled in worker processes (`--jobs`, nlp.parallel), results
coming back in input order. Each bulletin's rows go straight to a resumable progress log
(nlp.outputs.RowLog) and its tally is kept as the run goes, so memory does not grow with
the number of bulletins; the final file is assembled from the log by copying, and
replaces the old one only when the run produced something. The log's manifest (model,
options, inputs) lets `--resume` continue only the same run.
"""
from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from .classifiers.base import Classifier
from .errors import BulletinError, UsageError
from .parallel import Failed, map_ordered
from .parse import Bulletin, parse_file, parse_source
from .inputs import count_units, expand_inputs, iter_sources
from .records import RECORD_FIELDS, measure_rows
from .source import ReadOptions, SourceError

ROW_FIELDS = list(RECORD_FIELDS)
OUT_SUFFIXES = (".jsonl", ".csv")


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


def classify_texts(texts: list[str], model: Classifier, ids: list[str] | None = None,
                   all_probs: bool = False) -> list[dict]:
    """Label the measures of bulletins given as texts (one text per bulletin): the call a
    `datasets.map`, Spark or Ray job makes per batch. A text that is not a bulletin gives
    no rows; its id is in no row."""
    from .parse import parse_text

    cols = output_columns(model, all_probs)
    out: list[dict] = []
    for i, text in enumerate(texts):
        bid = str(ids[i]) if ids is not None else f"bulletin_{i}"
        try:
            bulletin = parse_text(text, bid)
        except SourceError:
            continue
        out += [{k: r.get(k) for k in cols} for r in classify_bulletin(bulletin, model, all_probs)]
    return out


def output_columns(model: Classifier, all_probs: bool) -> list[str]:
    cols = list(ROW_FIELDS)
    for task in model.scheme.tasks.values():
        cols += [task.name, f"{task.name}_score"]
        if all_probs:
            cols += [f"p_{task.name}_{label}" for label in task.labels]
    return cols


def model_identity(model: Classifier) -> dict:
    """What names a model for a resumed run: its kind and a hash of its card and scheme.

    The card records the training data's hash, every option and the library versions;
    its creation time is left out, so a model built afresh from the same recipe (the
    `rules` model, built on each load) keeps its identity.
    """
    card = {k: v for k, v in (getattr(model, "card", None) or {}).items() if k != "created"}
    blob = json.dumps({"kind": model.registry_kind, "card": card, "scheme": model.scheme.fingerprint()},
                      ensure_ascii=False, sort_keys=True, default=str)
    return {"kind": model.registry_kind, "card_sha256": hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]}


def check_model(model: Classifier) -> None:
    """Label one measure before a batch starts, so that a model that loads but cannot
    label (arrays that do not fit its vocabulary) is one ModelError, not a failure per file."""
    try:
        probs = model.predict_proba([{"bulletin_id": "check", "issue_no": 1, "measure_no": 1,
                                      "issue_title": "关于巡察整改问题", "text": "已完成整改，建立长效机制。"}])
        for task in model.scheme.tasks.values():
            p = probs[task.name]
            if p.shape != (1, len(task.labels)):
                raise ValueError(f"{task.name}: {p.shape[1]} probabilities for {len(task.labels)} labels")
    except BulletinError:
        raise
    except Exception as exc:
        from .errors import ModelError
        raise ModelError(f"the model cannot label measures, damaged? ({type(exc).__name__}: {exc})") from None


# --- tallies ----------------------------------------------------------------------

@dataclass
class Tally:
    """Per bulletin: measures, and measures per label of each task; kept as the run goes.

    Counts are stored as one list of integers per bulletin (measures, then each task's
    labels in scheme order), so a crawl of 100,000 bulletins costs a few megabytes.
    """

    tasks: dict[str, list[str]]
    counts: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def for_model(cls, model: Classifier) -> "Tally":
        return cls({t.name: list(t.labels) for t in model.scheme.tasks.values()})

    def counts_of(self, rows: list[dict]) -> list[int]:
        c = [len(rows)]
        for task, labels in self.tasks.items():
            index = {label: i for i, label in enumerate(labels)}
            per = [0] * len(labels)
            for r in rows:
                per[index[r[task]]] += 1
            c += per
        return c

    def add(self, bulletin_id: str, counts: list[int]) -> None:
        if not counts or counts[0] == 0:
            return
        have = self.counts.get(bulletin_id)
        if have is None:
            self.counts[bulletin_id] = list(counts)
        else:  # two files with the same stem
            self.counts[bulletin_id] = [a + b for a, b in zip(have, counts)]

    def entry(self, counts: list[int]) -> dict:
        out: dict[str, Any] = {"measures": counts[0]}
        i = 1
        for task, labels in self.tasks.items():
            out[task] = {label: n for label, n in zip(labels, counts[i:i + len(labels)]) if n}
            i += len(labels)
        return out

    def items(self) -> Iterator[tuple[str, dict]]:
        for bid, counts in self.counts.items():
            yield bid, self.entry(counts)

    def as_dict(self) -> dict[str, dict]:
        return dict(self.items())

    def __len__(self) -> int:
        return len(self.counts)


def tally(rows: list[dict], model: Classifier) -> dict[str, dict]:
    """Per bulletin: number of measures, and measures per label of each task."""
    t = Tally.for_model(model)
    by_bid: dict[str, list[dict]] = {}
    for r in rows:
        by_bid.setdefault(r["bulletin_id"], []).append(r)
    for bid, rs in by_bid.items():
        t.add(bid, t.counts_of(rs))
    return t.as_dict()


def format_tally_line(bid: str, d: dict) -> str:
    parts = [f"{bid}: {d['measures']} measures"]
    for task, counts in d.items():
        if task != "measures":
            parts.append(f"{task} " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1])))
    return "; ".join(parts)


def format_tally(t: dict[str, dict] | Tally) -> str:
    items = t.items()
    return "\n".join(format_tally_line(bid, d) for bid, d in items)


def write_summary(path: str | Path, t: dict | Tally) -> None:
    """The tally as one JSON object (bulletin id -> counts), written entry by entry."""
    from .outputs import AtomicFile

    with AtomicFile(path) as f:
        first = True
        for bid, d in t.items():
            f.write(("{\n" if first else ",\n") + "  " + json.dumps(bid, ensure_ascii=False) + ": "
                    + json.dumps(d, ensure_ascii=False, indent=2).replace("\n", "\n  "))
            first = False
        f.write("{}\n" if first else "\n}\n")


# --- labelling many files in worker processes ------------------------------------------

_WORKER: dict[str, Any] = {}


def _init_worker(model: Classifier, all_probs: bool, shape: Callable) -> None:
    _WORKER.update(model=model, all_probs=all_probs, shape=shape)


def _parse_unit(obj: Any) -> Bulletin:
    """A unit to parse: a file path, a `Source` already read, or the reader's SourceError."""
    if isinstance(obj, BaseException):
        raise obj
    if isinstance(obj, (str, Path)):
        return parse_file(obj)
    return parse_source(obj)


def _unit_name(key: str, obj: Any) -> str:
    """How messages name a unit: the path as given, or the key (a corpus row)."""
    if isinstance(obj, (str, Path)):
        return str(obj)
    return key if isinstance(obj, BaseException) else getattr(obj, "path", None) or key


def _label_unit(item: tuple[str, Any]) -> tuple[str, str, Any]:
    """Parse and label one bulletin in a worker: (key, name, shaped rows or `Failed`)."""
    key, obj = item
    name = _unit_name(key, obj)
    try:
        bulletin = _parse_unit(obj)
    except SourceError as exc:
        return key, name, Failed(str(exc))
    except Exception as exc:  # a parser bug must not stop a long batch
        return key, name, Failed(f"internal error: {type(exc).__name__}: {exc}")
    try:
        rows = classify_bulletin(bulletin, _WORKER["model"], _WORKER["all_probs"])
        return key, name, _WORKER["shape"](bulletin, rows)
    except BulletinError:
        raise  # the model itself is unusable: stop the run
    except Exception as exc:
        return key, name, Failed(f"internal error while labelling: {type(exc).__name__}: {exc}")


def unit_key(path: str | Path) -> str:
    """A file's key in progress logs: its resolved path, however it was typed."""
    return str(Path(path).resolve())


def label_units(units: Iterable[tuple[str, Any]], model: Classifier, shape: Callable[[Bulletin, list[dict]], Any],
                jobs: int | None = None, all_probs: bool = False, failures=None, desc: str = "classifying",
                total: int | None = None) -> Iterator[tuple[str, Any]]:
    """(key, shape(bulletin, labelled rows)) for every unit that parses, in input order.

    `units` are (key, unit) pairs, a unit being a file path, a `Source` already read or a
    SourceError from the reader; they may come from a lazy iterator (give `total` for the
    progress bar). `shape` (a module-level function) turns a bulletin's labelled rows into
    what the caller writes, inside the worker. A unit that cannot be read or parsed is
    printed to stderr at once and added to `failures`.
    """
    from .batch import progress

    if total is None and hasattr(units, "__len__"):
        total = len(units)  # type: ignore[arg-type]
    if "torch" in sys.modules and jobs != 1:
        jobs = 1  # a torch model batches across cores itself, and torch is not fork-safe
    results = map_ordered(_label_unit, units, jobs, initializer=_init_worker, initargs=(model, all_probs, shape),
                          total=total)
    try:
        for key, name, res in progress(results, desc, total=total):
            if isinstance(res, Failed):
                print(f"failed: {name}: {res.reason}", file=sys.stderr, flush=True)
                if failures is not None:
                    failures.add(name, res.reason)
                continue
            yield key, res
    finally:
        _WORKER.clear()


@dataclass
class Labelled:
    """What a worker returns for one bulletin in `classify_files`."""

    bulletin_id: str
    lines: bytes  # its rows as JSON lines, exactly as in the output
    counts: list[int]


def _shape_jsonl(bulletin: Bulletin, rows: list[dict]) -> Labelled:
    model = _WORKER["model"]
    cols = output_columns(model, _WORKER["all_probs"])
    lines = "".join(json.dumps({k: r.get(k) for k in cols}, ensure_ascii=False) + "\n" for r in rows)
    return Labelled(bulletin.bulletin_id, lines.encode("utf-8"), Tally.for_model(model).counts_of(rows))


@dataclass
class ClassifyResult:
    """What a run did: rows and bulletins in the output (resumed ones included)."""

    out: Path
    rows: int = 0
    bulletins: int = 0
    resumed: int = 0
    written: bool = False
    stripped_cells: int = 0
    tally: Tally | None = None


def classify_files(inputs: list[str | Path], model: Classifier, out: str | Path, resume: bool = False,
                   all_probs: bool = False, failures=None, jobs: int | None = None,
                   options: ReadOptions | None = None) -> ClassifyResult:
    """Classify every bulletin under `inputs` (files, folders, corpus rows) into `out` (.jsonl or .csv).

    The output is replaced only when at least one bulletin was classified; a run where
    every input failed leaves an earlier `out` as it was. `jobs` processes (default: all
    cores) share the files; the output is the same for any number of jobs.
    """
    from .outputs import OutputLock, RowLog, check_out, clean_stale_temps

    if not str(out).lower().endswith(OUT_SUFFIXES):
        raise UsageError("--out must end in .jsonl or .csv")
    options = options or ReadOptions()
    items = expand_inputs(inputs, options)  # nothing to read is an error before any output
    out = check_out(out, [*inputs, *(i.path for i in items)])
    check_model(model)
    cols = output_columns(model, all_probs)
    manifest = {"model": model_identity(model), "options": {"all_probs": all_probs, "columns": cols},
                "inputs": [str(Path(i).resolve()) for i in inputs],
                "read": {"text_field": options.text_field, "id_field": options.id_field}}
    result = ClassifyResult(out, tally=Tally.for_model(model))
    with OutputLock(out):
        clean_stale_temps(out)
        log = RowLog(out, manifest, resume)
        try:
            for u in log.units:
                result.tally.add(u.get("bulletin_id", ""), u.get("counts") or [])
                result.rows += (u.get("counts") or [0])[0]
            result.resumed = len(log.units)
            log.units = []  # only needed for the tally
            seen = set(log.done)

            def skip(key: str) -> bool:  # a unit given twice (or a folder typed two ways) is read once
                k = unit_key(key)
                if k in seen:
                    return True
                seen.add(k)
                return False

            total = count_units(items)
            if resume and log.resumed:
                of = f" of {total} file(s)" if total is not None else " bulletin(s)"
                print(f"resuming: {result.resumed}{of} already done", file=sys.stderr)
            elif resume:
                print(f"--resume: no progress log of an interrupted run beside {out}; starting afresh", file=sys.stderr)
            todo = ((unit_key(k), src) for k, src in iter_sources(items, options, skip))
            for key, lab in label_units(todo, model, _shape_jsonl, jobs, all_probs, failures,
                                         total=total):
                log.add(key, lab.lines, {"bulletin_id": lab.bulletin_id, "counts": lab.counts})
                result.tally.add(lab.bulletin_id, lab.counts)
                result.rows += lab.counts[0]
            result.bulletins = len(log.done)
            if not log.done:
                log.remove()  # nothing classified: the earlier output stays
                return result
            result.stripped_cells = log.finish(cols)
            result.written = True
        finally:
            log.close()
    return result

