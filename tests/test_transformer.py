"""Fine-tuning a transformer really runs, offline, on a tiny BERT built from the data."""
import json
import shutil

import numpy as np
import pytest

from nlp.cli import main
from nlp.classifiers import ModelError, load_model
from nlp.data import load_labelled
from nlp.labels import LabelScheme

from paths import GOLD

pytestmark = [pytest.mark.slow, pytest.mark.torch]


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    """A 32-wide BERT gains nothing from threads, and on busy shared cores torch's spinning
    threads made these tests thirty times slower; the setting is restored afterwards."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory):
    from helpers.tiny_bert import build_tiny_bert

    scheme = LabelScheme.load()
    texts = [r["issue_title"] + r["text"] for r in load_labelled(GOLD, scheme)]
    return build_tiny_bert(texts, tmp_path_factory.mktemp("tiny") / "base")


@pytest.fixture(scope="module")
def tuned(tiny_base, tmp_path_factory, scheme, gold):
    """A tiny BERT fine-tuned on CPU and saved: (model, folder)."""
    from nlp.classifiers.transformer import TransformerClassifier, TransformerOptions

    opts = TransformerOptions(base_model=str(tiny_base), epochs=2, batch_size=16, max_length=96, seed=0, device="cpu")
    model = TransformerClassifier(scheme, opts).fit(gold[:100])
    path = tmp_path_factory.mktemp("tuned") / "m"
    model.save(path)
    return model, path


def _check_predictions(model, records, scheme):
    probs = model.predict_proba(records)
    preds = model.predict(records)
    for t, task in scheme.tasks.items():
        p = probs[t]
        assert isinstance(p, np.ndarray) and p.shape == (len(records), len(task.labels))
        assert np.allclose(p.sum(axis=1), 1.0, atol=1e-4)
        assert [task.labels[i] for i in p.argmax(1)] == [x[t] for x in preds]  # predict == argmax(predict_proba)
    return probs


def test_fine_tune_save_load_predict(tuned, tiny_base, scheme, gold):
    model, path = tuned
    assert model.device_.type == "cpu" and model.tokenizer_.is_fast
    assert model.opts.device == "cpu"  # options are not changed by fit
    for task in scheme.tasks:
        saved = sorted(p.name for p in (path / task).iterdir())
        assert "model.safetensors" in saved and not any(n.endswith(".bin") for n in saved)
        config = json.loads((path / task / "config.json").read_text())
        assert list(config["id2label"].values()) == scheme.tasks[task].labels
    again = load_model(path)
    for t in scheme.tasks:
        assert np.allclose(again.models_[t].classifier.weight.detach().cpu().numpy(),
                           model.models_[t].classifier.weight.detach().cpu().numpy())
    p1 = _check_predictions(model, gold[100:], scheme)
    p2 = _check_predictions(again, gold[100:], scheme)
    for t in scheme.tasks:
        assert np.allclose(p1[t], p2[t], atol=1e-5)
    assert again.card["base_model"] == str(tiny_base)
    assert again.card["training_data"]["n"] == 100 and again.card["tokenizer_fast"] is True


def test_batching_does_not_change_predictions(tuned, gold):
    """Length-sorted batches with padding give what one measure at a time gives."""
    model, _ = tuned
    whole = model.predict_proba(gold[:24], batch_size=8)
    for i in (0, 5, 23):
        one = model.predict_proba([gold[i]])
        for t in whole:
            assert np.allclose(one[t][0], whole[t][i], atol=1e-5)


@pytest.mark.skipif("not __import__('torch').cuda.is_available()",
                    reason="no CUDA GPU on this machine: the GPU fine-tuning check runs only where one is present")
def test_fine_tune_on_the_gpu_returns_numpy_on_cpu(tiny_base, tmp_path, scheme, gold):
    import torch

    from nlp.classifiers.transformer import TransformerClassifier, TransformerOptions

    opts = TransformerOptions(base_model=str(tiny_base), epochs=2, batch_size=16, max_length=96, device="cuda")
    model = TransformerClassifier(scheme, opts).fit(gold[:100])
    assert model.device_.type == "cuda"
    assert all(next(m.parameters()).device.type == "cuda" for m in model.models_.values())
    probs = _check_predictions(model, gold[100:], scheme)
    if torch.cuda.is_bf16_supported():
        assert model.card["options"]["precision"] == "auto"  # bf16 autocast on this GPU
    model.save(tmp_path / "g")
    cpu = TransformerClassifier.load(tmp_path / "g", device="cpu")
    assert cpu.device_.type == "cpu"
    p_cpu = _check_predictions(cpu, gold[100:], scheme)
    for t in probs:  # bf16 on the GPU against fp32 on the CPU
        assert np.abs(probs[t] - p_cpu[t]).max() < 0.05


def test_training_changes_the_weights(tiny_base, scheme, gold):
    """A real optimisation step happens: the encoder moves away from its initialisation."""
    import torch
    from transformers import AutoModelForSequenceClassification

    from nlp.classifiers.transformer import TransformerClassifier, TransformerOptions

    torch.manual_seed(0)
    init = AutoModelForSequenceClassification.from_pretrained(str(tiny_base), num_labels=6)
    model = TransformerClassifier(scheme, TransformerOptions(base_model=str(tiny_base), max_steps=8, batch_size=8,
                                                             max_length=64, val_fraction=0, device="cpu",
                                                             gradient_accumulation_steps=2)).fit(gold)
    emb0 = init.bert.embeddings.word_embeddings.weight
    emb1 = model.models_["domain"].bert.embeddings.word_embeddings.weight
    assert not torch.allclose(emb0, emb1)


@pytest.mark.parametrize("bad,message", [
    ({"device": "gpu"}, "option device"), ({"device": "cuda:x"}, "option device"),
    ({"precision": "int8"}, "option precision"), ({"batch_size": 0}, "option batch_size"),
    ({"learning_rate": 0}, "option learning_rate"), ({"warmup_ratio": 1.5}, "option warmup_ratio"),
    ({"gradient_accumulation_steps": 0}, "option gradient_accumulation_steps"),
    ({"early_stopping_patience": 0}, "option early_stopping_patience"), ({"epochs": float("inf")}, "option epochs"),
])
def test_bad_transformer_options_are_a_clear_error(bad, message):
    from nlp.classifiers.transformer import TransformerOptions

    with pytest.raises(ModelError, match=message):
        TransformerOptions(**bad)


@pytest.mark.parametrize("task", ["/abs/path", "../x", "a/b", ".."])
def test_task_names_cannot_point_outside_the_model_folder(tuned, tmp_path, task):
    _, path = tuned
    bad = tmp_path / "bad"
    shutil.copytree(path, bad)
    card = json.loads((bad / "model.json").read_text(encoding="utf-8"))
    tasks = card["scheme"]["tasks"]
    tasks[task] = tasks.pop("domain")
    (bad / "model.json").write_text(json.dumps(card, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ModelError, match="unsafe task name") as exc:
        load_model(bad)
    assert "\n" not in str(exc.value)


def test_missing_task_weights_are_a_clear_error(tuned, tmp_path):
    _, path = tuned
    bad = tmp_path / "bad"
    shutil.copytree(path, bad)
    shutil.rmtree(bad / "status")
    with pytest.raises(ModelError, match="incomplete transformer model"):
        load_model(bad)


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
