"""`bulletin classify`: one row per measure, bad files listed, outputs replaced only on
success, resumable only into the same run, one run per output, the same rows for any --jobs."""
import csv
import json
import os
import shutil
import subprocess
import sys

import pytest

import nlp.classify as classify_mod
from nlp.cli import main
from nlp.outputs import OutputLock
from nlp.parse import parse_file
from nlp.records import measure_rows

from paths import LAYOUTS, ROOT, SEED

COLUMNS = ["bulletin_id", "issue_no", "measure_no", "issue_title", "text", "domain", "domain_score",
           "status", "status_score"]


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def folder(tmp_path):
    """The seven layout bulletins of .txt (all parse), copied into a folder of their own."""
    d = tmp_path / "in"
    d.mkdir()
    for p in sorted(LAYOUTS.glob("*.txt")):
        if "not_a" not in p.name:
            shutil.copy(p, d / p.name)
    return d


def interrupt_after(monkeypatch, n):
    """Make the n+1-th bulletin of a run raise KeyboardInterrupt, as Ctrl-C would."""
    real = classify_mod._label_unit
    calls = {"n": 0}

    def flaky(item):
        calls["n"] += 1
        if calls["n"] > n:
            raise KeyboardInterrupt
        return real(item)
    monkeypatch.setattr(classify_mod, "_label_unit", flaky)
    return lambda: monkeypatch.setattr(classify_mod, "_label_unit", real)


def test_classify_seed_one_row_per_measure(tmp_path, capsys):
    out = tmp_path / "r.jsonl"
    assert main(["classify", str(SEED), "--out", str(out)]) == 0
    rows = read_jsonl(out)
    parsed = measure_rows(parse_file(SEED))
    assert len(rows) == len(parsed) == 141
    assert list(rows[0]) == COLUMNS
    # the rows are the parser's measures, in order, each with its own text
    assert [(r["issue_no"], r["measure_no"], r["text"]) for r in rows] == \
        [(m["issue_no"], m["measure_no"], m["text"]) for m in parsed]
    assert all(0 < r["domain_score"] <= 1 and 0 < r["status_score"] <= 1 for r in rows)
    err = capsys.readouterr().err
    assert "000_f74bace5e6783c83: 141 measures" in err
    assert "wrote 141 measure row(s) of 1 bulletin(s)" in err


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
    assert sum(tally["three_level"]["domain"].values()) == sum(tally["three_level"]["status"].values()) == 15
    assert tally["three_level"]["status"] == {s: n for s in ("done", "ongoing", "planned")
                                              if (n := sum(r["status"] == s for r in rows))}


def test_jobs_do_not_change_the_output(folder, tmp_path):
    outs = {}
    for jobs in ("1", "2", None):
        out = tmp_path / f"r{jobs}.csv"
        assert main(["classify", str(folder), "--out", str(out), "--model", "rules", "--all-probs"]
                    + (["--jobs", jobs] if jobs else [])) == 0
        outs[jobs] = out.read_bytes()
    assert outs["1"] == outs["2"] == outs[None]
    rows = list(csv.DictReader(outs["1"].decode("utf-8-sig").splitlines(keepends=True)))
    assert len(rows) == 92 and len({r["bulletin_id"] for r in rows}) == 7


def test_bad_files_are_skipped_listed_and_reported_as_they_happen(tmp_path, capsys):
    (tmp_path / "a_empty.txt").write_bytes(b"")
    shutil.copy(SEED, tmp_path / "seed.txt")
    out = tmp_path / "r.jsonl"
    rc = main(["classify", str(tmp_path), "--out", str(out), "--model", "rules"])
    err = capsys.readouterr().err
    assert rc == 1 and "Traceback" not in err
    assert "failed: " in err and "a_empty.txt: empty file" in err
    assert err.index("failed: ") < err.index("seed: 141 measures")  # before the end-of-run tally
    assert err.rstrip().endswith("a_empty.txt: empty file")  # and listed again at the end
    assert len(out.read_text(encoding="utf-8").splitlines()) == 141


def test_bad_model_is_a_one_line_error(tmp_path, capsys):
    rc = main(["classify", str(SEED), "--out", str(tmp_path / "r.jsonl"), "--model", str(tmp_path)])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and len(err.splitlines()) == 1 and "not a saved model" in err


# --- outputs replaced only on success ---------------------------------------------------

def test_a_failed_rerun_leaves_earlier_results_untouched(tmp_path, capsys):
    out = tmp_path / "r.jsonl"
    assert main(["classify", str(SEED), "--out", str(out), "--model", "rules"]) == 0
    before = out.read_bytes()
    rc = main(["classify", str(tmp_path / "typo.txt"), "--out", str(out), "--model", "rules"])
    err = capsys.readouterr().err
    assert rc == 1 and "nothing classified" in err and "left as it was" in err
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.jsonl"]  # no progress log, lock or temp left


@pytest.mark.parametrize("case", ["folder", "under a file", "an input"])
def test_unusable_out_is_refused_before_any_work(tmp_path, capsys, case):
    src = tmp_path / "b.txt"
    shutil.copy(LAYOUTS / "zhendui.txt", src)
    if case == "folder":
        out = tmp_path / "dir.jsonl"
        out.mkdir()
        message = "is a folder"
    elif case == "under a file":
        out = src / "r.jsonl"
        message = "is a file, not a folder"
    else:  # a corpus file given as input and as --out
        out = tmp_path / "corpus.jsonl"
        out.write_text('{"text": "x"}\n', encoding="utf-8")
        src = out
        message = "is one of the inputs"
    before = sorted(p.name for p in tmp_path.iterdir())
    rc = main(["classify", str(src), "--out", str(out), "--model", "rules"])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and len(err.splitlines()) == 1 and message in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    if case == "an input":
        assert out.read_text(encoding="utf-8") == '{"text": "x"}\n'


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root may write in a read-only folder")
def test_read_only_folder_is_refused_before_any_work(tmp_path, capsys):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        rc = main(["classify", str(SEED), "--out", str(ro / "r.jsonl"), "--model", "rules"])
    finally:
        ro.chmod(0o755)
    err = capsys.readouterr().err.strip()
    assert rc == 2 and "cannot write" in err and len(err.splitlines()) == 1


def test_stale_temporary_files_of_a_killed_run_are_removed(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    stale = tmp_path / f".r.jsonl.{pid}-abc123.tmp"
    stale.write_text("half a file", encoding="utf-8")
    other = tmp_path / f".other.jsonl.{pid}-abc123.tmp"  # another output's: not ours to remove
    other.write_text("x", encoding="utf-8")
    assert main(["classify", str(SEED), "--out", str(tmp_path / "r.jsonl"), "--model", "rules"]) == 0
    assert not stale.exists() and other.exists()


# --- resuming -------------------------------------------------------------------------

def test_interrupted_run_resumes_without_losing_or_duplicating(folder, tmp_path, monkeypatch, capsys):
    out = tmp_path / "r.jsonl"
    assert main(["classify", str(folder), "--out", str(out), "--model", "rules", "--jobs", "1"]) == 0
    full = out.read_bytes()
    out.unlink()

    restore = interrupt_after(monkeypatch, 3)
    assert main(["classify", str(folder), "--out", str(out), "--model", "rules", "--jobs", "1"]) == 130
    restore()
    assert not out.exists()  # the final file appears only when the run completes
    progress = tmp_path / "r.jsonl.progress.jsonl"
    done = tmp_path / "r.jsonl.progress.done"
    assert progress.exists() and done.exists()
    # a crash mid-write: a torn row and a torn done line
    with open(progress, "ab") as f:
        f.write(b'{"bulletin_id": "torn", "issue')
    with open(done, "ab") as f:
        f.write(b'{"unit": "/x", "en')
    capsys.readouterr()

    assert main(["classify", str(folder), "--out", str(out), "--model", "rules", "--resume"]) == 0
    assert "resuming: 3 of 7 file(s) already done" in capsys.readouterr().err
    assert out.read_bytes() == full
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "r.jsonl"]


def test_resume_with_the_folder_typed_another_way_adds_no_duplicates(folder, tmp_path, monkeypatch):
    out = tmp_path / "r.jsonl"
    assert main(["classify", str(folder), "--out", str(out), "--model", "rules"]) == 0
    full = out.read_bytes()
    out.unlink()
    monkeypatch.chdir(tmp_path)
    restore = interrupt_after(monkeypatch, 4)
    assert main(["classify", "in", "--out", "r.jsonl", "--model", "rules", "--jobs", "1"]) == 130
    restore()
    assert main(["classify", str(folder) + "/", "--out", str(out), "--model", "rules", "--resume"]) == 0
    assert out.read_bytes() == full


@pytest.mark.parametrize("change, message", [
    (["--model", "default"], "another model"),
    (["--model", "rules", "--all-probs"], "another options"),
    (["--model", "rules", "EXTRA"], "other inputs"),
])
def test_resume_refuses_another_model_options_or_inputs(folder, tmp_path, monkeypatch, capsys, change, message):
    out = tmp_path / "r.jsonl"
    restore = interrupt_after(monkeypatch, 2)
    assert main(["classify", str(folder), "--out", str(out), "--model", "rules", "--jobs", "1"]) == 130
    restore()
    progress = (tmp_path / "r.jsonl.progress.jsonl").read_bytes()
    capsys.readouterr()
    extra = [str(SEED)] if "EXTRA" in change else []
    rc = main(["classify", str(folder), *extra, "--out", str(out), "--resume", *[a for a in change if a != "EXTRA"]])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and len(err.splitlines()) == 1 and message in err, err
    assert "--resume" in err and not out.exists()
    assert (tmp_path / "r.jsonl.progress.jsonl").read_bytes() == progress  # the log is kept for a proper resume
    # the same run still resumes, and gives exactly what a clean run gives
    assert main(["classify", str(folder), "--out", str(out), "--model", "rules", "--resume"]) == 0
    resumed = out.read_bytes()
    clean = tmp_path / "clean.jsonl"
    assert main(["classify", str(folder), "--out", str(clean), "--model", "rules"]) == 0
    assert resumed == clean.read_bytes()


def test_a_second_run_on_the_same_output_is_refused(tmp_path, capsys):
    out = tmp_path / "r.jsonl"
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from nlp.outputs import OutputLock; "
                               "l = OutputLock(sys.argv[1]).acquire(); print('locked', flush=True); time.sleep(60)",
                               str(out)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        rc = main(["classify", str(SEED), "--out", str(out), "--model", "rules"])
        err = capsys.readouterr().err.strip()
        assert rc == 2 and len(err.splitlines()) == 1 and "another run is writing" in err, err
        assert f"pid {holder.pid}" in err
        assert not out.exists() and not (tmp_path / "r.jsonl.progress.jsonl").exists()
    finally:
        holder.kill()
        holder.wait()
    # the holder was killed without releasing anything: its lock is gone with it
    assert main(["classify", str(SEED), "--out", str(out), "--model", "rules"]) == 0
    assert not (tmp_path / "r.jsonl.lock").exists()


def test_the_same_output_twice_in_one_process_is_refused(tmp_path):
    from nlp.errors import UsageError
    with OutputLock(tmp_path / "r.jsonl"):
        with pytest.raises(UsageError, match="another run is writing"):
            OutputLock(tmp_path / "r.jsonl").acquire()


def test_a_lock_file_left_by_a_killed_run_is_taken_over(tmp_path):
    out = tmp_path / "r.jsonl"
    (tmp_path / "r.jsonl.lock").write_text("pid 999999 on elsewhere", encoding="utf-8")  # no process holds it
    assert main(["classify", str(SEED), "--out", str(out), "--model", "rules"]) == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 141


def test_two_runs_at_once_one_refused_the_other_complete(folder, tmp_path):
    out = tmp_path / "r.jsonl"
    cmd = [sys.executable, "-m", "nlp.cli", "classify", str(folder), "--out", str(out), "--model", "rules",
           "--jobs", "1"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen(cmd, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    codes = sorted(rc for rc, _ in results)
    assert all("Traceback" not in err for _, err in results)
    clean = tmp_path / "clean.jsonl"
    assert main(["classify", str(folder), "--out", str(clean), "--model", "rules"]) == 0
    assert out.read_bytes() == clean.read_bytes()  # whoever won wrote every row once
    if codes == [0, 2]:  # usually they overlap; if one finished first, both simply succeed
        assert any("another run is writing" in err for rc, err in results if rc == 2)
    else:
        assert codes == [0, 0]


# --- spreadsheet safety ----------------------------------------------------------------

def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(tmp_path):
    text = (LAYOUTS / "zhendui.txt").read_text(encoding="utf-8")
    text = text.replace("一是开展低保", '一是=HYPERLINK("http://evil","x")开展低保')
    src = tmp_path / "evil.txt"
    src.write_text(text, encoding="utf-8")
    out = tmp_path / "r.csv"
    assert main(["classify", str(src), "--out", str(out), "--model", "rules"]) == 0
    with open(out, encoding="utf-8-sig", newline="") as f:
        cells = [c for row in csv.reader(f) for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]
    assert "'=HYPERLINK(\"http://evil\",\"x\")开展低保" in " ".join(cells)
    jsonl = tmp_path / "r.jsonl"  # JSON Lines keeps the text as it is
    assert main(["classify", str(src), "--out", str(jsonl), "--model", "rules"]) == 0
    assert any(r["text"].startswith("=HYPERLINK") for r in read_jsonl(jsonl))


# --- library calls ----------------------------------------------------------------------

def test_classify_texts_labels_bulletins_given_as_text():
    from nlp.classifiers import load_model
    model = load_model("rules")
    texts = [SEED.read_text(encoding="utf-8"), "not a bulletin at all", (LAYOUTS / "zhendui.txt").read_text(encoding="utf-8")]
    rows = classify_mod.classify_texts(texts, model, ids=["seed", "junk", "zhendui"])
    assert [r["bulletin_id"] for r in rows].count("seed") == 141
    assert "junk" not in {r["bulletin_id"] for r in rows}
    assert [r["bulletin_id"] for r in rows].count("zhendui") == 13
    assert list(rows[0]) == COLUMNS


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


def test_the_datasets_example_labels_a_corpus_file_like_classify(tmp_path, monkeypatch):
    """scripts/examples/classify_datasets.py: datasets.map(batched=True, num_proc=2) over a
    JSONL corpus, calling classify_texts; the rows are those of `bulletin classify`."""
    import importlib.util

    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    spec = importlib.util.spec_from_file_location("classify_datasets",
                                                  ROOT / "scripts" / "examples" / "classify_datasets.py")
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    files = [SEED, LAYOUTS / "not_a_bulletin.txt", LAYOUTS / "zhendui.txt", LAYOUTS / "wenti_n.txt"]
    corpus = tmp_path / "crawl.jsonl"
    corpus.write_text("".join(json.dumps({"url": f.stem, "content": f.read_text(encoding="utf-8")}, ensure_ascii=False)
                              + "\n" for f in files), encoding="utf-8")
    out = tmp_path / "measures.jsonl"
    example.classify_corpus(corpus, out, id_field="url", num_proc=2, model_spec="rules", batch_size=2,
                            cache_dir=str(tmp_path / "cache"))
    got = read_jsonl(out)

    ref = tmp_path / "ref.jsonl"
    assert main(["classify", *map(str, files), "--out", str(ref), "--model", "rules"]) == 1  # not_a_bulletin
    want = read_jsonl(ref)
    assert len(got) == len(want) == 141 + 13 + 15
    assert [(r["bulletin_id"], r["issue_no"], r["measure_no"], r["text"], r["domain"], r["status"]) for r in got] == \
        [(r["bulletin_id"], r["issue_no"], r["measure_no"], r["text"], r["domain"], r["status"]) for r in want]


@pytest.mark.parametrize("jobs", [1, 2])
def test_label_units_takes_sources_read_elsewhere_from_a_lazy_iterator(jobs, capsys):
    """The path for corpus files: units read in the parent (Source, or the reader's error)."""
    from nlp.batch import Failures
    from nlp.classifiers import load_model
    from nlp.source import SourceError, read_source

    def units():
        yield "crawl.jsonl#1", read_source(SEED)
        yield "crawl.jsonl#2", SourceError("row 2: empty text")
        yield "crawl.jsonl#3", read_source(LAYOUTS / "zhendui.txt")

    failures = Failures()
    got = list(classify_mod.label_units(units(), load_model("rules"), classify_mod._shape_jsonl, jobs=jobs,
                                        failures=failures))
    assert [key for key, _ in got] == ["crawl.jsonl#1", "crawl.jsonl#3"]
    assert [lab.counts[0] for _, lab in got] == [141, 13]
    assert failures.items == [("crawl.jsonl#2", "row 2: empty text")]
    assert "failed: crawl.jsonl#2: row 2: empty text" in capsys.readouterr().err


def test_a_file_given_twice_is_classified_once(folder, tmp_path):
    out = tmp_path / "r.jsonl"
    f = folder / "zhendui.txt"
    assert main(["classify", str(folder), str(f), str(folder) + "/../in/zhendui.txt", "--out", str(out),
                 "--model", "rules"]) == 0
    rows = read_jsonl(out)
    keys = [(r["bulletin_id"], r["issue_no"], r["measure_no"]) for r in rows]
    assert len(keys) == len(set(keys)) == 92
