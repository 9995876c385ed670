"""Annotation sheets: export measures with a model's suggestions, import the filled-in labels.

`bulletin annotate` writes one row per measure (CSV or XLSX) with its context, the model's
suggested label and confidence for each task, an empty gold column per task and a `note`.
`bulletin import-labels` reads the filled sheet back, checks every row, and writes gold
records in the format of LABELS.md. A `row_sha1` column (12 hex digits of the SHA-1 of the
row's bulletin id, numbers and text) lets the import notice a row edited in the
spreadsheet, including a bulletin id such as `00123` that a spreadsheet turned into `123`.

Sheets are meant to be opened in Excel: every cell is spreadsheet-safe (nlp.outputs), and
the import undoes that. The XLSX is written row by row (openpyxl's write-only mode), so
its cost is linear in rows; reading is bounded in size and rows.
"""
from __future__ import annotations

import csv
import hashlib
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterable

from .errors import SheetError, UsageError
from .records import REQUIRED_FIELDS, SHEET_FIELDS
from .outputs import AtomicFile, CellCleaner, CsvRows, strip_controls, unneutralise

CONTEXT_COLUMNS = list(SHEET_FIELDS)
REQUIRED_COLUMNS = list(REQUIRED_FIELDS)
SHEET_NAME = "measures"
LABELS_SHEET = "labels"
HASH_COLUMN = "row_sha1"
LEGACY_HASH_COLUMN = "text_sha1"  # sheets written before row_sha1: a hash of the text alone

# Bounds on what import-labels reads: an annotation sheet is thousands of rows, not millions.
MAX_ROWS = 100_000
MAX_SHEET_BYTES = 200 * 1024 * 1024
MAX_XLSX_UNPACKED = 1024 * 1024 * 1024
MAX_COLUMNS = 200


def text_sha1(text: str) -> str:
    """The legacy fingerprint of a measure text: the first 12 hex digits of its SHA-1."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def row_sha1(bulletin_id: str, issue_no, measure_no, text: str) -> str:
    """The fingerprint of a sheet row: bulletin id, problem and measure numbers, and text."""
    blob = "\x1f".join((str(bulletin_id), str(issue_no), str(measure_no), text))
    return hashlib.sha1(blob.encode("utf-8")).hexdigest()[:12]


def sheet_columns(scheme) -> list[str]:
    """Context columns, then per task the suggestion, its score and the empty gold column."""
    cols = list(CONTEXT_COLUMNS)
    for task in scheme.task_names:
        cols += [f"suggested_{task}", f"suggested_{task}_score", task]
    return cols + ["note", HASH_COLUMN]


def sheet_rows(labelled: list[dict], task_names: list[str]) -> list[dict]:
    """Sheet rows for one bulletin's labelled measure rows (see `classify_bulletin`).

    The sheet writer drops control characters (a spreadsheet cannot hold them) and says
    so; the row hash is of the text as the sheet will hold it.
    """
    out = []
    for r in labelled:
        row = {k: r.get(k) for k in CONTEXT_COLUMNS}
        row["issue_group"] = row["issue_group"] or ""
        for task in task_names:
            row[f"suggested_{task}"] = r[task]
            row[f"suggested_{task}_score"] = r[f"{task}_score"]
            row[task] = ""
        row["note"] = ""
        row[HASH_COLUMN] = row_sha1(row["bulletin_id"], row["issue_no"], row["measure_no"], strip_controls(row["text"]))
        out.append(row)
    return out


def annotation_rows(bulletins: Iterable, model) -> list[dict]:
    """One sheet row per measure of each bulletin, with the model's suggestions pre-filled."""
    from .classify import classify_bulletin

    out = []
    for b in bulletins:
        out += sheet_rows(classify_bulletin(b, model), model.scheme.task_names)
    return out


def _is_xlsx(path: str | Path) -> bool:
    return str(path).lower().endswith(".xlsx")


# --- writing --------------------------------------------------------------------------

class SheetWriter:
    """Writes a sheet row by row into an open binary/text file: CSV or write-only XLSX."""

    def __init__(self, f: IO, xlsx: bool, scheme):
        self.f, self.xlsx, self.scheme = f, xlsx, scheme
        self.cols = sheet_columns(scheme)
        self.rows = 0
        if xlsx:
            self._start_xlsx()
        else:
            self.csv = CsvRows(f, self.cols)
            self.clean = self.csv.clean

    def _start_xlsx(self) -> None:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font
        from openpyxl.utils import get_column_letter

        self.clean = CellCleaner()
        self.wb = Workbook(write_only=True)
        ws = self.wb.create_sheet(SHEET_NAME)
        self.ws = ws
        self.letter = {c: get_column_letter(i) for i, c in enumerate(self.cols, 1)}
        for name, width in (("text", 80), ("issue_title", 40), ("bulletin_id", 24), ("note", 30)):
            ws.column_dimensions[self.letter[name]].width = width
        ws.column_dimensions[self.letter[HASH_COLUMN]].hidden = True
        ws.freeze_panes = "A2"
        bold = Font(bold=True)
        header = []
        for c in self.cols:
            cell = WriteOnlyCell(ws, value=c)
            cell.font = bold
            header.append(cell)
        ws.append(header)
        self._wrap = Alignment(wrap_text=True, vertical="top")
        self._wrapped = {i for i, c in enumerate(self.cols) if c in ("text", "issue_title")}
        self._cell = WriteOnlyCell

    def write(self, row: dict) -> None:
        self.rows += 1
        if not self.xlsx:
            self.csv.write(row)
            return
        values = []
        for i, c in enumerate(self.cols):
            v = self.clean(row.get(c))
            if i in self._wrapped:
                cell = self._cell(self.ws, value=v)
                cell.alignment = self._wrap
                values.append(cell)
            else:
                values.append(v)
        self.ws.append(values)

    def close(self) -> None:
        if not self.xlsx:
            return
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter
        from openpyxl.worksheet.datavalidation import DataValidation

        # The labels of each task on a second sheet, which the gold columns' dropdowns list.
        last = max(self.rows + 1, 2)
        lab = self.wb.create_sheet(LABELS_SHEET)
        tasks = list(self.scheme.tasks.values())
        from openpyxl.cell import WriteOnlyCell
        head = []
        for task in tasks:
            cell = WriteOnlyCell(lab, value=task.name)
            cell.font = Font(bold=True)
            head.append(cell)
        lab.append(head)
        for i in range(max(len(t.labels) for t in tasks)):
            lab.append([t.labels[i] if i < len(t.labels) else None for t in tasks])
        for j, task in enumerate(tasks, 1):
            col = get_column_letter(j)
            dv = DataValidation(type="list", formula1=f"{LABELS_SHEET}!${col}$2:${col}${len(task.labels) + 1}",
                                allow_blank=True, showErrorMessage=True, errorTitle=f"unknown {task.name} label",
                                error=f"Choose one of: {', '.join(task.labels)}")
            dv.add(f"{self.letter[task.name]}2:{self.letter[task.name]}{last}")
            self.ws.data_validations.append(dv)
        self.wb.save(self.f)


def write_sheet(path: str | Path, rows: Iterable[dict], scheme) -> int:
    """Write the sheet atomically: .csv (UTF-8 with BOM) or .xlsx (with label dropdowns).

    Returns the number of cells that lost control characters.
    """
    xlsx = _is_xlsx(path)
    with AtomicFile(path, binary=xlsx) as f:
        w = SheetWriter(f, xlsx, scheme)
        for r in rows:
            w.write(r)
        w.close()
    return w.clean.stripped


# --- reading --------------------------------------------------------------------------

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _iterparse(source, events=("end",)):
    """ElementTree's (C) pull parser. ElementTree never fetches external entities, and
    expat >= 2.4.1 bounds entity expansion ("billion laughs"); an older expat falls back
    to defusedxml, which refuses entities outright."""
    import pyexpat
    if pyexpat.version_info < (2, 4, 1):  # pragma: no cover - old systems only
        from defusedxml.ElementTree import iterparse as defused
        return defused(source, events=events)
    from xml.etree.ElementTree import iterparse
    return iterparse(source, events=events)


def _text_of(el) -> str:
    """The text of a shared or inline string: its <t> runs, phonetic guides left out."""
    guides = {x for r in el.iter(f"{_NS}rPh") for x in r.iter()}
    return "".join(t.text or "" for t in el.iter(f"{_NS}t") if t not in guides)


def _column_index(ref: str) -> int:
    n = 0
    for ch in ref:
        if not ch.isalpha():
            break
        n = n * 26 + ord(ch.upper()) - 64
    return n - 1


def _xlsx_value(c, shared: list[str]):
    t = c.get("t", "n")
    if t == "inlineStr":
        is_ = c.find(f"{_NS}is")
        return _text_of(is_) if is_ is not None else ""
    v = c.find(f"{_NS}v")
    if v is None or v.text is None:
        return None
    if t == "s":
        i = int(v.text)
        return shared[i] if 0 <= i < len(shared) else None
    if t == "b":
        return v.text == "1"
    if t in ("str", "e"):
        return v.text
    try:
        x = float(v.text)
    except ValueError:
        return v.text
    return int(x) if x.is_integer() and "." not in v.text and "E" not in v.text.upper() else x


def _xlsx_rows(path: Path, max_rows: int) -> Iterable[list]:
    """The rows of the sheet `measures` (or the first sheet) of an .xlsx, read as a stream.

    Written for bounds, not features: openpyxl reads a whole sheet that lacks a dimension
    record before giving its first row (a 1 MB file of 3M rows took minutes and GBs).
    Refuses a file that unpacks to more than MAX_XLSX_UNPACKED, and stops after `max_rows`.
    """
    def bad(exc) -> SheetError:
        return SheetError(f"{path}: not a readable .xlsx file ({type(exc).__name__})")
    try:
        z = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise bad(exc) from None
    with z:
        unpacked = sum(i.file_size for i in z.infolist())
        if unpacked > MAX_XLSX_UNPACKED:
            raise SheetError(f"{path}: unpacks to {unpacked / 1e6:,.0f} MB, more than an annotation sheet can be "
                             f"({MAX_XLSX_UNPACKED / 1e6:,.0f} MB): refused")
        try:
            names = set(z.namelist())
            sheets = [(el.get("name"), el.get(f"{_REL_NS}id")) for _, el in _iterparse(z.open("xl/workbook.xml"))
                      if el.tag == f"{_NS}sheet"]
            rels = {el.get("Id"): el.get("Target") for _, el in _iterparse(z.open("xl/_rels/workbook.xml.rels"))
                    if el.tag == f"{_PKG_REL}Relationship"}
            if not sheets:
                raise SheetError(f"{path}: no worksheet")
            rid = next((r for n, r in sheets if n == SHEET_NAME), sheets[0][1])
            target = rels[rid].lstrip("/")
            target = target if target.startswith("xl/") else f"xl/{target}"
            shared: list[str] = []
            if "xl/sharedStrings.xml" in names:
                for _, el in _iterparse(z.open("xl/sharedStrings.xml")):
                    if el.tag == f"{_NS}si":
                        shared.append(_text_of(el))
                        el.clear()
            n = 0
            data = None
            for event, el in _iterparse(z.open(target), ("start", "end")):
                if event == "start":
                    if el.tag == f"{_NS}sheetData":
                        data = el
                    continue
                if el.tag != f"{_NS}row":
                    continue
                n += 1
                if n > max_rows + 1:
                    raise SheetError(f"{path}: more than {max_rows:,} rows (raise the limit with --max-rows)")
                values: list = []
                for i, c in enumerate(el.iter(f"{_NS}c")):
                    col = _column_index(c.get("r", "")) if c.get("r") else i
                    if col >= MAX_COLUMNS or col < 0:
                        continue
                    values += [None] * (col + 1 - len(values))
                    values[col] = _xlsx_value(c, shared)
                yield values
                if data is not None:
                    data.clear()  # keep memory flat: drop the rows already read
        except SheetError:
            raise
        except Exception as exc:  # damaged XML, a missing part, a bad reference
            raise bad(exc) from None


def _csv_rows(path: Path, max_rows: int) -> Iterable[list]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            for n, values in enumerate(csv.reader(f), 1):
                if n > max_rows + 1:
                    raise SheetError(f"{path}: more than {max_rows:,} rows (raise the limit with --max-rows)")
                yield values
    except UnicodeDecodeError:
        raise SheetError(f"{path}: not UTF-8 text (save it as 'CSV UTF-8')") from None
    except csv.Error as exc:
        raise SheetError(f"{path}: not a readable CSV file ({exc})") from None


def _value(v):
    return unneutralise(v) if isinstance(v, str) else v


def read_sheet(path: str | Path, max_rows: int = MAX_ROWS) -> tuple[list[str], list[tuple[int, dict]]]:
    """The header and (spreadsheet row number, row) pairs of a .csv or .xlsx sheet; blank rows dropped.

    Refuses a file over MAX_SHEET_BYTES, an .xlsx that unpacks to more than
    MAX_XLSX_UNPACKED, and more than `max_rows` rows. Cells neutralised on export lose
    their protective apostrophe.
    """
    path = Path(path)
    if not path.is_file():
        raise SheetError(f"{path}: no such file")
    size = path.stat().st_size
    if size > MAX_SHEET_BYTES:
        raise SheetError(f"{path}: {size / 1e6:,.0f} MB, more than an annotation sheet can be "
                         f"({MAX_SHEET_BYTES / 1e6:,.0f} MB): refused")
    source = _xlsx_rows(path, max_rows) if _is_xlsx(path) else _csv_rows(path, max_rows)
    header: list[str] | None = None
    rows = []
    for n, values in enumerate(source, 1):
        if header is None:
            header = [str(_value(h)).strip() if h is not None else "" for h in values]
            continue
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        rows.append((n, {h: _value(v) for h, v in zip(header, values) if h}))
    if header is None:
        raise SheetError(f"{path}: empty sheet")
    return header, rows


# --- checking -------------------------------------------------------------------------

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


def _hash_problem(row: dict, bid: str, nums: dict, text: str) -> str | None:
    """Why a row's id, numbers or text differ from what was exported, or None."""
    if HASH_COLUMN in row:
        want = _cell(row[HASH_COLUMN]).strip()
        if want == row_sha1(bid, nums["issue_no"], nums["measure_no"], text):
            return None
        if bid.isdigit():  # a spreadsheet reads 00123 as the number 123
            for width in range(len(bid) + 1, len(bid) + 16):
                padded = bid.zfill(width)
                if want == row_sha1(padded, nums["issue_no"], nums["measure_no"], text):
                    return (f"bulletin_id '{bid}' lost its leading zeros (exported as '{padded}'): "
                            "a spreadsheet read it as a number; use the .xlsx sheet or import the column as text")
        return f"row changed (bulletin_id, numbers or text differ from the exported row: {HASH_COLUMN})"
    if LEGACY_HASH_COLUMN in row and _cell(row[LEGACY_HASH_COLUMN]).strip() != text_sha1(text):
        return f"text changed (does not match {LEGACY_HASH_COLUMN} of the exported text)"
    return None


def check_rows(rows: list[tuple[int, dict]], scheme, source_texts: dict | None = None,
               skip_unlabelled: bool = False) -> SheetCheck:
    """Check every row of a filled sheet and build its gold records.

    Problems: malformed numbers, missing/unknown labels, duplicate measures, and a row that
    differs from `source_texts` (measure key -> parser text) or from its `row_sha1`.
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
                elif strip_controls(source_texts[key]) != text:
                    problems.append("text changed (differs from the parsed source bulletin)")
        if text and bid and None not in key and source_texts is None:
            changed = _hash_problem(row, bid, nums, text)
            if changed:
                problems.append(changed)
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
                 skip_unlabelled: bool = False, max_rows: int = MAX_ROWS) -> tuple[SheetCheck, bool]:
    """Read and check a filled sheet; also says whether it carries a row hash column."""
    header, rows = read_sheet(path, max_rows)
    missing = [c for c in REQUIRED_COLUMNS + scheme.task_names if c not in header]
    if missing:
        raise SheetError(f"{path}: missing column(s) {', '.join(missing)}")
    hashed = HASH_COLUMN in header or LEGACY_HASH_COLUMN in header
    return check_rows(rows, scheme, source_texts, skip_unlabelled), hashed


def source_texts_of(bulletins: Iterable) -> dict[tuple, str]:
    """Measure key -> the parser's text, for checking a sheet against its source bulletins."""
    from .records import measure_rows
    return {(r["bulletin_id"], r["issue_no"], r["measure_no"]): r["text"]
            for b in bulletins for r in measure_rows(b)}


# --- many files -----------------------------------------------------------------------

def _shape_sheet(bulletin, labelled: list[dict]) -> list[dict]:
    from .classify import _WORKER
    return sheet_rows(labelled, _WORKER["model"].scheme.task_names)


@dataclass
class AnnotateResult:
    rows: int = 0
    bulletins: int = 0
    stripped_cells: int = 0


def annotate_files(inputs: list, model, out: str | Path, failures=None, jobs: int | None = None) -> AnnotateResult:
    """Write an annotation sheet for every bulletin under `inputs`, row by row.

    Bulletins are parsed and labelled in `jobs` worker processes, in input order. The
    sheet replaces `out` only when at least one bulletin was read; otherwise `out` is left
    as it was.
    """
    from .batch import Failures
    from .classify import check_model, label_units, unit_key
    from .outputs import check_out
    from .inputs import iter_bulletin_files

    if not str(out).lower().endswith((".csv", ".xlsx")):
        raise UsageError("--out must end in .csv or .xlsx")
    files = iter_bulletin_files(inputs)
    check_out(out, [*inputs, *files])
    check_model(model)
    failures = failures if failures is not None else Failures()
    result = AnnotateResult()
    xlsx = _is_xlsx(out)
    sink = AtomicFile(out, binary=xlsx)
    with sink as f:
        w = SheetWriter(f, xlsx, model.scheme)
        for _key, rows in label_units([(unit_key(p), p) for p in files], model, _shape_sheet, jobs,
                                      failures=failures, desc="annotating"):
            result.bulletins += 1
            for r in rows:
                w.write(r)
        if not result.bulletins:
            sink.discard()
        else:
            w.close()
    result.rows, result.stripped_cells = w.rows, w.clean.stripped
    return result

