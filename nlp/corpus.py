"""Corpus files: one bulletin per row, as crawls store them (JSON Lines, CSV/TSV, Parquet).

Rows are streamed, so a corpus of any size is read in constant memory; each row is
bounded by the input size limit. The text column is named by --text-field (or guessed
from usual names), the id column by --id-field; ids are made safe to use as names.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .source import ReadOptions, SourceError, open_regular

TEXT_FIELDS = ("content", "text", "body", "article", "fulltext", "full_text", "正文", "内容", "html")


@dataclass
class Row:
    no: int  # 1-based record number (CSV: after the header)
    text: str | None
    id: str | None
    kind: str
    error: str | None = None


def safe_id(value: object, max_len: int = 100) -> str:
    """A bulletin id from any value: no scheme, no control characters or path separators,
    at most `max_len` characters (a long one keeps its start and a hash of the whole)."""
    s = str(value).strip()
    s = re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://", "", s)
    s = re.sub(r"[^\w.\-~\u3400-\u9fff]+", "_", s).strip("._")
    if len(s) > max_len:
        digest = hashlib.sha1(str(value).encode("utf-8", "replace")).hexdigest()[:10]
        s = s[:max_len - 11] + "_" + digest
    return s


def _field(record: dict, name: str):
    """A field by name, or by a dotted path into nested objects (`data.content`)."""
    if name in record:
        return record[name]
    cur: object = record
    for part in name.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return None
        cur = cur[part]
    return cur


def _text_field(fields: list[str], wanted: str | None) -> str:
    if wanted:
        return wanted
    for name in TEXT_FIELDS:
        if name in fields:
            return name
    raise SourceError(f"no text field among {', '.join(fields[:12]) or 'none'}: give --text-field")


def _row(no: int, record: object, text_field: str, id_field: str | None, kind: str, max_bytes: int) -> Row:
    if not isinstance(record, dict):
        return Row(no, None, None, kind, f"row {no}: not an object")
    text = _field(record, text_field)
    rid = _field(record, id_field) if id_field else None
    rid = None if rid is None or str(rid).strip() == "" else rid
    if text is None:
        return Row(no, None, rid, kind, f"row {no}: no '{text_field}' field")
    text = text if isinstance(text, str) else str(text)
    if not text.strip():
        return Row(no, None, rid, kind, f"row {no}: empty text")
    if len(text) > max_bytes or len(text.encode("utf-8", "replace")) > max_bytes:
        return Row(no, None, rid, kind, f"row {no}: text over the input size limit of {max_bytes / 1e6:g} MB")
    return Row(no, text, rid, kind)


def _jsonl_rows(path: Path, options: ReadOptions) -> Iterator[Row]:
    limit = 2 * options.max_bytes + 1024  # JSON escapes may double a text's size
    text_field = options.text_field
    no = 0
    with open_regular(path) as f:
        while True:
            line = f.readline(limit)
            if not line:
                break
            if len(line) >= limit and not line.endswith(b"\n"):
                while True:  # skip the rest of an over-long line
                    rest = f.readline(1 << 20)
                    if not rest or rest.endswith(b"\n"):
                        break
                no += 1
                yield Row(no, None, None, "jsonl", f"row {no}: over the input size limit")
                continue
            if not line.strip():
                continue
            no += 1
            try:
                record = json.loads(line.decode("utf-8-sig" if no == 1 else "utf-8", errors="replace"))
            except json.JSONDecodeError as exc:
                yield Row(no, None, None, "jsonl", f"row {no}: not valid JSON ({exc.msg})")
                continue
            if text_field is None and isinstance(record, dict):
                text_field = _text_field(list(record), None)
            yield _row(no, record, text_field or "content", options.id_field, "jsonl", options.max_bytes)


def _csv_encoding(path: Path) -> str:
    with open_regular(path) as f:
        head = f.read(1 << 16)
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 4:  # a character cut by the sample's end
            return "utf-8"
    return "gb18030"


def _csv_rows(path: Path, options: ReadOptions, delimiter: str) -> Iterator[Row]:
    kind = "tsv" if delimiter == "\t" else "csv"
    csv.field_size_limit(max(options.max_bytes * 2, 1 << 17))
    enc = _csv_encoding(path)
    with open_regular(path) as raw:
        f = io.TextIOWrapper(raw, encoding=enc, errors="replace", newline="")
        reader = csv.DictReader(f, delimiter=delimiter)
        try:
            fields = reader.fieldnames or []
        except csv.Error as exc:
            raise SourceError(f"unreadable {kind.upper()}: {exc}") from None
        text_field = _text_field(list(fields), options.text_field)
        if options.text_field and text_field not in fields:
            raise SourceError(f"no '{text_field}' column (columns: {', '.join(fields[:12])})")
        no = 0
        while True:
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                no += 1
                yield Row(no, None, None, kind, f"row {no}: {exc}")
                continue
            no += 1
            yield _row(no, record, text_field, options.id_field, kind, options.max_bytes)


def _parquet_rows(path: Path, options: ReadOptions) -> Iterator[Row]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise SourceError("reading Parquet needs pyarrow (pip install pyarrow)") from None
    try:
        pf = pq.ParquetFile(str(path))
    except Exception as exc:  # pyarrow raises its own error kinds for damaged files
        raise SourceError(f"unreadable Parquet: {type(exc).__name__}") from None
    fields = pf.schema_arrow.names
    text_field = _text_field(list(fields), options.text_field)
    if text_field not in fields:
        raise SourceError(f"no '{text_field}' column (columns: {', '.join(fields[:12])})")
    cols = [text_field] + ([options.id_field] if options.id_field and options.id_field in fields else [])
    no = 0
    for batch in pf.iter_batches(batch_size=64, columns=cols):
        for record in batch.to_pylist():
            no += 1
            yield _row(no, record, text_field, options.id_field, "parquet", options.max_bytes)


def iter_rows(path: str | Path, options: ReadOptions | None = None) -> Iterator[Row]:
    """The rows of a corpus file. A file-level problem (no text column) raises SourceError;
    a bad row is returned with its `error` set, so the rest of the file is still read."""
    options = options or ReadOptions()
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix in (".jsonl", ".ndjson"):
            yield from _jsonl_rows(path, options)
        elif suffix in (".csv", ".tsv"):
            yield from _csv_rows(path, options, "\t" if suffix == ".tsv" else ",")
        elif suffix == ".parquet":
            yield from _parquet_rows(path, options)
        else:
            raise SourceError(f"not a corpus file: {suffix}")
    except OSError as exc:
        raise SourceError(exc.strerror or str(exc)) from None
