#!/usr/bin/env python
"""In-domain and cross-unit figures, side by side, for the shipped default and its baselines.

- in-domain: grouped 5-fold cross-validation over the seed's 141 gold measures (the
  synthetic training data trains in every fold, as the models use it);
- cross-unit: every model trained on everything that trains (seed gold + synthetic), then
  scored on the dev set's 18 bulletins of other units (data/dev/gold.jsonl, written and
  labelled blind to the models) and on the real university bulletin (stand-off labels;
  its text is read from ../shared and the row is skipped, with the reason, when absent).

Writes eval/reports/cross_unit.md and .json. Usage: python scripts/eval_cross_unit.py
"""
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nlp.classifiers import build, load_model  # noqa: E402
from nlp.classifiers.base import recipe_options  # noqa: E402
from nlp.data import grouped_folds, load_labelled, load_standoff  # noqa: E402
from nlp.evaluate import cross_validate, cv_options, score  # noqa: E402
from nlp.labels import LabelScheme  # noqa: E402
from nlp.outputs import atomic_write_text  # noqa: E402

NANKAI = ROOT.parent / "shared" / "bulletins" / "nankai_2022.txt"
FIGS = (("domain", "accuracy"), ("domain", "macro_f1"), ("status", "accuracy"), ("status", "macro_f1"))


def cross_unit_sets(scheme) -> dict[str, list[dict]]:
    """The held-out sets: the dev gold, and the real university bulletin when its text is there."""
    sets = {"dev (18 bulletins)": load_labelled([ROOT / "data" / "dev" / "gold.jsonl"], scheme)}
    if NANKAI.exists():
        from nlp.parse import parse_file
        b = parse_file(NANKAI)  # its context as classify would give it: unit type, date from the parser
        context = {"unit_type": b.unit_type, "published": b.dates.get("published") or b.dates.get("signed")}
        sets["nankai_2022 (real)"] = load_standoff(ROOT / "data" / "dev" / "nankai_2022.structure.json", NANKAI,
                                                   ROOT / "data" / "dev" / "labels.jsonl", scheme, context)
    else:
        print(f"skipping nankai_2022: {NANKAI} is absent (evaluation-only text, not in the project)", file=sys.stderr)
    return sets


def recipes(scheme) -> dict[str, tuple[str, dict]]:
    card = load_model("default").card
    return {"rules": ("rules", {}), "plain (char TF-IDF + LR)": ("plain", {}),
            "default (shipped)": (card.get("train_kind", "tfidf"), recipe_options(card))}


def main() -> dict:
    scheme = LabelScheme.load()
    seed = load_labelled([ROOT / "data" / "gold" / "seed.jsonl"], scheme)
    extra = load_labelled([ROOT / "data" / "synthetic" / p for p in ("measures.jsonl", "bulletin_measures.jsonl")],
                          scheme)
    sets = cross_unit_sets(scheme)
    report = {"seed_cv": "grouped 5-fold CV by problem over the seed's 141 gold measures, synthetic data in training",
              "held_out": {k: len(v) for k, v in sets.items()}, "models": {}}
    for name, (kind, options) in recipes(scheme).items():
        opts = cv_options(kind, options)
        cv = cross_validate(lambda: build(kind, scheme, opts), seed, grouped_folds(seed, 5), scheme, extra, 1000)
        model = build(kind, scheme, options).fit(seed, extra)
        row = {"seed_cv": {t: {m: cv["tasks"][t][m] for m in ("accuracy", "macro_f1")} for t in scheme.tasks}}
        for set_name, gold in sets.items():
            s = score(gold, model.predict(gold), scheme, 1000)
            row[set_name] = {t: {m: s[t][m] for m in ("accuracy", "macro_f1", "accuracy_ci")} for t in scheme.tasks}
        report["models"][name] = row
        print(name, json.dumps({k: {t: round(v[t]["accuracy"], 3) for t in v} for k, v in row.items()}), flush=True)
    lines = ["# In-domain and cross-unit figures", "",
             "In-domain: " + report["seed_cv"] + ". Cross-unit: trained on everything that trains (seed gold + "
             "synthetic), scored on bulletins of other units that no model, lexicon or option choice saw: " +
             ", ".join(f"{k}: {n} measures" for k, n in report["held_out"].items()) + ".", "",
             "| model | set | domain acc | domain macro-F1 | status acc | status macro-F1 |", "|---|---|---|---|---|---|"]
    for name, row in report["models"].items():
        for set_name, s in row.items():
            label = "seed CV (in-domain)" if set_name == "seed_cv" else set_name
            lines.append(f"| {name} | {label} | " + " | ".join(f"{s[t][m]:.3f}" for t, m in FIGS) + " |")
    out = ROOT / "eval" / "reports"
    atomic_write_text(out / "cross_unit.md", "\n".join(lines) + "\n")
    atomic_write_text(out / "cross_unit.json", json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    print("\n".join(lines))
    return report


if __name__ == "__main__":
    main()
