"""Bulletin metadata: title, issuer, unit type, level, region, inspection and stated totals.

Every bulletin here is invented for the test (青禾县 and the like are made-up places);
real place names appear only where the division table is what is being tested.
"""
import json
from pathlib import Path

import pytest

from nlp.cli import main
from nlp.metadata import LEVELS, UNIT_TYPES, inspection, stated_totals, unit_type
from nlp.parse import parse_file, parse_text
from nlp.records import measure_rows

from paths import SEED

PROBLEMS = ["二、巡察反馈问题整改落实情况",
            "1.关于“防汛物资管理不规范”问题的整改。", "（1）建立防汛物资台账，逐项登记入库。", "（2）开展物资清查，补齐缺失物资。",
            "2.关于“工程资金拨付滞后”问题的整改。", "（1）制定资金拨付办法，明确拨付时限。"]


def bulletin(*head: str, opening: str = "根据县委统一部署，县委第二巡察组对县水利局党组进行了巡察。现将整改情况予以公布。",
             body: str = "局党组成立整改工作领导小组，召开专题会议研究部署。",
             trailer: tuple[str, ...] = ("欢迎广大干部群众进行监督。", "中共青禾县水利局党组", "2024年5月8日"),
             page_title: str | None = None):
    text = "\n".join([*head, opening, "一、整改工作组织情况", body, *PROBLEMS, *trailer]) + "\n"
    return parse_text(text, page_title=page_title)


def unit(issuer: str, inspector: str, body: str = ""):
    """A bulletin of `issuer` inspected by `inspector`, its name in title, opening and signature."""
    kind = "巡视" if "巡视" in inspector else "巡察"
    return bulletin(f"{issuer}关于{kind}整改进展情况的通报",
                    opening=f"根据统一部署，{inspector}对{issuer}进行了{kind}。现将整改情况予以公布。",
                    body=body or "成立整改工作领导小组。", trailer=(issuer, "2024年5月8日"))


# --- title ---------------------------------------------------------------------------

TITLE = "中共青禾县水利局党组关于县委巡察整改进展情况的通报"


def test_title_line_after_breadcrumb_and_page_furniture():
    b = bulletin("首页 > 信息公开 > 巡察整改", TITLE, "发布时间：2024-05-08　来源：青禾县水利局　浏览次数：")
    assert b.title == TITLE and b.dates["published"] == "2024-05-08"


def test_title_set_on_two_lines_is_joined():
    b = bulletin("中共青禾县委员会", "关于十四届省委第二轮巡视整改进展情况的通报", "（2024年3月15日）")
    assert b.title == "中共青禾县委员会关于十四届省委第二轮巡视整改进展情况的通报"
    assert b.dates["published"] == "2024-03-15"
    b = bulletin("中共青禾县委员会关于十四届省委第二轮巡视", "整改进展情况的通报")  # wrapped in the middle
    assert b.title == "中共青禾县委员会关于十四届省委第二轮巡视整改进展情况的通报"


def test_markdown_title_of_a_copied_page():
    assert bulletin("# " + TITLE).title == TITLE
    assert bulletin("**" + TITLE + "**").title == TITLE


def test_a_sentence_or_a_section_heading_is_never_the_title():
    b = bulletin()  # no title line: the opening sentence and 一、…情况 headings are not titles
    assert b.title is None
    b = bulletin(opening="根据县委统一部署，现将县委第二巡察组巡察反馈意见整改情况通报如下。")
    assert b.title is None


def test_html_page_title_when_the_text_has_none():
    b = bulletin(page_title=TITLE + "_青禾县人民政府门户网站")
    assert b.title == TITLE


# --- issuer --------------------------------------------------------------------------

def test_issuer_from_the_title_in_the_signatures_full_form():
    b = bulletin("青禾县人民医院党委关于县委巡察整改情况的通报", trailer=("中共青禾县人民医院委员会", "2024年5月8日"))
    assert b.issuer == "中共青禾县人民医院委员会"


def test_issuer_from_the_title_when_the_signature_is_another_body():
    b = bulletin(TITLE, trailer=("青禾县人民政府办公室", "2024年5月8日"))
    assert b.issuer == "中共青禾县水利局党组"


def test_issuer_from_the_opening_sentence_when_the_title_has_none():
    b = bulletin("关于县委巡察整改进展情况的通报",
                 opening="根据县委统一部署，县委第二巡察组对中共青禾县水利局党组进行了常规巡察。",
                 trailer=("2024年5月8日",))
    assert b.issuer == "中共青禾县水利局党组"
    b = bulletin("关于县委巡察整改进展情况的通报",  # a short form in the opening, the full one signed
                 opening="根据县委统一部署，县委第二巡察组对县人民医院党委开展了常规巡察。",
                 trailer=("中共青禾县人民医院委员会", "2024年5月8日"))
    assert b.issuer == "中共青禾县人民医院委员会" and b.unit_type == "hospital" and b.level == "county"


def test_issuer_named_after_guanyu_and_a_dated_title():
    b = bulletin("关于中共青禾县水利局党组巡察整改进展情况的通报（2024年5月8日）", trailer=("2024年5月8日",))
    assert b.title == "关于中共青禾县水利局党组巡察整改进展情况的通报（2024年5月8日）"
    assert b.issuer == "中共青禾县水利局党组"


def test_issuer_from_the_signature_last():
    b = bulletin("关于县委巡察整改进展情况的通报", opening="根据县委统一部署，县委巡察组开展了巡察。")
    assert b.issuer == "中共青禾县水利局党组"


# --- unit type -----------------------------------------------------------------------

@pytest.mark.parametrize("issuer,expected", [
    ("中共青禾县卫生健康委员会党组", "department"), ("中共青禾县交通运输局党组", "department"),
    ("中共青禾县民政局党组", "department"), ("中共青禾市生态环境局党组", "department"),
    ("中共青禾县委组织部", "department"), ("中共青禾省交通运输厅党组", "department"),
    ("中共青禾县人民医院委员会", "hospital"), ("中共青禾县中医院委员会", "hospital"),
    ("中共青禾市中级人民法院党组", "court_or_procuratorate"), ("中共青禾县人民检察院党组", "court_or_procuratorate"),
    ("中共青禾市妇女联合会党组", "mass_organisation"), ("中共青禾市科学技术协会党组", "mass_organisation"),
    ("中共青禾县总工会党组", "mass_organisation"), ("共青团青禾市委员会", "mass_organisation"),
    ("中共桃溪镇委员会", "township_or_street"), ("中共桃溪乡委员会", "township_or_street"),
    ("中共城南街道工作委员会", "township_or_street"),
    ("中共桃溪镇杨柳村总支部委员会", "village"), ("中共城南街道青石社区委员会", "village"),
    ("中共青禾经济技术开发区工作委员会", "development_zone"), ("中共青禾高新区工作委员会", "development_zone"),
    ("中共青禾工业园区工作委员会", "development_zone"),
    ("中共青禾城市建设投资集团有限公司委员会", "soe"), ("中共青禾水务有限公司委员会", "soe"),
    ("中共东海理工大学委员会", "school_or_university"), ("中共青禾职业技术学院委员会", "school_or_university"),
    ("中共青禾县第一中学委员会", "school_or_university"),
    ("中共青禾县委员会", "party_or_government_organ"), ("中共青禾市委员会", "party_or_government_organ"),
    ("中共青禾县委", "party_or_government_organ"), ("青禾区人民政府党组", "party_or_government_organ"),
    ("中共上海市浦东新区委员会", "party_or_government_organ"),  # a district named 新区 is no development zone
    ("中共东海广播电视台委员会", "other"),
])
def test_unit_type(issuer, expected):
    assert unit_type(issuer) == expected
    assert expected in UNIT_TYPES


def test_no_issuer_no_unit_type():
    assert unit_type(None) is None


# --- inspection, level, region -------------------------------------------------------

@pytest.mark.parametrize("inspector,expected", [
    ("中央第十巡视组", ("central", "xunshi")), ("十九届中央第七巡视组", ("central", "xunshi")),
    ("省委第三巡视组", ("provincial", "xunshi")), ("上海市委第一巡视组", ("provincial", "xunshi")),
    ("苏州市委第一联动巡察组", ("municipal", "xuncha")), ("十届市委第三巡察组", ("municipal", "xuncha")),
    ("常熟市委第二巡察组", ("county", "xuncha")),  # a county-level city's committee
    ("县委第二巡察组", ("county", "xuncha")), ("区委第四巡察组", ("county", "xuncha")),
    ("集团党委第一巡察组", ("unit", "xuncha")),
])
def test_inspection_tier_and_type(inspector, expected):
    got = inspection(inspector, None, "")
    assert (got["tier"], got["type"]) == expected


def test_inspection_from_the_title_without_a_named_group():
    assert inspection(None, "中共青禾县水利局党组关于县委巡察整改情况的通报", "") == {"tier": "county", "type": "xuncha"}


@pytest.mark.parametrize("issuer,inspector,level,region", [
    ("中共常熟经济技术开发区工作委员会", "苏州市委第一联动巡察组", "county", ("江苏省", "苏州市", "常熟市", None)),
    ("中共江苏省交通运输厅党组", "省委第三巡视组", "provincial", ("江苏省", None, None, None)),
    ("中共杭州市委员会", "省委第一巡视组", "prefectural", ("浙江省", "杭州市", None, None)),
    ("中共杭州市西湖区委员会", "杭州市委第一巡察组", "county", ("浙江省", "杭州市", "西湖区", None)),
    ("中共苏州市吴中区木渎镇委员会", "区委第一巡察组", "township", ("江苏省", "苏州市", "吴中区", "木渎镇")),
    ("中共北京市委员会", "中央第一巡视组", "provincial", ("北京市", "北京市", None, None)),
    ("中共北京市朝阳区委员会", "市委第一巡视组", "county", ("北京市", "北京市", "朝阳区", None)),
    ("中共长阳土家族自治县委员会", "市委第二巡察组", "county", ("湖北省", "宜昌市", "长阳土家族自治县", None)),
    # invented places: the level its suffix writes or the inspection gives, and no region
    ("中共青禾县卫生健康委员会党组", "县委第二巡察组", "county", (None, None, None, None)),
    ("中共青禾市民政局党组", "市委第一巡察组", "prefectural", (None, None, None, None)),
    ("中共青禾市委员会", "苏州市委第二巡察组", "county", ("江苏省", "苏州市", None, None)),  # inspector as 2nd source
    ("中共东海理工大学委员会", "省委第五巡视组", "provincial", (None, None, None, None)),
    ("中共长河大学委员会", "中央第十巡视组", "central", (None, None, None, None)),
    ("中共桃溪镇杨柳村总支部委员会", "县委第五巡察组", "village", (None, None, None, "桃溪镇")),
    # a city's stem in a university's name: no level from it, and no place unless confirmed
    ("中共南京大学委员会", "中央第七巡视组", "central", (None, None, None, None)),
])
def test_level_and_region(issuer, inspector, level, region):
    b = unit(issuer, inspector)
    assert b.level == level and level in LEVELS
    assert (b.region["province"], b.region["city"], b.region["county"], b.region["township"]) == region


def test_a_regulation_quoted_in_the_body_never_sets_the_province():
    body = ("局党组严格执行《江苏省河道管理条例》和《浙江省水利工程管理办法》，对照《江苏省水利厅关于加强防汛物资管理的通知》"
            "逐项整改，并学习江苏省兄弟单位的经验。")
    b = unit("中共青禾县水利局党组", "县委第二巡察组", body=body)
    assert b.region == {"province": None, "city": None, "county": None, "township": None}


def test_a_bare_stem_counts_only_when_confirmed():
    issuer = "中共常熟经济技术开发区工作委员会"
    assert unit(issuer, "区委第一巡察组").region["county"] is None
    assert unit(issuer, "区委第一巡察组", body="《常熟市招商引资办法》").region["county"] is None
    b = unit(issuer, "区委第一巡察组", body="配合常熟市开展营商环境评估。")
    assert (b.region["province"], b.region["city"], b.region["county"]) == ("江苏省", "苏州市", "常熟市")


def test_traditional_script_bulletin():
    b = bulletin("中共青禾縣人民醫院委員會關於縣委第一巡察組巡察反饋意見整改情況的通報",
                 opening="根據縣委統一部署，縣委第一巡察組對縣人民醫院黨委開展了常規巡察。",
                 trailer=("中共青禾縣人民醫院委員會", "二〇二四年三月二十二日"))
    assert b.issuer == "中共青禾縣人民醫院委員會" and b.inspector == "縣委第一巡察組"
    assert (b.unit_type, b.level) == ("hospital", "county")
    assert b.inspection == {"tier": "county", "type": "xuncha"}
    assert b.dates["signed"] == "2024-03-22"


# --- stated totals -------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("截至目前，25个问题，已完成19个，完成率76%。",
     {"problems_reported": 25, "problems_completed": 19, "completion_rate": 0.76}),
    ("制定整改措施72条，已完成62条。", {"measures_set": 72, "measures_completed": 62}),
    ("市委巡察反馈问题25个，已完成整改19个、正在整改6个，整改完成率76%。",
     {"problems_reported": 25, "problems_completed": 19, "problems_ongoing": 6, "completion_rate": 0.76}),
    ("巡察反馈问题二十五个，已整改完成十九个，基本完成四个，需长期坚持两个。",
     {"problems_reported": 25, "problems_completed": 19, "problems_ongoing": 6}),
    ("巡察组共反馈3个方面9个问题，细化制定整改措施27条。截至8月底，已完成整改措施18条，"
     "其余9条正在按照时间节点有序推进，其中需长期坚持的6条。",
     {"problems_reported": 9, "measures_set": 27, "measures_completed": 18, "measures_ongoing": 9}),
    ("截至12月底，24条整改措施已完成17条，完成率70.8%。",
     {"measures_set": 24, "measures_completed": 17, "completion_rate": 0.708}),
    ("对反馈的8个问题照单全收。截至目前，8个问题已全部整改完成。", {"problems_reported": 8, "problems_completed": 8}),
    ("反馈的6个问题已全部整改完成。", {"problems_reported": 6, "problems_completed": 6}),
    ("共建立完善制度12项，追缴资金7.132万元，对5名相关责任人进行了批评教育或诫勉谈话。",
     {"rules_made": 12, "funds_recovered_10k_yuan": 7.132, "people_handled": 5}),
    ("追回违规资金1.2亿元，给予党纪政务处分3人，诫勉谈话2人。", {"funds_recovered_10k_yuan": 12000, "people_handled": 5}),
    ("成立领导小组，下设综合协调等5个专项工作组，召开会议9次。", {}),
    ("（1）开展专项审计，发现问题18个，已全部整改到位，收回资金12.4万元。", {}),  # one problem's work
    ("发现问题18个，均已整改。", {}),
])
def test_stated_totals(text, expected):
    got = stated_totals(text)
    assert got == pytest.approx(expected)


def test_totals_of_a_bulletin_come_from_the_text_before_its_problems():
    b = bulletin(TITLE, opening="根据县委统一部署，县委第二巡察组对县水利局党组进行了巡察。"
                               "巡察组共反馈问题7个，局党组制定整改措施22条。截至4月底，已整改完成问题5个，正在整改问题2个。")
    assert b.stated == {"problems_reported": 7, "measures_set": 22, "problems_completed": 5, "problems_ongoing": 2}


# --- the seed, the JSON, the rows ------------------------------------------------------

def test_seed_metadata(seed_bulletin):
    b = seed_bulletin
    assert b.issuer == "中共常熟经济技术开发区工作委员会" and b.inspector == "苏州市委第一联动巡察组"
    assert b.region == {"province": "江苏省", "city": "苏州市", "county": "常熟市", "township": None}
    assert (b.unit_type, b.level) == ("development_zone", "county")
    assert b.inspection == {"tier": "municipal", "type": "xuncha"}
    assert b.dates == {"inspection_start": "2023-04-17", "inspection_end": "2023-06-28", "feedback": "2023-11-07",
                       "published": "2024-05-11", "signed": "2024-05-07"}


def test_parse_json_has_the_documented_and_the_new_fields(tmp_path):
    out = tmp_path / "seed.json"
    assert main(["parse", str(SEED), "--format", "json", "--out", str(out)]) == 0
    d = json.loads(out.read_text(encoding="utf-8"))
    for key in ("bulletin_id", "source_path", "encoding", "title", "issuer", "inspector", "dates", "stated",
                "figures", "issues", "sections", "inspection", "unit_type", "level", "region"):
        assert key in d, key
    assert set(d["region"]) == {"province", "city", "county", "township"}
    assert set(d["inspection"]) == {"tier", "type"}


def test_measure_rows_carry_the_bulletin_context(seed_bulletin):
    rows = measure_rows(seed_bulletin)
    assert len(rows) == 141
    assert {(r["unit_type"], r["level"], r["province"], r["city"]) for r in rows} == \
        {("development_zone", "county", "江苏省", "苏州市")}
    assert {"bulletin_id", "issue_no", "measure_no", "text", "start", "end", "issue_title"} <= set(rows[0])


NANKAI = Path(__file__).resolve().parents[1].parent / "shared" / "bulletins" / "nankai_2022.txt"


def test_real_central_inspection_bulletin_of_a_university():
    if not NANKAI.exists():
        pytest.skip(f"nankai_2022.txt absent (evaluation only, read from {NANKAI.parent})")
    b = parse_file(NANKAI)
    assert b.title.startswith("中共南开大学委员会关于") and b.issuer == "中共南开大学委员会"
    assert b.inspection == {"tier": "central", "type": "xunshi"}
    assert (b.unit_type, b.level) == ("school_or_university", "central")
