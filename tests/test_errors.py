"""One error path: every failure a user can cause, in every sub-command, is one line on
stderr and exit status 2 (arguments, model, gold, sheet) or 1 (some inputs failed), never a
traceback; and an output that names an input never destroys it.

Each case runs `bulletin ...` through nlp.cli.main, as the console script does.
"""
import json
import shutil

import numpy as np
import pytest

from nlp.cli import main

from paths import GOLD, LAYOUTS, ROOT, SEED


@pytest.fixture(scope="module")
def w(tmp_path_factory):
    """A folder of hostile and careless inputs, made once."""
    d = tmp_path_factory.mktemp("hostile")
    shutil.copy(SEED, d / "seed.txt")
    (d / "a_folder").mkdir()
    (d / "sheet_folder.csv").mkdir()
    (d / "a_file").write_text("x", encoding="utf-8")
    gold = [json.loads(x) for x in GOLD.read_text(encoding="utf-8").splitlines()][:40]
    (d / "gold.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in gold), encoding="utf-8")
    for name, field, value in (("abc", "issue_no", "abc"), ("frac", "issue_no", 1.7), ("zero", "measure_no", 0)):
        bad = [dict(r) for r in gold]
        bad[3][field] = value
        (d / f"gold_{name}.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in bad),
                                              encoding="utf-8")
    # damaged model folders: a card that is a list, a card missing its keys, arrays of the wrong shape
    (d / "m_list").mkdir()
    (d / "m_list" / "model.json").write_text("[1, 2]", encoding="utf-8")
    (d / "m_keys").mkdir()
    (d / "m_keys" / "model.json").write_text('{"kind": "tfidf"}', encoding="utf-8")
    shutil.copytree(ROOT / "models" / "default", d / "m_shape")
    arrays = dict(np.load(d / "m_shape" / "weights.npz"))
    idf = next(k for k in sorted(arrays) if k.startswith("idf"))
    arrays[idf] = arrays[idf][:1]  # a vocabulary of thousands, one idf weight
    np.savez(d / "m_shape" / "weights.npz", **arrays)
    (d / "bad.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    return d


def _sub(w, args):
    return [str(w / a[2:]) if isinstance(a, str) and a.startswith("@/") else str(a) for a in args]


# (sub-command arguments, exit status, words the one line must contain, or a tuple of alternatives).
# "@/x" is a path in the fixture folder.
CASES = {
    # parse
    "parse --out onto a folder": (["parse", "@/seed.txt", "--out", "@/a_folder"], 2, "is a folder"),
    "parse --out under a file": (["parse", "@/seed.txt", "--out", "@/a_file/p.json"], 2, "is a file, not a folder"),
    "parse --out is the input": (["parse", "@/seed.txt", "--out", "@/seed.txt"], 2, "is one of the inputs"),
    "parse bad --format": (["parse", "@/seed.txt", "--format", "xml"], 2, "invalid choice"),
    "parse nothing in a folder": (["parse", "@/a_folder"], 2, "no bulletin files"),
    # classify
    "classify --out onto a folder": (["classify", "@/seed.txt", "--out", "@/a_folder"], 2, ".jsonl or .csv"),
    "classify --out under a file": (["classify", "@/seed.txt", "--out", "@/a_file/r.jsonl"], 2, "is a file"),
    "classify --jobs 0": (["classify", "@/seed.txt", "--out", "@/r.jsonl", "--jobs", "0"], 2, "positive"),
    "classify model folder missing": (["classify", "@/seed.txt", "--out", "@/r.jsonl", "--model", "@/nope"], 2,
                                      "not a saved model"),
    "classify card is a list": (["classify", "@/seed.txt", "--out", "@/r.jsonl", "--model", "@/m_list"], 2,
                                "not a model card"),
    "classify card missing keys": (["classify", "@/seed.txt", "--out", "@/r.jsonl", "--model", "@/m_keys"], 2,
                                   "m_keys"),
    "classify arrays of the wrong shape": (["classify", "@/seed.txt", "--out", "@/r.jsonl", "--model", "@/m_shape"],
                                           2, ("damaged", "does not match")),
    # train
    "train gold missing": (["train", "--gold", "@/nope.jsonl", "--kind", "rules", "--out", "@/m1"], 2, "no such file"),
    "train gold a folder": (["train", "--gold", "@/a_folder", "--kind", "rules", "--out", "@/m1"], 2, "is a folder"),
    "train issue_no abc": (["train", "--gold", "@/gold_abc.jsonl", "--kind", "rules", "--out", "@/m1"], 2,
                           "'issue_no' must be a whole number"),
    "train --out onto a file": (["train", "--gold", "@/gold.jsonl", "--kind", "rules", "--out", "@/a_file"], 2,
                                "exists and is not a folder"),
    "train bad --kind": (["train", "--gold", "@/gold.jsonl", "--kind", "magic", "--out", "@/m1"], 2, "invalid choice"),
    # eval
    "eval issue_no abc": (["eval", "--gold", "@/gold_abc.jsonl", "--model", "rules"], 2, "gold_abc.jsonl:4"),
    "eval issue_no 1.7": (["eval", "--gold", "@/gold_frac.jsonl", "--model", "rules"], 2, "(got 1.7)"),
    "eval measure_no 0": (["eval", "--gold", "@/gold_zero.jsonl", "--model", "rules"], 2, "whole number >= 1"),
    "eval gold a folder": (["eval", "--gold", "@/a_folder", "--model", "rules"], 2, "is a folder"),
    "eval --cv 1": (["eval", "--gold", "@/gold.jsonl", "--cv", "1"], 2, "at least 2 folds"),
    "eval --cv 0": (["eval", "--gold", "@/gold.jsonl", "--cv", "0"], 2, "at least 2 folds"),
    "eval --models ,": (["eval", "--gold", "@/gold.jsonl", "--cv", "2", "--models", ","], 2, "--models"),
    "eval --bootstrap -5": (["eval", "--gold", "@/gold.jsonl", "--bootstrap", "-5"], 2, "0 or more"),
    "eval --json is the gold": (["eval", "--gold", "@/gold.jsonl", "--model", "rules", "--json", "@/gold.jsonl"], 2,
                                "is one of the inputs"),
    "eval --errors is the gold": (["eval", "--gold", "@/gold.jsonl", "--model", "rules", "--errors",
                                   "@/gold.jsonl"], 2, "is one of the inputs"),
    "eval damaged model": (["eval", "--gold", "@/gold.jsonl", "--model", "@/m_list"], 2, "not a model card"),
    # summarize
    "summarize --out is the input": (["summarize", "@/seed.txt", "--out", "@/seed.txt", "--model", "rules"], 2,
                                     "is one of the inputs"),
    "summarize --out onto a folder": (["summarize", "@/seed.txt", "--out", "@/a_folder", "--model", "rules"], 2,
                                      "is a folder"),
    "summarize --sentences 0": (["summarize", "@/seed.txt", "--sentences", "0"], 2, "positive"),
    # compare
    "compare --out onto a file": (["compare", "@/seed.txt", "--out", "@/a_file", "--model", "rules"], 2,
                                  "exists and is not a folder"),
    "compare --out under a file": (["compare", "@/seed.txt", "--out", "@/a_file/c", "--model", "rules"], 2,
                                   "is a file, not a folder"),
    "compare damaged model": (["compare", "@/seed.txt", "--out", "@/cmp", "--model", "@/m_keys"], 2, "m_keys"),
    # annotate
    "annotate --out not a sheet": (["annotate", "@/seed.txt", "--out", "@/sheet.txt"], 2, ".csv or .xlsx"),
    "annotate --out onto a folder": (["annotate", "@/seed.txt", "--out", "@/sheet_folder.csv", "--model", "rules"], 2,
                                     "is a folder"),
    "annotate --out under a file": (["annotate", "@/seed.txt", "--out", "@/a_file/s.csv", "--model", "rules"], 2,
                                    "is a file"),
    "annotate damaged model": (["annotate", "@/seed.txt", "--out", "@/s.csv", "--model", "@/m_shape"], 2,
                               ("damaged", "does not match")),
    "annotate --jobs -1": (["annotate", "@/seed.txt", "--out", "@/s.csv", "--jobs", "-1"], 2, "positive"),
    # import-labels
    "import-labels --out is the sheet": (["import-labels", "@/gold.jsonl", "--out", "@/gold.jsonl"], 2,
                                         "is one of the inputs"),
    "import-labels sheet missing": (["import-labels", "@/nope.csv", "--out", "@/g.jsonl"], 2, "no such file"),
    "import-labels sheet a folder": (["import-labels", "@/a_folder", "--out", "@/g.jsonl"], 2, "no such file"),
    "import-labels damaged xlsx": (["import-labels", "@/bad.xlsx", "--out", "@/g.jsonl"], 2, "not a readable .xlsx"),
    "import-labels --max-rows 0": (["import-labels", "@/bad.xlsx", "--out", "@/g.jsonl", "--max-rows", "0"], 2,
                                   "positive"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_every_user_error_is_one_line(w, capsys, case):
    argv, status, words = CASES[case]
    before = {p.name: p.read_bytes() for p in w.iterdir() if p.is_file()}
    try:
        rc = main(_sub(w, argv))
    except SystemExit as exc:  # argparse's own errors exit here
        rc = exc.code
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert rc == status, err
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    assert any(x in err for x in ((words,) if isinstance(words, str) else words)), err
    assert err.startswith("bulletin"), err
    # nothing the command was given was changed
    assert {p.name: p.read_bytes() for p in w.iterdir() if p.is_file() and p.name in before} == before


def test_every_sub_command_is_walked():
    commands = {argv[0] for argv, _, _ in CASES.values()}
    assert commands == {"parse", "classify", "train", "eval", "summarize", "compare", "annotate", "import-labels"}


def test_a_batch_with_bad_inputs_exits_1_and_names_each(tmp_path, capsys):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 40)
    shutil.copy(SEED, tmp_path / "seed.txt")
    shutil.copy(LAYOUTS / "not_a_bulletin.txt", tmp_path / "prose.txt")
    for argv in (["parse", str(tmp_path), "--out", str(tmp_path / "p.json")],
                 ["classify", str(tmp_path), "--out", str(tmp_path / "r.jsonl"), "--model", "rules"],
                 ["annotate", str(tmp_path), "--out", str(tmp_path / "s.csv"), "--model", "rules"],
                 ["summarize", str(tmp_path), "--model", "rules", "--out", str(tmp_path / "s.md")]):
        assert main(argv) == 1, argv
        err = capsys.readouterr().err
        assert "Traceback" not in err
        assert "3 file(s) failed:" in err
        for name in ("empty.txt", "binary.txt", "prose.txt"):
            assert f"{name}: " in err
