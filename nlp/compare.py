"""Compare bulletins: who gets more done, does each bulletin's own claim hold, and when.

`compare` labels and summarises every bulletin, then writes, into one folder that is
swapped in only when the run succeeds:
- `bulletins.csv`: one row per bulletin (where, what kind of unit, when, counts per label,
  the share finished, its stated totals flattened into columns, parse coverage, flags);
- `groups.csv`: one row per group of bulletins (by province, city, level, unit type);
- `measures.csv`: every labelled measure;
- `report.html`: one self-contained page (nlp/report.py) and two PNG charts (nlp/charts.py).
Groups and their tests are in nlp/groups.py.

Nothing here names a task or a label: the scheme's roles say which task is the topic, which
is progress and which progress label means finished, so a renamed scheme works unchanged.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections import Counter
from datetime import date
from pathlib import Path

from .errors import UsageError
from .facts import LOW_COVERAGE, STATED_KEYS, coverage, stated_completion
from .groups import (DISAGREE_AT, FEW_MEASURES, FLAGS, GROUP_COLUMNS, GROUPINGS, LEVELS, MIN_GROUP_N,  # noqa: F401
                     UNIT_TYPES, UNKNOWN, completion_test, group_rows, topic_mix_test)

def roles(scheme) -> tuple:
    """(topic task, progress task, finished label) of a scheme, or a SchemeError."""
    topic, progress = scheme.require_roles("compare")
    return topic, progress, progress.finished


# --- where and what kind of unit ---------------------------------------------------------

def bulletin_place(bulletin) -> dict:
    """province, city, county, level and unit_type of a bulletin (None where unknown).

    Read from the metadata (`bulletin.region`, `.level`, `.unit_type`) when the parser
    supplies it; otherwise from `_fallback_place`, this module's own inference.
    """
    region = getattr(bulletin, "region", None)
    level, unit_type = getattr(bulletin, "level", None), getattr(bulletin, "unit_type", None)
    if not isinstance(region, dict) and level is None and unit_type is None:
        return _fallback_place(bulletin)
    region = region if isinstance(region, dict) else {}
    return {"province": region.get("province"), "city": region.get("city"), "county": region.get("county"),
            "level": level, "unit_type": unit_type}


def _fallback_place(bulletin) -> dict:
    """Region, level and unit type inferred here, until nlp.metadata supplies them."""
    region = extract_region(bulletin.issuer, bulletin.title, bulletin.inspector, bulletin.text)
    return {"province": region["province"], "city": region["city"], "county": region["county"],
            "level": _level_of(region, bulletin.issuer),
            "unit_type": unit_type_of(bulletin.issuer, bulletin.title, region)}


PROVINCES = ["北京市", "天津市", "上海市", "重庆市", "河北省", "山西省", "辽宁省", "吉林省", "黑龙江省",
             "江苏省", "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省",
             "广东省", "海南省", "四川省", "贵州省", "云南省", "陕西省", "甘肃省", "青海省", "台湾省",
             "内蒙古自治区", "广西壮族自治区", "西藏自治区", "宁夏回族自治区", "新疆维吾尔自治区"]
# Prefecture-level cities → province: the coastal provinces that publish most bulletins,
# and capitals and large cities elsewhere. Not a gazetteer.
PREFECTURES = {
    "江苏省": "南京 无锡 徐州 常州 苏州 南通 连云港 淮安 盐城 扬州 镇江 泰州 宿迁",
    "浙江省": "杭州 宁波 温州 嘉兴 湖州 绍兴 金华 衢州 舟山 台州 丽水",
    "广东省": "广州 深圳 珠海 汕头 佛山 韶关 湛江 肇庆 江门 茂名 惠州 梅州 汕尾 河源 阳江 清远 东莞 中山 潮州 揭阳 云浮",
    "山东省": "济南 青岛 淄博 枣庄 东营 烟台 潍坊 济宁 泰安 威海 日照 临沂 德州 聊城 滨州 菏泽",
    "福建省": "福州 厦门 莆田 三明 泉州 漳州 南平 龙岩 宁德",
    "安徽省": "合肥 芜湖 蚌埠 淮南 马鞍山 淮北 铜陵 安庆 黄山 滁州 阜阳 宿州 六安 亳州 池州 宣城",
    "河北省": "石家庄 唐山 秦皇岛 邯郸 保定 张家口 承德 沧州 廊坊 衡水 邢台",
    "辽宁省": "沈阳 大连 鞍山 抚顺 本溪 丹东 锦州 营口",
    "山西省": "太原 大同", "吉林省": "长春 吉林", "黑龙江省": "哈尔滨 齐齐哈尔 大庆",
    "江西省": "南昌 赣州 九江", "河南省": "郑州 洛阳 开封 南阳", "湖北省": "武汉 宜昌 襄阳",
    "湖南省": "长沙 株洲 湘潭 岳阳 衡阳", "海南省": "海口 三亚", "四川省": "成都 绵阳 宜宾",
    "贵州省": "贵阳 遵义", "云南省": "昆明", "陕西省": "西安 宝鸡", "甘肃省": "兰州", "青海省": "西宁",
    "内蒙古自治区": "呼和浩特 包头", "广西壮族自治区": "南宁 柳州 桂林", "西藏自治区": "拉萨",
    "宁夏回族自治区": "银川", "新疆维吾尔自治区": "乌鲁木齐",
}
CITY_PROVINCE = {c: p for p, cities in PREFECTURES.items() for c in cities.split()}

_NOT_ADMIN = re.compile(r"(开区|发区|新区|园区|保区|港区|片区|社区|城区|景区|校区|辖区|地区|全区|本区)$")
_ADMIN = re.compile(r"([\u4e00-\u9fff]{2,4}?)(自治区|自治州|自治县|省|市|州|盟|县|区|旗)")
_TOWN = re.compile(r"([\u4e00-\u9fff]{2,4}?)(镇|乡|街道)")
_TIER = {"省": "province", "自治区": "province", "市": "city", "自治州": "city", "州": "city", "盟": "city",
         "县": "county", "自治县": "county", "区": "county", "旗": "county"}


def _strip_party(name: str | None) -> str:
    return re.sub(r"^中共|^中国共产党", "", name or "")


def _issuer_places(issuer: str, text: str) -> dict[str, str]:
    """Tier → place named at the head of the issuer: 苏州市吴中区木渎镇 → city, county, township."""
    name, pos, out = _strip_party(issuer), 0, {}
    while True:
        m = _ADMIN.match(name, pos)
        if m and not _NOT_ADMIN.search(m.group(0)) and _TIER[m.group(2)] not in out:
            out[_TIER[m.group(2)]] = m.group(0)
            pos = m.end()
            continue
        m = _TOWN.match(name, pos)
        if m:
            out["township"] = m.group(0)
        break
    if not out:  # 常熟经济技术开发区: the head of the name plus a suffix the text uses (常熟市)
        for n in (3, 2):
            found = re.search(rf"{re.escape(name[:n])}(市|县|区)", text) if len(name) >= n else None
            if found and not _NOT_ADMIN.search(found.group(0)):
                return {_TIER[found.group(1)]: found.group(0)}
    return out


def _inspector_place(inspector: str | None) -> tuple[str | None, str | None]:
    """(named place, tier) of the inspecting party committee: 苏州市委 → (苏州市, city)."""
    m = re.match(r"(?:中共)?([\u4e00-\u9fff]{2,4}?)?(省|市|县|区|州)委", inspector or "")
    if not m:
        return None, None
    return (m.group(1) + m.group(2) if m.group(1) else None), _TIER[m.group(2)]


def extract_region(issuer: str | None, title: str | None, inspector: str | None, text: str) -> dict:
    """Province, city, county and township of a bulletin, as far as its own words tell."""
    issuer = issuer or ""
    own = "\n".join(x for x in (issuer, title or "", inspector or "") if x)
    places = _issuer_places(issuer, text)
    insp_place, insp_tier = _inspector_place(inspector)
    city = places.get("city", "")
    if len(places) == 1 and city.endswith("市") and city[:-1] not in CITY_PROVINCE \
            and insp_tier == "city" and insp_place and insp_place != city:
        places = {"county": city}  # 常熟市 inspected by 苏州市委: a county-level city
    region = {t: places.get(t) for t in ("province", "city", "county", "township")}
    if insp_place and insp_tier in ("city", "province", "county") and not region[insp_tier]:
        region[insp_tier] = insp_place
    if not region["province"]:
        stated = [p for p in PROVINCES if p in own]
        from_city = CITY_PROVINCE.get((region["city"] or "")[:-1])
        in_text = Counter({p: text.count(p) for p in PROVINCES if p in text}).most_common(2)
        if stated:
            region["province"] = stated[0]
        elif from_city:
            region["province"] = from_city
        elif in_text and (len(in_text) == 1 or in_text[0][1] > in_text[1][1]):
            region["province"] = in_text[0][0]
    return region


_UNIT_RULES = [
    ("hospital", r"医院|卫生院"), ("school_or_university", r"大学|学院|学校|中学|小学"),
    ("court_or_procuratorate", r"法院|检察院"), ("soe", r"公司|集团|银行|控股"),
    ("development_zone", r"开发区|经开区|高新区|园区|保税区|新区"),
    ("mass_organisation", r"妇女联合会|妇联|总工会|工会|共青团|团委|科学技术协会|科协|文联|侨联|残联"),
    ("village", r"村(委员会|党支部|党总支|$)|社区"),
    ("township_or_street", r"镇|乡|街道"),
    ("department", r"局|厅|办公室|委员会党组|委党组|中心|党组"),
]


def unit_type_of(issuer: str | None, title: str | None, region: dict | None = None) -> str:
    """What kind of unit issued the bulletin (UNIT_TYPES), from its name."""
    name = _strip_party(issuer) or re.split(r"关于", title or "")[0]
    for kind, rx in _UNIT_RULES:
        if re.search(rx, name):
            return kind
    if re.search(r"(省|市|县|区|州|旗)(委员会|委|人民政府|政府)$", name):
        return "party_or_government_organ"
    return "other"


def _level_of(region: dict, issuer: str | None) -> str | None:
    """Administrative level of the issuer from the lowest place it names."""
    name = _strip_party(issuer)
    if re.search(r"村(委员会|党支部|党总支|$)|社区", name):
        return "village"
    if region.get("township"):
        return "township"
    if region.get("county"):
        return "county"
    if region.get("city"):
        return "prefectural"
    if region.get("province"):
        return "provincial"
    return None


# --- one bulletin ------------------------------------------------------------------

MEASURE_COLUMNS = ["bulletin_id", "issue_no", "issue_label", "issue_group", "issue_title", "reported_status",
                   "measure_no", "text", "start", "end"]
_ORG_END = re.compile(r"(委员会|党组|党委|党工委|工委|纪委|局|厅|办|院|校|大学|学院|公司|集团|中心|政府|镇|乡|街道|村|区|县|市|"
                      r"会|所|站|队|部|社)$")


def display_name(bulletin) -> str:
    """The name readers know a bulletin by: its issuer, else the title's head, else its id.

    An issuer that reads like a heading or a sentence (punctuation, a list marker, too long)
    is not a name, so it is passed over.
    """
    for cand in (_strip_party(bulletin.issuer), re.split(r"关于", bulletin.title or "")[0] if bulletin.title and
                 "关于" in bulletin.title else ""):
        cand = (cand or "").strip()
        if 2 <= len(cand) <= 30 and _ORG_END.search(cand) and not re.search(r"[，。：:；;、“”（）()]|^[一二三四五六七八九十\d]", cand):
            cand = re.sub(r"(工作委员会|委员会|党工委|党委|党组|工委)$", "", cand) or cand
            return cand if len(cand) <= 18 else cand[:17] + "…"
    return bulletin.bulletin_id


def _days(a: str | None, b: str | None) -> int | None:
    try:
        return (date.fromisoformat(b) - date.fromisoformat(a)).days if a and b else None
    except ValueError:
        return None


def bulletin_row(bulletin, rows: list[dict], facts: dict, scheme) -> dict:
    """One CSV row per bulletin: who, where, when, its counts, its claim beside its labels, flags."""
    topic, progress, finished = roles(scheme)
    place = bulletin_place(bulletin)
    dates = {k: (bulletin.dates or {}).get(k) for k in ("inspection_start", "inspection_end", "feedback",
                                                         "published", "signed")}
    stated = dict(bulletin.stated or {})
    row = {"bulletin_id": bulletin.bulletin_id, "name": display_name(bulletin), "title": bulletin.title,
           "issuer": bulletin.issuer, "inspector": bulletin.inspector, **place,
           "region": " / ".join(v for v in (place["province"], place["city"], place["county"]) if v) or None,
           **dates, "lag_days": _days(dates["feedback"], dates["published"]),
           "problems": len(bulletin.issues), "measures": len(rows)}
    tcount, pcount = Counter(r[topic.name] for r in rows), Counter(r[progress.name] for r in rows)
    row.update({f"n_{t}": tcount.get(t, 0) for t in topic.labels})
    row.update({f"n_{p}": pcount.get(p, 0) for p in progress.labels})
    row["share_finished"] = round(pcount.get(finished, 0) / len(rows), 4) if rows else None
    by_issue: dict[int, list[str]] = {}
    for r in rows:
        by_issue.setdefault(r["issue_no"], []).append(r[progress.name])
    row["problems_finished"] = sum(all(p == finished for p in ps) for ps in by_issue.values())
    row["share_problems_finished"] = round(row["problems_finished"] / len(by_issue), 4) if by_issue else None
    row.update({f"stated_{k}": stated.get(k) for k in STATED_KEYS})
    claim, basis = stated_completion(stated)
    labelled = row["share_problems_finished"] if basis == "problems" else row["share_finished"]
    row.update(stated_completion=round(claim, 4) if claim is not None else None, stated_basis=basis,
               labelled_completion=labelled if claim is not None else None,
               gap=round(labelled - claim, 4) if claim is not None and labelled is not None else None)
    cov = coverage(bulletin)
    row.update(coverage_problems_parsed=cov["problems_parsed"], coverage_problems_stated=cov["problems_stated"],
               coverage_ratio=cov["ratio"])
    flags = []
    if row["gap"] is not None and abs(row["gap"]) >= DISAGREE_AT:
        flags.append("disagrees")
    if cov["flag"] or (cov["ratio"] is not None and cov["ratio"] < LOW_COVERAGE):
        flags.append("low_coverage")
    if len(rows) < FEW_MEASURES:
        flags.append("few_measures")
    if not dates["published"]:
        flags.append("no_published_date")
    if not (place["province"] or place["city"] or place["county"]):
        flags.append("no_region")
    row["flags"] = ";".join(flags)
    row["figures"] = len(facts["figures"])
    row["deadlines"] = len(facts["deadlines"])
    row["source_path"] = bulletin.source_path
    return row


def bulletin_columns(scheme) -> list[str]:
    """Columns of bulletins.csv, in order (README: 'compare outputs')."""
    topic, progress, _ = roles(scheme)
    return ["bulletin_id", "name", "title", "issuer", "inspector", "province", "city", "county", "region", "level",
            "unit_type", "inspection_start", "inspection_end", "feedback", "published", "signed", "lag_days",
            "problems", "measures", *[f"n_{t}" for t in topic.labels], *[f"n_{p}" for p in progress.labels],
            "share_finished", "problems_finished", "share_problems_finished", *[f"stated_{k}" for k in STATED_KEYS],
            "stated_completion", "stated_basis", "labelled_completion", "gap", "coverage_problems_parsed",
            "coverage_problems_stated", "coverage_ratio", "flags", "figures", "deadlines", "source_path"]


# --- the whole job -----------------------------------------------------------------

_OUTPUT_NAMES = {"bulletins.csv", "groups.csv", "measures.csv", "report.html", "completion_by_group.png",
                 "topic_mix.png"}


def _check_out_dir(out: Path) -> None:
    """An existing --out must be a folder holding nothing but an earlier comparison."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: exists and is not a folder")
    if out.is_dir():
        foreign = sorted(p.name for p in out.iterdir() if p.name not in _OUTPUT_NAMES)
        if foreign:
            raise UsageError(f"--out {out}: holds files that compare did not write ({', '.join(foreign[:3])}…); "
                             "give a new or empty folder")


def _swap_in(tmp: Path, out: Path) -> None:
    """Replace `out` by the finished folder `tmp`, so old and new results never mix."""
    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        os.rename(out, old / out.name)
    os.rename(tmp, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def compare(inputs: list[str | Path], out_dir: str | Path, model=None, failures=None,
            max_chart_rows: int | None = None) -> dict:
    """Parse, label and summarise every bulletin under `inputs`; write tables, charts, report.

    Everything is written to a temporary folder beside `out_dir` and swapped in at the end:
    a failed or interrupted run, or one that reads no bulletin, leaves earlier results as
    they were.
    """
    from . import charts
    from .batch import Failures, iter_parsed
    from .classifiers import load_model
    from .classify import classify_bulletin
    from .outputs import atomic_write_bytes, atomic_write_text, write_rows
    from .report import render_report
    from .summarize import summarize_bulletin, with_display_names

    failures = failures if failures is not None else Failures()
    model = model if model is not None and not isinstance(model, (str, Path)) else load_model(model)
    scheme = with_display_names(model.scheme)
    topic, progress, finished = roles(scheme)
    out = Path(out_dir)
    _check_out_dir(out)
    bulletins, measures, summaries = [], [], []
    for b in iter_parsed(inputs, failures, desc="comparing"):
        try:
            rows = classify_bulletin(b, model)
            s = summarize_bulletin(b, rows, levels=("bulletin",), scheme=scheme)
            brow = bulletin_row(b, rows, s["facts"], scheme)
        except Exception as exc:  # one odd bulletin must not stop the comparison
            failures.add(b.source_path, f"internal error: {type(exc).__name__}: {exc}")
            continue
        bulletins.append(brow)
        keep = [*MEASURE_COLUMNS, topic.name, f"{topic.name}_score", progress.name, f"{progress.name}_score"]
        measures += [{k: r.get(k) for k in keep} for r in rows]
        summaries.append({"bulletin_id": b.bulletin_id, "headline": s["bulletin"].get("headline"),
                          "summary": s["bulletin"]["summary"], "deadlines": s["facts"]["deadlines"],
                          "reference_date": s["facts"]["reference_date"],
                          "reference_date_source": s["facts"].get("reference_date_source")})
    seen = Counter(b["name"] for b in bulletins)
    for b in bulletins:  # two bulletins of one unit: tell them apart by id
        if seen[b["name"]] > 1:
            b["name"] = f"{b['name']}（{b['bulletin_id']}）"
    result = {"bulletins": bulletins, "summaries": summaries, "failures": list(failures.items),
              "model": getattr(model, "card", {}).get("name") or model.kind, "scheme": scheme,
              "topic": topic, "progress": progress, "finished": finished}
    if not bulletins:  # nothing read: leave whatever an earlier run wrote
        result.update(groups={}, tests={}, chi_square={"tested": False, "caveats": []}, charts={})
        return result
    groups = {g: group_rows(bulletins, g, progress.labels, finished) for g in GROUPINGS}
    tests = {}
    for g in GROUPINGS:
        by: dict[str, list[tuple[int, int]]] = {}
        for b in bulletins:
            by.setdefault(b.get(g) or UNKNOWN, []).append((b[f"n_{finished}"], b["measures"]))
        tests[g] = completion_test(by, names={**UNIT_TYPES, **LEVELS})
    names = [b["name"] for b in bulletins]
    counts = [{t: b[f"n_{t}"] for t in topic.labels} for b in bulletins]
    result.update(groups=groups, tests=tests, chi_square=topic_mix_test(names, counts, topic.labels))
    result["charts"] = {
        "completion_by_group": charts.completion_by_group(groups, scheme, max_rows=max_chart_rows),
        "topic_mix": charts.topic_mix(names, counts, scheme, max_rows=max_chart_rows)}
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(tmp, 0o777 & ~mask)  # mkdtemp makes 0700; results are for sharing
    try:
        write_rows(tmp / "bulletins.csv", bulletins, bulletin_columns(scheme))
        write_rows(tmp / "groups.csv", [r for g in GROUPINGS for r in groups[g]],
                   [*GROUP_COLUMNS[:5], *[f"n_{p}" for p in progress.labels], *GROUP_COLUMNS[5:]])
        write_rows(tmp / "measures.csv", measures, [*MEASURE_COLUMNS[:7], topic.name, f"{topic.name}_score",
                                                    progress.name, f"{progress.name}_score", *MEASURE_COLUMNS[7:]])
        for name, png in result["charts"].items():
            atomic_write_bytes(tmp / f"{name}.png", png)
        atomic_write_text(tmp / "report.html", render_report(result, measures))
        _swap_in(tmp, out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return result
