"""Class priors that adapt to the bulletin being labelled.

A model trained where 60% of measures are ongoing carries that mix as its prior; a final
report in which nearly everything is done has another. Saerens, Latinne & Decaestecker
(2002): given a model's posteriors on a set of unlabelled measures and the training prior,
EM re-estimates the set's own prior and re-weights the posteriors to it. Applied per
bulletin, and only where a bulletin has enough measures to estimate anything.
"""
from __future__ import annotations

import numpy as np


def adapt_priors(probs: np.ndarray, train_prior: np.ndarray, iters: int = 50, tol: float = 1e-6,
                 strength: float = 1.0) -> np.ndarray:
    """Posteriors re-weighted to the EM estimate of this set's class prior.

    `strength` (0..1) shrinks the estimate towards the training prior (1: full EM)."""
    probs = np.asarray(probs, dtype=float)
    if len(probs) == 0:
        return probs
    train_prior = np.clip(np.asarray(train_prior, dtype=float), 1e-6, None)
    train_prior = train_prior / train_prior.sum()
    prior = train_prior.copy()
    post = probs
    for _ in range(iters):
        post = probs * (prior / train_prior)
        post /= post.sum(axis=1, keepdims=True)
        new = post.mean(axis=0)
        new = strength * new + (1 - strength) * train_prior
        if np.abs(new - prior).max() < tol:
            prior = new
            break
        prior = new
    w = prior / train_prior
    out = probs * w
    return out / out.sum(axis=1, keepdims=True)


def adapt_by_group(probs: np.ndarray, groups: list, train_prior: np.ndarray, min_n: int = 8,
                   strength: float = 1.0) -> np.ndarray:
    """`adapt_priors` applied to each group (bulletin) with at least `min_n` rows. Rows of no
    group (None: a measure whose bulletin is unknown) keep the training prior: measures
    pooled from many bulletins have no prior of their own to estimate."""
    out = np.array(probs, dtype=float, copy=True)
    index: dict = {}
    for i, g in enumerate(groups):
        if g is not None:
            index.setdefault(g, []).append(i)
    for idx in index.values():
        if len(idx) >= min_n:
            out[idx] = adapt_priors(out[idx], train_prior, strength=strength)
    return out
