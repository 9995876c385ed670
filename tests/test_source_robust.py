"""Reading is safe: only regular files, a size limit, damaged bytes and odd encodings handled,
deep HTML, unreadable folder entries reported, no NUL in any output, unique ids."""
import json
import os
import signal
import stat
from pathlib import Path

import pytest

from nlp.batch import Failures, iter_units
from nlp.cli import main
from nlp.parse import parse_file
from nlp.inputs import iter_sources
from nlp.source import DEFAULT_MAX_BYTES, ReadOptions, SourceError, decode_bytes, read_source

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "raw" / "000_f74bace5e6783c83.txt"
LAYOUTS = ROOT / "tests" / "fixtures" / "layouts"


@pytest.fixture
def alarm():
    """Fail instead of hanging if a read blocks (a FIFO opened the wrong way)."""
    def on_alarm(*_):
        raise TimeoutError("blocked on input")
    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(10)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def test_a_fifo_given_or_found_is_reported_not_read(tmp_path, alarm, capsys):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(SourceError, match="not a regular file .a FIFO."):
        read_source(fifo)
    (tmp_path / "seed.txt").write_bytes(SEED.read_bytes())
    out = tmp_path / "o.jsonl"
    assert main(["parse", str(tmp_path), "--format", "jsonl", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "pipe.txt: not a regular file (a FIFO)" in err
    assert len(out.read_text(encoding="utf-8").splitlines()) == 141


def test_devices_are_not_read(alarm):
    with pytest.raises(SourceError, match="character device"):
        read_source("/dev/zero")


def test_size_limit_is_configurable_with_a_clear_error(tmp_path, capsys):
    assert DEFAULT_MAX_BYTES == 20_000_000
    big = tmp_path / "big.txt"
    big.write_bytes(SEED.read_bytes() * 30)  # about 2.2 MB
    with pytest.raises(SourceError, match="over the input size limit of 1 MB"):
        read_source(big, options=ReadOptions(max_bytes=1_000_000))
    assert main(["parse", str(big), "--max-size", "1"]) == 1
    assert "--max-size" in capsys.readouterr().err
    assert read_source(big).text  # under the default limit


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_decoded(tmp_path, codec):
    path = tmp_path / "b.txt"
    path.write_bytes((LAYOUTS / "wenti_n.txt").read_text(encoding="utf-8").encode(codec))
    b = parse_file(path)
    assert b.encoding == "utf-16" and len(b.issues) == 5


def test_a_stray_byte_is_repaired_and_said(tmp_path, capsys):
    data = SEED.read_bytes()
    cut = data.index("二、整改任务".encode("utf-8"))
    path = tmp_path / "stray.txt"
    path.write_bytes(data[:cut] + b"\xff" + data[cut:])
    b = parse_file(path)
    assert len(b.issues) == 56 and b.encoding == "utf-8"
    assert b.warnings == ["1 undecodable byte(s) replaced by U+FFFD"]
    assert main(["parse", str(path), "--out", str(tmp_path / "o.json")]) == 0
    assert "note: " in capsys.readouterr().err


def test_gbk_with_a_stray_byte_is_still_gbk(tmp_path):
    data = (LAYOUTS / "wenti_n.txt").read_text(encoding="utf-8").encode("gbk")
    path = tmp_path / "g.txt"
    path.write_bytes(data[:300] + b"\xff" + data[300:])
    b = parse_file(path)
    assert b.encoding == "gb18030" and len(b.issues) == 5 and b.warnings


def test_real_binary_is_still_refused():
    with pytest.raises(SourceError, match="binary"):
        decode_bytes(bytes(range(256)) * 40)


def test_deeply_nested_html_does_not_exhaust_the_stack(tmp_path):
    body = (LAYOUTS / "three_level.txt").read_text(encoding="utf-8")
    paras = "".join(f"<p>{p}</p>" for p in body.split("\n") if p.strip())
    html = "<html><body>" + "<div>" * 20000 + paras + "</div>" * 20000 + "<span>" * 5000 + "</body></html>"
    path = tmp_path / "deep.html"
    path.write_text(html, encoding="utf-8")
    b = parse_file(path)
    assert len(b.issues) == 5


def test_unreadable_folder_entries_are_failures_not_skipped(tmp_path, monkeypatch):
    (tmp_path / "ok.txt").write_bytes(SEED.read_bytes())
    locked = tmp_path / "locked"
    locked.mkdir()
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    real_scandir = os.scandir

    def scandir(path="."):
        if Path(path) == locked:  # root can read any folder, so the refusal is simulated
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)
    monkeypatch.setattr(os, "scandir", scandir)
    failures = Failures()
    done = [key for key, _b in iter_units([tmp_path], failures)]
    assert done == [str(tmp_path / "ok.txt")]
    reasons = dict(failures.items)
    assert "cannot read folder" in reasons[str(locked)]
    assert str(tmp_path / "dangling.txt") in reasons


def test_nul_bytes_never_reach_outputs(tmp_path):
    text = SEED.read_text(encoding="utf-8").replace("整改任务", "整改\x00任务", 3)
    path = tmp_path / "nul.txt"
    path.write_text(text, encoding="utf-8")
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(json.dumps({"content": text, "url": "a\x00b"}) + "\n", encoding="utf-8")
    out = tmp_path / "o.jsonl"
    assert main(["parse", str(path), str(corpus), "--id-field", "url", "--format", "jsonl",
                 "--out", str(out)]) == 0
    raw = out.read_text(encoding="utf-8")
    assert "\x00" not in raw and "\\u0000" not in raw
    assert {json.loads(line)["bulletin_id"] for line in raw.splitlines()} == {"nul", "a_b"}


def test_bulletin_ids_are_unique_within_a_run(tmp_path):
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "x.txt").write_bytes((LAYOUTS / "wenti_n.txt").read_bytes())
    (tmp_path / "a" / "x.html").write_bytes((LAYOUTS / "page.html").read_bytes())
    ids = [s.bulletin_id for _k, s in iter_sources([tmp_path])]
    assert ids == ["a/x", "a/x.txt", "b/x"]  # a/x.html comes first
    ids = [s.bulletin_id for _k, s in iter_sources([tmp_path / "a" / "x.txt", tmp_path / "b" / "x.txt", SEED])]
    assert ids == ["x", (tmp_path / "b" / "x").as_posix(), "000_f74bace5e6783c83"]
    assert [s.bulletin_id for _k, s in iter_sources([SEED.parent])] == ["000_f74bace5e6783c83"]


def test_only_regular_files_are_opened(tmp_path):
    path = tmp_path / "f.txt"
    path.write_bytes(SEED.read_bytes())
    path.chmod(stat.S_IRUSR)
    assert read_source(path).text
