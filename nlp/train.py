"""Training a model from labelled files, recording in its card how to train it again.

The card names the training files, their hashes, the options and the harness's
cross-validated figures, so `bulletin train --like MODEL` rebuilds the same model.
"""
from __future__ import annotations

from pathlib import Path

from .classifiers import REPO_ROOT, build
from .classifiers.base import Classifier, read_card, recipe_options
from .data import group_level, group_of, grouped_folds, load_labelled
from .errors import TrainError
from .labels import LabelScheme


def _portable(path: str) -> str:
    """Paths inside the repository are recorded relative to it, so cards travel."""
    p = Path(path).resolve()
    try:
        return str(p.relative_to(REPO_ROOT))
    except ValueError:
        return str(p)


def _resolve(path: str) -> str:
    p = Path(path)
    return str(p if p.is_absolute() or p.exists() else REPO_ROOT / p)


def train_model(kind: str, gold_paths: list[str], extra_paths: list[str], out: str | Path,
                scheme: LabelScheme | None = None, options: dict | None = None, evaluate: bool = True,
                cv_folds: int = 5) -> Classifier:
    """Train a registered kind on gold (+ extra) files, score it with the harness's grouped CV,
    save it to `out`. Raises TrainError, GoldError or ModelError with a one-line reason."""
    scheme = scheme or LabelScheme.load()
    gold = load_labelled([_resolve(p) for p in gold_paths], scheme)
    extra = load_labelled([_resolve(p) for p in extra_paths], scheme) if extra_paths else []
    model = build(kind, scheme, options)
    model.fit(gold, extra or None)
    model.card["training_files"] = [_portable(p) for p in gold_paths]
    model.card["extra_files"] = [_portable(p) for p in extra_paths]
    model.card["train_kind"] = kind
    if evaluate and kind != "transformer":
        model.card["metrics"] = cv_metrics(kind, options, gold, extra, scheme, cv_folds)
    model.save(out)
    return model


def cv_metrics(kind: str, options: dict | None, gold: list[dict], extra: list[dict], scheme: LabelScheme,
               k: int) -> dict:
    """The harness's grouped cross-validation of this exact configuration, for the card."""
    from .evaluate import cross_validate, cv_options

    level = group_level(gold)
    k = min(k, len({group_of(r, level) for r in gold}))
    if k < 2:
        return {}
    opts = cv_options(kind, options)
    res = cross_validate(lambda: build(kind, scheme, opts), gold, grouped_folds(gold, k, level), scheme,
                         extra or None, bootstrap=1000)
    return {"protocol": f"grouped {k}-fold cross-validation by {level} over {len(gold)} gold measures",
            "tasks": {t: {"accuracy": s["accuracy"], "macro_f1": s["macro_f1"], "macro_f1_ci": s["macro_f1_ci"],
                          "kappa": s["kappa"],
                          "recall": {lb: c["recall"] for lb, c in s["per_class"].items()}}
                      for t, s in res["tasks"].items()}}


def retrain_like(model_dir: str | Path, out: str | Path, evaluate: bool = True) -> Classifier:
    """Train again with the kind, scheme, options and data a saved model's card records."""
    card = read_card(model_dir)
    gold_paths = card.get("training_files") or []
    if not gold_paths:
        raise TrainError(f"{model_dir}: its card records no training files")
    kind = card.get("train_kind", card.get("kind"))
    options = recipe_options(card)
    return train_model(kind, gold_paths, card.get("extra_files") or [], out, LabelScheme.from_dict(card["scheme"]),
                       options, evaluate=evaluate)
