"""Bulletin context as evidence: reported status, dates against publication, unit type, priors."""
import numpy as np

from nlp.context import context_features, dated_parts, forbids_continuing, reported_kind
from nlp.labels import LabelScheme
from nlp.priors import adapt_by_group, adapt_priors

PROGRESS = LabelScheme.load().progress


def test_reported_status_lines_and_headings_are_read():
    assert reported_kind("整改状态：已完成") == "finished"
    assert reported_kind("已整改完成") == "finished"
    assert reported_kind("已完成，长期坚持") == "continuing"
    assert reported_kind("正在整改") == "continuing"
    assert reported_kind("未到整改时限") == "future"
    assert reported_kind(None) is None


def test_dates_are_compared_with_the_publication_month():
    assert dated_parts("2024年3月修订《办法》；2023年完成验收", "2024-05-11") == (2, 0)
    assert dated_parts("计划于2024年12月底前完成", "2024-05-11") == (0, 1)
    assert dated_parts("2024年完成", "2024-05-11") == (0, 0)  # the publication year alone says nothing
    assert dated_parts("2024年3月修订", None) == (0, 0)


def test_finished_problem_or_past_dated_acts_forbid_ongoing_without_a_continuing_part():
    # invented measures
    finished = {"text": "加强药品耗材采购管理，开展专项检查2次，清退不合规供应商3家。", "reported_status": "整改状态：已完成"}
    dated = {"text": "2024年3月修订《科普项目管理办法》，共受理申报42件，均按期办结。", "published": "2024-06-20"}
    standing = {"text": "2024年3月修订《科普项目管理办法》，每季度开展一次抽查。", "published": "2024-06-20"}
    future_part = {"text": "完成12家站点改造，其余站点计划于2025年6月前完成。", "reported_status": "已完成"}
    unreported = {"text": "加强药品耗材采购管理，开展专项检查2次。"}
    assert forbids_continuing(finished, PROGRESS)
    assert forbids_continuing(dated, PROGRESS)
    assert not forbids_continuing(standing, PROGRESS)
    assert not forbids_continuing(future_part, PROGRESS)
    assert not forbids_continuing(unreported, PROGRESS)


def test_context_features_are_all_zero_without_context():
    assert sum(context_features({"text": "开展检查。"})) == 0
    f = context_features({"text": "2023年5月完成。", "unit_type": "hospital", "reported_status": "已完成",
                          "published": "2024-01-02"})
    assert sum(f) == 4  # unit, reported, dated before, all dates before


def test_prior_adaptation_moves_a_finished_report_towards_done():
    train_prior = np.array([0.3, 0.6, 0.1])  # done, ongoing, planned: the seed's mix
    rng = np.random.default_rng(0)
    probs = rng.dirichlet([6, 3, 0.5], size=40)  # a bulletin where most measures look done
    adapted = adapt_priors(probs, train_prior, strength=0.5)
    assert np.allclose(adapted.sum(axis=1), 1)
    assert (adapted.argmax(1) == 0).sum() >= (probs.argmax(1) == 0).sum()
    assert adapted[:, 0].mean() > probs[:, 0].mean()
    small = adapt_by_group(probs[:3], ["b"] * 3, train_prior, min_n=8)
    assert np.array_equal(small, probs[:3])  # too few measures to estimate a prior: unchanged
    unknown = adapt_by_group(probs, [None] * len(probs), train_prior, min_n=8)
    assert np.array_equal(unknown, probs)  # measures of no known bulletin: nothing to adapt to
    assert not np.array_equal(adapt_by_group(probs, ["b"] * len(probs), train_prior, min_n=8), probs)
