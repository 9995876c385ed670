"""Summaries: sentence splitting, length limits, source order, the fact sheet, references, the seq2seq path."""
import json

import pytest
from hypothesis import given, settings, strategies as st

from nlp.facts import fact_sheet, find_deadlines, find_figures
from nlp.records import measure_rows
from nlp.sentences import protected_spans, split_sentences
from nlp.summarize import (Length, boilerplate, bulletin_sentences, is_fragment, lead, select, similarity,
                           summarize_bulletin, unit_sentences)

from paths import GOLD, LAYOUTS, ROOT, SEED, STRESS



@pytest.fixture
def bulletin_main():
    from nlp import cli
    return cli.main


@pytest.fixture(scope="module")
def gold_rows(seed_bulletin):
    gold = {(r["issue_no"], r["measure_no"]): r for r in map(json.loads, GOLD.read_text(encoding="utf-8").splitlines())}
    return [{**r, "domain": gold[(r["issue_no"], r["measure_no"])]["domain"],
             "status": gold[(r["issue_no"], r["measure_no"])]["status"]} for r in measure_rows(seed_bulletin)]


# --- sentences -------------------------------------------------------------------

def test_splitter_keeps_quotes_titles_and_brackets_whole():
    text = "将“当下改。长久立”紧密结合。印发《关于A。B的通知》。村（社区。居委会）每月自查！还要继续吗？"
    assert [s.text for s in split_sentences(text)] == [
        "将“当下改。长久立”紧密结合。", "印发《关于A。B的通知》。", "村（社区。居委会）每月自查！", "还要继续吗？"]


def test_splitter_ends_after_a_quoted_sentence_and_ignores_stray_brackets():
    assert [s.text for s in split_sentences("他说：“已完成。”然后离开。")] == ["他说：“已完成。”", "然后离开。"]
    # an unclosed “ must not swallow the rest of the paragraph
    assert [s.text for s in split_sentences("未闭合“引号。后面一句。")] == ["未闭合“引号。", "后面一句。"]
    # decimals and list numbers are not sentence ends; a line break always is
    assert [s.text for s in split_sentences("收入38.35亿元。1.关于\n第二段")] == ["收入38.35亿元。", "1.关于", "第二段"]


def test_splitter_offsets_point_into_the_text():
    text = "  第一句。\n（1）第二句。含“引号。”\n第三句"
    sents = split_sentences(text, offset=100)
    assert [s.index for s in sents] == [0, 0, 1, 0]
    for s in sents:
        assert text[s.start - 100:s.end - 100] == s.text


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="甲乙丙。！？；“”《》（）()\n ", max_size=60))
def test_splitter_loses_nothing_and_never_cuts_inside_a_pair(text):
    sents = split_sentences(text)
    assert "".join("".join(s.text.split()) for s in sents) == "".join(text.split())
    for para in text.split("\n"):
        spans = protected_spans(para)
        for s in split_sentences(para):
            assert all(not (a < s.end <= b) for a, b in spans)  # no cut between a pair's marks


# --- summaries -------------------------------------------------------------------

def _all_units(result):
    yield result["bulletin"]
    yield from result["topics"]
    yield from result["issues"]


def _sources(bulletin, rows, result):
    """(unit, its source sentences) for every summary of a result."""
    yield result["bulletin"], unit_sentences(bulletin, rows, "bulletin")
    for t in result["topics"]:
        yield t, unit_sentences(bulletin, rows, "topic", t["label"], "domain")
    for i in result["issues"]:
        yield i, unit_sentences(bulletin, rows, "issue", i["issue_no"])


@pytest.mark.parametrize("length", [Length(1, None), Length(3, None), Length(None, 120), Length(None, 300)])
def test_summaries_respect_length_keep_order_and_whole_sentences(seed_bulletin, gold_rows, length):
    result = summarize_bulletin(seed_bulletin, gold_rows, length)
    assert len(result["topics"]) == 6 and len(result["issues"]) == 56
    for unit, source in _sources(seed_bulletin, gold_rows, result):
        sents = unit["sentences"]
        if length.sentences:
            assert 1 <= len(sents) <= length.sentences
        if length.chars:
            assert sum(len(s["text"]) for s in sents) <= length.chars
        starts = [s["start"] for s in sents]
        assert starts == sorted(starts)  # source order
        whole = {(x.start, x.end) for x in source}
        for s in sents:  # sentences of the bulletin exactly as the splitter cut them, at their offsets
            assert (s["start"], s["end"]) in whole
            assert seed_bulletin.text[s["start"]:s["end"]] == s["text"]


def test_a_sentence_longer_than_the_budget_is_left_out_not_cut(seed_bulletin, gold_rows):
    sents = unit_sentences(seed_bulletin, gold_rows, "issue", 20)
    shortest = min(len(s.text) for s in sents)
    assert select(sents, Length(None, shortest - 1)) == []
    assert [len(s.text) for s in select(sents, Length(None, shortest))] == [shortest]


def test_lead_baseline_takes_the_first_sentences(seed_bulletin, gold_rows):
    sents = bulletin_sentences(seed_bulletin, gold_rows)
    assert sents[0].text.startswith("根据苏州市委统一部署")  # the title and date line are not prose
    assert lead(sents, Length(2, None)) == sents[:2]


def test_summaries_group_by_domain_and_issue(seed_bulletin, gold_rows):
    result = summarize_bulletin(seed_bulletin, gold_rows, Length(2, None), levels=("topic", "issue"))
    assert "bulletin" not in result
    by = {d["label"]: d for d in result["topics"]}
    assert by["environment"]["name"] == "生态环境"
    assert by["environment"]["measures"] == 7 and by["party_building"]["measures"] == 45
    env_text = " ".join(r["text"] for r in gold_rows if r["domain"] == "environment")
    assert all(s["text"] in env_text for s in by["environment"]["sentences"])
    issue20 = result["issues"][19]
    assert issue20["issue_no"] == 20 and issue20["topic"] == "safety"
    assert all(s["text"] in seed_bulletin.issues[19].measures[0].text + "".join(m.text for m in seed_bulletin.issues[19].measures)
               for s in issue20["sentences"])


# --- fact sheet ------------------------------------------------------------------

def test_fact_sheet_counts_and_share_done(seed_bulletin, gold_rows):
    facts = fact_sheet(seed_bulletin, gold_rows)
    assert facts["measures"] == 141 and facts["problems"] == 56
    assert list(facts)[:7] == ["bulletin_id", "title", "issuer", "inspector", "dates", "problems", "measures"]
    assert facts["issuer"] == "中共常熟经济技术开发区工作委员会" and facts["dates"]["published"] == "2024-05-11"
    assert sum(sum(c.values()) for c in facts["by_topic_progress"].values()) == 141
    assert facts["by_topic_progress"]["party_building"]["planned"] == 2
    assert facts["share_finished"] == round(54 / 141, 4) and facts["measures_finished"] == 54
    assert facts["share_finished_by_topic"]["environment"] == round(3 / 7, 4)
    assert facts["topic"]["name"] == "领域" and facts["progress"]["labels"]["done"] == "已完成"


def test_fact_sheet_ties_figures_to_their_measure(seed_bulletin, gold_rows):
    figs = fact_sheet(seed_bulletin, gold_rows)["figures"]
    where = lambda text: {(f["issue_no"], f["measure_no"]) for f in figs if f["text"] == text}  # noqa: E731
    assert where("38.35亿元") == {(2, 1), (25, 1)}
    assert where("199.54万元") == {(40, 4)}
    assert where("287亩") == {(14, 2)}
    assert where("约14万㎡") == {(28, 2)}
    assert where("89.63%") == {(8, 2)}
    assert where("1.68个百分点") == {(25, 1)}
    f = next(f for f in figs if f["text"] == "约14万㎡")
    assert f["kind"] == "area" and f["value"] == 14 and f["approx"] and "老旧载体改造" in f["context"]


def test_figures_kinds_ranks_and_ranges():
    figs = {f["text"]: f for f in find_figures("排名提升至58名，新增企业120 家，配置2-3名人员，处罚金额1.48万。完成89%，共计211处")}
    assert figs["58名"]["kind"] == "rank"
    assert figs["120 家"]["value"] == 120 and figs["120 家"]["kind"] == "count"
    assert figs["2-3名"]["value"] == 3 and figs["2-3名"]["approx"]
    assert figs["1.48万"]["kind"] == "amount" and figs["89%"]["kind"] == "percent"
    assert figs["共计211处"]["value"] == 211
    assert find_figures("2023年3月，第一议题") == []  # dates and ordinals are not figures


def test_fact_sheet_lists_future_deadlines_with_their_measure(seed_bulletin, gold_rows):
    facts = fact_sheet(seed_bulletin, gold_rows)
    assert facts["reference_date"] == "2024-05-11"
    got = {(d["issue_no"], d["measure_no"], d["text"], d["due"]) for d in facts["deadlines"] if d["issue_no"]}
    assert (6, 3, "2024年三季度", "2024-09-30") in got  # 计划2024年三季度开工
    assert (40, 1, "2025年", "2025-12-31") in got  # 2025年全面达到指导价
    assert (54, 1, "2024年上半年", "2024-06-30") in got  # 预计2024年上半年完成
    assert (54, 1, "三年内", "2027-05-11") in got
    assert (8, 4, "近期", None) in got  # 将于近期完成竣工验收
    texts = {d["text"] for d in facts["deadlines"]}
    assert "2024年1月" not in texts and "2024年" not in texts  # past dates, this year's results


@pytest.mark.parametrize("text,expected", [
    ("力争年底前全部完成。", [("年底前", "2024-12-31")]),
    ("将于2024年6月底前完成。", [("2024年6月底前", "2024-06-30")]),
    ("2024年上半年审结案件68件。", []),  # a period that has begun, reported as a result
    ("制定《实施方案（2024—2025年）》。", []),  # a date inside a document title
    ("对临近期限的案件每周通报。", []),
    ("制订2024年内审工作计划。", []),  # 内审 is internal audit, not 年内
])
def test_deadline_cases(text, expected):
    from datetime import date
    assert [(d["text"], d["due"]) for d in find_deadlines(text, date(2024, 5, 11))] == expected


# --- reference summaries ------------------------------------------------------------

def test_reference_summaries_are_complete_and_within_length(seed_bulletin, gold_rows):
    from nlp.parse import parse_file

    refs = [json.loads(x) for x in (ROOT / "data" / "gold" / "summaries.jsonl").read_text(encoding="utf-8").splitlines()]
    seed = [r for r in refs if r["bulletin_id"] == seed_bulletin.bulletin_id]
    levels = [r["level"] for r in seed]
    assert levels.count("bulletin") == 1 and levels.count("topic") == 6 and levels.count("issue") >= 12
    assert {r["key"] for r in seed if r["level"] == "topic"} == {r["domain"] for r in gold_rows}
    assert {r["key"] for r in seed if r["level"] == "issue"} <= {i.no for i in seed_bulletin.issues}
    others = {r["source"] for r in refs if r["bulletin_id"] != seed_bulletin.bulletin_id}
    assert len(others) >= 10 and all(s.startswith("tests/fixtures/") for s in others)  # never data/dev
    for r in refs:
        assert r["written_by"] == "hand" and (ROOT / r["source"]).exists()
        lo, hi = (40, 120) if r["level"] == "issue" else (80, 250)
        assert lo <= len(r["reference"]) <= hi, r
        if r["level"] == "issue":
            assert r["key"] <= len(parse_file(ROOT / r["source"]).issues)


# --- command line ----------------------------------------------------------------

def test_cli_summarize_json_respects_sentences(bulletin_main, tmp_path):
    out = tmp_path / "s.json"
    assert bulletin_main(["summarize", str(SEED), "--sentences", "2", "--format", "json",
                          "--out", str(out), "--model", "rules"]) == 0
    res = json.loads(out.read_text(encoding="utf-8"))
    assert res["bulletin_id"] == "000_f74bace5e6783c83"
    assert all(len(u["sentences"]) <= 2 for u in _all_units(res))
    assert res["facts"]["measures"] == 141 and res["facts"]["figures"]


def test_cli_summarize_md_chars_and_level(bulletin_main, tmp_path):
    out = tmp_path / "s.md"
    assert bulletin_main(["summarize", str(LAYOUTS / "zhendui.txt"), "--chars", "80", "--level", "issue",
                          "--out", str(out), "--model", "rules"]) == 0
    md = out.read_text(encoding="utf-8")
    assert "## 按问题" in md and "## 事实" in md and "## 按领域" not in md


@pytest.mark.parametrize("argv", [["--sentences", "0"], ["--sentences", "2", "--chars", "80"]])
def test_cli_summarize_rejects_bad_lengths(bulletin_main, argv):
    with pytest.raises(SystemExit) as exc:
        bulletin_main(["summarize", str(SEED), "--model", "rules", *argv])
    assert exc.value.code == 2


def test_cli_summarize_unknown_seq2seq_model_is_a_one_line_error(bulletin_main, tmp_path, capsys):
    assert bulletin_main(["summarize", str(SEED), "--model", "rules", "--abstractive", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert "cannot load seq2seq model" in err and len(err.strip().splitlines()) == 1


# --- what a summary says --------------------------------------------------------------

def test_seed_summary_skips_boilerplate_fragments_and_repeats(seed_bulletin, gold_rows):
    result = summarize_bulletin(seed_bulletin, gold_rows)
    chosen = [s["text"] for s in result["bulletin"]["sentences"]]
    assert len(chosen) == 5
    assert not any(boilerplate(t) >= 0.5 for t in chosen), chosen  # 成立领导小组, 深入贯彻…重要论述 …
    assert "56个问题" in result["bulletin"]["headline"] and "141项" in result["bulletin"]["headline"]
    for unit in _all_units(result):
        texts = [s["text"] for s in unit["sentences"]]
        assert len(set(texts)) == len(texts)  # never the same sentence twice
        assert not any(is_fragment(t) for t in texts) or all(is_fragment(t) for t in texts), texts
    assert boilerplate("成立整改工作领导小组，专题研究巡察整改落实工作。") >= 0.5
    assert boilerplate("2023年完成一般预算收入38.35亿元，同比增长20.4%。") < 0.2
    assert is_fragment("加强监管。") and not is_fragment("对排查出的14件信访积案逐件明确包案领导和化解时限。")


def test_duplicate_sentences_are_said_once():
    from nlp.sentences import Sentence

    sents = [Sentence("严格落实党组会议第一议题制度，全年集体学习12次。", 0, 25, 0),
             Sentence("严格落实党组会议第一议题制度，全年集体学习12次。", 30, 55, 0),
             Sentence("清理欠缴土地出让金2860万元，对2名干部诫勉谈话。", 60, 85, 0)]
    picked = [s.text for s in select(sents, Length(3, None))]
    assert len(picked) == len(set(picked)) == 2


@pytest.mark.parametrize("path", sorted(LAYOUTS.glob("*.txt")) + sorted(STRESS.glob("*.txt"))
                         + [LAYOUTS / "page.html"], ids=lambda p: p.name)
def test_sentence_offsets_point_into_the_bulletin(path):
    from nlp.classifiers import load_model
    from nlp.classify import classify_bulletin
    from nlp.parse import parse_file
    from nlp.source import SourceError

    try:
        b = parse_file(path)
    except SourceError:
        pytest.skip("not a bulletin")
    rows = classify_bulletin(b, load_model("rules"))
    result = summarize_bulletin(b, rows)
    for unit in _all_units(result):
        for s in unit["sentences"]:
            assert b.text[s["start"]:s["end"]] == s["text"]


def test_windowed_similarity_matches_the_dense_one_near_the_diagonal():
    import numpy as np

    texts = [f"整改措施第{i}项落实{'监督检查' if i % 3 else '制度建设'}工作" for i in range(60)]
    dense = similarity(texts).toarray()
    windowed = similarity(texts, window=5).toarray()
    i, j = np.indices(dense.shape)
    near = np.abs(i - j) <= 5
    assert np.allclose(windowed[near], dense[near]) and not windowed[~near].any()


def test_markdown_escapes_html_from_the_bulletin(tmp_path, bulletin_main):
    text = (LAYOUTS / "zhendui.txt").read_text(encoding="utf-8").replace(
        "一是制定《石门县养老服务体系建设三年行动计划》", "一是制定<script>alert(1)</script>《石门县养老服务体系建设三年行动计划》")
    src = tmp_path / "x.txt"
    src.write_text(text, encoding="utf-8")
    out = tmp_path / "x.md"
    assert bulletin_main(["summarize", str(src), "--out", str(out), "--model", "rules"]) == 0
    md = out.read_text(encoding="utf-8")
    assert "<script>" not in md and "&lt;script&gt;" in md


def test_past_acts_are_not_deadlines_when_the_bulletin_has_no_publication_date():
    from datetime import date

    from nlp.facts import reference_date_and_source

    # totals_opening has no publication line: its own latest date (signed 2024-07-05) is the reference
    from nlp.parse import parse_file
    b = parse_file(LAYOUTS / "totals_opening.txt")
    ref, src = reference_date_and_source(b.dates, b.text)
    assert ref is not None and ref >= date(2024, 6, 30) and src in ("signed", "dates", "text")
    assert find_deadlines("已于2023年底前完成整改。", None) == []
    assert [d["text"] for d in find_deadlines("计划2025年底前完成。", None)] == ["2025年底前"]


# --- abstractive backend with a tiny local seq2seq model ----------------------------

@pytest.fixture(scope="session")
def tiny_seq2seq(tmp_path_factory):
    """A randomly initialised 1-layer BART and a character tokenizer built from the seed."""
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, processors
    from transformers import BartConfig, BartForConditionalGeneration, PreTrainedTokenizerFast

    chars = sorted({c for p in [SEED, *LAYOUTS.glob("*.txt")] for c in p.read_text(encoding="utf-8")} - set(" \n\t\u3000"))
    vocab = {t: i for i, t in enumerate(["<pad>", "<s>", "</s>", "<unk>", *chars])}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Split(Regex(r"\S"), behavior="isolated")
    tok.post_processor = processors.TemplateProcessing(single="<s> $A </s>", special_tokens=[("<s>", 1), ("</s>", 2)])
    tok.decoder = decoders.Fuse()
    path = tmp_path_factory.mktemp("tiny_bart")
    PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", pad_token="<pad>",
                            unk_token="<unk>").save_pretrained(path)
    config = BartConfig(vocab_size=len(vocab), d_model=16, encoder_layers=1, decoder_layers=1,
                        encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=32, decoder_ffn_dim=32,
                        max_position_embeddings=600, pad_token_id=0, bos_token_id=1, eos_token_id=2,
                        decoder_start_token_id=2, forced_eos_token_id=2)
    BartForConditionalGeneration(config).save_pretrained(path)
    return path


@pytest.mark.slow
@pytest.mark.torch
def test_abstractive_path_returns_a_string_per_unit(bulletin_main, tiny_seq2seq, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    out = tmp_path / "a.json"
    assert bulletin_main(["summarize", str(LAYOUTS / "zhendui.txt"), "--model", "rules", "--format", "json",
                          "--abstractive", str(tiny_seq2seq), "--max-new-tokens", "6", "--out", str(out)]) == 0
    res = json.loads(out.read_text(encoding="utf-8"))
    assert res["abstractive_model"] == str(tiny_seq2seq)
    units = list(_all_units(res))
    assert len(units) == 1 + len(res["topics"]) + 5
    assert all(isinstance(u["abstractive"], str) for u in units)
