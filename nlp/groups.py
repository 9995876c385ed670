"""Groups of bulletins (by province, city, level, unit type) and the tests that compare them.

The display names of the metadata codes live here too, so that the comparison, its
charts and its report share one vocabulary. Library code only: no I/O.
"""
from __future__ import annotations

import math
from itertools import combinations

# Display names of the metadata codes (the codes stay in the CSVs and in tooltips).
UNIT_TYPES = {"party_or_government_organ": "党政机关", "department": "职能部门", "township_or_street": "乡镇街道",
              "village": "村（社区）", "development_zone": "开发区", "soe": "国有企业", "hospital": "医院",
              "school_or_university": "学校", "court_or_procuratorate": "法院检察院", "mass_organisation": "群团组织",
              "other": "其他单位"}
LEVELS = {"central": "中央", "provincial": "省级", "prefectural": "市级", "county": "县级", "township": "乡镇级",
          "village": "村级"}
GROUPINGS = {"unit_type": "单位类型", "province": "省份", "city": "城市", "level": "层级"}
UNKNOWN = "未识别"

MIN_GROUP_N = 3          # bulletins a group needs to enter a test of completion differences
DISAGREE_AT = 0.25       # |labelled − stated completion| from which a bulletin is flagged
FEW_MEASURES = 5         # a share finished over fewer measures than this is flagged as unstable
FLAGS = {"disagrees": "自述完成率与标注相差较大", "low_coverage": "解析到的问题不足自述的一半",
         "few_measures": "措施少于5项，占比不稳定", "no_published_date": "无发布日期", "no_region": "未识别地区"}


# --- groups and the completion test ------------------------------------------------

GROUP_COLUMNS = ["grouping", "group", "bulletins", "measures", "finished", "share_finished", "mean_bulletin_share",
                 "min_bulletin_share", "max_bulletin_share", "stated_bulletins", "stated_completion",
                 "labelled_completion", "flagged_bulletins", "tested", "bulletin_ids"]


def group_rows(bulletins: list[dict], grouping: str, progress_labels: list[str], finished: str) -> list[dict]:
    """One row per value of `grouping` (unknown values pooled as 未识别), largest first."""
    groups: dict[str, list[dict]] = {}
    for b in bulletins:
        groups.setdefault(b.get(grouping) or UNKNOWN, []).append(b)
    out = []
    for g, bs in groups.items():
        measures = sum(b["measures"] for b in bs)
        done = sum(b[f"n_{finished}"] for b in bs)
        shares = [b["share_finished"] for b in bs if b["share_finished"] is not None]
        stated = [b for b in bs if b["stated_completion"] is not None]
        out.append({"grouping": grouping, "group": g, "bulletins": len(bs), "measures": measures, "finished": done,
                    **{f"n_{p}": sum(b[f"n_{p}"] for b in bs) for p in progress_labels},
                    "share_finished": round(done / measures, 4) if measures else None,
                    "mean_bulletin_share": round(sum(shares) / len(shares), 4) if shares else None,
                    "min_bulletin_share": min(shares) if shares else None,
                    "max_bulletin_share": max(shares) if shares else None,
                    "stated_bulletins": len(stated),
                    "stated_completion": round(sum(b["stated_completion"] for b in stated) / len(stated), 4)
                    if stated else None,
                    "labelled_completion": round(sum(b["labelled_completion"] for b in stated
                                                     if b["labelled_completion"] is not None) / len(stated), 4)
                    if stated else None,
                    "flagged_bulletins": sum(bool(b["flags"]) for b in bs),
                    "tested": g != UNKNOWN and len(bs) >= MIN_GROUP_N,
                    "bulletin_ids": ";".join(b["bulletin_id"] for b in bs)})
    return sorted(out, key=lambda r: (r["group"] == UNKNOWN, -r["bulletins"], -r["measures"], r["group"]))


def _between_ss(labels, finished, totals, n_groups):
    """Σ_g n_g (p_g − p)²: how far the groups' pooled shares lie from the overall share."""
    import numpy as np

    n_g = np.bincount(labels, weights=totals, minlength=n_groups)
    f_g = np.bincount(labels, weights=finished, minlength=n_groups)
    p = finished.sum() / totals.sum()
    return float(np.sum(np.where(n_g > 0, (f_g - n_g * p) ** 2 / np.where(n_g > 0, n_g, 1), 0.0)))


def _assignments(sizes: list[int], n: int):
    """Every way to split n bulletins into groups of the given sizes (label arrays)."""
    def rec(left: tuple[int, ...], g: int):
        if g == len(sizes) - 1:
            yield {i: g for i in left}
            return
        for chosen in combinations(left, sizes[g]):
            rest = tuple(i for i in left if i not in set(chosen))
            for tail in rec(rest, g + 1):
                yield {**{i: g for i in chosen}, **tail}
    for a in rec(tuple(range(n)), 0):
        yield [a[i] for i in range(n)]


def completion_test(groups: dict[str, list[tuple[int, int]]], n_perm: int = 9999, seed: int = 0,
                    exact_limit: int = 20000, names: dict[str, str] | None = None) -> dict:
    """Do the groups differ in the share of measures finished?

    Each group is a list of bulletins as (finished, measures). Measures of one bulletin are
    not independent, so the bulletin is the unit that is shuffled: a permutation test that
    reassigns whole bulletins to groups (all assignments when there are at most
    `exact_limit`, else `n_perm` random ones). The statistic is Σ n_g (p_g − p)², the spread
    of the groups' pooled shares. Effect size: η², the share of the measure-weighted
    variance of bulletin shares that lies between groups (0 none, 1 all), and the largest
    difference between two groups' shares. Groups with fewer than MIN_GROUP_N bulletins
    are left out of the test, and said so.
    """
    import numpy as np

    kept = {g: bs for g, bs in groups.items() if g != UNKNOWN and len(bs) >= MIN_GROUP_N
            and sum(t for _, t in bs) > 0}
    left_out = sorted((g for g in groups if g not in kept), key=lambda g: (g == UNKNOWN, -len(groups[g]), g))
    shown = [(names or {}).get(g, g) for g in left_out]
    out: dict = {"groups": list(kept), "left_out": left_out, "min_n": MIN_GROUP_N, "warnings": []}
    if left_out:
        out["warnings"].append(f"{len(left_out)} 组不足 {MIN_GROUP_N} 份通报或地区未识别，未参加检验："
                               + "、".join(shown[:8]) + ("等" if len(shown) > 8 else ""))
    if len(kept) < 2:
        out.update(tested=False, reason=f"至少需要两组、每组不少于 {MIN_GROUP_N} 份通报才能检验")
        return out
    names = list(kept)
    labels = np.array([k for k, g in enumerate(names) for _ in kept[g]])
    fin = np.array([f for g in names for f, _ in kept[g]], dtype=float)
    tot = np.array([t for g in names for _, t in kept[g]], dtype=float)
    stat = _between_ss(labels, fin, tot, len(names))
    sizes = [len(kept[g]) for g in names]
    n = len(labels)
    count = math.factorial(n)
    for s in sizes:
        count //= math.factorial(s)
    if count <= exact_limit:
        perms = [np.array(a) for a in _assignments(sizes, n)]
        method = "exact"
    else:
        rng = np.random.default_rng(seed)
        perms = [rng.permutation(labels) for _ in range(n_perm)]
        method = "permutation"
    null = np.array([_between_ss(a, fin, tot, len(names)) for a in perms])
    p_value = float(np.mean(null >= stat - 1e-12)) if method == "exact" \
        else float((np.sum(null >= stat - 1e-12) + 1) / (len(perms) + 1))
    share = fin / tot
    overall = fin.sum() / tot.sum()
    ss_total = float(np.sum(tot * (share - overall) ** 2))
    group_share = {g: float(fin[labels == k].sum() / tot[labels == k].sum()) for k, g in enumerate(names)}
    out.update(tested=True, method=method, assignments=len(perms), statistic=stat, p_value=p_value,
               eta_squared=stat / ss_total if ss_total > 0 else 0.0,
               max_difference=max(group_share.values()) - min(group_share.values()),
               group_share=group_share, bulletins=n, measures=int(tot.sum()))
    if n < 10:
        out["warnings"].append(f"只有 {n} 份通报参加检验，检验力很低：p 值大并不说明各组没有差别。")
    out["warnings"].append("标注是模型的预测，不是人工核实；各组单位的写法不同也会造成差别。")
    return out


# --- the topic-mix test -----------------------------------------------------------

def _chi2_stat(obs):
    import numpy as np

    expected = obs.sum(axis=1, keepdims=True) * obs.sum(axis=0, keepdims=True) / obs.sum()
    return float(np.sum((obs - expected) ** 2 / expected))


def topic_mix_test(names: list[str], counts: list[dict[str, int]], labels: list[str],
                   n_perm: int = 2000, seed: int = 0) -> dict:
    """Does the topic mix differ between bulletins? Chi-square on bulletins × topic labels.

    With small expected counts the chi-square approximation fails, so a permutation
    p-value (measures shuffled between bulletins, margins kept) is reported beside it.
    """
    import numpy as np
    from scipy.stats import chi2_contingency

    obs = np.array([[c.get(d, 0) for d in labels] for c in counts], dtype=float).reshape(len(counts), len(labels))
    keep_r, keep_c = obs.sum(axis=1) > 0, obs.sum(axis=0) > 0
    obs = obs[keep_r][:, keep_c]
    out: dict = {"bulletins": [n for n, k in zip(names, keep_r) if k],
                 "labels": [d for d, k in zip(labels, keep_c) if k], "caveats": []}
    if obs.shape[0] < 2:
        out.update(tested=False)
        out["caveats"].append("只有一份通报有整改措施，无从比较，未做检验。")
        return out
    if obs.shape[1] < 2:
        out.update(tested=False)
        out["caveats"].append("所有措施属于同一类别，构成不可能不同，未做检验。")
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
               expected_min=float(expected.min()), share_expected_below_5=small)
    if small > 0:
        out["caveats"].append(f"{small:.0%} 的期望频数小于 5（最小 {expected.min():.1f}），卡方 p 值不可靠，"
                              "请以置换检验 p 值为准。")
    out["caveats"].append("同一通报的措施并非独立抽样（一个问题常有多项同类措施），p 值会高估证据强度。")
    return out
