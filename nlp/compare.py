"""Compare bulletins: who gets more done, does each bulletin's own claim hold, and when.

`compare` labels and summarises every bulletin, then writes, into one folder that is
swapped in only when the run succeeds:
- `bulletins.csv`: one row per bulletin (where, what kind of unit, when, counts per label,
  the share finished, its stated totals flattened into columns, parse coverage, flags);
- `groups.csv`: one row per group of bulletins (by province, city, level, unit type);
- `measures.csv`: every labelled measure;
- `report.html`: one self-contained page (nlp/report.py) and two PNG charts (nlp/charts.py).
Groups and their tests are in nlp/groups.py.

Nothing here names a task or a label: the scheme's roles say which task is the topic, which
is progress and which progress label means finished, so a renamed scheme works unchanged.
"""
from __future__ import annotations

import re
import shutil
from collections import Counter
from datetime import date
from pathlib import Path

from .errors import UsageError
from .records import TABLE_FIELDS
from .facts import LOW_COVERAGE, STATED_KEYS, coverage, stated_completion
from .groups import (DISAGREE_AT, FEW_MEASURES, GROUP_COLUMNS, GROUPINGS, LEVELS, UNIT_TYPES, UNKNOWN,
                     completion_test, group_rows, topic_mix_test)

def roles(scheme) -> tuple:
    """(topic task, progress task, finished label) of a scheme, or a SchemeError."""
    topic, progress = scheme.require_roles("compare")
    return topic, progress, progress.finished


# --- where and what kind of unit ---------------------------------------------------------

def bulletin_place(bulletin) -> dict:
    """province, city, county, level and unit_type of a bulletin, from its metadata (None where unknown)."""
    region = bulletin.region if isinstance(getattr(bulletin, "region", None), dict) else {}
    return {"province": region.get("province"), "city": region.get("city"), "county": region.get("county"),
            "level": getattr(bulletin, "level", None), "unit_type": getattr(bulletin, "unit_type", None)}


# --- one bulletin ------------------------------------------------------------------

MEASURE_COLUMNS = list(TABLE_FIELDS)
_ORG_END = re.compile(r"(委员会|党组|党委|党工委|工委|纪委|局|厅|办|院|校|大学|学院|公司|集团|中心|政府|镇|乡|街道|村|区|县|市|"
                      r"会|所|站|队|部|社)$")


def _strip_party(name: str | None) -> str:
    return re.sub(r"^中共|^中国共产党", "", name or "")


def display_name(bulletin) -> str:
    """The name readers know a bulletin by: its issuer, else the title's head, else its id.

    An issuer that reads like a heading or a sentence (punctuation, a list marker, too long)
    is not a name, so it is passed over.
    """
    for cand in (_strip_party(bulletin.issuer), re.split(r"关于", bulletin.title or "")[0] if bulletin.title and
                 "关于" in bulletin.title else ""):
        cand = (cand or "").strip()
        if 2 <= len(cand) <= 30 and _ORG_END.search(cand) and not re.search(r"[，。：:；;、“”（）()]|^[一二三四五六七八九十\d]", cand):
            cand = re.sub(r"(工作委员会|委员会|党工委|党委|党组|工委)$", "", cand) or cand
            return cand if len(cand) <= 18 else cand[:17] + "…"
    return bulletin.bulletin_id


def _days(a: str | None, b: str | None) -> int | None:
    try:
        return (date.fromisoformat(b) - date.fromisoformat(a)).days if a and b else None
    except ValueError:
        return None


def bulletin_row(bulletin, rows: list[dict], facts: dict, scheme) -> dict:
    """One CSV row per bulletin: who, where, when, its counts, its claim beside its labels, flags."""
    topic, progress, finished = roles(scheme)
    place = bulletin_place(bulletin)
    dates = {k: (bulletin.dates or {}).get(k) for k in ("inspection_start", "inspection_end", "feedback",
                                                         "published", "signed")}
    stated = dict(bulletin.stated or {})
    row = {"bulletin_id": bulletin.bulletin_id, "name": display_name(bulletin), "title": bulletin.title,
           "issuer": bulletin.issuer, "inspector": bulletin.inspector, **place,
           "region": " / ".join(v for v in (place["province"], place["city"], place["county"]) if v) or None,
           **dates, "lag_days": _days(dates["feedback"], dates["published"]),
           "problems": len(bulletin.issues), "measures": len(rows)}
    tcount, pcount = Counter(r[topic.name] for r in rows), Counter(r[progress.name] for r in rows)
    row.update({f"n_{t}": tcount.get(t, 0) for t in topic.labels})
    row.update({f"n_{p}": pcount.get(p, 0) for p in progress.labels})
    row["share_finished"] = round(pcount.get(finished, 0) / len(rows), 4) if rows else None
    by_issue: dict[int, list[str]] = {}
    for r in rows:
        by_issue.setdefault(r["issue_no"], []).append(r[progress.name])
    row["problems_finished"] = sum(all(p == finished for p in ps) for ps in by_issue.values())
    row["share_problems_finished"] = round(row["problems_finished"] / len(by_issue), 4) if by_issue else None
    row.update({f"stated_{k}": stated.get(k) for k in STATED_KEYS})
    claim, basis = stated_completion(stated)
    labelled = row["share_problems_finished"] if basis == "problems" else row["share_finished"]
    row.update(stated_completion=round(claim, 4) if claim is not None else None, stated_basis=basis,
               labelled_completion=labelled if claim is not None else None,
               gap=round(labelled - claim, 4) if claim is not None and labelled is not None else None)
    cov = coverage(bulletin)
    row.update(coverage_problems_parsed=cov["problems_parsed"], coverage_problems_stated=cov["problems_stated"],
               coverage_ratio=cov["ratio"])
    flags = []
    if row["gap"] is not None and abs(row["gap"]) >= DISAGREE_AT:
        flags.append("disagrees")
    if cov["flag"] or (cov["ratio"] is not None and cov["ratio"] < LOW_COVERAGE):
        flags.append("low_coverage")
    if len(rows) < FEW_MEASURES:
        flags.append("few_measures")
    if not dates["published"]:
        flags.append("no_published_date")
    if not (place["province"] or place["city"] or place["county"]):
        flags.append("no_region")
    row["flags"] = ";".join(flags)
    row["figures"] = len(facts["figures"])
    row["deadlines"] = len(facts["deadlines"])
    row["source_path"] = bulletin.source_path
    return row


def bulletin_columns(scheme) -> list[str]:
    """Columns of bulletins.csv, in order (README: 'compare outputs')."""
    topic, progress, _ = roles(scheme)
    return ["bulletin_id", "name", "title", "issuer", "inspector", "province", "city", "county", "region", "level",
            "unit_type", "inspection_start", "inspection_end", "feedback", "published", "signed", "lag_days",
            "problems", "measures", *[f"n_{t}" for t in topic.labels], *[f"n_{p}" for p in progress.labels],
            "share_finished", "problems_finished", "share_problems_finished", *[f"stated_{k}" for k in STATED_KEYS],
            "stated_completion", "stated_basis", "labelled_completion", "gap", "coverage_problems_parsed",
            "coverage_problems_stated", "coverage_ratio", "flags", "figures", "deadlines", "source_path"]


# --- the whole job -----------------------------------------------------------------

_OUTPUT_NAMES = {"bulletins.csv", "groups.csv", "measures.csv", "report.html", "completion_by_group.png",
                 "topic_mix.png"}


def _check_out_dir(out: Path) -> None:
    """An existing --out must be a folder holding nothing but an earlier comparison."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: exists and is not a folder")
    if out.is_dir():
        foreign = sorted(p.name for p in out.iterdir() if p.name not in _OUTPUT_NAMES)
        if foreign:
            raise UsageError(f"--out {out}: holds files that compare did not write ({', '.join(foreign[:3])}…); "
                             "give a new or empty folder")


def compare(inputs: list[str | Path], out_dir: str | Path, model=None, failures=None,
            max_chart_rows: int | None = None, options=None, jobs: int | None = None) -> dict:
    """Parse, label and summarise every bulletin under `inputs`; write tables, charts, report.

    Everything is written to a temporary folder beside `out_dir` and swapped in at the end:
    a failed or interrupted run, or one that reads no bulletin, leaves earlier results as
    they were.
    """
    from . import charts
    from .batch import Failures, iter_parsed
    from .classifiers import load_model
    from .classify import classify_bulletin
    from .outputs import atomic_write_bytes, atomic_write_text, replace_folder, temp_folder, write_rows
    from .report import render_report
    from .summarize import summarize_bulletin, with_display_names

    failures = failures if failures is not None else Failures()
    model = model if model is not None and not isinstance(model, (str, Path)) else load_model(model)
    scheme = with_display_names(model.scheme)
    topic, progress, finished = roles(scheme)
    out = Path(out_dir)
    _check_out_dir(out)
    bulletins, measures, summaries = [], [], []
    for b in iter_parsed(inputs, failures, desc="comparing", options=options, jobs=jobs):
        try:
            rows = classify_bulletin(b, model)
            s = summarize_bulletin(b, rows, levels=("bulletin",), scheme=scheme)
            brow = bulletin_row(b, rows, s["facts"], scheme)
        except Exception as exc:  # one odd bulletin must not stop the comparison
            failures.add(b.source_path, f"internal error: {type(exc).__name__}: {exc}")
            continue
        bulletins.append(brow)
        keep = [*MEASURE_COLUMNS, topic.name, f"{topic.name}_score", progress.name, f"{progress.name}_score"]
        measures += [{k: r.get(k) for k in keep} for r in rows]
        summaries.append({"bulletin_id": b.bulletin_id, "headline": s["bulletin"].get("headline"),
                          "summary": s["bulletin"]["summary"], "deadlines": s["facts"]["deadlines"],
                          "reference_date": s["facts"]["reference_date"],
                          "reference_date_source": s["facts"].get("reference_date_source")})
    seen = Counter(b["name"] for b in bulletins)
    for b in bulletins:  # two bulletins of one unit: tell them apart by id
        if seen[b["name"]] > 1:
            b["name"] = f"{b['name']}（{b['bulletin_id']}）"
    result = {"bulletins": bulletins, "summaries": summaries, "failures": list(failures.items),
              "model": getattr(model, "card", {}).get("name") or model.kind, "scheme": scheme,
              "topic": topic, "progress": progress, "finished": finished}
    if not bulletins:  # nothing read: leave whatever an earlier run wrote
        result.update(groups={}, tests={}, chi_square={"tested": False, "caveats": []}, charts={})
        return result
    groups = {g: group_rows(bulletins, g, progress.labels, finished) for g in GROUPINGS}
    tests = {}
    for g in GROUPINGS:
        by: dict[str, list[tuple[int, int]]] = {}
        for b in bulletins:
            by.setdefault(b.get(g) or UNKNOWN, []).append((b[f"n_{finished}"], b["measures"]))
        tests[g] = completion_test(by, names={**UNIT_TYPES, **LEVELS})
    names = [b["name"] for b in bulletins]
    counts = [{t: b[f"n_{t}"] for t in topic.labels} for b in bulletins]
    result.update(groups=groups, tests=tests, chi_square=topic_mix_test(names, counts, topic.labels))
    result["charts"] = {
        "completion_by_group": charts.completion_by_group(groups, scheme, max_rows=max_chart_rows),
        "topic_mix": charts.topic_mix(names, counts, scheme, max_rows=max_chart_rows)}
    tmp = temp_folder(out)  # named so that a later run removes it if this one is killed
    try:
        write_rows(tmp / "bulletins.csv", bulletins, bulletin_columns(scheme))
        write_rows(tmp / "groups.csv", [r for g in GROUPINGS for r in groups[g]],
                   [*GROUP_COLUMNS[:5], *[f"n_{p}" for p in progress.labels], *GROUP_COLUMNS[5:]])
        write_rows(tmp / "measures.csv", measures, [*MEASURE_COLUMNS[:7], topic.name, f"{topic.name}_score",
                                                    progress.name, f"{progress.name}_score", *MEASURE_COLUMNS[7:]])
        for name, png in result["charts"].items():
            atomic_write_bytes(tmp / f"{name}.png", png)
        atomic_write_text(tmp / "report.html", render_report(result, measures))
        replace_folder(tmp, out)  # one atomic exchange: old results or new, never a mix
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return result
