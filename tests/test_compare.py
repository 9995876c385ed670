"""`bulletin compare`: tables, charts, report, the chi-square section, bad files, regions."""
import csv
import json
import shutil
import warnings

import pytest

from nlp.groups import completion_test, topic_mix_test
from nlp.errors import UsageError

from paths import LAYOUTS, ROOT, SEED


def _csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    """One run over the shipped bulletin and the layout fixtures (one of which is not a bulletin)."""
    from nlp import cli

    out = tmp_path_factory.mktemp("cmp")
    rc = cli.main(["compare", str(ROOT / "data" / "raw"), str(LAYOUTS), "--out", str(out), "--model", "rules"])
    return out, rc


def _expected_counts():
    """(bulletins, measures) of the parseable inputs: the seed (141) plus each layout's expected file."""
    exp = [json.loads(p.read_text(encoding="utf-8")) for p in LAYOUTS.glob("*.expected.json")]
    return 1 + len(exp), 141 + sum(len(i["measures"]) for e in exp for i in e["issues"])


def test_bulletins_csv_has_one_row_per_bulletin(compared):
    out, rc = compared
    assert rc == 1  # not_a_bulletin.txt failed, and that is reported, not fatal
    rows = _csv(out / "bulletins.csv")
    n_bulletins, n_measures = _expected_counts()
    assert len(rows) == n_bulletins
    for col in ("bulletin_id", "name", "title", "issuer", "province", "city", "county", "region", "level",
                "unit_type", "inspector", "inspection_start", "feedback", "published", "lag_days", "problems",
                "measures", "n_party_building", "n_economy", "n_done", "n_ongoing", "n_planned", "share_finished",
                "share_problems_finished", "stated_problems_reported", "stated_completion_rate", "stated_completion",
                "labelled_completion", "gap", "coverage_ratio", "flags"):
        assert col in rows[0], col
    assert "stated" not in rows[0]  # flattened into stated_* columns
    for r in rows:
        domains = sum(int(r[f"n_{d}"]) for d in ("party_building", "economy", "safety", "environment",
                                                  "soe_governance", "other"))
        assert domains == int(r["n_done"]) + int(r["n_ongoing"]) + int(r["n_planned"]) == int(r["measures"])
    seed = next(r for r in rows if r["bulletin_id"] == "000_f74bace5e6783c83")
    assert (seed["province"], seed["city"], seed["county"]) == ("江苏省", "苏州市", "常熟市")
    assert seed["unit_type"] == "development_zone" and seed["problems"] == "56" and seed["measures"] == "141"
    assert seed["name"] == "常熟经济技术开发区" and seed["lag_days"] == "186"  # 2023-11-07 → 2024-05-11
    assert sum(int(r["measures"]) for r in rows) == n_measures
    kinds = {r["bulletin_id"]: r["unit_type"] for r in rows}
    assert kinds["feedback_blocks"] == "hospital" and kinds["wenti_n"] == "school_or_university"
    assert kinds["numbering_styles"] == "soe" and kinds["status_lines"] == "township_or_street"
    assert kinds["totals_opening"] == "court_or_procuratorate" and kinds["three_level"] == "department"
    assert len({r["name"] for r in rows}) == len(rows)  # every row is named, and no two alike


def test_stated_totals_beside_labels_with_coverage_flag(compared):
    out, _ = compared
    court = next(r for r in _csv(out / "bulletins.csv") if r["bulletin_id"] == "totals_opening")
    # 市委巡察反馈问题25个，已完成整改19个、正在整改6个，整改完成率76%; only 5 of the 25 are listed
    assert court["stated_problems_reported"] == "25" and court["stated_problems_completed"] == "19"
    assert float(court["stated_completion"]) == pytest.approx(0.76) and court["stated_basis"] == "problems"
    assert court["coverage_problems_parsed"] == "5" and float(court["coverage_ratio"]) == pytest.approx(0.2)
    assert float(court["gap"]) == pytest.approx(float(court["labelled_completion"]) - 0.76)
    assert "low_coverage" in court["flags"].split(";")
    assert ("disagrees" in court["flags"].split(";")) == (abs(float(court["gap"])) >= 0.25)
    assert "no_published_date" in court["flags"].split(";")


def test_groups_csv_pools_bulletins_by_unit_type_and_region(compared):
    out, _ = compared
    groups = _csv(out / "groups.csv")
    assert {g["grouping"] for g in groups} == {"unit_type", "province", "city", "level"}
    by_type = {g["group"]: g for g in groups if g["grouping"] == "unit_type"}
    bulletins = _csv(out / "bulletins.csv")
    dept = [b for b in bulletins if b["unit_type"] == "department"]
    assert int(by_type["department"]["bulletins"]) == len(dept)
    assert int(by_type["department"]["measures"]) == sum(int(b["measures"]) for b in dept)
    assert float(by_type["department"]["share_finished"]) == pytest.approx(
        sum(int(b["n_done"]) for b in dept) / sum(int(b["measures"]) for b in dept), abs=1e-4)
    assert by_type["department"]["tested"] == "True" and by_type["hospital"]["tested"] == "False"
    for grouping in ("unit_type", "province", "city", "level"):
        assert sum(int(g["bulletins"]) for g in groups if g["grouping"] == grouping) == len(bulletins)


def test_measures_csv_has_every_measure_with_labels(compared):
    out, _ = compared
    rows = _csv(out / "measures.csv")
    assert len(rows) == _expected_counts()[1]
    assert {"bulletin_id", "issue_no", "measure_no", "text", "domain", "status", "domain_score"} <= set(rows[0])
    assert all(r["domain"] and r["status"] for r in rows)
    assert sum(r["bulletin_id"] == "000_f74bace5e6783c83" for r in rows) == 141


def test_charts_are_real_pngs_of_bounded_size(compared):
    out, _ = compared
    from matplotlib import image
    for name in ("completion_by_group", "topic_mix"):
        png = out / f"{name}.png"
        data = png.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000, name
        img = image.imread(png)
        assert 300 < img.shape[0] < 2000 and img.shape[1] > 600
        assert img[..., :3].std() > 0.05  # not a blank canvas


def test_chart_size_does_not_grow_with_the_number_of_bulletins():
    from matplotlib import image
    import io

    from nlp import charts
    from nlp.labels import default_scheme

    scheme = default_scheme()
    heights = []
    for n in (40, 400):
        names = [f"第{i}单位$x$" for i in range(n)]  # a $ must not start mathtext
        counts = [{"economy": i % 7 + 1, "party_building": i % 3} for i in range(n)]
        heights.append(image.imread(io.BytesIO(charts.topic_mix(names, counts, scheme))).shape[0])
    assert heights[0] == heights[1] < 1600


def test_report_has_overview_table_groups_time_and_failures(compared):
    out, _ = compared
    page = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="overview"' in page and 'id="by-unit-type"' in page and 'id="stated"' in page
    assert 'id="bulletins" class="sortable"' in page and 'id="time"' in page and "data-drill=" in page
    assert "常熟经济技术开发区" in page and "not_a_bulletin.txt" in page and "无法使用的文件（1）" in page
    assert "χ<sup>2</sup> =" in page and "置换检验 p" in page
    assert page.count("<details id=\"b-") == _expected_counts()[0]
    assert "data:font/woff;base64," in page and "data:image" not in page  # no picture of text


def test_a_bad_file_is_listed_not_fatal(tmp_path, capsys):
    from nlp.batch import Failures
    from nlp.compare import compare

    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SEED, src / "a.txt")
    (src / "broken.txt").write_bytes(b"\x00\x01\x02 binary junk")
    failures = Failures()
    result = compare([src], tmp_path / "out", "rules", failures)
    assert len(result["bulletins"]) == 1 and [p for p, _ in failures.items] == [str(src / "broken.txt")]
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "broken.txt" in page and "只有一份通报" in page  # and so no test was run
    assert len(_csv(tmp_path / "out" / "measures.csv")) == 141


def test_a_failed_rerun_leaves_the_earlier_results_whole(tmp_path, monkeypatch):
    from nlp import compare as cmp

    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SEED, src / "a.txt")
    out = tmp_path / "out"
    cmp.compare([src], out, "rules")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    shutil.copy(LAYOUTS / "zhendui.txt", src / "b.txt")

    def broken(*a, **k):
        raise RuntimeError("killed while writing the report")
    monkeypatch.setattr("nlp.report.render_report", broken)
    with pytest.raises(RuntimeError):
        cmp.compare([src], out, "rules")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no new CSV beside the old report
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]  # no temporary folder left
    monkeypatch.undo()
    empty = tmp_path / "unreadable"
    empty.mkdir()
    (empty / "junk.txt").write_bytes(b"\x00\x01 binary")
    result = cmp.compare([empty], out, "rules")
    assert result["bulletins"] == [] and {p.name: p.read_bytes() for p in out.iterdir()} == before
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(UsageError, match="did not write"):
        cmp.compare([src], out, "rules")


def test_chinese_labels_draw_without_missing_glyphs():
    from nlp import charts
    from nlp.labels import default_scheme

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph … missing from font" before drawing a box
        png = charts.topic_mix(["常熟经济技术开发区（巡察）", "臨江市第一人民醫院"],
                               [{"economy": 3, "safety": 1}, {"economy": 1, "party_building": 4}], default_scheme())
    assert png[:4] == b"\x89PNG"
    assert charts.drawable("常熟\U00020000市") == "常熟?市"  # a character outside the font is replaced
    assert charts.drawable("經濟發展") == "經濟發展"  # Traditional characters are in the font
    assert charts.FONT_PATH.stat().st_size < 4_000_000
    assert (charts.FONT_PATH.parent / "LICENSE-Apache-2.0.txt").exists()


def test_one_colour_per_label_across_tasks():
    from nlp.charts import label_colours
    from nlp.labels import default_scheme

    colours = label_colours(default_scheme())
    assert len(colours) == 9 and len(set(colours.values())) == 9


# --- the chi-square test -------------------------------------------------------------

def test_chi_square_on_a_clear_difference():
    t = topic_mix_test(["a", "b"], [{"x": 10, "y": 0}, {"x": 0, "y": 10}], ["x", "y", "z"], n_perm=500)
    assert t["tested"] and t["labels"] == ["x", "y"]  # an empty label is dropped
    assert t["chi2"] == pytest.approx(20.0) and t["dof"] == 1 and t["p_value"] < 1e-4
    assert t["permutation_p_value"] < 0.01 and t["cramers_v"] == pytest.approx(1.0)
    assert not any("小于 5" in c for c in t["caveats"])


def test_chi_square_warns_about_small_expected_counts_and_single_bulletins():
    t = topic_mix_test(["a", "b"], [{"x": 3, "y": 1}, {"x": 1, "y": 2}], ["x", "y"], n_perm=200)
    assert t["tested"] and any("小于 5" in c for c in t["caveats"])
    one = topic_mix_test(["a"], [{"x": 3, "y": 1}], ["x", "y"])
    assert not one["tested"] and "只有一份通报" in one["caveats"][0]


# --- the completion test between groups ---------------------------------------------

def test_completion_test_is_exact_for_small_groups_and_checks_by_hand():
    # three bulletins all finished against three with none: of the 20 ways to split six
    # bulletins 3/3, two are as extreme (the observed split and its mirror) → p = 2/20
    groups = {"a": [(10, 10), (5, 5), (8, 8)], "b": [(0, 10), (0, 5), (0, 8)]}
    t = completion_test(groups)
    assert t["tested"] and t["method"] == "exact" and t["assignments"] == 20
    assert t["p_value"] == pytest.approx(2 / 20)
    assert t["eta_squared"] == pytest.approx(1.0) and t["max_difference"] == pytest.approx(1.0)
    same = completion_test({"a": [(5, 10), (5, 10), (5, 10)], "b": [(5, 10), (5, 10), (5, 10)]})
    assert same["p_value"] == pytest.approx(1.0) and same["eta_squared"] == pytest.approx(0.0)


def test_completion_test_leaves_out_small_groups_and_says_so():
    t = completion_test({"a": [(1, 2), (2, 2), (0, 3)], "b": [(1, 1)], "未识别": [(3, 3)] * 5})
    assert not t["tested"] and t["left_out"] == ["b", "未识别"] and "至少需要两组" in t["reason"]
    assert any("未参加检验" in w for w in t["warnings"])
    big = completion_test({g: [(i % 4, 4) for i in range(12)] for g in "abc"}, n_perm=199)
    assert big["method"] == "permutation" and big["assignments"] == 199 and 0 < big["p_value"] <= 1


# --- regions -------------------------------------------------------------------------

def test_place_comes_from_the_metadata(seed_bulletin):
    import copy

    from nlp.compare import bulletin_place

    b = copy.copy(seed_bulletin)
    b.region = {"province": "江苏省", "city": "苏州市", "county": None}
    b.level, b.unit_type = "county", "development_zone"
    assert bulletin_place(b) == {"province": "江苏省", "city": "苏州市", "county": None, "level": "county",
                                 "unit_type": "development_zone"}
