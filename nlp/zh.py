"""Chinese text helpers shared by the parser, the metadata, the fact sheet and the features.

Numerals, dates, figures with their units, the words that end an issuer's name, and page
furniture are read in several places; each is written once here so that a fix (a unit,
a date form, a furniture word) reaches every reader.
"""
from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from pathlib import Path

_DATA = Path(__file__).resolve().parent / "divisions"

# --- traditional → simplified ------------------------------------------------------


@lru_cache(maxsize=1)
def _t2s() -> tuple[re.Pattern, dict[str, str]]:
    """OpenCC's one-character traditional → simplified pairs (nlp/divisions/README.md)."""
    pairs = (_DATA / "t2s.txt").read_text(encoding="utf-8").split()
    # BMP only: one astral character in the class would make the regex scan the whole list
    table = {p[0]: p[1] for p in pairs if len(p) == 2 and p[0] <= "\uffff"}
    table.update({c: str(i) for i, c in enumerate("０１２３４５６７８９")})
    table.update({"％": "%", "．": "."})
    return re.compile("[" + re.escape("".join(table)) + "]"), table


def to_simplified(text: str) -> str:
    """Character by character, so offsets stay valid: 關於縣委巡察組 → 关于县委巡察组.

    Full-width digits, ％ and ． become ASCII. For matching only: output keeps the text as
    written, sliced with the same offsets.
    """
    rx, table = _t2s()
    return rx.sub(lambda m: table[m.group()], text)


# --- numerals ------------------------------------------------------------------------

CN_DIGITS = "一二三四五六七八九十"  # the numbers of outline markers (一、 一是)
CN_NUMERALS = "〇○零一二两三四五六七八九十百千万"
_DIGIT = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "○": 0, "两": 2}
_POWER = {"十": 10, "百": 100, "千": 1000}
# A count as written: 25, 1.5, ２５ (\d is Unicode), 二十五, 两
NUMBER = rf"\d+(?:\.\d+)?|[{CN_NUMERALS}]+"


def cn_to_int(s: str) -> int:
    """Chinese numerals to int: 十二 → 12, 一百零五 → 105, 两千 → 2000, 三万五千 → 35000, and
    digit by digit where no 十/百/千 is written (二〇二四 → 2024). ASCII digits pass through."""
    s = s.strip()
    if not s:
        raise ValueError("empty numeral")
    if re.fullmatch(r"\d+", s):
        return int(s)
    if len(s) > 1 and all(c in _DIGIT for c in s):
        return int("".join(str(_DIGIT[c]) for c in s))
    total, section, cur, prev_ascii = 0, 0, 0, False
    for ch in s:
        if ch in _DIGIT:
            cur, prev_ascii = _DIGIT[ch], False
        elif ch.isascii() and ch.isdigit():
            cur = cur * 10 + int(ch) if prev_ascii else int(ch)
            prev_ascii = True
        elif ch in _POWER:
            section += (cur or 1) * _POWER[ch]
            cur, prev_ascii = 0, False
        elif ch == "万":
            total += (section + cur) * 10000
            section, cur, prev_ascii = 0, 0, False
        else:
            raise ValueError(f"not a Chinese numeral: {s!r}")
    return total + section + cur


def to_number(s: str) -> int | float:
    """A written count or amount (25, 7.132, ２５, 二十五) as int where whole, else float."""
    s = s.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", s):
        v = float(s)
        return int(v) if v.is_integer() and "." not in s else v
    return cn_to_int(s)


# --- dates ---------------------------------------------------------------------------

_CN_YEAR = "〇○零一二三四五六七八九"
_CN_MD = "一二三四五六七八九十"
DATE = re.compile(
    r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})(?!\d)\s*日?"
    r"|(?P<y2>\d{4})\s*(?P<sep>[-/.．])\s*(?P<m2>\d{1,2})\s*(?P=sep)\s*(?P<d2>\d{1,2})(?!\d)"
    rf"|(?P<y3>[{_CN_YEAR}]{{4}})\s*年\s*(?P<m3>[{_CN_MD}]{{1,2}})\s*月\s*(?P<d3>[{_CN_MD}]{{1,3}})\s*日")
_RANGE_SEP = r"\s*(?:至|到|—|－|-|~|～|–)+\s*"
_END = re.compile(  # the end of a range, with its year and month left out where they repeat
    rf"(?:(?P<y>\d{{4}}|[{_CN_YEAR}]{{4}})\s*年\s*)?(?:(?P<m>\d{{1,2}}|[{_CN_MD}]{{1,2}})\s*月\s*)?"
    rf"(?P<d>\d{{1,2}}|[{_CN_MD}]{{1,3}})\s*日")


def iso_date(y: str | int, m: str | int, d: str | int) -> str | None:
    """YYYY-MM-DD of a written date (digits or Chinese numerals), or None when it is no date."""
    try:
        y, m, d = (v if isinstance(v, int) else int(v) if v.isascii() and v.isdigit() else cn_to_int(v)
                   for v in (y, m, d))
    except ValueError:
        return None
    if not 1949 <= y <= 2100:
        return None
    try:
        return date(y, m, d).isoformat()  # 2月30日, 4月31日: no such day
    except ValueError:
        return None


def _ymd(m: re.Match) -> tuple[str, str, str]:
    g = m.groupdict()
    for a, b, c in (("y", "m", "d"), ("y2", "m2", "d2"), ("y3", "m3", "d3")):
        if g[a]:
            return g[a], g[b], g[c]
    raise AssertionError("DATE matched without a year")


def find_dates(text: str) -> list[tuple[str, int, int]]:
    """(ISO date, start, end) of every date written as 2024年5月11日, 2024-05-11, 2024.5.11,
    2024/5/11 or 二〇二四年五月十一日."""
    out = []
    for m in DATE.finditer(text):
        iso = iso_date(*_ymd(m))
        if iso:
            out.append((iso, m.start(), m.end()))
    return out


YEAR_MONTH = re.compile(r"(20\d\d)\s*年\s*(?:(\d{1,2})\s*月)?")  # 2023年, 2023年5月: a dated act, to the month


def year_months(text: str) -> list[tuple[int, int | None]]:
    """(year, month or None) of every year written as 2023年 or 2023年5月 (the month's
    precision is what a measure's deadline or completion date usually has)."""
    return [(int(y), int(m) if m else None) for y, m in YEAR_MONTH.findall(text)]


def latest_date(text: str) -> str | None:
    """The latest full date written anywhere in text, as YYYY-MM-DD."""
    return max((iso for iso, _, _ in find_dates(text)), default=None)


def first_date(text: str) -> str | None:
    found = find_dates(text)
    return found[0][0] if found else None


def date_range(text: str) -> tuple[str, str] | None:
    """The first period written as a date, a dash or 至, and its end (2023年4月17日至6月28日)."""
    for m in DATE.finditer(text):
        start = iso_date(*_ymd(m))
        sep = re.compile(_RANGE_SEP).match(text, m.end())
        if not start or not sep:
            continue
        full = DATE.match(text, sep.end())
        if full:
            end = iso_date(*_ymd(full))
        else:
            e = _END.match(text, sep.end())
            if not e:
                continue
            y, mo, _ = _ymd(m)
            end = iso_date(e.group("y") or y, e.group("m") or mo, e.group("d"))
        if end and end >= start:
            return start, end
    return None


# --- figures and units ---------------------------------------------------------------

UNITS = {
    "amount": ["亿元", "万元", "元", "亿"],
    "area": ["万平方米", "平方米", "万平米", "平米", "万㎡", "㎡", "平方公里", "亩"],
    "percent": ["%", "％", "个百分点"],
    "count": ["家次", "人次", "家", "个", "项", "人", "名", "次", "件", "处", "户", "条", "所", "份", "场", "批"],
}
UNIT_KIND = {u: k for k, us in UNITS.items() for u in us}
UNIT_KIND["万"] = "amount"  # 处罚金额1.48万, 净利润超500万的: a bare 万 that ends its phrase
_UNIT_RX = "|".join(sorted(map(re.escape, set(UNIT_KIND) - {"万"}), key=lambda u: (-len(u), u))) \
    + r"|万(?=[的，,。；;、\s)）\0]|$)"  # NUL: the end of a text in features' joined batches
FIGURE = re.compile(
    rf"(?P<pre>近|约|超过|超|逾|达|累计|共计|共)?(?<![\d.])(?P<lo>\d+[-~～—至])?(?P<num>\d+(?:\.\d+)?)\s?"
    rf"(?P<more>多|余)?(?P<unit>{_UNIT_RX})")
_CLAUSE = re.compile(r"[^，,；;。！？!?\n]+")


def find_figures(text: str) -> list[dict]:
    """Amounts, areas, percentages and counts stated in text, each with its clause."""
    clauses = [(m.start(), m.end()) for m in _CLAUSE.finditer(text)]
    out = []
    for m in FIGURE.finditer(text):
        unit = m.group("unit")
        kind = UNIT_KIND[unit]
        before = text[max(0, m.start("num") - 1):m.start("num")]
        if before == "第" or (unit == "名" and text[max(0, m.start() - 3):m.start()].endswith(("排名", "至"))):
            kind = "rank"  # 第116位, 排名提升至58名: a position, not a quantity
        value = float(m.group("num"))
        s, e = next(((a, b) for a, b in clauses if a <= m.start("num") < b), (m.start(), m.end()))
        out.append({"text": m.group(0), "value": int(value) if value.is_integer() else value,
                    "unit": unit, "kind": kind,
                    "approx": m.group("pre") in ("近", "约", "超过", "超", "逾") or bool(m.group("more") or m.group("lo")),
                    "context": text[s:e].strip(), "offset": m.start()})
    return out


# --- issuers -------------------------------------------------------------------------

# The words an issuing body's name ends with (its signature line, the head of its title).
ISSUER_SUFFIX = (r"(?:委员会|党委|党工委|党组|工委|委|局|厅|院|公司|政府|办公室|办事处|中心|大学|学院|学校|医院"
                 r"|街道|镇|乡|村|社区|法院|检察院|联合会|协会|总工会|集团)")
_SIGNATURE = re.compile(rf"(?:中共)?[\u4e00-\u9fff（）()]{{2,40}}{ISSUER_SUFFIX}")


def is_signature(line: str) -> bool:
    """Is this line (simplified or traditional script) the name of an issuing body on its own?"""
    line = line.strip()
    return len(line) <= 40 and bool(_SIGNATURE.fullmatch(to_simplified(line)))


# --- page furniture ------------------------------------------------------------------

# Words that only page furniture contains: a short line holding one is navigation,
# counters or tools, not bulletin text.
FURNITURE_WORD = re.compile(
    r"浏览(?:量|次数)|阅读(?:量|数|次数)|访问量|点击(?:量|数|率)|索引号|分享到|打印本页|关闭窗口"
    r"|【\s*(?:字体|关闭|打印|返回)|扫一扫|责任编辑")
# …and words that mark furniture at the start of a line.
FURNITURE_LINE = re.compile(
    rf"(?:{FURNITURE_WORD.pattern}|(?:【\s*)?(?:打印|关闭)(?:本页|此页|窗口)?(?=\s|$|】|\||｜)|字号|字体|上一篇|下一篇"
    r"|首页\s*[>＞»]|当前位置|附件下载)")
# The publication date a page states (发布时间：2024-05-11, 日期：2024年5月11日).
PAGE_DATE = re.compile(r"(?:发布|发表|时间|日期)[^\d\n]{0,6}(\d{4}\s*[年\-/.]\s*\d{1,2}\s*[月\-/.]\s*\d{1,2}\s*日?)")
# A line that says when and where a page was published (发布时间：…, 来源：…).
PAGE_INFO = re.compile(r"(?:发布(?:时间|日期|者)|发表时间|时间|日期|来源|信息来源|作者|编辑|供稿)\s*[:：]")


def is_furniture(line: str) -> bool:
    """A line of page furniture: it starts with a furniture word, or is short and holds one."""
    return bool(FURNITURE_LINE.match(line) or (len(line) <= 80 and FURNITURE_WORD.search(line)))
