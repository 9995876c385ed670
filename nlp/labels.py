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


@dataclass
class Task:
    name: str
    labels: list[str]
    descriptions: dict[str, str] = field(default_factory=dict)
    cues: dict[str, list[str]] = field(default_factory=dict)

    def index(self, label: str) -> int:
        return self.labels.index(label)


@dataclass
class LabelScheme:
    name: str
    tasks: dict[str, Task]
    description: str = ""

    @property
    def task_names(self) -> list[str]:
        return list(self.tasks)

    def to_dict(self) -> dict:
        return {"name": self.name, "description": self.description,
                "tasks": {t.name: {"labels": t.labels, "descriptions": t.descriptions, "cues": t.cues}
                          for t in self.tasks.values()}}

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
            if not labels or not all(isinstance(x, str) for x in labels) or len(set(labels)) != len(labels):
                raise SchemeError(f"task '{name}' needs a list of distinct label names")
            cues = t.get("cues", {})
            unknown = set(cues) - set(labels)
            if unknown:
                raise SchemeError(f"task '{name}': cues for unknown labels {sorted(unknown)}")
            tasks[name] = Task(name, list(labels), dict(t.get("descriptions", {})), {k: list(v) for k, v in cues.items()})
        return cls(d.get("name", "custom"), tasks, d.get("description", ""))

    @classmethod
    def load(cls, path: str | Path | None = None) -> "LabelScheme":
        path = Path(path) if path else DEFAULT_SCHEME_PATH
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise SchemeError(f"scheme file not found: {path}") from None
        except json.JSONDecodeError as exc:
            raise SchemeError(f"{path}: not valid JSON (line {exc.lineno})") from None
        return cls.from_dict(data)


def default_scheme() -> LabelScheme:
    return LabelScheme.load()
