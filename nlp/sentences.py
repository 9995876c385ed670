"""Chinese sentence splitting that never breaks inside quotes or brackets.

A summary is built from whole sentences, so the splitter must not end a sentence at a
。 inside “…”, 《…》 or （…）: 关于“当下改。长久立”的要求 is one sentence. Only brackets
that are closed in the same paragraph protect their content; a stray “ or （ (common in
scraped text) is ignored rather than swallowing the rest of the paragraph.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

PAIRS = {"“": "”", "‘": "’", "《": "》", "（": "）", "(": ")", "「": "」", "『": "』",
         "【": "】", "〈": "〉", "[": "]", "〔": "〕"}
_CLOSERS = {c: o for o, c in PAIRS.items()}
ENDERS = "。！？!?…"
_SEMI = "；;"
_SPACE = " \t\u3000\xa0\r"


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int  # offsets into the text given to split_sentences (plus its `offset`)
    end: int
    index: int = 0  # position in its paragraph: 0 for the sentence that opens it


def protected_spans(text: str) -> list[tuple[int, int]]:
    """(open index, close index) of every matched bracket or quote pair in text."""
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    ascii_quote: int | None = None
    for i, ch in enumerate(text):
        if ch == '"':  # the same mark opens and closes
            if ascii_quote is None:
                ascii_quote = i
            else:
                spans.append((ascii_quote, i))
                ascii_quote = None
        elif ch in PAIRS:
            stack.append((ch, i))
        elif ch in _CLOSERS:
            opener = _CLOSERS[ch]
            for k in range(len(stack) - 1, -1, -1):
                if stack[k][0] == opener:
                    spans.append((stack[k][1], i))
                    del stack[k:]  # openers left inside were never closed
                    break
    return spans


def _inside_mask(text: str) -> list[bool]:
    inside = [False] * len(text)
    for s, e in protected_spans(text):
        for i in range(s + 1, e):
            inside[i] = True
    return inside


def _is_ender(text: str, i: int, semicolons: bool) -> bool:
    ch = text[i]
    if ch in ENDERS or (semicolons and ch in _SEMI):
        return True
    # an ASCII full stop ends a sentence only after a Chinese character (not 38.35, not 1.)
    return (ch == "." and i > 0 and "\u4e00" <= text[i - 1] <= "\u9fff"
            and (i + 1 == len(text) or not text[i + 1].isdigit()))


def _split_paragraph(text: str, semicolons: bool) -> list[tuple[int, int]]:
    inside = _inside_mask(text)
    closes = {e for _, e in protected_spans(text)}
    cuts: list[int] = []
    i, n = 0, len(text)
    while i < n:
        end = None
        if not inside[i] and _is_ender(text, i, semicolons):
            end = i + 1
        elif i in closes and not inside[i] and i > 0 and text[i - 1] in ENDERS:
            end = i + 1  # 他说：“已完成。”  ends after the closing quote
        if end is None:
            i += 1
            continue
        while end < n and (text[end] in ENDERS or (end in closes and not inside[end])):
            end += 1  # ！？, ……, and closing marks that follow the ender
        cuts.append(end)
        i = end
    spans, start = [], 0
    for c in cuts + [n]:
        spans.append((start, c))
        start = c
    return spans


def split_sentences(text: str, offset: int = 0, semicolons: bool = False) -> list[Sentence]:
    """Sentences of text in order; a line break always ends one.

    `offset` is added to every start/end, so sentences of a measure can carry offsets into
    the whole bulletin. With `semicolons`, ；/; also end a sentence (finer units).
    """
    out: list[Sentence] = []
    for para in re.finditer(r"[^\n]+", text):
        k = 0
        for s, e in _split_paragraph(para.group(), semicolons):
            s, e = para.start() + s, para.start() + e
            while s < e and text[s] in _SPACE:
                s += 1
            while e > s and text[e - 1] in _SPACE:
                e -= 1
            if e > s:
                out.append(Sentence(text[s:e], offset + s, offset + e, k))
                k += 1
    return out
