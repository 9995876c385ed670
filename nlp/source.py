"""Read a bulletin file into text: detect its encoding and, for HTML, keep the article body.

Scraped bulletins arrive as UTF-8 (with or without BOM), GB18030/GBK or Big5, and as
whole web pages. Everything downstream works on the decoded text this module returns;
for HTML that is the extracted article text, and parser offsets index into it.
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from .zh import PAGE_DATE, is_furniture

BULLETIN_SUFFIXES = (".txt", ".html", ".htm")


from .errors import SourceError  # noqa: F401  (re-exported: raised by every reader)


@dataclass
class Source:
    """A decoded bulletin: `text` is what every offset refers to."""

    bulletin_id: str
    path: str
    encoding: str
    text: str
    is_html: bool = False
    page_title: str | None = None


# Frequent characters of Chinese prose (simplified and traditional forms) and of this
# genre. A correct decoding is dense in them; a wrong one is mostly rare characters.
_COMMON = set(
    "的一是在不了有和人这這中大为為上个個国國我以要他时時来來用们們生到作地于於出就分对對成会會"
    "可主发發年动動同工也能下过過子说說产產种種面而方后後多定行学學法所民得经經十三之进進着著等部度"
    "家电電力里裡如水化高自二理起小物现現实實加量都两兩体體制机機当當使点點从從业業本去把性好应應开開"
    "合还還因由其些然前外天政四日那社义義事平形相全表间間样樣与與关關各重新线線内內数數正心反明看原又"
    "利比或但质質气氣第向道此变變条條只没沒结結解问問意建月公无無系很情者最立代已通并並提直题題党黨程"
    "展五果象员員位入常文总總次品式活设設及管特件长長求基资資级級少统統接知较較将將组組见見计計别別期"
    "根论論运運农農指区區强強放决決被干幹做必先回则則任取据據处處府研整改巡视視察督责責落风風廉纪紀委"
    "完善推项項目企持续續加保障治监監查单單位市县縣镇鎮街村省局院司"
)


def _cjk_score(text: str) -> float:
    cjk = [c for c in text if "\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff"]
    if not cjk:
        return 0.0
    return sum(c in _COMMON for c in cjk) / len(cjk)


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name) for UTF-8 (BOM or not), UTF-16 with BOM, GB18030/GBK or Big5."""
    if not data.strip():
        raise SourceError("empty file")
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                     (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError as exc:
                raise SourceError(f"cannot decode as {enc}: {exc.reason}") from None
    if b"\x00" in data[:8192]:
        raise SourceError("binary file, not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best: tuple[float, str, str] | None = None
    for enc in ("gb18030", "big5"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        score = _cjk_score(text)
        if best is None or score > best[0]:
            best = (score, text, enc)
    if best is None or best[0] < 0.2:
        raise SourceError("cannot decode text (tried UTF-8, GB18030, Big5)")
    return best[1], best[2]


def _control_ratio(text: str) -> float:
    bad = sum(1 for c in text if ord(c) < 32 and c not in "\n\r\t\f")
    return bad / max(len(text), 1)


# --- HTML -----------------------------------------------------------------------

_SKIP_TAGS = {"script", "style", "nav", "header", "footer", "aside", "form", "select",
              "button", "noscript", "iframe", "svg", "template", "object", "head"}
_BLOCK_TAGS = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "table",
               "section", "article", "ul", "ol", "blockquote", "pre", "center", "dd", "dt", "hr"}
_VOID_TAGS = {"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "wbr", "source"}
_FURNITURE_ATTR = re.compile(
    r"nav|menu|share|footer|header|breadcrumb|crumb|sidebar|copyright|toolbar|print|fontsize"
    r"|font-size|related|comment|login|search|banner|bdshare|position|location|tool", re.I)
_CONTENT_ATTR = re.compile(r"content|article|main|text|detail|zoom|trs_editor|con\b|body|conn|info", re.I)


class _Node:
    __slots__ = ("tag", "attrs", "children", "parent")

    def __init__(self, tag: str, attrs: dict[str, str], parent: "_Node | None"):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list["_Node | str"] = []


class _TreeBuilder(HTMLParser):
    """A forgiving DOM builder: enough structure to find the article and drop furniture."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("#root", {}, None)
        self.cur = self.root
        self.title: str | None = None
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        node = _Node(tag, {k: (v or "") for k, v in attrs}, self.cur)
        self.cur.children.append(node)
        if tag == "title":
            self._in_title = True
        if tag not in _VOID_TAGS:
            self.cur = node

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(_Node(tag, {k: (v or "") for k, v in attrs}, self.cur))

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        node = self.cur
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.cur = node.parent

    def handle_data(self, data):
        if self._in_title:
            self.title = ((self.title or "") + data).strip()
        self.cur.children.append(data)


def _is_furniture(node: _Node) -> bool:
    if node.tag in _SKIP_TAGS:
        return True
    attr = " ".join(node.attrs.get(k, "") for k in ("class", "id", "role"))
    return bool(attr and _FURNITURE_ATTR.search(attr) and not _CONTENT_ATTR.search(attr))


def _render(node: _Node, out: list[str]) -> None:
    for child in node.children:
        if isinstance(child, str):
            out.append(re.sub(r"[ \t\r\n]+", " ", child))
            continue
        if _is_furniture(child):
            continue
        block = child.tag in _BLOCK_TAGS or child.tag in ("td", "th")
        if block:
            out.append("\n")
        _render(child, out)
        if block:
            out.append("\n")


def _text_of(node: _Node) -> str:
    out: list[str] = []
    _render(node, out)
    lines = [ln.strip(" \u3000\xa0") for ln in "".join(out).split("\n")]
    return "\n".join(ln for ln in lines if ln)


def _cjk_count(text: str) -> int:
    return sum(1 for c in text if "\u4e00" <= c <= "\u9fff")


def _candidates(node: _Node):
    for child in node.children:
        if isinstance(child, _Node) and not _is_furniture(child):
            yield child
            yield from _candidates(child)


def html_to_text(html: str) -> tuple[str, str | None]:
    """Return the article text of a page (one paragraph a line) and the page's <title>."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    root = builder.root
    body_text = _text_of(root)
    best, best_score = None, 0
    for node in _candidates(root):
        attr = " ".join(node.attrs.get(k, "") for k in ("class", "id"))
        if node.tag == "article" or (attr and _CONTENT_ATTR.search(attr)):
            score = _cjk_count(_text_of(node))
            if score > best_score:
                best, best_score = node, score
    text = _text_of(best) if best is not None and best_score >= 0.3 * _cjk_count(body_text) else body_text
    lines = []
    for ln in text.split("\n"):
        if is_furniture(ln):
            date = PAGE_DATE.search(ln)
            if date:  # keep the publication date the furniture line carried
                lines.append(f"发布时间：{date.group(1)}")
            continue
        lines.append(ln)
    return "\n".join(lines), builder.title


def looks_like_html(text: str, path: Path) -> bool:
    if path.suffix.lower() in (".html", ".htm"):
        return True
    head = text[:2048].lower()
    return "<html" in head or "<!doctype html" in head


def read_source(path: str | Path) -> Source:
    """Decode one bulletin file; raise SourceError with a short reason if it cannot be read."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(exc.strerror or str(exc)) from None
    text, encoding = decode_bytes(data)
    if _control_ratio(text) > 0.01:
        raise SourceError("binary file, not text")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if looks_like_html(text, path):
        body, title = html_to_text(text)
        return Source(path.stem, str(path), encoding, body, True, title)
    return Source(path.stem, str(path), encoding, text)


def iter_bulletin_files(inputs: list[str | Path]) -> list[Path]:
    """Expand files and folders into a sorted list of bulletin files (folders: .txt/.html/.htm)."""
    files: list[Path] = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            files.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in BULLETIN_SUFFIXES))
        else:
            files.append(p)
    if not files:
        raise SourceError("no bulletin files (.txt, .html, .htm) in " + ", ".join(str(i) for i in inputs))
    return files
