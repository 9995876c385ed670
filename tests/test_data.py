"""Gold data as a user meets it: validated reading, grouped splits and folds, `datasets` views."""
import json

import pytest

from nlp.data import GoldError, grouped_folds, grouped_split, load_labelled, read_labelled, to_dataset_dict
from nlp.labels import LabelScheme

from paths import GOLD

SCHEME = LabelScheme.load()


@pytest.fixture(scope="module")
def seed():
    return read_labelled(GOLD, SCHEME)


def as_bulletins(records, width=10):
    """Pretend the seed is several bulletins: problems 1-10 are bulletin b0, 11-20 b1, ..."""
    return [{**r, "bulletin_id": f"b{(r['issue_no'] - 1) // width}"} for r in records]


def problem_of(r):
    return (r["bulletin_id"], r["issue_no"])


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


# --- datasets --------------------------------------------------------------------------

def test_dataset_dict_has_class_labels_of_the_scheme(seed):
    from datasets import ClassLabel

    dd = to_dataset_dict(seed, SCHEME)
    assert set(dd) == {"train", "test"}
    assert dd["train"].num_rows + dd["test"].num_rows == len(seed)
    for split in dd.values():
        for task in SCHEME.tasks.values():
            feat = split.features[task.name]
            assert isinstance(feat, ClassLabel)
            assert feat.names == task.labels
    # ids decode back to the gold labels, measure by measure
    by_key = {(r["bulletin_id"], r["issue_no"], r["measure_no"]): r for r in seed}
    for row in dd["test"]:
        gold = by_key[(row["bulletin_id"], row["issue_no"], row["measure_no"])]
        assert row["text"] == gold["text"]
        for task in SCHEME.task_names:
            assert dd["test"].features[task].int2str(row[task]) == gold[task]


def test_single_bulletin_split_keeps_each_problem_on_one_side(seed):
    dd = to_dataset_dict(seed, SCHEME, test_size=0.25, seed=3)
    train = {problem_of(r) for r in dd["train"]}
    test = {problem_of(r) for r in dd["test"]}
    assert train and test and not train & test
    assert 0.1 < dd["test"].num_rows / len(seed) < 0.4


def test_multi_bulletin_split_keeps_each_bulletin_on_one_side(seed):
    records = as_bulletins(seed)
    assert len({r["bulletin_id"] for r in records}) == 6
    dd = to_dataset_dict(records, SCHEME, test_size=0.3)
    train = {r["bulletin_id"] for r in dd["train"]}
    test = {r["bulletin_id"] for r in dd["test"]}
    assert train and test and not train & test


def test_split_is_reproducible_and_seeded(seed):
    assert grouped_split(seed, seed=1) == grouped_split(seed, seed=1)
    assert grouped_split(seed, seed=1) != grouped_split(seed, seed=2)


@pytest.mark.parametrize("multi", [False, True], ids=["problems", "bulletins"])
def test_folds_cover_every_measure_once_without_leaks(seed, multi):
    records = as_bulletins(seed) if multi else seed
    group = (lambda r: r["bulletin_id"]) if multi else problem_of
    folds = grouped_folds(records, 3)
    tested = sorted(i for _, test in folds for i in test)
    assert tested == list(range(len(records)))
    for train, test in folds:
        assert not {group(records[i]) for i in train} & {group(records[i]) for i in test}
        assert sorted(train + test) == list(range(len(records)))


def test_too_few_groups_is_an_error(seed):
    one_problem = [r for r in seed if r["issue_no"] == 4]
    with pytest.raises(GoldError):
        grouped_split(one_problem)
    with pytest.raises(GoldError, match="cannot make 5 folds"):
        grouped_folds(as_bulletins(seed, width=20), 5)


# --- reading gold files ----------------------------------------------------------------

BAD_LINES = {
    "bad JSON": (lambda r: None, "not valid JSON"),
    "missing field": (lambda r: {k: v for k, v in r.items() if k != "text"}, "missing field 'text'"),
    "missing label": (lambda r: {**r, "status": ""}, "missing label 'status'"),
    "unknown label": (lambda r: {**r, "domain": "finance"}, "unknown domain label 'finance'"),
}


@pytest.mark.parametrize("kind", list(BAD_LINES))
def test_read_labelled_names_file_and_line(seed, tmp_path, kind):
    change, message = BAD_LINES[kind]
    path = tmp_path / "gold.jsonl"
    lines = [json.dumps(r, ensure_ascii=False) for r in seed[:5]]
    bad = change(seed[2])
    lines[2] = '{"bulletin_id": "x", "issue_no": 1,' if bad is None else json.dumps(bad, ensure_ascii=False)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(GoldError) as err:
        read_labelled(path, SCHEME)
    assert f"{path}:3" in str(err.value)
    assert message in str(err.value)


def test_unlabelled_records_can_be_read_when_asked(seed, tmp_path):
    path = write_jsonl(tmp_path / "raw.jsonl", [{k: v for k, v in r.items() if k not in SCHEME.tasks} for r in seed])
    assert len(read_labelled(path, SCHEME, require_labels=False)) == len(seed)
    with pytest.raises(GoldError, match="missing label"):
        read_labelled(path, SCHEME)


def test_load_labelled_rejects_a_measure_in_two_files(seed, tmp_path):
    a = write_jsonl(tmp_path / "a.jsonl", seed[:10])
    b = write_jsonl(tmp_path / "b.jsonl", seed[9:20])
    with pytest.raises(GoldError) as err:
        load_labelled([a, b], SCHEME)
    assert "appears twice" in str(err.value) and str(b) in str(err.value) and str(a) in str(err.value)
    assert load_labelled([a, write_jsonl(tmp_path / "c.jsonl", seed[10:20])], SCHEME) == seed[:20]


def test_missing_and_empty_files(tmp_path):
    with pytest.raises(GoldError, match="no such file"):
        read_labelled(tmp_path / "nope.jsonl", SCHEME)
    (tmp_path / "empty.jsonl").write_text("\n", encoding="utf-8")
    with pytest.raises(GoldError, match="no records"):
        read_labelled(tmp_path / "empty.jsonl", SCHEME)
