"""Training a model from labelled files, recording in its card how to train it again.

The card names the training files, their hashes, the options and the harness's
cross-validated figures, so `bulletin train --like MODEL` rebuilds the same model.
"""
from __future__ import annotations

import argparse
from dataclasses import asdict
from pathlib import Path

from .classifiers import REPO_ROOT
from .classifiers.base import Classifier, ModelError, read_card
from .data import GoldError, group_level, load_labelled
from .labels import LabelScheme, SchemeError


class TrainError(ValueError):
    """Training cannot start or failed; the message says why."""


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


def build_model(kind: str, scheme: LabelScheme, options: dict | None = None) -> Classifier:
    from .classifiers.rules import RulesClassifier
    from .classifiers.tfidf import TfidfClassifier, TfidfOptions

    options = dict(options or {})
    if kind == "rules":
        return RulesClassifier(scheme)
    if kind in ("tfidf", "plain"):
        base = asdict(TfidfOptions.plain() if kind == "plain" else TfidfOptions())
        base.update({k: v for k, v in options.items() if k in base})
        return TfidfClassifier(scheme, TfidfOptions(**base))
    if kind == "transformer":
        from .classifiers.transformer import TransformerClassifier, TransformerOptions
        base = asdict(TransformerOptions())
        base.update({k: v for k, v in options.items() if k in base and v is not None})
        return TransformerClassifier(scheme, TransformerOptions(**base))
    raise TrainError(f"unknown model kind '{kind}'")


def train_model(kind: str, gold_paths: list[str], extra_paths: list[str], out: str | Path,
                scheme: LabelScheme | None = None, options: dict | None = None, evaluate: bool = True,
                cv_folds: int = 5) -> Classifier:
    """Train on gold (+ extra) files, score it with the harness's grouped CV, save it to `out`."""
    scheme = scheme or LabelScheme.load()
    try:
        gold = load_labelled([_resolve(p) for p in gold_paths], scheme)
        extra = load_labelled([_resolve(p) for p in extra_paths], scheme) if extra_paths else []
    except GoldError as exc:
        raise TrainError(str(exc)) from None
    model = build_model(kind, scheme, options)
    try:
        model.fit(gold, extra or None)
    except ModelError as exc:
        raise TrainError(str(exc)) from None
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
    from .data import grouped_folds
    from .evaluate import score

    level = group_level(gold)
    k = min(k, len({(r["bulletin_id"], r["issue_no"]) if level == "issue" else r["bulletin_id"] for r in gold}))
    if k < 2:
        return {}
    preds: list = [None] * len(gold)
    for train_idx, test_idx in grouped_folds(gold, k, level):
        m = build_model(kind, scheme, {**(options or {}), "calibrate": False})
        m.fit([gold[i] for i in train_idx], extra or None)
        for i, p in zip(test_idx, m.predict([gold[i] for i in test_idx])):
            preds[i] = p
    tasks = score(gold, preds, scheme, bootstrap=1000)
    return {"protocol": f"grouped {k}-fold cross-validation by {level} over {len(gold)} gold measures",
            "tasks": {t: {"accuracy": s["accuracy"], "macro_f1": s["macro_f1"], "macro_f1_ci": s["macro_f1_ci"],
                          "kappa": s["kappa"],
                          "recall": {lb: c["recall"] for lb, c in s["per_class"].items()}}
                      for t, s in tasks.items()}}


def train_from_args(args: argparse.Namespace) -> Classifier:
    """`bulletin train`: explicit options, or `--like MODEL` to repeat a model's recorded recipe."""
    options: dict = {}
    if args.like:
        try:
            card = read_card(args.like)
        except ModelError as exc:
            raise TrainError(str(exc)) from None
        kind = card.get("train_kind", card.get("kind"))
        scheme = LabelScheme.from_dict(card["scheme"])
        gold_paths = card.get("training_files") or []
        extra_paths = card.get("extra_files") or []
        options = card.get("options", {})
        if not gold_paths:
            raise TrainError(f"{args.like}: its card records no training files")
    else:
        if not args.gold:
            raise TrainError("give --gold FILE(S) (or --like MODEL)")
        kind = args.kind
        try:
            scheme = LabelScheme.load(args.scheme) if args.scheme else LabelScheme.load()
        except SchemeError as exc:
            raise TrainError(str(exc)) from None
        gold_paths, extra_paths = args.gold, args.extra or []
        options = {"seed": args.seed}
        if getattr(args, "words", False):
            options["use_words"] = True
        for key in ("base_model", "epochs", "batch_size", "learning_rate", "max_length"):
            if getattr(args, key, None) is not None:
                options[key] = getattr(args, key)
        if kind == "transformer" and not options.get("base_model"):
            raise TrainError("--kind transformer needs --base-model (a Hugging Face name or a local path)")
    return train_model(kind, gold_paths, extra_paths, args.out, scheme, options, evaluate=not args.no_eval)
