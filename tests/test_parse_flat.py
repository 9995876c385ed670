"""Bulletins whose line breaks a crawl removed parse like the original: the outline is found
from the numbering markers inside the running text."""
import re
from pathlib import Path

import pytest

from nlp.parse import parse_text

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "raw" / "000_f74bace5e6783c83.txt"
LAYOUTS = ROOT / "tests" / "fixtures" / "layouts"

SECTIONS = ROOT / "tests" / "fixtures" / "sections"
STRESS = ROOT / "tests" / "fixtures" / "stress"


def flatten(text: str, joiner: str) -> str:
    return re.sub(r"\s*\n\s*", joiner, text.strip())


def _same_share(flat, orig) -> float:
    want = [m.text for i in orig.issues for m in i.measures]
    got = {m.text for i in flat.issues for m in i.measures}
    return sum(w in got for w in want) / len(want)


@pytest.mark.parametrize("joiner", [" ", ""], ids=["space", "nothing"])
def test_seed_on_one_line_parses_like_the_original(seed_bulletin, joiner):
    flat = flatten(SEED.read_text(encoding="utf-8"), joiner)
    assert "\n" not in flat
    b = parse_text(flat)
    assert len(b.issues) == 56
    assert _same_share(b, seed_bulletin) >= 0.95
    assert b.title == seed_bulletin.title
    for issue in b.issues:
        for m in issue.measures:
            assert flat[m.start:m.end] == m.text


FIXTURES = sorted(LAYOUTS.glob("*.txt")) + sorted(STRESS.glob("*.txt")) + sorted(SECTIONS.glob("*.txt"))
FIXTURES = [p for p in FIXTURES if p.name not in ("not_a_bulletin.txt", "fragment.txt")]


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_every_layout_joined_by_spaces_keeps_its_structure(path):
    text = path.read_text(encoding="utf-8")
    orig = parse_text(text)
    b = parse_text(flatten(text, " "))
    assert [i.title for i in b.issues] == [i.title for i in orig.issues]
    assert _same_share(b, orig) == 1.0


def test_a_short_bulletin_run_together_without_spaces():
    text = (SECTIONS / "mixed_levels.txt").read_text(encoding="utf-8")
    orig = parse_text(text)
    b = parse_text(flatten(text, ""))
    assert [i.title for i in b.issues] == [i.title for i in orig.issues]
    assert _same_share(b, orig) == 1.0
    assert [s.kind for s in b.sections][:3] == ["opening", "organisation", "next_steps"]
