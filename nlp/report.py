"""The comparison as one self-contained HTML page, rendered from nlp/templates/report.html.j2.

Self-contained means: no network, no installed font. The page's script and style are
inline, the measures behind every count travel with it as JSON (for drill-down), and a
subset of the shipped CJK font holding just the characters on the page is embedded as a
WOFF `@font-face`, so Chinese (Simplified or Traditional) renders on a machine without
any Chinese font.
"""
from __future__ import annotations

import base64
import io
import json
from functools import lru_cache
from pathlib import Path

TEMPLATES = Path(__file__).parent / "templates"
FONT_FAMILY = "BulletinCJK"
MAX_EMBEDDED_MEASURES = 20000  # beyond this, measure texts in the page are shortened (the CSV has them whole)


@lru_cache(maxsize=1)
def _env():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html", "j2"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["pct"] = pct
    env.filters["num"] = num
    env.filters["json_script"] = json_script
    return env


def pct(x, digits: int = 0) -> str:
    """0.7634 → 76%; None → –."""
    return "–" if x is None or x == "" else f"{100 * float(x):.{digits}f}%"


def num(x) -> str:
    if x is None or x == "":
        return "–"
    if isinstance(x, float):
        return f"{x:.3g}" if abs(x) < 1000 else f"{x:,.0f}"
    return str(x)


def json_script(data) -> str:
    """JSON for a <script type="application/json"> element: '<', '>' and '&' escaped."""
    from markupsafe import Markup

    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
                  .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def font_face(chars: str) -> str:
    """A WOFF subset of the shipped CJK font with `chars` (plus ASCII), base64 for a data: URL."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    from .charts import FONT_PATH

    font = TTFont(str(FONT_PATH), recalcTimestamp=False)  # same page for the same run, byte for byte
    keep = {ord(c) for c in chars if ord(c) > 0x7F} | set(range(0x20, 0x7F))
    opts = subset.Options()
    opts.flavor = "woff"
    opts.layout_features = ["*"]
    opts.name_IDs = ["*"]
    opts.notdef_outline = True
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=sorted(keep))
    sub.subset(font)
    buf = io.BytesIO()
    font.flavor = "woff"
    font.save(buf)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _label_list(task, colours) -> list[dict]:
    return [{"code": lab, "name": task.label_name(lab), "colour": colours[(task.name, lab)]} for lab in task.labels]


def report_context(result: dict, measures: list[dict]) -> dict:
    """Everything the template shows, already computed; the template only lays it out."""
    from .charts import label_colours
    from .facts import STATED_KEYS, STATED_ZH
    from .groups import FLAGS, GROUPINGS, LEVELS, MIN_GROUP_N, UNIT_TYPES, UNKNOWN

    topic, progress, finished = result["topic"], result["progress"], result["finished"]
    colours = label_colours(result["scheme"])
    bulletins = result["bulletins"]
    index = {b["bulletin_id"]: i for i, b in enumerate(bulletins)}
    names = {**UNIT_TYPES, **LEVELS}
    shorten = len(measures) > MAX_EMBEDDED_MEASURES
    m_data = [[index[m["bulletin_id"]], m["issue_no"], m["measure_no"], m.get("issue_title") or "",
               (m["text"][:80] + "…") if shorten and len(m["text"]) > 80 else m["text"],
               topic.labels.index(m[topic.name]), progress.labels.index(m[progress.name])]
              for m in measures]
    # the first screen: completion by unit type and by region (province, else city, else level)
    known = {g: sum(r["group"] != UNKNOWN for r in result["groups"][g]) for g in GROUPINGS}
    region_default = next((g for g in ("province", "city", "level") if known[g] >= 2), "province")
    max_measures = max((r["measures"] for g in GROUPINGS for r in result["groups"][g]), default=1) or 1
    stated = sorted((b for b in bulletins if any(b.get(f"stated_{k}") is not None for k in STATED_KEYS)),
                    key=lambda b: (b["gap"] is None, -abs(b["gap"] or 0), -(b["coverage_problems_stated"] or 0)))
    lags = sorted(b["lag_days"] for b in bulletins if b["lag_days"] is not None)
    published = sorted(b["published"] for b in bulletins if b["published"])
    summaries = {s["bulletin_id"]: s for s in result["summaries"]}
    pooled = {t: {p: 0 for p in progress.labels} for t in topic.labels}
    for m in measures:
        pooled[m[topic.name]][m[progress.name]] += 1
    return {
        "title": "巡视巡察整改通报比较", "result": result, "bulletins": bulletins, "index": index,
        "topic": topic, "progress": progress, "finished": finished,
        "topic_labels": _label_list(topic, colours), "progress_labels": _label_list(progress, colours),
        "groupings": GROUPINGS, "groups": result["groups"], "tests": result["tests"], "names": names,
        "unknown": UNKNOWN, "min_group_n": MIN_GROUP_N, "region_default": region_default,
        "max_group_measures": max_measures, "max_bulletin_measures": max((b["measures"] for b in bulletins), default=1) or 1,
        "stated": stated, "stated_zh": STATED_ZH, "stated_keys": STATED_KEYS, "flags": FLAGS,
        **timeline(bulletins), "lag_median": lags[len(lags) // 2] if lags else None, "lag_count": len(lags),
        "dated_published": len(published), "date_first_published": published[0] if published else None,
        "date_last_published": published[-1] if published else None, "summaries": summaries, "pooled": pooled,
        "chi": result["chi_square"], "failures": result["failures"], "model": result["model"],
        "n_measures": sum(b["measures"] for b in bulletins), "n_problems": sum(b["problems"] for b in bulletins),
        "shortened": shorten,
        "data": {"bulletins": [{"id": b["bulletin_id"], "name": b["name"], "province": b["province"] or UNKNOWN,
                                "city": b["city"] or UNKNOWN, "level": b["level"] or UNKNOWN,
                                "unit_type": b["unit_type"] or UNKNOWN} for b in bulletins],
                 "topic": {"name": topic.display_name, "labels": _label_list(topic, colours)},
                 "progress": {"name": progress.display_name, "labels": _label_list(progress, colours)},
                 "measures": m_data, "shortened": shorten},
    }


def timeline(bulletins: list[dict]) -> dict:
    """Rows of the time view (feedback → publication on one date axis) and its axis ticks."""
    from datetime import date

    def day(s):
        try:
            return date.fromisoformat(s) if s else None
        except ValueError:
            return None

    dated = sorted((b for b in bulletins if day(b["published"]) or day(b["feedback"])),
                   key=lambda b: (b["published"] or b["feedback"], b["name"]))
    days = [d for b in dated for d in (day(b["feedback"]), day(b["published"])) if d]
    if not days:
        return {"timeline": [], "ticks": []}
    lo, hi = min(days), max(days)
    lo, hi = date(lo.year, lo.month, 1), hi
    span = max(1, (hi - lo).days)
    pos = lambda d: None if d is None else round(100 * (d - lo).days / span, 2)  # noqa: E731
    rows = []
    for b in dated:
        fb, pub = day(b["feedback"]), day(b["published"])
        rows.append({"b": b, "fb": pos(fb), "pub": pos(pub),
                     "seg_left": pos(fb) if fb and pub else None,
                     "seg_width": round(pos(pub) - pos(fb), 2) if fb and pub else None})
    months = (hi.year - lo.year) * 12 + hi.month - lo.month
    step = next(s for s in (1, 2, 3, 6, 12, 24, 60) if months / s <= 6)
    ticks, y, m = [], lo.year, lo.month
    while date(y, m, 1) <= hi:
        ticks.append({"label": f"{y}-{m:02d}", "pos": pos(date(y, m, 1))})
        m += step
        y, m = y + (m - 1) // 12, (m - 1) % 12 + 1
    return {"timeline": rows, "ticks": ticks}


def render_report(result: dict, measures: list[dict]) -> str:
    """The comparison page: rendered once to learn its characters, then with their font."""
    env = _env()
    ctx = report_context(result, measures)
    template = env.get_template("report.html.j2")
    page = template.render(**ctx, font_data=None, font_family=FONT_FAMILY)
    chars = set(page) | set(json.dumps(ctx["data"], ensure_ascii=False))
    return template.render(**ctx, font_data=font_face("".join(sorted(chars))), font_family=FONT_FAMILY)
