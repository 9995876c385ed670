"""The `bulletin` command: thin sub-commands over the library.

Each sub-command checks its arguments, calls a library function, and turns expected
failures into one-line errors with a non-zero exit. Heavy modules are imported inside the
sub-command that needs them, so `parse` and `classify` start without torch.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .source import SourceError


class CliError(Exception):
    """An error the user can fix; printed as one line, exit status 2."""


def _out_text(text: str, out: str | None) -> None:
    from .outputs import atomic_write_text

    if out:
        atomic_write_text(out, text)
    else:
        sys.stdout.write(text)


def _finish(failures, n_ok: int) -> int:
    failures.report()
    if n_ok == 0 and failures:
        return 1
    return 1 if failures else 0


# --- parse ------------------------------------------------------------------------

def cmd_parse(args: argparse.Namespace) -> int:
    from .batch import Failures, iter_parsed, read_options
    from .outputs import dumps_jsonl
    from .records import measure_rows, to_markdown

    failures = Failures()
    docs = list(iter_parsed(args.inputs, failures, options=read_options(args)))
    if args.format == "json":
        if len(docs) == 1 and len(args.inputs) == 1 and Path(args.inputs[0]).is_file():
            text = json.dumps(docs[0].to_dict(args.with_text), ensure_ascii=False, indent=2) + "\n"
        else:
            text = dumps_jsonl(d.to_dict(args.with_text) for d in docs)
    elif args.format == "jsonl":
        text = dumps_jsonl(r for d in docs for r in measure_rows(d))
    else:
        text = "\n\n".join(to_markdown(d) for d in docs) + ("\n" if docs else "")
    if docs:
        _out_text(text, args.out)
    return _finish(failures, len(docs))


# --- classify ---------------------------------------------------------------------

def open_model(spec: str | None, scheme_path: str | None = None):
    """The model a sub-command's --model names; a bad one becomes a one-line CliError."""
    from .classifiers import ModelError, load_model
    from .labels import LabelScheme, SchemeError

    try:
        scheme = LabelScheme.load(scheme_path) if scheme_path else None
        return load_model(spec, scheme)
    except (ModelError, SchemeError) as exc:
        raise CliError(str(exc)) from None


def cmd_classify(args: argparse.Namespace) -> int:
    from .batch import Failures, read_options
    from .classify import classify_files, format_tally, tally, write_summary

    if not args.out.lower().endswith((".jsonl", ".csv", ".json")):
        raise CliError("--out must end in .jsonl or .csv")
    model = open_model(args.model)
    failures = Failures()
    rows = classify_files(args.inputs, model, args.out, args.resume, args.all_probs, failures, read_options(args))
    t = tally(rows, model)
    if args.summary:
        write_summary(args.summary, t)
    elif t:
        print(format_tally(t), file=sys.stderr)
    print(f"wrote {len(rows)} measure row(s) to {args.out}", file=sys.stderr)
    return _finish(failures, len(t))


# --- train ------------------------------------------------------------------------

def _read_gold(paths: list[str], scheme):
    from .data import GoldError, load_labelled

    try:
        return load_labelled(paths, scheme)
    except GoldError as exc:
        raise CliError(str(exc)) from None


def cmd_train(args: argparse.Namespace) -> int:
    from .train import TrainError, train_from_args

    try:
        model = train_from_args(args)
    except TrainError as exc:
        raise CliError(str(exc)) from None
    print(f"saved {model.kind} model to {args.out}", file=sys.stderr)
    return 0


# --- eval -------------------------------------------------------------------------

def cmd_eval(args: argparse.Namespace) -> int:
    from .classifiers import ModelError
    from .data import GoldError
    from .evaluate import (compare_models, error_rows, evaluate_model, format_comparison, format_report,
                           json_report, write_json)
    from .labels import LabelScheme, SchemeError
    from .outputs import write_rows

    if not args.gold and not args.summaries:
        raise CliError("give --gold FILE(S) and/or --summaries FILE")
    try:
        if args.summaries:
            from .summary_eval import evaluate_summaries, format_summary_report
            rep = evaluate_summaries(args.summaries, word_level=args.word_level)
            sys.stdout.write(format_summary_report(rep))
            if args.json and not args.gold:
                write_json(args.json, rep)
        if not args.gold:
            return 0
        if args.cv:
            scheme = LabelScheme.load(args.scheme) if args.scheme else LabelScheme.load()
            gold = _read_gold(args.gold, scheme)
            extra = _read_gold(args.extra, scheme) if args.extra else None
            specs = [s.strip() for s in args.models.split(",") if s.strip()]
            comp = compare_models(specs, gold, scheme, args.cv, extra, args.seed, args.bootstrap)
            table = format_comparison(comp)
            sys.stdout.write(table)
            out_dir = Path(args.report_dir)
            from .outputs import atomic_write_text
            atomic_write_text(out_dir / f"{args.report_name}.md", f"# Model comparison\n\n{table}")
            write_json(out_dir / f"{args.report_name}.json", comp)
            if args.json:
                write_json(args.json, comp)
            print(f"wrote {out_dir / args.report_name}.md and .json", file=sys.stderr)
            return 0
        model = open_model(args.model)
        gold = _read_gold(args.gold, model.scheme)
        report, preds = evaluate_model(model, gold, args.bootstrap, args.seed, ", ".join(args.gold))
        sys.stdout.write(format_report(report))
        if args.json:
            write_json(args.json, json_report(report))
        if args.errors:
            write_rows(args.errors, error_rows(gold, preds, model.scheme))
        return 0
    except (GoldError, ModelError, SchemeError) as exc:
        raise CliError(str(exc)) from None


# --- the parser -------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    from .batch import add_input_options

    p = argparse.ArgumentParser(prog="bulletin", description=(
        "Parse, label, evaluate, summarise and compare Chinese inspection-rectification "
        "bulletins (巡视/巡察整改情况通报)."))
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    sp = sub.add_parser("parse", help="parse bulletins into problems and measures")
    sp.add_argument("inputs", nargs="+", help=".txt/.html files or folders of them")
    sp.add_argument("--format", choices=["json", "jsonl", "md"], default="json",
                    help="json: one document (JSON Lines for several inputs); jsonl: one measure a line; md: outline")
    sp.add_argument("--out", help="write here (atomically) instead of stdout")
    sp.add_argument("--with-text", action="store_true", help="include the decoded source text in json")
    add_input_options(sp)
    sp.set_defaults(func=cmd_parse)

    sp = sub.add_parser("classify", help="label every measure of bulletins with the default or a given model")
    sp.add_argument("inputs", nargs="+", help=".txt/.html files or folders of them")
    sp.add_argument("--out", required=True, help="results file: .jsonl or .csv (written atomically)")
    sp.add_argument("--model", help="a saved model folder, 'default' (shipped) or 'rules'")
    sp.add_argument("--all-probs", action="store_true", help="add every label's probability (p_<task>_<label>)")
    sp.add_argument("--summary", help="write the per-bulletin tally here (JSON) instead of stderr")
    sp.add_argument("--resume", action="store_true", help="continue an interrupted run into the same --out")
    add_input_options(sp)
    sp.set_defaults(func=cmd_classify)

    sp = sub.add_parser("train", help="train a model (rules, tfidf or transformer) on labelled measures")
    sp.add_argument("--gold", nargs="+", help="labelled JSONL file(s) (record format of LABELS.md)")
    sp.add_argument("--extra", nargs="*", default=[], help="extra training measures (e.g. data/synthetic/measures.jsonl)")
    sp.add_argument("--kind", choices=["rules", "tfidf", "plain", "transformer"], default="tfidf")
    sp.add_argument("--scheme", help="label scheme JSON (default: the project's scheme)")
    sp.add_argument("--base-model", help="transformer: any Hugging Face checkpoint name or local path")
    sp.add_argument("--epochs", type=float, help="transformer: training epochs")
    sp.add_argument("--batch-size", type=int, help="transformer: batch size")
    sp.add_argument("--learning-rate", type=float, help="transformer: learning rate")
    sp.add_argument("--max-length", type=int, help="transformer: max tokens of title + measure")
    sp.add_argument("--words", action="store_true", help="tfidf: add jieba word 1-2-grams as a feature block")
    sp.add_argument("--seed", type=int, default=0)
    sp.add_argument("--like", help="a saved model folder: train again with the options and data its card records")
    sp.add_argument("--no-eval", action="store_true", help="skip the cross-validated metrics in the card")
    sp.add_argument("--out", required=True, help="folder to save the model in")
    sp.set_defaults(func=cmd_train)

    sp = sub.add_parser("eval", help="evaluate a model on labelled measures, or cross-validate model kinds")
    sp.add_argument("--gold", nargs="+", help="labelled JSONL file(s)")
    sp.add_argument("--model", help="model folder, 'default' or 'rules' (single evaluation)")
    sp.add_argument("--json", help="write the figures here as JSON")
    sp.add_argument("--errors", help="write the misclassified measures here (.jsonl or .csv)")
    sp.add_argument("--cv", type=int, metavar="K", help="grouped K-fold cross-validation of --models")
    sp.add_argument("--models", default="rules,plain,tfidf,tfidf+extra",
                    help="comma-separated: rules, plain, tfidf, transformer:BASE, each optionally +extra")
    sp.add_argument("--extra", nargs="*", default=[], help="extra training data for +extra models")
    sp.add_argument("--scheme", help="label scheme JSON for --cv (default: the project's)")
    sp.add_argument("--report-dir", default="eval/reports", help="where --cv writes its comparison")
    sp.add_argument("--report-name", default="comparison", help="file name (without suffix) of the comparison")
    sp.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples for the 95%% intervals")
    sp.add_argument("--seed", type=int, default=0)
    sp.add_argument("--summaries", help="reference summaries JSONL: report ROUGE of the summariser and lead-N")
    sp.add_argument("--word-level", action="store_true", help="ROUGE over jieba words instead of characters")
    sp.set_defaults(func=cmd_eval)

    for register in _REGISTRARS:
        register(sub)
    return p


from .compare import register_cli as _compare_cli  # noqa: E402  (light modules: stdlib at import)
from .annotate import register_cli as _annotate_cli  # noqa: E402
from .summarize import register_cli as _summarize_cli  # noqa: E402

# Sub-commands that live beside their library module.
_REGISTRARS: list = [_summarize_cli, _compare_cli, _annotate_cli]


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (CliError, SourceError) as exc:
        print(f"bulletin {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(f"bulletin {args.command}: error: no such file: {exc.filename}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"bulletin {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
