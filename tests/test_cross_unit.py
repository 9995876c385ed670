"""Labels that hold on bulletins of other units: the shipped default on the cross-unit dev set
(written and labelled blind to the models), against the rules and plain TF-IDF baselines."""
import json

import pytest

from nlp.classifiers import build, load_model
from nlp.data import load_labelled, load_standoff
from nlp.evaluate import read_floors, score
from nlp.labels import LabelScheme

from paths import GOLD, ROOT, SHARED, SYNTHETIC

FLOORS = {(task, metric): floor for task, metric, floor in read_floors(ROOT / "eval" / "thresholds.toml", "cross_unit")}
DEV = ROOT / "data" / "dev" / "gold.jsonl"
SCHEME = LabelScheme.load()


@pytest.fixture(scope="module")
def dev():
    return load_labelled([DEV], SCHEME)


@pytest.fixture(scope="module")
def figures(dev):
    """Accuracy and macro-F1 per task of the shipped default, rules, and plain (trained on the
    default's own training data)."""
    extra = load_labelled([SYNTHETIC, ROOT / "data" / "synthetic" / "bulletin_measures.jsonl"], SCHEME)
    plain = build("plain", SCHEME).fit(load_labelled([GOLD], SCHEME), extra)
    out = {}
    for name, model in (("default", load_model("default")), ("rules", load_model("rules")), ("plain", plain)):
        s = score(dev, model.predict(dev), SCHEME, 0)
        out[name] = {t: (s[t]["accuracy"], s[t]["macro_f1"]) for t in SCHEME.tasks}
    return out


def test_the_dev_set_is_kept_out_of_training():
    card = load_model("default").card
    files = card["training_files"] + card["extra_files"]
    assert not any("dev" in f for f in files)
    ids = {r["bulletin_id"] for f in files for r in map(json.loads, (ROOT / f).read_text(encoding="utf-8").splitlines())}
    assert not ids & {r["bulletin_id"] for r in map(json.loads, DEV.read_text(encoding="utf-8").splitlines())}


@pytest.mark.slow
def test_default_reaches_the_cross_unit_floors(figures):
    assert figures["default"]["domain"][0] >= FLOORS["domain", "accuracy"], figures
    assert figures["default"]["status"][0] >= FLOORS["status", "accuracy"], figures


@pytest.mark.slow
@pytest.mark.parametrize("baseline", ["rules", "plain"])
def test_default_beats_the_baselines_on_other_units(figures, baseline):
    for task in SCHEME.tasks:
        for i, what in enumerate(("accuracy", "macro-F1")):
            assert figures["default"][task][i] > figures[baseline][task][i], \
                f"{task} {what}: default {figures['default'][task][i]:.3f} vs {baseline} {figures[baseline][task][i]:.3f}"


def test_real_university_bulletin_is_read_stand_off():
    text = SHARED / "bulletins" / "nankai_2022.txt"
    if not text.exists():
        pytest.skip(f"{text} is absent: the real bulletin is evaluation-only and not part of the project")
    recs = load_standoff(ROOT / "data" / "dev" / "nankai_2022.structure.json", text,
                         ROOT / "data" / "dev" / "labels.jsonl", SCHEME)
    assert len(recs) == 54 and all(r["text"] and r["domain"] in SCHEME.tasks["domain"].labels for r in recs)


@pytest.mark.parametrize("rec", [
    {"text": "加强药品耗材采购管理，开展专项检查2次，清退不合规供应商3家。", "reported_status": "整改状态：已完成"},
    {"text": "修订《科普项目管理办法》，评审专家改为公开遴选，共受理申报42件。", "reported_status": "已整改完成"},
    {"text": "2024年3月组织开展全覆盖排查，整改隐患27处；2024年4月完成系统升级。", "published": "2024-06-20"},
])
@pytest.mark.parametrize("spec", ["default", "rules"])
def test_finished_work_is_not_labelled_ongoing_without_a_continuing_part(rec, spec):
    """Invented measures under a problem reported as finished, or dated before publication."""
    rec = {"bulletin_id": "x", "issue_no": 1, "measure_no": 1, "issue_title": "药品耗材采购管理不规范", **rec}
    assert load_model(spec).predict([rec])[0]["status"] != "ongoing"
    standing = {**rec, "text": rec["text"] + "建立长效机制，每季度开展一次抽查。"}
    assert load_model(spec).predict([standing])[0]["status"] == "ongoing"
