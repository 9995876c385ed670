"""Property tests: the parser never crashes on random or mutated text, offsets stay inside."""
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from nlp.parse import NotABulletin, parse_text

from paths import LAYOUTS, SEED

_SAMPLES = [SEED.read_text(encoding="utf-8")[:6000]] + [
    p.read_text(encoding="utf-8") for p in sorted(LAYOUTS.glob("*.txt"))]
_PIECES = ["\n", "1.", "（一）", "(1)", "一是", "二是", "①", "关于“", "”问题的整改。", "整改情况：",
           "整改状态：完成", "针对", "问题1：", "巡察", "一、", "二、整改落实情况", "。", "；", "“", "”", " "]


def _check(text: str) -> None:
    try:
        b = parse_text(text)
    except NotABulletin:
        return
    for issue in b.issues:
        assert 0 <= issue.start <= issue.end <= len(text)
        for m in issue.measures:
            assert 0 <= m.start < m.end <= len(text)
            assert m.text.strip()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_PIECES) | st.text(max_size=12), max_size=60))
@example(["二、整改落实情况", "\n", "(1)"])  # a lone item number with nothing after it: no empty measure
def test_random_text_never_crashes(pieces):
    _check("".join(pieces))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(range(len(_SAMPLES))), st.lists(
    st.tuples(st.floats(0, 1), st.integers(0, 60), st.sampled_from(_PIECES + [""])), max_size=8))
def test_mutated_bulletins_never_crash(which, edits):
    text = _SAMPLES[which]
    for where, cut, insert in edits:
        i = int(where * len(text))
        text = text[:i] + insert + text[i + cut:]
    _check(text)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(range(len(_SAMPLES))), st.sampled_from(["", " "]), st.lists(
    st.tuples(st.floats(0, 1), st.integers(0, 60), st.sampled_from(_PIECES + [""])), max_size=8))
def test_mutated_bulletins_without_line_breaks_never_crash(which, joiner, edits):
    text = joiner.join(line.strip() for line in _SAMPLES[which].split("\n"))
    for where, cut, insert in edits:
        i = int(where * len(text))
        text = text[:i] + insert.replace("\n", joiner) + text[i + cut:]
    _check(text)
