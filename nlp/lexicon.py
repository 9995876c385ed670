"""Cue lexicons: counting a scheme's cue words in a measure and its problem title.

Shared by the rules baseline (which decides by the cues) and the TF-IDF model (which uses
the counts as features, so that words unseen in training still point at a label).
"""
from __future__ import annotations

import re
from functools import lru_cache

from .labels import Task

# Cues that are also parts of words with another sense (LABELS.md: 拟 in 拟定/拟提拔).
_NOT_CUE = {
    "拟": re.compile(r"拟(定|提拔|任|稿|制)"),
    "将": re.compile(r"将(其|\d|[一二两三四五六七八九十]+[名个家项])|将.{0,20}(纳入|列入|划转|转为|提级|移交|作为|与|和)"),
    "已": re.compile(r"(已经|已有)"),
    "计划": re.compile(r"计划[》」）)、等]"),
}
# A cue preceded by these is a noun or part of another word (模拟审批, 工作计划, 千人计划).
_NOT_AFTER = {
    "拟": re.compile(r"模$"),
    "计划": re.compile(r"(工作|培训|年度|行动|培育|千人|建设|实施|项目|学习|发展|五年|三年|招聘|检查|采购|投资|巡查|走访|的)$"),
}


@lru_cache(maxsize=64)
def _pattern(cues: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(re.escape(c) for c in sorted(cues, key=len, reverse=True)))


def cue_hits(text: str, cues: list[str]) -> list[str]:
    """The cues found in text, longest match first, without overlaps."""
    if not cues or not text:
        return []
    hits = []
    for m in _pattern(tuple(cues)).finditer(text):
        cue = m.group(0)
        rx = _NOT_CUE.get(cue)
        if rx and rx.match(text, m.start()):
            continue
        before = _NOT_AFTER.get(cue)
        if before and before.search(text[max(0, m.start() - 4):m.start()]):
            continue
        hits.append(m.group(0))
    return hits


def clauses(text: str) -> list[str]:
    """The non-empty clauses of a measure: status is read clause by clause."""
    return [c for c in re.split(r"[。；;，,！!？?\n]", text) if c.strip()]


def cue_scores(text: str, task: Task) -> dict[str, float]:
    """Per label: the number of distinct cues found, longer cues counting a little more."""
    out = {}
    for label in task.labels:
        hits = set(cue_hits(text, task.cues.get(label, [])))
        out[label] = sum(1.0 + 0.25 * (len(h) - 2) for h in hits)
    return out
