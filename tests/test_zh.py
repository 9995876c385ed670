"""The shared Chinese helpers: numerals, dates, figures, issuer names, page furniture, script."""
import pytest

from nlp.zh import (cn_to_int, date_range, find_dates, find_figures, first_date, is_furniture, is_signature,
                    latest_date, to_number, to_simplified, year_months)


@pytest.mark.parametrize("text,value", [
    ("一", 1), ("十", 10), ("十二", 12), ("二十", 20), ("二十三", 23), ("一百零五", 105), ("两百", 200),
    ("一千零二十", 1020), ("两千", 2000), ("三万五千", 35000), ("〇", 0), ("零", 0), ("二〇二四", 2024),
    ("二○二三", 2023), ("25", 25), ("3万", 30000),
])
def test_chinese_numerals(text, value):
    assert cn_to_int(text) == value


@pytest.mark.parametrize("bad", ["", "十x", "第三"])
def test_not_a_numeral_is_an_error(bad):
    with pytest.raises(ValueError):
        cn_to_int(bad)


def test_numbers_as_written():
    assert to_number("25") == 25 and isinstance(to_number("25"), int)
    assert to_number("7.132") == pytest.approx(7.132)
    assert to_number("２５") == 25 and to_number("二十五") == 25


@pytest.mark.parametrize("text,iso", [
    ("2024年5月11日", "2024-05-11"), ("2024 年 5 月 11 日", "2024-05-11"), ("2024-05-11 14:10:47", "2024-05-11"),
    ("2024.5.11", "2024-05-11"), ("2024/5/11", "2024-05-11"), ("二〇二四年五月十一日", "2024-05-11"),
    ("二〇二三年十二月二十日", "2023-12-20"), ("２０２４年５月１１日", "2024-05-11"),
])
def test_dates_in_every_written_form(text, iso):
    assert first_date(text) == iso


def test_what_is_not_a_date():
    assert find_dates("2024年13月1日，2024年5月底，2024年度，2023年2月29日，2024年4月31日") == []
    assert find_dates("电话0512-52959175") == []


def test_latest_date_and_the_months_a_measure_names():
    assert latest_date("2023年5月11日启动，二〇二四年一月三日完成，2024-01-02复核") == "2024-01-03"
    assert latest_date("2024年2月30日，2023年3月1日") == "2023-03-01"  # 2月30日 is no day
    assert latest_date("2024年5月底前完成") is None
    assert year_months("2023年已完成，2024年5月底前完成，2025年度") == [(2023, None), (2024, 5), (2025, None)]


def test_date_ranges():
    assert date_range("2023年4月17日至6月28日，巡察组…") == ("2023-04-17", "2023-06-28")
    assert date_range("于2023年12月4日至2024年1月19日") == ("2023-12-04", "2024-01-19")
    assert date_range("二〇二三年四月十七日至六月二十八日") == ("2023-04-17", "2023-06-28")
    assert date_range("2023年9月11日—11月10日") == ("2023-09-11", "2023-11-10")
    assert date_range("2023.4.17—2023.6.28") == ("2023-04-17", "2023-06-28")
    assert date_range("2023年6月28日至4月17日") is None  # an end before its start is no period
    assert date_range("2023年4月17日召开会议") is None


def test_one_figure_list_for_every_reader():
    figs = {f["text"]: f for f in find_figures("核查档案1200份，召开会议3场，追缴资金7.132万元，排名第3名，完成率89%")}
    assert figs["1200份"]["kind"] == "count" and figs["3场"]["value"] == 3
    assert figs["7.132万元"]["kind"] == "amount" and figs["89%"]["kind"] == "percent"
    assert figs["3名"]["kind"] == "rank"


@pytest.mark.parametrize("line,expected", [
    ("中共常熟经济技术开发区工作委员会", True), ("中共江南省交通运输厅党组", True), ("中共嵐峰縣人民醫院委員會", True),
    ("中共城南街道工作委员会", True), ("青禾县水利局", True),
    ("欢迎广大干部群众对巡察整改落实情况进行监督。", False), ("2024年5月7日", False),
    ("中共" + "青禾" * 20 + "委员会", False),  # too long for a name on its own line
])
def test_issuer_signature_lines(line, expected):
    assert is_signature(line) is expected


@pytest.mark.parametrize("line,expected", [
    ("浏览次数：1024", True), ("【打印】【关闭】", True), ("打印本页 关闭窗口", True), ("首页 > 信息公开 > 巡察整改", True),
    ("【字体：大 中 小】 打印本页", True), ("索引号：0123-2024-00012", True), ("分享到：", True),
    ("关闭退出高耗能企业3家，完成整改。", False), ("一是加强组织领导，打印并发放学习材料。", False),
])
def test_page_furniture(line, expected):
    assert is_furniture(line) is expected


def test_traditional_script_is_read_at_the_same_offsets():
    trad = "中共嵐峰縣人民醫院委員會關於縣委第二巡察組巡察反饋意見整改情況的通報，２０２４年"
    simp = to_simplified(trad)
    assert simp == "中共岚峰县人民医院委员会关于县委第二巡察组巡察反馈意见整改情况的通报，2024年"
    assert len(simp) == len(trad)
    assert to_simplified("常熟经济技术开发区") == "常熟经济技术开发区"
