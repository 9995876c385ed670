#!/usr/bin/env python
"""Build the cross-unit dev gold (data/dev/gold.jsonl) from the hand structures and the
adjudicated stand-off labels, with each measure's bulletin context.

The context (unit type, the problem's reported status, the publication date) is what the
bulletin says about itself, taken from the hand structure and the bulletin's header, so
the harness can score models on the gold texts without re-parsing. The real university
bulletin stays out: its text is not in the project (nlp.data.load_standoff reads it).

Usage: python scripts/build_dev_gold.py
"""
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nlp.data import UNIT_TYPES_OF_DEV, published_date  # noqa: E402
from nlp.outputs import atomic_write_text, dumps_jsonl  # noqa: E402


def main() -> None:
    dev = ROOT / "data" / "dev"
    labels = {(r["bulletin_id"], r["issue_no"], r["measure_no"]): r
              for r in map(json.loads, (dev / "labels.jsonl").read_text(encoding="utf-8").splitlines())}
    out = []
    for path in sorted((dev / "structure").glob("*.json")):
        s = json.loads(path.read_text(encoding="utf-8"))
        raw = (dev / "raw" / f"{s['bulletin_id']}.txt").read_text(encoding="utf-8")
        context = {"unit_type": UNIT_TYPES_OF_DEV[s["unit_type"]], "published": published_date(raw),
                   "script": s.get("script", "simplified")}
        for p in s["problems"]:
            for m in p["measures"]:
                lab = labels[(s["bulletin_id"], p["issue_no"], m["measure_no"])]
                out.append({"bulletin_id": s["bulletin_id"], "issue_no": p["issue_no"], "measure_no": m["measure_no"],
                            "issue_title": p["title"], "text": m["text"], "domain": lab["domain"],
                            "status": lab["status"], "reported_status": p.get("reported_status"), **context,
                            "source": "dev (written for evaluation)"})
    atomic_write_text(dev / "gold.jsonl", dumps_jsonl(out))
    print(f"wrote {len(out)} measures of {len({r['bulletin_id'] for r in out})} bulletins to {dev / 'gold.jsonl'}")


if __name__ == "__main__":
    main()
