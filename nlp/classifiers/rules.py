"""Cue-word baseline: the guidelines' cue lexicons and tie-break rules, nothing learned.

It needs no training data, so it works for any scheme with cues, and it shows how much
a learned model adds on top of the words annotators are told to look for.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..labels import LabelScheme
from ..lexicon import clauses, cue_hits, cue_scores
from .base import Classifier, model_input, read_card, softmax

TITLE_WEIGHT = 1.5  # LABELS.md: the problem the measure fixes decides between two domains
STATUS_LABELS = {"done", "ongoing", "planned"}


def status_rule(scores: dict[str, float]) -> str:
    """LABELS.md's status rules over cue counts: mixed parts make a measure ongoing."""
    future, ongoing, done = scores["planned"], scores["ongoing"], scores["done"]
    if future and not (ongoing or done):
        return "planned"
    if ongoing or (future and done):
        return "ongoing"
    return "done"


def status_scores(text: str, task) -> dict[str, float]:
    """Status cue counts clause by clause: in a clause that speaks of the future (计划…完成),
    the completion words describe the plan, not a result, so only the future cue counts."""
    totals = {label: 0.0 for label in task.labels}
    for clause in clauses(text):
        s = cue_scores(clause, task)
        if s.get("planned"):
            totals["planned"] += s["planned"]
            continue
        for label, v in s.items():
            totals[label] += v
    return totals


# Improvement verbs that head a measure (S2/S6 of the guidelines): they make it ongoing only
# when nothing achieved is reported, so they do not count as an unfinished part by themselves.
WEAK_ONGOING = {"进一步", "着力", "深化", "加强", "强化", "完善", "加快", "部分", "目前", "跟踪", "动态", "优化", "提升"}


def status_parts(text: str, task) -> list[float]:
    """Which kinds of part a measure has, clause by clause, and their mix (LABELS.md: any
    unfinished part makes it ongoing; planned only if every part is in the future).

    [has done part, has unfinished part, has future part, done beside unfinished or future,
     all parts future, only improvement verbs and nothing achieved]
    """
    kinds = set()
    for clause in clauses(text):
        hits = {label: cue_hits(clause, task.cues.get(label, [])) for label in task.labels}
        if hits.get("planned"):
            kinds.add("planned")
        elif any(h not in WEAK_ONGOING for h in hits.get("ongoing", [])):
            kinds.add("ongoing")
        elif hits.get("done"):
            kinds.add("done")
        elif hits.get("ongoing"):
            kinds.add("weak")
    unfinished = bool(kinds & {"ongoing", "planned"})
    return [float("done" in kinds), float("ongoing" in kinds), float("planned" in kinds),
            float("done" in kinds and unfinished), float(kinds == {"planned"}),
            float(kinds <= {"weak"} and "weak" in kinds)]


class RulesClassifier(Classifier):
    kind = "rules"

    def __init__(self, scheme: LabelScheme, fallback: dict[str, str] | None = None):
        super().__init__(scheme)
        self.fallback = fallback or {}
        self.card = self.base_card({"title_weight": TITLE_WEIGHT}, None, None)

    def fit(self, records, extra=None):
        """Learn only the fallback label per task (the most frequent), used when no cue fires."""
        for t in self.scheme.tasks:
            counts: dict[str, int] = {}
            for r in records:
                counts[r[t]] = counts.get(r[t], 0) + 1
            self.fallback[t] = max(counts, key=counts.get)
        self.card = self.base_card({"title_weight": TITLE_WEIGHT, "fallback": self.fallback}, records, None)
        return self

    def _scores(self, task_name: str, title: str, text: str) -> np.ndarray:
        task = self.scheme.tasks[task_name]
        if set(task.labels) == STATUS_LABELS:
            s = status_scores(text, task)
            return np.array([s[label] for label in task.labels], dtype=float)
        s = cue_scores(text, task)
        if task_name != "status":
            for label, v in cue_scores(title, task).items():
                s[label] += TITLE_WEIGHT * v
        return np.array([s[label] for label in task.labels], dtype=float)

    def predict_proba(self, records):
        out = {}
        for name, task in self.scheme.tasks.items():
            rows = []
            for rec in records:
                title, text = model_input(rec)
                scores = self._scores(name, title, text)
                if set(task.labels) == STATUS_LABELS:
                    decided = status_rule(dict(zip(task.labels, scores)))
                elif scores.max() > 0:
                    decided = task.labels[int(scores.argmax())]  # ties: earlier label ('other' is last)
                else:
                    decided = self.fallback.get(name, task.labels[0])
                logits = 0.5 * scores
                logits[task.index(decided)] = logits.max() + 1.0
                rows.append(softmax(logits[None, :])[0])
            out[name] = np.vstack(rows) if rows else np.zeros((0, len(task.labels)))
        return out

    def save(self, path):
        self.card["options"]["fallback"] = self.fallback
        self.write_card(Path(path))

    @classmethod
    def load(cls, path):
        card = read_card(path)
        model = cls(LabelScheme.from_dict(card["scheme"]), card["options"].get("fallback"))
        model.card = card
        return model
