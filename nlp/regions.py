"""Places in an issuer's name, looked up in a table of China's divisions down to county level.

The table (nlp/divisions/divisions.tsv, sources in its README) is read once, on first
use, without pandas. A place counts only when the table has it, so an invented or
misspelt name stays unplaced instead of being guessed; a name written without its suffix
(常熟经济技术开发区 → 常熟) counts only when something else confirms it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_TABLE = Path(__file__).resolve().parent / "divisions" / "divisions.tsv"
MUNICIPALITIES = ("11", "12", "31", "50")  # 北京 天津 上海 重庆: province and city at once
# A division suffix, or a town's: a stem followed by one of these names another place.
_SUFFIX_CHARS = set("省市县区旗盟州镇乡村")
_NOT_AFTER_STEM = ("街道", "社区", "自治", "地区", "林区", "新区", "矿区")


@dataclass(frozen=True)
class Division:
    code: str  # six digits: province (xx0000), city (xxxx00) or county
    name: str
    current: bool

    @property
    def tier(self) -> str:
        if self.code.endswith("0000"):
            return "province"
        if self.code.endswith("00"):
            return "city"
        return "county"

    def within(self, other: "Division") -> bool:
        """Is self the same place as other, or inside it?"""
        keep = {"province": 2, "city": 4, "county": 6}[other.tier]
        return self.code[:keep] == other.code[:keep]


@dataclass
class _Gazetteer:
    by_code: dict[str, list[Division]]
    by_name: dict[str, list[Division]]
    by_stem: dict[str, list[Division]]
    longest: int


@lru_cache(maxsize=1)
def gazetteer() -> _Gazetteer:
    by_code: dict[str, list[Division]] = {}
    by_name: dict[str, list[Division]] = {}
    by_stem: dict[str, list[Division]] = {}
    for line in _TABLE.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        code, name, stem, current = line.split("\t")
        d = Division(code, name, current == "1")
        by_code.setdefault(code, []).append(d)
        by_name.setdefault(name, []).append(d)
        if len(stem) >= 2 and stem != name:
            by_stem.setdefault(stem, []).append(d)
    for table in (by_code, by_name, by_stem):  # current names first
        for k, v in table.items():
            v.sort(key=lambda d: (not d.current, d.code))
    return _Gazetteer(by_code, by_name, by_stem, max(map(len, by_name)))


def _unique(ds: list[Division]) -> list[Division]:
    """One entry per code (the current name where a code has two)."""
    seen, out = set(), []
    for d in sorted(ds, key=lambda d: (not d.current, d.code)):
        if d.code not in seen:
            seen.add(d.code)
            out.append(d)
    return out


def _match_at(name: str, pos: int) -> tuple[list[Division], int, bool] | None:
    """The longest division name at name[pos:], else the longest stem that no other suffix
    follows: (candidates, end, by stem?)."""
    g = gazetteer()
    for n in range(min(g.longest, len(name) - pos), 1, -1):
        hit = g.by_name.get(name[pos:pos + n])
        if hit:
            return _unique(hit), pos + n, False
    for n in range(min(8, len(name) - pos), 1, -1):
        hit = g.by_stem.get(name[pos:pos + n])
        after = name[pos + n:]
        if hit and not (after[:1] in _SUFFIX_CHARS or after.startswith(_NOT_AFTER_STEM)):
            return _unique(hit), pos + n, True
    return None


@dataclass
class PlaceMatch:
    """The places named at the head of a name, outermost first, and where they end."""
    chain: list[list[Division]]
    end: int
    by_stem: list[bool]
    ends: list[int]

    @property
    def written_end(self) -> int:
        """Where the places named in full (not by a bare stem) end."""
        end = 0
        for e, stem in zip(self.ends, self.by_stem):
            if stem:
                break
            end = e
        return end


def places_at_head(name: str) -> PlaceMatch:
    """Divisions named one inside the other at the start of `name` (苏州市吴中区…, 常熟经济…).

    Each further place must lie inside the one before; where a name is ambiguous, the
    candidates that fit the chain are kept.
    """
    chain: list[list[Division]] = []
    flags: list[bool] = []
    ends: list[int] = []
    pos = 0
    while pos < len(name):
        hit = _match_at(name, pos)
        if not hit:
            break
        cands, end, by_stem = hit
        if chain:
            inside = [c for c in cands if any(c.within(p) and c.code != p.code for p in chain[-1])]
            if not inside:
                break
            chain[-1] = [p for p in chain[-1] if any(c.within(p) for c in inside)]
            cands = inside
        chain.append(cands)
        flags.append(by_stem)
        ends.append(end)
        pos = end
    return PlaceMatch(chain, pos, flags, ends)


def narrow(cands: list[Division]) -> Division | None:
    """One division from candidates: the only one, or the one all others lie inside (吉林省
    for 吉林省/吉林市), or the deepest place all of them share."""
    if not cands:
        return None
    if len(cands) == 1:
        return cands[0]
    for c in cands:
        if all(o.within(c) for o in cands):
            return c
    g = gazetteer()
    for keep, pad in ((4, "00"), (2, "0000")):
        prefixes = {c.code[:keep] for c in cands}
        if len(prefixes) == 1:
            shared = g.by_code.get(prefixes.pop() + pad)
            if shared:
                return shared[0]
    return None


def region_of(d: Division | None) -> dict[str, str | None]:
    """Province, city and county of a division (a municipality is its own city)."""
    out: dict[str, str | None] = {"province": None, "city": None, "county": None}
    if d is None:
        return out
    g = gazetteer()
    prov = g.by_code.get(d.code[:2] + "0000")
    out["province"] = prov[0].name if prov else None
    if d.code[:2] in MUNICIPALITIES:
        out["city"] = out["province"]
    elif d.tier in ("city", "county"):
        city = g.by_code.get(d.code[:4] + "00")
        out["city"] = city[0].name if city else None
    if d.tier == "county":
        out["county"] = d.name
    return out


def mentioned(d: Division, text: str) -> bool:
    """Does the text name this division in full outside 《…》 (a document's title)?"""
    return d.name in re.sub(r"《[^》]{0,200}》", "", text)
