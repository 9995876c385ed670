"""What the bulletin says around a measure, as evidence for its labels.

A measure's own words are not all the evidence. The kind of unit that wrote the bulletin
shifts the domain (a hospital's 药品 work is public service, an SOE group's 三重一大 is SOE
governance); the problem's reported status (整改状态：已完成, a section 已整改完成的问题) and
dates compared with the publication date (before it: past; after it: future) shift the
status. These functions turn the context fields of a measure row (`unit_type`,
`reported_status`, `published`) into features and into LABELS.md's one hard constraint:
a measure reported as finished is not `ongoing` unless it states a continuing part.
"""
from __future__ import annotations

import re

import numpy as np

from .zh import year_months

UNIT_TYPES = ("party_or_government_organ", "department", "township_or_street", "village", "development_zone",
              "soe", "hospital", "school_or_university", "court_or_procuratorate", "mass_organisation", "other")
REPORTED_KINDS = ("finished", "continuing", "future")

_CONTINUING = re.compile(r"长期|坚持|持续|常态|正在|推进中|整改中|部分|未完成|基本完成|序时|阶段性")
_FUTURE = re.compile(r"未到|未启动|尚未|计划|拟")
_FINISHED = re.compile(r"完成|到位|办结|销号|已整改|已落实|整改完毕")

_ISO = re.compile(r"(20\d\d)-(\d\d)")


def reported_kind(reported_status: str | None) -> str | None:
    """'finished', 'continuing' or 'future' for a problem's reported status line, else None.
    '已完成，长期坚持' is continuing: the bulletin itself says the work goes on."""
    if not reported_status:
        return None
    s = str(reported_status)
    if _CONTINUING.search(s):
        return "continuing"
    if _FUTURE.search(s):
        return "future"
    if _FINISHED.search(s):
        return "finished"
    return None


def dated_parts(text: str, published: str | None) -> tuple[int, int]:
    """(dates before, dates after) the publication month among the dates the measure names.
    A bare year counts only when it is not the publication year."""
    if not published or not _ISO.match(published):
        return 0, 0
    py, pm = (int(x) for x in _ISO.match(published).groups())
    before = after = 0
    for y, m in year_months(text):
        if m is not None:
            key, ref = (y, m), (py, pm)
        elif y != py:
            key, ref = (y, 0), (py, 0)
        else:
            continue
        if key < ref:
            before += 1
        elif key > ref:
            after += 1
    return before, after


CONTEXT_FEATURE_NAMES = ([f"unit={u}" for u in UNIT_TYPES] + [f"reported={k}" for k in REPORTED_KINDS]
                         + ["dated_before_publication", "dated_after_publication", "all_dates_before_publication"])


def context_features(rec: dict) -> list[float]:
    """One-hot unit type and reported status, and the measure's dates against publication,
    in CONTEXT_FEATURE_NAMES order (all zero when the row carries no context)."""
    unit = rec.get("unit_type")
    kind = reported_kind(rec.get("reported_status"))
    before, after = dated_parts(str(rec.get("text") or ""), rec.get("published"))
    return ([float(unit == u) for u in UNIT_TYPES] + [float(kind == k) for k in REPORTED_KINDS]
            + [float(before > 0), float(after > 0), float(before > 0 and after == 0)])


def reported_finished(rec: dict) -> bool:
    """The bulletin reports the measure's problem as finished, or every date the measure
    names lies before the publication date."""
    if reported_kind(rec.get("reported_status")) == "finished":
        return True
    before, after = dated_parts(str(rec.get("text") or ""), rec.get("published"))
    return before > 0 and after == 0


def states_continuing_part(text: str, task) -> bool:
    """The measure names a part that is not finished: a standing practice or unfinished work
    (the progress task's continuing cues other than bare improvement verbs such as 加强),
    or a future part."""
    from .lexicon import WEAK_ONGOING, clauses, cue_hits

    continuing = task.cues.get(task.continuing or "", [])
    future = task.cues.get(task.future or "", [])
    for clause in clauses(text):
        if cue_hits(clause, future):
            return True
        if any(h not in WEAK_ONGOING for h in cue_hits(clause, continuing)):
            return True
    return False


def forbids_continuing(rec: dict, task) -> bool:
    """LABELS.md applied to context: a measure under a problem reported as finished, or whose
    every act is dated before publication, is not `ongoing` unless it states a continuing part."""
    if task is None or not task.continuing:
        return False
    from .script import to_simplified
    return reported_finished(rec) and not states_continuing_part(to_simplified(str(rec.get("text") or "")), task)


def constrain_progress(records: list[dict], probs: dict, scheme) -> dict:
    """Probabilities with the progress task's continuing label ruled out where
    `forbids_continuing` holds (the rest renormalised); other tasks as they are."""
    task = scheme.progress
    if task is None or not task.continuing or task.name not in probs or not len(records):
        return probs
    rows = [i for i, r in enumerate(records) if forbids_continuing(r, task)]
    if not rows:
        return probs
    p = np.array(probs[task.name], dtype=float, copy=True)
    p[rows, task.index(task.continuing)] = 0.0
    p[rows] /= np.clip(p[rows].sum(axis=1, keepdims=True), 1e-12, None)
    return {**probs, task.name: p}
