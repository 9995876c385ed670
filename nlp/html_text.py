"""The article text of a web page: navigation, share bars, counters and footers dropped.

Scraped bulletins are often whole pages. A forgiving DOM is built with the standard
library's HTMLParser, the element holding most Chinese text among those marked as content
is kept, and it is rendered one paragraph a line (table rows as tab-separated cells).
Every walk over the tree is iterative and the tree's depth is capped, so a page of deeply
nested or never-closed tags cannot exhaust the stack.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from .zh import PAGE_DATE, is_furniture

MAX_DEPTH = 256  # deeper elements are attached to the element at this depth

_SKIP_TAGS = {"script", "style", "nav", "header", "footer", "aside", "form", "select",
              "button", "noscript", "iframe", "svg", "template", "object", "head"}
_BLOCK_TAGS = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "table",
               "section", "article", "ul", "ol", "blockquote", "pre", "center", "dd", "dt", "hr"}
_CELL_TAGS = {"td", "th"}
_VOID_TAGS = {"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "wbr", "source"}
_FURNITURE_ATTR = re.compile(
    r"nav|menu|share|footer|header|breadcrumb|crumb|sidebar|copyright|toolbar|print|fontsize"
    r"|font-size|related|comment|login|search|banner|bdshare|position|location|tool", re.I)
_CONTENT_ATTR = re.compile(r"content|article|main|text|detail|zoom|trs_editor|con\b|body|conn|info", re.I)
_HAN = re.compile(r"[\u4e00-\u9fff]")
_SPACES = re.compile(r"[ \t\r\n]+")


class _Node:
    __slots__ = ("tag", "attrs", "children", "parent", "depth", "furniture", "han")

    def __init__(self, tag: str, attrs: dict[str, str], parent: "_Node | None"):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.depth = parent.depth + 1 if parent is not None else 0
        self.children: list["_Node | str"] = []
        self.furniture = _is_furniture(tag, attrs)
        self.han = 0


def _is_furniture(tag: str, attrs: dict[str, str]) -> bool:
    if tag in _SKIP_TAGS:
        return True
    attr = " ".join(attrs.get(k, "") for k in ("class", "id", "role"))
    return bool(attr and _FURNITURE_ATTR.search(attr) and not _CONTENT_ATTR.search(attr))


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
        if tag not in _VOID_TAGS and node.depth < MAX_DEPTH:
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


def _count_han(root: _Node) -> None:
    """Set `han` on every element: Chinese characters in its text outside furniture."""
    order: list[_Node] = []
    stack = [root]
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(c for c in node.children if isinstance(c, _Node))
    for node in reversed(order):  # children before parents
        node.han = sum(len(_HAN.findall(c)) if isinstance(c, str) else (0 if c.furniture else c.han)
                       for c in node.children)


def _text_of(root: _Node) -> str:
    """The text of an element, one block a line, table cells separated by tabs."""
    out: list[str] = []
    stack: list[object] = [root]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item if item in ("\n", "\t") else _SPACES.sub(" ", item))
            continue
        node: _Node = item  # type: ignore[assignment]
        if node is not root and node.furniture:
            continue
        if node.tag in _BLOCK_TAGS:
            stack.append("\n")
        elif node.tag in _CELL_TAGS:
            stack.append("\t")
        stack.extend(reversed(node.children))
        if node.tag in _BLOCK_TAGS:
            stack.append("\n")
    lines = []
    for ln in "".join(out).split("\n"):
        ln = re.sub(r" *\t[ \t]*", "\t", ln).strip(" \t\u3000\xa0")
        if ln:
            lines.append(ln)
    return "\n".join(lines)



def html_to_text(html: str) -> tuple[str, str | None]:
    """Return the article text of a page (one paragraph a line) and the page's <title>."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    root = builder.root
    _count_han(root)
    best, best_score = None, 0
    stack = [c for c in root.children if isinstance(c, _Node) and not c.furniture]
    while stack:
        node = stack.pop()
        attr = " ".join(node.attrs.get(k, "") for k in ("class", "id"))
        if (node.tag == "article" or (attr and _CONTENT_ATTR.search(attr))) and node.han > best_score:
            best, best_score = node, node.han
        stack.extend(c for c in node.children if isinstance(c, _Node) and not c.furniture)
    text = _text_of(best) if best is not None and best_score >= 0.3 * root.han else _text_of(root)
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
    if path.suffix.lower() in (".html", ".htm", ".shtml", ".xhtml"):
        return True
    head = text[:2048].lower()
    return "<html" in head or "<!doctype html" in head or ("<p" in head and "</p>" in head and "<div" in head)
