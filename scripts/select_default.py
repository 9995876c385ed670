#!/usr/bin/env python
"""Choose the default model's options by leave-one-bulletin-out over everything that trains.

Every record of the seed gold and of the synthetic training data is predicted by a model
trained on all the other bulletins (scikit-learn's LeaveOneGroupOut, through the harness's
one cross-validation loop). The cross-unit dev set (data/dev) is never read here: it is kept
for the final figures. Each TF-IDF candidate is also cross-validated on the seed as the card
and CI measure it; the chosen options are the best LOBO mean among those that keep the CI
floors. Prints one row per candidate and writes eval/reports/selection.md and .json, whose
`chosen` options scripts/build_default_model.sh trains with.

Usage: python scripts/select_default.py [--jobs N] [--only NAME ...]
"""
import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TRAINING = ["data/gold/seed.jsonl", "data/synthetic/measures.jsonl", "data/synthetic/bulletin_measures.jsonl"]

BASE = {"use_context": True, "constrain_status": True, "adapt_priors": 0.0, "extra_weight": 1.0, "C": 1.0}
CANDIDATES = {  # name -> (kind, options on top of the kind's preset)
    "rules": ("rules", {}),
    "plain": ("plain", {}),
    "tfidf (previous default options)": ("tfidf", {"use_context": False, "constrain_status": False, "adapt_priors": 0.0}),
    "+ context": ("tfidf", {"constrain_status": False, "adapt_priors": 0.0}),
    "+ context + constraint": ("tfidf", dict(BASE)),
    "+ context + constraint + priors 0.5": ("tfidf", {**BASE, "adapt_priors": 0.5}),
    "+ context + constraint + priors 1.0": ("tfidf", {**BASE, "adapt_priors": 1.0}),
    "+ context + constraint, C=3": ("tfidf", {**BASE, "C": 3.0}),
    "+ context + constraint, C=0.3": ("tfidf", {**BASE, "C": 0.3}),
    "+ context + constraint, extra weight 0.5": ("tfidf", {**BASE, "extra_weight": 0.5}),
    "+ context + constraint, balanced": ("tfidf", {**BASE, "class_weight": "balanced"}),
    "+ context + constraint, context weight 2": ("tfidf", {**BASE, "context_weight": 2.0}),
    "+ context + constraint + priors 1.0, C=3": ("tfidf", {**BASE, "adapt_priors": 1.0, "C": 3.0}),
}


def evaluate(name: str) -> tuple[str, dict, float]:
    """LOBO figures of one candidate over everything that trains, and its seed CV as the card measures it."""
    from nlp.classifiers import build
    from nlp.data import leave_one_bulletin_out, load_labelled
    from nlp.evaluate import cross_validate, cv_options, per_bulletin, score
    from nlp.labels import LabelScheme
    from nlp.train import cv_metrics

    scheme = LabelScheme.load()
    records = load_labelled([ROOT / p for p in TRAINING], scheme)
    kind, options = CANDIDATES[name]
    opts = cv_options(kind, options)
    t = time.time()
    res = cross_validate(lambda: build(kind, scheme, opts), records,
                         [(tr, te) for _, tr, te in leave_one_bulletin_out(records)], scheme, bootstrap=0)
    seed = [i for i, r in enumerate(records) if r.get("source") != "synthetic"]
    seed_scores = score([records[i] for i in seed], [res["predictions"][i] for i in seed], scheme, 0)
    figures = {"all": {t_: {k: s[k] for k in ("accuracy", "macro_f1")} for t_, s in res["tasks"].items()},
               "seed": {t_: {k: s[k] for k in ("accuracy", "macro_f1")} for t_, s in seed_scores.items()},
               "n": res["n"], "bulletins": len(per_bulletin(records, res["predictions"], scheme))}
    if kind == "tfidf":  # the check the shipped model must pass in CI (tests/test_thresholds.py)
        gold = [records[i] for i in seed]
        extra = [r for r in records if r.get("source") == "synthetic"]
        cv = cv_metrics(kind, options, gold, extra, scheme, 5)["tasks"]
        figures["seed_cv"] = {t_: {k: cv[t_][k] for k in ("accuracy", "macro_f1")} for t_ in cv}
    return name, figures, time.time() - t


def holds(fig: dict, floors: list) -> bool:
    """Whether a candidate's seed CV reaches every floor."""
    from nlp.evaluate import check_floors

    return "seed_cv" in fig and not check_floors({"tasks": fig["seed_cv"]}, floors)


def changes(options: dict) -> int:
    """How many options a TF-IDF candidate sets away from the base row (BASE)."""
    from dataclasses import asdict

    from nlp.classifiers.tfidf import TfidfOptions

    defaults = asdict(TfidfOptions())
    base, full = {**defaults, **BASE}, {**defaults, **options}
    return sum(full[k] != base[k] for k in full)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--only", nargs="*", help="candidate names to run (default: all)")
    args = ap.parse_args()
    names = args.only or list(CANDIDATES)
    from nlp.evaluate import read_floors

    floors = read_floors(ROOT / "eval" / "thresholds.toml", "default")  # what CI holds the shipped model to
    rows = []
    with ProcessPoolExecutor(args.jobs) as pool:
        for name, fig, secs in pool.map(evaluate, names):
            a = fig["all"]
            crit = (a["domain"]["accuracy"] + a["domain"]["macro_f1"] + a["status"]["accuracy"] + a["status"]["macro_f1"]) / 4
            rows.append((name, fig, crit))
            cv = fig.get("seed_cv")
            print(f"{name:45s} dom {a['domain']['accuracy']:.3f}/{a['domain']['macro_f1']:.3f} "
                  f"st {a['status']['accuracy']:.3f}/{a['status']['macro_f1']:.3f} mean {crit:.3f} "
                  + (f"(seed CV dom F1 {cv['domain']['macro_f1']:.3f} st {cv['status']['accuracy']:.3f}/"
                     f"{cv['status']['macro_f1']:.3f}) " if cv else "") + f"[{secs:.0f}s]", flush=True)
    n, b = rows[0][1]["n"], rows[0][1]["bulletins"]
    tfidf = [r for r in rows if CANDIDATES[r[0]][0] == "tfidf"]
    best = max(tfidf, key=lambda r: r[2])
    eligible = [r for r in tfidf if holds(r[1], floors)]
    chosen = max(eligible, key=lambda r: (round(r[2], 3), -changes(CANDIDATES[r[0]][1]))) if eligible else None
    floor_text = ", ".join(f"{t}_{m} ≥ {v}" for t, m, v in floors)
    lines = ["# Choosing the default model's options", "",
             f"Leave-one-bulletin-out over everything that trains: {n} measures of {b} bulletins (the seed's gold "
             "measures and the synthetic training bulletins). Each bulletin is predicted by a model trained on all "
             "the others (scikit-learn's LeaveOneGroupOut through the harness's cross-validation loop). The "
             "cross-unit dev set is not used. Criterion: the mean of domain accuracy, domain macro-F1, status "
             "accuracy and status macro-F1 over all held-out measures. `seed` columns: the seed's measures alone, "
             "each predicted by a model that saw no seed measure. `seed CV`: the grouped 5-fold cross-validation "
             f"the shipped model's card reports and CI holds to its floors ({floor_text}, eval/thresholds.toml).",
             "", "| candidate | domain acc | domain macro-F1 | status acc | status macro-F1 | mean | seed domain acc "
             "| seed status acc | seed CV domain F1 / status acc / status F1 |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name, fig, crit in rows:
        a, s, cv = fig["all"], fig["seed"], fig.get("seed_cv")
        cv_cell = (f"{cv['domain']['macro_f1']:.3f} / {cv['status']['accuracy']:.3f} / {cv['status']['macro_f1']:.3f}"
                   + ("" if holds(fig, floors) else " (below a floor)")) if cv else "–"
        lines.append(f"| {name} | {a['domain']['accuracy']:.3f} | {a['domain']['macro_f1']:.3f} | "
                     f"{a['status']['accuracy']:.3f} | {a['status']['macro_f1']:.3f} | **{crit:.3f}** | "
                     f"{s['domain']['accuracy']:.3f} | {s['status']['accuracy']:.3f} | {cv_cell} |")
    verdict = (f"**{chosen[0]}** ({chosen[2]:.3f}), options `{json.dumps(CANDIDATES[chosen[0]][1])}`."
               if chosen else "none holds the floors.")
    lines += ["", f"Best LOBO mean: **{best[0]}** ({best[2]:.3f}).",
              "Chosen (the best LOBO mean, to three places, among the candidates whose seed CV holds every floor; "
              "on a tie the one that changes fewer options of the base row, then the one listed first): " + verdict]
    report = {"protocol": f"leave-one-bulletin-out over the seed gold and the synthetic training bulletins "
                          f"({n} measures, {b} bulletins); dev set not used",
              "floors": {f"{t}_{m}": v for t, m, v in floors},
              "candidates": {name: {**{f"{t}_{m}": round(fig["all"][t][m], 3) for t in ("domain", "status")
                                       for m in ("accuracy", "macro_f1")},
                                    "mean": round(crit, 3),
                                    **{f"seed_{t}_accuracy": round(fig["seed"][t]["accuracy"], 3)
                                       for t in ("domain", "status")},
                                    **({f"seed_cv_{t}_{m}": round(fig["seed_cv"][t][m], 3)
                                        for t in ("domain", "status") for m in ("accuracy", "macro_f1")}
                                       if "seed_cv" in fig else {})}
                             for name, fig, crit in rows},
              "chosen": {"name": chosen[0], "kind": CANDIDATES[chosen[0]][0],
                         "options": CANDIDATES[chosen[0]][1]} if chosen else None}
    if args.only:  # a partial run does not replace the report of the whole grid
        print("\n".join(lines))
        return
    from nlp.outputs import atomic_write_text
    out = ROOT / "eval" / "reports"
    atomic_write_text(out / "selection.md", "\n".join(lines) + "\n")
    atomic_write_text(out / "selection.json", json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    print(f"chosen: {chosen[0] if chosen else None}; wrote {out / 'selection.md'} and selection.json")


if __name__ == "__main__":
    main()
