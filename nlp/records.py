"""Flat views of a parsed bulletin: one row per measure, and a readable Markdown outline."""
from __future__ import annotations

from .parse import Bulletin


def measure_rows(b: Bulletin) -> list[dict]:
    """One dict per measure with its bulletin and issue fields: the unit every model labels.

    The bulletin context (unit_type, level, province, city, publication date) travels with each measure, so
    that a model or an analysis can condition on what kind of unit wrote it and where.
    """
    rows = []
    region = b.region or {}
    for issue in b.issues:
        for m in issue.measures:
            rows.append({
                "bulletin_id": b.bulletin_id, "title": b.title, "issuer": b.issuer,
                "unit_type": b.unit_type, "level": b.level,
                "province": region.get("province"), "city": region.get("city"),
                "published": (b.dates or {}).get("published"),
                "issue_no": issue.no, "issue_label": issue.label, "issue_group": issue.group,
                "issue_title": issue.title, "reported_status": issue.reported_status,
                "measure_no": m.no, "text": m.text, "start": m.start, "end": m.end,
            })
    return rows


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
