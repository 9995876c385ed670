"""Classifiers behind one interface (fit / predict / predict_proba / save / load).

`load_model` opens any saved model by the kind its card names; the transformer module is
imported only when a transformer model is asked for, so the default path stays torch-free.
"""
from __future__ import annotations

import json
from pathlib import Path

from .base import Classifier, ModelError

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MODEL_DIR = REPO_ROOT / "models" / "default"
KINDS = ("rules", "tfidf", "transformer")


def model_class(kind: str) -> type[Classifier]:
    if kind == "rules":
        from .rules import RulesClassifier
        return RulesClassifier
    if kind == "tfidf":
        from .tfidf import TfidfClassifier
        return TfidfClassifier
    if kind == "transformer":
        from .transformer import TransformerClassifier
        return TransformerClassifier
    raise ModelError(f"unknown model kind '{kind}' (known: {', '.join(KINDS)})")


def load_model(spec: str | Path | None = None, scheme=None) -> Classifier:
    """Open a model: a saved model folder, 'default' (models/default) or 'rules'."""
    if spec in (None, "default"):
        path = DEFAULT_MODEL_DIR
        if not (path / "model.json").exists():
            raise ModelError(f"the default model is missing at {path}: rebuild it with scripts/build_default_model.sh")
    elif spec == "rules":
        from .rules import RulesClassifier
        from ..labels import LabelScheme
        return RulesClassifier(scheme or LabelScheme.load())
    else:
        path = Path(spec)
    card_path = path / "model.json"
    if not card_path.exists():
        raise ModelError(f"{path}: not a saved model (no model.json)")
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        raise ModelError(f"{card_path}: not valid JSON") from None
    return model_class(card.get("kind", "")).load(path)


__all__ = ["Classifier", "ModelError", "load_model", "model_class", "DEFAULT_MODEL_DIR", "KINDS"]
