"""Fine-tuning a transformer really runs, offline, on a tiny BERT built from the data."""
import json

import numpy as np
import pytest

from nlp.cli import main
from nlp.classifiers import load_model
from nlp.data import load_labelled
from nlp.labels import LabelScheme

from paths import GOLD

pytestmark = [pytest.mark.slow, pytest.mark.torch]


@pytest.fixture(scope="session")
def tiny_base(tmp_path_factory):
    from nlp.classifiers.tiny_bert import build_tiny_bert

    scheme = LabelScheme.load()
    texts = [r["issue_title"] + r["text"] for r in load_labelled(GOLD, scheme)]
    return build_tiny_bert(texts, tmp_path_factory.mktemp("tiny") / "base")


def test_fine_tune_save_load_predict(tiny_base, tmp_path):
    from nlp.classifiers.transformer import TransformerClassifier, TransformerOptions

    scheme = LabelScheme.load()
    gold = load_labelled(GOLD, scheme)
    opts = TransformerOptions(base_model=str(tiny_base), epochs=2, batch_size=16, max_length=96, seed=0)
    model = TransformerClassifier(scheme, opts).fit(gold[:100])
    before = {t: m.classifier.weight.detach().clone() for t, m in model.models.items()}
    model.save(tmp_path / "m")
    for task in scheme.tasks:
        saved = sorted(p.name for p in (tmp_path / "m" / task).iterdir())
        assert "model.safetensors" in saved and not any(n.endswith(".bin") for n in saved)
        config = json.loads((tmp_path / "m" / task / "config.json").read_text())
        assert list(config["id2label"].values()) == scheme.tasks[task].labels
    again = load_model(tmp_path / "m")
    for t in scheme.tasks:
        assert np.allclose(again.models[t].classifier.weight.detach().numpy(), before[t].numpy())
    p1, p2 = model.predict_proba(gold[100:]), again.predict_proba(gold[100:])
    preds = again.predict(gold[100:])
    for t in scheme.tasks:
        assert p1[t].shape == (41, len(scheme.tasks[t].labels))
        assert np.allclose(p1[t], p2[t], atol=1e-5)
        assert [scheme.tasks[t].labels[i] for i in p2[t].argmax(1)] == [p[t] for p in preds]
    assert again.card["base_model"] == str(tiny_base)
    assert again.card["training_data"]["n"] == 100


def test_training_changes_the_weights(tiny_base):
    """A real optimisation step happens: the classification head moves away from its initialisation."""
    import torch
    from transformers import AutoModelForSequenceClassification

    from nlp.classifiers.transformer import TransformerClassifier, TransformerOptions

    scheme = LabelScheme.load()
    gold = load_labelled(GOLD, scheme)
    torch.manual_seed(0)
    init = AutoModelForSequenceClassification.from_pretrained(str(tiny_base), num_labels=6)
    model = TransformerClassifier(scheme, TransformerOptions(base_model=str(tiny_base), max_steps=8, batch_size=8,
                                                             max_length=64, val_fraction=0)).fit(gold)
    emb0 = init.bert.embeddings.word_embeddings.weight
    emb1 = model.models["domain"].bert.embeddings.word_embeddings.weight
    assert not torch.allclose(emb0, emb1)


def test_cli_train_transformer_then_classify(tiny_base, tmp_path, capsys):
    from paths import SEED

    out = tmp_path / "tm"
    rc = main(["train", "--kind", "transformer", "--gold", str(GOLD), "--base-model", str(tiny_base),
               "--epochs", "1", "--batch-size", "32", "--max-length", "64", "--out", str(out)])
    assert rc == 0
    rc = main(["classify", str(SEED), "--model", str(out), "--out", str(tmp_path / "r.jsonl")])
    assert rc == 0
    rows = (tmp_path / "r.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(rows) == 141


def test_missing_base_model_is_a_clear_error(tmp_path, capsys):
    rc = main(["train", "--kind", "transformer", "--gold", str(GOLD), "--base-model", str(tmp_path / "nope"),
               "--out", str(tmp_path / "x")])
    err = capsys.readouterr().err
    assert rc == 2 and "Traceback" not in err and "nope" in err
