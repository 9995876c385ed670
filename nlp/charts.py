"""Charts of the comparison, drawn with a shipped CJK font so Chinese never shows as boxes.

matplotlib's default fonts have no Chinese glyphs; the subset of WenQuanYi Micro Hei in
nlp/fonts/ is registered at first use and characters it lacks are replaced before drawing.
matplotlib is imported only here, inside the functions, with the Agg backend.
"""
from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from .facts import LABEL_ZH

FONT_PATH = Path(__file__).parent / "fonts" / "wqy-microhei-gb2312.ttf"
DOMAIN_COLOURS = ["#4e79a7", "#f28e2b", "#e15759", "#59a14f", "#b07aa1", "#9c9c9c", "#edc948", "#76b7b2"]
STATUS_COLOURS = {"done": "#59a14f", "ongoing": "#f28e2b", "planned": "#4e79a7"}


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
    from matplotlib.ft2font import FT2Font
    return frozenset(FT2Font(str(FONT_PATH)).get_charmap())


def drawable(text: str, missing: str = "?") -> str:
    """text with every character the font cannot draw replaced, so no tofu box appears."""
    cmap = _charmap()
    return "".join(c if ord(c) in cmap or c in "\n\t " else missing for c in str(text))


def label(name: str) -> str:
    """A label as shown in charts: 经济发展 for economy, the name itself otherwise."""
    return drawable(LABEL_ZH.get(name, name))


def _rc() -> dict:
    return {"font.family": "sans-serif", "font.sans-serif": [font_name(), "DejaVu Sans"],
            "axes.unicode_minus": False, "figure.dpi": 100, "savefig.dpi": 150}


def _png(fig) -> bytes:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def domain_mix(names: list[str], counts: list[dict[str, int]], domains: list[str]) -> bytes:
    """PNG: per bulletin, the share of its measures in each domain (100% stacked bars)."""
    import matplotlib.pyplot as plt

    with plt.rc_context(_rc()):
        fig, ax = plt.subplots(figsize=(9, 1.2 + 0.45 * len(names)))
        left = [0.0] * len(names)
        ys = list(range(len(names)))[::-1]
        for k, d in enumerate(domains):
            shares = [c.get(d, 0) / max(1, sum(c.values())) for c in counts]
            ax.barh(ys, shares, left=left, color=DOMAIN_COLOURS[k % len(DOMAIN_COLOURS)], label=label(d))
            for y, x0, s in zip(ys, left, shares):
                if s >= 0.08:
                    ax.text(x0 + s / 2, y, f"{s:.0%}", ha="center", va="center", fontsize=8, color="white")
            left = [a + b for a, b in zip(left, shares)]
        ax.set_yticks(ys, [drawable(f"{n} ({sum(c.values())}项)") for n, c in zip(names, counts)])
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(lambda x, _: f"{x:.0%}")
        ax.set_xlabel(drawable("占该通报整改措施的比例"))
        ax.set_title(drawable("各通报整改措施的领域构成"))
        ax.legend(ncol=min(6, len(domains)), loc="upper center", bbox_to_anchor=(0.5, -0.12 - 0.3 / len(names)),
                  frameon=False, fontsize=9)
        return _png(fig)


def completion_by_domain(table: dict[str, dict[str, int]], statuses: list[str]) -> bytes:
    """PNG: measures per domain split by status, with the share done written beside each bar."""
    import matplotlib.pyplot as plt

    domains = [d for d in table if sum(table[d].values())]
    with plt.rc_context(_rc()):
        fig, ax = plt.subplots(figsize=(9, 1.2 + 0.5 * len(domains)))
        ys = list(range(len(domains)))[::-1]
        left = [0] * len(domains)
        for s in statuses:
            vals = [table[d].get(s, 0) for d in domains]
            ax.barh(ys, vals, left=left, color=STATUS_COLOURS.get(s, "#bbbbbb"), label=label(s))
            left = [a + b for a, b in zip(left, vals)]
        for y, d, total in zip(ys, domains, left):
            done = table[d].get("done", 0)
            ax.text(total + max(left) * 0.01, y, drawable(f"{done / total:.0%} 已完成"), va="center", fontsize=9)
        ax.set_yticks(ys, [label(d) for d in domains])
        ax.set_xlim(0, max(left) * 1.18 if left else 1)
        ax.set_xlabel(drawable("整改措施数"))
        ax.set_title(drawable("各领域整改进度（全部通报合计）"))
        ax.legend(loc="lower right", frameon=False, fontsize=9)
        return _png(fig)


def heatmap(names: list[str], counts: list[dict[str, int]], domains: list[str]) -> bytes:
    """PNG: bulletins × domains; colour is the row share, the number is the count of measures."""
    import matplotlib.pyplot as plt
    import numpy as np

    m = np.array([[c.get(d, 0) for d in domains] for c in counts], dtype=float)
    share = m / np.maximum(1, m.sum(axis=1, keepdims=True))
    with plt.rc_context(_rc()):
        fig, ax = plt.subplots(figsize=(1.6 + 1.1 * len(domains), 1.4 + 0.45 * len(names)))
        im = ax.imshow(share, cmap="Blues", vmin=0, vmax=max(0.01, share.max()), aspect="auto")
        for i in range(len(names)):
            for j in range(len(domains)):
                ax.text(j, i, f"{int(m[i, j])}", ha="center", va="center", fontsize=9,
                        color="white" if share[i, j] > 0.6 * share.max() else "black")
        ax.set_xticks(range(len(domains)), [label(d) for d in domains], rotation=30, ha="right")
        ax.set_yticks(range(len(names)), [drawable(n) for n in names])
        ax.set_title(drawable("通报 × 领域：颜色为占比，数字为措施数"))
        fig.colorbar(im, ax=ax, format=lambda x, _: f"{x:.0%}", fraction=0.04, pad=0.02)
        return _png(fig)
