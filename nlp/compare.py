"""Compare bulletins: one table row per bulletin, every labelled measure, charts and a report.

Output is for analysis elsewhere (pandas, R, Stata read the CSVs) and for reading
(`report.html`, one self-contained page). A file that cannot be parsed is listed in the
report and on stderr; it does not stop the others.
"""
from __future__ import annotations

import base64
import html
import re
from collections import Counter
from pathlib import Path

def _strip_party(name: str) -> str:
    return re.sub(r"^中共|^中国共产党", "", name or "")


# --- rows --------------------------------------------------------------------------

MEASURE_COLUMNS = ["bulletin_id", "issue_no", "issue_label", "issue_group", "issue_title", "reported_status",
                   "measure_no", "text", "domain", "domain_score", "status", "status_score", "start", "end"]


def short_name(bulletin) -> str:
    """A chart label: the issuer without 中共 and committee suffixes, else the title."""
    name = _strip_party(bulletin.issuer or "")
    name = re.sub(r"(工作委员会|委员会|党工委|党委|党组|工委)$", "", name) or bulletin.title or bulletin.bulletin_id
    return name if len(name) <= 16 else name[:15] + "…"


def bulletin_row(bulletin, rows: list[dict], facts: dict, domains: list[str], statuses: list[str]) -> dict:
    """One CSV row per bulletin: who, where, when, and its measures by domain and status."""
    region = dict(bulletin.region)  # nlp.metadata: from the issuer and the inspector, never the body
    region["region"] = " / ".join(v for v in region.values() if v) or None
    row = {"bulletin_id": bulletin.bulletin_id, "source_path": bulletin.source_path, "title": bulletin.title,
           "issuer": bulletin.issuer, "short_name": short_name(bulletin), **region,
           "unit_type": bulletin.unit_type, "level": bulletin.level, "inspector": bulletin.inspector,
           **{k: v for k, v in bulletin.dates.items()}, "problems": len(bulletin.issues), "measures": len(rows)}
    dcount, scount = Counter(r["domain"] for r in rows), Counter(r["status"] for r in rows)
    row.update({f"n_{d}": dcount.get(d, 0) for d in domains})
    row.update({f"n_{s}": scount.get(s, 0) for s in statuses})
    row["share_done"] = facts["share_done"]
    row.update({f"share_done_{d}": facts["share_done_by_domain"].get(d) for d in domains})
    row["figures"] = len(facts["figures"])
    row["deadlines"] = len(facts["deadlines"])
    row["stated"] = dict(bulletin.stated)
    return row


# --- the domain-mix test -----------------------------------------------------------

def _chi2_stat(obs):
    import numpy as np

    expected = obs.sum(axis=1, keepdims=True) * obs.sum(axis=0, keepdims=True) / obs.sum()
    return float(np.sum((obs - expected) ** 2 / expected))


def domain_mix_test(names: list[str], counts: list[dict[str, int]], domains: list[str],
                    n_perm: int = 2000, seed: int = 0) -> dict:
    """Does the domain mix differ between bulletins? Chi-square on bulletins × domains.

    With small expected counts the chi-square approximation fails, so a permutation
    p-value (measures shuffled between bulletins, margins kept) is reported beside it.
    """
    import numpy as np
    from scipy.stats import chi2_contingency

    obs = np.array([[c.get(d, 0) for d in domains] for c in counts], dtype=float).reshape(len(counts), len(domains))
    keep_r, keep_c = obs.sum(axis=1) > 0, obs.sum(axis=0) > 0
    obs = obs[keep_r][:, keep_c]
    used_names = [n for n, k in zip(names, keep_r) if k]
    used_domains = [d for d, k in zip(domains, keep_c) if k]
    out: dict = {"bulletins": used_names, "domains": used_domains, "observed": obs.astype(int).tolist(), "caveats": []}
    if obs.shape[0] < 2:
        out.update(tested=False)
        out["caveats"].append("Only one bulletin with labelled measures: there is nothing to compare, so no test was run.")
        return out
    if obs.shape[1] < 2:
        out.update(tested=False)
        out["caveats"].append("All measures fall in one domain: the mix cannot differ, so no test was run.")
        return out
    chi2, p, dof, expected = chi2_contingency(obs, correction=False)
    n = obs.sum()
    small = float((expected < 5).mean())
    rng = np.random.default_rng(seed)
    rows = np.repeat(np.arange(obs.shape[0]), obs.sum(axis=1).astype(int))
    cols = np.concatenate([np.repeat(np.arange(obs.shape[1]), obs[i].astype(int)) for i in range(obs.shape[0])])
    r, c = obs.shape
    hits = 0
    for _ in range(n_perm):
        perm = np.bincount(rows * c + rng.permutation(cols), minlength=r * c).reshape(r, c)
        hits += _chi2_stat(perm) >= chi2 - 1e-9
    out.update(tested=True, chi2=float(chi2), dof=int(dof), p_value=float(p), n=int(n),
               cramers_v=float(np.sqrt(chi2 / (n * (min(r, c) - 1)))),
               permutation_p_value=(hits + 1) / (n_perm + 1), permutations=n_perm,
               expected_min=float(expected.min()), share_expected_below_5=small,
               expected=np.round(expected, 2).tolist())
    if small > 0:
        out["caveats"].append(
            f"{small:.0%} of the expected counts are below 5 (smallest {expected.min():.1f}): the chi-square "
            "p-value is unreliable; trust the permutation p-value, or merge small domains.")
    out["caveats"].append("Measures of one bulletin are not independent draws (one problem often yields several "
                          "measures of the same domain), so any p-value here overstates the evidence.")
    return out


# --- the report --------------------------------------------------------------------

def _e(x) -> str:
    return html.escape("" if x is None else str(x))


def _table(rows: list[dict], columns: list[str], headers: list[str] | None = None) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in (headers or columns))
    body = "".join("<tr>" + "".join(f"<td>{_e(_fmt(r.get(c)))}</td>" for c in columns) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.0%}" if 0 <= v <= 1 else f"{v:.3g}"
    return "" if v is None else str(v)


def render_report(result: dict) -> str:
    """The comparison as one self-contained HTML page (charts embedded as base64 PNG)."""
    from .facts import LABEL_ZH

    domains, statuses = result["domains"], result["statuses"]
    zh = lambda x: f"{LABEL_ZH.get(x, x)} ({x})"  # noqa: E731
    parts = [f"<h1>Comparison of {len(result['bulletins'])} bulletin(s)</h1>",
             f"<p>Labels by model: <code>{_e(result['model'])}</code>. "
             f"{sum(b['measures'] for b in result['bulletins'])} measures in "
             f"{sum(b['problems'] for b in result['bulletins'])} problems.</p>"]
    if result["failures"]:
        items = "".join(f"<li><code>{_e(p)}</code>: {_e(r)}</li>" for p, r in result["failures"])
        parts.append(f"<h2 id='failures'>Files that could not be used ({len(result['failures'])})</h2><ul>{items}</ul>")
    cols = ["short_name", "region", "unit_type", "level", "inspector", "published", "problems", "measures",
            *[f"n_{d}" for d in domains], "share_done"]
    heads = ["bulletin", "region", "unit type", "level", "inspector", "published", "problems", "measures",
             *[LABEL_ZH.get(d, d) for d in domains], "share done"]
    parts += ["<h2 id='bulletins'>Bulletins</h2>", _table(result["bulletins"], cols, heads)]
    pooled = [{"domain": zh(d), **{s: result["pooled"][d].get(s, 0) for s in statuses},
               "total": sum(result["pooled"][d].values()),
               "share_done": (result["pooled"][d].get("done", 0) / sum(result["pooled"][d].values()))
               if sum(result["pooled"][d].values()) else None} for d in domains]
    parts += ["<h2 id='domains'>Measures by domain and status (all bulletins)</h2>",
              _table(pooled, ["domain", *statuses, "total", "share_done"],
                     ["domain", *[zh(s) for s in statuses], "total", "share done"])]
    parts.append("<h2 id='charts'>Charts</h2>")
    for name, png in result["charts"].items():
        parts.append(f"<figure><img alt='{_e(name)}' src='data:image/png;base64,"
                     f"{base64.b64encode(png).decode()}'><figcaption>{_e(name)}.png</figcaption></figure>")
    t = result["chi_square"]
    parts.append("<h2 id='chi-square'>Does the domain mix differ between bulletins? (chi-square test)</h2>")
    if t["tested"]:
        parts.append(f"<p>Chi-square test of independence on the bulletins × domains table of measure counts "
                     f"({len(t['bulletins'])} × {len(t['domains'])}, n = {t['n']}): χ² = {t['chi2']:.2f}, "
                     f"df = {t['dof']}, p = {t['p_value']:.3g}; permutation p = {t['permutation_p_value']:.3g} "
                     f"({t['permutations']} shuffles); Cramér's V = {t['cramers_v']:.2f}.</p>")
    parts += [f"<p class='caveat'><b>Caveat:</b> {_e(c)}</p>" for c in t["caveats"]]
    parts.append("<h2 id='summaries'>Summaries</h2>")
    for b, s in zip(result["bulletins"], result["summaries"]):
        f = s["facts"]
        dl = "".join(f"<li>{_e(d['text'])}{' (by ' + _e(d['due']) + ')' if d['due'] else ''}: {_e(d['context'])}</li>"
                     for d in f["deadlines"])
        parts.append(f"<h3>{_e(b['title'] or b['bulletin_id'])}</h3><p class='meta'>{_e(b['region'])} · "
                     f"{_e(b['unit_type'])} · {_e(b['level'])} · {b['measures']} measures, {_fmt(b['share_done'])} done · "
                     f"{len(f['figures'])} figures</p><p>{_e(s['bulletin']['summary'])}</p>"
                     + (f"<p>Future dates and deadlines:</p><ul>{dl}</ul>" if dl else ""))
    style = ("body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;line-height:1.5}"
             "table{border-collapse:collapse;font-size:14px;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 6px}"
             "th{background:#f3f3f3}img{max-width:100%}.caveat{background:#fff6e0;padding:6px}.meta{color:#666}")
    return ("<!DOCTYPE html><html lang='zh'><head><meta charset='utf-8'><title>Bulletin comparison</title>"
            f"<style>{style}</style></head><body>{''.join(parts)}</body></html>\n")


# --- the whole job -----------------------------------------------------------------

def compare(inputs: list[str | Path], out_dir: str | Path, model=None, failures=None) -> dict:
    """Parse, label and summarise every bulletin under `inputs`; write CSVs, charts, report."""
    from . import charts
    from .batch import Failures, iter_parsed
    from .classifiers import load_model
    from .classify import classify_bulletin
    from .facts import label_counts
    from .outputs import atomic_write_bytes, atomic_write_text, write_rows
    from .summarize import summarize_bulletin

    failures = failures if failures is not None else Failures()
    model = model if model is not None and not isinstance(model, (str, Path)) else load_model(model)
    tasks = model.scheme.tasks
    domains, statuses = tasks["domain"].labels, tasks["status"].labels
    out = Path(out_dir)
    bulletins, measures, summaries = [], [], []
    for b in iter_parsed(inputs, failures, desc="comparing"):
        try:
            rows = classify_bulletin(b, model)
            s = summarize_bulletin(b, rows, levels=("bulletin",), domains=domains, statuses=statuses)
            brow = bulletin_row(b, rows, s["facts"], domains, statuses)
        except Exception as exc:  # one odd bulletin must not stop the comparison
            failures.add(b.source_path, f"internal error: {type(exc).__name__}: {exc}")
            continue
        bulletins.append(brow)
        measures += rows
        summaries.append(s)
    brow_cols = list(bulletins[0]) if bulletins else ["bulletin_id"]
    write_rows(out / "bulletins.csv", bulletins, brow_cols)
    write_rows(out / "measures.csv", measures, MEASURE_COLUMNS)
    names = [b["short_name"] for b in bulletins]
    counts = [{d: b[f"n_{d}"] for d in domains} for b in bulletins]
    pooled = label_counts(measures, domains, statuses)["by_domain_status"] if measures else \
        {d: {s: 0 for s in statuses} for d in domains}
    pngs = {}
    if bulletins:
        pngs = {"domain_mix": charts.domain_mix(names, counts, domains),
                "completion_by_domain": charts.completion_by_domain(pooled, statuses),
                "heatmap": charts.heatmap(names, counts, domains)}
        for name, png in pngs.items():
            atomic_write_bytes(out / f"{name}.png", png)
    result = {"bulletins": bulletins, "summaries": summaries, "domains": domains, "statuses": statuses,
              "pooled": pooled, "charts": pngs, "model": getattr(model, "card", {}).get("name") or model.kind,
              "chi_square": domain_mix_test(names, counts, domains), "failures": list(failures.items)}
    atomic_write_text(out / "report.html", render_report(result))
    return result
