"""The evaluation harness: a model against a gold file, and grouped cross-validation.

Every figure the toolkit reports comes from here, so that CI, the README and a
researcher's own labelled bulletins are measured the same way. Cross-validation keeps a
problem's (or, with several bulletins, a bulletin's) measures on one side of each split.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .classifiers.base import Classifier, ModelError
from .data import GoldError, group_level, grouped_folds, leave_one_bulletin_out
from .labels import LabelScheme
from .metrics import task_report


def check_compatible(model: Classifier, gold: list[dict], gold_path: str = "gold") -> None:
    """Gold labels the model cannot predict make its figures meaningless: refuse them."""
    for task in model.scheme.tasks.values():
        for i, r in enumerate(gold, 1):
            if task.name not in r:
                raise GoldError(f"{gold_path}: record {i} has no '{task.name}' label")
            if r[task.name] not in task.labels:
                raise GoldError(f"{gold_path}: record {i}: {task.name} label '{r[task.name]}' is unknown to the model "
                                f"(it knows: {', '.join(task.labels)})")


def card_summary(model: Classifier) -> dict:
    c = model.card or {}
    return {"kind": model.kind, "created": c.get("created"), "options": c.get("options"),
            "training_data": c.get("training_data"), "extra_training_data": c.get("extra_training_data"),
            "base_model": c.get("base_model"), "scheme": (c.get("scheme") or {}).get("name")}


def score(gold: list[dict], preds: list[dict], scheme: LabelScheme, bootstrap: int = 1000, seed: int = 0) -> dict:
    return {t.name: task_report([g[t.name] for g in gold], [p[t.name] for p in preds], t.labels, bootstrap, seed)
            for t in scheme.tasks.values()}


def evaluate_model(model: Classifier, gold: list[dict], bootstrap: int = 1000, seed: int = 0,
                   gold_path: str = "gold") -> tuple[dict, list[dict]]:
    """(report, predictions) of a trained model on gold records (their texts as given)."""
    check_compatible(model, gold, gold_path)
    preds = model.predict(gold)
    report = {"n": len(gold), "model": card_summary(model), "tasks": score(gold, preds, model.scheme, bootstrap, seed)}
    return report, preds


JSON_TASK_KEYS = ("accuracy", "macro_f1", "macro_f1_ci", "weighted_f1", "kappa", "per_class", "confusion")


def json_report(report: dict) -> dict:
    """The `--json` document: n, model card, and per task exactly the documented keys."""
    return {"n": report["n"], "model": report["model"],
            "tasks": {t: {k: s[k] for k in JSON_TASK_KEYS} for t, s in report["tasks"].items()}}


def error_rows(gold: list[dict], preds: list[dict], scheme: LabelScheme) -> list[dict]:
    """Measures where any task is wrong, with gold and predicted labels side by side."""
    out = []
    for g, p in zip(gold, preds):
        wrong = [t for t in scheme.tasks if g[t] != p[t]]
        if wrong:
            row = {k: g.get(k) for k in ("bulletin_id", "issue_no", "measure_no", "issue_title", "text")}
            for t in scheme.tasks:
                row[f"gold_{t}"], row[f"pred_{t}"] = g[t], p[t]
            row["wrong"] = wrong
            out.append(row)
    return out


# --- cross-validation -----------------------------------------------------------

@dataclass
class ModelSpec:
    """A model to train inside each fold: 'rules', 'plain', 'tfidf', 'tfidf+extra', 'transformer:BASE'."""

    name: str

    def build(self, scheme: LabelScheme) -> tuple[Classifier, bool]:
        """(untrained model, whether it trains on the extra data too)."""
        from .classifiers.rules import RulesClassifier
        from .classifiers.tfidf import TfidfClassifier, TfidfOptions

        base, _, use_extra = self.name.partition("+")
        if use_extra not in ("", "extra"):
            raise ModelError(f"unknown model '{self.name}' (suffix must be '+extra')")
        if base == "rules":
            return RulesClassifier(scheme), False
        if base == "plain":
            return TfidfClassifier(scheme, TfidfOptions.plain()), bool(use_extra)
        if base == "tfidf":
            return TfidfClassifier(scheme, TfidfOptions(calibrate=False)), bool(use_extra)
        if base.startswith("transformer:"):
            from .classifiers.transformer import TransformerClassifier, TransformerOptions
            return TransformerClassifier(scheme, TransformerOptions(base_model=base.split(":", 1)[1])), bool(use_extra)
        raise ModelError(f"unknown model '{self.name}' (known: rules, plain, tfidf, transformer:BASE, each +extra)")


def cross_validate(spec: ModelSpec, gold: list[dict], scheme: LabelScheme, k: int = 5, extra: list[dict] | None = None,
                   level: str | None = None, seed: int = 0, bootstrap: int = 1000) -> dict:
    """Grouped K-fold CV of one model kind; scores pooled over all held-out predictions."""
    level = level or group_level(gold)
    preds: list[dict | None] = [None] * len(gold)
    folds = []
    for fold, (train_idx, test_idx) in enumerate(grouped_folds(gold, k, level, seed)):
        model, use_extra = spec.build(scheme)
        model.fit([gold[i] for i in train_idx], extra if use_extra else None)
        fold_preds = model.predict([gold[i] for i in test_idx])
        for i, p in zip(test_idx, fold_preds):
            preds[i] = p
        folds.append({"fold": fold, "n_test": len(test_idx),
                      "tasks": {t: s["accuracy"] for t, s in score([gold[i] for i in test_idx], fold_preds, scheme, 0).items()}})
    report = {"model": spec.name, "n": len(gold), "k": k, "group_level": level,
              "tasks": score(gold, preds, scheme, bootstrap, seed), "folds": folds}
    if len({r["bulletin_id"] for r in gold}) > 1:
        report["leave_one_bulletin_out"] = leave_one_bulletin_out_scores(spec, gold, scheme, extra)
    return report


def leave_one_bulletin_out_scores(spec: ModelSpec, gold: list[dict], scheme: LabelScheme,
                                  extra: list[dict] | None) -> dict:
    preds: list[dict | None] = [None] * len(gold)
    per_bulletin = {}
    for bid, train_idx, test_idx in leave_one_bulletin_out(gold):
        model, use_extra = spec.build(scheme)
        model.fit([gold[i] for i in train_idx], extra if use_extra else None)
        fold_preds = model.predict([gold[i] for i in test_idx])
        for i, p in zip(test_idx, fold_preds):
            preds[i] = p
        per_bulletin[bid] = {t: s["accuracy"] for t, s in score([gold[i] for i in test_idx], fold_preds, scheme, 0).items()}
    return {"tasks": score(gold, preds, scheme, 0), "per_bulletin": per_bulletin}


def compare_models(specs: list[str], gold: list[dict], scheme: LabelScheme, k: int = 5, extra: list[dict] | None = None,
                   seed: int = 0, bootstrap: int = 1000) -> dict:
    """Cross-validate several model kinds on the same folds."""
    return {"n": len(gold), "k": k, "group_level": group_level(gold),
            "bulletins": sorted({r["bulletin_id"] for r in gold}),
            "extra_training_measures": len(extra or []),
            "models": {s: cross_validate(ModelSpec(s), gold, scheme, k, extra, None, seed, bootstrap) for s in specs}}


# --- reports --------------------------------------------------------------------

def _fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def format_report(report: dict) -> str:
    """A readable table of one evaluation (stdout of `bulletin eval --gold`)."""
    lines = [f"n = {report['n']} measures; model: {report['model'].get('kind')}"]
    for task, s in report["tasks"].items():
        ci = s.get("macro_f1_ci")
        lines += ["", f"## {task}",
                  f"accuracy {_fmt(s['accuracy'])}"
                  + (f" [{_fmt(s['accuracy_ci'][0])}, {_fmt(s['accuracy_ci'][1])}]" if s.get("accuracy_ci") else "")
                  + f"  macro-F1 {_fmt(s['macro_f1'])}" + (f" [{_fmt(ci[0])}, {_fmt(ci[1])}]" if ci else "")
                  + f"  weighted-F1 {_fmt(s['weighted_f1'])}  kappa {_fmt(s['kappa'])}",
                  f"{'label':<16}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>9}"]
        for label, c in s["per_class"].items():
            lines.append(f"{label:<16}{c['precision']:>10.3f}{c['recall']:>10.3f}{c['f1']:>10.3f}{c['support']:>9d}")
        labels = s["confusion"]["labels"]
        lines.append("confusion (rows gold, columns predicted): " + " ".join(lb[:6] for lb in labels))
        for lb, row in zip(labels, s["confusion"]["matrix"]):
            lines.append(f"  {lb:<16}" + " ".join(f"{v:>6d}" for v in row))
    return "\n".join(lines) + "\n"


def format_comparison(comp: dict) -> str:
    """Markdown comparison table of cross-validated models."""
    tasks = list(next(iter(comp["models"].values()))["tasks"])
    head = ["model"]
    for t in tasks:
        head += [f"{t} acc", f"{t} macro-F1", f"{t} 95% CI", f"{t} kappa"]
    lines = [f"Grouped {comp['k']}-fold cross-validation over {comp['n']} gold measures "
             f"({len(comp['bulletins'])} bulletin(s); groups: {comp['group_level']}). "
             f"Extra (synthetic) training measures available: {comp['extra_training_measures']}; "
             "models marked +extra train on them too; evaluation is on gold only.", "",
             "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, r in comp["models"].items():
        row = [name]
        for t in tasks:
            s = r["tasks"][t]
            ci = s["macro_f1_ci"]
            row += [_fmt(s["accuracy"]), _fmt(s["macro_f1"]), f"[{_fmt(ci[0])}, {_fmt(ci[1])}]" if ci else "–",
                    _fmt(s["kappa"])]
        lines.append("| " + " | ".join(row) + " |")
    if "status" in tasks:
        lines += ["", "Per-class recall (status): " + "; ".join(
            f"{name}: " + ", ".join(f"{lb} {c['recall']:.2f}" for lb, c in r["tasks"]["status"]["per_class"].items())
            for name, r in comp["models"].items())]
    return "\n".join(lines) + "\n"


def write_json(path: str | Path, obj: dict) -> None:
    from .outputs import atomic_write_text
    atomic_write_text(path, json.dumps(obj, ensure_ascii=False, indent=2) + "\n")
