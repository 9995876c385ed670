"""Flat views of a parsed bulletin: one row per measure, and a readable Markdown outline."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .parse import Bulletin


@dataclass
class MeasureRow:
    """One measure with its problem and its bulletin's context: the unit every model labels,
    and the one place every column list of the project is taken from (below)."""

    bulletin_id: str
    title: str | None
    issuer: str | None
    unit_type: str | None
    level: str | None
    province: str | None
    city: str | None
    published: str | None
    issue_no: int
    issue_label: str | None
    issue_group: str | None
    issue_title: str
    reported_status: str | None
    measure_no: int
    text: str
    start: int
    end: int


FIELDS = tuple(f.name for f in fields(MeasureRow))
KEY_FIELDS = ("bulletin_id", "issue_no", "measure_no")          # which measure it is
REQUIRED_FIELDS = (*KEY_FIELDS, "text")                          # what a labelled record cannot lack
RECORD_FIELDS = (*KEY_FIELDS, "issue_title", "text")             # LABELS.md's record, before its labels
SHEET_FIELDS = (*KEY_FIELDS, "issue_group", "issue_title", "text")  # context in an annotation sheet
TABLE_FIELDS = ("bulletin_id", "issue_no", "issue_label", "issue_group", "issue_title", "reported_status",
                "measure_no", "text", "start", "end")            # compare's measures.csv
assert all(set(cols) <= set(FIELDS) for cols in (REQUIRED_FIELDS, RECORD_FIELDS, SHEET_FIELDS, TABLE_FIELDS))


def measure_rows(b: "Bulletin") -> list[dict]:
    """One dict per measure (a MeasureRow) with its bulletin and issue fields.

    The bulletin context (unit_type, level, province, city, publication date) travels with
    each measure, so that a model or an analysis can condition on what kind of unit wrote it.
    """
    region = b.region or {}
    return [asdict(MeasureRow(
        bulletin_id=b.bulletin_id, title=b.title, issuer=b.issuer, unit_type=b.unit_type, level=b.level,
        province=region.get("province"), city=region.get("city"), published=(b.dates or {}).get("published"),
        issue_no=issue.no, issue_label=issue.label, issue_group=issue.group, issue_title=issue.title,
        reported_status=issue.reported_status, measure_no=m.no, text=m.text, start=m.start, end=m.end))
        for issue in b.issues for m in issue.measures]


def to_markdown(b: Bulletin) -> str:
    """A readable outline: metadata, then each problem with its numbered measures."""
    out = [f"# {b.title or b.bulletin_id}", ""]
    where = " / ".join(v for v in (b.region or {}).values() if v)
    insp = " ".join(v for v in (b.inspection or {}).values() if v)
    for key, val in (("Issuer", b.issuer), ("Unit type", b.unit_type), ("Level", b.level), ("Region", where),
                     ("Inspector", b.inspector), ("Inspection", insp)):
        if val:
            out.append(f"- **{key}:** {val}")
    for key, val in b.dates.items():
        if val:
            out.append(f"- **{key.replace('_', ' ')}:** {val}")
    for key, val in b.stated.items():
        out.append(f"- **stated {key.replace('_', ' ')}:** {val}")
    out.append(f"- **problems:** {len(b.issues)}, **measures:** {b.n_measures}")
    out.append("")
    group = None
    for issue in b.issues:
        if issue.group and issue.group != group:
            out += [f"## {issue.group}", ""]
            group = issue.group
        out.append(f"### {issue.no}. {issue.title}")
        if issue.reported_status:
            out.append(f"*reported status: {issue.reported_status}*")
        out.append("")
        for m in issue.measures:
            out.append(f"{m.no}. {m.text}")
        out.append("")
    return "\n".join(out)
