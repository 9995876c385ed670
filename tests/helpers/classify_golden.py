"""The golden classification corpus: labels and probabilities of the shipped models.

`tests/golden/classify.json` was written by this module (run it as a script) with the
classifier code as it stood before the batch feature builder, so the test of that file
proves a faster implementation predicts what the old one did. The measure texts are
stored in the file, so the check does not depend on the parser. (When it was written,
the rules model ran on the live scheme, which was then the default model's scheme.)
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "classify.json"
SOURCES = [ROOT / "data" / "raw" / "000_f74bace5e6783c83.txt",
           *sorted((ROOT / "tests" / "fixtures" / "layouts").glob("*.txt")),
           *sorted((ROOT / "tests" / "fixtures" / "layouts").glob("*.html")),
           *sorted((ROOT / "tests" / "fixtures" / "stress").glob("*.txt"))]
LABELLED = [ROOT / "data" / "gold" / "seed.jsonl", ROOT / "data" / "synthetic" / "measures.jsonl"]
# Edge cases: empty and blank inputs, line breaks and spaces inside n-grams, unseen characters,
# cues whose context vetoes them (将其纳入, 工作计划, 模拟, 已经), cues split by clause marks.
EDGE = [("", ""), ("", "   "), ("消防安全隐患", ""), ("", "已完成整改。"), ("\u3000", "将 其纳入\n考核，已经完成"),
        ("关于“三重一大”问题", "制定工作计划，计划年底前完成。"), ("", "模拟审批；拟定方案；拟于明年启动"),
        ("国企经营", "将\n2个项目纳入清单，正在推进中"), ("", "VOCs治理vocs ABC 𠀀𠀁 ①②"),
        ("安全", "加快推进,有序推进!序时推进?其余部分将于6月底前完成"), ("", "计划》印发；年度计划、工作计划等"),
        ("", "2023年5月，累计整改12项，提升至95%。下一步，将持续加强。")]


def corpus() -> list[dict]:
    """(source, issue_title, text, bulletin_id) of every measure of the bulletins and labelled
    files above; each file is one bulletin, whose measures the default adapts its prior to."""
    from nlp.parse import parse_file
    from nlp.records import measure_rows
    from nlp.source import SourceError

    out = []
    for path in SOURCES:
        try:
            rows = measure_rows(parse_file(path))
        except SourceError:
            continue  # not_a_bulletin.txt
        out += [{"source": str(path.relative_to(ROOT)), "issue_title": r["issue_title"] or "", "text": r["text"]}
                for r in rows]
    for path in LABELLED:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                out.append({"source": str(path.relative_to(ROOT)), "issue_title": r.get("issue_title") or "",
                            "text": r["text"]})
    out += [{"source": "edge", "issue_title": title, "text": text} for title, text in EDGE]
    return [{**r, "bulletin_id": r["source"]} for r in out]  # one bulletin per file, as classify sees it


def predictions(model, records: list[dict]) -> dict:
    probs = model.predict_proba(records)
    return {task: {"labels": [model.scheme.tasks[task].labels[int(k)] for k in p.argmax(axis=1)],
                   "probs": [[float(x) for x in row] for row in p]}
            for task, p in probs.items()}


def golden_models() -> dict:
    """The shipped default model, and the rules baseline on the scheme that model's card
    holds (fixed, so later edits of the scheme's cue words do not move the golden file)."""
    from nlp.classifiers import load_model
    from nlp.classifiers.rules import RulesClassifier
    from nlp.labels import LabelScheme

    default = load_model("default")
    return {"default": default, "rules": RulesClassifier(LabelScheme.from_dict(default.card["scheme"]))}


def main() -> None:
    records = corpus()
    doc = {"records": records, **{name: predictions(m, records) for name, m in golden_models().items()}}
    GOLDEN.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{GOLDEN}: {len(records)} measures", file=sys.stderr)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
