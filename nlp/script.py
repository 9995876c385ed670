"""Traditional → Simplified script normalisation in front of every model.

Bulletins reposted on Hong Kong or Taiwan sites arrive in Traditional characters; the
models, lexicons and training data are Simplified. OpenCC's phrase-level `t2s`
conversion maps one onto the other (it leaves Simplified text unchanged), so both scripts
get the same features. Only model inputs are converted: output rows keep the original text.
(nlp.zh.to_simplified is the parser's one-character-for-one map, which keeps offsets; models
use OpenCC's phrase-level conversion because offsets do not matter to them.)
"""
from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _converter():
    import opencc
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """The text in Simplified characters (OpenCC t2s); empty text as it is."""
    if not text or text.isascii():
        return text
    return _converter().convert(text)


@lru_cache(maxsize=1)
def _to_traditional():
    import opencc
    return opencc.OpenCC("s2t")


def to_traditional(text: str) -> str:
    """The text in Traditional characters (OpenCC s2t): for tests and robustness checks."""
    return _to_traditional().convert(text) if text else text
