"""Fine-tuned transformers (any Hugging Face checkpoint name or local path), one per task.

Each task gets its own sequence classifier fine-tuned from the same base model, with the
problem title and the measure as a sentence pair, class-weighted loss, a fixed seed and
early stopping on a grouped validation split. The training loop is our own (as in
small-text) so the device is exactly the one asked for: the model and every batch go
there, results come back to the CPU as numpy. Batches are length-sorted for prediction,
run under torch.inference_mode, and in bf16 autocast on GPUs that support it.
torch and transformers are imported only here, so nothing on the default path pays.
"""
from __future__ import annotations

import contextlib
import math
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ..labels import LabelScheme, SchemeError
from .base import Classifier, ModelError, library_versions, model_input, read_card
from .options import check_choice, check_int, check_number

DEVICE_PATTERN = re.compile(r"auto|cpu|cuda(:\d+)?")
PRECISIONS = ("auto", "fp32", "bf16", "fp16")
SAFE_TASK_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]{0,63}")  # a task's weights live in a folder of its name


@dataclass
class TransformerOptions:
    """Fine-tuning options, recorded in the model card; checked on creation, never changed by fit.

    base_model: Hugging Face name or local path of the checkpoint to fine-tune.
    epochs: passes over the training data (a fraction is allowed); max_steps > 0 caps the
        optimiser steps instead (tests, quick runs).
    batch_size: measures per optimiser step (times gradient_accumulation_steps).
    learning_rate, weight_decay, warmup_ratio: AdamW with a linear schedule; warmup_ratio
        is the share of steps spent warming up (0..1). Biases and LayerNorm are not decayed.
    max_length: tokens per (title, measure) pair; the longer part is cut first.
    use_title: feed the problem title as the first segment.
    class_weights: inverse-frequency class weights in the loss.
    val_fraction: share of the measures (whole groups) held out for early stopping; 0 turns it off.
    early_stopping_patience: epochs without a better validation loss before stopping; the
        best epoch's weights are kept.
    seed: for the initialisation of the head, the shuffling and the split.
    device: "auto" (CUDA when present, else CPU), "cpu", "cuda" or "cuda:N".
    precision: "auto" (bf16 autocast on a GPU that supports it, fp16 on an older GPU, fp32
        on CPU), or "fp32", "bf16", "fp16" (fp16 only on CUDA).
    """

    base_model: str = "hfl/chinese-roberta-wwm-ext"
    epochs: float = 4.0
    batch_size: int = 16
    learning_rate: float = 3e-5
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    max_length: int = 256
    use_title: bool = True
    class_weights: bool = True
    val_fraction: float = 0.15
    early_stopping_patience: int = 2
    gradient_accumulation_steps: int = 1
    max_steps: int = -1
    seed: int = 0
    device: str = "auto"
    precision: str = "auto"

    def __post_init__(self):
        if not isinstance(self.base_model, str) or not self.base_model.strip():
            raise ModelError("option base_model must name a checkpoint (a Hugging Face name or a local path)")
        check_number("epochs", self.epochs, 0.0, 1000.0, open_lo=True)
        check_int("batch_size", self.batch_size, 1, 65536)
        check_number("learning_rate", self.learning_rate, 0.0, 1.0, open_lo=True)
        check_number("weight_decay", self.weight_decay, 0.0, 10.0)
        check_number("warmup_ratio", self.warmup_ratio, 0.0, 1.0)
        check_int("max_length", self.max_length, 8, 131072)
        check_choice("use_title", self.use_title, (True, False))
        check_choice("class_weights", self.class_weights, (True, False))
        check_number("val_fraction", self.val_fraction, 0.0, 0.9)
        check_int("early_stopping_patience", self.early_stopping_patience, 1, 1000)
        check_int("gradient_accumulation_steps", self.gradient_accumulation_steps, 1, 4096)
        if self.max_steps != -1:
            check_int("max_steps", self.max_steps, 1)
        check_int("seed", self.seed, 0)
        if not isinstance(self.device, str) or not DEVICE_PATTERN.fullmatch(self.device):
            raise ModelError(f"option device must be 'auto', 'cpu', 'cuda' or 'cuda:N', not {self.device!r}")
        check_choice("precision", self.precision, PRECISIONS)

    @classmethod
    def from_card(cls, options: dict, **override) -> "TransformerOptions":
        known = {k: v for k, v in options.items() if k in cls.__dataclass_fields__}
        if "patience" in options and "early_stopping_patience" not in options:  # cards before the rename
            known["early_stopping_patience"] = options["patience"]
        return cls(**{**known, **override})


def _require_torch():
    try:
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError as exc:  # pragma: no cover - torch is a dependency, but may be stripped
        raise ModelError(f"transformer models need torch and transformers ({exc})") from None


def resolve_device(spec: str):
    """The torch device for an option value; a GPU that is not there is a clear error."""
    import torch

    if spec == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if spec.startswith("cuda"):
        if not torch.cuda.is_available():
            raise ModelError(f"device '{spec}' asked for, but CUDA is not available here (use 'cpu' or 'auto')")
        index = int(spec.split(":")[1]) if ":" in spec else 0
        if index >= torch.cuda.device_count():
            raise ModelError(f"device '{spec}' asked for, but only {torch.cuda.device_count()} GPU(s) are present")
        return torch.device("cuda", index)
    return torch.device(spec)


def autocast_dtype(precision: str, device):
    """The autocast dtype for a precision option on a device, or None for plain fp32."""
    import torch

    if precision == "fp32" or (precision == "auto" and device.type != "cuda"):
        return None
    if precision == "fp16" and device.type != "cuda":
        raise ModelError("precision 'fp16' needs a CUDA device (use 'bf16' or 'fp32' on CPU)")
    if precision == "auto":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.bfloat16 if precision == "bf16" else torch.float16


class TransformerClassifier(Classifier):
    options_class = TransformerOptions
    kind = "transformer"

    def __init__(self, scheme: LabelScheme, options: TransformerOptions | None = None):
        """Learned state (set by `fit` or `load`): `models_` (one per task), `tokenizer_`,
        and `device_`, the torch device they run on."""
        super().__init__(scheme)
        self.opts = options or TransformerOptions()
        self.models_: dict = {}
        self.tokenizer_ = None
        self.device_ = None

    # --- inputs -------------------------------------------------------------------

    def _encode(self, records: list[dict]) -> dict[str, list]:
        titles, texts = zip(*[model_input(r) for r in records]) if records else ((), ())
        if self.opts.use_title:
            enc = self.tokenizer_(list(titles), list(texts), truncation="longest_first", max_length=self.opts.max_length)
        else:
            enc = self.tokenizer_(list(texts), truncation=True, max_length=self.opts.max_length)
        return dict(enc)

    def _batches(self, enc: dict[str, list], order, batch_size: int):
        """Padded tensor batches on the model's device, in the given order of rows."""
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            batch = self.tokenizer_.pad({k: [v[i] for i in idx] for k, v in enc.items()}, return_tensors="pt")
            yield idx, {k: t.to(self.device_) for k, t in batch.items()}

    def _autocast(self):
        import torch

        dtype = autocast_dtype(self.opts.precision, self.device_)
        return torch.autocast(self.device_.type, dtype=dtype) if dtype is not None else contextlib.nullcontext()

    def _load_tokenizer(self, name_or_path) -> None:
        from transformers import AutoTokenizer

        self.tokenizer_ = AutoTokenizer.from_pretrained(name_or_path, use_fast=True)

    # --- training -----------------------------------------------------------------

    def fit(self, records, extra=None):
        _require_torch()
        from transformers import set_seed

        from ..data import GoldError, grouped_split

        if not records:
            raise ModelError("no training data")
        self.device_ = resolve_device(self.opts.device)
        autocast_dtype(self.opts.precision, self.device_)  # an impossible precision fails before any work
        set_seed(self.opts.seed)
        try:
            self._load_tokenizer(self.opts.base_model)
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
        train_enc, val_enc = self._encode(train_recs), self._encode(val_recs) if val_recs else None
        self.models_ = {}
        for name, task in self.scheme.tasks.items():
            y = np.array([task.index(r[name]) for r in train_recs])
            y_val = np.array([task.index(r[name]) for r in val_recs])
            self.models_[name] = self._fit_task(task, train_enc, y, val_enc, y_val)
        self.card = self.base_card(asdict(self.opts), list(records), list(extra or []) or None)
        self.card["base_model"] = self.opts.base_model
        self.card["trained_on"] = str(self.device_)
        self.card["tokenizer_fast"] = bool(getattr(self.tokenizer_, "is_fast", False))
        self.card["versions"] = library_versions("torch", "transformers", "tokenizers")
        return self

    def _fit_task(self, task, enc: dict, y: np.ndarray, val_enc: dict | None, y_val: np.ndarray):
        """Fine-tune one task's classifier: AdamW, linear warmup and decay, class-weighted
        loss, gradient accumulation, early stopping on the validation loss (best weights kept)."""
        import torch
        from transformers import AutoModelForSequenceClassification, get_linear_schedule_with_warmup

        o = self.opts
        torch.manual_seed(o.seed)
        try:
            model = AutoModelForSequenceClassification.from_pretrained(
                o.base_model, num_labels=len(task.labels),
                id2label=dict(enumerate(task.labels)), label2id={lb: i for i, lb in enumerate(task.labels)})
        except (OSError, ValueError) as exc:
            raise ModelError(f"cannot load '{o.base_model}': {str(exc).splitlines()[0]}") from None
        model.to(self.device_)
        decay = [p for n, p in model.named_parameters() if not (n.endswith("bias") or "LayerNorm" in n or "norm" in n)]
        rest = [p for n, p in model.named_parameters() if n.endswith("bias") or "LayerNorm" in n or "norm" in n]
        optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": o.weight_decay},
                                       {"params": rest, "weight_decay": 0.0}], lr=o.learning_rate)
        per_epoch = max(1, math.ceil(len(y) / o.batch_size / o.gradient_accumulation_steps))
        total = o.max_steps if o.max_steps > 0 else max(1, math.ceil(o.epochs * per_epoch))
        schedule = get_linear_schedule_with_warmup(optimizer, int(o.warmup_ratio * total), total)
        counts = np.bincount(y, minlength=len(task.labels))
        weight = None
        if o.class_weights:
            w = np.where(counts > 0, counts.sum() / np.maximum(counts, 1) / len(counts), 0.0)
            weight = torch.tensor(w, dtype=torch.float32, device=self.device_)
        labels = torch.tensor(y, dtype=torch.long)
        scaler = torch.amp.GradScaler("cuda") if autocast_dtype(o.precision, self.device_) == torch.float16 else None
        shuffle = np.random.default_rng(o.seed)
        step, micro, best, best_state, waited = 0, 0, math.inf, None, 0
        while step < total:
            model.train()
            for idx, batch in self._batches(enc, shuffle.permutation(len(y)), o.batch_size):
                with self._autocast():
                    logits = model(**batch).logits
                loss = torch.nn.functional.cross_entropy(logits.float(), labels[idx].to(self.device_), weight=weight)
                loss = loss / o.gradient_accumulation_steps
                (scaler.scale(loss) if scaler else loss).backward()
                micro += 1
                if micro % o.gradient_accumulation_steps:
                    continue
                if scaler:
                    scaler.unscale_(optimizer)
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                if scaler:
                    scaler.step(optimizer)
                    scaler.update()
                else:
                    optimizer.step()
                schedule.step()
                optimizer.zero_grad(set_to_none=True)
                step += 1
                if step >= total:
                    break
            if val_enc is not None and len(y_val):
                loss = self._loss(model, val_enc, y_val, weight)
                if loss < best - 1e-9:
                    best, waited = loss, 0
                    best_state = {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}
                else:
                    waited += 1
                    if waited >= o.early_stopping_patience:
                        break
        if best_state is not None:
            model.load_state_dict(best_state)
        return model.eval()

    def _loss(self, model, enc: dict, y: np.ndarray, weight) -> float:
        import torch

        model.eval()
        total = 0.0
        with torch.inference_mode():
            for idx, batch in self._batches(enc, np.argsort([len(i) for i in enc["input_ids"]], kind="stable"),
                                            max(self.opts.batch_size, 32)):
                with self._autocast():
                    logits = model(**batch).logits.float()
                target = torch.as_tensor(y[idx], device=self.device_)
                total += float(torch.nn.functional.cross_entropy(logits, target, weight=weight,
                                                                 reduction="sum").cpu())
        return total / len(y)

    # --- prediction ---------------------------------------------------------------

    def predict_proba(self, records, batch_size: int | None = None):
        """Length-sorted dynamic batches under inference mode: padding is paid once per batch."""
        _require_torch()
        import torch

        if not self.models_:
            raise ModelError("the transformer model is not trained or loaded")
        batch_size = batch_size or max(self.opts.batch_size, 32)
        out = {t: np.zeros((len(records), len(task.labels))) for t, task in self.scheme.tasks.items()}
        if not records:
            return out
        enc = self._encode(records)
        order = np.argsort([len(ids) for ids in enc["input_ids"]], kind="stable")
        with torch.inference_mode():
            for idx, batch in self._batches(enc, order, batch_size):
                for t, model in self.models_.items():
                    with self._autocast():
                        logits = model(**batch).logits
                    out[t][idx] = torch.softmax(logits.float(), dim=-1).cpu().numpy()
        return out

    # --- persistence --------------------------------------------------------------

    def save(self, path):
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        for t, model in self.models_.items():
            model.save_pretrained(_task_dir(path, t), safe_serialization=True)
        self.tokenizer_.save_pretrained(path / "tokenizer")
        self.write_card(path)

    @classmethod
    def load(cls, path, device: str = "auto", precision: str | None = None):
        """Open a saved model on `device` (default: CUDA when present); the card's training
        device does not bind the machine that loads it."""
        _require_torch()
        from transformers import AutoModelForSequenceClassification

        path = Path(path)
        card = read_card(path)
        if not isinstance(card.get("options"), dict) or "scheme" not in card:
            raise ModelError(f"{path}: damaged model card (model.json needs 'scheme' and 'options')")
        override = {"device": device} | ({"precision": precision} if precision else {})
        try:
            model = cls(LabelScheme.from_dict(card["scheme"]), TransformerOptions.from_card(card["options"], **override))
        except (SchemeError, ModelError, TypeError) as exc:
            raise ModelError(f"{path}: damaged model card ({exc})") from None
        dirs = {t: _task_dir(path, t) for t in model.scheme.tasks}
        model.device_ = resolve_device(model.opts.device)
        autocast_dtype(model.opts.precision, model.device_)
        try:
            model._load_tokenizer(path / "tokenizer")
            for t, d in dirs.items():
                if not (d / "config.json").is_file():
                    raise OSError(f"no weights for task '{t}' in {d}")
                model.models_[t] = AutoModelForSequenceClassification.from_pretrained(
                    d, local_files_only=True).to(model.device_).eval()
        except (OSError, ValueError) as exc:
            raise ModelError(f"{path}: incomplete transformer model ({str(exc).splitlines()[0]})") from None
        model.card = card
        return model


def _task_dir(path: Path, task: str) -> Path:
    """The folder of one task's weights, always inside the model folder: a card naming a task
    '/abs/path' or '../x' must not make us read (or write) weights elsewhere."""
    if not isinstance(task, str) or not SAFE_TASK_NAME.fullmatch(task):
        raise ModelError(f"{path}: unsafe task name {task!r} in the model card (letters, digits, '_' and '-' only)")
    return path / task
