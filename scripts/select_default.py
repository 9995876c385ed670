#!/usr/bin/env python
"""Choose the default model's options by leave-one-bulletin-out over everything that trains.

Every record of the seed gold and of the synthetic training data is predicted by a model
trained on all the other bulletins (scikit-learn's LeaveOneGroupOut, through the harness's
one cross-validation loop). The cross-unit dev set (data/dev) is never read here: it is kept
for the final figures. Prints one row per candidate and writes eval/reports/selection.md.

Usage: python scripts/select_default.py [--grid small|full] [--jobs N]
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
    "tfidf (previous default options)": ("tfidf", {"use_context": False, "constrain_status": False}),
    "+ context": ("tfidf", {"constrain_status": False}),
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
    from nlp.classifiers import build
    from nlp.data import leave_one_bulletin_out, load_labelled
    from nlp.evaluate import cross_validate, cv_options, per_bulletin
    from nlp.labels import LabelScheme

    scheme = LabelScheme.load()
    records = load_labelled([ROOT / p for p in TRAINING], scheme)
    kind, options = CANDIDATES[name]
    opts = cv_options(kind, options)
    t = time.time()
    res = cross_validate(lambda: build(kind, scheme, opts), records,
                         [(tr, te) for _, tr, te in leave_one_bulletin_out(records)], scheme, bootstrap=0)
    seed = [i for i, r in enumerate(records) if r.get("source") != "synthetic"]
    from nlp.evaluate import score
    seed_scores = score([records[i] for i in seed], [res["predictions"][i] for i in seed], scheme, 0)
    figures = {"all": {t_: {k: s[k] for k in ("accuracy", "macro_f1")} for t_, s in res["tasks"].items()},
               "seed": {t_: {k: s[k] for k in ("accuracy", "macro_f1")} for t_, s in seed_scores.items()},
               "n": res["n"], "bulletins": len(per_bulletin(records, res["predictions"], scheme))}
    return name, figures, time.time() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--only", nargs="*", help="candidate names to run (default: all)")
    args = ap.parse_args()
    names = args.only or list(CANDIDATES)
    rows = []
    with ProcessPoolExecutor(args.jobs) as pool:
        for name, fig, secs in pool.map(evaluate, names):
            a = fig["all"]
            crit = (a["domain"]["accuracy"] + a["domain"]["macro_f1"] + a["status"]["accuracy"] + a["status"]["macro_f1"]) / 4
            rows.append((name, fig, crit))
            print(f"{name:45s} dom {a['domain']['accuracy']:.3f}/{a['domain']['macro_f1']:.3f} "
                  f"st {a['status']['accuracy']:.3f}/{a['status']['macro_f1']:.3f} mean {crit:.3f} "
                  f"(seed dom {fig['seed']['domain']['accuracy']:.3f} st {fig['seed']['status']['accuracy']:.3f}) "
                  f"[{secs:.0f}s]", flush=True)
    n, b = rows[0][1]["n"], rows[0][1]["bulletins"]
    lines = ["# Choosing the default model's options", "",
             f"Leave-one-bulletin-out over everything that trains: {n} measures of {b} bulletins (the seed's gold "
             "and the synthetic training bulletins). Each bulletin is predicted by a model trained on all the others. "
             "The cross-unit dev set is not used. Criterion: the mean of domain accuracy, domain macro-F1, status "
             "accuracy and status macro-F1 over all held-out measures. `seed` columns: the seed's 141 measures alone.",
             "", "| candidate | domain acc | domain macro-F1 | status acc | status macro-F1 | mean | seed domain acc | seed status acc |",
             "|---|---|---|---|---|---|---|---|"]
    for name, fig, crit in rows:
        a, s = fig["all"], fig["seed"]
        lines.append(f"| {name} | {a['domain']['accuracy']:.3f} | {a['domain']['macro_f1']:.3f} | "
                     f"{a['status']['accuracy']:.3f} | {a['status']['macro_f1']:.3f} | **{crit:.3f}** | "
                     f"{s['domain']['accuracy']:.3f} | {s['status']['accuracy']:.3f} |")
    best = max((r for r in rows if CANDIDATES[r[0]][0] == "tfidf"), key=lambda r: r[2])
    lines += ["", f"Best: **{best[0]}** ({json.dumps(CANDIDATES[best[0]][1])})."]
    if args.only:  # a partial run does not replace the report of the whole grid
        print("\n".join(lines))
        return
    out = ROOT / "eval" / "reports" / "selection.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"best: {best[0]}; wrote {out}")


if __name__ == "__main__":
    main()
