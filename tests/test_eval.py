"""The harness: metrics equal scikit-learn's, the JSON schema, clear errors, CV reports."""
import json

import pytest
from sklearn.metrics import accuracy_score, cohen_kappa_score, confusion_matrix, f1_score, precision_recall_fscore_support

from nlp.cli import main
from nlp.metrics import task_report

from paths import GOLD

LABELS = ["a", "b", "c", "d"]
GOLD_Y = ["a", "a", "b", "b", "b", "c", "c", "a", "b", "c", "a", "d"]
PRED_Y = ["a", "b", "b", "b", "c", "c", "a", "a", "b", "b", "a", "a"]


def test_metrics_agree_with_scikit_learn():
    r = task_report(GOLD_Y, PRED_Y, LABELS, bootstrap=200)
    assert r["accuracy"] == pytest.approx(accuracy_score(GOLD_Y, PRED_Y))
    assert r["macro_f1"] == pytest.approx(f1_score(GOLD_Y, PRED_Y, average="macro"))
    assert r["weighted_f1"] == pytest.approx(f1_score(GOLD_Y, PRED_Y, average="weighted"))
    assert r["kappa"] == pytest.approx(cohen_kappa_score(GOLD_Y, PRED_Y))
    p, rec, f, s = precision_recall_fscore_support(GOLD_Y, PRED_Y, labels=LABELS, zero_division=0)
    for i, label in enumerate(LABELS):
        c = r["per_class"][label]
        assert (c["precision"], c["recall"], c["f1"], c["support"]) == pytest.approx((p[i], rec[i], f[i], s[i]))
    assert r["confusion"]["matrix"] == confusion_matrix(GOLD_Y, PRED_Y, labels=LABELS).tolist()
    lo, hi = r["macro_f1_ci"]
    assert lo <= r["macro_f1"] <= hi and 0 <= lo < hi <= 1


def test_macro_f1_ignores_labels_absent_from_gold_and_predictions():
    """Like scikit-learn, a label nobody used does not drag macro-F1 to zero."""
    r = task_report(["a", "b"], ["a", "b"], ["a", "b", "never"], bootstrap=0)
    assert r["macro_f1"] == pytest.approx(f1_score(["a", "b"], ["a", "b"], average="macro")) == 1.0


def test_eval_json_has_exactly_the_documented_schema(tmp_path, capsys):
    out, errors = tmp_path / "out.json", tmp_path / "err.jsonl"
    assert main(["eval", "--gold", str(GOLD), "--json", str(out), "--errors", str(errors), "--bootstrap", "100"]) == 0
    table = capsys.readouterr().out
    assert "## domain" in table and "macro-F1" in table and "confusion" in table
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert set(doc) == {"n", "model", "tasks"} and doc["n"] == 141
    assert set(doc["tasks"]) == {"domain", "status"}
    for task in doc["tasks"].values():
        assert set(task) == {"accuracy", "accuracy_ci", "macro_f1", "macro_f1_ci", "weighted_f1", "kappa", "per_class", "confusion"}
        assert set(next(iter(task["per_class"].values()))) == {"precision", "recall", "f1", "support"}
        assert set(task["confusion"]) == {"labels", "matrix"}
    wrong = [json.loads(line) for line in errors.read_text(encoding="utf-8").splitlines()]
    assert all(w["wrong"] for w in wrong)


@pytest.mark.parametrize("line,message", [
    ('{"bulletin_id": "b", "issue_no": 1, "measure_no": 1, "text": "x", "domain": "finance", "status": "done"}',
     "unknown domain label 'finance'"),
    ('{"bulletin_id": "b", "issue_no": 1, "measure_no": 1, "text": "x", "domain": "economy"}', "missing label 'status'"),
    ('{"bulletin_id": "b", "issue_no": 1, "measure_no": 1, "text": "x", ', "not valid JSON"),
    ('{"bulletin_id": "b", "issue_no": 1, "text": "x", "domain": "economy", "status": "done"}', "missing field 'measure_no'"),
])
def test_bad_gold_files_get_a_one_line_error_naming_the_line(tmp_path, capsys, line, message):
    good = GOLD.read_text(encoding="utf-8").splitlines()[0]
    path = tmp_path / "gold.jsonl"
    path.write_text(good + "\n" + line + "\n", encoding="utf-8")
    rc = main(["eval", "--gold", str(path), "--model", "rules"])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and len(err.splitlines()) == 1 and message in err and "gold.jsonl:2" in err


def test_cross_validation_writes_a_comparison(tmp_path, capsys):
    rc = main(["eval", "--gold", str(GOLD), "--cv", "3", "--models", "rules,plain", "--report-dir", str(tmp_path),
               "--bootstrap", "50"])
    assert rc == 0
    md = (tmp_path / "comparison.md").read_text(encoding="utf-8")
    comp = json.loads((tmp_path / "comparison.json").read_text(encoding="utf-8"))
    assert "| rules |" in md and "| plain |" in md
    assert comp["group_level"] == "issue" and comp["k"] == 3
    assert set(comp["models"]) == {"rules", "plain"}
