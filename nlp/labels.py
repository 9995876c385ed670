"""The label scheme: tasks, their labels and cue lexicons, read from a JSON file.

The label set is data, not code, so that a researcher can train and evaluate on a scheme
of their own. The default scheme is the project's (domain × status, see LABELS.md).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_SCHEME_PATH = Path(__file__).parent / "schemes" / "default.json"


from .errors import SchemeError  # noqa: F401


ROLES = ("topic", "progress")
PROGRESS_KINDS = ("finished", "continuing", "future")


@dataclass
class Task:
    """One labelling task. `role` says what the task measures, so that summaries, comparisons
    and status rules never depend on its name: 'topic' (what a measure is about) or 'progress'
    (how far it has got, with `progress_labels` naming its finished/continuing/future labels)."""

    name: str
    labels: list[str]
    descriptions: dict[str, str] = field(default_factory=dict)
    cues: dict[str, list[str]] = field(default_factory=dict)
    role: str | None = None
    progress_labels: dict[str, str] = field(default_factory=dict)
    display: dict = field(default_factory=dict)

    def index(self, label: str) -> int:
        return self.labels.index(label)

    @property
    def finished(self) -> str | None:
        return self.progress_labels.get("finished")

    @property
    def continuing(self) -> str | None:
        return self.progress_labels.get("continuing")

    @property
    def future(self) -> str | None:
        return self.progress_labels.get("future")

    @property
    def display_name(self) -> str:
        return self.display.get("name") or self.name

    def label_name(self, label: str) -> str:
        """The label as readers see it (e.g. 已完成), or the code when the scheme gives none."""
        return (self.display.get("labels") or {}).get(label, label)

    def to_dict(self) -> dict:
        d: dict = {"labels": self.labels, "descriptions": self.descriptions, "cues": self.cues}
        if self.role:
            d["role"] = self.role
        if self.progress_labels:
            d["progress_labels"] = self.progress_labels
        if self.display:
            d["display"] = self.display
        return d


# Schemes written before roles existed (and the cards of models trained on them).
_LEGACY_ROLES = {"domain": ("topic", {}), "status": ("progress", {"finished": "done", "continuing": "ongoing",
                                                                   "future": "planned"})}


@dataclass
class LabelScheme:
    name: str
    tasks: dict[str, Task]
    description: str = ""

    @property
    def task_names(self) -> list[str]:
        return list(self.tasks)

    def with_role(self, role: str) -> Task | None:
        return next((t for t in self.tasks.values() if t.role == role), None)

    @property
    def topic(self) -> Task | None:
        """The task that says what a measure is about (the default scheme's 'domain')."""
        return self.with_role("topic")

    @property
    def progress(self) -> Task | None:
        """The task that says how far a measure has got (the default scheme's 'status')."""
        return self.with_role("progress")

    def require_roles(self, what: str) -> tuple[Task, Task]:
        """(topic task, progress task), or a SchemeError saying `what` needs them."""
        if self.topic is None or self.progress is None or not self.progress.finished:
            raise SchemeError(f"{what} needs a scheme with a 'topic' task and a 'progress' task "
                              "that names its finished label")
        return self.topic, self.progress

    def to_dict(self) -> dict:
        return {"name": self.name, "description": self.description,
                "tasks": {t.name: t.to_dict() for t in self.tasks.values()}}

    def fingerprint(self) -> str:
        blob = json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True).encode("utf-8")
        return hashlib.sha256(blob).hexdigest()[:16]

    @classmethod
    def from_dict(cls, d: dict) -> "LabelScheme":
        if not isinstance(d, dict) or not isinstance(d.get("tasks"), dict) or not d["tasks"]:
            raise SchemeError("a scheme needs a non-empty 'tasks' object")
        tasks = {}
        for name, t in d["tasks"].items():
            labels = t.get("labels") if isinstance(t, dict) else None
            if not isinstance(labels, list) or not labels or not all(isinstance(x, str) and x for x in labels) \
                    or len(set(labels)) != len(labels):
                raise SchemeError(f"task '{name}' needs a list of distinct label names")
            cues = t.get("cues", {})
            if not isinstance(cues, dict) or not all(isinstance(v, list) for v in cues.values()):
                raise SchemeError(f"task '{name}': 'cues' must map labels to lists of words")
            unknown = set(cues) - set(labels)
            if unknown:
                raise SchemeError(f"task '{name}': cues for unknown labels {sorted(unknown)}")
            role, progress = t.get("role"), dict(t.get("progress_labels") or {})
            if role is None and "role" not in t and name in _LEGACY_ROLES:
                legacy_role, legacy_progress = _LEGACY_ROLES[name]
                if set(legacy_progress.values()) <= set(labels):
                    role, progress = legacy_role, progress or dict(legacy_progress)
            if role is not None and role not in ROLES:
                raise SchemeError(f"task '{name}': role must be one of {', '.join(ROLES)}")
            bad = {k: v for k, v in progress.items() if k not in PROGRESS_KINDS or v not in labels}
            if bad:
                raise SchemeError(f"task '{name}': progress_labels must map {', '.join(PROGRESS_KINDS)} "
                                  f"to its labels (bad: {bad})")
            display = t.get("display") or {}
            if not isinstance(display, dict):
                raise SchemeError(f"task '{name}': 'display' must be an object")
            tasks[name] = Task(name, list(labels), dict(t.get("descriptions", {})),
                               {k: list(v) for k, v in cues.items()}, role, progress, display)
        for role in ROLES:
            if sum(t.role == role for t in tasks.values()) > 1:
                raise SchemeError(f"only one task may have the role '{role}'")
        return cls(d.get("name", "custom"), tasks, d.get("description", ""))

    @classmethod
    def load(cls, path: str | Path | None = None) -> "LabelScheme":
        path = Path(path) if path else DEFAULT_SCHEME_PATH
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise SchemeError(f"scheme file not found: {path}") from None
        except IsADirectoryError:
            raise SchemeError(f"{path}: is a folder, not a scheme file") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise SchemeError(f"{path}: not valid JSON ({exc.__class__.__name__})") from None
        return cls.from_dict(data)


def default_scheme() -> LabelScheme:
    return LabelScheme.load()
