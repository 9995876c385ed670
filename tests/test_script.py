"""Traditional script: the same bulletin in Traditional characters gets the same labels."""
import json

import pytest

from nlp.classifiers import load_model
from nlp.script import to_simplified, to_traditional

from paths import GOLD


def _traditional(rec: dict) -> dict:
    return {**rec, "text": to_traditional(rec["text"]), "issue_title": to_traditional(rec["issue_title"])}


def test_conversion_leaves_simplified_text_unchanged_and_round_trips():
    text = "关于“消防安全主体责任仍未压实”问题的整改：已完成366家自建房整治，其余正在推进中。"
    assert to_simplified(text) == text
    trad = to_traditional(text)
    assert trad != text and "關於" in trad
    assert to_simplified(trad) == text


@pytest.mark.parametrize("spec", ["default", "rules"])
def test_seed_in_traditional_script_gets_the_same_labels(spec):
    gold = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines()]
    model = load_model(spec)
    simplified = model.predict(gold)
    traditional = model.predict([_traditional(r) for r in gold])
    for task in model.scheme.tasks:
        same = sum(a[task] == b[task] for a, b in zip(simplified, traditional)) / len(gold)
        assert same >= 0.97, f"{spec}: only {same:.1%} of {task} labels survive the change of script"


def test_output_rows_keep_the_original_text(tmp_path):
    from nlp.cli import main
    from nlp.script import to_traditional as t

    from paths import SEED
    src = tmp_path / "trad.txt"
    src.write_text(t(SEED.read_text(encoding="utf-8")), encoding="utf-8")
    out = tmp_path / "rows.jsonl"
    assert main(["classify", str(src), "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    source = src.read_text(encoding="utf-8")
    assert len(rows) == 141
    assert all(r["text"] in source for r in rows)
    assert sum(r["text"] != to_simplified(r["text"]) for r in rows) > 100  # still Traditional
