"""`bulletin compare`: tables, charts, report, the chi-square section, bad files, unit type and level."""
import csv
import json
import shutil
import warnings

import pytest

from nlp.compare import domain_mix_test

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
    for col in ("bulletin_id", "title", "issuer", "province", "city", "county", "region", "unit_type", "level",
                "inspector",
                "inspection_start", "feedback", "published", "problems", "measures", "n_party_building",
                "n_economy", "n_done", "n_ongoing", "n_planned", "share_done"):
        assert col in rows[0], col
    for r in rows:
        domains = sum(int(r[f"n_{d}"]) for d in ("party_building", "economy", "safety", "environment",
                                                  "soe_governance", "other"))
        assert domains == int(r["n_done"]) + int(r["n_ongoing"]) + int(r["n_planned"]) == int(r["measures"])
    seed = next(r for r in rows if r["bulletin_id"] == "000_f74bace5e6783c83")
    assert (seed["province"], seed["city"], seed["county"]) == ("江苏省", "苏州市", "常熟市")
    assert (seed["unit_type"], seed["level"]) == ("development_zone", "county")
    assert seed["problems"] == "56" and seed["measures"] == "141"
    assert sum(int(r["measures"]) for r in rows) == n_measures
    kinds = {r["bulletin_id"]: (r["unit_type"], r["level"]) for r in rows}  # unit type and level apart
    assert kinds["wenti_n"] == ("school_or_university", "provincial")  # inspected by 省委巡视组
    assert kinds["numbering_styles"][0] == "soe" and kinds["status_lines"] == ("township_or_street", "township")
    assert kinds["three_level"] == ("department", "county")


def test_measures_csv_has_every_measure_with_labels(compared):
    out, _ = compared
    rows = _csv(out / "measures.csv")
    assert len(rows) == _expected_counts()[1]
    assert {"bulletin_id", "issue_no", "measure_no", "text", "domain", "status", "domain_score"} <= set(rows[0])
    assert all(r["domain"] and r["status"] for r in rows)
    assert sum(r["bulletin_id"] == "000_f74bace5e6783c83" for r in rows) == 141


def test_charts_are_real_pngs(compared):
    out, _ = compared
    from matplotlib import image
    for name in ("domain_mix", "completion_by_domain", "heatmap"):
        png = out / f"{name}.png"
        data = png.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000, name
        img = image.imread(png)
        assert img.shape[0] > 300 and img.shape[1] > 600
        assert img[..., :3].std() > 0.05  # not a blank canvas


def test_report_has_tables_charts_summaries_chi_square_and_failures(compared):
    out, _ = compared
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == 3
    assert page.count("<table>") >= 2 and "常熟经济技术开发区" in page
    assert "id='chi-square'" in page and "χ² =" in page and "Caveat" in page and "permutation p" in page
    assert "not_a_bulletin.txt" in page and "Files that could not be used (1)" in page
    assert "id='summaries'" in page and page.count("<h3>") == _expected_counts()[0]


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
    assert "broken.txt" in page and "Only one bulletin" in page  # and so no test was run
    assert len(_csv(tmp_path / "out" / "measures.csv")) == 141


def test_chinese_labels_draw_without_missing_glyphs():
    from nlp import charts

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph … missing from font" before drawing a box
        png = charts.heatmap(["常熟经济技术开发区（巡察）", "临江市第一人民医院"],
                             [{"economy": 3, "safety": 1}, {"economy": 1, "party_building": 4}],
                             ["party_building", "economy", "safety"])
    assert png[:4] == b"\x89PNG"
    assert charts.drawable("常熟\U00020000市") == "常熟?市"  # a character outside the font is replaced
    assert charts.FONT_PATH.stat().st_size < 4_000_000
    assert (charts.FONT_PATH.parent / "LICENSE-Apache-2.0.txt").exists()


# --- the chi-square test -------------------------------------------------------------

def test_chi_square_on_a_clear_difference():
    t = domain_mix_test(["a", "b"], [{"x": 10, "y": 0}, {"x": 0, "y": 10}], ["x", "y", "z"], n_perm=500)
    assert t["tested"] and t["domains"] == ["x", "y"]  # an empty domain is dropped
    assert t["chi2"] == pytest.approx(20.0) and t["dof"] == 1 and t["p_value"] < 1e-4
    assert t["permutation_p_value"] < 0.01 and t["cramers_v"] == pytest.approx(1.0)
    assert not any("below 5" in c for c in t["caveats"])


def test_chi_square_warns_about_small_expected_counts_and_single_bulletins():
    t = domain_mix_test(["a", "b"], [{"x": 3, "y": 1}, {"x": 1, "y": 2}], ["x", "y"], n_perm=200)
    assert t["tested"] and any("below 5" in c for c in t["caveats"])
    one = domain_mix_test(["a"], [{"x": 3, "y": 1}], ["x", "y"])
    assert not one["tested"] and "Only one bulletin" in one["caveats"][0]
