#!/usr/bin/env python
"""Give labelled training measures the bulletin context that classify gives measure rows.

At run time every measure row carries its bulletin's unit type, its problem's reported
status and the publication date (nlp.records.measure_rows); a model trained on records
without them never learns what they say. This fills them in, without touching any label:

- data/gold/seed.jsonl and data/synthetic/bulletin_measures.jsonl: parsed from their
  bulletins (data/raw, data/synthetic/bulletins), measures matched by text;
- data/synthetic/measures.jsonl (no bulletins behind it): its informal unit names mapped to
  the metadata's unit types.

Usage: python scripts/add_context.py
"""
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nlp.outputs import atomic_write_text, dumps_jsonl  # noqa: E402
from nlp.parse import parse_file  # noqa: E402
from nlp.records import measure_rows  # noqa: E402

CONTEXT = ("unit_type", "reported_status", "published")
SYNTHETIC_UNITS = {  # the first synthetic set's unit names -> nlp.metadata unit types
    "soe": "soe", "town": "township_or_street", "hospital": "hospital", "other_bureau": "department",
    "university": "school_or_university", "ecology": "department", "health_commission": "department",
    "development_zone": "development_zone", "culture_tourism": "department", "finance": "department",
    "court": "court_or_procuratorate", "civil_affairs": "department", "education": "department",
    "emergency": "department", "housing": "department", "procuratorate": "court_or_procuratorate",
    "womens_federation": "mass_organisation", "science_association": "mass_organisation", "village": "village",
}


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def from_bulletins(records: list[dict], folder: Path) -> int:
    """Fill CONTEXT from each record's parsed bulletin; returns how many records matched."""
    matched, cache = 0, {}
    for r in records:
        bid = r["bulletin_id"]
        if bid not in cache:
            path = next(folder.glob(f"{bid}.*"), None)
            b = parse_file(path) if path else None
            rows = measure_rows(b) if b else []
            cache[bid] = (b, rows)
        b, rows = cache[bid]
        if b is None:
            continue
        row = next((x for x in rows if x["text"] == r["text"]), None) or \
            next((x for x in rows if r["text"] in x["text"] or x["text"] in r["text"]), None)
        r.setdefault("unit_type", b.unit_type)
        r["unit_type"] = r["unit_type"] or b.unit_type
        r["published"] = b.dates.get("published") or b.dates.get("signed")
        if row is not None:
            r["reported_status"] = row["reported_status"]
            matched += 1
        else:
            r.setdefault("reported_status", None)
    return matched


def main() -> None:
    jobs = [(ROOT / "data" / "gold" / "seed.jsonl", ROOT / "data" / "raw"),
            (ROOT / "data" / "synthetic" / "bulletin_measures.jsonl", ROOT / "data" / "synthetic" / "bulletins")]
    for path, folder in jobs:
        recs = read(path)
        n = from_bulletins(recs, folder)
        atomic_write_text(path, dumps_jsonl(recs))
        print(f"{path.relative_to(ROOT)}: context for {len(recs)} measures, {n} matched to their parsed measure")
    path = ROOT / "data" / "synthetic" / "measures.jsonl"
    recs = read(path)
    for r in recs:
        r["unit_type"] = SYNTHETIC_UNITS.get(r.get("unit_type"), r.get("unit_type"))
    atomic_write_text(path, dumps_jsonl(recs))
    print(f"{path.relative_to(ROOT)}: unit types of {len(recs)} measures mapped")


if __name__ == "__main__":
    main()
