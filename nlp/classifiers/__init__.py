"""Classifiers behind one interface (fit / predict / predict_proba / save / load), and
the one registry of model kinds.

A kind is a name, the class that implements it and a preset of options (`plain` is the
`tfidf` class with its extra feature blocks switched off). `build(kind, scheme, options)`
gives a fresh untrained model; `load_model` opens a saved one by the kind its card names.
Classes are imported only when their kind is used, so the default path stays torch-free.
Adding a model kind is one `register(...)` call plus its class.
"""
from __future__ import annotations

import importlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from .base import Classifier, ModelError

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MODEL_DIR = REPO_ROOT / "models" / "default"


@dataclass(frozen=True)
class ModelKind:
    """One registry entry: `target` is a Classifier subclass or 'module:Class' (imported lazily)."""

    name: str
    target: object
    preset: dict = field(default_factory=dict)
    help: str = ""

    def cls(self) -> type[Classifier]:
        if isinstance(self.target, str):
            module, _, attr = self.target.partition(":")
            return getattr(importlib.import_module(module), attr)
        return self.target  # type: ignore[return-value]


REGISTRY: dict[str, ModelKind] = {}


def register(name: str, target: object, preset: dict | None = None, help: str = "") -> ModelKind:
    """Add (or replace) a model kind; returns the entry."""
    REGISTRY[name] = ModelKind(name, target, dict(preset or {}), help)
    return REGISTRY[name]


register("rules", "nlp.classifiers.rules:RulesClassifier",
         help="the guidelines' cue words and status rules; nothing learned")
register("tfidf", "nlp.classifiers.tfidf:TfidfClassifier",
         help="character TF-IDF of measure and title + cue, rule and wording features; logistic regression")
register("plain", "nlp.classifiers.tfidf:TfidfClassifier",
         preset={"use_title": False, "use_lexicon": False, "use_rules": False, "use_cues": False,
                 "use_wording": False, "use_context": False, "adapt_priors": 0.0, "calibrate": False},
         help="baseline: character 1-3-gram TF-IDF of the measure text + logistic regression")
register("transformer", "nlp.classifiers.transformer:TransformerClassifier",
         help="fine-tunes any Hugging Face checkpoint (--base-model NAME or local path)")


def kinds() -> list[str]:
    return list(REGISTRY)


def _entry(kind: str) -> ModelKind:
    try:
        return REGISTRY[kind]
    except KeyError:
        raise ModelError(f"unknown model kind '{kind}' (known: {', '.join(REGISTRY)})") from None


def model_class(kind: str) -> type[Classifier]:
    return _entry(kind).cls()


def build(kind: str, scheme, options: dict | None = None) -> Classifier:
    """A fresh, untrained model of a registered kind: its preset, then `options` on top."""
    entry = _entry(kind)
    cls = entry.cls()
    model = cls.from_options(scheme, {**_known(cls, entry.preset), **(options or {})})
    model.registry_kind = kind
    return model


def _known(cls: type[Classifier], preset: dict) -> dict:
    """A preset may name options an older class lacks; keep those it knows."""
    names = cls.option_names()
    return {k: v for k, v in preset.items() if names is None or k in names}


def load_model(spec: str | Path | None = None, scheme=None) -> Classifier:
    """Open a model: a saved model folder, 'default' (models/default) or 'rules'."""
    if spec in (None, "default"):
        path = DEFAULT_MODEL_DIR
        if not (path / "model.json").exists():
            raise ModelError(f"the default model is missing at {path}: rebuild it with scripts/build_default_model.sh")
    elif spec == "rules":
        from ..labels import LabelScheme
        return build("rules", scheme or LabelScheme.load())
    else:
        path = Path(spec)
    card_path = path / "model.json"
    if not path.is_dir() or not card_path.is_file():
        raise ModelError(f"{path}: not a saved model folder (no model.json)")
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ModelError(f"{card_path}: not valid JSON") from None
    if not isinstance(card, dict) or not isinstance(card.get("kind"), str):
        raise ModelError(f"{card_path}: not a model card (needs an object with a 'kind')")
    try:
        return model_class(card["kind"]).load(path)
    except ModelError:
        raise
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise ModelError(f"{path}: damaged model ({type(exc).__name__}: {exc})") from None


__all__ = ["Classifier", "ModelError", "ModelKind", "REGISTRY", "register", "kinds", "build", "load_model",
           "model_class", "DEFAULT_MODEL_DIR"]
