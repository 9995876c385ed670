"""Parse a rectification bulletin into metadata, problems ("issues") and their measures.

The parser reads the outline the bulletin's own numbering gives (一、 （一） 1. （1） ① …),
decides which outline level holds the problems, and splits each problem's body into
measures, also where they are enumerated inside one paragraph (一是…二是…, （1）…（2）…).
Every measure keeps `start`/`end` offsets into the decoded text (`Source.text`).
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from .metadata import extract_metadata
from .source import Source, SourceError, read_source
from .zh import CN_DIGITS, DATE, FURNITURE_LINE, FURNITURE_WORD, cn_to_int, is_signature


_BULLETIN_CUE = re.compile(r"巡视|巡察|整改|巡視|整改")


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
    text: str = field(repr=False, default="")

    def to_dict(self, with_text: bool = False) -> dict:
        d = asdict(self)
        if not with_text:
            d.pop("text")
        return d

    @property
    def n_measures(self) -> int:
        return sum(len(i.measures) for i in self.issues)


# --- lines and outline markers --------------------------------------------------

_WS = " \t\u3000\xa0\u2002\u2003\u200b\ufeff"
_CN = "一二三四五六七八九十百零〇两"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

# (style, regex) for a marker at the start of a line. Order matters: first match wins.
_MARKERS = [
    ("tag", re.compile(r"(?=【\s*(?:反馈)?问题\s*[\d一二三四五六七八九十]*\s*】)")),
    ("row", re.compile(r"(\d{1,3})\t+(?=\S)")),
    ("wenti", re.compile(rf"问题\s*(\d{{1,3}}|[{_CN}]{{1,3}})\s*[：:、.．]\s*")),
    ("pcn", re.compile(rf"[（(]\s*([{_CN}]{{1,3}})\s*[）)]\s*[、.．]?\s*")),
    ("pnum", re.compile(r"[（(]\s*(\d{1,3})\s*[）)]\s*[、.．]?\s*")),
    ("cn", re.compile(rf"([{_CN}]{{1,3}})\s*[、.．]\s*")),
    ("num", re.compile(r"(\d{1,3})\s*(?:[、．]|\.(?!\d))\s*")),
    ("numparen", re.compile(r"(\d{1,3})\s*[)）]\s*")),
    ("zhendui", re.compile(r"(?=针对.{0,120}?问题)")),
]

_LABEL_LINE = re.compile(
    r"【?\s*(整改(?:情况|措施|成效|状态|结果|进展|落实情况|完成情况|举措)|问题表现|存在问题|具体问题|主要问题|反馈问题)"
    r"\s*(?:】\s*[：:]?|[：:])\s*")
_STATUS_ONLY = re.compile(
    r"^(已|基本|正在|持续|长期)?(整改)?(完成|整改到位|整改完成|推进中|整改中|落实|办结|销号)[。.；;]?$")

_NON_PROBLEM_SECTION = re.compile(
    r"(整改工作(的)?(组织|开展)|组织(领导|情况|实施)|主要做法|工作开展情况|总体情况|基本情况|整改工作情况$"
    r"|下一步|今后|工作打算|工作安排|深化整改|巩固(整改)?成果|长效机制建设|持续整改"
    r"|提高政治站位|扛(起|牢|实)|政治责任$)")
_PROBLEM_CONTAINER = re.compile(
    r"^(巡[视察]反馈)?(意见|问题)?(的)?(整改|落实)(任务|工作)?(推进|落实|完成|进展)?(落实)?情况"
    r"|^(巡[视察])?反馈(意见|问题)(的)?(整改|具体整改|整改落实)(情况)?|问题整改(落实|完成|进展)?情况")
_PROBLEM_CUE = re.compile(r"关于|關於|问题|問題|针对|針對|反馈|方面|不到位|不够|不足|不严|不力|薄弱|缺失|滞后|不规范|有待|不高|不强|不实|不细")


@dataclass
class _Line:
    start: int
    end: int

    def text(self, src: str) -> str:
        return src[self.start:self.end]


def _lines(text: str, start: int = 0, end: int | None = None) -> list[_Line]:
    """Non-empty paragraphs of text[start:end], offsets trimmed of surrounding white space."""
    end = len(text) if end is None else end
    out = []
    for m in re.finditer(r"[^\n]+", text[start:end]):
        s, e = start + m.start(), start + m.end()
        while s < e and text[s] in _WS:
            s += 1
        while e > s and text[e - 1] in _WS:
            e -= 1
        if e > s:
            out.append(_Line(s, e))
    return out


def _match_marker(text: str, pos: int, end: int) -> tuple[str, str, int] | None:
    """(style, label, offset where the content starts) for a marker at text[pos:]."""
    for style, rx in _MARKERS:
        m = rx.match(text, pos, end)
        if m:
            if m.end() == pos:  # a look-ahead marker (针对…问题, 【问题】): the heading starts here
                return style, "", pos
            if m.end() >= end:  # a bare marker with nothing after it is not a heading
                continue
            return style, m.group(1), m.end()
    return None


# --- duplicate copies -------------------------------------------------------------

def _norm(s: str) -> str:
    return re.sub(rf"[\s{_WS}]+", "", s)


def find_repeat(text: str) -> int | None:
    """If the text holds the same bulletin twice in a row, the offset where the copy starts.

    Compares paragraphs, not characters: the copy must repeat at least 90% of the first
    copy's text, paragraph by paragraph and in order.
    """
    lines = _lines(text)
    keys = [_norm(ln.text(text)) for ln in lines]
    firsts = [i for i in range(min(20, len(keys))) if len(keys[i]) >= 8][:5]
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
                return lines[j].start
    return None


# --- outline ----------------------------------------------------------------------

@dataclass
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


def _build_outline(src: str, lines: list[_Line]) -> _Node:
    root = _Node("root", "", None, 0, depth=-1)
    stack: list[_Node] = [root]
    styles: list[str] = []
    for ln in lines:
        mk = _match_marker(src, ln.start, ln.end)
        if mk is None:
            stack[-1].body.append(ln)
            continue
        style, label, cstart = mk
        if style in styles:
            del styles[styles.index(style) + 1:]
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

_INLINE = [
    ("shi", re.compile(rf"(?:(?<=^)|(?<=[。；;，,：:！!？?\s”\"）)]))([{CN_DIGITS}]{{1,2}})是")),
    ("pnum", re.compile(r"[（(]\s*(\d{1,2})\s*[）)]")),
    ("circle", re.compile(rf"([{_CIRCLED}])")),
]


def _ordinal(style: str, label: str) -> int:
    if style == "circle":
        return _CIRCLED.index(label) + 1
    if label.isdigit():
        return int(label)
    return cn_to_int(label)


def inline_items(src: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans (content start, content end) of an enumeration 1, 2, 3… inside src[start:end].

    Returns [] unless at least two items in sequence are found. The first item's span
    starts after its marker; the text before it (a label or lead-in) is not included.
    """
    seg = src[start:end]
    for _style, rx in _INLINE:
        hits = [(m.start(), m.end(), _ordinal(_style, m.group(1))) for m in rx.finditer(seg)]
        seq: list[tuple[int, int]] = []
        want = 1
        for s, e, n in hits:
            if n == want:
                seq.append((s, e))
                want += 1
        if len(seq) >= 2:
            spans = []
            for k, (s, e) in enumerate(seq):
                stop = seq[k + 1][0] if k + 1 < len(seq) else len(seg)
                spans.append((start + e, start + stop))
            return spans
    return []


def _trim(src: str, s: int, e: int) -> tuple[int, int]:
    while s < e and (src[s] in _WS or src[s] == "\n"):
        s += 1
    while e > s and (src[e - 1] in _WS or src[e - 1] in "\n；;，,、"):
        e -= 1
    return s, e


# --- problems ---------------------------------------------------------------------

def problem_title(heading: str) -> str:
    """The problem statement of a heading: the quoted text of 关于“……”, else the heading
    without its framing (关于…的问题, 问题：, 【问题】, …问题的整改)."""
    h = heading.strip(_WS)
    h = re.sub(r"^【\s*(?:反馈)?问题\s*[\d一二三四五六七八九十]*\s*】\s*|^(?:反馈)?问题\s*[：:]\s*", "", h)
    h = re.split(r"【\s*整改|整改(?:情况|措施|举措)\s*[：:]", h)[0].strip(_WS)
    m = re.search(r"(?:关于|關於|针对|針對)\s*([“\"「『‘])", h)
    if m:
        close = {"“": "”", '"': '"', "「": "」", "『": "』", "‘": "’"}[m.group(1)]
        framed = re.search(re.escape(close) + r"\s*(?:等)?(?:方面)?(?:的)?(?:问题|問題)", h[m.end():])
        j = m.end() + framed.start() if framed else h.rfind(close)
        if j > m.end():
            return h[m.end():j].strip(_WS)
    m = re.match(r"[针針][对對](.+?)(?:的|等)?[问問]题[，,：:。]?", h)
    if m:
        return m.group(1).strip(_WS)
    h = re.sub(r"^(关于|關於|针对|針對)", "", h)
    h = h.rstrip("。.；;：: ")
    h = re.sub(r"(?:方面)?(?:的|等)?(?:问题|問題)?的?整改(?:情况|落实情况)?$", "", h) if re.search(r"整改(?:情况|落实情况)?$", h) else h
    if heading.strip(_WS).startswith(("关于", "關於")):
        h = re.sub(r"(?:方面)?(?:的|等)(?:问题|問題)$", "", h)
    return h.rstrip("。.；;：:， ").strip(_WS)


def _looks_like_problem(node: _Node, src: str) -> bool:
    return bool(_PROBLEM_CUE.search(node.heading(src)[:120]))


def _is_internal(node: _Node, src: str) -> bool:
    """Does this node hold further content (a problem or group), rather than being a measure?"""
    if node.children:
        return True
    if not node.body:
        return node.style in ("zhendui", "tag", "row") or bool(inline_items(src, node.content_start, node.line.end)) \
            and _looks_like_problem(node, src)
    first = src[node.body[0].start:node.body[0].end]
    return bool(_LABEL_LINE.match(first) or re.match(r"[一二]是", first) or _looks_like_problem(node, src))


def _section_title(node: _Node, src: str) -> str:
    return node.heading(src).rstrip("。.：: ").strip(_WS)


def _problem_nodes(root: _Node, src: str) -> tuple[list[_Node], list[_Node]]:
    """Split the outline into problem nodes and non-problem top-level sections."""
    region: list[_Node] = []
    other: list[_Node] = []
    for top in root.children:
        title = _section_title(top, src)
        if _NON_PROBLEM_SECTION.search(title[:40]) and not _PROBLEM_CONTAINER.search(title[:40]):
            other.append(top)
        else:
            region.append(top)
    nodes = [n for top in region for n in [top, *top.walk()]]
    nodes = [n for n in nodes if not (n.style == "shi" and n.parent is root)]
    by_depth: dict[int, list[_Node]] = {}
    for n in nodes:
        by_depth.setdefault(n.depth, []).append(n)
    problem_depth = None
    for depth in sorted(by_depth):
        level = [n for n in by_depth[depth] if not _PROBLEM_CONTAINER.search(_section_title(n, src)[:40])]
        if not level:
            continue
        internal = sum(_is_internal(n, src) for n in level)
        if internal >= max(1, 0.5 * len(level)):
            problem_depth = depth
    if problem_depth is None:
        return [], other
    problems = [n for n in nodes if n.depth == problem_depth
                and not _PROBLEM_CONTAINER.search(_section_title(n, src)[:40])
                and (_is_internal(n, src) or n.parent is root or n.parent.depth < problem_depth)]
    return problems, other


def _group_of(node: _Node, src: str) -> str | None:
    parts = []
    p = node.parent
    while p is not None and p.line is not None:
        title = _section_title(p, src)
        if not _PROBLEM_CONTAINER.search(title[:40]):
            parts.append(title)
        p = p.parent
    return " / ".join(reversed(parts)) or None


_MEASURE_LABELS = ("整改措施", "整改情况", "整改举措", "整改进展", "整改落实情况")
_RESULT_LABELS = ("整改成效", "整改结果", "整改完成情况")
_STATUS_CELL = re.compile(r"\s*(已|基本|正在|持续|长期)?(整改)?(完成|推进|到位|推进中|整改中|完成整改|坚持)\s*")
_INLINE_LABEL = re.compile(r"【\s*整改[^】]{0,6}】\s*[：:]?|整改(?:情况|措施|举措)\s*[：:]")


def _row_segments(node: _Node, src: str) -> tuple[list[tuple[int, int]], str | None]:
    """A flattened table row: 序号<TAB>problem<TAB>measures…[<TAB>status]."""
    cells = [(node.content_start + m.start(), node.content_start + m.end())
             for m in re.finditer(r"[^\t]+", src[node.content_start:node.line.end])][1:]
    status = None
    if len(cells) >= 2 and _STATUS_CELL.fullmatch(src[cells[-1][0]:cells[-1][1]]):
        status = src[cells[-1][0]:cells[-1][1]].strip(_WS)
        cells = cells[:-1]
    return [_trim(src, s, e) for s, e in cells], status


def _measures_of(node: _Node, src: str) -> tuple[list[Measure], str | None]:
    """The measures under one problem node, and its status line if the bulletin gives one."""
    status: str | None = None
    segs: list[tuple[int, int]] = []  # body content with label prefixes and status lines removed
    seg_labels: list[str | None] = []
    if node.style == "row":
        segs, status = _row_segments(node, src)
        seg_labels = [None] * len(segs)
    elif head_items := inline_items(src, node.content_start, node.line.end):
        # 针对…问题，一是…二是… on the heading line itself
        segs.append((head_items[0][0] - _marker_len(src, head_items[0][0]), node.line.end))
        seg_labels.append(None)
    elif (inline_label := _INLINE_LABEL.search(src, node.content_start, node.line.end)) \
            and inline_label.end() < node.line.end:  # 【问题】…【整改情况】… on one line
        segs.append(_trim(src, inline_label.end(), node.line.end))
        seg_labels.append("整改情况")
    current: str | None = None
    for ln in node.body:
        s, e = ln.start, ln.end
        m = _LABEL_LINE.match(src, s, e)
        if m:
            label, rest = m.group(1), src[m.end():e].strip(_WS)
            current = label
            done = re.match(r"(已|基本|正在)?(整改)?(完成|到位|整改到位|整改完成|办结|销号)[。.；;，,]?", rest)
            if label in ("整改状态", "整改结果") or _STATUS_ONLY.match(rest):
                status = rest.rstrip("。.；;")
                continue
            if label in ("问题表现", "存在问题", "具体问题", "主要问题", "反馈问题"):
                continue
            s = m.end()
            if done and label in ("整改情况", "整改进展"):
                status = done.group(0).rstrip("。.；;，,")
                s = m.end() + rest.index(done.group(0)) + len(done.group(0))
            s, e = _trim(src, s, e)
            if s >= e:
                continue
        segs.append((s, e))
        seg_labels.append(current)
    results = [sg for sg, lb in zip(segs, seg_labels) if lb in _RESULT_LABELS]
    if results and any(lb in _MEASURE_LABELS for lb in seg_labels) and \
            not inline_items(src, results[0][0], results[-1][1]):
        # results reported beside the measures (整改成效：…) are not measures, unless they are
        # themselves the numbered items
        segs = [sg for sg, lb in zip(segs, seg_labels) if lb not in _RESULT_LABELS]
    spans: list[tuple[int, int]] = []
    if node.children:
        for c in node.children:
            inner = inline_items(src, c.line.start, c.end()) if c.style in ("pnum", "num", "numparen") else []
            spans.extend(inner if len(inner) >= 2 else [(c.content_start, c.end())])
    elif segs:
        spans = inline_items(src, segs[0][0], segs[-1][1])
        if not spans:  # no numbered items: the whole body is one measure
            lone = re.match(r"\s*(?:[（(]1[）)]|①|一是)\s*", src[segs[0][0]:segs[0][1]])
            if lone:  # a single item numbered (1) or 一是: drop its number
                segs[0] = (segs[0][0] + lone.end(), segs[0][1])
            text = "\n".join(src[s:e] for s, e in segs)
            return [Measure(1, text, segs[0][0], segs[-1][1])], status
    measures = []
    for s, e in spans:
        s, e = _trim(src, s, e)
        if e > s:
            measures.append(Measure(len(measures) + 1, src[s:e], s, e))
    return measures, status


def _marker_len(src: str, content_start: int) -> int:
    """Length of the inline marker that ends at content_start (一是 / （1） / ①)."""
    for n in (3, 4, 2, 1):
        piece = src[max(0, content_start - n):content_start]
        if re.fullmatch(rf"[{CN_DIGITS}]{{1,2}}是|[（(]\d{{1,2}}[）)]|[{_CIRCLED}]", piece):
            return n
    return 0


# --- trailer (contact lines, signature, page furniture) ---------------------------

_TRAILER = re.compile(
    r"(欢迎.{0,20}(监督|反映|批评)|联系(电话|方式|人)|电话[:：]?\s*\d|邮箱|信箱|邮政编码|通讯地址|通信地址|来信|来电"
    rf"|^\s*(?:{DATE.pattern})\s*$|^[（(]?此件公开发布[）)]?$"
    rf"|来源[:：]|^附件|{FURNITURE_WORD.pattern}|^(?:{FURNITURE_LINE.pattern}))")


def _split_trailer(src: str, lines: list[_Line]) -> int:
    """Index of the first line of the trailer that closes the bulletin."""
    i = len(lines)
    while i > 0:
        t = lines[i - 1].text(src)
        if _TRAILER.search(t) or is_signature(t):
            i -= 1
            continue
        break
    return i


def _split_next_steps(src: str, lines: list[_Line]) -> tuple[list[_Line], list[_Line]]:
    """An unnumbered 下一步… paragraph after the last numbered line closes the problems."""
    numbered = [i for i, ln in enumerate(lines) if _match_marker(src, ln.start, ln.end)]
    for i in range((numbered[-1] + 1) if numbered else len(lines), len(lines)):
        if re.match(r"(下一步|今后|下阶段)[，,：:]", lines[i].text(src)):
            return lines[:i], lines[i:]
    return lines, []


# --- the entry points -------------------------------------------------------------

def parse_text(text: str, bulletin_id: str = "bulletin", source_path: str = "", encoding: str = "utf-8",
               page_title: str | None = None) -> Bulletin:
    """Parse decoded bulletin text. Raises NotABulletin when no problems are found."""
    end = find_repeat(text) or len(text)
    lines = _lines(text, 0, end)
    if not lines:
        raise NotABulletin("no text")
    if not _BULLETIN_CUE.search(text[:end]):
        raise NotABulletin("no mention of 巡视/巡察/整改: not a rectification bulletin")
    cut = _split_trailer(text, lines)
    body_lines, trailer = lines[:cut], lines[cut:]
    body_lines, next_steps = _split_next_steps(text, body_lines)
    root = _build_outline(text, body_lines)
    problem_nodes, other_sections = _problem_nodes(root, text)

    issues: list[Issue] = []
    seen: set[tuple] = set()
    for node in problem_nodes:
        measures, status = _measures_of(node, text)
        heading = text[node.content_start:node.line.end]
        if node.style == "row":
            heading = heading.split("\t")[0]
        items = inline_items(text, node.content_start, node.line.end)
        if items:  # the heading line also holds the measures (关于“X”问题。一是…二是…)
            heading = text[node.content_start:items[0][0] - _marker_len(text, items[0][0])]
        if not measures:
            continue
        title = problem_title(heading)
        key = (_norm(title), tuple(_norm(m.text) for m in measures))
        if key in seen:
            continue
        seen.add(key)
        issues.append(Issue(no=len(issues) + 1, label=node.label or None, title=title,
                            heading=heading.strip(_WS), group=_group_of(node, text),
                            start=node.line.start, end=node.end(), reported_status=status,
                            measures=measures))
    if not issues:
        raise NotABulletin("no rectification problems found: not a bulletin?")

    sections: list[Section] = []
    if root.body:
        s, e = root.body[0].start, root.body[-1].end
        sections.append(Section("opening", "", text[s:e], s, e))
    for node in other_sections:
        s, e = node.line.start, node.end()
        kind = "next_steps" if re.search(r"下一步|今后|打算|安排", _section_title(node, text)) else "organisation"
        sections.append(Section(kind, _section_title(node, text), text[s:e], s, e))
    if next_steps:
        s, e = next_steps[0].start, next_steps[-1].end
        sections.append(Section("next_steps", "", text[s:e], s, e))
    if trailer:
        s, e = trailer[0].start, trailer[-1].end
        sections.append(Section("closing", "", text[s:e], s, e))

    before_problems = [text[:issues[0].start]] + [s.text for s in sections if s.kind == "organisation"
                                                  and s.start >= issues[0].start]
    meta = extract_metadata(text[:end], lines, page_title=page_title, opening="\n".join(before_problems),
                            trailer=[ln.text(text) for ln in trailer])
    return Bulletin(bulletin_id=bulletin_id, source_path=source_path, encoding=encoding, **meta,
                    issues=issues, sections=sections, text=text)


def parse_source(source: Source) -> Bulletin:
    return parse_text(source.text, source.bulletin_id, source.path, source.encoding, source.page_title)


def parse_file(path: str | Path) -> Bulletin:
    """Read and parse one file. Raises SourceError (or NotABulletin) with a one-line reason."""
    return parse_source(read_source(path))
