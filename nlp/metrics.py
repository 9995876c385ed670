"""Classification metrics computed from a confusion matrix, with bootstrap intervals.

Written with numpy so that a thousand bootstrap resamples stay cheap; the tests check
every figure against scikit-learn on hand-made cases.
"""
from __future__ import annotations

import numpy as np


def confusion(y_true: list[str], y_pred: list[str], labels: list[str]) -> np.ndarray:
    """Rows: gold label, columns: predicted label, in the order of `labels`."""
    idx = {label: i for i, label in enumerate(labels)}
    m = np.zeros((len(labels), len(labels)), dtype=np.int64)
    for t, p in zip(y_true, y_pred):
        m[idx[t], idx[p]] += 1
    return m


def _prf(m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    tp = np.diag(m).astype(float)
    pred = m.sum(axis=0).astype(float)
    support = m.sum(axis=1).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(pred > 0, tp / pred, 0.0)
        recall = np.where(support > 0, tp / support, 0.0)
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    return precision, recall, f1, support


def _present(m: np.ndarray) -> np.ndarray:
    """Labels that occur in gold or in predictions (scikit-learn's default label set)."""
    return (m.sum(axis=0) + m.sum(axis=1)) > 0


def accuracy_from(m: np.ndarray) -> float:
    n = m.sum()
    return float(np.trace(m) / n) if n else 0.0


def macro_f1_from(m: np.ndarray) -> float:
    _, _, f1, _ = _prf(m)
    present = _present(m)
    return float(f1[present].mean()) if present.any() else 0.0


def weighted_f1_from(m: np.ndarray) -> float:
    _, _, f1, support = _prf(m)
    return float((f1 * support).sum() / support.sum()) if support.sum() else 0.0


def kappa_from(m: np.ndarray) -> float:
    n = m.sum()
    if n == 0:
        return 0.0
    po = np.trace(m) / n
    pe = (m.sum(axis=0) * m.sum(axis=1)).sum() / (n * n)
    return float((po - pe) / (1 - pe)) if pe < 1 else 1.0


def cohen_kappa(a: list[str], b: list[str], labels: list[str]) -> float:
    return kappa_from(confusion(a, b, labels))


def bootstrap_ci(y_true: list[str], y_pred: list[str], labels: list[str], n: int = 1000,
                 seed: int = 0, alpha: float = 0.05) -> dict[str, list[float]]:
    """Percentile intervals for accuracy and macro-F1 over resampled measures."""
    rng = np.random.default_rng(seed)
    idx = {label: i for i, label in enumerate(labels)}
    t = np.array([idx[x] for x in y_true])
    p = np.array([idx[x] for x in y_pred])
    k = len(labels)
    accs, f1s = [], []
    for _ in range(n):
        s = rng.integers(0, len(t), len(t))
        m = np.bincount(t[s] * k + p[s], minlength=k * k).reshape(k, k)
        accs.append(accuracy_from(m))
        f1s.append(macro_f1_from(m))
    lo, hi = 100 * alpha / 2, 100 * (1 - alpha / 2)
    return {"accuracy": [float(np.percentile(accs, lo)), float(np.percentile(accs, hi))],
            "macro_f1": [float(np.percentile(f1s, lo)), float(np.percentile(f1s, hi))]}


def task_report(y_true: list[str], y_pred: list[str], labels: list[str], bootstrap: int = 1000,
                seed: int = 0) -> dict:
    """Every figure the harness reports for one task."""
    m = confusion(y_true, y_pred, labels)
    precision, recall, f1, support = _prf(m)
    ci = bootstrap_ci(y_true, y_pred, labels, bootstrap, seed) if bootstrap and len(y_true) > 1 else None
    return {
        "accuracy": accuracy_from(m),
        "accuracy_ci": ci["accuracy"] if ci else None,
        "macro_f1": macro_f1_from(m),
        "macro_f1_ci": ci["macro_f1"] if ci else None,
        "weighted_f1": weighted_f1_from(m),
        "kappa": kappa_from(m),
        "per_class": {label: {"precision": float(precision[i]), "recall": float(recall[i]),
                              "f1": float(f1[i]), "support": int(support[i])} for i, label in enumerate(labels)},
        "confusion": {"labels": list(labels), "matrix": m.tolist()},
    }
