"""Annotation sheets: export measures with a model's suggestions, import the filled-in labels.

`bulletin annotate` writes one row per measure (CSV or XLSX) with its context, the model's
suggested label and confidence for each task, an empty gold column per task and a `note`.
`bulletin import-labels` reads the filled sheet back, checks every row, and writes gold
records in the format of LABELS.md. A `text_sha1` column (12 hex digits of the text's
SHA-1) lets the import notice a measure text that was edited in the spreadsheet.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

CONTEXT_COLUMNS = ["bulletin_id", "issue_no", "measure_no", "issue_group", "issue_title", "text"]
REQUIRED_COLUMNS = ["bulletin_id", "issue_no", "measure_no", "text"]
SHEET_NAME = "measures"
LABELS_SHEET = "labels"


from .errors import SheetError, UsageError  # noqa: F401  (a sheet, not its rows: those are checked one by one)


def text_sha1(text: str) -> str:
    """The integrity fingerprint of a measure text: the first 12 hex digits of its SHA-1."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def sheet_columns(scheme) -> list[str]:
    """Context columns, then per task the suggestion, its score and the empty gold column."""
    cols = list(CONTEXT_COLUMNS)
    for task in scheme.task_names:
        cols += [f"suggested_{task}", f"suggested_{task}_score", task]
    return cols + ["note", "text_sha1"]


def annotation_rows(bulletins: Iterable, model) -> list[dict]:
    """One sheet row per measure of each bulletin, with the model's suggestions pre-filled."""
    from .classify import classify_bulletin

    out = []
    for b in bulletins:
        for r in classify_bulletin(b, model):
            row = {k: r.get(k) for k in CONTEXT_COLUMNS}
            row["issue_group"] = row["issue_group"] or ""
            for task in model.scheme.task_names:
                row[f"suggested_{task}"] = r[task]
                row[f"suggested_{task}_score"] = r[f"{task}_score"]
                row[task] = ""
            row["note"] = ""
            row["text_sha1"] = text_sha1(r["text"])
            out.append(row)
    return out


def _is_xlsx(path: str | Path) -> bool:
    return str(path).lower().endswith(".xlsx")


def write_sheet(path: str | Path, rows: list[dict], scheme) -> None:
    """Write the sheet atomically: .csv (UTF-8 with BOM) or .xlsx (with label dropdowns)."""
    from .outputs import atomic_write_bytes, atomic_write_text, dumps_csv

    cols = sheet_columns(scheme)
    if _is_xlsx(path):
        atomic_write_bytes(path, _xlsx_bytes(rows, cols, scheme))
    else:
        atomic_write_text(path, dumps_csv(rows, cols))


def _xlsx_bytes(rows: list[dict], cols: list[str], scheme) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_NAME
    ws.append(cols)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append([r.get(c) for c in cols])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # a text, never a formula
    ws.freeze_panes = "A2"
    letter = {c: get_column_letter(i) for i, c in enumerate(cols, 1)}
    wrap = Alignment(wrap_text=True, vertical="top")
    for name, width in (("text", 80), ("issue_title", 40)):
        ws.column_dimensions[letter[name]].width = width
        for cell in ws[letter[name]][1:]:
            cell.alignment = wrap
    ws.column_dimensions[letter["bulletin_id"]].width = 24
    ws.column_dimensions[letter["note"]].width = 30
    ws.column_dimensions[letter["text_sha1"]].hidden = True

    # The labels of each task on a second sheet, which the gold columns' dropdowns list.
    lab = wb.create_sheet(LABELS_SHEET)
    last = max(len(rows) + 1, 2)
    for j, task in enumerate(scheme.tasks.values(), 1):
        col = get_column_letter(j)
        lab.cell(row=1, column=j, value=task.name).font = Font(bold=True)
        for i, label in enumerate(task.labels, 2):
            lab.cell(row=i, column=j, value=label)
        dv = DataValidation(type="list", formula1=f"{LABELS_SHEET}!${col}$2:${col}${len(task.labels) + 1}",
                            allow_blank=True, showErrorMessage=True, errorTitle=f"unknown {task.name} label",
                            error=f"Choose one of: {', '.join(task.labels)}")
        ws.add_data_validation(dv)
        dv.add(f"{letter[task.name]}2:{letter[task.name]}{last}")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def read_sheet(path: str | Path) -> tuple[list[str], list[tuple[int, dict]]]:
    """The header and (spreadsheet row number, row) pairs of a .csv or .xlsx sheet; blank rows dropped."""
    path = Path(path)
    if not path.is_file():
        raise SheetError(f"{path}: no such file")
    if _is_xlsx(path):
        from openpyxl import load_workbook
        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise SheetError(f"{path}: not a readable .xlsx file ({type(exc).__name__})") from None
        ws = wb[SHEET_NAME] if SHEET_NAME in wb.sheetnames else wb.worksheets[0]
        raw = [list(r) for r in ws.iter_rows(values_only=True)]
        wb.close()
    else:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise SheetError(f"{path}: not UTF-8 text (save it as 'CSV UTF-8')") from None
        raw = list(csv.reader(io.StringIO(text, newline="")))
    if not raw:
        raise SheetError(f"{path}: empty sheet")
    header = [str(h).strip() if h is not None else "" for h in raw[0]]
    rows = []
    for n, values in enumerate(raw[1:], 2):
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        rows.append((n, {h: v for h, v in zip(header, values) if h}))
    return header, rows


@dataclass
class SheetCheck:
    """The outcome of checking a filled sheet: good records, problems by row, unlabelled rows."""
    records: list[dict] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)
    unlabelled: list[int] = field(default_factory=list)

    @property
    def invalid_rows(self) -> list[int]:
        return sorted({n for n, _ in self.problems})


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v)


def _whole(v) -> int | None:
    """A whole number >= 1 from a cell (int, integral float or digits), else None."""
    if isinstance(v, bool):
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, int):
        return v if v >= 1 else None
    s = _cell(v).strip()
    return int(s) if re.fullmatch(r"[0-9]+", s) and int(s) >= 1 else None


def check_rows(rows: list[tuple[int, dict]], scheme, source_texts: dict | None = None,
               skip_unlabelled: bool = False) -> SheetCheck:
    """Check every row of a filled sheet and build its gold records.

    Problems: malformed numbers, missing/unknown labels, duplicate measures, and a text that
    differs from `source_texts` (measure key -> parser text) or, without it, from `text_sha1`.
    With `skip_unlabelled`, rows whose gold cells are all empty are set aside, not problems.
    """
    out = SheetCheck()
    seen: dict[tuple, int] = {}
    for n, row in rows:
        problems = []
        labels = {t: _cell(row.get(t)).strip() for t in scheme.task_names}
        if skip_unlabelled and not any(labels.values()):
            out.unlabelled.append(n)
            continue
        bid = _cell(row.get("bulletin_id")).strip()
        text = _cell(row.get("text"))
        if not bid:
            problems.append("missing bulletin_id")
        if not text:
            problems.append("missing text")
        nums = {}
        for f in ("issue_no", "measure_no"):
            nums[f] = _whole(row.get(f))
            if nums[f] is None:
                problems.append(f"malformed {f} '{_cell(row.get(f))}' (expected a whole number >= 1)")
        missing = [t for t, label in labels.items() if not label]
        if missing:
            problems.append(f"missing label: {', '.join(missing)} (empty gold cell)")
        for task in scheme.tasks.values():
            label = labels[task.name]
            if label and label not in task.labels:
                problems.append(f"unknown {task.name} label '{label}' (known: {', '.join(task.labels)})")
        key = (bid, nums["issue_no"], nums["measure_no"])
        if bid and None not in key:
            if key in seen:
                problems.append(f"duplicate measure {key} (also on row {seen[key]})")
            else:
                seen[key] = n
            if text and source_texts is not None:
                if key not in source_texts:
                    problems.append(f"measure {key} not found in the --source bulletins")
                elif source_texts[key] != text:
                    problems.append("text changed (differs from the parsed source bulletin)")
        if text and source_texts is None and "text_sha1" in row and _cell(row["text_sha1"]).strip() != text_sha1(text):
            problems.append("text changed (does not match text_sha1 of the exported text)")
        if problems:
            out.problems += [(n, p) for p in problems]
            continue
        rec = {"bulletin_id": bid, "issue_no": key[1], "measure_no": key[2],
               "issue_title": _cell(row.get("issue_title")), "text": text, **labels}
        note = _cell(row.get("note")).strip()
        if note:
            rec["note"] = note
        out.records.append(rec)
    return out


def import_sheet(path: str | Path, scheme, source_texts: dict | None = None,
                 skip_unlabelled: bool = False) -> tuple[SheetCheck, bool]:
    """Read and check a filled sheet; also says whether it carries the text_sha1 column."""
    header, rows = read_sheet(path)
    missing = [c for c in REQUIRED_COLUMNS + scheme.task_names if c not in header]
    if missing:
        raise SheetError(f"{path}: missing column(s) {', '.join(missing)}")
    return check_rows(rows, scheme, source_texts, skip_unlabelled), "text_sha1" in header


def source_texts_of(bulletins: Iterable) -> dict[tuple, str]:
    """Measure key -> the parser's text, for checking a sheet against its source bulletins."""
    from .records import measure_rows
    return {(r["bulletin_id"], r["issue_no"], r["measure_no"]): r["text"]
            for b in bulletins for r in measure_rows(b)}


# --- many files -----------------------------------------------------------------------

def annotate_files(inputs: list, model, out: str | Path, failures=None) -> tuple[int, int]:
    """Write an annotation sheet for every bulletin under `inputs`: (rows, bulletins) written."""
    from .batch import Failures, iter_parsed

    if not str(out).lower().endswith((".csv", ".xlsx")):
        raise UsageError("--out must end in .csv or .xlsx")
    failures = failures if failures is not None else Failures()
    docs = list(iter_parsed(inputs, failures, desc="annotating"))
    if not docs:
        return 0, 0
    rows = annotation_rows(docs, model)
    write_sheet(out, rows, model.scheme)
    return len(rows), len(docs)
