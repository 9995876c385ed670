"""CI floor: the shipped models reach eval/thresholds.toml on the shipped gold data."""
import pytest

from nlp.classifiers import load_model
from nlp.classifiers.base import recipe_options
from nlp.data import load_labelled
from nlp.evaluate import check_floors, evaluate_model, read_floors
from nlp.train import cv_metrics

from paths import GOLD, ROOT

THRESHOLDS = ROOT / "eval" / "thresholds.toml"


def _check(figures: dict, section: str) -> None:
    floors = read_floors(THRESHOLDS, section)
    assert {task for task, _, _ in floors} == {"domain", "status"}  # a floor for each task, none read away
    assert not check_floors({"tasks": figures}, floors)


@pytest.mark.slow
def test_default_model_cross_validated_reaches_floor():
    """Retrain the default model's recipe inside grouped folds, as its card records it."""
    model = load_model("default")
    card = model.card
    gold = load_labelled([ROOT / p for p in card["training_files"]], model.scheme)
    extra = load_labelled([ROOT / p for p in card["extra_files"]], model.scheme) if card["extra_files"] else []
    metrics = cv_metrics(card["train_kind"], recipe_options(card), gold, extra, model.scheme, 5)
    _check(metrics["tasks"], "default")


def test_rules_baseline_reaches_floor():
    model = load_model("rules")
    report, _ = evaluate_model(model, load_labelled(GOLD, model.scheme), bootstrap=0)
    _check(report["tasks"], "rules")
