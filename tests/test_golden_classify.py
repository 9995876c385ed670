"""The shipped default model and the rules baseline predict exactly what they predicted
before the batch feature builder: same labels, probabilities within 1e-9."""
import json

import numpy as np
import pytest

from helpers.classify_golden import GOLDEN, golden_models


@pytest.fixture(scope="module")
def golden():
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def models():
    return golden_models()


@pytest.mark.parametrize("spec,scipy_from", [("default", 0), ("default", 10**12), ("rules", 0)])
def test_predictions_match_the_golden_file(golden, models, spec, scipy_from, monkeypatch):
    """Both ways of multiplying sparse features (scipy for large batches, numpy for small)."""
    from nlp.classifiers.tfidf import _Entries

    monkeypatch.setattr(_Entries, "SCIPY_FROM", scipy_from)
    model = models[spec]
    records = golden["records"]
    probs = model.predict_proba(records)
    preds = model.predict(records)
    for task, want in golden[spec].items():
        labels = model.scheme.tasks[task].labels
        got = [labels[int(k)] for k in probs[task].argmax(axis=1)]
        assert got == want["labels"]
        assert [p[task] for p in preds] == want["labels"]
        assert np.abs(probs[task] - np.array(want["probs"])).max() < 1e-9


@pytest.mark.parametrize("spec", ["default", "rules"])
def test_batches_of_any_size_give_the_same_answer(golden, models, spec):
    """Features built for a whole batch at once do not depend on what else is in the batch,
    and a bulletin's prior adapts to its own measures only: a bulletin classified alone gets
    what it gets among others, and so does a measure that is a bulletin of its own."""
    model = models[spec]
    records = golden["records"][-40:]
    assert len({r["bulletin_id"] for r in records}) > 1
    whole = model.predict_proba(records)
    for bulletin in {r["bulletin_id"] for r in records}:
        idx = [i for i, r in enumerate(records) if r["bulletin_id"] == bulletin]
        alone = model.predict_proba([records[i] for i in idx])
        for task in whole:
            assert np.abs(alone[task] - whole[task][idx]).max() < 1e-12
    singles = [{**r, "bulletin_id": f"single-{i}"} for i, r in enumerate(records)]
    whole = model.predict_proba(singles)
    for i in (0, 7, 39):
        one = model.predict_proba([singles[i]])
        for task in whole:
            assert np.abs(one[task][0] - whole[task][i]).max() < 1e-12
