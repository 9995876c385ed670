"""Linguistic features of a measure's wording that cue words alone miss.

They encode the guidelines' status tie-breaks as evidence for a learned model, not as
decisions: a headline verb such as 加强 followed by reported figures reads as done (S2),
the same verb with nothing achieved reads as ongoing (S6), and a sentence opened by a
future frame (在后续…中, 下一步, 计划) puts everything after it in the future.
"""
from __future__ import annotations

import re

_FIGURE = re.compile(r"\d+(?:\.\d+)?\s*(?:家次|人次|家|个|项|次|人|名|%|％|万元|亿元|亿|万|处|件|条|户|㎡|平方米|亩|所|份|场|批)")
_PAST_TIME = re.compile(r"20\d\d\s*年(?:度)?|\d{1,2}\s*月(?:份)?|本轮巡[视察]整改以来|巡[视察]以来|截至|目前|先后|累计")
_WEAK_HEAD = re.compile(r"^(?:进一步|全面|持续|切实|大力|积极|认真)?(?:加强|强化|深化|着力|完善|优化|加大|提升|推动|健全|规范|提高|丰富|加快)")
_RESULT = re.compile(r"已|完成|均已|全部|实现|达到|达|提高至|提升至|提升到|获评|增长|新增|引进|发放完毕")
_FUTURE_FRAME = re.compile(r"(?:^|[。；;])\s*(?:在后续|后续|下一步|今后|计划|拟|将|预计|力争|争取|准备|待)")
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
