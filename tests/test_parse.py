"""The parser on the shipped bulletin, the hand-written layouts, encodings and bad input."""
import json
import re

import pytest

from nlp.cli import main
from nlp.parse import NotABulletin, parse_file, parse_text
from nlp.source import SourceError, decode_bytes

from paths import LAYOUTS, ROOT, SEED


def test_seed_has_56_problems_in_order(seed_bulletin):
    b = seed_bulletin
    assert len(b.issues) == 56
    assert [i.label for i in b.issues] == [str(n) for n in range(1, 57)]
    assert b.issues[19].title.startswith("消防安全主体责任仍未压实")
    assert b.title == "常熟经济技术开发区党工委关于苏州市委巡察反馈意见集中整改情况的通报"
    assert b.issuer == "中共常熟经济技术开发区工作委员会"
    assert b.inspector == "苏州市委第一联动巡察组"
    assert b.dates["inspection_start"] == "2023-04-17" and b.dates["inspection_end"] == "2023-06-28"
    assert b.dates["feedback"] == "2023-11-07"


def test_seed_every_numbered_measure_once_and_no_text_lost(seed_bulletin):
    b = seed_bulletin
    text = b.text
    first_copy_end = text.index("三、下一步工作打算")
    numbered = re.findall(r"(?m)^\s*\((\d+)\)", text[text.index("二、整改任务推进落实情况"):first_copy_end])
    unnumbered = [i for i in b.issues if not re.match(r"\s*\(1\)", text[i.measures[0].start - 3:i.measures[0].start + 1])]
    assert b.n_measures == len(numbered) + len(unnumbered) == 141
    starts = [i.start for i in b.issues] + [first_copy_end]
    for k, issue in enumerate(b.issues):
        region = text[text.index("\n", issue.start):starts[k + 1]]
        expected = re.sub(r"\s+", "", re.sub(r"(?m)^\s*\(\d+\)", "", region))
        got = re.sub(r"\s+", "", "".join(m.text for m in issue.measures))
        assert got == expected, f"issue {issue.no}: text lost or duplicated"
        assert [m.no for m in issue.measures] == list(range(1, len(issue.measures) + 1))
        for m in issue.measures:
            assert text[m.start:m.end] == m.text


def test_seed_parse_matches_golden_file(seed_bulletin):
    golden = json.loads((ROOT / "tests" / "golden" / "seed_parse.json").read_text(encoding="utf-8"))
    got = seed_bulletin.to_dict()
    got.pop("source_path"), golden.pop("source_path")
    assert got == golden


STRESS = LAYOUTS.parent / "stress"


def _layout_cases():
    for folder in (LAYOUTS, STRESS):
        for exp in sorted(folder.glob("*.expected.json")):
            src = next(p for p in folder.glob(exp.name.replace(".expected.json", ".*")) if not p.name.endswith(".json"))
            yield pytest.param(src, exp, id=f"{folder.name}/{src.name}")


@pytest.mark.parametrize("src,exp", list(_layout_cases()))
def test_layouts_parse_to_hand_made_structure(src, exp):
    expected = json.loads(exp.read_text(encoding="utf-8"))
    b = parse_file(src)
    assert b.title == expected["title"]
    if "inspector" in expected:
        assert b.inspector == expected["inspector"]
    assert [i.title for i in b.issues] == [e["title"] for e in expected["issues"]]
    if all("group" in e for e in expected["issues"]):
        assert [i.group for i in b.issues] == [e["group"] for e in expected["issues"]]
    assert [[m.text for m in i.measures] for i in b.issues] == [e["measures"] for e in expected["issues"]]
    for issue in b.issues:
        for m in issue.measures:
            assert 0 <= m.start < m.end <= len(b.text)
            if "\n" not in m.text:
                assert b.text[m.start:m.end] == m.text


def test_status_lines_are_kept_apart_from_measures():
    b = parse_file(LAYOUTS / "status_lines.txt")
    assert all(i.reported_status for i in b.issues)
    assert not any("整改状态" in m.text or "整改结果" in m.text for i in b.issues for m in i.measures)


def test_two_line_title_issuer_and_date_under_the_title():
    b = parse_file(STRESS / "title_two_lines.txt")
    assert b.issuer == "中共安平县委员会" and b.dates["published"] == "2024-03-15"


def test_unnumbered_next_steps_and_results_are_not_measures():
    b = parse_file(STRESS / "guanyu_top.txt")
    assert "next_steps" in [s.kind for s in b.sections]
    assert not any("下一步" in m.text for i in b.issues for m in i.measures)
    b = parse_file(STRESS / "wenti_cuoshi_chengxiao.txt")
    assert not any("整改成效" in m.text for i in b.issues for m in i.measures)


def test_stated_totals_from_the_opening():
    b = parse_file(LAYOUTS / "totals_opening.txt")
    assert b.stated["problems_reported"] == 25
    assert b.stated["problems_completed"] == 19
    assert b.stated["problems_ongoing"] == 6
    assert b.stated["completion_rate"] == pytest.approx(0.76)
    assert b.stated["rules_made"] == 12
    assert b.stated["funds_recovered_10k_yuan"] == pytest.approx(7.132)


def test_html_page_furniture_is_dropped():
    b = parse_file(LAYOUTS / "page.html")
    assert "浏览" not in b.text and "索引号" not in b.text and "分享" not in b.text
    assert len(b.issues) == 4


def test_doubled_page_yields_the_bulletin_once():
    text = (LAYOUTS / "three_level.txt").read_text(encoding="utf-8")
    once = parse_text(text)
    twice = parse_text(text + "\n\n" + text)
    assert [i.title for i in twice.issues] == [i.title for i in once.issues]
    assert twice.n_measures == once.n_measures


@pytest.mark.parametrize("encoding,detected", [("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"), ("gb18030", "gb18030")])
def test_chinese_encodings_are_detected(tmp_path, encoding, detected):
    text = (LAYOUTS / "wenti_n.txt").read_text(encoding="utf-8")
    path = tmp_path / "b.txt"
    path.write_bytes(text.encode(encoding, errors="strict"))
    b = parse_file(path)
    assert len(b.issues) == 5 and b.encoding == detected  # GB18030 is the superset of GBK


def test_big5_traditional_bulletin(tmp_path):
    text = ("某縣民政局黨組關於縣委巡察反饋意見整改情況的通報\n"
            "根據縣委統一部署，縣委第一巡察組對縣民政局黨組進行了巡察。現將整改情況予以公佈。\n"
            "二、整改落實情況\n"
            "1.關於“社會救助審核把關不嚴”問題的整改。\n"
            "(1)開展低保對象專項清理，核查低保檔案1200份，清退不符合條件對象35戶。\n"
            "(2)建立救助對象動態管理機制，每季度開展一次入戶核查。\n"
            "2.關於“養老機構安全管理薄弱”問題的整改。\n"
            "(1)對全縣18家養老機構開展消防安全檢查，整改隱患42處。\n")
    path = tmp_path / "big5.txt"
    path.write_bytes(text.encode("big5"))
    b = parse_file(path)
    assert b.encoding == "big5"
    assert [len(i.measures) for i in b.issues] == [2, 1]
    assert b.issues[0].title == "社會救助審核把關不嚴"


def test_bad_bytes_raise_clear_errors():
    with pytest.raises(SourceError, match="empty"):
        decode_bytes(b"  \n")
    with pytest.raises(SourceError, match="binary"):
        decode_bytes(b"\x00\x01\x02abc" * 50)
    with pytest.raises(SourceError):
        decode_bytes(bytes(range(0x80, 0x100)) * 20)


def test_not_a_bulletin_is_rejected():
    with pytest.raises(NotABulletin):
        parse_file(LAYOUTS / "not_a_bulletin.txt")


def test_cli_batch_goes_past_bad_files(tmp_path, capsys):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x00\xff\x10" * 100)
    (tmp_path / "junk.txt").write_bytes(bytes(range(0x80, 0x100)) * 20)
    out = tmp_path / "out.jsonl"
    rc = main(["parse", str(tmp_path / "empty.txt"), str(tmp_path / "binary.txt"), str(tmp_path / "junk.txt"),
               str(LAYOUTS / "not_a_bulletin.txt"), str(SEED), "--format", "jsonl", "--out", str(out)])
    err = capsys.readouterr().err
    assert rc != 0
    assert "Traceback" not in err
    for name in ("empty.txt", "binary.txt", "junk.txt", "not_a_bulletin.txt"):  # said when it fails, listed at the end
        assert sum(line.startswith("failed:") and name in line for line in err.splitlines()) == 1
        assert sum(line.startswith("  ") and name in line for line in err.splitlines()) == 1
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 141 and rows[0]["bulletin_id"] == SEED.stem


def test_cli_single_bad_file_one_line_error(tmp_path, capsys):
    (tmp_path / "empty.txt").write_bytes(b"")
    rc = main(["parse", str(tmp_path / "empty.txt")])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc != 0 and any("empty.txt: empty file" in line for line in err)
    assert main(["parse", str(tmp_path / "missing.txt")]) != 0


def test_cli_formats(capsys):
    assert main(["parse", str(SEED)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert len(doc["issues"]) == 56 and "text" not in doc
    assert main(["parse", str(SEED), "--format", "md"]) == 0
    md = capsys.readouterr().out
    assert md.startswith("# 常熟经济技术开发区") and "### 56." in md
    assert main(["parse", str(LAYOUTS)]) == 1  # a folder: one JSON object per line; one non-bulletin
    captured = capsys.readouterr()
    assert "not_a_bulletin.txt" in captured.err
    lines = captured.out.splitlines()
    assert len(lines) == 8 and all(json.loads(line)["issues"] for line in lines)


def test_parse_jobs_give_the_same_output(tmp_path):
    """Parsing in worker processes changes nothing in the output, nor its order."""
    from nlp.cli import main
    from paths import LAYOUTS, STRESS

    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"p{jobs}.jsonl"
        assert main(["parse", str(LAYOUTS), str(STRESS), "--format", "jsonl", "--jobs", jobs, "--out", str(out)]) == 1
        outs.append(out.read_bytes())
    assert outs[0] == outs[1] and outs[0].count(b"\n") > 100
