"""Bulletin metadata: title, issuer, inspection, unit type, level, region, dates and the
totals a bulletin states.

Kept apart from the outline parser because these are found by patterns over the opening
and closing lines, not by the numbering. Every pattern runs on a simplified-script copy
(`zh.to_simplified`, one character for one), and values are cut from the text as written.

The rules, in the order they apply:
- **title**: the bulletin's title line among the first lines (…关于…情况的通报, …通报, …公告),
  joined with the issuer's line above it when the title is set on two lines; never a
  numbered section heading or a sentence. Else the HTML page title. Else null.
- **issuer**: the name before 关于 in the title, else the unit of the opening sentence
  (对XX党组进行了巡察), else the signature. Where the signature names the same unit, its
  full form is used (常熟经济技术开发区党工委 → 中共常熟经济技术开发区工作委员会).
- **unit_type**: what kind of body the issuer is (UNIT_TYPES), from the words of its name.
- **region**: province, city, county (from the division table, nlp/regions.py) and township
  named at the head of the issuer, else of the inspecting committee; never from the body.
- **level**: the issuer's administrative level (LEVELS): village or township by unit type;
  else the tier of the place its name starts with, written in full (XX县卫生健康委员会 →
  county), or as a bare stem for a development zone (常熟经济技术开发区 → county); else the
  tier its suffix writes (XX县 → county); else the tier of the inspection (中央 →
  central, 省委巡视 → provincial, 市委巡察 → prefectural, 县委巡察 → county).
- **inspection**: `tier` (central, provincial, municipal, county, or unit for a body's own
  巡察) and `type` (xunshi 巡视, xuncha 巡察) of the inspecting body.
"""
from __future__ import annotations

import re

from . import regions
from .zh import (CN_DIGITS, FIGURE, ISSUER_SUFFIX, NUMBER, PAGE_DATE, PAGE_INFO, date_range, find_dates, first_date,
                 is_furniture, is_signature, to_number, to_simplified)

UNIT_TYPES = ("party_or_government_organ", "department", "township_or_street", "village", "development_zone",
              "soe", "hospital", "school_or_university", "court_or_procuratorate", "mass_organisation", "other")
LEVELS = ("central", "provincial", "prefectural", "county", "township", "village")

# --- title ---------------------------------------------------------------------------

_TITLE_END = re.compile(r"(?:通报|公告|公示|报告)$|关于.*情况$")
_TITLE_CUE = re.compile(r"巡视|巡察|整改")
_SENTENCE = re.compile(r"[。！？；;，,]|^(?:根据|按照|依据|为|近日|日前|现将|经|在|截至|对)")
_HEADING = re.compile(rf"^(?:[{CN_DIGITS}]{{1,3}}\s*[、.．]|[（(]\s*[{CN_DIGITS}\d]{{1,3}}\s*[）)]|\d{{1,3}}\s*[、.．]"
                      r"|[【*#])")
_BRACKETS = "（）() 　"
_DATED = re.compile(r"[（(][^（）()]{4,20}[）)]\s*$")  # …的通报（2024年3月15日）


def _is_title(t: str) -> bool:
    t = _DATED.sub("", t).strip(_BRACKETS)
    return (6 <= len(t) <= 90 and bool(_TITLE_END.search(t)) and bool(_TITLE_CUE.search(t))
            and not _SENTENCE.search(t) and not _HEADING.match(t) and not is_furniture(t)
            and not PAGE_INFO.search(t))


def _is_name_line(t: str) -> bool:
    return is_signature(t) and not _SENTENCE.search(t)


_MARKDOWN = re.compile(r"^(?:#{1,6}\s*|>\s*)|^\*\*|\*\*$")


def _title(lines: list[str], norm: list[str], page_title: str | None) -> str | None:
    lines = [_MARKDOWN.sub("", t.strip()) for t in lines[:16]]  # # 标题 / **标题** of a Markdown copy
    norm = [_MARKDOWN.sub("", t.strip()) for t in norm[:16]]
    for k, t in enumerate(norm[:15]):
        if is_furniture(t) or PAGE_INFO.search(t) or re.search(r"[>＞»]", t):
            continue
        if _is_title(t):
            if t.startswith("关于") and k and _is_name_line(norm[k - 1]):
                return lines[k - 1].strip() + lines[k].strip()  # the issuer on its own line above 关于…
            return lines[k].strip()
        nxt = norm[k + 1] if k + 1 < len(norm) else ""
        if "关于" in t and nxt and len(nxt) <= 40 and _is_title(t + nxt):  # a title wrapped onto two lines
            return lines[k].strip() + lines[k + 1].strip()
    if page_title:
        parts = [p.strip() for p in re.split(r"[_|｜]|\s+[-–—]+\s+", page_title) if p.strip()]
        for p in parts:
            if _is_title(to_simplified(p)):
                return p
        if parts and _TITLE_CUE.search(to_simplified(parts[0])):
            return parts[0]
    return None


# --- issuer --------------------------------------------------------------------------

_PARTY_PREFIX = re.compile(r"^(?:中共|中国共产党)")
_PARTY_ORG = re.compile(r"(?:机关党委|党组(?:织)?|党委|党工委|工作委员会|党?总支部?(?:委员会)?|党?支部(?:委员会)?)$")
_OPENING_UNIT = re.compile(
    r"对(?P<u>[^，,。；;、：:“”\"]{2,40}?)(?:党组织)?(?:进行|开展|实施)了?(?:为期[^，。]{1,8}的)?"
    r"(?:常规|专项|机动|提级|联动|交叉|延伸|政治)*(?:巡视|巡察|“回头看”|回头看)")


def _title_issuer(title: str | None) -> str | None:
    """The body named before 关于 in the title (中共XX委员会关于…的通报)."""
    if not title:
        return None
    norm = to_simplified(title)
    if norm.startswith("关于"):  # 关于中共XX委员会巡察整改情况的通报
        m = re.match(rf"关于((?:中共|中国共产党).{{2,30}}{ISSUER_SUFFIX})(?=.{{0,8}}?(?:巡视|巡察|整改))", norm)
        return title[m.start(1):m.end(1)] if m else None
    m = re.match(r"(.{2,40}?)关于", norm)
    if m:
        return title[:m.end(1)].strip(_BRACKETS)
    m = re.match(rf"(.{{2,40}}?{ISSUER_SUFFIX})(?=.{{0,16}}?(?:巡视|巡察|整改))", norm)
    return title[:m.end(1)] if m else None


def _opening_issuer(opening: str) -> str | None:
    """The unit the opening sentence says was inspected (对XX党组进行了巡察)."""
    norm = to_simplified(opening[:1500])
    m = _OPENING_UNIT.search(norm)
    if not m or re.match(r"(?:我|本|全|各|相关|有关)", m.group("u")):
        return None
    return opening[m.start("u"):m.end("u")]


def unit_cores(name: str) -> set[str]:
    """The unit a name stands for, without 中共 and its party body: 中共XX县卫生健康委员会党组 →
    {XX县卫生健康委员会}; 中共XX县委员会 → {XX县}."""
    n = _PARTY_PREFIX.sub("", to_simplified(name).strip())
    out = {n}
    stripped = _PARTY_ORG.sub("", n)
    if stripped != n and stripped:
        out = {stripped}
    elif re.search(r"委员会$", n) and len(n) > 4:
        out.add(n[:-3])
    m = re.fullmatch(r"(.+(?:省|市|县|区|州|旗|盟))委", n)
    if m:
        out.add(m.group(1))
    return out


def same_unit(a: str, b: str) -> bool:
    """Do two names stand for one unit? Also a short form against a full one: 县人民医院党委
    and 中共岚峰县人民医院委员会; 经开区党工委 is too short to tell and is not matched."""
    ca, cb = unit_cores(a), unit_cores(b)
    if ca & cb:
        return True
    for short in ca:
        bare = re.sub(r"^(?:省|市|县|区|州|旗)", "", short)
        if bare != short and len(bare) >= 2 and any(full.endswith(bare) and full != bare for full in cb):
            return True
    return False


def _issuer(title: str | None, opening: str, trailer: list[str]) -> str | None:
    signature = next((t.strip() for t in reversed(trailer) if is_signature(t)), None)
    named = _title_issuer(title) or _opening_issuer(opening)
    if named and signature and same_unit(named, signature):
        return signature
    return named or signature


# --- unit type -----------------------------------------------------------------------

_PLACE_HEAD = re.compile(r"^(?:[\u4e00-\u9fff]{2,7}?(?:自治区|自治州|自治县|自治旗|地区|省|市|州|盟|县|旗|区))+")
_BARE_TIER = re.compile(r"^(?:省|市(?!场)|县|区|州|旗)")
_TYPE_WORDS = [
    ("court_or_procuratorate", r"法院|检察院"),
    ("hospital", r"医院|卫生院|保健院"),
    ("school_or_university", r"大学|学院|学校|中学|小学|党校|幼儿园|职业技术|职业中专"),
    ("mass_organisation", r"妇女联合会|妇联|科学技术协会|科协|工会|共青团|团委|团[省市县区]委|残疾人联合会|残联"
                          r"|文学艺术界联合会|文联|工商业联合会|工商联|红十字会|侨联|归国华侨联合会|社会科学界联合会|社科联"
                          r"|青年联合会|作家协会|计划生育协会"),
    ("soe", r"集团|公司|银行|国有企业|控股|信用社|农商行|股份"),
    ("development_zone", r"开发区|经开区|高新区|园区|保税区|产业园|示范区|试验区|合作区|自贸区|自由贸易|新区|新城管委会"),
]
_VILLAGE = re.compile(r"(?:村|社区|村民委员会|居民委员会|村委会|居委会)(?:总支部委员会|支部委员会|委员会|总支|支部)?$")
_TOWNSHIP = re.compile(r"(?:镇|乡|街道|苏木)(?:工作委员会|委员会|人民政府|政府|办事处|党委|党工委)?$")
_ORGAN_REST = re.compile(r"(?:委员会|委|人民政府|政府|工作委员会|人民代表大会常务委员会|人大常委会|政协|政治协商会议.*)?")
_DEPARTMENT_END = re.compile(r"(?:局|厅|委员会|委|办公室|办|部|署|处|中心|所|站|社|管理处|管理委员会)$")


def _unit_name(issuer: str) -> str:
    """The issuer's unit without 中共 and its party body (党组, 党委 …), in simplified script."""
    n = _PARTY_PREFIX.sub("", to_simplified(issuer).strip())
    stripped = _PARTY_ORG.sub("", n)
    if stripped != n and stripped:
        return stripped
    if issuer.strip().startswith(("中共", "中国共产党")) and n.endswith("委员会") and len(n) > 4:
        return n[:-3]  # 中共X委员会: the party committee of X
    return n


def unit_type(issuer: str | None, places: regions.PlaceMatch | None = None) -> str | None:
    """One of UNIT_TYPES for the issuing body, or None without an issuer."""
    if not issuer:
        return None
    u = _unit_name(issuer)
    if places is None:
        places = regions.places_at_head(_PARTY_PREFIX.sub("", to_simplified(issuer)))
    place_end = places.written_end
    own = u[place_end:]  # the name after the places the table knows (浦东新区 is a place)
    for kind, rx in _TYPE_WORDS:
        if re.search(rx, own):
            return kind
    if _VILLAGE.search(u):
        return "village"
    if _TOWNSHIP.search(u):
        return "township_or_street"
    head = _PLACE_HEAD.match(u) or _BARE_TIER.match(u)
    rest = u[head.end():] if head else (u[place_end:] if place_end else u)
    if (head or place_end) and _ORGAN_REST.fullmatch(rest):
        return "party_or_government_organ"
    if _DEPARTMENT_END.search(u) or (head or place_end) and rest:
        return "department"
    return "other"


# --- inspection ----------------------------------------------------------------------

# A place name before 委: no 委 (U+59D4) inside it, and not across 关于 or 对.
_PLACE = r"(?:(?!关于|对)[\u4e00-\u59d3\u59d5-\u9fff])"
_INSPECTOR = re.compile(
    rf"((?:中央|省委|市委|县委|区委|州委|旗委|盟委|{_PLACE}{{2,8}}?(?:省|市|县|区|州|旗)委|集团党委|党委|党组)"
    rf"{_PLACE}{{0,8}}?第?[一二三四五六七八九十\d]*(?:轮)?(?:联动|专项|机动)?(?:巡视|巡察)(?:组|工作组))")
_INSPECTION_MENTION = re.compile(
    rf"(中央|省委|自治区党委|市委|州委|盟委|地委|县委|区委|旗委|{_PLACE}{{2,8}}?(?:省|市|县|区|州|旗)委|党委|党组)"
    r"[^，,。；;]{0,12}?(巡视|巡察)")
_ORDINAL_TERM = re.compile(rf"^(?:第?[{CN_DIGITS}\d]+届)")


def _committee_place(committee: str) -> regions.Division | None:
    """The division an inspecting committee belongs to: 苏州市委 → 苏州市."""
    name = _ORDINAL_TERM.sub("", committee)
    m = re.match(r"(.{2,12}?(?:省|市|县|区|州|旗|盟))委", name)
    if not m:
        return None
    pm = regions.places_at_head(m.group(1))
    if pm.chain and pm.end == len(m.group(1)) and not pm.by_stem[-1]:
        return regions.narrow(pm.chain[-1])
    return None


def inspection(inspector: str | None, title: str | None, head: str) -> dict[str, str | None]:
    """Tier and type of the inspection, from the inspector's name, else from the title or opening."""
    src = to_simplified(inspector) if inspector else None
    if src is None:
        m = _INSPECTION_MENTION.search(to_simplified(title or "")) or _INSPECTION_MENTION.search(to_simplified(head))
        src = m.group(0) if m else None
    if not src:
        return {"tier": None, "type": None}
    kind = "xunshi" if "巡视" in src else "xuncha" if "巡察" in src else None
    src = _ORDINAL_TERM.sub("", src)
    place = _committee_place(src)
    if src.startswith("中央"):
        tier = "central"
    elif place is not None:
        tier = {"province": "provincial", "city": "municipal", "county": "county"}[place.tier]
    elif re.match(r"(?:省委|自治区党委|[\u4e00-\u9fff]{2,8}?省委)", src):
        tier = "provincial"
    elif re.match(r"(?:市委|州委|盟委|地委|[\u4e00-\u9fff]{2,8}?(?:市|州|盟)委)", src):
        tier = "municipal"
    elif re.match(r"(?:县委|区委|旗委|[\u4e00-\u9fff]{2,8}?(?:县|区|旗)委)", src):
        tier = "county"
    elif re.match(r"[\u4e00-\u9fff]{0,12}?(?:党委|党组)", src):
        tier = "unit"
    else:
        tier = None
    return {"tier": tier, "type": kind}


# --- region and level ----------------------------------------------------------------

_TOWN = re.compile(r"([\u4e00-\u9fff]{2,6}?(?:镇|乡|街道|苏木))(?=工作委员会|委员会|党委|党工委|人民政府|政府|办事处|[\u4e00-\u9fff]{1,8}?(?:村|社区)|$)")
_SUFFIX_TIER = [(r"自治区|省", "provincial"), (r"自治州|地区|盟", "prefectural"), (r"自治县|自治旗|县|旗|区", "county")]
_INSPECTION_LEVEL = {"central": "central", "provincial": "provincial", "municipal": "prefectural", "county": "county"}
_CENTRAL = re.compile(r"^(?:中央|国家|国务院|全国|中华全国|中国(?!共产党))")


def region_and_level(issuer: str | None, unit: str | None, insp: dict, inspector: str | None,
                     text: str) -> tuple[dict[str, str | None], str | None]:
    """Where the issuer is (province, city, county, township) and its administrative level."""
    region: dict[str, str | None] = {"province": None, "city": None, "county": None, "township": None}
    name = _PARTY_PREFIX.sub("", to_simplified(issuer or ""))
    pm = regions.places_at_head(name)
    committee = _committee_place(to_simplified(inspector)) if inspector else None
    own: regions.Division | None = None
    own_by_stem = False
    for cands, by_stem in reversed(list(zip(pm.chain, pm.by_stem))):
        if committee is not None:
            fit = [c for c in cands if c.within(committee) or committee.within(c)]
            cands = fit or cands
        else:
            fit = []
        if by_stem:  # 常熟经济…: a bare stem counts when the inspector or the text confirms it
            cands = fit or [c for c in cands if regions.mentioned(c, text)]
        own = regions.narrow(cands)
        if own is not None:
            own_by_stem = by_stem
            break
    region.update(regions.region_of(own or committee))
    written = _PLACE_HEAD.match(name)
    town = _TOWN.match(name, pm.end if pm.chain else written.end() if written else 0)
    if town and unit in ("township_or_street", "village"):
        region["township"] = text_slice(issuer, name, town)
    # level
    if unit == "village":
        level = "village"
    elif unit == "township_or_street":
        level = "township"
    elif own is not None and (not own_by_stem or unit == "development_zone"):
        # 南开大学, 南京大学: a place's stem in a name locates the unit but says nothing of its level;
        # a zone (常熟经济技术开发区) is run at the level of the place it is named after
        level = {"province": "provincial", "city": "prefectural", "county": "county"}[own.tier]
        if own.code[:2] in regions.MUNICIPALITIES and own.tier == "city":
            level = "provincial"
    elif _CENTRAL.match(name):
        level = "central"
    else:
        level = _written_level(name, insp, committee)
    return region, level


def text_slice(original: str | None, norm: str, m: re.Match) -> str:
    """The matched part as written (the name was normalised one character for one)."""
    offset = len(to_simplified(original or "")) - len(norm)
    return (original or "")[offset + m.start(1):offset + m.end(1)]


def _written_level(name: str, insp: dict, committee: regions.Division | None) -> str | None:
    """The level an unknown place's suffix writes (XX县 → county), else the inspection's."""
    head = _PLACE_HEAD.match(name)
    suffix = None
    if head:
        suffix = re.search(r"(自治区|自治州|自治县|自治旗|地区|省|市|州|盟|县|旗|区)$", head.group(0)).group(1)
    elif _BARE_TIER.match(name):
        suffix = name[0]  # 县人民医院 in the opening sentence
    if suffix == "市":
        if insp["tier"] == "provincial":
            return "prefectural"
        if insp["tier"] == "county":
            return "county"
        if insp["tier"] == "municipal":  # inspected by another city's committee: a county-level city
            return "county" if committee is not None and head and committee.name != head.group(0) else "prefectural"
        return None
    for rx, level in _SUFFIX_TIER:
        if suffix and re.fullmatch(rx, suffix):
            return level
    return _INSPECTION_LEVEL.get(insp["tier"] or "")


# --- stated totals -------------------------------------------------------------------

_COUNT = re.compile(rf"(?<![第\d.])(?P<num>{NUMBER})\s*(?P<unit>个方面|个|条|项|类|件|处|名|人次|人|万元|亿元|元)")
_NOUN = r"问题(?!线索|清单)|意见(?!建议)|整改措施|措施|举措|整改任务|任务(?!清单)|制度|建章立制"
_NOUN_AFTER = re.compile(rf"(?:的)?(?:具体|反馈|整改)?(?P<noun>{_NOUN})")
_NOUN_BEFORE = re.compile(_NOUN)
_OTHER_NOUN = re.compile(r"(?!已|正|均|全|其|中|仍|尚|未|需|基本|持续|整改|完成|按|有序|得到|的)[\u4e00-\u9fff]")
_ONGOING = re.compile(r"基本完成|正在|持续(?:整改|推进)|整改中|推进中|需?长期坚持|长期推进|阶段性完成|有序推进|按计划推进"
                      r"|未完成|尚未完成|未销号")
_ALL_DONE = re.compile(r"全部(?:整改|落实)?(?:完成|到位|整改完成|整改到位|销号|办结)|均已(?:整改)?(?:完成|到位|整改)")
_DONE = re.compile(rf"{_ALL_DONE.pattern}|已(?:经)?(?:整改)?(?:完成|到位|办结|销号)|完成(?:了)?整改|整改(?:完成|到位)|已整改|完成\s*$")
_REPORTED = re.compile(r"反馈|指出|交办|移交|提出|共|涉及|梳理|查摆|列出|对照|针对|聚焦|分解|细化|制定|明确")
_FUNDS = re.compile(r"追缴|挽回|收回|退还|清退|追回|退赔|返还")
_PEOPLE = re.compile(r"处理|处分|问责|追责|立案|诫勉|谈话提醒|批评教育|组织调整")
_RATE = re.compile(r"完成率[^，,。；;\d]{0,6}?(\d+(?:\.\d+)?)\s*%")
_ITEM = re.compile(r"\s*(?:[（(]\s*\d{1,2}\s*[）)]|\d{1,2}\s*[.．、]|[①-⑳])")
_SENTENCES = re.compile(r"([。；;！？!?\n])")
_UNIT_CHAR = re.compile(r"[个条项类件处名人元%]")
_CLAUSE_END = re.compile(r"[，,、：:]")
_CLAUSE_END_BACK = re.compile(r".*[，,、：:]", re.S)  # up to the last clause mark before a count
_KEYS = {"problems": ("problems_reported", "problems_completed", "problems_ongoing"),
         "measures": ("measures_set", "measures_completed", "measures_ongoing")}


def _noun_kind(noun: str | None) -> str | None:
    if not noun:
        return None
    if noun.startswith(("问题", "意见")):
        return "problems"
    if noun in ("制度", "建章立制"):
        return "rules"
    return "measures"


def stated_totals(text: str) -> dict[str, float | int]:
    """Totals a bulletin states about its own rectification, as pairs where it gives them:
    反馈问题25个，已完成19个、正在整改6个，完成率76% → problems reported / completed /
    ongoing and the rate; 制定整改措施72条，已完成62条 → measures set / completed.

    Read sentence by sentence, skipping numbered items (they report one problem's work).
    A count without its noun (已完成19个) counts what the count before it in the paragraph
    counts. Status words before a count (已完成19个), or after the last count of a clause
    (19个已完成), decide its status; 基本完成, 正在整改 and 需长期坚持 counts add up to the
    ongoing ones (except a breakdown introduced by 其中), and the people a sentence says were
    disciplined, admonished or held to account add up to people_handled. 全部整改完成 makes a count both
    the reported and the completed one. A problem count is a reported total when its
    clause says so (反馈, 共, 指出…) or its sentence also gives a status count or a rate.
    """
    out: dict[str, float | int] = {}
    ongoing_seen: set[str] = set()
    last_noun: str | None = None
    for sent in _SENTENCES.split(to_simplified(text)):
        if sent == "\n":
            last_noun = None  # a count without its noun takes one from its own paragraph only
        if not _UNIT_CHAR.search(sent) or _ITEM.match(sent):
            continue
        counts = [c for c in _COUNT.finditer(sent)]
        rate = _RATE.search(sent)
        if rate and "completion_rate" not in out:
            out["completion_rate"] = round(float(rate.group(1)) / 100, 4)
        if not counts:
            continue
        prev_ends = [0] + [c.end() for c in counts[:-1]]
        has_status = bool(rate) or any(_DONE.search(sent[a:c.start()]) or _ONGOING.search(sent[a:c.start()])
                                       for a, c in zip(prev_ends, counts))
        ongoing: dict[str, int | float] = {}
        people = 0
        for k, c in enumerate(counts):
            cut = _CLAUSE_END_BACK.search(sent, 0, c.start())
            clause_start = cut.end() if cut else 0
            before = sent[max(prev_ends[k], clause_start):c.start()]
            clause_before = sent[clause_start:c.start()]
            stop = _CLAUSE_END.search(sent, c.end())
            after = sent[c.end():stop.start() if stop else len(sent)]
            last_in_clause = k + 1 == len(counts) or counts[k + 1].start() >= c.end() + len(after)
            try:
                value = to_number(c.group("num"))
            except ValueError:
                continue
            unit = c.group("unit")
            if unit in ("万元", "亿元", "元"):
                if _FUNDS.search(clause_before) and "funds_recovered_10k_yuan" not in out:
                    out["funds_recovered_10k_yuan"] = round(value * {"万元": 1, "亿元": 10000, "元": 0.0001}[unit], 4)
                continue
            if unit in ("人", "名", "人次"):
                if _PEOPLE.search(clause_before) or _PEOPLE.search(after):
                    people += value
                continue
            if unit == "个方面":
                continue
            na = _NOUN_AFTER.match(after)
            nb = list(_NOUN_BEFORE.finditer(before))
            if na:
                noun = na.group("noun")
            elif nb:
                noun = nb[-1].group(0)
            elif _OTHER_NOUN.match(after):
                continue  # 5个专项工作组: a count of something else
            else:
                noun = last_noun
            last_noun = noun or last_noun
            kind = _noun_kind(noun)
            if kind == "rules":
                out.setdefault("rules_made", value)
                continue
            if kind is None:
                continue
            status = before if (_DONE.search(before) or _ONGOING.search(before)) else after if last_in_clause else ""
            reported_key, done_key, ongoing_key = _KEYS[kind]
            if _ONGOING.search(status):
                if not (clause_before.startswith("其中") and ongoing):
                    ongoing[ongoing_key] = ongoing.get(ongoing_key, 0) + value
            elif _ALL_DONE.search(status):
                out.setdefault(reported_key, value)
                out.setdefault(done_key, value)
            elif _DONE.search(status):
                out.setdefault(done_key, value)
            elif kind == "measures" or _REPORTED.search(clause_before) or has_status:
                out.setdefault(reported_key, value)
        if people and "people_handled" not in out:
            out["people_handled"] = people  # 处分1人，诫勉谈话2人: all handled, in the first sentence saying so
        for key, v in ongoing.items():
            if key not in ongoing_seen:
                out.setdefault(key, v)
                ongoing_seen.add(key)
    return out


# --- dates ---------------------------------------------------------------------------

def _dates(head: str, line_norm: list[str], trailer_norm: list[str]) -> dict[str, str | None]:
    dates: dict[str, str | None] = {"inspection_start": None, "inspection_end": None,
                                    "feedback": None, "published": None, "signed": None}
    period = date_range(head)
    if period:
        dates["inspection_start"], dates["inspection_end"] = period
    for iso, s, e in find_dates(head):
        if iso in (dates["inspection_start"], dates["inspection_end"]):
            continue
        after = re.split(r"[。；;\n]", head[e:e + 40])[0]
        before = re.split(r"[。；;，,\n]", head[max(0, s - 20):s])[-1]
        if "反馈" in after[:30] or re.search(r"反馈[^。；]{0,20}$", before):
            dates["feedback"] = iso
            break
    pub = PAGE_DATE.search(head)
    if pub:
        dates["published"] = first_date(pub.group(1))
    if not dates["published"]:
        for t in line_norm[:8]:
            bare = re.fullmatch(r"\s*[（(]\s*(.{6,16}?)\s*[）)]\s*", t)  # （2024年3月15日） under the title
            lead = re.match(r"\s*(\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?)[^。，]{0,30}(?:来源|浏览|阅读|点击|访问)", t)
            got = first_date(bare.group(1)) if bare else first_date(lead.group(1)) if lead else None
            if got:
                dates["published"] = got
                break
    for t in reversed(trailer_norm):
        found = find_dates(t)
        if found and len(re.sub(r"\s", "", t)) <= found[0][2] - found[0][1] + 2:
            dates["signed"] = found[0][0]
            break
    return dates


# --- all together --------------------------------------------------------------------

_LABEL = re.compile(r"[\u4e00-\u9fff]{2,8}$")
_SENTENCE_SPAN = re.compile(r"[^。；;\n]+")
_DIGIT = re.compile(r"\d")  # only a sentence with a digit can hold a figure


def _figures(opening: str) -> list[dict]:
    """Every figure of the opening with the words before it: {label, value, unit}."""
    out = []
    spans = [sent.span() for sent in _SENTENCE_SPAN.finditer(opening) if _DIGIT.search(opening, *sent.span())]
    for m in (m for span in spans for m in FIGURE.finditer(opening, *span)):
        if opening[max(0, m.start("num") - 1):m.start("num")] == "第":
            continue  # 第3名: a rank
        label = _LABEL.search(opening, max(0, m.start() - 8), m.start())
        if label:
            value = float(m.group("num"))
            out.append({"label": label.group(0), "value": int(value) if value.is_integer() else value,
                        "unit": m.group("unit")})
    return out


def extract_metadata(text: str, lines, page_title: str | None = None, opening: str = "",
                     trailer: list[str] | None = None) -> dict:
    """Metadata found in the opening and closing lines of a parsed bulletin.

    `opening` is the text before the first problem (and any organisation section after it):
    where stated totals and figures are read. Returns the Bulletin fields title, issuer,
    inspector, inspection, unit_type, level, region, dates, stated and figures.
    """
    trailer = trailer or []
    line_texts = [text[ln.start:ln.end] for ln in lines]
    line_norm = [to_simplified(t) for t in line_texts[:16]]
    title = _title(line_texts, line_norm, page_title)
    head_raw = "\n".join(line_texts[:12])
    head = to_simplified(head_raw)
    m = _INSPECTOR.search(head)
    if m:
        inspector = head_raw[m.start(1):m.end(1)]
    else:
        wide = to_simplified(text[:3000])
        m = _INSPECTOR.search(wide)
        inspector = text[m.start(1):m.end(1)] if m else None
    issuer = _issuer(title, opening or head_raw, trailer)
    insp = inspection(inspector, title, head)
    places = regions.places_at_head(_PARTY_PREFIX.sub("", to_simplified(issuer))) if issuer else None
    unit = unit_type(issuer, places)
    region, level = region_and_level(issuer, unit, insp, inspector, text)
    trailer_norm = [to_simplified(t) for t in trailer]
    return {"title": title, "issuer": issuer, "inspector": inspector, "inspection": insp,
            "unit_type": unit, "level": level, "region": region,
            "dates": _dates(head, line_norm, trailer_norm),
            "stated": stated_totals(opening or head_raw), "figures": _figures(opening or head_raw)}
