"""Outputs: whole files replaced only on success, stale temporary files removed, cells a
spreadsheet would run neutralised losslessly, the row log's resume rules, the ordered
process map, and `parse` streaming into an atomic --out."""
import json
import os
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.cli import main
from nlp.errors import UsageError
from nlp.outputs import (AtomicFile, CellCleaner, OutputLock, RowLog, atomic_write_text, check_out,
                         clean_stale_temps, dumps_csv, neutralise, unneutralise, write_rows)
from nlp.parallel import Failed, WorkerError, map_ordered

from paths import LAYOUTS, SEED


def dead_pid() -> int:
    p = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(p.stdout)


# --- atomic files ------------------------------------------------------------------

def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "r.txt"
    path.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with AtomicFile(path) as f:
            f.write("half of the new")
            raise RuntimeError("disk full")
    assert path.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.txt"]


def test_a_discarded_write_leaves_the_old_file(tmp_path):
    path = tmp_path / "r.txt"
    path.write_text("old", encoding="utf-8")
    sink = AtomicFile(path)
    with sink as f:
        f.write("new")
        sink.discard()
    assert path.read_text(encoding="utf-8") == "old" and len(list(tmp_path.iterdir())) == 1


def test_only_temporaries_of_dead_processes_are_cleaned(tmp_path):
    dead = tmp_path / f".r.txt.{dead_pid()}-x1y2.tmp"
    alive = tmp_path / f".r.txt.{os.getpid()}-x1y2.tmp"  # a write in progress
    other = tmp_path / f".r.txt.old.{dead_pid()}-x1y2.tmp"  # the temporary of another file
    for p in (dead, alive, other):
        p.write_text("x", encoding="utf-8")
    assert clean_stale_temps(tmp_path / "r.txt") == 1
    assert not dead.exists() and alive.exists() and other.exists()
    atomic_write_text(tmp_path / "r.txt.old", "y")  # every atomic write cleans up after its predecessors
    assert not other.exists()


def test_written_files_follow_the_umask(tmp_path):
    atomic_write_text(tmp_path / "r.txt", "x")
    mask = os.umask(0)
    os.umask(mask)
    assert (tmp_path / "r.txt").stat().st_mode & 0o777 == 0o666 & ~mask


@pytest.mark.parametrize("case", ["folder", "under a file", "input", "input typed another way"])
def test_check_out(tmp_path, monkeypatch, case):
    src = tmp_path / "b.txt"
    src.write_text("x", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    out, inputs, message = {
        "folder": (tmp_path, [], "is a folder"),
        "under a file": (src / "r.jsonl", [], "is a file, not a folder"),
        "input": (src, [src], "is one of the inputs"),
        "input typed another way": ("./sub/../b.txt", [str(src)], "is one of the inputs"),
    }[case]
    (tmp_path / "sub").mkdir(exist_ok=True)
    with pytest.raises(UsageError, match=message):
        check_out(out, inputs)


def test_check_out_accepts_a_new_file_in_a_new_folder(tmp_path):
    assert check_out(tmp_path / "a" / "b" / "r.jsonl", [SEED]) == (tmp_path / "a" / "b" / "r.jsonl").resolve()


# --- spreadsheet-safe cells ----------------------------------------------------------

@given(st.text(alphabet=st.sampled_from(list("'=+-@\t\rab1 中")), max_size=8))
@settings(max_examples=300, deadline=None)
def test_neutralise_is_safe_and_lossless(text):
    safe = neutralise(text)
    assert safe[:1] not in ("=", "+", "-", "@", "\t", "\r")
    assert unneutralise(safe) == text


def test_cells_lose_control_characters_and_are_counted():
    clean = CellCleaner()
    assert clean("a\x00b\x07c") == "abc"
    assert clean("-1") == "'-1" and clean(-1) == -1 and clean(0.5) == 0.5 and clean(None) is None
    assert clean("tab\tand\nnewline") == "tab\tand\nnewline"
    assert clean.stripped == 1
    assert "1 cell(s)" in clean.note("x")


def test_csv_writers_neutralise_every_text_cell(tmp_path):
    rows = [{"a": "=1+1", "b": 3, "c": {"k": "v"}}, {"a": "@x", "b": -2, "c": None}]
    text = dumps_csv(rows)
    assert text.startswith("\ufeffa,b,c\n")
    assert "'=1+1" in text and "'@x" in text and ",-2," in text  # numbers stay numbers
    assert write_rows(tmp_path / "r.csv", iter([{"a": "x\x00y"}]), ["a"]) == 1
    assert (tmp_path / "r.csv").read_text(encoding="utf-8-sig") == "a\nxy\n"
    write_rows(tmp_path / "r.jsonl", iter(rows))
    assert [json.loads(x) for x in (tmp_path / "r.jsonl").read_text(encoding="utf-8").splitlines()] == rows


# --- the row log --------------------------------------------------------------------

MANIFEST = {"model": {"kind": "rules", "card_sha256": "abc"}, "options": {"all_probs": False}, "inputs": ["/in"]}


def test_row_log_resume_keeps_finished_units_and_cuts_the_rest(tmp_path):
    out = tmp_path / "r.jsonl"
    log = RowLog(out, MANIFEST)
    log.add("a", b'{"n": 1}\n{"n": 2}\n', {"bulletin_id": "a"})
    log.add("b", b'{"n": 3}\n')
    log.close()
    with open(log.rows_path, "ab") as f:  # an unfinished unit, then a torn line
        f.write(b'{"n": 4}\n{"n": ')
    resumed = RowLog(out, MANIFEST, resume=True)
    assert resumed.done == {"a", "b"} and [u["unit"] for u in resumed.units] == ["a", "b"]
    assert resumed.units[0]["bulletin_id"] == "a"
    resumed.add("c", b'{"n": 5}\n')
    resumed.finish()
    assert out.read_bytes() == b'{"n": 1}\n{"n": 2}\n{"n": 3}\n{"n": 5}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.jsonl"]


def test_row_log_marks_a_unit_done_only_after_its_rows_are_synced(tmp_path, monkeypatch):
    log = RowLog(tmp_path / "r.jsonl", MANIFEST)
    monkeypatch.setattr(RowLog, "SYNC_SECONDS", 3600.0)
    log._last_sync = log._time()
    log.add("a", b'{"n": 1}\n')
    assert len(log.done_path.read_bytes().splitlines()) == 1  # only the manifest: "a" is not yet durable
    log.sync()
    assert json.loads(log.done_path.read_bytes().splitlines()[1])["unit"] == "a"
    log.close()


def test_row_log_refuses_another_manifest(tmp_path):
    out = tmp_path / "r.jsonl"
    log = RowLog(out, MANIFEST)
    log.add("a", b'{"n": 1}\n')
    log.close()
    for key, value, message in (("model", {"kind": "tfidf", "card_sha256": "def"}, "another model"),
                                ("options", {"all_probs": True}, "another options"),
                                ("inputs", ["/elsewhere"], "other inputs")):
        with pytest.raises(UsageError, match=message):
            RowLog(out, {**MANIFEST, key: value}, resume=True)
    assert RowLog(out, MANIFEST, resume=True).done == {"a"}  # still resumable


def test_a_damaged_progress_log_is_one_line(tmp_path):
    out = tmp_path / "r.jsonl"
    log = RowLog(out, MANIFEST)
    log.close()
    log.done_path.write_bytes(b"\x00garbage\n")
    with pytest.raises(UsageError, match="not a progress log"):
        RowLog(out, MANIFEST, resume=True)


def test_lock_is_released_and_removed(tmp_path):
    lock = OutputLock(tmp_path / "r.jsonl")
    with lock:
        assert lock.path.exists()
    assert not lock.path.exists()
    with OutputLock(tmp_path / "r.jsonl"):  # and can be taken again
        pass


# --- the ordered process map --------------------------------------------------------

def square(x):
    return x * x


def fail_on_three(x):
    return Failed("three") if x == 3 else x


def die(x):
    if x == 5:
        os._exit(9)
    return x


def boom(x):
    if x == 2:
        raise UsageError("a bad model")
    return x


@pytest.mark.parametrize("jobs", [1, 2])
def test_results_come_in_input_order(jobs):
    assert list(map_ordered(square, range(50), jobs, chunk_size=3)) == [x * x for x in range(50)]
    assert list(map_ordered(fail_on_three, iter(range(5)), jobs)) == [0, 1, 2, Failed("three"), 4]


def test_inputs_are_read_only_a_few_chunks_ahead():
    pulled = []

    def items():
        for i in range(10_000):
            pulled.append(i)
            yield i
    it = map_ordered(square, items(), 2, chunk_size=4)
    assert next(it) == 0
    assert len(pulled) <= 2 * 3 * 4 + 4 + 1  # jobs x window chunks of 4, and one more chunk
    it.close()


def test_an_error_in_a_worker_reaches_the_caller():
    with pytest.raises(UsageError, match="a bad model"):
        list(map_ordered(boom, range(6), 2, chunk_size=1))


def test_a_worker_that_dies_is_a_one_line_error():
    with pytest.raises(WorkerError, match="worker process died"):
        list(map_ordered(die, range(20), 2, chunk_size=1))


# --- parse streams into an atomic --out ----------------------------------------------

def test_parse_streams_the_same_output_as_before(tmp_path, capsys):
    from nlp.outputs import dumps_jsonl
    from nlp.parse import parse_file
    from nlp.records import to_markdown
    from nlp.inputs import iter_bulletin_files

    files = [f for f in iter_bulletin_files([LAYOUTS]) if "not_a" not in f.name]
    docs = [parse_file(f) for f in files]
    expected = {"json": dumps_jsonl(d.to_dict() for d in docs),
                "md": "\n\n".join(to_markdown(d) for d in docs) + "\n"}
    for fmt, text in expected.items():
        out = tmp_path / f"p.{fmt}"
        assert main(["parse", str(LAYOUTS), "--format", fmt, "--out", str(out)]) == 1  # not_a_bulletin fails
        assert out.read_text(encoding="utf-8") == text
    one = tmp_path / "one.json"
    assert main(["parse", str(SEED), "--out", str(one)]) == 0
    assert one.read_text(encoding="utf-8") == json.dumps(parse_file(SEED).to_dict(), ensure_ascii=False, indent=2) + "\n"


def test_parse_refuses_to_overwrite_an_input_and_keeps_output_when_nothing_parsed(tmp_path, capsys):
    src = tmp_path / "b.txt"
    src.write_bytes(SEED.read_bytes())
    assert main(["parse", str(tmp_path), "--out", str(src)]) == 2
    assert "is one of the inputs" in capsys.readouterr().err
    assert src.read_bytes() == SEED.read_bytes()
    out = tmp_path / "p.json"
    out.write_text("earlier results", encoding="utf-8")
    assert main(["parse", str(LAYOUTS / "not_a_bulletin.txt"), "--out", str(out)]) == 1
    assert out.read_text(encoding="utf-8") == "earlier results"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.txt", "p.json"]


# --- folders replaced as a whole (for compare) -------------------------------------------

def test_a_folder_is_replaced_as_a_whole(tmp_path):
    from nlp.outputs import replace_folder, temp_folder

    out = tmp_path / "cmp"
    out.mkdir()
    (out / "old.csv").write_text("old", encoding="utf-8")
    new = temp_folder(out)
    assert new.parent == tmp_path and new.name.startswith(".cmp.")
    (new / "new.csv").write_text("new", encoding="utf-8")
    replace_folder(new, out)
    assert [p.name for p in out.iterdir()] == ["new.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cmp"]
    fresh = temp_folder(tmp_path / "other")  # into a place that does not exist yet
    replace_folder(fresh, tmp_path / "other")
    assert (tmp_path / "other").is_dir() and sorted(p.name for p in tmp_path.iterdir()) == ["cmp", "other"]


def test_a_temporary_folder_of_a_dead_run_is_cleaned(tmp_path):
    from nlp.outputs import temp_folder

    stale = tmp_path / f".cmp.{dead_pid()}-abc.tmp"
    stale.mkdir()
    (stale / "half.csv").write_text("x", encoding="utf-8")
    mine = temp_folder(tmp_path / "cmp")
    assert not stale.exists() and mine.exists()


def test_out_onto_a_fifo_or_device_is_refused_before_any_work(tmp_path, capsys):
    """Replacing a FIFO or device by a regular file would destroy it (as root, even /dev/null)."""
    import os

    from nlp.cli import main
    from paths import SEED

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert main(["parse", str(SEED), "--out", str(fifo)]) == 2
    assert "not a regular file" in capsys.readouterr().err
    assert fifo.is_fifo()
