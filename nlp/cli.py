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
    from .batch import Failures, iter_parsed
    from .outputs import dumps_jsonl
    from .records import measure_rows, to_markdown

    failures = Failures()
    docs = list(iter_parsed(args.inputs, failures))
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


# --- the parser -------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
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
    sp.set_defaults(func=cmd_parse)

    for register in _REGISTRARS:
        register(sub)
    return p


# Later modules add their sub-commands here (kept as a list so the parser stays one place).
_REGISTRARS: list = []


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
