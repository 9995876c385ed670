"""ROUGE-1/2/L for Chinese: character level by default, jieba words as an option.

Chinese has no spaces, so the English tokeniser of common ROUGE packages sees a whole
sentence as one token. Character-level ROUGE is the usual choice for Chinese
summarisation (LCSTS, CLTS); punctuation and white space are not tokens.
"""
from __future__ import annotations

import unicodedata
from collections import Counter

METRICS = ("rouge1", "rouge2", "rougeL")


def _is_token(tok: str) -> bool:
    return bool(tok.strip()) and not all(unicodedata.category(c).startswith("P") for c in tok)


def tokenize(text: str, word_level: bool = False) -> list[str]:
    """Characters (default) or jieba words of text, without white space and punctuation."""
    if word_level:
        import jieba  # imported here: loading its dictionary takes a second
        return [w for w in jieba.lcut(text) if _is_token(w)]
    return [c for c in text if _is_token(c)]


def _prf(overlap: int, n_cand: int, n_ref: int) -> dict[str, float]:
    p = overlap / n_cand if n_cand else 0.0
    r = overlap / n_ref if n_ref else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": p, "r": r, "f": f}


def _ngrams(tokens: list[str], n: int) -> Counter:
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def rouge_n(cand: list[str], ref: list[str], n: int) -> dict[str, float]:
    """Clipped n-gram overlap: P over the candidate's n-grams, R over the reference's."""
    c, r = _ngrams(cand, n), _ngrams(ref, n)
    return _prf(sum((c & r).values()), sum(c.values()), sum(r.values()))


def lcs_length(a: list[str], b: list[str]) -> int:
    """Length of the longest common subsequence (dynamic programming, one row at a time)."""
    if len(a) < len(b):
        a, b = b, a
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


def rouge_l(cand: list[str], ref: list[str]) -> dict[str, float]:
    return _prf(lcs_length(cand, ref), len(cand), len(ref))


def rouge(candidate: str, reference: str, word_level: bool = False) -> dict[str, dict[str, float]]:
    """{'rouge1'|'rouge2'|'rougeL': {'p', 'r', 'f'}} of one candidate against one reference."""
    cand, ref = tokenize(candidate, word_level), tokenize(reference, word_level)
    return {"rouge1": rouge_n(cand, ref, 1), "rouge2": rouge_n(cand, ref, 2), "rougeL": rouge_l(cand, ref)}


def mean_scores(scores: list[dict[str, dict[str, float]]]) -> dict[str, dict[str, float]]:
    """Macro average over summaries (each summary counts once, whatever its length)."""
    if not scores:
        return {}
    return {m: {k: sum(s[m][k] for s in scores) / len(scores) for k in ("p", "r", "f")} for m in METRICS}
