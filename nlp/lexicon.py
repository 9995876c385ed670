"""Cue lexicons: counting a scheme's cue words in a measure and its problem title.

Shared by the rules baseline (which decides by the cues) and the TF-IDF model (which uses
the counts as features, so that words unseen in training still point at a label).
`cue_hits` and `cue_scores` define the reading one text at a time; `CueMatcher` gives the
same hits for a whole batch in one pass, which is what the models use.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .labels import Task

# Improvement verbs that head a measure (S2/S6 of the guidelines): they make it ongoing only
# when nothing achieved is reported, so they do not count as an unfinished part by themselves.
WEAK_ONGOING = {"进一步", "着力", "深化", "加强", "强化", "完善", "加快", "部分", "目前", "跟踪", "动态", "优化", "提升"}

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


# --- the same reading, for a whole batch at once ---------------------------------------------

CLAUSE_MARKS = "。；;，,！!？?\n"  # the clause boundaries of `clauses`


@dataclass
class CueHits:
    """Every cue hit in a batch of texts, exactly as `cue_hits` reports them per label.

    One entry per hit: the text (`row`), the reading context (`seg`: the clause for tasks
    read clause by clause, else the text), the (task, label) `group` whose cue list found
    it, and the cue string (`cue`, an index into `CueMatcher.cues`). `n_segs` bounds `seg`.
    """

    n: int
    row: np.ndarray
    seg: np.ndarray
    group: np.ndarray
    cue: np.ndarray
    n_segs: int


class CueMatcher:
    """All cues of a scheme in one Aho–Corasick automaton, read for a batch in one pass.

    `cue_hits` scans a text once per cue list with a regex; this finds every occurrence of
    every cue in the joined batch at once, then applies the same reading to each list
    with numpy: at each start the longest cue, no overlaps, the context vetoes, clause by
    clause for the tasks in `clause_tasks`. Its results equal `cue_hits` (tested).
    """

    def __init__(self, tasks: list[Task], clause_tasks: set[str]):
        import ahocorasick

        self.groups = [(t.name, label) for t in tasks for label in t.labels]
        self.cues = sorted({c for t in tasks for cl in t.cues.values() for c in cl if c})
        sid = {c: i for i, c in enumerate(self.cues)}
        self.cue_len = np.array([len(c) for c in self.cues], dtype=np.int64)
        self.cue_weight = 1.0 + 0.25 * (self.cue_len - 2)  # cue_scores' weight of a hit
        self.clause_group = np.array([t in clause_tasks for t, _ in self.groups], dtype=bool)
        members: list[list[int]] = [[] for _ in self.cues]
        for g, (tname, label) in enumerate(self.groups):
            task = next(t for t in tasks if t.name == tname)
            for c in dict.fromkeys(task.cues.get(label, [])):
                if c:
                    members[sid[c]].append(g)
        self._ptr = np.cumsum([0] + [len(m) for m in members])
        self._member = np.array([g for m in members for g in m], dtype=np.int64)
        self._has_mark = np.array([any(ch in CLAUSE_MARKS for ch in c) for c in self.cues], dtype=bool)
        self._veto = {sid[c]: (_NOT_CUE.get(c), _NOT_AFTER.get(c)) for c in self.cues
                      if c in _NOT_CUE or c in _NOT_AFTER}
        self._marks = np.array([ord(ch) for ch in CLAUSE_MARKS], dtype=np.uint32)
        self._automaton = None
        if self.cues:
            self._automaton = ahocorasick.Automaton()
            for i, c in enumerate(self.cues):
                self._automaton.add_word(c, i)
            self._automaton.make_automaton()

    def scan(self, texts: list[str]) -> CueHits:
        n = len(texts)
        empty = np.zeros(0, dtype=np.int64)
        joined = "".join(texts)
        if self._automaton is None or not joined:
            return CueHits(n, empty, empty, empty, empty, 0)
        bounds = np.zeros(n + 1, dtype=np.int64)
        np.cumsum([len(t) for t in texts], out=bounds[1:])
        found = np.array(list(self._automaton.iter(joined)), dtype=np.int64).reshape(-1, 2)
        end, cue = found[:, 0] + 1, found[:, 1]
        start = end - self.cue_len[cue]
        row = np.searchsorted(bounds, start, side="right") - 1
        keep = end <= bounds[row + 1]  # no hit runs from one text into the next
        start, end, cue, row = start[keep], end[keep], cue[keep], row[keep]

        # one entry per (occurrence, cue list holding that cue)
        occ, group = ragged_take(self._ptr, self._member, cue)
        start, end, cue, row = start[occ], end[occ], cue[occ], row[occ]

        # reading contexts: the text, or the clause between clause marks
        in_clause = self.clause_group[group]
        seg, n_segs = row.copy(), n
        ctx_lo, ctx_hi = bounds[row], bounds[row + 1]
        if in_clause.any():
            cp = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
            marks = np.flatnonzero(np.isin(cp, self._marks))
            before_start = np.searchsorted(marks, start)  # marks before the hit
            clause_id = before_start + row  # grows at every mark and at every new text
            ok = ~in_clause | ((np.searchsorted(marks, end) == before_start) & ~self._has_mark[cue])
            seg = np.where(in_clause, clause_id, seg)
            n_segs = len(marks) + n
            padded = np.r_[-1, marks, len(joined)]  # the clause runs between the marks around the hit
            ctx_lo = np.where(in_clause, np.maximum(ctx_lo, padded[before_start] + 1), ctx_lo)
            ctx_hi = np.where(in_clause, np.minimum(ctx_hi, padded[before_start + 1]), ctx_hi)
            sel = np.flatnonzero(ok)
            start, end, cue, row, group, seg, ctx_lo, ctx_hi = (
                a[sel] for a in (start, end, cue, row, group, seg, ctx_lo, ctx_hi))

        if not len(start):
            return CueHits(n, empty, empty, empty, empty, n_segs)
        # per cue list and context: scan left to right, the longest cue at each start, no overlaps
        order = np.lexsort((-(end - start), start, seg, group))
        start, end, cue, row, group, seg, ctx_lo, ctx_hi = (
            a[order] for a in (start, end, cue, row, group, seg, ctx_lo, ctx_hi))
        run = np.r_[True, (group[1:] != group[:-1]) | (seg[1:] != seg[:-1])]
        longest = run | np.r_[True, start[1:] != start[:-1]]
        start, end, cue, row, group, seg, ctx_lo, ctx_hi, run = (
            a[longest] for a in (start, end, cue, row, group, seg, ctx_lo, ctx_hi, run))
        chosen = _left_to_right(start, end, np.cumsum(run) - 1)
        start, cue, row, group, seg, ctx_lo, ctx_hi = (
            a[chosen] for a in (start, cue, row, group, seg, ctx_lo, ctx_hi))

        # words whose context says they are no cue (拟定, 工作计划): vetoed after the scan, as in cue_hits
        if self._veto:
            check = np.flatnonzero(np.isin(cue, list(self._veto)))
            drop = [i for i, c, s, lo, hi in zip(check.tolist(), cue[check].tolist(), start[check].tolist(),
                                                  ctx_lo[check].tolist(), ctx_hi[check].tolist())
                    if _vetoed(joined, self._veto[c], s, lo, hi)]
            if drop:
                keep = np.ones(len(cue), dtype=bool)
                keep[drop] = False
                cue, row, group, seg = cue[keep], row[keep], group[keep], seg[keep]
        return CueHits(n, row, seg, group, cue, n_segs)


def ragged_take(ptr: np.ndarray, values: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For lists stored flat (list k is values[ptr[k]:ptr[k+1]]): every element of the lists
    of `keys`, with the position in `keys` it came from."""
    counts = ptr[keys + 1] - ptr[keys]
    which = np.repeat(np.arange(len(keys)), counts)
    offset = np.arange(len(which)) - np.repeat(np.cumsum(counts) - counts, counts)
    return which, values[np.repeat(ptr[keys], counts) + offset]


def _vetoed(text: str, rules: tuple, start: int, lo: int, hi: int) -> bool:
    """cue_hits' context vetoes, read inside the context text[lo:hi] without slicing it."""
    rx, before = rules
    if rx is not None and rx.match(text, start, hi):
        return True
    return before is not None and before.search(text, max(lo, start - 4), start) is not None


def _left_to_right(start: np.ndarray, end: np.ndarray, run: np.ndarray) -> np.ndarray:
    """Which candidates a left-to-right scan keeps: in each run (sorted by start, one per
    start), a candidate is kept when it starts at or after the end of the last kept one."""
    n = len(start)
    decided = np.zeros(n, dtype=bool)
    kept = np.zeros(n, dtype=bool)
    alive = np.ones(n, dtype=bool)
    big = int(end.max()) + 1 if n else 1
    while not decided.all():
        idx = np.flatnonzero(alive)
        # the furthest end among the live candidates before each one in its run
        key = run[idx] * big + end[idx]
        reach = np.maximum.accumulate(key)
        prev = np.r_[-1, reach[:-1]] - run[idx] * big  # negative: nothing before it in the run
        clear = start[idx] >= prev
        newly = idx[clear & ~decided[idx]]
        kept[newly] = decided[newly] = True
        # a live candidate overlapping a kept one before it is dropped
        kreach = np.maximum.accumulate(np.where(kept[idx], key, -1))
        kprev = np.r_[-1, kreach[:-1]] - run[idx] * big
        dropped = idx[~kept[idx] & (start[idx] < kprev)]
        decided[dropped] = True
        alive[dropped] = False
    return kept
