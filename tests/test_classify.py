"""`bulletin classify`: one row per measure, bad files listed, atomic output, resumable."""
import csv
import json
import shutil
import subprocess
import sys

import pytest

from nlp.cli import main
from nlp.outputs import RowLog

from paths import LAYOUTS, ROOT, SEED

COLUMNS = ["bulletin_id", "issue_no", "measure_no", "issue_title", "text", "domain", "domain_score",
           "status", "status_score"]


def test_classify_seed_one_row_per_measure(tmp_path, capsys):
    out = tmp_path / "r.jsonl"
    assert main(["classify", str(SEED), "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 141
    assert list(rows[0]) == COLUMNS
    assert {(r["issue_no"], r["measure_no"]) for r in rows} == {(r["issue_no"], r["measure_no"]) for r in rows}
    assert len({(r["issue_no"], r["measure_no"]) for r in rows}) == 141
    assert all(0 < r["domain_score"] <= 1 and 0 < r["status_score"] <= 1 for r in rows)
    err = capsys.readouterr().err
    assert "000_f74bace5e6783c83: 141 measures" in err


def test_classify_csv_all_probs_and_summary(tmp_path):
    out, summary = tmp_path / "r.csv", tmp_path / "s.json"
    assert main(["classify", str(LAYOUTS / "three_level.txt"), "--out", str(out), "--all-probs",
                 "--summary", str(summary), "--model", "rules"]) == 0
    with open(out, encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 15
    probs = [k for k in rows[0] if k.startswith("p_domain_")]
    assert len(probs) == 6 and abs(sum(float(rows[0][k]) for k in probs) - 1) < 1e-3
    tally = json.loads(summary.read_text(encoding="utf-8"))
    assert tally["three_level"]["measures"] == 15


def test_bad_files_are_skipped_and_listed(tmp_path, capsys):
    (tmp_path / "empty.txt").write_bytes(b"")
    shutil.copy(SEED, tmp_path / "seed.txt")
    out = tmp_path / "r.jsonl"
    rc = main(["classify", str(tmp_path), "--out", str(out), "--model", "rules"])
    err = capsys.readouterr().err
    assert rc == 1 and "empty.txt: empty file" in err and "Traceback" not in err
    assert len(out.read_text(encoding="utf-8").splitlines()) == 141


def test_bad_model_is_a_one_line_error(tmp_path, capsys):
    rc = main(["classify", str(SEED), "--out", str(tmp_path / "r.jsonl"), "--model", str(tmp_path)])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and len(err.splitlines()) == 1 and "not a saved model" in err


def test_resume_after_interruption_loses_and_duplicates_nothing(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for p in sorted(LAYOUTS.glob("*.txt")):
        if "not_a" not in p.name:
            shutil.copy(p, folder / p.name)
    out = tmp_path / "r.jsonl"
    assert main(["classify", str(folder), "--out", str(out), "--model", "rules"]) == 0
    full = out.read_text(encoding="utf-8").splitlines()
    out.unlink()

    # Simulate a crash: two bulletins done, a third half-written (rows but no 'done' mark).
    files = sorted(folder.glob("*.txt"))
    log = RowLog(out, resume=False)
    by_file: dict = {}
    for line in full:
        r = json.loads(line)
        by_file.setdefault(r["bulletin_id"], []).append(r)
    for f in files[:2]:
        log.add(str(f), by_file[f.stem])
    with open(log.rows_path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps({**by_file[files[2].stem][0], "_unit": str(files[2])}, ensure_ascii=False) + "\n")
        fh.write('{"torn": ')
    assert not out.exists()  # the final file appears only when the run completes

    assert main(["classify", str(folder), "--out", str(out), "--model", "rules", "--resume"]) == 0
    resumed = out.read_text(encoding="utf-8").splitlines()
    assert sorted(resumed) == sorted(full)
    assert not log.rows_path.exists() and not log.done_path.exists()


@pytest.mark.slow
def test_default_path_does_not_import_torch():
    code = ("import sys, runpy; sys.argv=['bulletin','classify',%r,'--out',%r];"
            "from nlp.cli import main; rc=main(sys.argv[1:]); print('torch' in sys.modules, 'sklearn' in sys.modules)")
    res = subprocess.run([sys.executable, "-c", code % (str(SEED), str(ROOT / ".pytest_cache" / "r.jsonl"))],
                         capture_output=True, text=True, cwd=ROOT)
    assert res.stdout.strip() == "False False", res.stderr


def test_a_folder_without_bulletins_is_an_error(tmp_path, capsys):
    rc = main(["classify", str(tmp_path), "--out", str(tmp_path / "r.jsonl")])
    err = capsys.readouterr().err
    assert rc == 2 and "no bulletin files" in err
    assert list(tmp_path.iterdir()) == []  # no output, no progress log left behind
