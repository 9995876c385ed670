"""The fact sheet beside a summary: label counts, reported figures and future deadlines.

Prose summaries drop numbers; a reader checking a bulletin wants them all, each traced to
the measure (issue_no, measure_no) that states it, so that it can be verified in the text.
"""
from __future__ import annotations

import calendar
import re
from datetime import date

from .sentences import protected_spans, split_sentences
from .zh import cn_to_int, find_figures, latest_date  # noqa: F401  (find_figures: part of this module's API)

# --- deadlines and future dates -----------------------------------------------------

_PERIOD = r"(?:上半年|下半年|年底|年末|底|第?[一二三四1-4]季度|(?P<month>1[0-2]|0?[1-9])月(?:底|末|份|中旬|下旬|上旬)?)"
_TIME = re.compile(
    rf"(?P<year>20\d\d)年(?:度)?(?P<period>{_PERIOD})?(?P<suffix>前|之前|以前|内(?![审控部容设]))?"
    r"|(?P<rel>年底前|年内(?![审控部容设])|年底|(?<![临附接将])近期(?!限)|即将|(?P<n>[一二两三四五六七八九十\d]{1,2})(?P<span>年|个月)内)")
_FUTURE_CUE = re.compile(r"计划|预计|将于|将在|将|拟(?!定|提拔)|力争|争取|确保|有望|预期|目标")
_PAST_CUE = re.compile(r"已(?:于|经|在)?|业已|截至|截止")


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
            before = s[:m.start()][-12:]
            cue = _FUTURE_CUE.search(before)
            past = _PAST_CUE.search(before[-6:])
            if past and not (cue and cue.start() > len(before) - 6 + past.start()):
                continue  # 已于2023年底前完成: an act reported done, not a deadline
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

# What a bulletin may state about itself (nlp.metadata `stated`), and how readers call it.
STATED_KEYS = ("problems_reported", "problems_completed", "problems_ongoing", "measures_set", "measures_completed",
               "completion_rate", "rules_made", "funds_recovered_10k_yuan", "people_handled")
STATED_ZH = {"problems_reported": "反馈问题", "problems_completed": "已完成问题", "problems_ongoing": "推进中问题",
             "measures_set": "整改措施", "measures_completed": "已完成措施", "completion_rate": "整改完成率",
             "rules_made": "建立制度", "funds_recovered_10k_yuan": "追缴资金（万元）", "people_handled": "处理人员"}


def latest_date_in(text: str) -> date | None:
    """The latest full date (2024年5月11日, 2024-05-11, 二〇二四年五月十一日) written anywhere in text."""
    iso = latest_date(text or "")
    return date.fromisoformat(iso) if iso else None


def reference_date(dates: dict[str, str | None], text: str | None = None) -> date | None:
    """The date a bulletin speaks from: see `reference_date_and_source`."""
    return reference_date_and_source(dates, text)[0]


def reference_date_and_source(dates: dict[str, str | None], text: str | None = None) -> tuple[date | None, str | None]:
    """(date, where it came from): published, else signed, else the latest date in `dates`
    or written in the text. Without it, a bulletin's own past acts (2023年完成…) would be
    taken for future deadlines."""
    for key in ("published", "signed"):
        if dates.get(key):
            return date.fromisoformat(dates[key]), key
    known = sorted(v for v in dates.values() if v)
    candidates = [(date.fromisoformat(known[-1]), "dates")] if known else []
    in_text = latest_date_in(text or "")
    if in_text:
        candidates.append((in_text, "text"))
    return max(candidates) if candidates else (None, None)


def stated_completion(stated: dict) -> tuple[float | None, str | None]:
    """(completion the bulletin claims, 'problems' or 'measures'): its rate, or completed / total."""
    if stated.get("completion_rate") is not None:
        basis = "problems" if stated.get("problems_reported") or not stated.get("measures_set") else "measures"
        return float(stated["completion_rate"]), basis
    if stated.get("problems_reported") and stated.get("problems_completed") is not None:
        return stated["problems_completed"] / stated["problems_reported"], "problems"
    if stated.get("measures_set") and stated.get("measures_completed") is not None:
        return stated["measures_completed"] / stated["measures_set"], "measures"
    return None, None


LOW_COVERAGE = 0.5  # parsed / stated problems below which the labelled shares do not speak for the bulletin


def coverage(bulletin) -> dict:
    """Problems parsed against problems the bulletin says it was given (`bulletin.coverage` if set)."""
    cov = getattr(bulletin, "coverage", None)
    if isinstance(cov, dict) and cov.get("problems_parsed") is not None:
        return {"problems_parsed": cov.get("problems_parsed"), "problems_stated": cov.get("problems_stated"),
                "ratio": cov.get("ratio"), "flag": cov.get("flag")}
    parsed, stated = len(bulletin.issues), (bulletin.stated or {}).get("problems_reported")
    ratio = round(parsed / stated, 4) if stated else None
    return {"problems_parsed": parsed, "problems_stated": stated, "ratio": ratio,
            "flag": "low_coverage" if ratio is not None and ratio < LOW_COVERAGE else None}


def label_counts(rows: list[dict], topic, progress) -> dict:
    """Measures per topic × progress label, and the share finished overall and per topic label.

    `topic` and `progress` are the scheme's tasks (their names are the row keys), so the
    counts never depend on what a scheme calls its tasks or labels.
    """
    finished = progress.finished
    table = {t: {p: 0 for p in progress.labels} for t in topic.labels}
    for r in rows:
        table.setdefault(r[topic.name], {p: 0 for p in progress.labels})
        table[r[topic.name]][r[progress.name]] = table[r[topic.name]].get(r[progress.name], 0) + 1
    total = {t: sum(c.values()) for t, c in table.items()}
    done = {t: c.get(finished, 0) for t, c in table.items()}
    by_issue: dict = {}
    for r in rows:
        by_issue.setdefault(r["issue_no"], []).append(r[progress.name] == finished)
    return {"by_topic_progress": table, "measures_by_topic": total,
            "share_finished_by_topic": {t: round(done[t] / total[t], 4) if total[t] else None for t in table},
            "measures": len(rows), "measures_finished": sum(done.values()),
            "share_finished": round(sum(done.values()) / len(rows), 4) if rows else None,
            "problems_finished": sum(all(v) for v in by_issue.values()),
            "share_problems_finished": round(sum(all(v) for v in by_issue.values()) / len(by_issue), 4)
            if by_issue else None}


def fact_sheet(bulletin, rows: list[dict], scheme=None) -> dict:
    """Who, when, how many, what the bulletin claims and what the labels say; then its
    figures and deadlines. `rows` are its labelled measure rows."""
    from .labels import default_scheme

    scheme = scheme or default_scheme()
    topic, progress = scheme.require_roles("a fact sheet")
    ref, ref_source = reference_date_and_source(bulletin.dates or {}, bulletin.text)
    figures, deadlines = [], []
    for r in rows:
        where = {"issue_no": r["issue_no"], "measure_no": r["measure_no"],
                 topic.name: r.get(topic.name), progress.name: r.get(progress.name)}
        figures += [{**where, **f} for f in find_figures(r["text"])]
        deadlines += [{**where, **d} for d in find_deadlines(r["text"], ref)]
    for sec in bulletin.sections:
        if sec.kind == "next_steps":
            deadlines += [{"issue_no": None, "measure_no": None, "section": sec.kind, **d}
                          for d in find_deadlines(sec.text, ref)]
    stated = dict(bulletin.stated or {})
    claim, basis = stated_completion(stated)
    counts = label_counts(rows, topic, progress)
    labelled = counts["share_problems_finished"] if basis == "problems" else counts["share_finished"]
    return {"bulletin_id": bulletin.bulletin_id, "title": bulletin.title, "issuer": bulletin.issuer,
            "inspector": bulletin.inspector, "dates": dict(bulletin.dates or {}),
            "problems": len(bulletin.issues), "measures": len(rows),
            "stated": stated, "stated_completion": round(claim, 4) if claim is not None else None,
            "stated_basis": basis, "labelled_completion": labelled if claim is not None else None,
            "coverage": coverage(bulletin),
            "topic": {"task": topic.name, "name": topic.display_name,
                      "labels": {t: topic.label_name(t) for t in topic.labels}},
            "progress": {"task": progress.name, "name": progress.display_name, "finished": progress.finished,
                         "labels": {p: progress.label_name(p) for p in progress.labels}},
            **counts, "reference_date": ref.isoformat() if ref else None, "reference_date_source": ref_source,
            "figures": figures, "deadlines": deadlines}
