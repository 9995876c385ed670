"""Colours of labels, and the two PNG charts of a comparison, drawn with a shipped CJK font.

One colour per label across every chart and the HTML report (`label_colours`): a topic
label and a progress label never share one. The PNGs are for slides and papers; their
size is bounded (at most `MAX_ROWS` rows, the rest pooled into one), so 2,000 bulletins
give the same size of image as 40. matplotlib is imported only here, inside the
functions, with the Agg backend and mathtext off (a `$` in a name is just a `$`).
"""
from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

FONT_PATH = Path(__file__).parent / "fonts" / "wqy-microhei-cjk.ttf"
MAX_ROWS = 30  # rows of a chart; the rest are pooled into one row
# Topic labels take these, in order (no green, amber or violet: those mean progress).
TOPIC_COLOURS = ["#4e79a7", "#e15759", "#76b7b2", "#9c755f", "#ff9da7", "#79706e", "#bab0ac", "#17becf",
                 "#1f3b73", "#d37295"]
# Progress labels: by their role, so a renamed scheme keeps the meaning of each colour.
PROGRESS_COLOURS = {"finished": "#2e8b3a", "continuing": "#f0a030", "future": "#8064a2"}
SPARE_PROGRESS = ["#c9b02a", "#5a5a5a", "#a05a2c"]


def label_colours(scheme) -> dict[tuple[str, str], str]:
    """(task name, label) → colour, for every label of the scheme's topic and progress tasks."""
    out: dict[tuple[str, str], str] = {}
    topic, progress = scheme.topic, scheme.progress
    if topic is not None:
        for k, lab in enumerate(topic.labels):
            out[(topic.name, lab)] = TOPIC_COLOURS[k % len(TOPIC_COLOURS)]
    if progress is not None:
        kind = {v: k for k, v in progress.progress_labels.items()}
        spare = iter(SPARE_PROGRESS * 4)
        for lab in progress.labels:
            out[(progress.name, lab)] = PROGRESS_COLOURS.get(kind.get(lab, ""), None) or next(spare)
    return out


@lru_cache(maxsize=1)
def font_name() -> str:
    """Register the shipped font with matplotlib once; returns its family name."""
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(FONT_PATH))
    return font_manager.FontProperties(fname=str(FONT_PATH)).get_name()


@lru_cache(maxsize=1)
def _charmap() -> frozenset[int]:
    from fontTools.ttLib import TTFont
    return frozenset(TTFont(str(FONT_PATH), lazy=True).getBestCmap())


def drawable(text: str, missing: str = "?") -> str:
    """text with every character the font cannot draw replaced, so no box appears."""
    cmap = _charmap()
    return "".join(c if ord(c) in cmap or c in "\n\t " else missing for c in str(text))


def _rc() -> dict:
    return {"font.family": "sans-serif", "font.sans-serif": [font_name(), "DejaVu Sans"],
            "axes.unicode_minus": False, "figure.dpi": 100, "savefig.dpi": 120, "text.parse_math": False}


def _png(fig) -> bytes:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def _cap(items: list, max_rows: int, pool) -> list:
    """The first max_rows − 1 items and one pooled item for the rest (items come largest first)."""
    if len(items) <= max_rows:
        return items
    return items[:max_rows - 1] + [pool(items[max_rows - 1:])]


def completion_by_group(groups: dict[str, list[dict]], scheme, groupings: tuple[str, ...] = ("unit_type", "province"),
                        max_rows: int | None = None) -> bytes:
    """PNG: share of measures finished per group, one panel per grouping, with n on every bar.

    Bars are stacked by progress label in shares of the group's measures; the bar's label
    gives n bulletins and n measures, and groups below the test's minimum are hatched.
    """
    import matplotlib.pyplot as plt

    from .groups import GROUPINGS, LEVELS, MIN_GROUP_N, UNIT_TYPES

    progress = scheme.progress
    colours = label_colours(scheme)
    max_rows = max_rows or MAX_ROWS // 2
    panels = []
    for g in groupings:
        rows = _cap(list(groups.get(g, [])), max_rows, lambda rest: {
            "group": f"其余 {len(rest)} 组", "bulletins": sum(r["bulletins"] for r in rest),
            "measures": sum(r["measures"] for r in rest),
            **{f"n_{p}": sum(r[f"n_{p}"] for r in rest) for p in progress.labels}})
        panels.append((g, rows))
    n_rows = sum(len(r) for _, r in panels)
    with plt.rc_context(_rc()):
        fig, axes = plt.subplots(len(panels), 1, figsize=(9, 1.2 + 0.36 * n_rows + 0.8 * len(panels)),
                                 gridspec_kw={"height_ratios": [max(1, len(r)) for _, r in panels]}, squeeze=False)
        for ax, (g, rows) in zip(axes[:, 0], panels):
            ys = list(range(len(rows)))[::-1]
            left = [0.0] * len(rows)
            for p in progress.labels:
                vals = [r[f"n_{p}"] / r["measures"] if r["measures"] else 0 for r in rows]
                bars = ax.barh(ys, vals, left=left, color=colours[(progress.name, p)],
                               label=drawable(progress.label_name(p)))
                for bar, r in zip(bars, rows):
                    if r["bulletins"] < MIN_GROUP_N:
                        bar.set_hatch("///")
                        bar.set_alpha(0.55)
                left = [a + b for a, b in zip(left, vals)]
            for y, r in zip(ys, rows):
                share = r[f"n_{progress.finished}"] / r["measures"] if r["measures"] else 0
                ax.text(1.01, y, drawable(f"{share:.0%}  n={r['bulletins']}份/{r['measures']}项"), va="center",
                        fontsize=9, transform=ax.get_yaxis_transform())
            names = {**UNIT_TYPES, **LEVELS}
            ax.set_yticks(ys, [drawable(names.get(r["group"], r["group"])) for r in rows])
            ax.set_xlim(0, 1)
            ax.xaxis.set_major_formatter(lambda x, _: f"{x:.0%}")
            ax.set_title(drawable(f"按{GROUPINGS[g]}：整改措施{progress.display_name}"), loc="left", fontsize=11)
        axes[0, 0].legend(ncol=len(progress.labels), loc="lower left", bbox_to_anchor=(0, 1.08), frameon=False,
                          fontsize=9)
        fig.text(0.01, 0.0, drawable(f"斜线：不足 {MIN_GROUP_N} 份通报，不参加检验"), fontsize=8, color="#555")
        fig.tight_layout()
        return _png(fig)


def topic_mix(names: list[str], counts: list[dict[str, int]], scheme, max_rows: int | None = None) -> bytes:
    """PNG: per bulletin (largest first, the rest pooled), its measures by topic label.

    Bars are in measures, not shares, so a bulletin with 1 measure does not look like one
    with 141; the count is written beside each bar.
    """
    import matplotlib.pyplot as plt

    topic = scheme.topic
    colours = label_colours(scheme)
    max_rows = max_rows or MAX_ROWS
    items = sorted(zip(names, counts), key=lambda nc: -sum(nc[1].values()))
    items = _cap(items, max_rows, lambda rest: (f"其余 {len(rest)} 份通报（合计）",
                                                {t: sum(c.get(t, 0) for _, c in rest) for t in topic.labels}))
    pooled = len(names) > max_rows
    with plt.rc_context(_rc()):
        fig, ax = plt.subplots(figsize=(9, 1.4 + 0.34 * len(items)))
        ys = list(range(len(items)))[::-1]
        left = [0.0] * len(items)
        for t in topic.labels:
            vals = [c.get(t, 0) for _, c in items]
            if pooled:  # the pooled row would dwarf the rest: draw it in shares of the largest bulletin
                top = max(sum(c.values()) for _, c in items[:-1]) or 1
                total = sum(items[-1][1].values()) or 1
                vals[-1] = vals[-1] / total * top
            ax.barh(ys, vals, left=left, color=colours[(topic.name, t)], label=drawable(topic.label_name(t)))
            left = [a + b for a, b in zip(left, vals)]
        for y, (_, c), x in zip(ys, items, left):
            ax.text(x, y, f" {sum(c.values())}", va="center", fontsize=8)
        ax.set_yticks(ys, [drawable(n) for n, _ in items])
        ax.set_xlabel(drawable("整改措施数" + ("（末行按比例缩放）" if pooled else "")))
        ax.set_title(drawable(f"各通报整改措施的{topic.display_name}构成"), loc="left", fontsize=11)
        ax.legend(ncol=min(6, len(topic.labels)), loc="lower left", bbox_to_anchor=(0, 1.04), frameon=False,
                  fontsize=9)
        fig.tight_layout()
        return _png(fig)
