"""The one interface every classifier answers to, and the model card it carries.

A classifier labels measures for every task of its scheme. `predict` is always the
argmax of `predict_proba`, so the two can never disagree.
"""
from __future__ import annotations

import json
import platform
from abc import ABC, abstractmethod
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from ..labels import LabelScheme


from ..errors import ModelError  # noqa: F401


def model_input(rec: dict) -> tuple[str, str]:
    """(problem title, measure text): the context every model sees, in Simplified script."""
    from ..script import to_simplified
    return to_simplified(str(rec.get("issue_title") or "")), to_simplified(str(rec.get("text") or ""))


def library_versions(*names: str) -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for n in ("numpy", *names):
        try:
            out[n] = version(n)
        except PackageNotFoundError:
            pass
    return out


class Classifier(ABC):
    """fit / predict / predict_proba / save / load over measure records (dicts)."""

    kind: str = "abstract"
    options_class: type | None = None  # the options dataclass, if the kind takes options

    def __init__(self, scheme: LabelScheme):
        self.scheme = scheme
        self.card: dict = {}
        self.registry_kind: str = self.kind  # the registry name it was built as (e.g. 'plain')

    # --- construction (small-text's factory style) ---------------------------------

    @classmethod
    def option_names(cls) -> set[str] | None:
        """The option names this kind accepts (None: it takes no options)."""
        if cls.options_class is None:
            return None
        return set(cls.options_class.__dataclass_fields__)

    @classmethod
    def from_options(cls, scheme: LabelScheme, options: dict | None = None) -> "Classifier":
        """A fresh model from a dict of options; unknown names or bad values are a ModelError."""
        options = dict(options or {})
        names = cls.option_names()
        if names is None:
            options.pop("seed", None)
            if options:
                raise ModelError(f"model kind '{cls.kind}' takes no options (got: {', '.join(sorted(options))})")
            return cls(scheme)
        unknown = sorted(set(options) - names)
        if unknown:
            raise ModelError(f"model kind '{cls.kind}': unknown option(s) {', '.join(unknown)} "
                             f"(known: {', '.join(sorted(names))})")
        try:
            opts = cls.options_class(**options)  # type: ignore[misc]
        except (TypeError, ValueError) as exc:
            raise ModelError(f"model kind '{cls.kind}': {exc}") from None
        return cls(scheme, opts)  # type: ignore[call-arg]

    def get_options(self) -> dict:
        """The options this model was built with (a copy)."""
        from dataclasses import asdict, is_dataclass
        opts = getattr(self, "opts", None)
        return asdict(opts) if is_dataclass(opts) else {}

    def new(self) -> "Classifier":
        """A fresh untrained model of the same kind and options (one per fold)."""
        model = type(self).from_options(self.scheme, self.get_options() or None)
        model.registry_kind = self.registry_kind
        return model

    @abstractmethod
    def fit(self, records: list[dict], extra: list[dict] | None = None) -> "Classifier":
        """Train on labelled records; `extra` (e.g. synthetic measures) may add training data."""

    @abstractmethod
    def predict_proba(self, records: list[dict]) -> dict[str, np.ndarray]:
        """Per task, an (n, n_labels) array of probabilities in the scheme's label order."""

    def predict(self, records: list[dict]) -> list[dict[str, str]]:
        probs = self.predict_proba(records)
        out: list[dict[str, str]] = [{} for _ in records]
        for task, p in probs.items():
            labels = self.scheme.tasks[task].labels
            for i, k in enumerate(p.argmax(axis=1)):
                out[i][task] = labels[int(k)]
        return out

    @abstractmethod
    def save(self, path: str | Path) -> None:
        """Write the model (no pickle) and its card `model.json` into the folder `path`."""

    @classmethod
    @abstractmethod
    def load(cls, path: str | Path) -> "Classifier":
        """Open a model written by `save`."""

    # --- model card ---------------------------------------------------------------

    def base_card(self, options: dict, train: list[dict] | None, extra: list[dict] | None) -> dict:
        from ..data import records_hash

        def describe(recs: list[dict] | None) -> dict | None:
            if not recs:
                return None
            counts = {t: {} for t in self.scheme.tasks}
            for r in recs:
                for t in self.scheme.tasks:
                    counts[t][r[t]] = counts[t].get(r[t], 0) + 1
            return {"n": len(recs), "bulletins": len({r["bulletin_id"] for r in recs}),
                    "hash": records_hash(recs, ("bulletin_id", "issue_no", "measure_no", "issue_title", "text",
                                                *self.scheme.tasks)),
                    "label_counts": counts}

        return {
            "kind": self.kind,
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "scheme": self.scheme.to_dict(),
            "scheme_fingerprint": self.scheme.fingerprint(),
            "options": options,
            "training_data": describe(train),
            "extra_training_data": describe(extra),
            "metrics": {},
            "versions": library_versions("scikit-learn"),
        }

    def write_card(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        from ..outputs import atomic_write_text
        atomic_write_text(path / "model.json", json.dumps(self.card, ensure_ascii=False, indent=2) + "\n")


def read_card(path: str | Path) -> dict:
    p = Path(path) / "model.json"
    try:
        card = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{path}: not a saved model (no model.json)") from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ModelError(f"{p}: not valid JSON") from None
    if not isinstance(card, dict):
        raise ModelError(f"{p}: damaged model card (expected a JSON object)")
    return card


# Keys older cards kept among the options although training filled them in.
LEARNED_OPTION_KEYS = ("fields",)


def recipe_options(card: dict) -> dict:
    """The options a card records for training the model again (learned state left out)."""
    return {k: v for k, v in (card.get("options") or {}).items() if k not in LEARNED_OPTION_KEYS}


def softmax(z: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = z / max(temperature, 1e-6)
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)
