#!/usr/bin/env python
"""Inter-annotator agreement: Cohen's kappa per task and every disagreement between two files.

Usage: python scripts/agreement.py data/gold/annotations/annotator_A.jsonl data/gold/annotations/annotator_B.jsonl
"""
import sys

from nlp.data import load_labelled, measure_key
from nlp.metrics import cohen_kappa
from nlp.labels import LabelScheme


def main(a_path: str, b_path: str) -> None:
    scheme = LabelScheme.load()
    a = {measure_key(r): r for r in load_labelled(a_path, scheme)}
    b = {measure_key(r): r for r in load_labelled(b_path, scheme)}
    keys = sorted(set(a) & set(b))
    print(f"{len(keys)} measures labelled by both")
    for task in scheme.tasks.values():
        ya, yb = [a[k][task.name] for k in keys], [b[k][task.name] for k in keys]
        agree = sum(x == y for x, y in zip(ya, yb)) / len(keys)
        print(f"{task.name}: kappa {cohen_kappa(ya, yb, task.labels):.3f}, raw agreement {agree:.3f}")
    for k in keys:
        diff = [t for t in scheme.tasks if a[k][t] != b[k][t]]
        if diff:
            print(f"  #{k[1]}({k[2]}) " + "; ".join(f"{t}: {a[k][t]} vs {b[k][t]}" for t in diff))


if __name__ == "__main__":
    main(*sys.argv[1:3])
