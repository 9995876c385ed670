"""Character n-gram TF-IDF with a linear classifier per task, plus cue-lexicon features.

Chinese needs no tokenizer for this: character 1–3-grams catch words and their parts.
The problem title is a second feature block (LABELS.md: the title's area decides close
calls), and the cue counts and the rules' decision carry the guidelines' knowledge to
words the training data never showed. Training uses scikit-learn; prediction is plain
numpy over weights stored as JSON + npz, so loading runs no pickle and no sklearn import.
"""
from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from ..features import FEATURE_NAMES, status_features
from ..labels import LabelScheme
from ..lexicon import clauses, cue_hits, cue_scores
from .base import Classifier, ModelError, model_input, read_card, softmax
from .rules import STATUS_LABELS, RulesClassifier, status_parts, status_scores


@dataclass
class TfidfOptions:
    """Training options; saved in the model card so `bulletin train` can rebuild a model."""

    ngram_min: int = 1
    ngram_max: int = 3
    text_weight: float = 1.0      # weight of the measure-text n-gram block
    min_df: int = 1
    max_features: int = 200_000
    use_words: bool = False       # jieba word 1–2-grams of the measure as another block
    words_weight: float = 0.7
    use_title: bool = True        # problem title as a second n-gram block
    title_weight: float = 0.7
    use_lexicon: bool = True      # cue counts per label (text and title)
    lexicon_weight: float = 0.6
    use_rules: bool = True        # the rules baseline's decision, one-hot
    rules_weight: float = 1.0
    use_cues: bool = True         # one indicator per cue word, so the model learns each cue's weight
    cue_weight: float = 0.5
    use_wording: bool = True      # wording features of nlp.features (status schemes only)
    wording_weight: float = 2.0
    C: float = 1.0                # inverse regularisation of the logistic regression
    class_weight: str | None = None  # "balanced" reweights classes; the harness preferred none
    extra_weight: float = 1.0     # sample weight of extra (synthetic) training measures
    calibrate: bool = True        # temperature scaling on out-of-fold predictions
    seed: int = 0
    fields: list[str] = field(default_factory=list)  # filled in: the feature blocks used

    @classmethod
    def plain(cls) -> "TfidfOptions":
        """The plain baseline: character TF-IDF of the measure text + logistic regression."""
        return cls(use_title=False, use_lexicon=False, use_rules=False, use_cues=False, use_wording=False, C=1.0,
                   class_weight=None,
                   calibrate=False)


def word_ngrams(text: str, lo: int = 1, hi: int = 2) -> Counter:
    """jieba word 1–2-grams (punctuation dropped); imported only when a model uses words."""
    import jieba

    jieba.setLogLevel(60)
    words = [w for w in jieba.lcut(text) if w.strip() and not re.fullmatch(r"[\W_]+", w)]
    c: Counter = Counter()
    for n in range(lo, hi + 1):
        for i in range(len(words) - n + 1):
            c[" ".join(words[i:i + n])] += 1
    return c


def char_ngrams(text: str, lo: int, hi: int) -> Counter:
    text = "".join(text.split())
    c: Counter = Counter()
    for n in range(lo, hi + 1):
        for i in range(len(text) - n + 1):
            c[text[i:i + n]] += 1
    return c


class _Block:
    """One TF-IDF block: vocabulary, idf, sublinear tf, L2 normalisation."""

    def __init__(self, vocab: list[str], idf: np.ndarray, weight: float, lo: int, hi: int, words: bool = False):
        self.vocab, self.idf, self.weight, self.lo, self.hi, self.words = vocab, idf, weight, lo, hi, words
        self.index = {g: i for i, g in enumerate(vocab)}

    def grams(self, text: str) -> Counter:
        return word_ngrams(text) if self.words else char_ngrams(text, self.lo, self.hi)

    @classmethod
    def fit(cls, texts: list[str], opts: TfidfOptions, weight: float, words: bool = False) -> "_Block":
        df: Counter = Counter()
        probe = cls([], np.zeros(0), weight, opts.ngram_min, opts.ngram_max, words)
        for t in texts:
            df.update(probe.grams(t).keys())
        grams = [g for g, d in df.items() if d >= opts.min_df]
        grams.sort(key=lambda g: (-df[g], g))
        grams = grams[: opts.max_features]
        n = len(texts)
        idf = np.array([math.log((1 + n) / (1 + df[g])) + 1.0 for g in grams])
        return cls(grams, idf, weight, opts.ngram_min, opts.ngram_max, words)

    def vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(indices, values) of one text's sparse row."""
        counts = self.grams(text)
        idx = [self.index[g] for g in counts if g in self.index]
        if not idx:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        ix = np.array(idx, dtype=np.int64)
        vals = np.array([1.0 + math.log(counts[self.vocab[i]]) for i in idx]) * self.idf[ix]
        vals *= self.weight / np.linalg.norm(vals)
        return ix, vals


class TfidfClassifier(Classifier):
    kind = "tfidf"
    options_class = TfidfOptions

    def __init__(self, scheme: LabelScheme, options: TfidfOptions | None = None):
        super().__init__(scheme)
        self.opts = options or TfidfOptions()
        self.blocks: dict[str, _Block] = {}
        self.coef: dict[str, np.ndarray] = {}
        self.intercept: dict[str, np.ndarray] = {}
        self.temperature: dict[str, float] = {}
        self._rules = RulesClassifier(scheme)

    # --- features -----------------------------------------------------------------

    def _cue_list(self) -> list[tuple[str, str, str]]:
        """(task, label, cue) for every cue of the scheme, in a fixed order."""
        return [(t.name, label, cue) for t in self.scheme.tasks.values()
                for label in t.labels for cue in t.cues.get(label, [])]

    def _n_dense(self) -> int:
        n = 0
        for task in self.scheme.tasks.values():
            if self.opts.use_lexicon:
                n += 2 * len(task.labels)
            if self.opts.use_rules:
                n += len(task.labels)
        if self.opts.use_cues:
            n += len(self._cue_list())
        if self._wording():
            n += len(FEATURE_NAMES) + 6
        return n

    def _wording(self) -> bool:
        return self.opts.use_wording and any(set(t.labels) == STATUS_LABELS for t in self.scheme.tasks.values())

    def _cue_indicators(self, text: str) -> list[float]:
        """1 for each cue found; status cues are read clause by clause like the rules do."""
        found: set[tuple[str, str]] = set()
        for task in self.scheme.tasks.values():
            for clause in clauses(text) if set(task.labels) == STATUS_LABELS else [text]:
                future = set(task.labels) == STATUS_LABELS and bool(cue_hits(clause, task.cues.get("planned", [])))
                for label in task.labels:
                    if future and label != "planned":
                        continue
                    found.update((task.name, h) for h in cue_hits(clause, task.cues.get(label, [])))
        return [self.opts.cue_weight * ((t, c) in found) for t, _, c in self._cue_list()]

    def _offsets(self) -> dict[str, int]:
        off, out = 0, {}
        for name in ("text", "words", "title"):
            if name in self.blocks:
                out[name] = off
                off += len(self.blocks[name].vocab)
        out["dense"] = off
        return out

    def n_features(self) -> int:
        return self._offsets()["dense"] + self._n_dense()

    def _rows(self, records: list[dict]) -> list[tuple[np.ndarray, np.ndarray]]:
        """Sparse rows (indices, values) over all feature blocks."""
        off = self._offsets()
        rules = self._rules.predict(records) if self.opts.use_rules else None
        status_task = next((t for t in self.scheme.tasks.values() if set(t.labels) == STATUS_LABELS), None)
        rows = []
        for k, rec in enumerate(records):
            title, text = model_input(rec)
            idx, vals = [], []
            for name, src in (("text", text), ("words", text), ("title", title)):
                if name in self.blocks:
                    i, v = self.blocks[name].vector(src)
                    idx.append(i + off[name])
                    vals.append(v)
            dense: list[float] = []
            for tname, task in self.scheme.tasks.items():
                if self.opts.use_lexicon:
                    for src in (text, title):
                        s = status_scores(src, task) if set(task.labels) == STATUS_LABELS else cue_scores(src, task)
                        dense += [self.opts.lexicon_weight * math.log1p(s[label]) for label in task.labels]
                if rules is not None:
                    dense += [self.opts.rules_weight * (rules[k][tname] == label) for label in task.labels]
            if self.opts.use_cues:
                dense += self._cue_indicators(text)
            if self._wording():
                dense += [self.opts.wording_weight * v for v in status_features(text) + status_parts(text, status_task)]
            if dense:
                d = np.array(dense)
                nz = np.nonzero(d)[0]
                idx.append(nz + off["dense"])
                vals.append(d[nz])
            rows.append((np.concatenate(idx) if idx else np.zeros(0, dtype=np.int64),
                         np.concatenate(vals) if vals else np.zeros(0)))
        return rows

    def _matrix(self, records: list[dict]):
        from scipy.sparse import csr_matrix

        rows = self._rows(records)
        indptr = np.cumsum([0] + [len(i) for i, _ in rows])
        indices = np.concatenate([i for i, _ in rows]) if rows else np.zeros(0, dtype=np.int64)
        data = np.concatenate([v for _, v in rows]) if rows else np.zeros(0)
        return csr_matrix((data, indices, indptr), shape=(len(records), self.n_features()))

    # --- training -----------------------------------------------------------------

    def fit(self, records, extra=None):
        from sklearn.linear_model import LogisticRegression

        extra = extra or []
        train = list(records) + list(extra)
        if not train:
            raise ModelError("no training data")
        weights = np.array([1.0] * len(records) + [self.opts.extra_weight] * len(extra))
        titles_texts = [model_input(r) for r in train]
        self.blocks = {"text": _Block.fit([t for _, t in titles_texts], self.opts, self.opts.text_weight)}
        if self.opts.use_words:
            self.blocks["words"] = _Block.fit([t for _, t in titles_texts], self.opts, self.opts.words_weight, words=True)
        if self.opts.use_title:
            self.blocks["title"] = _Block.fit([t for t, _ in titles_texts], self.opts, self.opts.title_weight)
        self.opts.fields = list(self.blocks) + (["lexicon"] if self.opts.use_lexicon else []) + (
            ["rules"] if self.opts.use_rules else [])
        X = self._matrix(train)
        for name, task in self.scheme.tasks.items():
            y = np.array([task.index(r[name]) for r in train])
            if len(set(y)) < 2:
                raise ModelError(f"task '{name}': training data has a single label")
            clf = LogisticRegression(C=self.opts.C, class_weight=self.opts.class_weight, max_iter=3000)
            clf.fit(X, y, sample_weight=weights)
            coef = np.zeros((len(task.labels), X.shape[1]))
            icpt = np.full(len(task.labels), -1e4)  # labels absent from training are never predicted
            if len(clf.classes_) == 2:
                coef[clf.classes_[1]] = clf.coef_[0]
                icpt[clf.classes_[1]] = clf.intercept_[0]
                icpt[clf.classes_[0]] = 0.0
            else:
                coef[clf.classes_] = clf.coef_
                icpt[clf.classes_] = clf.intercept_
            self.coef[name], self.intercept[name] = coef, icpt
            self.temperature[name] = 1.0
        if self.opts.calibrate:
            self._calibrate(records, extra)
        self.card = self.base_card(asdict(self.opts), list(records), list(extra) or None)
        self.card["temperature"] = self.temperature
        return self

    def _calibrate(self, records: list[dict], extra: list[dict]) -> None:
        """Fit one temperature per task on out-of-fold logits of the real (non-extra) data."""
        from ..data import grouped_folds

        groups = {r["bulletin_id"] for r in records} if len({r["bulletin_id"] for r in records}) > 1 else \
            {(r["bulletin_id"], r["issue_no"]) for r in records}
        k = min(5, len(groups))
        if k < 2:
            return
        logits = {t: np.zeros((len(records), len(self.scheme.tasks[t].labels))) for t in self.scheme.tasks}
        for train_idx, test_idx in grouped_folds(records, k, seed=self.opts.seed):
            sub = TfidfClassifier(self.scheme, TfidfOptions(**{**asdict(self.opts), "calibrate": False}))
            try:
                sub.fit([records[i] for i in train_idx], extra)
            except ModelError:
                return
            part = sub.logits([records[i] for i in test_idx])
            for t in logits:
                logits[t][test_idx] = part[t]
        for name, task in self.scheme.tasks.items():
            y = np.array([task.index(r[name]) for r in records])
            best, best_nll = 1.0, float("inf")
            for temp in np.exp(np.linspace(math.log(0.2), math.log(5.0), 41)):
                p = softmax(logits[name], temp)[np.arange(len(y)), y]
                nll = -np.log(np.clip(p, 1e-12, None)).mean()
                if nll < best_nll:
                    best, best_nll = float(temp), nll
            self.temperature[name] = best

    # --- prediction ---------------------------------------------------------------

    def logits(self, records: list[dict]) -> dict[str, np.ndarray]:
        rows = self._rows(records)
        out = {}
        for name in self.scheme.tasks:
            W, b = self.coef[name], self.intercept[name]
            out[name] = np.vstack([W[:, i] @ v + b for i, v in rows]) if rows else np.zeros((0, len(b)))
        return out

    def predict_proba(self, records):
        return {t: softmax(z, self.temperature.get(t, 1.0)) for t, z in self.logits(records).items()}

    # --- persistence --------------------------------------------------------------

    def save(self, path):
        from ..outputs import atomic_write_bytes, atomic_write_text

        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        vocab = {name: b.vocab for name, b in self.blocks.items()}
        atomic_write_text(path / "vocab.json", json.dumps(vocab, ensure_ascii=False) + "\n")
        arrays = {f"idf_{n}": b.idf for n, b in self.blocks.items()}
        for t in self.scheme.tasks:
            arrays[f"coef_{t}"] = self.coef[t].astype(np.float32)
            arrays[f"intercept_{t}"] = self.intercept[t]
        import io
        buf = io.BytesIO()
        np.savez_compressed(buf, **arrays)
        atomic_write_bytes(path / "weights.npz", buf.getvalue())
        self.card["temperature"] = self.temperature
        self.write_card(path)

    @classmethod
    def load(cls, path):
        path = Path(path)
        card = read_card(path)
        opts_d = {k: v for k, v in card["options"].items() if k in TfidfOptions.__dataclass_fields__}
        model = cls(LabelScheme.from_dict(card["scheme"]), TfidfOptions(**opts_d))
        try:
            vocab = json.loads((path / "vocab.json").read_text(encoding="utf-8"))
            arrays = np.load(path / "weights.npz", allow_pickle=False)
        except (FileNotFoundError, ValueError, OSError) as exc:
            raise ModelError(f"{path}: incomplete or damaged model files ({exc})") from None
        weights = {"text": model.opts.text_weight, "words": model.opts.words_weight, "title": model.opts.title_weight}
        model.blocks = {n: _Block(vocab[n], arrays[f"idf_{n}"], weights[n], model.opts.ngram_min, model.opts.ngram_max,
                                  words=(n == "words"))
                        for n in ("text", "words", "title") if n in vocab}
        for t in model.scheme.tasks:
            model.coef[t] = arrays[f"coef_{t}"].astype(np.float64)
            model.intercept[t] = arrays[f"intercept_{t}"]
        model.temperature = {t: float(v) for t, v in card.get("temperature", {}).items()}
        model.card = card
        return model
