"""CI floor: the shipped models reach eval/thresholds.toml on the shipped gold data."""
try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

import pytest

from nlp.classifiers import load_model
from nlp.classifiers.base import recipe_options
from nlp.data import load_labelled
from nlp.evaluate import evaluate_model
from nlp.train import cv_metrics

from paths import GOLD, ROOT

FLOORS = tomllib.loads((ROOT / "eval" / "thresholds.toml").read_text(encoding="utf-8"))


def _check(figures: dict, floors: dict) -> None:
    got = {"domain_macro_f1": figures["domain"]["macro_f1"], "status_accuracy": figures["status"]["accuracy"],
           "status_macro_f1": figures["status"]["macro_f1"]}
    for key, floor in floors.items():
        if key != "protocol":
            assert got[key] >= floor, f"{key} {got[key]:.3f} is below the floor {floor}"


@pytest.mark.slow
def test_default_model_cross_validated_reaches_floor():
    """Retrain the default model's recipe inside grouped folds, as its card records it."""
    model = load_model("default")
    card = model.card
    gold = load_labelled([ROOT / p for p in card["training_files"]], model.scheme)
    extra = load_labelled([ROOT / p for p in card["extra_files"]], model.scheme) if card["extra_files"] else []
    metrics = cv_metrics(card["train_kind"], recipe_options(card), gold, extra, model.scheme, 5)
    _check(metrics["tasks"], FLOORS["default"])


def test_rules_baseline_reaches_floor():
    model = load_model("rules")
    report, _ = evaluate_model(model, load_labelled(GOLD, model.scheme), bootstrap=0)
    _check(report["tasks"], FLOORS["rules"])
