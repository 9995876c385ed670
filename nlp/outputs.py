"""Writing results safely: whole files replaced only on success, spreadsheet-safe cells,
one run per output, and a resumable row log for long batches.

- A result file is written to a temporary file beside it and renamed over the old one
  only when complete (`atomic_write_*`, `AtomicFile`); a failed or empty run leaves the
  earlier file as it was. Temporary names carry the writer's process id, so those left by
  a killed run are recognised and removed by the next write.
- `check_out` refuses, before any work, an output that is a folder, lies under a file,
  sits in a folder that cannot be written, or is one of the inputs.
- Cells of every CSV/XLSX the tool writes are neutralised (OWASP: a text starting with
  = + - @ tab or CR gets a leading ') and stripped of control characters a spreadsheet
  cannot hold.
- `OutputLock` stops a second run writing the same output; `RowLog` keeps the rows of a
  batch, one unit (bulletin) at a time, with a manifest of what made them, so `--resume`
  continues only the same run and never loses or duplicates a row.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import socket
import sys
import tempfile
from pathlib import Path
from typing import IO, Iterable, Iterator

from .errors import UsageError

# --- atomic files ---------------------------------------------------------------------

_TMP = re.compile(r"\.(?P<name>.+)\.(?P<pid>\d+)-[A-Za-z0-9_]+\.tmp")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _umask_mode() -> int:
    return 0o666 & ~_umask()


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process: leave its files alone
    return True


def clean_stale_temps(path: str | Path) -> int:
    """Remove temporary files of `path` left by processes that no longer run; returns how many."""
    path = Path(path)
    n = 0
    try:
        candidates = [p for p in path.parent.iterdir() if p.name.startswith(f".{path.name}.") and p.name.endswith(".tmp")]
    except OSError:
        return 0
    for p in candidates:
        m = _TMP.fullmatch(p.name)
        if m and m["name"] == path.name and not _pid_alive(int(m["pid"])):
            try:
                if p.is_dir() and not p.is_symlink():
                    shutil.rmtree(p)
                else:
                    p.unlink()
                n += 1
            except OSError:
                pass
    return n


def temp_folder(out: str | Path) -> Path:
    """A new empty folder beside `out` to build a result in (named so that
    `clean_stale_temps(out)` removes it once its process is gone)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_temps(out)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.{os.getpid()}-", suffix=".tmp", dir=out.parent))
    os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes 0700; results are for sharing
    return tmp


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def replace_folder(new: str | Path, out: str | Path) -> None:
    """Put the finished folder `new` where `out` is, so that readers (and a kill at any
    moment) see either the old folder or the new one, never a mix. On Linux the two are
    exchanged in one step; elsewhere the old folder is renamed aside first (a window of
    two renames). The old content is then removed."""
    new, out = Path(new), Path(out)
    if not out.exists():
        os.rename(new, out)
    elif _exchange(new, out):
        shutil.rmtree(new, ignore_errors=True)  # `new` now holds the old content
    else:
        aside = Path(tempfile.mkdtemp(prefix=f".{out.name}.{os.getpid()}-", suffix=".tmp", dir=out.parent))
        os.rename(out, aside / out.name)
        os.rename(new, out)
        shutil.rmtree(aside, ignore_errors=True)
    _fsync_dir(out.parent)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class AtomicFile:
    """A file written in place of `path` only when complete.

    `with AtomicFile(path) as f: f.write(...)` renames the temporary file over `path` when
    the block ends normally; on an exception, or after `discard()`, `path` is untouched
    and the temporary file removed.
    """

    def __init__(self, path: str | Path, binary: bool = False):
        self.path = Path(path)
        self.binary = binary
        self.file: IO | None = None
        self.tmp: str | None = None
        self._discarded = False

    def open(self) -> IO:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        clean_stale_temps(self.path)
        fd, self.tmp = tempfile.mkstemp(prefix=f".{self.path.name}.{os.getpid()}-", suffix=".tmp",
                                        dir=self.path.parent)
        self.file = os.fdopen(fd, "wb") if self.binary else os.fdopen(fd, "w", encoding="utf-8", newline="")
        return self.file

    def __enter__(self) -> IO:
        return self.open()

    def discard(self) -> None:
        """Abandon the new content: the earlier file at `path` stays as it was."""
        self._discarded = True

    def commit(self) -> None:
        assert self.file is not None and self.tmp is not None
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        os.chmod(self.tmp, _umask_mode())  # mkstemp makes 0600; results are for sharing
        os.replace(self.tmp, self.path)
        _fsync_dir(self.path.parent)
        self.tmp = None

    def abort(self) -> None:
        if self.file is not None and not self.file.closed:
            self.file.close()
        if self.tmp and os.path.exists(self.tmp):
            os.unlink(self.tmp)
        self.tmp = None

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None and not self._discarded:
            try:
                self.commit()
            except BaseException:
                self.abort()
                raise
        else:
            self.abort()


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write text to path via a temporary file and rename, so readers never see half a file."""
    with AtomicFile(path) as f:
        f.write(text)


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    with AtomicFile(path, binary=True) as f:
        f.write(data)


# --- where an output may go -------------------------------------------------------------

def check_out(path: str | Path, inputs: Iterable[str | Path] = (), flag: str = "--out") -> Path:
    """Refuse, before any work, an output that cannot be written or would overwrite an input.

    Returns the resolved path. Errors are one line: a folder given as a file, a path under
    a file, a folder that cannot be written, or a path that is one of `inputs`.
    """
    p = Path(path)
    if p.is_dir():
        raise UsageError(f"{flag} {path}: is a folder; give a file name")
    if p.exists() and not p.is_file():  # a device or FIFO: replacing it would destroy it
        raise UsageError(f"{flag} {path}: not a regular file; give a file name")
    resolved = p.resolve()
    _check_writable_folder(resolved.parent, path, flag)
    for item in inputs:
        item = Path(item)
        if item.name not in (resolved.name, "", ".", "..") and not item.is_symlink():
            continue  # a different name cannot be the same file (a link may be): no need to resolve
        try:
            same = item.resolve() == resolved
        except OSError:
            same = False
        if same:
            raise UsageError(f"{flag} {path} is one of the inputs: writing it would destroy that input")
    return resolved


def _check_writable_folder(folder: Path, path, flag: str) -> None:
    """The nearest existing folder of `folder` must be a folder this process can write in."""
    ancestor = folder
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise UsageError(f"{flag} {path}: {ancestor} is a file, not a folder")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise UsageError(f"{flag} {path}: cannot write in the folder {ancestor} (permission denied)")


def check_out_dir(path: str | Path, inputs: Iterable[str | Path] = (), flag: str = "--out") -> Path:
    """Like `check_out`, for an output folder: refuse a file, a path under a file, a folder
    that cannot be written, or one of `inputs`."""
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise UsageError(f"{flag} {path}: exists and is not a folder")
    resolved = p.resolve()
    _check_writable_folder(resolved, path, flag)
    for item in inputs:
        if Path(item).resolve() == resolved:
            raise UsageError(f"{flag} {path} is one of the inputs")
    return resolved


# --- spreadsheet-safe cells -------------------------------------------------------------

_FORMULA_START = re.compile(r"'*[=+\-@\t\r]")
_NEUTRALISED = re.compile(r"'+[=+\-@\t\r]")
# Characters XML 1.0 (so XLSX) cannot hold; CSV readers choke on NUL too. \t \n \r stay.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def neutralise(text: str) -> str:
    """OWASP's rule against CSV/formula injection: a text a spreadsheet would run as a
    formula (leading = + - @ tab or CR) gets a leading apostrophe. Lossless: a text that
    already starts with apostrophes before such a character gets one more."""
    return "'" + text if _FORMULA_START.match(text) else text


def unneutralise(text: str) -> str:
    """Undo `neutralise` on a cell read back from a sheet."""
    return text[1:] if _NEUTRALISED.match(text) else text


def strip_controls(text: str) -> str:
    return _CONTROL.sub("", text)


class CellCleaner:
    """Makes values safe for a spreadsheet cell and counts the cells that lost control characters."""

    def __init__(self) -> None:
        self.stripped = 0

    def __call__(self, v):
        if isinstance(v, (dict, list)):
            v = json.dumps(v, ensure_ascii=False)
        if not isinstance(v, str):
            return v
        clean = _CONTROL.sub("", v)
        if clean != v:
            self.stripped += 1
        return neutralise(clean)

    def note(self, what: str) -> str | None:
        """A line for stderr when cells were changed, else None."""
        if not self.stripped:
            return None
        return (f"note: {what}: removed control characters (which spreadsheets cannot hold) "
                f"from {self.stripped} cell(s)")


class CsvRows:
    """Writes rows to an open text file as CSV: header first, then one row at a time.

    UTF-8 with a BOM so that spreadsheet programs show Chinese; every cell spreadsheet-safe.
    """

    def __init__(self, f: IO[str], columns: list[str]):
        self.columns = columns
        self.clean = CellCleaner()
        f.write("\ufeff")
        self.writer = csv.writer(f, lineterminator="\n")
        self.writer.writerow(columns)

    def write(self, row: dict) -> None:
        self.writer.writerow([self.clean(row.get(c)) for c in self.columns])


def dumps_jsonl(rows: Iterable[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def dumps_csv(rows: list[dict], columns: list[str] | None = None) -> str:
    """CSV with a header; UTF-8 with BOM; spreadsheet-safe cells (see `CsvRows`)."""
    columns = columns or (list(rows[0].keys()) if rows else [])
    buf = io.StringIO()
    w = CsvRows(buf, columns)
    for r in rows:
        w.write(r)
    return buf.getvalue()


def write_rows(path: str | Path, rows: Iterable[dict], columns: list[str] | None = None) -> int:
    """Write rows as .csv or JSON Lines (any other suffix), atomically, one row at a time.

    Returns the number of CSV cells that lost control characters (0 for JSON Lines).
    """
    with AtomicFile(path) as f:
        if str(path).lower().endswith(".csv"):
            it = iter(rows)
            first = next(it, None)
            cols = columns or (list(first) if first else [])
            w = CsvRows(f, cols)
            if first is not None:
                w.write(first)
            for r in it:
                w.write(r)
            return w.clean.stripped
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    return 0


# --- one run per output ----------------------------------------------------------------

class OutputLock:
    """An exclusive lock on an output (the file `<out>.lock`), held for the whole run.

    A second run on the same output stops at once with a one-line error naming the holder.
    The lock is an fcntl record lock, which the system drops when its process ends however
    it ends, and which forked worker processes do not inherit; a lock file left by a killed
    run is therefore simply taken over. Where fcntl is missing, an exclusive create with
    the holder's process id is used instead.
    """

    _held: set[str] = set()  # record locks do not exclude the process holding them: track ours

    def __init__(self, target: str | Path):
        self.target = Path(target)
        self.path = self.target.with_name(self.target.name + ".lock")
        self.fd: int | None = None

    def _busy(self, holder: str) -> UsageError:
        return UsageError(f"another run is writing {self.target} ({holder or 'holder unknown'}); wait for it to "
                          f"finish, or stop it (lock: {self.path})")

    def acquire(self) -> "OutputLock":
        key = str(self.path.resolve())
        if key in OutputLock._held:
            raise self._busy(f"pid {os.getpid()}, this process")
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not on POSIX
            self._acquire_exclusive()
            OutputLock._held.add(key)
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                holder = os.read(fd, 200).decode("utf-8", "replace").strip()
                os.close(fd)
                raise self._busy(holder) from None
            try:  # the previous holder may have removed the file between our open and lock
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if not same:
                os.close(fd)
                continue
            os.ftruncate(fd, 0)
            os.write(fd, f"pid {os.getpid()} on {socket.gethostname()}".encode())
            self.fd = fd
            OutputLock._held.add(key)
            return self

    def _acquire_exclusive(self) -> "OutputLock":  # pragma: no cover - not on POSIX
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                holder = self.path.read_text(encoding="utf-8", errors="replace").strip()
                m = re.match(r"pid (\d+)", holder)
                if m and not _pid_alive(int(m.group(1))):
                    self.path.unlink(missing_ok=True)
                    continue
                raise self._busy(holder) from None
            os.write(fd, f"pid {os.getpid()} on {socket.gethostname()}".encode())
            self.fd = fd
            return self
        raise self._busy("")

    def release(self) -> None:
        if self.fd is None:
            return
        OutputLock._held.discard(str(self.path.resolve()))
        try:
            self.path.unlink(missing_ok=True)
        finally:
            os.close(self.fd)  # closing drops the record lock
            self.fd = None

    def __enter__(self) -> "OutputLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


# --- the resumable row log -------------------------------------------------------------

class RowLog:
    """Append-only progress log of rows, one unit (a bulletin) at a time, for resuming.

    Two files beside the output: `<out>.progress.jsonl` holds the rows as JSON lines, in
    the output's order; `<out>.progress.done` starts with the run's manifest (what made
    the rows: model, options, inputs) and then has one line per finished unit with the
    byte offset where its rows end and whatever `info` the caller keeps (a tally).
    Done lines are written only after the rows they cover are on disk (synced at most
    once a second, and at the end). On resume, a different manifest is refused, and rows
    past the last finished unit (an interrupted unit, a torn line) are cut off, so
    nothing is lost or duplicated.
    """

    SYNC_SECONDS = 1.0

    def __init__(self, final_path: str | Path, manifest: dict, resume: bool = False):
        import time

        self._time = time.monotonic
        self.final = Path(final_path)
        self.rows_path = self.final.with_name(self.final.name + ".progress.jsonl")
        self.done_path = self.final.with_name(self.final.name + ".progress.done")
        self.manifest = manifest
        self.done: set[str] = set()
        self.units: list[dict] = []  # done-line records of finished units, in order
        self.resumed = False
        end = 0
        if resume and self.rows_path.exists() and self.done_path.exists():
            end = self._load()
            self.resumed = True
        else:
            atomic_write_text(self.rows_path, "")
            atomic_write_text(self.done_path, json.dumps({"manifest": manifest}, ensure_ascii=False) + "\n")
        self._rows = open(self.rows_path, "r+b")
        self._rows.truncate(end)
        self._rows.seek(end)
        self._done = open(self.done_path, "ab")
        self._pending: list[bytes] = []
        self._last_sync = self._time()
        self.end = end

    def _load(self) -> int:
        """Read the done file of an earlier run; return the committed end of the rows."""
        data = self.done_path.read_bytes()
        lines = data.split(b"\n")
        try:
            head = json.loads(lines[0])
            saved = head["manifest"]
        except (json.JSONDecodeError, KeyError, TypeError, UnicodeDecodeError):
            raise UsageError(f"--resume: {self.done_path} is not a progress log of this tool "
                             "(rerun without --resume)") from None
        diff = manifest_difference(saved, self.manifest)
        if diff:
            raise UsageError(f"--resume: {self.final} was started with {diff}; rerun with the same "
                             "options, or without --resume to start afresh")
        good = len(lines[0]) + 1
        end = 0
        size = self.rows_path.stat().st_size
        for line in lines[1:]:
            if not line.strip():
                break
            try:
                rec = json.loads(line)
                unit_end = int(rec["end"])
                unit = rec["unit"]
            except (json.JSONDecodeError, KeyError, TypeError, ValueError, UnicodeDecodeError):
                break  # a torn last line
            if unit_end > size or unit_end < end:
                break
            end = unit_end
            good += len(line) + 1
            self.done.add(unit)
            self.units.append(rec)
        with open(self.done_path, "r+b") as f:  # drop a torn tail so appends start on a new line
            f.truncate(min(good, len(data)))
        return end

    def add(self, unit: str, lines: bytes, info: dict | None = None) -> None:
        """Append one finished unit: its rows as JSON-lines bytes, and info kept for resuming."""
        self._rows.write(lines)
        self.end += len(lines)
        rec = {"unit": unit, "end": self.end, **(info or {})}
        self._pending.append((json.dumps(rec, ensure_ascii=False) + "\n").encode("utf-8"))
        self.done.add(unit)
        self.units.append(rec)
        if self._time() - self._last_sync >= self.SYNC_SECONDS:
            self.sync()

    def sync(self) -> None:
        """Make the rows durable, then mark their units done."""
        self._rows.flush()
        os.fsync(self._rows.fileno())
        if self._pending:
            self._done.write(b"".join(self._pending))
            self._done.flush()
            os.fsync(self._done.fileno())
            self._pending = []
        self._last_sync = self._time()

    def close(self) -> None:
        if not self._rows.closed:
            self.sync()
            self._rows.close()
            self._done.close()

    def iter_rows(self) -> Iterator[dict]:
        """The finished rows, in order, read back one at a time."""
        with open(self.rows_path, "rb") as f:
            for line in f:
                yield json.loads(line)

    def finish(self, columns: list[str] | None = None) -> int:
        """Assemble the final file by copying the log (converting to CSV for a .csv output),
        replace the output in one step, and remove the progress files. Returns the number
        of CSV cells that lost control characters."""
        self.close()
        stripped = 0
        if self.final.suffix.lower() == ".csv":
            stripped = write_rows(self.final, self.iter_rows(), columns)
        else:
            with AtomicFile(self.final, binary=True) as out, open(self.rows_path, "rb") as src:
                shutil.copyfileobj(src, out, 1 << 20)
        self.remove()
        return stripped

    def remove(self) -> None:
        """Close and delete the progress files (the output, if any, is left as it is)."""
        self.close()
        for p in (self.rows_path, self.done_path):
            p.unlink(missing_ok=True)


def manifest_difference(saved: dict, now: dict) -> str | None:
    """A short phrase naming the first way two run manifests differ, or None when they match."""
    if not isinstance(saved, dict):
        return "an unreadable manifest"
    for key in now:
        a, b = saved.get(key), now[key]
        if a == b:
            continue
        if key == "model":
            return f"another model ({_short(a)}; this run: {_short(b)})"
        if key == "inputs":
            return f"other inputs ({_list(a)}; this run: {_list(b)})"
        return f"another {key.replace('_', ' ')} ({_short(a)}; this run: {_short(b)})"
    return None


def _short(v) -> str:
    if isinstance(v, dict):
        return ", ".join(f"{k} {str(x)[:16]}" for k, x in v.items())
    return json.dumps(v, ensure_ascii=False)[:80]


def _list(v) -> str:
    if not isinstance(v, list):
        return _short(v)
    return ", ".join(str(x) for x in v[:3]) + (f" and {len(v) - 3} more" if len(v) > 3 else "")


def warn(line: str | None) -> None:
    if line:
        print(line, file=sys.stderr)
