"""A scheme whose tasks and labels have other names runs through summarize and compare.

Nothing in summaries, fact sheets, comparison tables, charts or the report may depend on
the default scheme's names (domain/status/done): only on the roles the scheme declares.
"""
import csv
import json

import pytest

from paths import GOLD, LAYOUTS, ROOT

TOPICS = {"party_building": "party", "economy": "growth", "safety": "hazards", "environment": "nature",
          "soe_governance": "firms", "other": "misc"}
PROGRESS = {"done": "finished", "ongoing": "underway", "planned": "later"}


@pytest.fixture(scope="module")
def renamed_model():
    from nlp.classifiers import build
    from nlp.labels import LabelScheme, default_scheme

    base = default_scheme().to_dict()["tasks"]
    scheme = LabelScheme.from_dict({"name": "renamed", "tasks": {
        "topic": {"role": "topic", "labels": [TOPICS[x] for x in base["domain"]["labels"]],
                  "cues": {TOPICS[k]: v for k, v in base["domain"]["cues"].items()},
                  "display": {"name": "主题", "labels": {"growth": "增长", "party": "党务", "hazards": "隐患",
                                                        "nature": "自然", "firms": "企业", "misc": "杂项"}}},
        "progress": {"role": "progress", "labels": [PROGRESS[x] for x in base["status"]["labels"]],
                     "cues": {PROGRESS[k]: v for k, v in base["status"]["cues"].items()},
                     "progress_labels": {"finished": "finished", "continuing": "underway", "future": "later"},
                     "display": {"name": "进度", "labels": {"finished": "办结", "underway": "在办", "later": "待办"}}}}})
    records = []
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        r["topic"], r["progress"] = TOPICS[r.pop("domain")], PROGRESS[r.pop("status")]
        records.append(r)
    return build("tfidf", scheme, {"calibrate": False}).fit(records)


def test_summarize_with_renamed_tasks_and_labels(renamed_model, seed_bulletin):
    from nlp.classify import classify_bulletin
    from nlp.summarize import summarize_bulletin, to_markdown

    rows = classify_bulletin(seed_bulletin, renamed_model)
    assert {"topic", "progress"} <= set(rows[0]) and "domain" not in rows[0]
    result = summarize_bulletin(seed_bulletin, rows, scheme=renamed_model.scheme)
    facts = result["facts"]
    assert facts["measures_finished"] == sum(r["progress"] == "finished" for r in rows)
    assert set(facts["by_topic_progress"]) == set(TOPICS.values())
    assert {t["label"] for t in result["topics"]} <= set(TOPICS.values())
    md = to_markdown(result)
    assert "| 主题 | 办结 | 在办 | 待办 |" in md and "## 按主题" in md and "“办结”的措施" in md
    ours = "\n".join(ln for ln in md.splitlines()  # the page's own words, not the bulletin's
                     if ln.startswith(("## ", "| ", "- **", "*")) and not ln.startswith("### "))
    assert "领域" not in ours and "已完成" not in ours and "domain" not in ours


def test_compare_with_renamed_tasks_and_labels(renamed_model, tmp_path):
    from nlp.compare import compare

    out = tmp_path / "cmp"
    result = compare([ROOT / "data" / "raw", LAYOUTS / "zhendui.txt"], out, renamed_model)
    with open(out / "bulletins.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert {"n_growth", "n_finished", "n_underway", "share_finished"} <= set(rows[0])
    assert not any(c in rows[0] for c in ("n_done", "n_economy", "share_done"))
    for r in rows:
        assert float(r["share_finished"]) == pytest.approx(int(r["n_finished"]) / int(r["measures"]), abs=1e-4)
    with open(out / "measures.csv", encoding="utf-8-sig", newline="") as f:
        assert {"topic", "progress"} <= set(next(csv.DictReader(f)))
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "按单位类型：进度" in page and "办结" in page and "增长" in page
    for default_name in ("已完成", "推进中", "完成情况", "领域", "经济发展"):  # the default scheme's display names
        assert f">{default_name}<" not in page and f"{default_name}构成" not in page
    assert 'title="done"' not in page and "n_done" not in page and 'title="economy"' not in page
    assert len(result["bulletins"]) == 2
