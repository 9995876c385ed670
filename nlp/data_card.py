"""Counts a data card needs for any labelled file: per label, and per bulletin.

Usage: python -m nlp.data_card data/gold/seed.jsonl [more.jsonl ...]
"""
from __future__ import annotations

import sys
from collections import Counter

from .data import GoldError, load_labelled
from .labels import LabelScheme


def describe(records: list[dict], scheme: LabelScheme) -> str:
    """Markdown tables: measures per label of each task, and per bulletin (problems, measures)."""
    lines = [f"{len(records)} measures in {len({r['bulletin_id'] for r in records})} bulletin(s)", ""]
    for task in scheme.tasks.values():
        counts = Counter(r[task.name] for r in records)
        lines += [f"| {task.name} | n | share |", "|---|---|---|"]
        lines += [f"| {lb} | {counts[lb]} | {counts[lb] / len(records):.1%} |" for lb in task.labels]
        lines.append("")
    lines += ["| bulletin | problems | measures |", "|---|---|---|"]
    by_bulletin: dict[str, list[dict]] = {}
    for r in records:
        by_bulletin.setdefault(str(r["bulletin_id"]), []).append(r)
    for bid, recs in sorted(by_bulletin.items()):
        lines.append(f"| {bid} | {len({r['issue_no'] for r in recs})} | {len(recs)} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    paths = argv if argv is not None else sys.argv[1:]
    if not paths:
        print("usage: python -m nlp.data_card FILE.jsonl [...]", file=sys.stderr)
        return 2
    scheme = LabelScheme.load()
    try:
        sys.stdout.write(describe(load_labelled(paths, scheme), scheme))
    except GoldError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
