"""Cue-word baseline: the guidelines' cue lexicons and tie-break rules, nothing learned.

It needs no training data, so it works for any scheme with cues, and it shows how much
a learned model adds on top of the words annotators are told to look for.

`status_rule`, `status_scores` and `status_parts` state the rules for one measure; the
models read a whole batch at once with `CueReading` and `decide`, which compute the same
(the tests hold them equal on random texts).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..labels import LabelScheme
from ..lexicon import WEAK_ONGOING, CueMatcher, clauses, cue_hits, cue_scores
from .base import Classifier, model_input, read_card, softmax

TITLE_WEIGHT = 1.5  # LABELS.md: the problem the measure fixes decides between two domains
DEFAULT_PROGRESS = ("done", "ongoing", "planned")  # finished, continuing, future in the default scheme


def progress_labels(task) -> tuple[str, str, str]:
    """(finished, continuing, future) labels of a progress task (the scheme's roles)."""
    return (task.finished, task.continuing, task.future) if task is not None else DEFAULT_PROGRESS


def status_rule(scores: dict[str, float], task=None) -> str:
    """LABELS.md's status rules over cue counts: mixed parts make a measure ongoing."""
    done_l, ongoing_l, planned_l = progress_labels(task)
    future, ongoing, done = scores[planned_l], scores[ongoing_l], scores[done_l]
    if future and not (ongoing or done):
        return planned_l
    if ongoing or (future and done):
        return ongoing_l
    return done_l


def status_scores(text: str, task) -> dict[str, float]:
    """Status cue counts clause by clause: in a clause that speaks of the future (计划…完成),
    the completion words describe the plan, not a result, so only the future cue counts."""
    planned_l = task.future
    totals = {label: 0.0 for label in task.labels}
    for clause in clauses(text):
        s = cue_scores(clause, task)
        if s.get(planned_l):
            totals[planned_l] += s[planned_l]
            continue
        for label, v in s.items():
            totals[label] += v
    return totals




def status_parts(text: str, task) -> list[float]:
    """Which kinds of part a measure has, clause by clause, and their mix (LABELS.md: any
    unfinished part makes it ongoing; planned only if every part is in the future).

    [has done part, has unfinished part, has future part, done beside unfinished or future,
     all parts future, only improvement verbs and nothing achieved]
    """
    done_l, ongoing_l, planned_l = progress_labels(task)
    kinds = set()
    for clause in clauses(text):
        hits = {label: cue_hits(clause, task.cues.get(label, [])) for label in task.labels}
        if hits.get(planned_l):
            kinds.add("planned")
        elif any(h not in WEAK_ONGOING for h in hits.get(ongoing_l, [])):
            kinds.add("ongoing")
        elif hits.get(done_l):
            kinds.add("done")
        elif hits.get(ongoing_l):
            kinds.add("weak")
    unfinished = bool(kinds & {"ongoing", "planned"})
    return [float("done" in kinds), float("ongoing" in kinds), float("planned" in kinds),
            float("done" in kinds and unfinished), float(kinds == {"planned"}),
            float(kinds <= {"weak"} and "weak" in kinds)]


def is_status_task(task) -> bool:
    """The scheme's progress task, with its finished, continuing and future labels named."""
    return task.role == "progress" and bool(task.finished and task.continuing and task.future)


def cue_matcher(scheme: LabelScheme) -> CueMatcher:
    """One matcher for every cue of the scheme; status tasks are read clause by clause."""
    tasks = list(scheme.tasks.values())
    return CueMatcher(tasks, {t.name for t in tasks if is_status_task(t)})


class CueReading:
    """What the cue lexicons say about one batch of texts, for every task.

    The batch versions of `cue_scores`, `status_scores`, `status_parts` and the cue sets
    behind them, from one scan of all cues (equal to the per-text functions, tested).
    """

    def __init__(self, matcher: CueMatcher, scheme: LabelScheme, texts: list[str]):
        self.matcher, self.scheme, self.n = matcher, scheme, len(texts)
        hits = matcher.scan(texts)
        self.hits = hits
        # each cue once per (context, cue list): cue_scores counts distinct cues
        n_groups, n_cues = len(matcher.groups), max(len(matcher.cues), 1)
        key = (hits.seg * n_groups + hits.group) * n_cues + hits.cue
        _, first = np.unique(key, return_index=True)
        self._distinct = np.zeros(len(key), dtype=bool)
        self._distinct[first] = True
        self._offset = {}
        for g, (t, _) in enumerate(matcher.groups):
            self._offset.setdefault(t, g)

    def _task_hits(self, task):
        """(hit indices, label index of each) of the cue lists of one task."""
        lo = self._offset[task.name]
        label = self.hits.group - lo
        idx = np.flatnonzero((label >= 0) & (label < len(task.labels)))
        return idx, label[idx]

    def _future_segs(self, task) -> np.ndarray:
        """Per context: does a future (planned) cue speak in it."""
        idx, label = self._task_hits(task)
        future = np.zeros(self.hits.n_segs, dtype=bool)
        future[self.hits.seg[idx[label == task.index(task.future)]]] = True
        return future

    def scores(self, task) -> np.ndarray:
        """(n, labels): `status_scores` for status tasks, else `cue_scores`, of every text."""
        idx, label = self._task_hits(task)
        keep = self._distinct[idx]
        if is_status_task(task):  # in a clause that speaks of the future only the future cue counts
            planned = task.index(task.future)
            keep &= (label == planned) | ~self._future_segs(task)[self.hits.seg[idx]]
        idx, label = idx[keep], label[keep]
        L = len(task.labels)
        flat = np.bincount(self.hits.row[idx] * L + label, weights=self.matcher.cue_weight[self.hits.cue[idx]],
                           minlength=self.n * L)
        return flat.reshape(self.n, L)

    def found(self, task) -> tuple[np.ndarray, np.ndarray]:
        """(row, cue) pairs, each once: the cues `_cue_indicators` counts as found for a task."""
        idx, label = self._task_hits(task)
        if is_status_task(task):
            idx = idx[(label == task.index(task.future)) | ~self._future_segs(task)[self.hits.seg[idx]]]
        pairs = np.unique(self.hits.row[idx] * len(self.matcher.cues) + self.hits.cue[idx])
        return pairs // len(self.matcher.cues), pairs % len(self.matcher.cues)

    def parts(self, task) -> np.ndarray:
        """(n, 6): `status_parts` of every text."""
        idx, label = self._task_hits(task)
        seg = self.hits.seg[idx]
        weak_ids = [i for i, c in enumerate(self.matcher.cues) if c in WEAK_ONGOING]
        strong = ~np.isin(self.hits.cue[idx], weak_ids)
        S = self.hits.n_segs

        def any_in_seg(mask):
            out = np.zeros(S, dtype=bool)
            out[seg[mask]] = True
            return out

        p = any_in_seg(label == task.index(task.future))
        o_strong = any_in_seg((label == task.index(task.continuing)) & strong)
        d = any_in_seg(label == task.index(task.finished))
        o = any_in_seg(label == task.index(task.continuing))
        kinds = {"planned": p, "ongoing": ~p & o_strong, "done": ~p & ~o_strong & d,
                 "weak": ~p & ~o_strong & ~d & o}
        seg_row = np.full(S, -1)
        seg_row[seg] = self.hits.row[idx]
        per_row = {}
        for k, m in kinds.items():
            per_row[k] = np.zeros(self.n, dtype=bool)
            per_row[k][seg_row[m]] = True
        done, ongoing, planned, weak = (per_row[k] for k in ("done", "ongoing", "planned", "weak"))
        unfinished = ongoing | planned
        return np.column_stack([done, ongoing, planned, done & unfinished, planned & ~done & ~ongoing & ~weak,
                                weak & ~done & ~unfinished]).astype(float)


def measure_inputs(records: list[dict]) -> tuple[list[str], list[str], np.ndarray]:
    """(measure texts, distinct problem titles, each record's title index): titles repeat
    across a problem's measures, so they are read once."""
    pairs = [model_input(r) for r in records]
    titles: dict[str, int] = {}
    inverse = np.array([titles.setdefault(t, len(titles)) for t, _ in pairs], dtype=np.int64)
    return [x for _, x in pairs], list(titles), inverse


class MeasureCues:
    """The cue reading of a batch of measures: texts and distinct titles in one scan."""

    def __init__(self, matcher: CueMatcher, scheme: LabelScheme, texts: list[str], titles: list[str],
                 inverse: np.ndarray):
        self.n, self.inverse = len(texts), inverse
        self.reading = CueReading(matcher, scheme, texts + titles)
        self._scores: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def scores(self, task) -> tuple[np.ndarray, np.ndarray]:
        """(text scores, title scores) per measure, as `CueReading.scores` defines them."""
        if task.name not in self._scores:
            s = self.reading.scores(task)
            self._scores[task.name] = (s[:self.n], s[self.n:][self.inverse])
        return self._scores[task.name]

    def rule_scores(self, task) -> np.ndarray:
        """The rules' cue scores of one task: the measure's, plus the title's for domain-like tasks."""
        text, title = self.scores(task)
        if task.role != "progress":
            return text + TITLE_WEIGHT * title
        return text

    def found(self, task) -> tuple[np.ndarray, np.ndarray]:
        rows, cues = self.reading.found(task)
        return rows[rows < self.n], cues[rows < self.n]

    def parts(self, task) -> np.ndarray:
        return self.reading.parts(task)[:self.n]


def decide(task, scores: np.ndarray, fallback: str | None = None) -> np.ndarray:
    """Label index per row: `status_rule` for status tasks, else the top cue score (ties:
    the earlier label) or, when no cue fires, the fallback label."""
    if is_status_task(task):
        future, ongoing, done = (scores[:, task.index(k)] > 0 for k in (task.future, task.continuing, task.finished))
        out = np.full(len(scores), task.index(task.finished))
        out[ongoing | (future & done)] = task.index(task.continuing)
        out[future & ~(ongoing | done)] = task.index(task.future)
        return out
    fb = task.index(fallback) if fallback is not None else 0
    return np.where(scores.max(axis=1, initial=0.0) > 0, scores.argmax(axis=1), fb)


class RulesClassifier(Classifier):
    kind = "rules"

    def __init__(self, scheme: LabelScheme, fallback: dict[str, str] | None = None):
        super().__init__(scheme)
        self.fallback = fallback or {}
        self.card = self.base_card({"title_weight": TITLE_WEIGHT}, None, None)
        self._matcher: CueMatcher | None = None

    @property
    def matcher(self) -> CueMatcher:
        if self._matcher is None:
            self._matcher = cue_matcher(self.scheme)
        return self._matcher

    def fit(self, records, extra=None):
        """Learn only the fallback label per task (the most frequent), used when no cue fires."""
        for t in self.scheme.tasks:
            counts: dict[str, int] = {}
            for r in records:
                counts[r[t]] = counts.get(r[t], 0) + 1
            self.fallback[t] = max(counts, key=counts.get)
        self.card = self.base_card({"title_weight": TITLE_WEIGHT, "fallback": self.fallback}, records, None)
        return self

    def read(self, records: list[dict]) -> "MeasureCues":
        return MeasureCues(self.matcher, self.scheme, *measure_inputs(records))

    def decisions(self, cues: "MeasureCues") -> dict[str, np.ndarray]:
        """Per task, the label index the rules decide for each measure."""
        return {name: decide(task, cues.rule_scores(task), self.fallback.get(name))
                for name, task in self.scheme.tasks.items()}

    def predict_proba(self, records):
        from ..context import constrain_progress

        cues = self.read(records)
        out = {}
        for name, task in self.scheme.tasks.items():
            scores = cues.rule_scores(task)
            decided = decide(task, scores, self.fallback.get(name))
            logits = 0.5 * scores
            logits[np.arange(len(records)), decided] = logits.max(axis=1, initial=-np.inf) + 1.0
            out[name] = softmax(logits) if len(records) else np.zeros((0, len(task.labels)))
        return constrain_progress(records, out, self.scheme)

    def save(self, path):
        self.card["options"]["fallback"] = self.fallback
        self.write_card(Path(path))

    @classmethod
    def load(cls, path):
        card = read_card(path)
        model = cls(LabelScheme.from_dict(card["scheme"]), card["options"].get("fallback"))
        model.card = card
        return model
