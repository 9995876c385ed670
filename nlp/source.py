"""Read bulletins into text: the files researchers collect, and the rows of crawl corpora.

Bulletins arrive as plain text in UTF-8 (with or without BOM), UTF-16, GB18030/GBK or
Big5, as whole web pages, as Word (.docx), PDF and Markdown files, and as corpus files
(JSONL, CSV, Parquet) with one bulletin per row. Everything downstream works on the text
this module returns: for a page, a document or a Markdown file that is the extracted
text, and parser offsets index into it.

Only regular files are opened (a FIFO or a device is reported, never read), every read is
bounded by a size limit, and a bad file or row becomes a `SourceError` with a short reason.
"""
from __future__ import annotations

import codecs
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .html_text import html_to_text, looks_like_html

# Files a folder is searched for (its README.md and similar notes excepted). Corpus files
# (one bulletin a row) are searched for only when the run names a text field, so a
# results.csv beside the bulletins is not read as one.
BULLETIN_SUFFIXES = (".txt", ".html", ".htm", ".md", ".markdown", ".docx", ".pdf")
CORPUS_SUFFIXES = (".jsonl", ".ndjson", ".csv", ".tsv", ".parquet")
DEFAULT_MAX_BYTES = 20 * 1000 * 1000


from .errors import SourceError  # noqa: F401  (re-exported: raised by every reader)


@dataclass
class ReadOptions:
    """How inputs are read: the corpus fields holding text and id, and the size limit."""

    text_field: str | None = None  # corpus column with the bulletin text (None: guess a usual name)
    id_field: str | None = None  # corpus column giving the bulletin id (None: file#row)
    max_bytes: int = DEFAULT_MAX_BYTES


@dataclass
class Source:
    """A decoded bulletin: `text` is what every offset refers to."""

    bulletin_id: str
    path: str
    encoding: str
    text: str
    is_html: bool = False
    page_title: str | None = None
    kind: str = "text"  # text, html, markdown, docx, pdf, or the corpus format of its row
    notes: list[str] = field(default_factory=list)  # what reading had to repair, said to the user


# --- decoding -------------------------------------------------------------------

# Frequent characters of Chinese prose (simplified and traditional forms) and of this
# genre. A correct decoding is dense in them; a wrong one is mostly rare characters.
_COMMON = frozenset(
    "的一是在不了有和人这這中大为為上个個国國我以要他时時来來用们們生到作地于於出就分对對成会會"
    "可主发發年动動同工也能下过過子说說产產种種面而方后後多定行学學法所民得经經十三之进進着著等部度"
    "家电電力里裡如水化高自二理起小物现現实實加量都两兩体體制机機当當使点點从從业業本去把性好应應开開"
    "合还還因由其些然前外天政四日那社义義事平形相全表间間样樣与與关關各重新线線内內数數正心反明看原又"
    "利比或但质質气氣第向道此变變条條只没沒结結解问問意建月公无無系很情者最立代已通并並提直题題党黨程"
    "展五果象员員位入常文总總次品式活设設及管特件长長求基资資级級少统統接知较較将將组組见見计計别別期"
    "根论論运運农農指区區强強放决決被干幹做必先回则則任取据據处處府研整改巡视視察督责責落风風廉纪紀委"
    "完善推项項目企持续續加保障治监監查单單位市县縣镇鎮街村省局院司"
)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")  # keeps \t \n \f \r
_NOT_SPACE = re.compile(rb"[^\s\x00]")
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f]")
_LINE_ENDS = re.compile(r"\r\n?|[\f\u2028\u2029\x85]")


def _cjk_score(text: str) -> float:
    """Share of common characters among the CJK characters of a sample (0 when none)."""
    cjk = _CJK.findall(text[:20000])
    if not cjk:
        return 0.0
    return sum(c in _COMMON for c in cjk) / len(cjk)


def _plausible(text: str) -> bool:
    """Is a decoding text-like: few control characters and, if CJK, mostly common ones?"""
    sample = text[:20000]
    if len(_CONTROL.findall(sample)) > 0.01 * max(len(sample), 1):
        return False
    return not _CJK.search(sample) or _cjk_score(sample) >= 0.2


def _tiny(n_bad: int, n_chars: int) -> bool:
    """Is the damage small enough to repair rather than reject: a stray byte or a few?"""
    return n_bad <= max(3, n_chars // 2000)


def _decode(data: bytes) -> tuple[str, str, list[str]]:
    """(text, encoding, notes). UTF-8 is tried first and alone decides most files."""
    if not _NOT_SPACE.search(data):
        raise SourceError("empty file")
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                     (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(enc), enc, []
            except UnicodeDecodeError as exc:
                text = data.decode(enc, errors="replace")
                n_bad = text.count("\ufffd")
                if _tiny(n_bad, len(text)):
                    return text, enc, [f"{n_bad} undecodable byte(s) replaced by U+FFFD"]
                raise SourceError(f"cannot decode as {enc}: {exc.reason}") from None
    try:
        text = data.decode("utf-8")  # the fast path: most bulletins are UTF-8
        if "\x00" not in text:
            return text, "utf-8", []
    except UnicodeDecodeError:
        text = None
    if len(data) % 2 == 0 and data.count(0) or text is None:  # UTF-16 without a BOM?
        for enc in ("utf-16-le", "utf-16-be"):
            try:
                u16 = data.decode(enc)
            except UnicodeDecodeError:
                continue
            if _CJK.search(u16[:20000]) and _plausible(u16) and _cjk_score(u16) >= 0.3:
                return u16, "utf-16", []
    if text is not None:
        return text, "utf-8", []  # NULs and other control characters are judged by the caller
    repaired = data.decode("utf-8", errors="replace")
    n_bad = repaired.count("\ufffd")
    if _tiny(n_bad, len(repaired)):
        return repaired, "utf-8", [f"{n_bad} undecodable byte(s) replaced by U+FFFD"]
    best: tuple[float, str, str, int] | None = None
    for enc in ("gb18030", "big5"):
        try:
            cand, bad = data.decode(enc), 0
        except UnicodeDecodeError:
            cand = data.decode(enc, errors="replace")
            bad = cand.count("\ufffd")
            if not _tiny(bad, len(cand)):
                continue
        score = _cjk_score(cand)
        if best is None or (score, -bad) > (best[0], -best[3]):
            best = (score, cand, enc, bad)
    if best is None or best[0] < 0.2:
        if len(_CONTROL_BYTES.findall(data[:65536])) > min(len(data), 65536) // 200:
            raise SourceError("binary file, not text")
        raise SourceError("cannot decode text (tried UTF-8, UTF-16, GB18030, Big5)")
    notes = [f"{best[3]} undecodable byte(s) replaced by U+FFFD"] if best[3] else []
    return best[1], best[2], notes


def clean_text(text: str, notes: list[str] | None = None) -> str:
    """Normalise line ends to \\n and drop NULs and other control characters.

    Raises SourceError when control characters are more than 1% of the text (binary data).
    """
    text = _LINE_ENDS.sub("\n", text) if ("\r" in text or "\f" in text or "\u2028" in text
                                          or "\u2029" in text or "\x85" in text) else text
    if _CONTROL.search(text):
        n = len(_CONTROL.findall(text))
        if n > 0.01 * len(text):
            raise SourceError("binary file, not text")
        text = _CONTROL.sub("", text)
        if notes is not None:
            notes.append(f"{n} control character(s) removed")
    return text


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name) for UTF-8 (BOM or not), UTF-16 (BOM or not), GB18030/GBK or Big5.

    Binary data raises SourceError; a few undecodable bytes are replaced by U+FFFD.
    """
    text, enc, _notes = _decode(data)
    return clean_text(text), enc


# --- files ----------------------------------------------------------------------

def _kind_of_mode(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder")):
        if test(mode):
            return name
    return "not a regular file"


def _mb(n: int) -> str:
    return f"{n / 1e6:g} MB"


def open_regular(path: str | Path):
    """Open a file for reading in binary, refusing (without blocking) anything but a regular file."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise SourceError(exc.strerror or str(exc)) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise SourceError(f"not a regular file ({_kind_of_mode(mode)}): not read")
    return os.fdopen(fd, "rb")


def read_bytes(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of a regular file, at most `max_bytes`. FIFOs and devices are refused unopened."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise SourceError(exc.strerror or str(exc)) from None
    if not stat.S_ISREG(st.st_mode):
        raise SourceError(f"not a regular file ({_kind_of_mode(st.st_mode)}): not read")
    if st.st_size > max_bytes:
        raise SourceError(f"{_mb(st.st_size)} is over the input size limit of {_mb(max_bytes)} "
                          "(raise it with --max-size)")
    with open_regular(path) as f:
        data = f.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise SourceError(f"over the input size limit of {_mb(max_bytes)} (raise it with --max-size)")
    return data


def _sniff(data: bytes, suffix: str) -> str:
    """The kind of a file from its first bytes, then its suffix."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "docx" if b"word/" in data[:65536] or suffix == ".docx" else "zip"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"
    if data.startswith(b"{\\rtf"):
        return "rtf"
    if suffix in (".md", ".markdown"):
        return "markdown"
    return "text"


def source_from_text(text: str, bulletin_id: str, path: str, encoding: str, kind: str = "text",
                     notes: list[str] | None = None, html: bool | None = None) -> Source:
    """A Source from decoded text: control characters dropped and, for a web page, the article kept."""
    notes = list(notes or [])
    text = clean_text(text, notes)
    if html if html is not None else looks_like_html(text, Path(path)):
        body, title = html_to_text(text)  # character references may decode to control characters
        return Source(bulletin_id, path, encoding, clean_text(body, notes), True, title and clean_text(title),
                      "html", notes)
    if kind == "markdown":
        from .documents import markdown_to_text
        text = markdown_to_text(text)
    return Source(bulletin_id, path, encoding, text, False, None, kind, notes)


def read_source(path: str | Path, bulletin_id: str | None = None,
                options: ReadOptions | None = None) -> Source:
    """Read one bulletin file of any supported kind; raise SourceError with a short reason."""
    options = options or ReadOptions()
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in CORPUS_SUFFIXES:
        raise SourceError(f"a corpus file ({suffix}, one bulletin a row): read it with iter_sources")
    data = read_bytes(path, options.max_bytes)
    bid = bulletin_id or path.stem
    kind = _sniff(data, suffix)
    if kind in ("docx", "pdf"):
        from . import documents
        text = documents.docx_to_text(data) if kind == "docx" else documents.pdf_to_text(data)
        return source_from_text(text, bid, str(path), kind, kind, html=False)
    if kind == "doc":
        raise SourceError("an old binary Word file (.doc): save it as .docx or PDF first")
    if kind == "zip":
        raise SourceError("a ZIP archive, not a bulletin: unpack it first")
    if kind == "rtf":
        raise SourceError("an RTF file: save it as .docx, PDF or text first")
    text, encoding, notes = _decode(data)
    return source_from_text(text, bid, str(path), encoding, kind, notes)
