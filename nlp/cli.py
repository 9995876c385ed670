"""The `bulletin` command: the top layer, thin sub-commands over the library.

Each sub-command checks its arguments, calls one library function and prints what it
did. Every error a user can cause is a `BulletinError`, caught once in `main` and
printed as one line (exit status 2; 1 when some inputs of a batch failed or a floor was
missed). Heavy modules are imported inside the sub-command that needs them, so `parse`
and `classify` start without torch. No library module imports this one.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .errors import BulletinError, UsageError

INPUTS_HELP = ("bulletin files (.txt .html .htm .md .docx .pdf), corpus files (.jsonl .csv .tsv .parquet, "
               "with --text-field) or folders of them")


def _out_text(text: str, out: str | None) -> None:
    from .outputs import atomic_write_text

    if out:
        atomic_write_text(out, text)
    else:
        sys.stdout.write(text)


def _finish(failures) -> int:
    failures.report()
    return 1 if failures else 0


def _say_written(res, out) -> None:
    """What a batch wrote, and how many cells lost control characters spreadsheets cannot hold."""
    if res.stripped_cells:
        print(f"note: removed control characters (which spreadsheets cannot hold) from {res.stripped_cells} "
              "cell(s)", file=sys.stderr)
    print(f"wrote {res.rows} measure row(s) of {res.bulletins} bulletin(s) to {out}", file=sys.stderr)


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a whole number") from None
    if n <= 0:
        raise argparse.ArgumentTypeError("must be a positive whole number")
    return n


def _non_negative(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a whole number") from None
    if n < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return n


def _scheme(path: str | None):
    from .labels import LabelScheme
    return LabelScheme.load(path) if path else LabelScheme.load()


def _model(spec: str | None):
    from .classifiers import load_model
    return load_model(spec)


# --- the input options every sub-command that reads bulletins shares -------------

def add_input_options(parser: argparse.ArgumentParser) -> None:
    """--text-field / --id-field for corpus files, --max-size for every input."""
    from .source import DEFAULT_MAX_BYTES

    g = parser.add_argument_group("inputs")
    g.add_argument("--text-field", help="corpus files (.jsonl/.csv/.tsv/.parquet, one bulletin a row): the "
                   "column with the text (default: content, text, body…); also makes folders yield corpus files")
    g.add_argument("--id-field", help="corpus files: the column giving each bulletin's id (default: file#row)")
    g.add_argument("--max-size", type=float, default=DEFAULT_MAX_BYTES / 1e6, metavar="MB",
                   help="refuse inputs (files or rows) larger than this (default: %(default)g MB)")


def add_jobs_option(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--jobs", type=_positive, metavar="N",
                        help=f"worker processes for {what} (default: all cores); the output is the same for any N")


def read_options(args: argparse.Namespace):
    """The ReadOptions the input flags ask for."""
    from .source import DEFAULT_MAX_BYTES, ReadOptions

    if getattr(args, "max_size", None) is not None and args.max_size <= 0:
        raise UsageError("--max-size must be positive")
    return ReadOptions(text_field=getattr(args, "text_field", None), id_field=getattr(args, "id_field", None),
                       max_bytes=int(getattr(args, "max_size", DEFAULT_MAX_BYTES / 1e6) * 1e6))


# --- parse ------------------------------------------------------------------------

def _write_stream(out: str | None, items, fmt: str, to_json, render, single: bool) -> int:
    """Write each item as soon as it comes, to stdout or to `out` (atomically, and only when
    something was written, so a run that produces nothing leaves an earlier `out` as it was).

    `fmt` json: one indented document when `single` and there is one item, else JSON Lines of
    `to_json(item)`; other formats: `render(item, n)` for the n-th item."""
    from .outputs import AtomicFile

    sink = AtomicFile(out) if out else None
    f = sink.open() if sink else sys.stdout
    n, held = 0, None
    try:
        for item in items:
            if fmt == "json":
                if held is not None:
                    f.write(json.dumps(to_json(held), ensure_ascii=False) + "\n")
                    held = None
                if single and n == 0:
                    held = item
                else:
                    f.write(json.dumps(to_json(item), ensure_ascii=False) + "\n")
            else:
                f.write(render(item, n))
            n += 1
        if held is not None:
            f.write(json.dumps(to_json(held), ensure_ascii=False, indent=2) + "\n")
        elif fmt == "md" and n:
            f.write("\n")
    except BaseException:
        if sink:
            sink.abort()
        raise
    if sink and n:
        sink.commit()
    elif sink:
        sink.abort()
    return n


def _check_out_against_inputs(args: argparse.Namespace) -> None:
    if args.out:
        from .inputs import iter_bulletin_files
        from .outputs import check_out
        check_out(args.out, [*args.inputs, *iter_bulletin_files(args.inputs)])


def cmd_parse(args: argparse.Namespace) -> int:
    """Streams: each bulletin is written as soon as it is parsed (to --out atomically at the end)."""
    from .batch import Failures, iter_parsed
    from .outputs import strip_controls
    from .records import measure_rows, to_markdown
    from .source import BULLETIN_SUFFIXES

    _check_out_against_inputs(args)
    failures = Failures()
    single = (len(args.inputs) == 1 and Path(args.inputs[0]).is_file()
              and Path(args.inputs[0]).suffix.lower() in BULLETIN_SUFFIXES)

    def render(d, n: int) -> str:
        if args.format == "jsonl":
            return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in measure_rows(d))
        return ("\n\n" if n else "") + strip_controls(to_markdown(d))  # text for reading: no NULs

    docs = iter_parsed(args.inputs, failures, options=read_options(args), jobs=args.jobs)
    _write_stream(args.out, docs, args.format, lambda d: d.to_dict(args.with_text), render, single)
    return _finish(failures)


# --- classify ---------------------------------------------------------------------

def cmd_classify(args: argparse.Namespace) -> int:
    from .batch import Failures
    from .classify import OUT_SUFFIXES, classify_files, format_tally_line, write_summary
    from .outputs import check_out

    if not args.out.lower().endswith(OUT_SUFFIXES):
        raise UsageError("--out must end in .jsonl or .csv")
    check_out(args.out, args.inputs)
    if args.summary:
        check_out(args.summary, [*args.inputs, args.out], "--summary")
    model = _model(args.model)
    failures = Failures()
    res = classify_files(args.inputs, model, args.out, args.resume, args.all_probs, failures, args.jobs,
                         read_options(args))
    if not res.written:
        failures.report()
        print(f"bulletin classify: nothing classified; {args.out} left as it was", file=sys.stderr)
        return 1
    if args.summary:
        write_summary(args.summary, res.tally)
    else:
        for bid, d in res.tally.items():
            print(format_tally_line(bid, d), file=sys.stderr)
    _say_written(res, args.out)
    return _finish(failures)


# --- train ------------------------------------------------------------------------

def cmd_train(args: argparse.Namespace) -> int:
    from .outputs import check_out_dir
    from .train import retrain_like, train_model

    check_out_dir(args.out, [*(args.gold or []), *(args.extra or [])])
    if args.like:
        model = retrain_like(args.like, args.out, evaluate=not args.no_eval)
    else:
        if not args.gold:
            raise UsageError("give --gold FILE(S) (or --like MODEL)")
        options: dict = {"seed": args.seed, **_parse_options(args.option)}
        if args.words:
            options["use_words"] = True
        for key in TRANSFORMER_FLAGS:
            if getattr(args, key, None) is not None:
                options[key] = getattr(args, key)
        if args.kind == "transformer" and not options.get("base_model"):
            raise UsageError("--kind transformer needs --base-model (a Hugging Face name or a local path)")
        if args.kind != "transformer" and any(k in options for k in TRANSFORMER_FLAGS):
            raise UsageError(f"--{next(k for k in TRANSFORMER_FLAGS if k in options).replace('_', '-')} "
                             "is an option of --kind transformer")
        model = train_model(args.kind, args.gold, args.extra or [], args.out, _scheme(args.scheme), options,
                            evaluate=not args.no_eval)
    print(f"saved {model.registry_kind} model to {args.out}", file=sys.stderr)
    return 0


def _parse_options(pairs: list[str]) -> dict:
    """KEY=VALUE pairs, each value read as JSON where it can be (3, 0.5, true, null), else as text."""
    out = {}
    for pair in pairs:
        key, eq, value = pair.partition("=")
        if not eq or not key.strip():
            raise UsageError(f"--option '{pair}' is not KEY=VALUE")
        v = value.strip()
        try:
            out[key.strip()] = json.loads(v.lower() if v.lower() in ("true", "false", "null") else v)
        except json.JSONDecodeError:
            out[key.strip()] = v
    return out


TRANSFORMER_FLAGS = ("base_model", "epochs", "batch_size", "learning_rate", "max_length", "warmup_ratio",
                     "gradient_accumulation_steps", "early_stopping_patience", "weight_decay", "device", "precision")


# --- eval -------------------------------------------------------------------------

def cmd_eval(args: argparse.Namespace) -> int:
    from .data import load_labelled
    from .evaluate import (check_baseline, check_floors, compare_models, error_rows, evaluate_model,
                           format_comparison, format_report, json_report, parse_floors, write_json)
    from .errors import ThresholdError

    if not args.gold and not args.summaries:
        raise UsageError("give --gold FILE(S) and/or --summaries FILE")
    from .outputs import check_out
    for flag in ("json", "errors"):
        if getattr(args, flag):
            check_out(getattr(args, flag), [*(args.gold or []), *(args.extra or []), *(args.heldout or []),
                                            *([args.summaries] if args.summaries else [])], f"--{flag}")
    floors = parse_floors(args.fail_under) if args.fail_under else None
    baseline = _read_baseline(args.baseline) if args.baseline else None
    if args.summaries:
        from .summary_eval import evaluate_summaries, format_summary_report
        rep = evaluate_summaries(args.summaries, word_level=args.word_level)
        sys.stdout.write(format_summary_report(rep))
        if args.json and not args.gold:
            write_json(args.json, rep)
    if not args.gold:
        return 0
    if args.cv is not None:
        if args.cv < 2:
            raise UsageError(f"--cv needs at least 2 folds (got {args.cv})")
        scheme = _scheme(args.scheme)
        gold = load_labelled(args.gold, scheme)
        extra = load_labelled(args.extra, scheme) if args.extra else None
        heldout = load_labelled(args.heldout, scheme) if args.heldout else None
        specs = [s.strip() for s in args.models.split(",") if s.strip()]
        comp = compare_models(specs, gold, scheme, args.cv, extra, args.seed, args.bootstrap, heldout)
        table = format_comparison(comp)
        sys.stdout.write(table)
        from .classifiers import REPO_ROOT
        out_dir = Path(args.report_dir).resolve() if args.report_dir else REPO_ROOT / "eval" / "reports"
        from .outputs import atomic_write_text
        atomic_write_text(out_dir / f"{args.report_name}.md", f"# Model comparison\n\n{table}")
        write_json(out_dir / f"{args.report_name}.json", comp)
        if args.json:
            write_json(args.json, comp)
        print(f"wrote {out_dir / args.report_name}.md and .json", file=sys.stderr)
        return 0
    model = _model(args.model)
    gold = load_labelled(args.gold, model.scheme)
    report, preds = evaluate_model(model, gold, args.bootstrap, args.seed, ", ".join(args.gold))
    sys.stdout.write(format_report(report))
    if args.json:
        write_json(args.json, json_report(report))
    if args.errors:
        from .outputs import write_rows
        write_rows(args.errors, error_rows(gold, preds, model.scheme))
    bad = (check_floors(report, floors) if floors else []) + (check_baseline(report, baseline) if baseline else [])
    if bad:
        raise ThresholdError("; ".join(bad))
    return 0


def _read_baseline(path: str) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"--baseline {path}: no such file") from None
    except (json.JSONDecodeError, UnicodeDecodeError, IsADirectoryError):
        raise UsageError(f"--baseline {path}: not a JSON report of `bulletin eval --json`") from None
    if not isinstance(data, dict) or not isinstance(data.get("tasks"), dict):
        raise UsageError(f"--baseline {path}: not a JSON report of `bulletin eval --json`")
    return data


# --- summarize, compare, annotate, import-labels ----------------------------------

def cmd_summarize(args: argparse.Namespace) -> int:
    """Streams: each bulletin's summaries are written as soon as they are made."""
    from .batch import Failures
    from .summarize import LEVELS, Abstractive, Length, summarize_files, to_markdown

    _check_out_against_inputs(args)
    model = _model(args.model)
    abstractive = Abstractive(args.abstractive, max_new_tokens=args.max_new_tokens) if args.abstractive else None
    levels = LEVELS if args.level == "all" else (args.level,)
    failures = Failures()
    results = summarize_files(args.inputs, model, Length(args.sentences, args.chars), levels, abstractive, failures,
                              read_options(args), args.jobs)
    _write_stream(args.out, results, args.format, lambda r: r,
                  lambda r, n: ("\n\n" if n else "") + to_markdown(r), single=True)
    return _finish(failures)


def cmd_compare(args: argparse.Namespace) -> int:
    from .batch import Failures
    from .compare import compare
    from .outputs import check_out_dir

    out = Path(args.out)
    check_out_dir(out, args.inputs)
    model = _model(args.model)
    failures = Failures()
    result = compare(args.inputs, out, model, failures, options=read_options(args), jobs=args.jobs)
    n = len(result["bulletins"])
    if n == 0:
        failures.report()
        raise UsageError("no bulletin could be read; nothing to compare (see the list above)")
    t = result["chi_square"]
    print(f"compared {n} bulletin(s), {sum(b['measures'] for b in result['bulletins'])} measures -> {out}/"
          f" (bulletins.csv, measures.csv, charts, report.html)"
          + (f"; topic mix chi2 p={t['p_value']:.3g}, permutation p={t['permutation_p_value']:.3g}"
             if t["tested"] else ""), file=sys.stderr)
    return _finish(failures)


def cmd_annotate(args: argparse.Namespace) -> int:
    from .annotate import annotate_files
    from .batch import Failures
    from .outputs import check_out

    if not args.out.lower().endswith((".csv", ".xlsx")):
        raise UsageError("--out must end in .csv or .xlsx")
    check_out(args.out, args.inputs)
    model = _model(args.model)
    failures = Failures()
    res = annotate_files(args.inputs, model, args.out, failures, args.jobs)
    if not res.bulletins:
        failures.report()
        print(f"bulletin annotate: no bulletin could be read; {args.out} left as it was", file=sys.stderr)
        return 1
    _say_written(res, args.out)
    return _finish(failures)


def cmd_import_labels(args: argparse.Namespace) -> int:
    from .annotate import import_sheet, source_texts_of
    from .outputs import atomic_write_text, check_out, dumps_jsonl

    check_out(args.out, [args.sheet, *(args.source or [])])
    scheme = _scheme(args.scheme)
    source = None
    if args.source:
        from .batch import Failures, iter_parsed
        failures = Failures()
        source = source_texts_of(iter_parsed(args.source, failures))
        failures.report()
    check, hashed = import_sheet(args.sheet, scheme, source, skip_unlabelled=args.skip_invalid,
                                 max_rows=args.max_rows)
    if source is None and not hashed:
        print("warning: no row_sha1 column and no --source: measure texts were not checked", file=sys.stderr)
    for n, problem in check.problems:
        print(f"row {n}: {problem}", file=sys.stderr)
    bad = len(check.invalid_rows)
    if bad and not args.skip_invalid:
        print(f"{bad} invalid row(s): nothing written (fix them, or use --skip-invalid)", file=sys.stderr)
        return 1
    if bad:
        print(f"skipped {bad} invalid row(s)", file=sys.stderr)
    if check.unlabelled:
        print(f"skipped {len(check.unlabelled)} unlabelled row(s)", file=sys.stderr)
    if not check.records:
        print("no labelled rows: nothing written", file=sys.stderr)
        return 1
    atomic_write_text(args.out, dumps_jsonl(check.records))
    print(f"wrote {len(check.records)} record(s) to {args.out}", file=sys.stderr)
    return 0


# --- the parser -------------------------------------------------------------------

class _Parser(argparse.ArgumentParser):
    """Argument errors as one line (`bulletin CMD: error: …`), like every other error."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    from .classifiers import kinds

    p = _Parser(prog="bulletin", description=(
        "Parse, label, evaluate, summarise and compare Chinese inspection-rectification "
        "bulletins (巡视/巡察整改情况通报)."))
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    sp = sub.add_parser("parse", help="parse bulletins into problems and measures")
    sp.add_argument("inputs", nargs="+", help=INPUTS_HELP)
    sp.add_argument("--format", choices=["json", "jsonl", "md"], default="json",
                    help="json: one document (JSON Lines for several inputs); jsonl: one measure a line; md: outline")
    sp.add_argument("--out", help="write here (atomically) instead of stdout")
    sp.add_argument("--with-text", action="store_true", help="include the decoded source text in json")
    add_input_options(sp)
    add_jobs_option(sp, "parsing")
    sp.set_defaults(func=cmd_parse)

    sp = sub.add_parser("classify", help="label every measure of bulletins with the default or a given model")
    sp.add_argument("inputs", nargs="+", help=INPUTS_HELP)
    sp.add_argument("--out", required=True, help="results file: .jsonl or .csv (written atomically)")
    sp.add_argument("--model", help="a saved model folder, 'default' (shipped) or 'rules'")
    sp.add_argument("--all-probs", action="store_true", help="add every label's probability (p_<task>_<label>)")
    sp.add_argument("--summary", help="write the per-bulletin tally here (JSON) instead of stderr")
    sp.add_argument("--resume", action="store_true",
                    help="continue an interrupted run into the same --out (same model, options and inputs)")
    add_jobs_option(sp, "parsing and labelling")
    add_input_options(sp)
    sp.set_defaults(func=cmd_classify)

    sp = sub.add_parser("train", help="train a model of a registered kind on labelled measures")
    sp.add_argument("--gold", nargs="+", help="labelled JSONL file(s) (record format of LABELS.md)")
    sp.add_argument("--extra", nargs="*", default=[], help="extra training measures (e.g. data/synthetic/measures.jsonl)")
    sp.add_argument("--kind", choices=kinds(), default="tfidf")
    sp.add_argument("--scheme", help="label scheme JSON (default: the project's scheme)")
    sp.add_argument("--words", action="store_true", help="tfidf: add jieba word 1-2-grams as a feature block")
    sp.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                    help="any option of the kind (e.g. C=3, adapt_priors=1.0, use_context=false); repeatable")
    sp.add_argument("--seed", type=int, default=0)
    sp.add_argument("--like", help="a saved model folder: train again with the options and data its card records")
    sp.add_argument("--no-eval", action="store_true", help="skip the cross-validated metrics in the card")
    sp.add_argument("--out", required=True, help="folder to save the model in")
    tr = sp.add_argument_group("transformer options (Hugging Face TrainingArguments)")
    tr.add_argument("--base-model", help="any Hugging Face checkpoint name or local path")
    tr.add_argument("--epochs", type=float, help="training epochs")
    tr.add_argument("--batch-size", type=_positive, help="per-device batch size")
    tr.add_argument("--learning-rate", type=float, help="peak learning rate")
    tr.add_argument("--max-length", type=_positive, help="max tokens of title + measure")
    tr.add_argument("--warmup-ratio", type=float, help="share of steps spent warming up the learning rate")
    tr.add_argument("--gradient-accumulation-steps", type=_positive, help="batches per optimiser step")
    tr.add_argument("--early-stopping-patience", type=_non_negative, help="evaluations without gain before stopping")
    tr.add_argument("--weight-decay", type=float, help="AdamW weight decay")
    tr.add_argument("--device", help="auto (CUDA when present), cpu, cuda or cuda:N")
    tr.add_argument("--precision", help="auto, fp32, bf16 or fp16")
    sp.set_defaults(func=cmd_train)

    sp = sub.add_parser("eval", help="evaluate a model on labelled measures, or cross-validate model kinds")
    sp.add_argument("--gold", nargs="+", help="labelled JSONL file(s)")
    sp.add_argument("--model", help="model folder, 'default' or 'rules' (single evaluation)")
    sp.add_argument("--json", help="write the figures here as JSON")
    sp.add_argument("--errors", help="write the misclassified measures here (.jsonl or .csv)")
    sp.add_argument("--fail-under", metavar="TASK.METRIC=V,…",
                    help="exit 1 when a figure is below its floor, e.g. domain.accuracy=0.85,status.macro_f1=0.7")
    sp.add_argument("--baseline", metavar="JSON",
                    help="a previous --json report: exit 1 when a figure fell by more than its bootstrap interval")
    sp.add_argument("--cv", type=int, metavar="K", help="grouped K-fold cross-validation of --models")
    sp.add_argument("--models", default="rules,plain,tfidf,tfidf+extra",
                    help="comma-separated registry kinds (" + ", ".join(kinds()) + "; transformer:BASE), "
                         "each optionally +extra")
    sp.add_argument("--extra", nargs="*", default=[], help="extra training data for +extra models")
    sp.add_argument("--heldout", nargs="+", help="with --cv: also train each model on all of --gold and score it here")
    sp.add_argument("--scheme", help="label scheme JSON for --cv (default: the project's)")
    sp.add_argument("--report-dir", help="where --cv writes its comparison (default: the project's eval/reports)")
    sp.add_argument("--report-name", default="comparison", help="file name (without suffix) of the comparison")
    sp.add_argument("--bootstrap", type=_non_negative, default=1000, help="bootstrap resamples for the 95%% intervals")
    sp.add_argument("--seed", type=int, default=0)
    sp.add_argument("--summaries", help="reference summaries JSONL: report ROUGE of the summariser and lead-N")
    sp.add_argument("--word-level", action="store_true", help="ROUGE over jieba words instead of characters")
    sp.set_defaults(func=cmd_eval)

    from .summarize import DEFAULT_SENTENCES, LEVELS
    sp = sub.add_parser("summarize", help="extractive summaries (bulletin, domain, problem) and a fact sheet",
                        description="Summarise bulletins at three levels with a fact sheet of counts, "
                                    "figures and deadlines. Default length: "
                                    + ", ".join(f"{k} {v} sentences" for k, v in DEFAULT_SENTENCES.items()) + ".")
    sp.add_argument("inputs", nargs="+", help=INPUTS_HELP)
    size = sp.add_mutually_exclusive_group()
    size.add_argument("--sentences", type=_positive, metavar="N", help="at most N sentences per summary")
    size.add_argument("--chars", type=_positive, metavar="N", help="at most N characters per summary (whole sentences)")
    sp.add_argument("--level", choices=[*LEVELS, "all"], default="all", help="which summaries to write (default all)")
    sp.add_argument("--format", choices=["json", "md"], default="md", help="md (default) or json (JSON Lines for several files)")
    sp.add_argument("--out", help="write here (atomically) instead of stdout")
    sp.add_argument("--model", help="classifier model folder or 'rules' (default: the shipped default model)")
    sp.add_argument("--abstractive", metavar="MODEL", help="also rewrite each extract with this Hugging Face seq2seq model")
    sp.add_argument("--max-new-tokens", type=_positive, default=128, help="length limit of abstractive output")
    add_input_options(sp)
    add_jobs_option(sp, "parsing")
    sp.set_defaults(func=cmd_summarize)

    sp = sub.add_parser("compare", help="compare bulletins: CSV tables, charts and an HTML report",
                        description="Label and summarise every bulletin, then write DIR/bulletins.csv, "
                                    "DIR/measures.csv, charts and DIR/report.html.")
    sp.add_argument("inputs", nargs="+", help=INPUTS_HELP)
    sp.add_argument("--out", required=True, metavar="DIR", help="folder for the tables, charts and report")
    sp.add_argument("--model", help="classifier model folder or 'rules' (default: the shipped default model)")
    add_input_options(sp)
    add_jobs_option(sp, "parsing")
    sp.set_defaults(func=cmd_compare)

    sp = sub.add_parser("annotate", help="write an annotation sheet (.csv/.xlsx) with suggested labels",
                        description="One row per measure with its context, the model's suggested labels and "
                                    "scores, and an empty gold column per task to fill in.")
    sp.add_argument("inputs", nargs="+", help=INPUTS_HELP)
    sp.add_argument("--out", required=True, help="sheet to write: .csv (UTF-8 with BOM) or .xlsx")
    sp.add_argument("--model", help="model folder, 'default' (shipped) or 'rules'")
    add_jobs_option(sp, "parsing and labelling")
    sp.set_defaults(func=cmd_annotate)

    sp = sub.add_parser("import-labels", help="check a filled annotation sheet and write gold JSONL",
                        description="Read a sheet written by `bulletin annotate` and filled in; report each "
                                    "bad row as 'row N: problem' and write nothing unless --skip-invalid.")
    sp.add_argument("sheet", help="the filled sheet (.csv or .xlsx)")
    sp.add_argument("--out", required=True, help="gold records to write (JSON Lines, LABELS.md format)")
    sp.add_argument("--scheme", help="label scheme JSON (default: the project's scheme)")
    sp.add_argument("--skip-invalid", action="store_true",
                    help="write the valid rows anyway, skipping invalid and unlabelled ones")
    sp.add_argument("--source", nargs="+", metavar="FILES_OR_FOLDERS",
                    help="check each row's text against these bulletins as parsed now")
    sp.add_argument("--max-rows", type=_positive, default=100_000, metavar="N",
                    help="refuse a sheet with more rows than this (default: %(default)s)")
    sp.set_defaults(func=cmd_import_labels)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except BulletinError as exc:
        print(f"bulletin {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_status
    except FileNotFoundError as exc:
        print(f"bulletin {args.command}: error: no such file: {exc.filename}", file=sys.stderr)
        return 2
    except (IsADirectoryError, NotADirectoryError, PermissionError) as exc:
        print(f"bulletin {args.command}: error: {exc.strerror}: {exc.filename}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"bulletin {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
