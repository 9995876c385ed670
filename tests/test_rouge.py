"""ROUGE against hand-computed values, and the summary evaluation harness."""
import json

import pytest

from nlp.rouge import lcs_length, mean_scores, rouge, tokenize
from nlp.summary_eval import SummaryEvalError, evaluate_summaries, format_summary_report, main, read_references

from paths import ROOT

REFS = ROOT / "data" / "gold" / "summaries.jsonl"


def _approx(scores, expected):
    for metric, (p, r, f) in expected.items():
        assert scores[metric]["p"] == pytest.approx(p, abs=1e-4), metric
        assert scores[metric]["r"] == pytest.approx(r, abs=1e-4), metric
        assert scores[metric]["f"] == pytest.approx(f, abs=1e-4), metric


def test_half_overlap():
    # 我爱北京 vs 我爱上海: unigrams 2/4; bigrams 我爱 1/3; LCS 我爱 = 2
    _approx(rouge("我爱北京", "我爱上海"), {"rouge1": (0.5, 0.5, 0.5), "rouge2": (1 / 3, 1 / 3, 1 / 3),
                                         "rougeL": (0.5, 0.5, 0.5)})


def test_unequal_lengths():
    # cand 今天天气很好 (6 chars, bigrams 今天 天天 天气 气很 很好), ref 天气好 (3 chars, bigrams 天气 气好)
    # overlap 3 -> P 3/6, R 3/3, F 2/3; R-2: overlap 1 -> P 1/5, R 1/2, F 2/7; LCS 天气好 = 3
    _approx(rouge("今天天气很好", "天气好"), {"rouge1": (0.5, 1.0, 2 / 3), "rouge2": (0.2, 0.5, 2 / 7),
                                          "rougeL": (0.5, 1.0, 2 / 3)})


def test_counts_are_clipped_and_order_matters_for_lcs():
    _approx(rouge("的的的", "的"), {"rouge1": (1 / 3, 1.0, 0.5), "rouge2": (0.0, 0.0, 0.0)})
    # same characters reversed: full unigram overlap, no bigram, LCS of 1
    _approx(rouge("甲乙丙丁", "丁丙乙甲"), {"rouge1": (1, 1, 1), "rouge2": (0, 0, 0), "rougeL": (0.25, 0.25, 0.25)})


def test_punctuation_and_space_are_not_tokens():
    assert tokenize("我， 爱。“北京”") == ["我", "爱", "北", "京"]
    _approx(rouge("我，爱。", "我爱"), {"rouge1": (1, 1, 1), "rouge2": (1, 1, 1), "rougeL": (1, 1, 1)})


def test_empty_candidate_scores_zero():
    assert rouge("", "我爱北京")["rouge1"] == {"p": 0.0, "r": 0.0, "f": 0.0}


def test_lcs_length():
    assert lcs_length(list("ABCBDAB"), list("BDCABA")) == 4
    assert lcs_length([], list("abc")) == 0


def test_word_level_uses_jieba():
    # jieba: 我/爱/北京/天安门 vs 我/爱/北京 -> R-1 P 3/4, R 1; R-2 2/3 bigrams of the candidate
    s = rouge("我爱北京天安门", "我爱北京", word_level=True)
    assert tokenize("我爱北京天安门", word_level=True) == ["我", "爱", "北京", "天安门"]
    _approx(s, {"rouge1": (0.75, 1.0, 6 / 7), "rouge2": (2 / 3, 1.0, 0.8), "rougeL": (0.75, 1.0, 6 / 7)})


def test_mean_is_a_macro_average():
    a, b = rouge("我爱北京", "我爱北京"), rouge("甲", "乙")
    assert mean_scores([a, b])["rouge1"]["f"] == pytest.approx(0.5)


# --- the harness -------------------------------------------------------------------

@pytest.fixture(scope="module")
def report():
    return evaluate_summaries(REFS)


def test_harness_reports_summariser_beside_lead(report):
    refs = read_references(REFS)
    assert report["n_references"] == len(refs) and report["labels"] == "gold"
    for setting in ("sentences", "chars"):
        res = report["results"][setting]
        assert res["bulletin"]["n"] >= 13 and res["topic"]["n"] == 6 and res["issue"]["n"] >= 21
        assert res["all"]["n"] == len(refs)
        for system in ("summary", "textrank", "lead"):
            for m in ("rouge1", "rouge2", "rougeL"):
                assert 0.05 < res["all"][system][m]["f"] < 0.95
    md = format_summary_report(report)
    assert "| **all** |" in md and "lead" in md and "textrank" in md and "| summary |" in md


def test_summariser_is_at_or_above_lead_at_every_level(report):
    """The README's claim: on the hand-written references the default summariser scores at
    least lead-N's character ROUGE-1 F at every level and both length settings."""
    for setting, levels in report["results"].items():
        for level, res in levels.items():
            assert res["summary"]["rouge1"]["f"] >= res["lead"]["rouge1"]["f"] - 1e-9, (setting, level)


def test_harness_main_writes_the_report_files(tmp_path):
    assert main(["--refs", str(REFS), "--out", str(tmp_path)]) == 0
    data = json.loads((tmp_path / "summaries.json").read_text(encoding="utf-8"))
    assert set(data["results"]) == {"sentences", "chars"}
    assert (tmp_path / "summaries.md").read_text(encoding="utf-8").startswith("# Summaries")


def test_harness_rejects_bad_references(tmp_path):
    bad = tmp_path / "refs.jsonl"
    bad.write_text(json.dumps({"bulletin_id": "x", "level": "chapter", "reference": "…"}) + "\n", encoding="utf-8")
    with pytest.raises(SummaryEvalError, match="level"):
        read_references(bad)


def test_old_domain_level_is_read_as_topic(tmp_path):
    old = tmp_path / "refs.jsonl"
    old.write_text(json.dumps({"bulletin_id": "x", "level": "domain", "key": "economy", "reference": "经济"}) + "\n",
                   encoding="utf-8")
    assert read_references(old)[0]["level"] == "topic"
