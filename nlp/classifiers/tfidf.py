"""Character n-gram TF-IDF with a linear classifier per task, plus cue-lexicon features.

Chinese needs no tokenizer for this: character 1–3-grams catch words and their parts.
The problem title is a second feature block (LABELS.md: the title's area decides close
calls), and the cue counts and the rules' decision carry the guidelines' knowledge to
words the training data never showed. Training uses scikit-learn; prediction is numpy
(and scipy for large batches) over weights stored as JSON + npz, so loading runs no
pickle and no sklearn.

Every feature block is built for a whole batch at once: n-grams are looked up as integer
codes with numpy, all cues are found in one pass (`CueMatcher`), and one sparse product
gives the logits of every task.
"""
from __future__ import annotations

import json
import math
import re
import zipfile
import zlib
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ..features import FEATURE_NAMES, status_features_batch
from ..labels import LabelScheme, SchemeError
from ..lexicon import ragged_take
from .base import Classifier, ModelError, model_input, read_card, softmax
from .options import check_choice, check_int, check_number
from ..context import CONTEXT_FEATURE_NAMES, constrain_progress, context_features
from ..priors import adapt_by_group
from .rules import MeasureCues, RulesClassifier, is_status_task, measure_inputs

MAX_NGRAM = 6
BLOCKS = ("text", "words", "title")  # sparse blocks, in column order; the dense block follows


@dataclass
class TfidfOptions:
    """Training options; saved in the model card so `bulletin train` can rebuild a model.

    Checked on creation (a card with `ngram_max: 1e8` is an error, not a hang); `fit`
    never changes them: what it learns goes to the model's attributes ending in `_`.
    """

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
    use_context: bool = True      # the bulletin's context (unit type, reported status, dates): nlp.context
    context_weight: float = 1.0
    constrain_status: bool = True  # no `ongoing` under a finished problem without a continuing part
    adapt_priors: float = 0.5     # strength (0..1) of per-bulletin EM prior adaptation; 0: off (selection.md)
    adapt_min_n: int = 8          # bulletins with fewer measures keep the training prior
    C: float = 1.0                # inverse regularisation of the logistic regression
    class_weight: str | None = None  # "balanced" reweights classes; the harness preferred none
    extra_weight: float = 1.0     # sample weight of extra (synthetic) training measures
    calibrate: bool = True        # temperature scaling on out-of-fold predictions
    seed: int = 0

    def __post_init__(self):
        check_int("ngram_min", self.ngram_min, 1, MAX_NGRAM)
        check_int("ngram_max", self.ngram_max, self.ngram_min, MAX_NGRAM)
        check_int("min_df", self.min_df, 1)
        check_int("max_features", self.max_features, 1)
        check_int("seed", self.seed, 0)
        for name in ("text_weight", "words_weight", "title_weight", "lexicon_weight", "rules_weight", "cue_weight",
                     "wording_weight", "context_weight", "extra_weight"):
            check_number(name, getattr(self, name), 0.0, 1e6)
        check_number("C", self.C, 0.0, 1e12, open_lo=True)
        check_choice("class_weight", self.class_weight, (None, "balanced"))
        check_number("adapt_priors", self.adapt_priors, 0.0, 1.0)
        check_int("adapt_min_n", self.adapt_min_n, 1)
        for name in ("use_words", "use_title", "use_lexicon", "use_rules", "use_cues", "use_wording", "use_context",
                     "constrain_status", "calibrate"):
            check_choice(name, getattr(self, name), (True, False))


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
    """Character n-grams of a text, white space removed (the vocabulary's definition)."""
    text = "".join(text.split())
    c: Counter = Counter()
    for n in range(lo, hi + 1):
        for i in range(len(text) - n + 1):
            c[text[i:i + n]] += 1
    return c


class _CharCodes:
    """A vocabulary of character n-grams as integers, so a batch is looked up with numpy.

    Each character of the vocabulary gets a number 1..A (0: a character it never uses, so
    no n-gram through it can match); an n-gram is its numbers packed in `bits`-bit digits.
    `usable` is false when the n-grams would not fit in 62 bits (the caller then counts in
    Python).
    """

    def __init__(self, vocab: list[str], lo: int, hi: int):
        index = {g: i for i, g in enumerate(vocab)}  # a repeated gram: the last one counts, as before
        alphabet = sorted({c for g in index for c in g})
        self.lo, self.hi = lo, hi
        self.bits = max(1, len(alphabet).bit_length())
        self.usable = hi * self.bits <= 62
        if not self.usable:
            return
        self.lut = np.zeros(0x110000, dtype=np.int32)
        self.lut[[ord(c) for c in alphabet]] = np.arange(1, len(alphabet) + 1)
        self.codes: dict[int, _CodeTable] = {}  # n -> the n-grams' codes and columns
        for n in range(lo, hi + 1):
            grams = [g for g in index if len(g) == n]
            if n == 1:  # characters: a direct table by character number
                self.unigram = np.full(len(alphabet) + 1, -1, dtype=np.int64)
                self.unigram[self._ids("".join(grams))] = [index[g] for g in grams]
            elif grams:
                self.codes[n] = _CodeTable(self._pack(self._ids("".join(grams)).reshape(-1, n)),
                                           np.array([index[g] for g in grams], dtype=np.int64))

    def _ids(self, s: str) -> np.ndarray:
        return self.lut[np.frombuffer(s.encode("utf-32-le"), dtype=np.uint32)].astype(np.int64)

    def _pack(self, ids: np.ndarray) -> np.ndarray:
        code = ids[:, 0].copy()
        for j in range(1, ids.shape[1]):
            code = (code << self.bits) | ids[:, j]
        return code

    def lookup(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(row, column) of every vocabulary n-gram occurrence in the texts, in the order
        `char_ngrams` meets them (by length, then position)."""
        cleaned = ["".join(t.split()) for t in texts]
        lens = np.fromiter(map(len, cleaned), dtype=np.int64, count=len(cleaned))
        ids = self._ids("".join(cleaned))
        total = len(ids)
        row = np.repeat(np.arange(len(cleaned)), lens)
        row_end = np.repeat(np.cumsum(lens), lens)
        unknown = np.r_[0, np.cumsum(ids == 0)]
        rows, cols = [], []
        for n in range(self.lo, self.hi + 1):
            m = total - n + 1
            if m <= 0:
                break
            if n == 1:
                col = self.unigram[ids]
                where = np.flatnonzero(col >= 0)
                rows.append(row[where])
                cols.append(col[where])
                continue
            if n not in self.codes:
                continue
            where = np.flatnonzero((np.arange(n, m + n) <= row_end[:m]) & (unknown[n:m + n] == unknown[:m]))
            code = ids[where]
            for j in range(1, n):
                code = (code << self.bits) | ids[where + j]
            col = self.codes[n].get(code)
            hit = np.flatnonzero(col >= 0)
            rows.append(row[where[hit]])
            cols.append(col[hit])
        if not rows:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(rows), np.concatenate(cols)


class _CodeTable:
    """A hash table from positive integer codes to columns, looked up for a whole array at
    once (open addressing, at most half full, so a look-up takes one or two probes)."""

    _MIX = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing

    def __init__(self, codes: np.ndarray, columns: np.ndarray):
        self.bits = max(4, int(2 * len(codes) - 1).bit_length())
        self.mask = (1 << self.bits) - 1
        self.keys = np.zeros(1 << self.bits, dtype=np.int64)  # 0: an empty slot
        self.values = np.full(1 << self.bits, -1, dtype=np.int64)
        slot = self._slot(codes)
        pending = np.arange(len(codes))
        while len(pending):  # each round, the first code aiming at each free slot takes it
            free = pending[self.keys[slot[pending]] == 0]
            taken, first = np.unique(slot[free], return_index=True)
            self.keys[taken], self.values[taken] = codes[free[first]], columns[free[first]]
            placed = np.zeros(len(codes), dtype=bool)
            placed[free[first]] = True
            pending = pending[~placed[pending]]
            slot[pending] = (slot[pending] + 1) & self.mask

    def _slot(self, codes: np.ndarray) -> np.ndarray:
        return ((codes.astype(np.uint64) * self._MIX) >> np.uint64(64 - self.bits)).astype(np.int64)

    def get(self, codes: np.ndarray) -> np.ndarray:
        """The column of each code, -1 where it is not in the table."""
        out = np.full(len(codes), -1, dtype=np.int64)
        slot, todo = self._slot(codes), np.arange(len(codes))
        while len(todo):
            key = self.keys[slot]
            hit = key == codes[todo]
            out[todo[hit]] = self.values[slot[hit]]
            go = ~hit & (key != 0)
            todo, slot = todo[go], (slot[go] + 1) & self.mask
        return out


class _Block:
    """One TF-IDF block: vocabulary, idf, sublinear tf, L2 normalisation."""

    def __init__(self, vocab: list[str], idf: np.ndarray, weight: float, lo: int, hi: int, words: bool = False):
        self.vocab, self.idf, self.weight, self.lo, self.hi, self.words = vocab, idf, weight, lo, hi, words
        self._codes: _CharCodes | None = None
        self._index: dict[str, int] | None = None

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

    def _occurrences(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(row, column) of every vocabulary gram occurrence, in the order `grams` meets
        them: numpy codes for characters, a Python loop for jieba words or n-grams too
        long to pack."""
        if not self.words:
            if self._codes is None:
                self._codes = _CharCodes(self.vocab, self.lo, self.hi)
            if self._codes.usable:
                return self._codes.lookup(texts)
        if self._index is None:
            self._index = {g: i for i, g in enumerate(self.vocab)}
        rows, cols = [], []
        for r, t in enumerate(texts):
            for g, c in self.grams(t).items():
                i = self._index.get(g)
                if i is not None:
                    rows += [r] * c
                    cols += [i] * c
        return np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)

    def transform(self, texts: list[str], exact: bool = False) -> "_Entries":
        """The texts × vocabulary matrix: (1 + log tf) · idf, each row scaled to norm `weight`.

        With `exact`, each row keeps its grams in the order `grams` meets them and its norm
        is taken as np.linalg.norm does, so training sees bit for bit the matrix the
        per-text code built (the solver's sums, hence the model, depend on that order).
        """
        n, V = len(texts), len(self.vocab)
        rows, cols = self._occurrences(texts)
        if exact:
            by_row = np.argsort(rows, kind="stable")  # within a row, still in the order met
            rows, cols = rows[by_row], cols[by_row]
            _, first, counts = np.unique(rows * V + cols, return_index=True, return_counts=True)
            keep = np.argsort(first, kind="stable")
            first, counts = first[keep], counts[keep]
            row_of, col_of = rows[first], cols[first]
            vals = _log_tf(counts) * self.idf[col_of]
            ends = np.cumsum(np.bincount(row_of, minlength=n))
            norms = np.array([math.sqrt(np.dot(v, v)) if len(v) else 1.0 for v in np.split(vals, ends[:-1])])
        else:
            if len(rows) >= _Entries.SCIPY_FROM:  # scipy sorts each row apart: far faster than one big sort
                from scipy.sparse import csr_matrix

                X = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, V))
                X.sum_duplicates()
                row_of, col_of, counts = np.repeat(np.arange(n), np.diff(X.indptr)), X.indices, X.data
            else:
                key, counts = np.unique(rows * V + cols, return_counts=True)
                row_of, col_of = key // V, key % V
            vals = _log_tf(counts) * self.idf[col_of]
            norms = np.sqrt(np.bincount(row_of, weights=vals * vals, minlength=n))
        vals *= self.weight / norms[row_of]
        return _Entries((n, V), row_of, col_of, vals)


class _Entries:
    """A sparse matrix as (row, column, value) entries, row by row.

    Prediction needs only its product with the weights: numpy does it for small batches
    (so classifying one bulletin never imports scipy, a quarter second of a cold start),
    scipy's CSR product for large ones.
    """

    SCIPY_FROM = 100_000  # entries

    def __init__(self, shape: tuple[int, int], rows: np.ndarray, cols: np.ndarray, vals: np.ndarray):
        self.shape, self.rows, self.cols, self.vals = shape, rows, cols, vals

    def dot(self, W: np.ndarray) -> np.ndarray:
        """self @ W for W of shape (columns × k)."""
        if len(self.rows) >= self.SCIPY_FROM:
            return self.csr() @ W
        Wt = W.T
        return np.column_stack([np.bincount(self.rows, weights=self.vals * Wt[k][self.cols], minlength=self.shape[0])
                                for k in range(W.shape[1])]) if W.shape[1] else np.zeros((self.shape[0], 0))

    def csr(self):
        """The same matrix in CSR form; entries keep their order within each row."""
        from scipy.sparse import csr_matrix

        rows, cols, vals = self.rows, self.cols, self.vals
        if np.any(rows[1:] < rows[:-1]):
            order = np.argsort(rows, kind="stable")
            rows, cols, vals = rows[order], cols[order], vals[order]
        indptr = np.r_[0, np.cumsum(np.bincount(rows, minlength=self.shape[0]))]
        return csr_matrix((vals, cols, indptr), shape=self.shape)

    def toarray(self) -> np.ndarray:
        out = np.zeros(self.shape)
        out[self.rows, self.cols] = self.vals
        return out


def _log_tf(counts: np.ndarray) -> np.ndarray:
    """1 + log(count), with math.log's values (np.log may differ in the last bit)."""
    counts = counts.astype(np.int64)
    table = np.array([0.0] + [1.0 + math.log(c) for c in range(1, int(counts.max(initial=0)) + 1)])
    return table[counts]


def _log1p(x: np.ndarray) -> np.ndarray:
    """math.log1p of every value (cue scores take few distinct values)."""
    values, inverse = np.unique(x, return_inverse=True)
    return np.array([math.log1p(v) for v in values])[inverse].reshape(x.shape)


# Options a card written before they existed lacks: such a model was trained without them.
CARDS_BEFORE_CONTEXT = {"use_context": False, "constrain_status": False, "adapt_priors": 0.0}


class TfidfClassifier(Classifier):
    """Learned state (set by `fit` or `load`): `blocks_`, `coef_`, `intercept_`,
    `temperature_` per task, and `fields_`, the feature blocks used."""

    CHUNK = 4096  # measures per feature batch: bounds memory on large inputs
    kind = "tfidf"
    options_class = TfidfOptions

    def __init__(self, scheme: LabelScheme, options: TfidfOptions | None = None):
        super().__init__(scheme)
        self.opts = options or TfidfOptions()
        self.blocks_: dict[str, _Block] = {}
        self.coef_: dict[str, np.ndarray] = {}
        self.intercept_: dict[str, np.ndarray] = {}
        self.temperature_: dict[str, float] = {}
        self.fields_: list[str] = []
        self.train_prior_: dict[str, list[float]] = {}
        self._rules = RulesClassifier(scheme)
        self._status_task = next((t for t in scheme.tasks.values() if is_status_task(t)), None)
        self._weights = None  # the coefficients split by feature block, for prediction
        self._cue_columns = None  # where each found cue goes in the cue-indicator block

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
        if self.opts.use_context:
            n += len(CONTEXT_FEATURE_NAMES)
        return n

    def _wording(self) -> bool:
        return self.opts.use_wording and self._status_task is not None

    def _offsets(self) -> dict[str, int]:
        off, out = 0, {}
        for name in BLOCKS:
            if name in self.blocks_:
                out[name] = off
                off += len(self.blocks_[name].vocab)
        out["dense"] = off
        return out

    def n_features(self) -> int:
        return self._offsets()["dense"] + self._n_dense()

    def _features(self, records: list[dict], exact: bool = False) -> tuple[dict, list, np.ndarray]:
        """The feature blocks of a batch: sparse n-gram blocks (the title block over the
        distinct titles), the pieces of the dense block in column order (arrays, and the
        cue indicators as a sparse matrix), and each record's title index."""
        texts, titles, inverse = measure_inputs(records)
        sparse = {}
        for name in BLOCKS:
            if name in self.blocks_:
                sparse[name] = self.blocks_[name].transform(titles if name == "title" else texts, exact)
        n, o = len(records), self.opts
        dense: list = []
        if o.use_lexicon or o.use_rules or o.use_cues or self._wording():  # (context is appended below)
            cues = MeasureCues(self._rules.matcher, self.scheme, texts, titles, inverse)
            rules = self._rules.decisions(cues) if o.use_rules else None
            for name, task in self.scheme.tasks.items():
                if o.use_lexicon:
                    for s in cues.scores(task):  # text, then title
                        dense.append(o.lexicon_weight * _log1p(s))
                if rules is not None:
                    onehot = np.zeros((n, len(task.labels)))
                    onehot[np.arange(n), rules[name]] = o.rules_weight
                    dense.append(onehot)
            if o.use_cues:
                dense.append(self._cue_indicators(cues))
            if self._wording():
                dense.append(o.wording_weight * np.hstack([status_features_batch(texts),
                                                           cues.parts(self._status_task)]))
        if o.use_context:
            dense.append(o.context_weight * np.array([context_features(r) for r in records]).reshape(n, -1))
        return sparse, dense, inverse

    def _cue_indicators(self, cues: MeasureCues):
        """cue_weight for each cue found (one column per entry of `_cue_list`), sparse;
        status cues are read clause by clause like the rules do."""
        if self._cue_columns is None:  # per task: for each cue of the matcher, its columns
            sid = {c: i for i, c in enumerate(self._rules.matcher.cues)}
            self._cue_columns, col = [], 0
            for task in self.scheme.tasks.values():
                by_cue: list[list[int]] = [[] for _ in sid]
                for label in task.labels:
                    for cue in task.cues.get(label, []):
                        if cue in sid:
                            by_cue[sid[cue]].append(col)
                        col += 1
                self._cue_columns.append((np.cumsum([0] + [len(c) for c in by_cue]),
                                          np.array([c for cs in by_cue for c in cs], dtype=np.int64)))
        rows, cols = [], []
        for task, (ptr, columns) in zip(self.scheme.tasks.values(), self._cue_columns):
            r, c = cues.found(task)
            which, col = ragged_take(ptr, columns, c)
            rows.append(r[which])
            cols.append(col)
        rows, cols = np.concatenate(rows), np.concatenate(cols)
        return _Entries((cues.n, len(self._cue_list())), rows, cols, np.full(len(rows), float(self.opts.cue_weight)))

    def _matrix(self, records: list[dict]):
        """All features of the records as one CSR matrix (training)."""
        from scipy.sparse import csr_matrix, hstack

        sparse, dense, inverse = self._features(records, exact=True)
        parts = [sparse[n].csr()[inverse] if n == "title" else sparse[n].csr() for n in BLOCKS if n in sparse]
        D = np.hstack([p.toarray() if isinstance(p, _Entries) else p for p in dense]) if dense else \
            np.zeros((len(records), 0))
        return hstack(parts + [csr_matrix(D)], format="csr")

    # --- training -----------------------------------------------------------------

    def fit(self, records, extra=None):
        from sklearn.linear_model import LogisticRegression
        from threadpoolctl import threadpool_limits

        extra = extra or []
        train = list(records) + list(extra)
        if not train:
            raise ModelError("no training data")
        # Measures written for training weigh extra_weight, whether passed as extra or among
        # the records (as in leave-one-bulletin-out over everything that trains).
        weights = np.array([self.opts.extra_weight if r.get("source") == "synthetic" else 1.0 for r in records]
                           + [self.opts.extra_weight] * len(extra))
        titles_texts = [model_input(r) for r in train]
        self._weights = None
        self.blocks_ = {"text": _Block.fit([t for _, t in titles_texts], self.opts, self.opts.text_weight)}
        if self.opts.use_words:
            self.blocks_["words"] = _Block.fit([t for _, t in titles_texts], self.opts, self.opts.words_weight,
                                               words=True)
        if self.opts.use_title:
            self.blocks_["title"] = _Block.fit([t for t, _ in titles_texts], self.opts, self.opts.title_weight)
        self.fields_ = list(self.blocks_) + [name for name, used in (
            ("lexicon", self.opts.use_lexicon), ("rules", self.opts.use_rules), ("cues", self.opts.use_cues),
            ("wording", self._wording()), ("context", self.opts.use_context)) if used]
        X = self._matrix(train)
        self.coef_, self.intercept_, self.temperature_ = {}, {}, {}
        for name, task in self.scheme.tasks.items():
            y = np.array([task.index(r[name]) for r in train])
            if len(set(y)) < 2:
                raise ModelError(f"task '{name}': training data has a single label")
            clf = LogisticRegression(C=self.opts.C, class_weight=self.opts.class_weight, max_iter=3000)
            # One BLAS thread: L-BFGS's vector operations are too small to gain from threads
            # (five times slower with two on two busy cores), and the sums, hence the model,
            # no longer depend on the machine's core count.
            with threadpool_limits(limits=1, user_api="blas"):
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
            self.coef_[name], self.intercept_[name] = coef, icpt
            self.temperature_[name] = 1.0
            prior = np.bincount(y, weights=weights, minlength=len(task.labels))
            self.train_prior_[name] = (prior / prior.sum()).tolist()
        if self.opts.calibrate:
            self._calibrate(records, extra)
        self.card = self.base_card(asdict(self.opts), list(records), list(extra) or None)
        self.card["fields"] = self.fields_
        self.card["temperature"] = self.temperature_
        self.card["train_prior"] = self.train_prior_
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
            self.temperature_[name] = best

    # --- prediction ---------------------------------------------------------------

    def _block_weights(self) -> dict[str, np.ndarray]:
        """Every task's coefficients stacked and cut by feature block, (features × all labels)."""
        if self._weights is None:
            W = np.vstack([self.coef_[t] for t in self.scheme.tasks])
            off, ends = self._offsets(), {}
            names = [n for n in BLOCKS if n in self.blocks_] + ["dense"]
            for a, b in zip(names, names[1:] + [None]):
                ends[a] = off[b] if b else W.shape[1]
            self._weights = {n: np.ascontiguousarray(W[:, off[n]:ends[n]].T) for n in names}
        return self._weights

    def logits(self, records: list[dict]) -> dict[str, np.ndarray]:
        W = self._block_weights()
        b = np.concatenate([self.intercept_[t] for t in self.scheme.tasks])
        Z = np.zeros((len(records), len(b)))
        for lo in range(0, len(records), self.CHUNK):
            sparse, dense, inverse = self._features(records[lo:lo + self.CHUNK])
            z, col = np.tile(b, (len(inverse), 1)), 0
            for piece in dense:
                w = W["dense"][col:col + piece.shape[1]]
                z += piece.dot(w) if isinstance(piece, _Entries) else piece @ w
                col += piece.shape[1]
            for name, X in sparse.items():
                part = X.dot(W[name])
                z += part[inverse] if name == "title" else part
            Z[lo:lo + len(z)] = z
        out, k = {}, 0
        for t, task in self.scheme.tasks.items():
            out[t] = Z[:, k:k + len(task.labels)]
            k += len(task.labels)
        return out

    def predict_proba(self, records):
        probs = {t: softmax(z, self.temperature_.get(t, 1.0)) for t, z in self.logits(records).items()}
        progress = self.scheme.progress
        if self.opts.adapt_priors and progress is not None and progress.name in self.train_prior_:
            probs[progress.name] = adapt_by_group(probs[progress.name], [r.get("bulletin_id") for r in records],
                                                  np.array(self.train_prior_[progress.name]), self.opts.adapt_min_n,
                                                  self.opts.adapt_priors)
        return constrain_progress(records, probs, self.scheme) if self.opts.constrain_status else probs

    # --- persistence --------------------------------------------------------------

    def save(self, path):
        from ..outputs import atomic_write_bytes, atomic_write_text

        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        vocab = {name: b.vocab for name, b in self.blocks_.items()}
        atomic_write_text(path / "vocab.json", json.dumps(vocab, ensure_ascii=False) + "\n")
        arrays = {f"idf_{n}": b.idf for n, b in self.blocks_.items()}
        for t in self.scheme.tasks:
            arrays[f"coef_{t}"] = self.coef_[t].astype(np.float32)
            arrays[f"intercept_{t}"] = self.intercept_[t]
        import io
        buf = io.BytesIO()
        np.savez_compressed(buf, **arrays)
        atomic_write_bytes(path / "weights.npz", buf.getvalue())
        self.card["temperature"] = self.temperature_
        self.write_card(path)

    @classmethod
    def load(cls, path):
        """Open a saved model, checking the card and the arrays against each other so a
        damaged folder is one clear ModelError."""
        path = Path(path)
        card = read_card(path)
        if not isinstance(card, dict) or not isinstance(card.get("options"), dict) or "scheme" not in card:
            raise ModelError(f"{path}: damaged model card (model.json needs 'scheme' and 'options')")
        opts_d = {**CARDS_BEFORE_CONTEXT,
                  **{k: v for k, v in card["options"].items() if k in TfidfOptions.__dataclass_fields__}}
        try:
            model = cls(LabelScheme.from_dict(card["scheme"]), TfidfOptions(**opts_d))
        except (SchemeError, ModelError) as exc:
            raise ModelError(f"{path}: damaged model card ({exc})") from None
        try:
            vocab = json.loads((path / "vocab.json").read_text(encoding="utf-8"))
            arrays = dict(np.load(path / "weights.npz", allow_pickle=False))
        except (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
            raise ModelError(f"{path}: incomplete or damaged model files ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})") from None
        if not isinstance(vocab, dict) or "text" not in vocab or not all(
                isinstance(v, list) and all(isinstance(g, str) for g in v) for v in vocab.values()):
            raise ModelError(f"{path}: damaged vocab.json (expected lists of n-grams per block)")
        weights = {"text": model.opts.text_weight, "words": model.opts.words_weight, "title": model.opts.title_weight}

        def array(key: str, shape: tuple) -> np.ndarray:
            a = arrays.get(key)
            if a is None or a.shape != shape or not np.issubdtype(a.dtype, np.floating):
                got = "missing" if a is None else f"shape {a.shape}"
                raise ModelError(f"{path}: weights.npz does not match the card and vocabulary ({key}: expected "
                                 f"shape {shape}, {got})")
            return a.astype(np.float64)

        model.blocks_ = {n: _Block(vocab[n], array(f"idf_{n}", (len(vocab[n]),)), weights[n], model.opts.ngram_min,
                                   model.opts.ngram_max, words=(n == "words"))
                         for n in BLOCKS if n in vocab}
        n_features = model.n_features()
        for t, task in model.scheme.tasks.items():
            model.coef_[t] = array(f"coef_{t}", (len(task.labels), n_features))
            model.intercept_[t] = array(f"intercept_{t}", (len(task.labels),))
        temps = card.get("temperature", {})
        if not isinstance(temps, dict) or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v < 1e6 for v in temps.values()):
            raise ModelError(f"{path}: damaged model card (temperature must map tasks to positive numbers)")
        model.temperature_ = {t: float(v) for t, v in temps.items()}
        model.fields_ = list(card.get("fields") or card["options"].get("fields") or [])
        model.train_prior_ = {t: [float(x) for x in v] for t, v in (card.get("train_prior") or {}).items()
                              if t in model.scheme.tasks and len(v) == len(model.scheme.tasks[t].labels)}
        model.card = card
        return model
