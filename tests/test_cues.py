"""The batch cue reader and wording features agree with the per-text definitions.

`cue_hits`, `cue_scores`, `status_scores`, `status_parts` and `status_features` read one
text at a time and are the specification; the models use their batch versions. Random
texts built from cue words, the words around vetoed cues, clause marks and filler must
get identical answers from both.
"""
import numpy as np
from hypothesis import example, given, settings, strategies as st

from nlp.classifiers.rules import (CueReading, cue_matcher, decide, is_status_task, status_parts, status_rule,
                                  status_scores)
from nlp.features import status_features, status_features_batch
from nlp.labels import LabelScheme
from nlp.lexicon import clauses, cue_hits, cue_scores

SCHEME = LabelScheme.load()
MATCHER = cue_matcher(SCHEME)
STATUS = SCHEME.tasks["status"]
CUES = sorted({c for t in SCHEME.tasks.values() for cl in t.cues.values() for c in cl})
PIECES = CUES + ["其", "纳入", "工作", "模", "经", "有", "定", "》", "等", "2", "3名", "年", "月", "、", " ", "\u3000",
                 "。", "；", ";", "，", ",", "！", "？", "\n", "的", "整改", "问题", "持续推进", "VOCs", "x",
                 "5", "1.5", "万", "元", "余", "约", "至", "个百分点", "平方米"]  # the figures zh.FIGURE reads
TEXTS = st.lists(st.lists(st.sampled_from(PIECES), max_size=14).map("".join), min_size=1, max_size=6)


def found_reference(text: str, task) -> set[str]:
    """The cues the TF-IDF model's indicators count as found (per text, as it was written)."""
    found = set()
    for clause in clauses(text) if is_status_task(task) else [text]:
        future = is_status_task(task) and bool(cue_hits(clause, task.cues.get("planned", [])))
        for label in task.labels:
            if future and label != "planned":
                continue
            found.update(cue_hits(clause, task.cues.get(label, [])))
    return found


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_batch_cue_reading_equals_the_per_text_reading(texts):
    reading = CueReading(MATCHER, SCHEME, texts)
    for task in SCHEME.tasks.values():
        scores = reading.scores(task)
        rows, cues = reading.found(task)
        for i, text in enumerate(texts):
            want = status_scores(text, task) if is_status_task(task) else cue_scores(text, task)
            assert scores[i].tolist() == [want[label] for label in task.labels], (text, task.name)
            assert {MATCHER.cues[j] for j in cues[rows == i]} == found_reference(text, task), text
    parts = reading.parts(STATUS)
    for i, text in enumerate(texts):
        assert parts[i].tolist() == status_parts(text, STATUS), text


@settings(max_examples=200, deadline=None)
@given(TEXTS)
@example(["罚款5万", "整改1.5万元", "x5万"])  # a bare 万 that ends a text is a figure in the batch too
def test_batch_wording_features_equal_the_per_text_ones(texts):
    assert status_features_batch(texts).tolist() == [status_features(t) for t in texts]


def test_cue_hits_veto_context_is_the_clause():
    """将 is no cue before 纳入 within 20 characters, but a clause mark ends that context."""
    text = "将相关问题纳入考核，将于年底前完成"
    reading = CueReading(MATCHER, SCHEME, [text])
    planned = STATUS.index("planned")
    assert reading.scores(STATUS)[0, planned] == status_scores(text, STATUS)["planned"] > 0
    assert cue_hits("将相关问题纳入考核", ["将"]) == []


@given(st.lists(st.tuples(*[st.sampled_from([0.0, 0.75, 1.0, 2.5])] * 3), min_size=1, max_size=20))
def test_batch_status_decision_follows_status_rule(rows):
    scores = np.array(rows)
    want = [status_rule(dict(zip(STATUS.labels, r))) for r in rows]
    assert [STATUS.labels[k] for k in decide(STATUS, scores)] == want
