"""Bulletin metadata: title, issuer, inspection team, dates and the totals a bulletin states.

Kept apart from the outline parser because these are found by patterns over the
opening and closing lines, not by the numbering.
"""
from __future__ import annotations

import re

_DATE = re.compile(r"(\d{4})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*日?")
_PERIOD = re.compile(
    r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?\s*(?:至|到|—|－|-|~|～)\s*"
    r"(?:(\d{4})\s*年\s*)?(?:(\d{1,2})\s*月\s*)?(\d{1,2})\s*日")
_INSPECTOR = re.compile(
    r"((?:中央|省委|市委|县委|区委|州委|旗委|盟委|[\u4e00-\u9fff]{2,8}?(?:省|市|县|区|州|旗)委|集团党委|党委|党组)"
    r"[\u4e00-\u9fff]{0,8}?第?[一二三四五六七八九十\d]*(?:轮)?(?:联动|专项|机动)?(?:巡视|巡察)(?:组|工作组))")
_ISSUER_TAIL = r"(委员会|党委|党工委|党组|工委|委|局|院|公司|政府|办公室|中心|大学|学院|学校|医院|街道|镇|乡|村|法院|检察院|联合会|协会|集团)"
_SIGNATURE = re.compile(rf"^(中共)?[\u4e00-\u9fff（）()]{{2,40}}{_ISSUER_TAIL}$")


def iso(y: str | int, m: str | int, d: str | int) -> str | None:
    y, m, d = int(y), int(m), int(d)
    if not (1949 <= y <= 2100 and 1 <= m <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{m:02d}-{d:02d}"


def _first_date(text: str) -> str | None:
    for m in _DATE.finditer(text):
        d = iso(*m.groups())
        if d:
            return d
    return None


def _title(lines: list[str], page_title: str | None) -> str | None:
    for k, t in enumerate(lines[:8]):
        if re.search(r"[>＞»]|^(首页|当前位置|发布时间|来源|浏览)", t):
            continue
        if re.search(r"通报|整改|情况|公告|公示", t) and len(t) <= 80 and not re.match(r"(根据|按照)", t):
            prev = lines[k - 1].strip() if k else ""
            if t.startswith("关于") and _SIGNATURE.match(prev) and len(prev) <= 40:
                return prev + t  # the issuer on its own line above 关于…的通报
            return t
    if page_title:
        return re.split(r"[_|\-–—]{1,2}\s*[^_|\-–—]*$", page_title)[0].strip() or page_title
    return lines[0] if lines else None


def _issuer(trailer: list[str], title: str | None) -> str | None:
    for t in reversed(trailer):
        t = t.strip()
        if _SIGNATURE.match(t) and len(t) <= 40:
            return t
    if title:
        m = re.match(r"(.{2,40}?)关于", title)
        if m:
            return m.group(1).strip("　 ")
    return None


_NUM = r"(\d+(?:\.\d+)?)"
_STATED = {
    "problems_reported": rf"(?:反馈|指出|交办)(?:的)?(?:问题|意见)(?:共)?{_NUM}\s*(?:个|条|项|方面)",
    "problems_completed": rf"(?:已|已经)(?:全部)?(?:完成|整改到位|整改完成)(?:整改)?(?:问题)?{_NUM}\s*(?:个|条|项)",
    "problems_ongoing": rf"(?:正在(?:整改|推进)|持续(?:整改|推进)|整改中|基本完成)(?:的)?(?:问题)?{_NUM}\s*(?:个|条|项)",
    "completion_rate": rf"(?:整改)?完成率(?:为|达到|达)?{_NUM}\s*%",
    "measures_set": rf"(?:制定|明确)?(?:整改)?(?:具体)?(?:措施|举措){_NUM}\s*(?:条|项|个)",
    "rules_made": rf"(?:建立|制定|出台)(?:健全|完善|修订)*(?:各项|相关)?制度{_NUM}\s*(?:项|个|份|件)",
    "funds_recovered_10k_yuan": rf"(?:追缴|挽回|收回|退还|清退)(?:各类)?(?:资金|经济损失|款项)?{_NUM}\s*万元",
}
_FIGURE = re.compile(rf"([\u4e00-\u9fff]{{2,8}}?){_NUM}\s*(亿元|万元|元|万㎡|平方米|亩|个|项|条|家|人次|人|件|次|%)")


def stated_totals(text: str) -> dict[str, float | int]:
    """Totals a bulletin states about its own rectification (反馈问题25个，已完成整改19个…)."""
    out: dict[str, float | int] = {}
    for key, rx in _STATED.items():
        m = re.search(rx, text)
        if m:
            v = float(m.group(1))
            out[key] = int(v) if v.is_integer() and key != "completion_rate" else v
    if "completion_rate" in out:
        out["completion_rate"] = round(float(out["completion_rate"]) / 100, 4)
    return out


def extract_metadata(text: str, lines, page_title: str | None = None, opening: str = "",
                     trailer: list[str] | None = None) -> dict:
    """Metadata found in the opening and closing lines of a parsed bulletin."""
    trailer = trailer or []
    line_texts = [text[ln.start:ln.end] for ln in lines]
    title = _title(line_texts, page_title)
    head = "\n".join(line_texts[:12])
    m = _INSPECTOR.search(head) or _INSPECTOR.search(text[:3000])
    inspector = m.group(1) if m else None
    dates: dict[str, str | None] = {"inspection_start": None, "inspection_end": None,
                                    "feedback": None, "published": None, "signed": None}
    p = _PERIOD.search(head)
    if p:
        y1, m1, d1, y2, m2, d2 = p.groups()
        dates["inspection_start"] = iso(y1, m1, d1)
        dates["inspection_end"] = iso(y2 or y1, m2 or m1, d2)
    f = re.search(r"(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)[^。；]{0,30}?反馈", head) or \
        re.search(r"反馈[^。；]{0,20}?(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)", head)
    if f:
        dates["feedback"] = _first_date(f.group(1))
    pub = re.search(r"(?:发布|发表|时间|日期)[^\d\n]{0,6}(\d{4}\s*[年\-/.]\s*\d{1,2}\s*[月\-/.]\s*\d{1,2})", head)
    if pub:
        dates["published"] = _first_date(pub.group(1) + "日")
    if not dates["published"]:  # （2024年3月15日） under the title
        for t in line_texts[:6]:
            if re.fullmatch(r"\s*[（(]\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*[）)]\s*", t):
                dates["published"] = _first_date(t)
                break
    for t in reversed(trailer):
        if re.fullmatch(r"\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*", t):
            dates["signed"] = _first_date(t)
            break
    stated = stated_totals(opening or head)
    figures = [{"label": fm.group(1), "value": float(fm.group(2)), "unit": fm.group(3)}
               for fm in _FIGURE.finditer(opening or head)]
    return {"title": title, "issuer": _issuer(trailer, title), "inspector": inspector,
            "dates": dates, "stated": stated, "figures": figures}
