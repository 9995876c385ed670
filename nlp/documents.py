"""Word, PDF and Markdown bulletins as plain text, one paragraph a line.

Bulletins are often collected as attachments. The parser reads the outline from the
numbering at the start of paragraphs, so each format is turned into paragraphs:
- Word: body paragraphs and tables in order (a table row becomes tab-separated cells),
  with the numbers of automatically numbered paragraphs written out;
- PDF: the text layer, with lines wrapped by the page width rejoined, and page numbers
  (`— 3 —`, `第3页`), running headers and footers dropped. A PDF without a text layer
  (a scan) is refused with an error that names OCR as the missing step;
- Markdown: headings, emphasis, links and list bullets reduced to their text, table
  rows to tab-separated cells.
"""
from __future__ import annotations

import io
import re
import statistics
from collections import Counter

from .errors import SourceError

# --- Word -------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_CN_NUM = "零一二三四五六七八九"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def _cn_numeral(n: int) -> str:
    if n < 10:
        return _CN_NUM[n]
    if n < 20:
        return "十" + (_CN_NUM[n % 10] if n % 10 else "")
    if n < 100:
        return _CN_NUM[n // 10] + "十" + (_CN_NUM[n % 10] if n % 10 else "")
    return str(n)


def _format_number(n: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "ideographTraditional", "japaneseCounting",
               "ideographDigital", "chineseLegalSimplified", "taiwaneseCounting", "taiwaneseCountingThousand"):
        return _cn_numeral(n)
    if fmt.startswith("decimalEnclosedCircle") and 1 <= n <= len(_CIRCLED):
        return _CIRCLED[n - 1]
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return "".join(chr(ord(c) + 0xFEE0) for c in str(n))
    if fmt in ("upperLetter", "lowerLetter") and 1 <= n <= 26:
        c = chr(ord("A") + n - 1)
        return c if fmt == "upperLetter" else c.lower()
    if fmt in ("decimalEnclosedParen", "decimalEnclosedFullstop"):
        return str(n)
    return str(n)


class _Numbering:
    """Word's automatic paragraph numbering (numbering.xml), counted as the document goes."""

    def __init__(self, doc) -> None:
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        try:
            root = doc.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for an in root.findall(f"{_W}abstractNum"):
            lvls = {}
            for lvl in an.findall(f"{_W}lvl"):
                def val(tag: str, default: str, lvl=lvl) -> str:
                    el = lvl.find(f"{_W}{tag}")
                    return el.get(f"{_W}val", default) if el is not None else default
                lvls[int(lvl.get(f"{_W}ilvl", "0"))] = (val("numFmt", "decimal"), val("lvlText", ""),
                                                        int(val("start", "1") or 1))
            abstract[an.get(f"{_W}abstractNumId")] = lvls
        for num in root.findall(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            if ref is not None:
                self.levels[num.get(f"{_W}numId")] = abstract.get(ref.get(f"{_W}val"), {})

    def label(self, num_id: str, ilvl: int) -> str:
        lvls = self.levels.get(num_id)
        if not lvls or ilvl not in lvls:
            return ""
        counts = self.counters.setdefault(num_id, {})
        fmt, text, start = lvls[ilvl]
        counts[ilvl] = counts.get(ilvl, start - 1) + 1
        for deeper in [k for k in counts if k > ilvl]:
            del counts[deeper]
        if fmt in ("bullet", "none"):
            return ""

        def level_value(m: re.Match) -> str:
            k = int(m.group(1)) - 1
            f, _t, s = lvls.get(k, ("decimal", "", 1))
            return _format_number(counts.get(k, s), f)
        return re.sub(r"%(\d)", level_value, text)


def _num_props(p, styles_cache: dict) -> tuple[str, int] | None:
    """(numId, level) of a paragraph's automatic numbering, from the paragraph or its style."""
    ppr = p.find(f"{_W}pPr")
    if ppr is not None:
        num = ppr.find(f"{_W}numPr")
        if num is not None:
            nid, lvl = num.find(f"{_W}numId"), num.find(f"{_W}ilvl")
            if nid is not None:
                return nid.get(f"{_W}val"), int(lvl.get(f"{_W}val")) if lvl is not None else 0
        style = ppr.find(f"{_W}pStyle")
        if style is not None:
            return styles_cache.get(style.get(f"{_W}val"))
    return None


def _style_numbering(doc) -> dict:
    out = {}
    try:
        styles = doc.styles.element
    except (KeyError, AttributeError):
        return out
    for st in styles.findall(f"{_W}style"):
        ppr = st.find(f"{_W}pPr")
        num = ppr.find(f"{_W}numPr") if ppr is not None else None
        if num is not None and num.find(f"{_W}numId") is not None:
            lvl = num.find(f"{_W}ilvl")
            out[st.get(f"{_W}styleId")] = (num.find(f"{_W}numId").get(f"{_W}val"),
                                           int(lvl.get(f"{_W}val")) if lvl is not None else 0)
    return out


def _para_text(p) -> str:
    parts = []
    for el in p.iter():
        tag = el.tag
        if tag == f"{_W}t" and el.text:
            parts.append(el.text)
        elif tag == f"{_W}tab":
            parts.append("\t")
        elif tag in (f"{_W}br", f"{_W}cr"):
            parts.append("\n")
        elif tag == f"{_W}delText":  # deleted text of tracked changes is not part of the document
            continue
    return "".join(parts)


def docx_to_text(data: bytes) -> str:
    """The paragraphs and table rows of a .docx file, in document order."""
    try:
        import docx  # python-docx
    except ImportError:  # pragma: no cover - a declared dependency
        raise SourceError("reading .docx needs python-docx (pip install python-docx)") from None
    try:
        doc = docx.Document(io.BytesIO(data))
    except Exception as exc:  # a damaged package: python-docx raises several kinds
        raise SourceError(f"unreadable Word file: {type(exc).__name__}") from None
    numbering = _Numbering(doc)
    style_num = _style_numbering(doc)
    lines: list[str] = []

    def paragraph(p) -> str:
        text = _para_text(p)
        props = _num_props(p, style_num)
        if props and text.strip():
            text = numbering.label(*props) + text
        return text

    def walk(container) -> None:
        for child in container:
            tag = child.tag
            if tag == f"{_W}p":
                lines.append(paragraph(child))
            elif tag == f"{_W}tbl":
                for tr in child.iter(f"{_W}tr"):
                    cells, seen = [], set()
                    for tc in tr.findall(f"{_W}tc"):
                        if id(tc) in seen:
                            continue
                        seen.add(id(tc))
                        cells.append("".join(paragraph(p) for p in tc.iter(f"{_W}p")).replace("\n", " ").strip())
                    if any(cells):
                        lines.append("\t".join(cells))
            elif tag == f"{_W}sdt":
                content = child.find(f"{_W}sdtContent")
                if content is not None:
                    walk(content)

    walk(doc.element.body)
    text = "\n".join(lines)
    if not text.strip():
        raise SourceError("Word file without text")
    return text


# --- PDF --------------------------------------------------------------------------

_PAGE_NO = re.compile(
    r"^\s*(?:[-—–－~·•]+\s*\d{1,4}\s*[-—–－~·•]+|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}|(?:page|p\.)\s*\d{1,4}(?:\s*of\s*\d{1,4})?|\d{1,4})\s*$", re.I)
_MARKER_START = re.compile(r"^\s*(?:[一二三四五六七八九十]{1,3}[、.．]|[（(]\s*[一二三四五六七八九十\d]{1,3}\s*[）)]"
                           r"|\d{1,3}\s*[、.．](?!\d)|[一二三四五六七八九十]{1,2}是|[①-⑳]|【)")
_SENTENCE_END = re.compile(r"[。；;：:！!？?”」』）)]\s*$")


def _pdf_pages(data: bytes) -> list[tuple[float, float, list[tuple[float, float, float, float, str]], bool]]:
    """Per page: (width, height, text lines as (x0, y0, x1, y1, text), has images)."""
    try:
        from pdfminer.high_level import extract_pages
        from pdfminer.layout import LAParams, LTFigure, LTImage, LTTextContainer, LTTextLine
    except ImportError:  # pragma: no cover - a declared dependency
        raise SourceError("reading PDF needs pdfminer.six (pip install pdfminer.six)") from None
    pages = []
    try:
        for page in extract_pages(io.BytesIO(data), laparams=LAParams()):
            lines, images = [], False
            stack = list(page)
            while stack:
                el = stack.pop()
                if isinstance(el, LTTextLine):
                    t = el.get_text().strip()
                    if t:
                        lines.append((el.x0, el.y0, el.x1, el.y1, t))
                elif isinstance(el, LTImage):
                    images = True
                elif isinstance(el, (LTTextContainer, LTFigure)):
                    images = images or isinstance(el, LTFigure)
                    stack.extend(el)
            lines.sort(key=lambda ln: (-round(ln[3]), ln[0]))
            pages.append((page.width, page.height, lines, images))
    except Exception as exc:  # pdfminer raises many kinds for damaged or encrypted files
        name = type(exc).__name__
        if "Password" in name or "Encrypt" in name:
            raise SourceError("encrypted PDF: decrypt it first") from None
        raise SourceError(f"unreadable PDF: {name}") from None
    return pages


def _furniture_keys(pages) -> set[str]:
    """Texts of running headers and footers: lines near the top or bottom edge that recur on
    at least half of the pages (digits ignored, so `第3页` and `第4页` count as one)."""
    if len(pages) < 2:
        return set()
    seen: Counter[str] = Counter()
    for width, height, lines, _img in pages:
        keys = {re.sub(r"\d+", "#", ln[4].replace(" ", "")) for ln in lines
                if ln[1] > 0.88 * height or ln[3] < 0.12 * height}
        seen.update(keys)
    return {k for k, n in seen.items() if n >= max(2, len(pages) / 2)}


def pdf_to_text(data: bytes) -> str:
    """The text layer of a PDF as paragraphs, without page furniture."""
    pages = _pdf_pages(data)
    if not pages:
        raise SourceError("PDF without pages")
    if not any(lines for _w, _h, lines, _i in pages):
        if any(img for *_rest, img in pages):
            raise SourceError("scanned PDF without a text layer: it needs OCR first "
                              "(e.g. `ocrmypdf --language chi_sim in.pdf out.pdf`), then parse the OCR output")
        raise SourceError("PDF without text")
    running = _furniture_keys(pages)
    body = []  # (page, x0, y0, x1, y1, text)
    for k, (width, height, lines, _img) in enumerate(pages):
        for x0, y0, x1, y1, t in lines:
            edge = y0 > 0.88 * height or y1 < 0.12 * height
            if edge and (_PAGE_NO.match(t) or re.sub(r"\d+", "#", t.replace(" ", "")) in running):
                continue
            body.append((k, x0, y0, x1, y1, t))
    if not body:
        raise SourceError("PDF without text")
    left = statistics.median_low([round(b[1]) for b in body])
    right = sorted(b[3] for b in body)[int(0.9 * (len(body) - 1))]
    widths = [(b[3] - b[1]) / len(b[5]) for b in body if len(b[5]) >= 4]
    cw = statistics.median(widths) if widths else 10.0
    pitches = [body[i - 1][2] - body[i][2] for i in range(1, len(body))
               if body[i][0] == body[i - 1][0] and 0 < body[i - 1][2] - body[i][2] < 4 * cw]
    pitch = statistics.median(pitches) if pitches else 2 * cw
    paras: list[str] = []
    prev = None
    for cur in body:
        new = True
        sep = ""
        if prev is not None:
            full = prev[3] >= right - 1.5 * cw
            # a line broken at a space ends short of the margin, but not mid-sentence at a paragraph end
            broken_at_space = not full and prev[3] >= left + 0.8 * (right - left) \
                and bool(re.search(r"[A-Za-z0-9%]$", prev[5])) and not _MARKER_START.match(cur[5])
            indented = cur[1] > left + 1.2 * cw
            gap = cur[0] == prev[0] and prev[2] - cur[2] > 1.6 * pitch
            marker = bool(_MARKER_START.match(cur[5])) and bool(_SENTENCE_END.search(prev[5]))
            new = not (full or broken_at_space) or indented or gap or marker
            if broken_at_space or (re.search(r"[A-Za-z0-9]$", prev[5]) and re.match(r"[A-Za-z]", cur[5])):
                sep = " "
        if new:
            paras.append(cur[5])
        else:
            paras[-1] += sep + cur[5]
        prev = cur
    return "\n".join(paras)


# --- Markdown ---------------------------------------------------------------------

# Block rules, applied to the whole text in order (multiline patterns).
_MD_BLOCKS = [
    (re.compile(r"(?m)^[ \t]*(?:```|~~~).*(?:\n|$)"), ""),  # code fences (their content stays)
    (re.compile(r"(?m)^[ \t]*(?:[-*_][ \t]*){3,}$"), ""),  # horizontal rules
    (re.compile(r"(?m)^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)*\|?[ \t]*$"), ""),  # table rule
    (re.compile(r"(?m)^[ \t]*(?:>[ \t]?)+"), ""),  # quotes
    (re.compile(r"(?m)^[ \t]*#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$"), lambda m: m.group(1)),  # headings
    (re.compile(r"(?m)^[ \t]*[-*+][ \t]+(?:\[[ xX]\][ \t]+)?"), ""),  # list bullets (numbers stay)
    (re.compile(r"(?m)^[ \t]*\|(.*)\|[ \t]*$"),  # table rows: tab-separated cells
     lambda m: "\t".join(c.strip() for c in m.group(1).split("|"))),
]
# Inline rules.
_MD_INLINE = [
    (re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)"), ""),  # images
    (re.compile(r"\[([^\]\n]*)\]\((?:[^()\n]|\([^)\n]*\))*\)"), lambda m: m.group(1)),  # links
    (re.compile(r"\*\*(.+?)\*\*|__(.+?)__"), lambda m: m.group(1) or m.group(2)),
    (re.compile(r"(?<![*\w])\*(?!\s)([^*\n]+?)(?<!\s)\*(?!\*)"), lambda m: m.group(1)),
    (re.compile(r"~~(.+?)~~"), lambda m: m.group(1)),
    (re.compile(r"`([^`\n]+)`"), lambda m: m.group(1)),
    (re.compile(r"<br\s*/?>", re.I), "\n"),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])"), lambda m: m.group(1)),
]
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n.*?\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)


def markdown_to_text(text: str) -> str:
    """Markdown reduced to its text: one paragraph a line, table rows as tab-separated cells."""
    text = _FRONT_MATTER.sub("", text, count=1)
    for rx, repl in _MD_BLOCKS + _MD_INLINE:
        text = rx.sub(repl, text)
    return text
