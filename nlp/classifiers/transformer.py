"""Fine-tuned transformers (any Hugging Face checkpoint name or local path), one per task.

Each task gets its own sequence classifier fine-tuned from the same base model, with the
problem title and the measure as a sentence pair, class-weighted loss, a fixed seed and
early stopping on a grouped validation split. torch and transformers are imported only
here, so nothing on the default path pays for them.
"""
from __future__ import annotations

import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ..labels import LabelScheme
from .base import Classifier, ModelError, library_versions, model_input, read_card


@dataclass
class TransformerOptions:
    """Fine-tuning options; recorded in the card."""

    base_model: str = "hfl/chinese-roberta-wwm-ext"
    epochs: float = 4.0
    batch_size: int = 16
    learning_rate: float = 3e-5
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    max_length: int = 256
    use_title: bool = True          # the problem title as the first segment
    class_weights: bool = True      # inverse-frequency weights in the loss
    val_fraction: float = 0.15      # grouped validation split for early stopping
    patience: int = 2               # epochs without a better validation loss
    max_steps: int = -1             # >0 caps training steps (tests)
    seed: int = 0


def _require_torch():
    try:
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError as exc:  # pragma: no cover - torch is a dependency, but may be stripped
        raise ModelError(f"transformer models need torch and transformers ({exc})") from None


class TransformerClassifier(Classifier):
    options_class = TransformerOptions
    kind = "transformer"

    def __init__(self, scheme: LabelScheme, options: TransformerOptions | None = None):
        super().__init__(scheme)
        self.opts = options or TransformerOptions()
        self.models: dict = {}
        self.tokenizer = None

    # --- inputs -------------------------------------------------------------------

    def _encode(self, records: list[dict]):
        titles, texts = zip(*[model_input(r) for r in records]) if records else ((), ())
        if self.opts.use_title:
            return self.tokenizer(list(titles), list(texts), truncation="longest_first",
                                  max_length=self.opts.max_length)
        return self.tokenizer(list(texts), truncation=True, max_length=self.opts.max_length)

    # --- training -----------------------------------------------------------------

    def fit(self, records, extra=None):
        _require_torch()
        import torch
        from datasets import Dataset
        from transformers import (AutoModelForSequenceClassification, AutoTokenizer, DataCollatorWithPadding,
                                  EarlyStoppingCallback, Trainer, TrainingArguments, set_seed)

        from ..data import GoldError, grouped_split

        set_seed(self.opts.seed)
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(self.opts.base_model)
        except (OSError, ValueError) as exc:
            raise ModelError(f"cannot load tokenizer of '{self.opts.base_model}': {str(exc).splitlines()[0]}") from None
        train_recs, val_recs = list(records), []
        if self.opts.val_fraction > 0:
            try:
                tr, va = grouped_split(records, self.opts.val_fraction, seed=self.opts.seed)
                train_recs, val_recs = [records[i] for i in tr], [records[i] for i in va]
            except GoldError:
                pass
        train_recs += list(extra or [])

        class WeightedTrainer(Trainer):
            loss_weights = None

            def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
                labels = inputs.pop("labels")
                outputs = model(**inputs)
                w = self.loss_weights.to(outputs.logits.device) if self.loss_weights is not None else None
                loss = torch.nn.functional.cross_entropy(outputs.logits, labels, weight=w)
                return (loss, outputs) if return_outputs else loss

        for name, task in self.scheme.tasks.items():
            def dataset(recs):
                enc = dict(self._encode(recs))
                enc["labels"] = [task.index(r[name]) for r in recs]
                return Dataset.from_dict(enc)

            try:
                model = AutoModelForSequenceClassification.from_pretrained(
                    self.opts.base_model, num_labels=len(task.labels),
                    id2label=dict(enumerate(task.labels)), label2id={lb: i for i, lb in enumerate(task.labels)})
            except (OSError, ValueError) as exc:
                raise ModelError(f"cannot load '{self.opts.base_model}': {str(exc).splitlines()[0]}") from None
            counts = np.bincount([task.index(r[name]) for r in train_recs], minlength=len(task.labels))
            with tempfile.TemporaryDirectory() as tmp:
                args = TrainingArguments(
                    output_dir=tmp, num_train_epochs=self.opts.epochs, max_steps=self.opts.max_steps,
                    per_device_train_batch_size=self.opts.batch_size, per_device_eval_batch_size=self.opts.batch_size,
                    learning_rate=self.opts.learning_rate, weight_decay=self.opts.weight_decay,
                    warmup_steps=self.opts.warmup_ratio, seed=self.opts.seed, report_to="none", logging_strategy="no",
                    eval_strategy="epoch" if val_recs else "no", save_strategy="epoch" if val_recs else "no",
                    save_total_limit=1, load_best_model_at_end=bool(val_recs), metric_for_best_model="eval_loss",
                    greater_is_better=False, disable_tqdm=True, dataloader_pin_memory=False)
                trainer = WeightedTrainer(
                    model=model, args=args, train_dataset=dataset(train_recs),
                    eval_dataset=dataset(val_recs) if val_recs else None, processing_class=self.tokenizer,
                    data_collator=DataCollatorWithPadding(self.tokenizer),
                    callbacks=[EarlyStoppingCallback(self.opts.patience)] if val_recs else [])
                if self.opts.class_weights:
                    w = np.where(counts > 0, counts.sum() / np.maximum(counts, 1) / len(counts), 0.0)
                    trainer.loss_weights = torch.tensor(w, dtype=torch.float32)
                trainer.train()
                self.models[name] = trainer.model.eval()
        self.card = self.base_card(asdict(self.opts), list(records), list(extra or []) or None)
        self.card["base_model"] = self.opts.base_model
        self.card["versions"] = library_versions("torch", "transformers", "datasets", "accelerate")
        return self

    # --- prediction ---------------------------------------------------------------

    def predict_proba(self, records, batch_size: int | None = None):
        """Length-sorted dynamic batches under inference mode: padding is paid once per batch."""
        _require_torch()
        import torch

        batch_size = batch_size or max(self.opts.batch_size, 32)
        out = {t: np.zeros((len(records), len(task.labels))) for t, task in self.scheme.tasks.items()}
        if not records:
            return out
        enc = self._encode(records)
        order = np.argsort([len(ids) for ids in enc["input_ids"]])
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                idx = order[start:start + batch_size]
                batch = self.tokenizer.pad({k: [enc[k][i] for i in idx] for k in enc.keys()}, return_tensors="pt")
                for t, model in self.models.items():
                    out[t][idx] = torch.softmax(model(**batch).logits.float(), dim=-1).numpy()
        return out

    # --- persistence --------------------------------------------------------------

    def save(self, path):
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        for t, model in self.models.items():
            model.save_pretrained(path / t, safe_serialization=True)
        self.tokenizer.save_pretrained(path / "tokenizer")
        self.write_card(path)

    @classmethod
    def load(cls, path):
        _require_torch()
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        path = Path(path)
        card = read_card(path)
        opts = {k: v for k, v in card["options"].items() if k in TransformerOptions.__dataclass_fields__}
        model = cls(LabelScheme.from_dict(card["scheme"]), TransformerOptions(**opts))
        try:
            model.tokenizer = AutoTokenizer.from_pretrained(path / "tokenizer")
            for t in model.scheme.tasks:
                model.models[t] = AutoModelForSequenceClassification.from_pretrained(path / t).eval()
        except OSError as exc:
            raise ModelError(f"{path}: incomplete transformer model ({str(exc).splitlines()[0]})") from None
        model.card = card
        return model
