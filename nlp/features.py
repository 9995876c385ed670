"""Linguistic features of a measure's wording that cue words alone miss.

They encode the guidelines' status tie-breaks as evidence for a learned model, not as
decisions: a headline verb such as 加强 followed by reported figures reads as done (S2),
the same verb with nothing achieved reads as ongoing (S6), and a sentence opened by a
future frame (在后续…中, 下一步, 计划) puts everything after it in the future.
"""
from __future__ import annotations

import re

import numpy as np

from .zh import FIGURE as _FIGURE  # the figures and units the parser and the fact sheet read

_PAST_TIME = re.compile(r"20\d\d\s*年(?:度)?|\d{1,2}\s*月(?:份)?|本轮巡[视察]整改以来|巡[视察]以来|截至|目前|先后|累计")
_WEAK_HEAD = re.compile(r"^(?:进一步|全面|持续|切实|大力|积极|认真)?(?:加强|强化|深化|着力|完善|优化|加大|提升|推动|健全|规范|提高|丰富|加快)")
_RESULT = re.compile(r"已|完成|均已|全部|实现|达到|达|提高至|提升至|提升到|获评|增长|新增|引进|发放完毕")
_FRAME_WORDS = r"\s*(?:在后续|后续|下一步|今后|计划|拟|将|预计|力争|争取|准备|待)"
_FUTURE_FRAME = re.compile(r"(?:^|[。；;])" + _FRAME_WORDS)
_STANDING = re.compile(r"持续|常态化|定期|每月|每周|每季度|每年|长期|坚持|严格执行|贯彻落实|逐步|正在|推进中|其余|剩余|尚未|仍")

FEATURE_NAMES = ["figures", "past_time", "weak_head", "weak_head_with_result", "weak_head_no_result",
                 "result", "future_frame", "future_frame_no_result", "standing", "sentences"]


def status_features(text: str) -> list[float]:
    """Counts (log-scaled by the caller's weight) of the patterns above, in FEATURE_NAMES order."""
    figures = len(_FIGURE.findall(text))
    past = len(_PAST_TIME.findall(text))
    weak = 1.0 if _WEAK_HEAD.match(text) else 0.0
    result = 1.0 if (_RESULT.search(text) or figures) else 0.0
    future = len(_FUTURE_FRAME.findall(text))
    standing = len(_STANDING.findall(text))
    sentences = len([s for s in re.split(r"[。；;]", text) if s.strip()])
    return [min(figures, 5) / 5, min(past, 3) / 3, weak, weak * result, weak * (1 - result), result,
            min(future, 2) / 2, (1.0 if future else 0.0) * (1 - result), min(standing, 3) / 3, min(sentences, 5) / 5]


def status_features_batch(texts: list[str]) -> np.ndarray:
    """(texts × FEATURE_NAMES): `status_features` of every text, each pattern run once
    over the whole batch joined by NUL (which none of them can match)."""
    n = len(texts)
    joined = "\0" + "\0".join(texts)
    if n == 0 or joined.count("\0") != n:  # a text holding NUL itself: read it text by text
        return np.array([status_features(t) for t in texts], dtype=float).reshape(n, len(FEATURE_NAMES))
    starts = np.zeros(n, dtype=np.int64)
    np.cumsum([len(t) + 1 for t in texts[:-1]], out=starts[1:])  # the NUL before each text

    def per_text(rx: re.Pattern) -> np.ndarray:
        last = [m.end() - 1 for m in rx.finditer(joined)]  # matches never span a NUL
        return np.bincount(np.searchsorted(starts, last, side="right") - 1, minlength=n).astype(float)

    figures = per_text(_FIGURE)
    past = per_text(_PAST_TIME)
    weak = np.array([1.0 if _WEAK_HEAD.match(t) else 0.0 for t in texts])
    result = ((per_text(_RESULT) > 0) | (figures > 0)).astype(float)
    future = per_text(_FUTURE_FRAME_JOINED)
    standing = per_text(_STANDING)
    sentences = _sentence_counts(joined, starts)
    return np.column_stack([np.minimum(figures, 5) / 5, np.minimum(past, 3) / 3, weak, weak * result,
                            weak * (1 - result), result, np.minimum(future, 2) / 2, (future > 0) * (1 - result),
                            np.minimum(standing, 3) / 3, np.minimum(sentences, 5) / 5])


def _sentence_counts(joined: str, starts: np.ndarray) -> np.ndarray:
    """Per text: the parts between 。；; that hold more than white space (NUL ends a text)."""
    cp = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    solid = np.flatnonzero(~np.isin(cp, _SPACE_CODES))
    is_end = np.isin(cp[solid], _SENTENCE_END_CODES)
    opens = solid[np.flatnonzero(~is_end & np.r_[True, is_end[:-1]])]  # first solid character of a part
    return np.bincount(np.searchsorted(starts, opens, side="right") - 1, minlength=len(starts)).astype(float)


_FUTURE_FRAME_JOINED = re.compile(r"(?:^|[。；;\0])" + _FRAME_WORDS)  # NUL, like a text's start, opens a frame
_SPACE_CODES = np.array([c for c in range(0x3001) if chr(c).isspace()], dtype=np.uint32)  # str.strip's white space
_SENTENCE_END_CODES = np.array([ord(c) for c in "。；;\0"], dtype=np.uint32)
