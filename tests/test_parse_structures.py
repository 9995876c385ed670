"""Whole structures: hand-made layouts, the development bulletins of other units, and the
real university bulletin (evaluation only, read from ../shared)."""
import hashlib
import json
import re
from pathlib import Path

import pytest

from nlp.parse import NotABulletin, parse_file

ROOT = Path(__file__).resolve().parents[1]

SECTIONS = ROOT / "tests" / "fixtures" / "sections"
INPUTS = ROOT / "tests" / "fixtures" / "inputs"
DEV = ROOT / "data" / "dev"
NANKAI = ROOT.parent / "shared" / "bulletins" / "nankai_2022.txt"


def _structure(b) -> dict:
    return {"title": b.title, "sections": [s.kind for s in b.sections],
            "issues": [{"title": i.title, "group": i.group, "reported_status": i.reported_status,
                        "measures": [m.text for m in i.measures]} for i in b.issues]}


WHOLE = [p for p in sorted(SECTIONS.glob("*.txt")) + sorted(INPUTS.glob("*.md"))
         if p.with_suffix(".expected.json").exists()]


@pytest.mark.parametrize("src", WHOLE, ids=lambda p: p.name)
def test_hand_made_layout_parses_to_its_whole_structure(src):
    exp_path = src.with_suffix(".expected.json")
    expected = json.loads(exp_path.read_text(encoding="utf-8"))
    b = parse_file(src)
    got = _structure(b)
    assert got == {k: expected[k] for k in got}
    if "coverage" in expected:
        assert b.coverage == expected["coverage"]
    for issue in b.issues:
        for m in issue.measures:
            assert b.text[m.start:m.end] == m.text


def test_every_problem_has_the_status_its_line_or_its_heading_states():
    b = parse_file(SECTIONS / "status_headings.txt")
    assert all(i.reported_status for i in b.issues)
    assert not any("完成情况" in m.text or "整改进度" in m.text for i in b.issues for m in i.measures)


def test_sections_are_judged_by_content_when_headings_say_nothing():
    b = parse_file(SECTIONS / "content_kinds.txt")
    kinds = {s.title: s.kind for s in b.sections if s.title}
    assert kinds == {"以上率下，凝聚合力": "organisation", "立足长远，常抓不懈": "next_steps"}


def test_a_fragment_says_what_was_found():
    with pytest.raises(NotABulletin, match="bulletin opening.*without a problem section"):
        parse_file(SECTIONS / "fragment.txt")


def test_coverage_flags_fewer_problems_than_stated():
    b = parse_file(ROOT / "tests" / "fixtures" / "layouts" / "totals_opening.txt")
    assert b.coverage == {"problems_parsed": 5, "problems_stated": 25, "ratio": 0.2, "differs": True}
    assert b.warnings == ["5 problem(s) parsed, the bulletin states 25"]
    assert parse_file(SECTIONS / "status_headings.txt").coverage["differs"] is False


def test_coverage_is_noted_in_a_batch(tmp_path, capsys):
    from nlp.cli import main
    assert main(["parse", str(ROOT / "tests" / "fixtures" / "layouts" / "totals_opening.txt"),
                 "--out", str(tmp_path / "o.json")]) == 0
    assert "totals_opening.txt: 5 problem(s) parsed, the bulletin states 25" in capsys.readouterr().err


# --- the development bulletins of other units (structures written blind to the parser) ----

def _norm(s: str) -> str:
    return re.sub(r"\s+", "", s).rstrip("；;，,、")


DEV_CASES = sorted((DEV / "structure").glob("*.json"))


@pytest.mark.skipif(not DEV_CASES, reason="data/dev/structure/ is absent")
@pytest.mark.parametrize("path", DEV_CASES, ids=lambda p: p.stem)
def test_dev_bulletin_matches_its_hand_structure(path):
    hand = json.loads(path.read_text(encoding="utf-8"))
    b = parse_file(DEV / "raw" / f"{path.stem}.txt")
    assert len(b.issues) == len(hand["problems"])
    want = [[_norm(m["text"]) for m in p["measures"]] for p in hand["problems"]]
    got = [[_norm(m.text) for m in i.measures] for i in b.issues]
    assert got == want
    assert [i.reported_status for i in b.issues] == [p.get("reported_status") for p in hand["problems"]]


# --- the real university bulletin (evaluation only; never copied into the project) ---------

@pytest.fixture(scope="module")
def nankai():
    if not NANKAI.exists():
        pytest.skip(f"{NANKAI} is absent: the real bulletin is read from ../shared only, never copied")
    return parse_file(NANKAI)


def test_nankai_has_its_15_problems_and_54_measures(nankai):
    assert len(nankai.issues) == 15
    assert nankai.n_measures == 54
    assert [s.kind for s in nankai.sections] == ["opening", "organisation", "next_steps", "closing"]


def test_nankai_measures_are_the_hand_made_ones_and_no_other_paragraph(nankai):
    path = DEV / "nankai_2022.structure.json"
    if not path.exists():
        pytest.skip(f"{path} (the stand-off hand structure) is absent")
    hand = json.loads(path.read_text(encoding="utf-8"))
    assert hashlib.sha256(nankai.text.encode("utf-8")).hexdigest() == hand["text_sha256"]
    want = [[(m["start"], m["end"]) for m in p["measures"]] for p in hand["problems"]]
    got = [[(m.start, m.end) for m in i.measures] for i in nankai.issues]
    assert got == want
    for p in hand["problems"]:
        for m in p["measures"]:
            assert hashlib.sha1(nankai.text[m["start"]:m["end"]].encode("utf-8")).hexdigest()[:12] == m["sha1_12"]
    spans = [(m.start, m.end) for i in nankai.issues for m in i.measures]
    assert {nm["kind"] for nm in hand["non_measures"]} >= {"organisation", "next_steps"}
    for nm in hand["non_measures"]:  # organisation, next steps, group lead-ins, results, closing
        assert not any(s < nm["end"] and nm["start"] < e for s, e in spans), nm
