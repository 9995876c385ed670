"""The model interface: every kind fits, predicts consistently, saves without pickle, reloads."""
import json
from pathlib import Path

import numpy as np
import pytest

from nlp.classifiers import ModelError, load_model
from nlp.classifiers.rules import RulesClassifier, status_rule
from nlp.classifiers.tfidf import TfidfClassifier, TfidfOptions
from nlp.labels import LabelScheme, SchemeError


def _check_interface(model, records, scheme):
    probs = model.predict_proba(records)
    preds = model.predict(records)
    assert set(probs) == set(scheme.tasks)
    for task, p in probs.items():
        labels = scheme.tasks[task].labels
        assert p.shape == (len(records), len(labels))
        assert np.allclose(p.sum(axis=1), 1.0)
        assert [labels[i] for i in p.argmax(axis=1)] == [x[task] for x in preds]  # predict agrees with proba


def test_rules_status_rule_follows_labels_md():
    assert status_rule({"done": 0, "ongoing": 0, "planned": 1}) == "planned"
    assert status_rule({"done": 1, "ongoing": 0, "planned": 1}) == "ongoing"  # future beside finished part
    assert status_rule({"done": 2, "ongoing": 1, "planned": 0}) == "ongoing"  # standing practice
    assert status_rule({"done": 1, "ongoing": 0, "planned": 0}) == "done"


def test_rules_reads_cues_and_title(scheme):
    m = RulesClassifier(scheme)
    recs = [{"issue_title": "消防安全隐患突出", "text": "开展消防安全检查，整改隐患42处。"},
            {"issue_title": "医保基金监管不严", "text": "计划于2025年底前完成医保基金专项审计。"},
            {"issue_title": "", "text": "研究拟定挂职干部目标职责清单。"}]
    p = m.predict(recs)
    assert p[0] == {"domain": "safety", "status": "done"}
    assert p[1]["status"] == "planned"
    assert p[2]["domain"] == "party_building"


def test_tfidf_fit_save_load_roundtrip(tmp_path, scheme, gold):
    model = TfidfClassifier(scheme, TfidfOptions(calibrate=False)).fit(gold[:110])
    _check_interface(model, gold[110:], scheme)
    model.save(tmp_path / "m")
    files = sorted(p.name for p in (tmp_path / "m").iterdir())
    assert files == ["model.json", "vocab.json", "weights.npz"]
    np.load(tmp_path / "m" / "weights.npz", allow_pickle=False)  # no pickled objects inside
    again = load_model(tmp_path / "m")
    a, b = model.predict_proba(gold[110:]), again.predict_proba(gold[110:])
    for t in a:
        assert np.allclose(a[t], b[t], atol=1e-5)
    card = json.loads((tmp_path / "m" / "model.json").read_text(encoding="utf-8"))
    assert card["kind"] == "tfidf" and card["training_data"]["n"] == 110
    assert card["scheme"]["tasks"]["domain"]["labels"][0] == "party_building"
    assert {"numpy", "python"} <= set(card["versions"])


def test_tfidf_with_jieba_words_roundtrip(tmp_path, scheme, gold):
    model = TfidfClassifier(scheme, TfidfOptions(use_words=True, calibrate=False)).fit(gold[:100])
    assert "words" in model.blocks_ and any(" " in g for g in model.blocks_["words"].vocab)  # word bigrams
    model.save(tmp_path / "w")
    again = load_model(tmp_path / "w")
    assert again.predict(gold[100:]) == model.predict(gold[100:])


def test_tfidf_learns_a_custom_scheme(tmp_path):
    scheme = LabelScheme.from_dict({"name": "toy", "tasks": {"topic": {"labels": ["fire", "money"]}}})
    recs = [{"bulletin_id": "b", "issue_no": i, "measure_no": 1, "issue_title": "",
             "text": ("消防检查灭火器" if i % 2 else "资金预算收入"), "topic": ("fire" if i % 2 else "money")}
            for i in range(20)]
    model = TfidfClassifier(scheme, TfidfOptions(use_lexicon=False, use_rules=False)).fit(recs)
    assert [p["topic"] for p in model.predict([{"text": "灭火器消防"}, {"text": "预算资金"}])] == ["fire", "money"]


def test_scheme_errors_are_clear(tmp_path):
    bad = tmp_path / "s.json"
    bad.write_text('{"tasks": {"t": {"labels": ["a", "a"]}}}', encoding="utf-8")
    with pytest.raises(SchemeError, match="distinct"):
        LabelScheme.load(bad)
    with pytest.raises(SchemeError, match="not found"):
        LabelScheme.load(tmp_path / "missing.json")


def test_load_model_errors(tmp_path):
    with pytest.raises(ModelError, match="not a saved model"):
        load_model(tmp_path)
    (tmp_path / "model.json").write_text('{"kind": "magic"}', encoding="utf-8")
    with pytest.raises(ModelError, match="unknown model kind"):
        load_model(tmp_path)


def test_shipped_default_model_loads_and_labels(scheme, gold):
    model = load_model("default")
    assert model.kind == "tfidf"
    _check_interface(model, gold[:20], scheme)
    card = model.card
    # the card's cross-validated figures are the ones the README and the CI floors quote
    tasks = card["metrics"]["tasks"]
    assert tasks["domain"]["macro_f1"] >= 0.93 and tasks["status"]["accuracy"] >= 0.90
    assert card["training_files"] == ["data/gold/seed.jsonl"]
    assert "context" in card["fields"] and card["options"]["use_context"] is True


def test_fit_leaves_the_options_alone(scheme, gold):
    from dataclasses import asdict

    opts = TfidfOptions(calibrate=False)
    before = asdict(opts)
    model = TfidfClassifier(scheme, opts).fit(gold[:60])
    assert asdict(opts) == before
    assert model.fields_ == ["text", "title", "lexicon", "rules", "cues", "wording", "context"]
    assert model.card["fields"] == model.fields_


@pytest.mark.parametrize("bad", [{"ngram_max": 10**8}, {"ngram_max": 1e8}, {"ngram_min": 0}, {"C": -1},
                                 {"min_df": "2"}, {"class_weight": "heavy"}, {"cue_weight": float("nan")}])
def test_bad_options_are_a_clear_error(bad):
    with pytest.raises(ModelError, match=f"option {next(iter(bad))}"):
        TfidfOptions(**bad)


@pytest.fixture(scope="module")
def small_model(tmp_path_factory, scheme, gold):
    path = tmp_path_factory.mktemp("small") / "m"
    TfidfClassifier(scheme, TfidfOptions(calibrate=False, use_title=False)).fit(gold[:60]).save(path)
    return path


@pytest.fixture()
def saved(tmp_path, small_model):
    import shutil

    return Path(shutil.copytree(small_model, tmp_path / "m"))


def _edit_json(path, change):
    doc = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(change(doc), ensure_ascii=False), encoding="utf-8")


@pytest.mark.parametrize("damage,message", [
    (lambda p: _edit_json(p / "model.json", lambda c: {**c, "options": {**c["options"], "ngram_max": 1e8}}),
     "option ngram_max"),
    (lambda p: _edit_json(p / "model.json", lambda c: [c]), "expected a JSON object"),
    (lambda p: _edit_json(p / "model.json", lambda c: {k: v for k, v in c.items() if k != "options"}),
     "needs 'scheme' and 'options'"),
    (lambda p: _edit_json(p / "vocab.json", lambda v: {**v, "text": v["text"] + ["多余"]}), "idf_text"),
    (lambda p: _edit_json(p / "vocab.json", lambda v: {"text": v["text"], "title": v["text"]}), "idf_title"),
    (lambda p: _edit_json(p / "vocab.json", lambda v: ["x"]), "damaged vocab.json"),
    (lambda p: (p / "weights.npz").write_bytes(b"PK\x03\x04 broken"), "damaged model files"),
    (lambda p: _edit_json(p / "model.json", lambda c: {**c, "temperature": {"domain": -1}}), "temperature"),
])
def test_a_damaged_model_folder_is_one_clear_error(saved, damage, message):
    damage(saved)
    with pytest.raises(ModelError, match=message) as exc:
        TfidfClassifier.load(saved)
    assert "\n" not in str(exc.value)


def test_ngram_lookup_with_numpy_equals_counting_in_python(gold):
    """The packed-code look-up finds exactly the grams `char_ngrams` counts, text by text."""
    model = load_model("default")
    texts = [r["text"] for r in gold] + ["", " ", "VOCs 治理\n", "𠀀𠀁整改", "全 面 完 成"]
    for block in model.blocks_.values():
        fast = block.transform(texts)
        block._codes = type(block._codes)(block.vocab, block.lo, block.hi)
        block._codes.usable = False  # as for n-grams too long to pack
        slow = block.transform(texts)
        block._codes = None
        for a, b in ((fast.rows, slow.rows), (fast.cols, slow.cols)):
            assert np.array_equal(a, b)
        assert np.allclose(fast.vals, slow.vals, rtol=1e-12, atol=0)
