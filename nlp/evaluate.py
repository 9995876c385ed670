"""The evaluation harness: a model against a gold file, and grouped cross-validation.

Every figure the toolkit reports comes from here, so that CI, the README and a
researcher's own labelled bulletins are measured the same way. Cross-validation keeps a
problem's (or, with several bulletins, a bulletin's) measures on one side of each split.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Callable
from pathlib import Path

from .classifiers.base import Classifier, ModelError
from .errors import UsageError
from .data import GoldError, group_level, grouped_folds, leave_one_bulletin_out
from .labels import LabelScheme
from .records import RECORD_FIELDS
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


JSON_TASK_KEYS = ("accuracy", "accuracy_ci", "macro_f1", "macro_f1_ci", "weighted_f1", "kappa", "per_class", "confusion")


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
            row = {k: g.get(k) for k in RECORD_FIELDS}
            for t in scheme.tasks:
                row[f"gold_{t}"], row[f"pred_{t}"] = g[t], p[t]
            row["wrong"] = wrong
            out.append(row)
    return out


# --- cross-validation -----------------------------------------------------------

@dataclass(frozen=True)
class ModelSpec:
    """A model the harness trains inside each fold: a registry kind with its options, with or
    without the extra (synthetic) training data. Written 'rules', 'plain', 'tfidf+extra',
    'transformer:hfl/chinese-roberta-wwm-ext', or any registered kind."""

    name: str
    kind: str
    options: dict = field(default_factory=dict)
    use_extra: bool = False

    @classmethod
    def parse(cls, text: str) -> "ModelSpec":
        from .classifiers import REGISTRY

        text = text.strip()
        base, use_extra = (text[: -len("+extra")], True) if text.endswith("+extra") else (text, False)
        kind, _, arg = base.partition(":")
        if kind not in REGISTRY:
            raise ModelError(f"unknown model '{text}' (known kinds: {', '.join(REGISTRY)}; "
                             "transformer:BASE; each optionally +extra)")
        options: dict = {}
        if kind == "transformer":
            if not arg:
                raise ModelError("transformer needs a checkpoint: transformer:NAME_OR_PATH")
            options["base_model"] = arg
        elif arg:
            raise ModelError(f"model '{text}': only transformer takes ':NAME'")
        return cls(text, kind, options, use_extra)

    def factory(self, scheme: LabelScheme) -> Callable[[], Classifier]:
        """A function giving a fresh untrained model per call (one per fold)."""
        from .classifiers import build

        options = cv_options(self.kind, self.options)
        return lambda: build(self.kind, scheme, options)


def cv_options(kind: str, options: dict | None) -> dict:
    """Options for models trained inside folds: calibration changes no label, so it is skipped."""
    from .classifiers import model_class

    names = model_class(kind).option_names() or set()
    return {**(options or {}), **({"calibrate": False} if "calibrate" in names else {})}


def cross_validate(new_model: Callable[[], Classifier], gold: list[dict], splits: list[tuple[list[int], list[int]]],
                   scheme: LabelScheme, extra: list[dict] | None = None, bootstrap: int = 1000,
                   seed: int = 0) -> dict:
    """The one cross-validation loop: a fresh model per split, trained on the split's training
    part (+ `extra`), scored on the pooled held-out predictions. Used by `eval --cv`, by the
    figures in every model card and by leave-one-bulletin-out."""
    preds: list[dict | None] = [None] * len(gold)
    folds = []
    for fold, (train_idx, test_idx) in enumerate(splits):
        model = new_model()
        model.fit([gold[i] for i in train_idx], extra or None)
        fold_preds = model.predict([gold[i] for i in test_idx])
        for i, p in zip(test_idx, fold_preds):
            preds[i] = p
        folds.append({"fold": fold, "n_test": len(test_idx),
                      "tasks": {t: s["accuracy"] for t, s in
                                score([gold[i] for i in test_idx], fold_preds, scheme, 0).items()}})
    done = [i for i, p in enumerate(preds) if p is not None]
    return {"n": len(done), "tasks": score([gold[i] for i in done], [preds[i] for i in done], scheme, bootstrap, seed),
            "folds": folds, "predictions": preds}


def per_bulletin(gold: list[dict], preds: list[dict | None], scheme: LabelScheme) -> dict:
    """Accuracy per task for each bulletin's held-out measures."""
    by: dict[str, list[int]] = {}
    for i, r in enumerate(gold):
        if preds[i] is not None:
            by.setdefault(str(r["bulletin_id"]), []).append(i)
    return {b: {t: s["accuracy"] for t, s in score([gold[i] for i in idx], [preds[i] for i in idx], scheme, 0).items()}
            for b, idx in sorted(by.items())}


def model_cv_report(spec: ModelSpec, gold: list[dict], scheme: LabelScheme, k: int = 5,
                    extra: list[dict] | None = None, seed: int = 0, bootstrap: int = 1000,
                    heldout: list[dict] | None = None) -> dict:
    """Grouped K-fold CV of one model spec; leave-one-bulletin-out too when gold spans several
    bulletins; and, with `heldout`, the model trained on all of gold scored on the held-out set."""
    level = group_level(gold)
    new_model = spec.factory(scheme)
    train_extra = extra if spec.use_extra else None
    cv = cross_validate(new_model, gold, grouped_folds(gold, k, level, seed), scheme, train_extra, bootstrap, seed)
    report = {"model": spec.name, "n": len(gold), "k": k, "group_level": level, "tasks": cv["tasks"],
              "folds": cv["folds"]}
    if len({r["bulletin_id"] for r in gold}) > 1:
        lobo = cross_validate(new_model, gold, [(tr, te) for _, tr, te in leave_one_bulletin_out(gold)], scheme,
                              train_extra, bootstrap, seed)
        report["leave_one_bulletin_out"] = {"tasks": lobo["tasks"],
                                            "per_bulletin": per_bulletin(gold, lobo["predictions"], scheme)}
    if heldout:
        model = new_model()
        model.fit(gold, train_extra)
        hp = model.predict(heldout)
        report["heldout"] = {"n": len(heldout), "tasks": score(heldout, hp, scheme, bootstrap, seed),
                             "per_bulletin": per_bulletin(heldout, hp, scheme)}
    return report


def compare_models(specs: list[str], gold: list[dict], scheme: LabelScheme, k: int = 5, extra: list[dict] | None = None,
                   seed: int = 0, bootstrap: int = 1000, heldout: list[dict] | None = None) -> dict:
    """Cross-validate several model specs on the same folds (and score them on `heldout`)."""
    parsed = [ModelSpec.parse(s) for s in specs]
    if not parsed:
        raise ModelError("--models names no model")
    return {"n": len(gold), "k": k, "group_level": group_level(gold),
            "bulletins": sorted({str(r["bulletin_id"]) for r in gold}),
            "extra_training_measures": len(extra or []),
            "heldout": {"n": len(heldout), "bulletins": sorted({str(r["bulletin_id"]) for r in heldout})}
            if heldout else None,
            "models": {s.name: model_cv_report(s, gold, scheme, k, extra, seed, bootstrap, heldout) for s in parsed}}


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


def _comparison_table(rows: list[tuple[str, dict]], tasks: list[str]) -> list[str]:
    head = ["model"]
    for t in tasks:
        head += [f"{t} acc", f"{t} macro-F1", f"{t} 95% CI", f"{t} kappa"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, scores in rows:
        row = [name]
        for t in tasks:
            sc = scores[t]
            ci = sc["macro_f1_ci"]
            row += [_fmt(sc["accuracy"]), _fmt(sc["macro_f1"]), f"[{_fmt(ci[0])}, {_fmt(ci[1])}]" if ci else "–",
                    _fmt(sc["kappa"])]
        lines.append("| " + " | ".join(row) + " |")
    return lines


def format_comparison(comp: dict) -> str:
    """Markdown tables of the compared models: grouped CV, leave-one-bulletin-out and held-out."""
    models = comp["models"]
    tasks = list(next(iter(models.values()))["tasks"])
    lines = [f"Grouped {comp['k']}-fold cross-validation over {comp['n']} gold measures "
             f"({len(comp['bulletins'])} bulletin(s); groups: {comp['group_level']}). "
             f"Extra (synthetic) training measures available: {comp['extra_training_measures']}; "
             "models marked +extra train on them too; evaluation is on gold only.", ""]
    lines += _comparison_table([(n, r["tasks"]) for n, r in models.items()], tasks)
    if all("leave_one_bulletin_out" in r for r in models.values()):
        lines += ["", "Leave-one-bulletin-out (each bulletin predicted by a model trained on the others):", ""]
        lines += _comparison_table([(n, r["leave_one_bulletin_out"]["tasks"]) for n, r in models.items()], tasks)
    if comp.get("heldout"):
        h = comp["heldout"]
        lines += ["", f"Held out: trained on all the gold above, scored on {h['n']} measures of "
                      f"{len(h['bulletins'])} other bulletin(s):", ""]
        lines += _comparison_table([(n, r["heldout"]["tasks"]) for n, r in models.items()], tasks)
    for t in tasks[1:]:
        lines += ["", f"Per-class recall ({t}, cross-validation): " + "; ".join(
            f"{name}: " + ", ".join(f"{lb} {c['recall']:.2f}" for lb, c in r["tasks"][t]["per_class"].items())
            for name, r in models.items())]
    return "\n".join(lines) + "\n"


# --- floors for users' CI -------------------------------------------------------

METRICS = ("accuracy", "macro_f1", "weighted_f1", "kappa")


def parse_floors(text: str) -> list[tuple[str, str, float]]:
    """'domain.accuracy=0.85,status.macro_f1=0.7' -> [(task, metric, floor), ...]."""
    out = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        key, eq, value = part.partition("=")
        task, dot, metric = key.strip().partition(".")
        try:
            floor = float(value)
        except ValueError:
            floor = float("nan")
        if not eq or not dot or metric not in METRICS or not 0.0 <= floor <= 1.0:
            raise UsageError(f"--fail-under: '{part}' is not TASK.METRIC=VALUE with METRIC one of "
                             f"{', '.join(METRICS)} and VALUE in [0, 1]")
        out.append((task.strip(), metric, floor))
    if not out:
        raise UsageError("--fail-under names no floor")
    return out


def read_floors(path: str | Path, section: str) -> list[tuple[str, str, float]]:
    """(task, metric, floor) from a TOML file of floors such as eval/thresholds.toml, where
    `[section]` holds keys TASK_METRIC (status_accuracy, domain_macro_f1) and a `protocol` note."""
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib
    table = tomllib.loads(Path(path).read_text(encoding="utf-8"))[section]
    out = []
    for key, floor in table.items():
        if key == "protocol":
            continue
        metric = next((m for m in METRICS if key.endswith("_" + m) and len(key) > len(m) + 1), None)
        if metric is None:
            raise UsageError(f"{path} [{section}]: '{key}' is not TASK_METRIC with METRIC one of {', '.join(METRICS)}")
        out.append((key[:-len(metric) - 1], metric, float(floor)))
    return out


def check_floors(report: dict, floors: list[tuple[str, str, float]]) -> list[str]:
    """One line per figure below its floor."""
    bad = []
    for task, metric, floor in floors:
        if task not in report["tasks"]:
            raise UsageError(f"--fail-under: no task '{task}' (tasks: {', '.join(report['tasks'])})")
        value = report["tasks"][task][metric]
        if value is None or value < floor:
            bad.append(f"{task}.{metric} = {_fmt(value)} is below the floor {floor:.3f}")
    return bad


def check_baseline(report: dict, baseline: dict) -> list[str]:
    """One line per figure that fell by more than the half-width of its bootstrap 95% interval
    in the baseline (a previous `--json` report of the same gold)."""
    bad = []
    for task, prev in (baseline.get("tasks") or {}).items():
        cur = report["tasks"].get(task)
        if cur is None:
            bad.append(f"{task}: in the baseline but not in this evaluation")
            continue
        for metric in ("accuracy", "macro_f1"):
            ci = prev.get(f"{metric}_ci")
            if prev.get(metric) is None or not ci or cur.get(metric) is None:
                continue
            margin = (ci[1] - ci[0]) / 2
            if cur[metric] < prev[metric] - margin:
                bad.append(f"{task}.{metric} fell from {prev[metric]:.3f} to {cur[metric]:.3f}, "
                           f"more than its interval allows ({margin:.3f})")
    return bad


def write_json(path: str | Path, obj: dict) -> None:
    from .outputs import atomic_write_text
    atomic_write_text(path, json.dumps(obj, ensure_ascii=False, indent=2) + "\n")
