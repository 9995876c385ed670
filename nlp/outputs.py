"""Writing results safely: atomic files, and a resumable row log for long batches.

A batch over thousands of bulletins must survive an interruption: rows go to a progress
log, one bulletin at a time, and the final file appears only once, complete.
"""
from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path
from typing import Iterable


def _umask_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write text to path via a temporary file and rename, so readers never see half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _umask_mode())  # mkstemp makes 0600; results are for sharing
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _umask_mode())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def dumps_jsonl(rows: Iterable[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def dumps_csv(rows: list[dict], columns: list[str] | None = None) -> str:
    """CSV with a header; UTF-8 with BOM so that spreadsheet programs show Chinese correctly."""
    columns = columns or (list(rows[0].keys()) if rows else [])
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: (json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v)
                    for k, v in r.items()})
    return "\ufeff" + buf.getvalue()


def write_rows(path: str | Path, rows: list[dict], columns: list[str] | None = None) -> None:
    """Write rows as .csv or JSON Lines (any other suffix), atomically."""
    if str(path).lower().endswith(".csv"):
        atomic_write_text(path, dumps_csv(rows, columns))
    else:
        atomic_write_text(path, dumps_jsonl(rows))


class RowLog:
    """Append-only progress log of rows, grouped by a unit key (the bulletin), for resuming.

    Rows of a unit are appended and synced, then the unit's key is appended to a `.done`
    file. On resume, rows of units not marked done (an interrupted unit) are discarded,
    so nothing is lost or duplicated.
    """

    def __init__(self, final_path: str | Path, resume: bool):
        self.final = Path(final_path)
        self.rows_path = self.final.with_name(self.final.name + ".progress.jsonl")
        self.done_path = self.final.with_name(self.final.name + ".progress.done")
        self.done: set[str] = set()
        if resume and self.rows_path.exists() and self.done_path.exists():
            self.done = {ln for ln in self.done_path.read_text(encoding="utf-8").splitlines() if ln}
            kept = [r for r in self._read_rows() if r.get("_unit") in self.done]
            atomic_write_text(self.rows_path, dumps_jsonl(kept))
        else:
            atomic_write_text(self.rows_path, "")
            atomic_write_text(self.done_path, "")

    def _read_rows(self) -> list[dict]:
        rows = []
        for line in self.rows_path.read_text(encoding="utf-8").splitlines():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                break  # a torn last line from an interrupted write
        return rows

    def add(self, unit: str, rows: list[dict]) -> None:
        with open(self.rows_path, "a", encoding="utf-8") as f:
            f.write(dumps_jsonl({**r, "_unit": unit} for r in rows))
            f.flush()
            os.fsync(f.fileno())
        with open(self.done_path, "a", encoding="utf-8") as f:
            f.write(unit + "\n")
            f.flush()
            os.fsync(f.fileno())
        self.done.add(unit)

    def rows(self) -> list[dict]:
        return [{k: v for k, v in r.items() if k != "_unit"} for r in self._read_rows()
                if r.get("_unit") in self.done]

    def finish(self, columns: list[str] | None = None) -> list[dict]:
        """Write the final file atomically and remove the progress log."""
        rows = self.rows()
        write_rows(self.final, rows, columns)
        for p in (self.rows_path, self.done_path):
            p.unlink(missing_ok=True)
        return rows
