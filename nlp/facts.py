"""The fact sheet beside a summary: label counts, reported figures and future deadlines.

Prose summaries drop numbers; a reader checking a bulletin wants them all, each traced to
the measure (issue_no, measure_no) that states it, so that it can be verified in the text.
"""
from __future__ import annotations

import calendar
import re
from datetime import date

from .sentences import protected_spans, split_sentences
from .zh import cn_to_int, find_figures  # noqa: F401  (find_figures: part of this module's API)

# --- deadlines and future dates -----------------------------------------------------

_PERIOD = r"(?:上半年|下半年|年底|年末|底|第?[一二三四1-4]季度|(?P<month>1[0-2]|0?[1-9])月(?:底|末|份|中旬|下旬|上旬)?)"
_TIME = re.compile(
    rf"(?P<year>20\d\d)年(?:度)?(?P<period>{_PERIOD})?(?P<suffix>前|之前|以前|内(?![审控部容设]))?"
    r"|(?P<rel>年底前|年内(?![审控部容设])|年底|(?<![临附接将])近期(?!限)|即将|(?P<n>[一二两三四五六七八九十\d]{1,2})(?P<span>年|个月)内)")
_FUTURE_CUE = re.compile(r"计划|预计|将于|将在|将|拟(?!定|提拔)|力争|争取|确保|有望|预期|目标")


def _period(year: int, period: str | None) -> tuple[date, date]:
    """First and last day of a stated period (2024年, 2024年上半年, 2024年三季度, 2024年5月底…)."""
    if not period:
        return date(year, 1, 1), date(year, 12, 31)
    if period in ("年底", "年末", "底"):
        return date(year, 12, 1), date(year, 12, 31)
    if period in ("上半年", "下半年"):
        return (date(year, 1, 1), date(year, 6, 30)) if period == "上半年" else (date(year, 7, 1), date(year, 12, 31))
    m = re.match(r"第?([一二三四1-4])季度", period)
    if m:
        q = cn_to_int(m.group(1))
        return date(year, 3 * q - 2, 1), date(year, 3 * q, calendar.monthrange(year, 3 * q)[1])
    month = int(re.match(r"\d+", period).group())
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    y, m = d.year + y, m + 1
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def find_deadlines(text: str, ref: date | None) -> list[dict]:
    """Future dates and deadlines in text: 2025年全面达到…, 计划2024年三季度开工, 年底前, 近期….

    `ref` is the bulletin's own date. A dated period that starts after `ref` is future; one
    that has begun by then (this year, 2024年上半年 in May) only with a future cue
    (计划, 预计, 将, 力争…) before it in the same sentence or a 前/内 after it, since
    "2024年上半年审结案件68件" reports results so far. Dates inside 《…》 name documents.
    """
    out = []
    for sent in split_sentences(text, semicolons=True):
        s = sent.text
        titles = [(a, b) for a, b in protected_spans(s) if s[a] == "《"]
        for m in _TIME.finditer(s):
            if any(a < m.start() < b for a, b in titles):
                continue
            cue = _FUTURE_CUE.search(s[:m.start()][-12:])
            has_cue = bool(cue) or bool(m.group("suffix"))
            due: date | None = None
            if m.group("year"):
                begin, due = _period(int(m.group("year")), m.group("period"))
                future = (ref is None or due > ref) and (has_cue or (ref is not None and begin > ref))
            else:
                rel, n_txt = m.group("rel"), m.group("n")
                if rel in ("年底前", "年内", "年底") and ref:
                    due = date(ref.year, 12, 31)
                elif n_txt and ref:
                    n = cn_to_int(n_txt)
                    if n:
                        due = date(ref.year + n, ref.month, min(ref.day, 28)) if m.group("span") == "年" \
                            else _add_months(ref, n)
                future = rel in ("年底前", "年内", "近期", "即将") or bool(n_txt) or has_cue
            if future:
                out.append({"text": m.group(0), "due": due.isoformat() if due else None,
                            "cue": cue.group(0) if cue else None, "context": s,
                            "offset": sent.start + m.start()})
    return out


# --- the sheet ---------------------------------------------------------------------

def reference_date(dates: dict[str, str | None]) -> date | None:
    """The date a bulletin speaks from: published, else signed, else the latest it states."""
    for key in ("published", "signed"):
        if dates.get(key):
            return date.fromisoformat(dates[key])
    known = sorted(v for v in dates.values() if v)
    return date.fromisoformat(known[-1]) if known else None


def label_counts(rows: list[dict], domains: list[str] | None = None,
                 statuses: list[str] | None = None) -> dict:
    """Measures per domain × status, and the share reported done overall and per domain."""
    domains = domains or sorted({r["domain"] for r in rows})
    statuses = statuses or sorted({r["status"] for r in rows})
    table = {d: {s: 0 for s in statuses} for d in domains}
    for r in rows:
        table.setdefault(r["domain"], {s: 0 for s in statuses})
        table[r["domain"]][r["status"]] = table[r["domain"]].get(r["status"], 0) + 1
    total = {d: sum(c.values()) for d, c in table.items()}
    done = {d: c.get("done", 0) for d, c in table.items()}
    return {"by_domain_status": table, "measures_by_domain": total,
            "share_done_by_domain": {d: round(done[d] / total[d], 4) if total[d] else None for d in table},
            "measures": len(rows),
            "share_done": round(sum(done.values()) / len(rows), 4) if rows else None}


def fact_sheet(bulletin, rows: list[dict], domains: list[str] | None = None,
               statuses: list[str] | None = None) -> dict:
    """Counts, figures and deadlines of one bulletin; `rows` are its labelled measure rows."""
    ref = reference_date(bulletin.dates)
    figures, deadlines = [], []
    for r in rows:
        where = {"issue_no": r["issue_no"], "measure_no": r["measure_no"],
                 "domain": r.get("domain"), "status": r.get("status")}
        figures += [{**where, **f} for f in find_figures(r["text"])]
        deadlines += [{**where, **d} for d in find_deadlines(r["text"], ref)]
    for sec in bulletin.sections:
        if sec.kind == "next_steps":
            deadlines += [{"issue_no": None, "measure_no": None, "section": sec.kind, **d}
                          for d in find_deadlines(sec.text, ref)]
    return {"bulletin_id": bulletin.bulletin_id, "reference_date": ref.isoformat() if ref else None,
            "problems": len(bulletin.issues), **label_counts(rows, domains, statuses),
            "stated": dict(bulletin.stated), "figures": figures, "deadlines": deadlines}


# Chinese display names of the default scheme's labels (tables, charts, reports).
LABEL_ZH = {"party_building": "党的建设", "economy": "经济发展", "safety": "安全生产",
            "environment": "生态环境", "soe_governance": "国企治理", "other": "其他",
            "done": "已完成", "ongoing": "推进中", "planned": "计划中"}
