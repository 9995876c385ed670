#!/usr/bin/env python
"""Metadata against hand-made structure files: how many titles and unit types come out right.

Reads DIR/raw/*.txt and DIR/structure/<same stem>.json (fields "title" and "unit_type")
and prints, per bulletin, what nlp.metadata finds: title, issuer, inspector, inspection,
unit type, level, region and stated totals, then the counts. A bulletin the parser
cannot split into problems still gets its metadata (read from its first lines and its
last lines), marked "meta-only".

The structure files name finer unit types (health_commission, court, town…); they are
mapped onto nlp.metadata.UNIT_TYPES below, any bureau or commission being a department.
Usage: python scripts/check_metadata.py data/dev
"""
import argparse
import json
from pathlib import Path

from nlp.metadata import UNIT_TYPES, extract_metadata
from nlp.parse import NotABulletin, _lines, parse_file
from nlp.source import read_source

FINE = {"court": "court_or_procuratorate", "procuratorate": "court_or_procuratorate",
        "womens_federation": "mass_organisation", "science_association": "mass_organisation",
        "trade_union": "mass_organisation", "youth_league": "mass_organisation",
        "town": "township_or_street", "township": "township_or_street", "street": "township_or_street",
        "university": "school_or_university", "school": "school_or_university", "college": "school_or_university",
        "soe_group": "soe", "enterprise": "soe", "dev_zone": "development_zone",
        "county_committee": "party_or_government_organ", "city_committee": "party_or_government_organ"}


def coarse(fine: str | None) -> str | None:
    if fine is None or fine in UNIT_TYPES:
        return fine
    return FINE.get(fine, "department")


def metadata_of(path: Path) -> tuple[dict, str]:
    try:
        b = parse_file(path)
        return b.to_dict(), "parse"
    except NotABulletin:
        src = read_source(path)
        lines = _lines(src.text)
        texts = [src.text[ln.start:ln.end] for ln in lines]
        return extract_metadata(src.text, lines, src.page_title, opening=src.text[:3000], trailer=texts[-4:]), "meta-only"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder", type=Path, help="a folder with raw/ and structure/")
    args = ap.parse_args()
    n = titles = units = 0
    for sj in sorted((args.folder / "structure").glob("*.json")):
        raw = args.folder / "raw" / (sj.stem + ".txt")
        if not raw.exists():
            continue
        exp = json.loads(sj.read_text(encoding="utf-8"))
        got, how = metadata_of(raw)
        n += 1
        t_ok = got["title"] == exp.get("title")
        u_ok = got["unit_type"] == coarse(exp.get("unit_type"))
        titles += t_ok
        units += u_ok
        region = " / ".join(v for v in got["region"].values() if v) or "-"
        print(f"{sj.stem} [{how}] title {'ok' if t_ok else 'WRONG: ' + str(got['title'])}; "
              f"unit {got['unit_type']}{'' if u_ok else ' (expected ' + str(coarse(exp.get('unit_type'))) + ')'}; "
              f"level {got['level']}; inspection {got['inspection']['tier']}/{got['inspection']['type']}")
        print(f"    issuer {got['issuer']}; inspector {got['inspector']}; region {region}")
        print(f"    stated {got['stated']}")
    print(f"titles right: {titles}/{n}; unit types right: {units}/{n}")


if __name__ == "__main__":
    main()
