"""Parse a rectification bulletin into metadata, problems ("issues") and their measures.

The parser reads the outline the bulletin's own numbering gives (一、 （一） 1. （1） ① …).
Text whose line breaks were lost in a crawl gets its paragraphs back from the numbering
markers inside the running text. Each top-level section is judged from its heading and
its content to be the organisation of the work, the problems, or the next steps. Inside
the problem sections each group decides for itself whether its items are problems (that
hold measures) or measures, so a bulletin may have problems at several outline levels.
Each problem's body is split into measures, also where they are enumerated inside one
paragraph (一是…二是…, （1）…（2）…). Every measure keeps `start`/`end` offsets into the
decoded text (`Source.text`).
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from .metadata import extract_metadata
from .source import Source, SourceError, read_source
from .zh import CN_DIGITS, DATE, FURNITURE_LINE, FURNITURE_WORD, cn_to_int, is_signature

_BULLETIN_CUE = re.compile(r"巡视|巡察|巡視|整改")


class NotABulletin(SourceError):
    """Readable text in which no rectification problems were found."""


@dataclass
class Measure:
    no: int
    text: str
    start: int
    end: int


@dataclass
class Issue:
    no: int
    label: str | None
    title: str
    heading: str
    group: str | None
    start: int
    end: int
    reported_status: str | None = None
    measures: list[Measure] = field(default_factory=list)


@dataclass
class Section:
    kind: str
    title: str
    text: str
    start: int
    end: int


@dataclass
class Bulletin:
    bulletin_id: str
    source_path: str
    encoding: str
    title: str | None
    issuer: str | None
    inspector: str | None
    inspection: dict[str, str | None]
    unit_type: str | None
    level: str | None
    region: dict[str, str | None]
    dates: dict[str, str | None]
    stated: dict[str, float | int]
    figures: list[dict]
    issues: list[Issue]
    sections: list[Section]
    coverage: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    text: str = field(repr=False, default="")

    def to_dict(self, with_text: bool = False) -> dict:
        d = asdict(self)
        if not with_text:
            d.pop("text")
        return d

    @property
    def n_measures(self) -> int:
        return sum(len(i.measures) for i in self.issues)


# --- characters and numerals -------------------------------------------------------

_WS = " \t\u3000\xa0\u2002\u2003\u200b\ufeff\ufffd"
_CN = "一二三四五六七八九十百零〇两"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def _number(label: str) -> int:
    if not label:
        return 0
    if label in _CIRCLED:
        return _CIRCLED.index(label) + 1
    if label.isdigit():
        return int(label)
    return cn_to_int(label)


# --- patterns used in several places ---------------------------------------------------

_LIST_NEXT = re.compile(rf"\s*(?:[{CN_DIGITS}]{{1,3}}|\d{{1,3}})\s*[、．.]")
_PHRASE_END = re.compile(r"[，,。；;：:！!？?（(\d]")
_PROBLEM_HEAD_END = re.compile(r"(?:问题|問題)(?:的)?(?:整改(?:情况|落实情况)?)?[。.]?$")
_CLAUSE_PUNCT = re.compile(r"[，,。；;：:]")
_NEXT_SURE = re.compile(r"下一步|今后|下阶段|工作打算")
_ORG_SURE = re.compile(r"整改工作(的)?组织|组织(领导|实施)情况|整改工作(开展)?情况$")
_STATUS_IN_HEADING = re.compile(r"[（(]\s*(已完成|已整改(?:完成|到位)?|基本完成|正在整改|持续推进|长期坚持|整改中)[^）)]{0,6}[）)]\s*$")
_STATUS_GROUP_WORD = re.compile(r"问题|事项|任务|整改|完成|推进")
_SENTENCE_PUNCT = re.compile(r"[。；;！!？?]")
_FIRST_ITEM = re.compile(rf"([{CN_DIGITS}]{{1,2}})是|[（(]\s*(\d{{1,2}})\s*[）)]|([{_CIRCLED}])")
_NEXT_PARAGRAPH = re.compile(r"(下一步|今后|下阶段)[，,：:]")
_OPENING_CUE = re.compile(r"巡[视察].{0,40}(反馈|整改)|整改(情况|进展).{0,10}(通报|公布)")


# --- lines --------------------------------------------------------------------------

@dataclass(slots=True)
class _Line:
    start: int
    end: int

    def text(self, src: str) -> str:
        return src[self.start:self.end]


# A paragraph from its first to its last visible character.
_LINE = re.compile(r"[^\s\u200b\ufeff\ufffd](?:[^\n]*[^\s\u200b\ufeff\ufffd])?")  # U+FFFD: a repaired byte
_MD_OPEN = re.compile(r"(?:#{1,6}\s+|>\s*)*(?:\*\*|__)?\s*")
_MD_CLOSE = re.compile(r"\s*(?:\*\*|__)\s*$")

_FLAT_MIN = 1000  # a paragraph this long is searched for the paragraphs a crawl joined
_SPACE_BREAK = re.compile(r"(?<=[\u4e00-\u9fff。，；;：:！!？?”\"」』*）])[ \t\u3000\xa0]+(?=[^\s）)、.．,，。；;|｜])")
_RUN_MARK = re.compile(
    rf"(?P<cn>[{CN_DIGITS}]{{1,3}})\s*[、．.](?![\d{CN_DIGITS}])"
    rf"|[（(]\s*(?P<pcn>[{CN_DIGITS}]{{1,3}})\s*[）)]"
    r"|[（(]\s*(?P<pnum>\d{1,2})\s*[）)]"
    r"|(?P<num>\d{1,3})\s*(?:[、．]|\.(?!\d))(?![\d%％])|(?P<numy>\d{1,2})\.(?=(?:19|20)\d\d年)"
    rf"|问题\s*(?P<wenti>\d{{1,3}}|[{CN_DIGITS}]{{1,3}})\s*[：:、.．]"
    r"|(?P<tag>【\s*(?:反馈)?问题\s*[\d一二三四五六七八九十]*\s*】)")
_RUN_LEFT_BAD = set("0123456789０１２３４５６７８９ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz第.．/-—" + CN_DIGITS)
_BARE_MARKER = re.compile(rf"第\s*[{CN_DIGITS}\d]{{1,3}}\s*(?:部分|章|篇)|[（(]?[{CN_DIGITS}\d]{{1,3}}[）)、.．]?")
_WORD_BEFORE_YI = set("统唯之同单逐划专合归万第初")
_HEAD_TAIL = re.compile(r"(?:问题的整改|情况|打算|安排|方面|举措|成效)")
_OPENING_BREAK = re.compile(r"(?<=通报)(?=[^\s，,。])|(?<=[^\s])(?=(?:发布)?时间\s*[:：]\s*\d)|(?<=[^\s])(?=根据|按照)")


@dataclass
class _Numbering:
    """The numbering seen so far in a run-on text: styles from the top level down, the last
    number of each, and the text after the first top-level marker (to know a second copy)."""

    stack: list[str] = field(default_factory=list)
    count: dict[str, int] = field(default_factory=dict)
    first: str = "\0"


def _run_on_breaks(src: str, s: int, e: int, first: bool, seen: _Numbering) -> list[int]:
    """Where paragraphs start inside one run-on line: at numbering markers that continue
    a numbering sequence (一、二、…, （一）（二）…, 1. 2. …, （1）（2）…)."""
    stack, count = seen.stack, seen.count
    cuts: list[int] = []
    for m in _RUN_MARK.finditer(src, s, e):
        p = m.start()
        if p > s and src[p - 1] in _RUN_LEFT_BAD:
            continue
        style = m.lastgroup or ""
        n = 1 if style == "tag" else _number(m.group(style))
        if style == "numy":  # 1.2024年… is item 1
            style = "num"
        if style in ("cn", "num") and _LIST_NEXT.match(src, m.end(), m.end() + 6):
            continue  # 一、二、三级 / 1、2、3 in running text
        if style == "cn" and p > s and src[p - 1] in _WORD_BEFORE_YI:
            continue  # 统一、 唯一、 之一、 are words, not numbers
        if style in stack:
            i = stack.index(style)
            # a restart at 1 of the top level is a second copy of the bulletin: same heading again
            again = i == 0 and n == 1 and src.startswith(seen.first, m.end())
            if not (n == count[style] + 1 or again or style == "tag"):
                continue
            del stack[i + 1:]
        elif n != 1:
            continue
        else:
            if not stack:
                seen.first = src[m.end():m.end() + 8]
            stack.append(style)
        count[style] = n
        if src.startswith("**", p - 2) and p - 2 >= s:  # **一、…** (Markdown bold) run into the text
            cuts.append(p - 2)
            close = src.find("**", m.end(), min(e, m.end() + 120))
            if close > 0:
                cuts.append(close + 2)
            continue
        cuts.append(p)
        if style in ("cn", "pcn"):  # a short heading run into its text: 一、整改工作组织情况根据…
            window = src[m.end():min(e, m.end() + 40)]
            window = _PHRASE_END.split(window, 1)[0]
            tails = list(_HEAD_TAIL.finditer(window))
            if tails and tails[-1].end() < len(window):
                cuts.append(m.end() + tails[-1].end())
        else:  # 1.关于“…”问题的整改。<measure>
            j = _sentence_end(src, m.end(), min(e, m.end() + 300))
            if j and _PROBLEM_HEAD_END.search(src, m.end(), j):
                cuts.append(j)
    if first:
        head_end = cuts[0] if cuts else e
        for b in _OPENING_BREAK.finditer(src, s, min(head_end, s + 400)):
            cuts.append(b.start())
    return sorted(set(c for c in cuts if s < c < e))


def _sentence_end(src: str, s: int, e: int) -> int | None:
    """Offset after the first 。 not inside quotes, or None."""
    k = s
    while True:
        j = src.find("。", k, e)
        if j < 0:
            return None
        seg = src[s:j]
        if seg.count("“") + seg.count("「") + seg.count("『") <= seg.count("”") + seg.count("」") + seg.count("』"):
            return j + 1
        k = j + 1


def _lines(text: str, start: int = 0, end: int | None = None) -> list[_Line]:
    """Paragraphs of text[start:end] without surrounding white space or Markdown emphasis;
    a run-on paragraph of a crawl is cut where its numbering shows paragraphs began."""
    end = len(text) if end is None else end
    out: list[_Line] = []
    spans = [m.span() for m in _LINE.finditer(text, start, end)]
    flat_min = _FLAT_MIN if len(spans) > 5 else 150  # a short bulletin flattened whole
    for s, e in spans:
        if e - s >= flat_min:
            for a, b in _split_run_on(text, s, e, first=not out):
                _add_line(text, a, b, out)
        elif text[s] in "#>*_" or text[e - 1] in "*_":
            _add_line(text, s, e, out)
        else:
            out.append(_Line(s, e))
    return out


def _add_line(text: str, s: int, e: int, out: list[_Line]) -> None:
    """Append text[s:e] as a line, without Markdown heading marks or bold around it."""
    if text[s] in "#>*_":
        s = _MD_OPEN.match(text, s, e).end()
    if s < e and text[e - 1] in "*_":
        cm = _MD_CLOSE.search(text, s, e)
        if cm:
            e = cm.start()
    if s < e:
        out.append(_Line(s, e))


def _split_run_on(text: str, s: int, e: int, first: bool) -> list[tuple[int, int]]:
    pieces = [(s, e)]
    gaps = list(_SPACE_BREAK.finditer(text, s, e))
    if len(gaps) >= max(3, (e - s) / 400):  # joined by spaces: a space between sentences was a line break
        pieces, p = [], s
        for g in gaps:
            if not _BARE_MARKER.fullmatch(text, p, g.start()):  # 第一部分　整改工作组织情况 stays one line
                pieces.append((p, g.start()))
                p = g.end()
        pieces.append((p, e))
    out: list[tuple[int, int]] = []
    seen = _Numbering()
    for k, (ps, pe) in enumerate(pieces):
        if pe - ps < _FLAT_MIN and len(pieces) > 1:
            out.append((ps, pe))
            continue
        cuts = [ps] + _run_on_breaks(text, ps, pe, first and k == 0, seen) + [pe]
        for a, b in zip(cuts, cuts[1:]):
            while a < b and text[a] in _WS:
                a += 1
            while b > a and text[b - 1] in _WS:
                b -= 1
            if b > a:
                out.append((a, b))
    return out


def _norm(s: str) -> str:
    return "".join(s.split())


# --- outline markers ---------------------------------------------------------------

_MARKER = re.compile(
    r"(?P<tag>(?=【\s*(?:反馈)?问题\s*[\d一二三四五六七八九十]*\s*】))"
    r"|(?P<row>[|｜]?[ \t]*(?P<l_row>\d{1,3})(?:\t+|[ \t]*[|｜][ \t]*)(?=\S))"
    rf"|(?P<wenti>(?:反馈|巡[视察]|存在)?问题\s*(?P<l_wenti>\d{{1,3}}|[{_CN}]{{1,3}})\s*[：:、.．]\s*(?=\S))"
    rf"|(?P<part>第\s*(?P<l_part>[{_CN}]{{1,3}}|\d{{1,2}})\s*(?:部分|章|篇)\s*[、.．:：]?\s*(?=\S))"
    rf"|(?P<pcn>[（(]\s*(?P<l_pcn>[{_CN}]{{1,3}})\s*[）)]\s*[、.．]?\s*(?=\S))"
    r"|(?P<pnum>[（(]\s*(?P<l_pnum>\d{1,3})\s*[）)]\s*[、.．]?\s*(?=\S))"
    rf"|(?P<cn>(?P<l_cn>[{_CN}]{{1,3}})\s*[、.．]\s*(?=\S))"
    r"|(?P<num>(?P<l_num>\d{1,3})\s*(?:[、．]|\.(?!\d)|\.(?=(?:19|20)\d\d\s*年))\s*(?=\S))"
    r"|(?P<numparen>(?P<l_numparen>\d{1,3})\s*[)）]\s*(?=\S))"
    r"|(?P<zhendui>(?=针对.{0,120}?问题))"
    r"|(?P<qlabel>(?=(?:反馈)?问题\s*[：:]\s*\S))"  # 问题：X without a number
    # an unnumbered group heading that states the status of the problems under it
    r"|(?P<statushead>(?=(?:已(?:经)?(?:全部)?(?:整改)?完成(?:整改)?|已整改到位|基本完成(?:整改)?|正在(?:整改|推进)"
    r"|尚未完成(?:整改)?|需(?:要)?长期(?:坚持|推进)(?:整改)?|长期坚持|持续推进)(?:整改)?的?(?:问题|事项|任务)"
    r"(?:[（(]\s*共?\s*\d+\s*[个项条]\s*[）)])?\s*[:：]?$))"
    # an unnumbered top-level heading of a section that holds no problems
    r"|(?P<sectionhead>(?=(?:(?:下一步|今后|下阶段)(?:的)?(?:工作)?(?:打算|安排|计划|措施|思路)?"
    r"|(?:巡[视察])?整改工作(?:的)?(?:组织|开展|推进)*情况)\s*[:：]?$))")


_MARKER_FIRST = frozenset(_CN + "（(【|｜问反巡存第针已基正尚需长持下今整")  # what a marker can start with


def _match_marker(text: str, pos: int, end: int) -> tuple[str, str, int] | None:
    """(style, label, offset where the content starts) for a marker at text[pos:]."""
    c = text[pos]
    if c not in _MARKER_FIRST and not c.isdigit():
        return None
    m = _MARKER.match(text, pos, end)
    if m is None:
        return None
    style = m.lastgroup
    if style.startswith("l_"):  # lastgroup names the inner label group in some alternatives
        style = style[2:]
    if style in ("tag", "zhendui", "statushead", "sectionhead", "qlabel"):  # look-ahead: heading starts here
        return style, "", pos
    return style, m.group("l_" + style), m.end()


# --- duplicate copies -------------------------------------------------------------

def _find_repeat_lines(text: str, lines: list[_Line]) -> int | None:
    """Index of the line where a second copy of the bulletin starts, or None.

    Compares paragraphs, not characters: the copy must repeat at least 90% of the first
    copy's text, paragraph by paragraph and in order.
    """
    firsts = [i for i in range(min(20, len(lines))) if lines[i].end - lines[i].start >= 8][:5]
    # a copy repeats the opening lines verbatim: look for them before comparing paragraphs
    if not any(text.find(lines[a].text(text), lines[a].end) >= 0 for a in firsts):
        return None
    keys = [_norm(ln.text(text)) for ln in lines]
    for a in firsts:
        for j in range(a + 1, len(keys)):
            if keys[j] != keys[a]:
                continue
            first = keys[a:j]
            total = sum(map(len, first))
            if total < 200:
                continue
            sm = SequenceMatcher(None, first, keys[j:j + len(first) + 5], autojunk=False)
            same = sum(sum(map(len, first[m.a:m.a + m.size])) for m in sm.get_matching_blocks())
            if same >= 0.9 * total:
                return j
    return None


def find_repeat(text: str) -> int | None:
    """If the text holds the same bulletin twice in a row, the offset where the copy starts."""
    lines = _lines(text)
    j = _find_repeat_lines(text, lines)
    return lines[j].start if j is not None else None


# --- outline ----------------------------------------------------------------------

@dataclass(eq=False)
class _Node:
    style: str
    label: str
    line: _Line | None
    content_start: int  # where the heading text starts (after the marker)
    depth: int = 0
    body: list[_Line] = field(default_factory=list)
    children: list["_Node"] = field(default_factory=list)
    parent: "_Node | None" = None

    def heading(self, src: str) -> str:
        return src[self.content_start:self.line.end] if self.line else ""

    def end(self) -> int:
        last = self.line.end if self.line else self.content_start
        if self.body:
            last = max(last, self.body[-1].end)
        if self.children:
            last = max(last, self.children[-1].end())
        return last

    def walk(self):
        for c in self.children:
            yield c
            yield from c.walk()


def _build_outline(src: str, lines: list[_Line], marks: list | None = None) -> _Node:
    """The outline tree of the lines; `marks` are their markers if already matched."""
    root = _Node("root", "", None, 0, depth=-1)
    stack: list[_Node] = [root]
    styles: list[str] = []
    top_style: str | None = None
    for k, ln in enumerate(lines):
        mk = marks[k] if marks is not None else _match_marker(src, ln.start, ln.end)
        if mk is None:
            stack[-1].body.append(ln)
            continue
        style, label, cstart = mk
        if style == "sectionhead":  # 下一步工作打算 without a number: a top-level section
            top_style = styles[0] if styles and styles[0] != "sectionhead" else top_style
            styles = ["sectionhead"]
        elif style in styles:
            del styles[styles.index(style) + 1:]
        elif style == top_style:  # the numbered top level again after an unnumbered section
            styles = [style]
        else:
            styles.append(style)
        depth = styles.index(style)
        while len(stack) > 1 and stack[-1].depth >= depth:
            stack.pop()
        node = _Node(style, label, ln, cstart, depth=depth, parent=stack[-1])
        stack[-1].children.append(node)
        stack.append(node)
    return root


# --- inline enumerations (一是…二是…, （1）…（2）…, ①②) ------------------------------

_SHI_LEFT = set("。；;，,：:！!？?”\"）)\n \t\u3000")
_SECOND_ITEM = re.compile(r"二是|[（(]\s*0?[2２]\s*[）)]|②|(?<!\d)0?[2２][、．.](?![\d%％])")
_ANY_ITEM = re.compile(rf"(?P<shi>[{CN_DIGITS}]{{1,2}})是|[（(]\s*(?P<pnum>\d{{1,2}})\s*[）)]|(?P<circle>[{_CIRCLED}])"
                       r"|(?P<num>\d{1,2})[、．.](?![\d%％])")
_LONE_ITEM = re.compile(r"\s*(?:[（(]1[）)]|①|一是)\s*")
_ITEM_START = re.compile(rf"(?:[{CN_DIGITS}]{{1,2}}是|[（(]\s*\d{{1,2}}\s*[）)]|[{_CIRCLED}])")
_MARKER_BEFORE = re.compile(rf"(?:[{CN_DIGITS}]{{1,2}}是|[（(]\s*\d{{1,2}}\s*[）)]|[{_CIRCLED}]|\d{{1,2}}[、．.])$")


def _ordinal(style: str, label: str) -> int:
    if style == "circle":
        return _CIRCLED.index(label) + 1
    if label.isdigit():
        return int(label)
    return cn_to_int(label)
def _sequence(hits: list[tuple[int, int, int]]) -> list[tuple[int, int]]:
    seq: list[tuple[int, int]] = []
    want = 1
    for s, e, n in hits:
        if n == want:
            seq.append((s, e))
            want += 1
    return seq


def inline_items(src: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans (content start, content end) of an enumeration 1, 2, 3… inside src[start:end].

    Returns [] unless at least two items in sequence are found. The first item's span
    starts after its marker; the text before it (a label or lead-in) is not included.
    一是… is preferred to （1）…, which is preferred to ①….
    """
    if not _SECOND_ITEM.search(src, start, end):  # no item 2, no enumeration
        return []
    shi: list[tuple[int, int, int]] = []
    pnum: list[tuple[int, int, int]] = []
    circle: list[tuple[int, int, int]] = []
    num: list[tuple[int, int, int]] = []
    for m in _ANY_ITEM.finditer(src, start, end):
        a = m.start()
        if m.lastgroup == "shi":
            n = _number(m.group("shi"))
            if a == start or src[a - 1] in _SHI_LEFT or (n == 1 and src[a - 1] not in _WORD_BEFORE_YI):
                shi.append((a, m.end(), n))  # (上下功夫一是…: a break lost in a crawl)
        elif m.lastgroup == "pnum":
            pnum.append((a, m.end(), int(m.group("pnum"))))
        elif m.lastgroup == "circle":
            circle.append((a, m.end(), _CIRCLED.index(m.group("circle")) + 1))
        elif a == start or src[a - 1] in _SHI_LEFT:  # 整改措施：1、…；2、…
            num.append((a, m.end(), int(m.group("num"))))
    for hits in (shi, pnum, circle, num):
        if len(hits) >= 2:
            seq = _sequence(hits)
            if len(seq) >= 2:
                return [(e, seq[k + 1][0] if k + 1 < len(seq) else end) for k, (s, e) in enumerate(seq)]
    return []


def _trim(src: str, s: int, e: int) -> tuple[int, int]:
    while s < e and (src[s] in _WS or src[s] == "\n"):
        s += 1
    while e > s and (src[e - 1] in _WS or src[e - 1] in "\n；;，,、"):
        e -= 1
    return s, e


def _marker_len(src: str, content_start: int) -> int:
    """Length of the inline marker that ends at content_start (一是 / （1） / ①)."""
    m = _MARKER_BEFORE.search(src, max(0, content_start - 6), content_start)
    return m.end() - m.start() if m else 0


# --- problems ---------------------------------------------------------------------

_QUOTE_OPEN = re.compile(r"(?:关于|關於|针对|針對)\s*([“\"「『‘])")
_CLOSE_OF = {"“": "”", '"': '"', "「": "」", "『": "』", "‘": "’"}


_TITLE_TAG = re.compile(r"^【\s*(?:反馈)?问题\s*[\d一二三四五六七八九十]*\s*】\s*|^(?:反馈)?问题\s*[：:]\s*")
_TITLE_CUT = re.compile(r"【\s*整改|整改(?:情况|措施|举措)\s*[：:]")
_TITLE_FRAMED = {c: re.compile(re.escape(c) + r"\s*(?:等)?(?:方面)?(?:的)?(?:问题|問題)") for c in _CLOSE_OF.values()}
_TITLE_ZHENDUI = re.compile(r"[针針][对對](.+?)(?:的|等)?[问問]题[，,：:。]?")
_TITLE_GUANYU = re.compile(r"^(关于|關於|针对|針對)")
_TITLE_ZHENGGAI = re.compile(r"整改(?:情况|落实情况)?$")
_TITLE_ZHENGGAI_FRAME = re.compile(r"(?:方面)?(?:的|等)?(?:问题|問題)?的?整改(?:情况|落实情况)?$")
_TITLE_DE_WENTI = re.compile(r"(?:方面)?(?:的|等)(?:问题|問題)$")
_TITLE_STATUS = re.compile(r"\s*[（(](?:已完成|已整改|基本完成|正在整改|持续推进|长期坚持|整改中)[^）)]{0,6}[）)]$")


def problem_title(heading: str) -> str:
    """The problem statement of a heading: the quoted text of 关于“……”, else the heading
    without its framing (关于…的问题, 问题：, 【问题】, …问题的整改)."""
    h = heading.strip(_WS)
    h = _TITLE_TAG.sub("", h)
    h = _TITLE_CUT.split(h, 1)[0].strip(_WS)
    m = _QUOTE_OPEN.search(h)
    if m:
        close = _CLOSE_OF[m.group(1)]
        framed = _TITLE_FRAMED[close].search(h, m.end())
        j = framed.start() if framed else h.rfind(close)
        if j > m.end():
            return h[m.end():j].strip(_WS)
    m = _TITLE_ZHENDUI.match(h)
    if m:
        return m.group(1).strip(_WS)
    h = _TITLE_GUANYU.sub("", h)
    h = h.rstrip("。.；;：: ")
    if _TITLE_ZHENGGAI.search(h):
        h = _TITLE_ZHENGGAI_FRAME.sub("", h)
    if heading.strip(_WS).startswith(("关于", "關於")):
        h = _TITLE_DE_WENTI.sub("", h)
    h = _TITLE_STATUS.sub("", h)
    return h.rstrip("。.；;：:， ").strip(_WS)


_LABEL_LINE = re.compile(
    r"【?\s*(整改(?:情况|措施|成效|状态|结果|进展|进度|落实情况|完成情况|举措)|完成(?:情况|状态|进度)|进展情况"
    r"|问题表现|存在问题|具体问题|主要问题|反馈问题"
    r"|责任单位|责任领导|责任人|责任部门|责任科室|牵头单位|牵头领导|配合单位|整改时限|完成时限|整改期限|时限要求)"
    r"\s*(?:】\s*[：:]?|[：:])\s*")
_STATUS_LABELS = ("整改状态", "整改结果", "整改完成情况", "完成情况", "完成状态", "整改进度", "完成进度", "进展情况")
_STATUS_ONLY = re.compile(
    r"^(已|基本|正在|持续|长期|尚未|未|部分|全部|按期)?(整改)?(完成|整改到位|整改完成|推进中|整改中|落实|办结|销号|推进|坚持|整改)"
    r"(整改)?[。.；;]?$|^未到(整改)?时限[。.；;]?$")
_STATUS_LEAD = re.compile(r"(已|基本|正在)?(整改)?(完成|到位|整改到位|整改完成|办结|销号)[。.；;，,]?")
_STATUS_HEADING = re.compile(
    r"(已(?:经)?(?:全部)?(?:整改)?完成(?:整改)?|已整改到位|已整改|基本完成(?:整改)?|正在(?:整改|推进)|整改中|持续(?:整改|推进)"
    r"|需(?:要)?长期(?:坚持|推进)(?:整改)?|长期坚持|尚未完成(?:整改)?|未完成(?:整改)?)"
    r"(?:的)?(?:问题|事项|任务|整改)?")
_STATUS_TAIL = re.compile(
    r"[。；;]?\s*(?:整改状态|完成情况|整改结果|整改进度|完成状态)\s*[：:]\s*([^。；;\n]{1,16})[。；;]?\s*$")
_STATUS_CELL = re.compile(r"\s*(已|基本|正在|持续|长期)?(整改)?(完成|推进|到位|推进中|整改中|完成整改|坚持)\s*")
_INLINE_LABEL = re.compile(r"【\s*整改[^】]{0,6}】\s*[：:]?|整改(?:情况|措施|举措)\s*[：:]")
_MEASURE_LABELS = ("整改措施", "整改情况", "整改举措", "整改进展", "整改落实情况")
_RESULT_LABELS = ("整改成效", "整改结果")
_META_LABELS = ("责任单位", "责任领导", "责任人", "责任部门", "责任科室", "牵头单位", "牵头领导", "配合单位",
                "整改时限", "完成时限", "整改期限", "时限要求")  # who and by when: not measures
_PROBLEM_LABELS = ("问题表现", "存在问题", "具体问题", "主要问题", "反馈问题")
_PROBLEM_CUE = re.compile(r"关于|關於|问题|問題|针对|針對|反馈|方面|不到位|不够|不足|不严|不力|薄弱|缺失|滞后|不规范|有待|不高|不强|不实|不细")
_PROBLEM_CONTAINER = re.compile(
    r"^(巡[视察]反馈)?(意见|问题)?(的)?(整改|落实)(任务|工作)?(推进|落实|完成|进展)?(落实)?情况"
    r"|^(巡[视察])?反馈(意见|问题)(的)?(整改|具体整改|整改落实)(情况)?|问题整改(落实|完成|进展)?情况"
    r"|逐条逐项|落地见效|整改任务(推进|落实)|反馈(意见|问题)(的)?(整改|落实)")

# What a top-level section is about, from its heading...
_ORG_HEAD = re.compile(
    r"组织(领导|情况|实施|推进|开展)|整改工作(的)?(组织|开展|总体|基本|部署)|主要做法|工作开展情况|总体情况|基本情况"
    r"|政治站位|政治责任|政治任务|政治自觉|重要论述|重要指示|主体责任|高度重视|扛(起|牢|实|稳)|抓紧抓好"
    r"|思想认识|坚定不移|加强领导|强化领导|整改部署|工作机制")
_PROB_HEAD = re.compile(
    r"反馈(意见|问题)|问题(的)?整改|整改(任务)?(的)?(推进|落实|完成|进展)|整改落实|落实情况|整改情况|进展情况"
    r"|逐条逐项|落地见效|具体整改|整改任务|关于.{0,40}问题|方面(的)?问题|方面$|问题$|不到位|不够|不足|不严|不力|薄弱|滞后")
_NEXT_HEAD = re.compile(
    r"下一步|今后|下阶段|打算|工作安排|巩固|深化(巡[视察])?整改|长效|持续(推进|深化|抓好|用力|用心)|常态化"
    r"|久久为功|继续|谱写|新征程|再出发")
# ...and from its content.
_FUTURE = re.compile(r"将(?:继续|进一步|持续|坚持|不断|着力|加快|深入|全面|切实|严格|认真|始终)|下一步|今后|下阶段|继续")
_ORG_WORDS = re.compile(r"领导小组|整改方案|专题会议|民主生活会|三张清单|问题清单|任务清单|责任清单|整改台账|督促检查|督查督办|第一责任人|工作专班|对账销号")


_NEGATIVE = re.compile(r"不[够到力严实强高足细深规平全及准精]|未|缺|差距|薄弱|滞后|突出|偏[高低少多]|乏力|短板|漏洞|隐患|风险|混乱|失[职责衡]")


def _is_status_line(label: str | None, rest: str) -> bool:
    """Is a labelled line (or a bare one, label None) a status note: 整改状态：完成,
    整改进展：正在整改, 已完成。"""
    if label in _STATUS_LABELS or _STATUS_ONLY.match(rest):
        return True
    return label in ("整改进展", "整改情况") and len(rest) <= 10 and not _CLAUSE_PUNCT.search(rest.rstrip("。；;"))


def _is_container(title: str) -> bool:
    """Is a heading a generic holder of problems (二、巡察反馈问题整改落实情况), not a problem
    that happens to mention 反馈问题整改 (督察反馈问题整改推进不平衡)?"""
    head = title[:40]
    if "整改" not in head and "逐条" not in head and "落地" not in head:
        return False
    return bool(_PROBLEM_CONTAINER.search(title[:40])) and not _NEGATIVE.search(title[:60])


@dataclass
class _Problem:
    node: "_Node"
    group: str | None


class _Parse:
    """One bulletin's parse: the text, its outline and per-span results computed once."""

    def __init__(self, src: str):
        self.src = src
        self._inline: dict[tuple[int, int], list[tuple[int, int]]] = {}
        self._internal: dict[int, bool] = {}
        self._titles: dict[int, str] = {}
        self._head_status: dict[int, str | None] = {}

    def items(self, start: int, end: int) -> list[tuple[int, int]]:
        key = (start, end)
        got = self._inline.get(key)
        if got is None:
            got = self._inline[key] = inline_items(self.src, start, end)
        return got

    def heading(self, node: _Node) -> str:
        return node.heading(self.src)

    def title(self, node: _Node) -> str:
        got = self._titles.get(id(node))
        if got is None:
            got = self._titles[id(node)] = node.heading(self.src).rstrip("。.：: ").strip(_WS)
        return got

    # -- what a node is --

    def looks_like_problem(self, node: _Node) -> bool:
        return bool(_PROBLEM_CUE.search(self.src, node.content_start, min(node.line.end, node.content_start + 120)))

    def is_internal(self, node: _Node) -> bool:
        """Does this node hold further content (measures, a problem or a group), rather than
        being a measure itself?"""
        got = self._internal.get(id(node))
        if got is None:
            got = self._internal[id(node)] = self._is_internal(node)
        return got

    def _is_internal(self, node: _Node) -> bool:
        src = self.src
        if node.children:
            return True
        if node.style in ("zhendui", "tag", "row", "qlabel"):
            return True
        if not node.body:
            items = self.items(node.content_start, node.line.end)
            # 关于“X”问题。一是…二是…, or a short heading run into its 一是… (a crawl lost the break)
            return bool(items) and (self.looks_like_problem(node) or _heading_before(src, node.content_start, items))
        for k, ln in enumerate(node.body[:8]):
            lm = _LABEL_LINE.match(src, ln.start, ln.end)
            if lm and lm.group(1) not in _RESULT_LABELS and lm.group(1) not in _META_LABELS \
                    and not _is_status_line(lm.group(1), src[lm.end():ln.end].strip(_WS)):
                return True  # 整改措施：… / 问题表现：…, not a status or result line closing a measure
            if _ITEM_START.match(src, ln.start, ln.end) and _number(_first_label(src, ln.start)) == 1:
                return True
        return self.looks_like_problem(node)

    # -- sections --

    def section_kind(self, node: _Node, after_problems: bool) -> str:
        """organisation, problems or next_steps, from the heading first, then the content."""
        title = self.title(node)[:60]
        org = len(_ORG_HEAD.findall(title))
        prob = 2 * len(_PROB_HEAD.findall(title))
        nxt = 2 * len(_NEXT_HEAD.findall(title))
        if _NEXT_SURE.search(title):
            return "next_steps"
        if _ORG_SURE.search(title):
            return "organisation"
        best = max(org, prob, nxt)
        if best > 0 and [org, prob, nxt].count(best) == 1:
            return ("organisation", "problems", "next_steps")[[org, prob, nxt].index(best)]
        text = self.src[node.line.start:node.end()]
        n = max(len(text), 1)
        future = len(_FUTURE.findall(text)) * 1000 / n
        if after_problems and future >= 2 and nxt >= prob:
            return "next_steps"
        if not after_problems and len(_ORG_WORDS.findall(text)) * 1000 / n >= 2 and prob == 0 \
                and not any(self.looks_like_problem(c) for c in node.children):
            return "organisation"
        return "problems"

    # -- problems --

    def problems(self, nodes: list[_Node], group: list[str], top: bool = False) -> list[_Problem]:
        """The problems among sibling nodes of a problem section (recursively). A lone
        problem section that holds groups or problems is a container: its heading
        (二、整改落实情况) is not a group."""
        if len(nodes) == 1 and nodes[0].children and (top or _is_container(self.title(nodes[0]))):
            sub = self.problems(nodes[0].children, group)
            if sub or not top:
                return sub
        internal = sum(self.is_internal(n) for n in nodes)
        if not nodes or internal < max(1, 0.5 * len(nodes)):
            return []
        out: list[_Problem] = []
        for n in nodes:
            title = self.title(n)
            container = _is_container(title)
            sub = self.problems(n.children, group if container else group + [title]) if n.children else []
            if sub:
                out.extend(sub)
            elif not container or not n.children:
                out.append(_Problem(n, " / ".join(group) or None))
        return out

    def measures(self, node: _Node) -> tuple[list[Measure], str | None]:
        """The measures under one problem node, and its status line if the bulletin gives one."""
        src = self.src
        status: str | None = None
        segs: list[tuple[int, int]] = []  # body content with label prefixes and status lines removed
        seg_labels: list[str | None] = []
        if node.style == "row":
            segs, status = _row_segments(node, src)
            seg_labels = [None] * len(segs)
        elif head_items := self.items(node.content_start, node.line.end):
            # 针对…问题，一是…二是… on the heading line itself
            segs.append((head_items[0][0] - _marker_len(src, head_items[0][0]), node.line.end))
            seg_labels.append(None)
        elif (inline_label := _INLINE_LABEL.search(src, node.content_start, node.line.end)) \
                and inline_label.end() < node.line.end:  # 【问题】…【整改情况】… on one line
            segs.append(_trim(src, inline_label.end(), node.line.end))
            seg_labels.append("整改情况")
        elif not node.body and not node.children and (j := self.heading_end(node)) < node.line.end:
            segs.append(_trim(src, j, node.line.end))  # a heading run into its text (a crawl lost the break)
            seg_labels.append(None)
        current: str | None = None
        for ln in node.body:
            s, e = ln.start, ln.end
            m = _LABEL_LINE.match(src, s, e)
            if m:
                label, rest = m.group(1), src[m.end():e].strip(_WS)
                if label in _META_LABELS:
                    continue
                current = label
                if _is_status_line(label, rest):
                    status = rest.rstrip("。.；;") or status
                    continue
                if label in _PROBLEM_LABELS:
                    continue
                s = m.end()
                done = _STATUS_LEAD.match(rest)
                if done and label in ("整改情况", "整改进展"):
                    status = done.group(0).rstrip("。.；;，,")
                    s = m.end() + rest.index(done.group(0)) + len(done.group(0))
                s, e = _trim(src, s, e)
                if s >= e:
                    continue
            elif _STATUS_ONLY.match(src[s:e]) and (segs or node.children):
                status = src[s:e].rstrip("。.；;")
                continue
            segs.append((s, e))
            seg_labels.append(current)
        results = [sg for sg, lb in zip(segs, seg_labels) if lb in _RESULT_LABELS]
        if results and any(lb in _MEASURE_LABELS for lb in seg_labels) and \
                not self.items(results[0][0], results[-1][1]):
            # results reported beside the measures (整改成效：…) are not measures, unless they are
            # themselves the numbered items
            segs = [sg for sg, lb in zip(segs, seg_labels) if lb not in _RESULT_LABELS]
        spans: list[tuple[int, int]] = []
        if node.children:
            for c in node.children:
                cend, cstatus = self._child_end(c)
                status = cstatus or status
                inner = self.items(c.line.start, cend) if c.style in ("pnum", "num", "numparen") else []
                spans.extend(inner if len(inner) >= 2 else [(c.content_start, cend)])
        elif segs:
            spans = self.items(segs[0][0], segs[-1][1])
            if not spans:  # no numbered items: the whole body is one measure
                lone = _LONE_ITEM.match(src, segs[0][0], segs[0][1])
                if lone:  # a single item numbered (1) or 一是: drop its number
                    segs[0] = (lone.end(), segs[0][1])
                full = "\n".join(src[s:e] for s, e in segs)
                text, tail_status = _cut_status_tail(full)
                lone_measure = [Measure(1, text, segs[0][0], segs[-1][1] - (len(full) - len(text)))] if text else []
                return lone_measure, tail_status or status  # a number with nothing after it is no measure
        measures = []
        for s, e in spans:
            s, e = _trim(src, s, e)
            if e > s:
                text, tail_status = _cut_status_tail(src[s:e])
                if tail_status:
                    status = tail_status
                    s, e = _trim(src, s, s + len(text))
                    text = src[s:e]
                if text:
                    measures.append(Measure(len(measures) + 1, text, s, e))
        return measures, status

    def heading_end(self, node: _Node) -> int:
        """Where the heading of a problem stops on its line: before measures listed on the same
        line, or, for a long line with nothing under it, after its first sentence."""
        if node.style == "row":
            return _cells(node, self.src)[0][1]
        items = self.items(node.content_start, node.line.end)
        if items:
            return items[0][0] - _marker_len(self.src, items[0][0])
        if not node.body and not node.children and node.line.end - node.content_start > 80:
            j = _sentence_end(self.src, node.content_start, node.line.end)
            if j and node.line.end - j > 10:
                return j
        return node.line.end

    def _child_end(self, child: _Node) -> tuple[int, str | None]:
        """Where a measure given as a numbered child ends: before a status or result line that
        closes the problem (完成情况：已完成), which belongs to the problem, not the measure."""
        src = self.src
        end = child.end()
        if child.children:
            return end, None
        for k, ln in enumerate(child.body):
            m = _LABEL_LINE.match(src, ln.start, ln.end)
            rest = src[m.end():ln.end].strip(_WS) if m else src[ln.start:ln.end]
            if m and _is_status_line(m.group(1), rest):
                prev = child.body[k - 1].end if k else child.line.end
                return prev, rest.rstrip("。.；;") or None
            if m:  # 整改成效：… after the numbered measures reports results, not a measure
                return (child.body[k - 1].end if k else child.line.end), None
            if not m and _STATUS_ONLY.match(rest):
                prev = child.body[k - 1].end if k else child.line.end
                return prev, rest.rstrip("。.；;")
        return end, None

    def status_from_headings(self, node: _Node) -> str | None:
        """A status the problem's own heading or an enclosing heading states
        (（已完成）, 已整改完成的问题, 正在整改的问题)."""
        m = _STATUS_IN_HEADING.search(self.heading(node))
        if m:
            return m.group(1)
        p = node.parent
        while p is not None and p.line is not None:
            if id(p) not in self._head_status:
                t = self.title(p)
                m = _STATUS_HEADING.search(t) if len(t) <= 40 else None
                self._head_status[id(p)] = m.group(1) if m and _STATUS_GROUP_WORD.search(t) else None
            if self._head_status[id(p)]:
                return self._head_status[id(p)]
            p = p.parent
        return None


def _heading_before(src: str, start: int, items: list[tuple[int, int]]) -> bool:
    """Is the text before the first inline item a short heading (4–40 characters, one phrase)?"""
    lead = src[start:items[0][0] - _marker_len(src, items[0][0])]
    return 4 <= len(lead) <= 40 and not _SENTENCE_PUNCT.search(lead)


def _first_label(src: str, pos: int) -> str:
    m = _FIRST_ITEM.match(src, pos, pos + 8)
    if not m:
        return ""
    return m.group(1) or m.group(2) or m.group(3)


def _cut_status_tail(text: str) -> tuple[str, str | None]:
    """A measure ending in a status note (…。完成情况：已完成。) loses the note, kept as status."""
    base = max(0, len(text) - 40)
    if "：" not in text[base:] and ":" not in text[base:]:
        return text, None
    m = _STATUS_TAIL.search(text, base)
    if not m or m.start() == 0:
        return text, None
    return text[:m.start() + (1 if text[m.start()] in "。；;" else 0)].rstrip(_WS + "；;"), m.group(1).strip(_WS)


_CELL_SEP = re.compile(r"\t+|[ \t\u3000]*[|｜][ \t\u3000]*")


def _cells(node: _Node, src: str) -> list[tuple[int, int]]:
    """The cells of a flattened table row after its number (separated by tabs or |)."""
    out, pos = [], node.content_start
    for m in _CELL_SEP.finditer(src, node.content_start, node.line.end):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, node.line.end))
    return [(a, b) for a, b in out if b > a]


def _row_segments(node: _Node, src: str) -> tuple[list[tuple[int, int]], str | None]:
    """A flattened table row: 序号<TAB>problem<TAB>measures…[<TAB>status] (or | between cells)."""
    cells = _cells(node, src)[1:]
    status = None
    if len(cells) >= 2 and _STATUS_CELL.fullmatch(src[cells[-1][0]:cells[-1][1]]):
        status = src[cells[-1][0]:cells[-1][1]].strip(_WS)
        cells = cells[:-1]
    return [_trim(src, s, e) for s, e in cells], status


# --- trailer (contact lines, signature, page furniture) ---------------------------

_TRAILER = re.compile(
    r"(欢迎.{0,20}(监督|反映|批评)|联系(电话|方式|人)|电话[:：]?\s*\d|邮箱|信箱|邮政编码|通讯地址|通信地址|来信|来电"
    rf"|^\s*(?:{DATE.pattern})\s*$|^[（(]?此件公开发布[）)]?$"
    rf"|来源[:：]|^附件|{FURNITURE_WORD.pattern}|^(?:{FURNITURE_LINE.pattern})"
    r"|责任编辑|扫一扫|^\[[^\]]*\]\(\s*https?://|原文(链接|地址)|首发地址|转载自|^https?://\S+$)")


def _split_trailer(src: str, lines: list[_Line]) -> int:
    """Index of the first line of the trailer that closes the bulletin."""
    i = len(lines)
    while i > 0:
        t = lines[i - 1].text(src)
        if len(t) <= 200 and (_TRAILER.search(t) or (is_signature(t) and len(t) <= 40)):
            i -= 1
            continue
        break
    return i


def _split_next_steps(src: str, lines: list[_Line], marked: list) -> tuple[list[_Line], list[_Line]]:
    """An unnumbered 下一步… paragraph after the last numbered line closes the problems."""
    numbered = [i for i, m in enumerate(marked) if m]
    for i in range((numbered[-1] + 1) if numbered else len(lines), len(lines)):
        if _NEXT_PARAGRAPH.match(src, lines[i].start, lines[i].end):
            return lines[:i], lines[i:]
    return lines, []


# --- the entry points -------------------------------------------------------------

def _not_found(p: _Parse, root: _Node, kinds: dict[int, str], text: str, end: int) -> NotABulletin:
    """Say what was found when no problem was: a bulletin opening cut short, or nothing."""
    has_opening = bool(_OPENING_CUE.search(text, 0, min(end, 3000)))
    org = [k for k in kinds.values() if k == "organisation"]
    if has_opening and not any(k == "problems" for k in kinds.values()):
        what = "a bulletin opening" + (" and its organisation section" if org else "")
        return NotABulletin(f"{what} without a problem section (the text may stop before its problems)")
    if has_opening:
        return NotABulletin("a bulletin opening, but no rectification problems could be read in it")
    return NotABulletin("no rectification problems found: not a bulletin?")


# Traditional characters of the words the parser looks for, each with its simplified form.
# One character for one, so offsets into the mapped text are offsets into the original.
_T2S = str.maketrans(
    "萬與專業兩嚴個爲為舉義鄉於產從們會體黨關內寫農決況劃則別辦務動區醫協單縣發變臺號後員團國堅處夠學實對導將鞏幹並應開張強"
    "歸當徵態總掃報據數斷無時機條來樣檢歡氣沒瀏滯點狀現電監碼種穩緊級紀線組細織終經結統繼續編聯範見規視覽覺計認議訊論設評識"
    "話說説譜責賬質資轉載較輯過運還這進郵裏裡針鏈銷鎮長閉問間階項領題風饋髮係繫颱",
    "万与专业两严个为为举义乡于产从们会体党关内写农决况划则别办务动区医协单县发变台号后员团国坚处够学实对导将巩干并应开张强"
    "归当征态总扫报据数断无时机条来样检欢气没浏滞点状现电监码种稳紧级纪线组细织终经结统继续编联范见规视览觉计认议讯论设评识"
    "话说说谱责账质资转载较辑过运还这进邮里里针链销镇长闭问间阶项领题风馈发系系台")

_TRADITIONAL = re.compile("[" + "".join(chr(c) for c in _T2S) + "]")


def parse_text(text: str, bulletin_id: str = "bulletin", source_path: str = "", encoding: str = "utf-8",
               page_title: str | None = None) -> Bulletin:
    """Parse decoded bulletin text. Raises NotABulletin when no problems are found.

    Traditional-script text is read through a character-for-character simplified copy, so
    the same cues apply; every string returned is taken from the original text.
    """
    if "\x00" in text:
        text = text.replace("\x00", "")
    if not _TRADITIONAL.search(text):
        return _parse(text, bulletin_id, source_path, encoding, page_title)
    key = text.translate(_T2S)
    b = _parse(key, bulletin_id, source_path, encoding, page_title, original=text)
    return _restore_script(b, key, text)


def _restore(s: str | None, key: str, orig: str, hint: int = 0) -> str | None:
    """The original-script form of a string taken (in pieces joined by \n) from the mapped text."""
    if not s:
        return s
    out, pos = [], hint
    for piece in s.split("\n"):
        i = key.find(piece, pos)
        if i < 0:
            i = key.find(piece)
        if i < 0:
            return s
        out.append(orig[i:i + len(piece)])
        pos = i + len(piece)
    return "\n".join(out)


def _restore_script(b: Bulletin, key: str, orig: str) -> Bulletin:
    for issue in b.issues:
        issue.title = _restore(issue.title, key, orig, issue.start)
        issue.heading = _restore(issue.heading, key, orig, issue.start)
        issue.reported_status = _restore(issue.reported_status, key, orig, issue.start)
        if issue.group:
            issue.group = " / ".join(_restore(g, key, orig) for g in issue.group.split(" / "))
        for m in issue.measures:
            m.text = _restore(m.text, key, orig, m.start)
    for sec in b.sections:
        sec.title = _restore(sec.title, key, orig, sec.start)
        sec.text = _restore(sec.text, key, orig, sec.start)
    b.text = orig
    return b


def _parse(text: str, bulletin_id: str, source_path: str, encoding: str, page_title: str | None,
           original: str | None = None) -> Bulletin:
    """The parse proper, on text in which the cues are in simplified script."""
    all_lines = _lines(text)
    if not all_lines:
        raise NotABulletin("no text")
    rep = _find_repeat_lines(text, all_lines)
    lines = all_lines[:rep] if rep is not None else all_lines
    end = lines[-1].end
    if not _BULLETIN_CUE.search(text, 0, end):
        raise NotABulletin("no mention of 巡视/巡察/整改: not a rectification bulletin")
    p = _Parse(text)
    cut = _split_trailer(text, lines)
    body_lines, trailer = lines[:cut], lines[cut:]
    marks = [_match_marker(text, ln.start, ln.end) for ln in body_lines]
    body_lines, next_steps = _split_next_steps(text, body_lines, marks)
    root = _build_outline(text, body_lines, marks[:len(body_lines)])

    kinds: dict[int, str] = {}
    seen_problems = False
    for top in root.children:
        kinds[id(top)] = p.section_kind(top, seen_problems)
        seen_problems = seen_problems or kinds[id(top)] == "problems"
    region = [t for t in root.children if kinds[id(t)] == "problems"]
    found = p.problems(region, [], top=True) if region else []

    issues: list[Issue] = []
    seen: set[tuple] = set()
    for prob in found:
        node = prob.node
        measures, status = p.measures(node)
        if not measures:
            continue
        heading = text[node.content_start:p.heading_end(node)]
        title = problem_title(heading)
        key = (_norm(title), tuple(_norm(m.text) for m in measures))
        if key in seen:
            continue
        seen.add(key)
        issues.append(Issue(no=len(issues) + 1, label=node.label or None, title=title,
                            heading=heading.strip(_WS), group=prob.group,
                            start=node.line.start, end=node.end(),
                            reported_status=status or p.status_from_headings(node), measures=measures))
    if not issues:
        raise _not_found(p, root, kinds, text, end)

    sections: list[Section] = []
    if root.body:
        s, e = root.body[0].start, root.body[-1].end
        sections.append(Section("opening", "", text[s:e], s, e))
    for node in root.children:
        kind = kinds[id(node)]
        if kind == "problems":
            continue
        s, e = node.line.start, node.end()
        sections.append(Section(kind, p.title(node), text[s:e], s, e))
    if next_steps:
        s, e = next_steps[0].start, next_steps[-1].end
        sections.append(Section("next_steps", "", text[s:e], s, e))
    if trailer:
        s, e = trailer[0].start, trailer[-1].end
        sections.append(Section("closing", "", text[s:e], s, e))

    orig = original or text  # metadata reads the original script
    meta = extract_metadata(orig[:end], lines, page_title=page_title,
                            opening="\n".join(orig[s.start:s.end] for s in sections
                                              if s.kind in ("opening", "organisation")),
                            trailer=[ln.text(orig) for ln in trailer])
    stated = meta["stated"]
    cover = coverage(len(issues), stated)
    warnings = [f"{cover['problems_parsed']} problem(s) parsed, the bulletin states {cover['problems_stated']}"] \
        if cover["differs"] else []
    return Bulletin(bulletin_id=bulletin_id, source_path=source_path, encoding=encoding, **meta,
                    issues=issues, sections=sections, coverage=cover, warnings=warnings, text=text)


def coverage(n_parsed: int, stated: dict) -> dict:
    """Problems parsed against the number the bulletin states (反馈问题N个), flagged when they differ."""
    n_stated = stated.get("problems_reported")
    if not n_stated:
        return {"problems_parsed": n_parsed, "problems_stated": None, "ratio": None, "differs": None}
    return {"problems_parsed": n_parsed, "problems_stated": int(n_stated),
            "ratio": round(n_parsed / n_stated, 3), "differs": n_parsed != int(n_stated)}


def parse_source(source: Source) -> Bulletin:
    b = parse_text(source.text, source.bulletin_id, source.path, source.encoding, source.page_title)
    b.warnings = list(source.notes) + b.warnings
    return b


def parse_file(path: str | Path) -> Bulletin:
    """Read and parse one file. Raises SourceError (or NotABulletin) with a one-line reason."""
    return parse_source(read_source(path))
