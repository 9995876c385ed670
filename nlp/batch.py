"""Run a job over many bulletins: a progress bar, and bad files or rows reported, not fatal."""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, TypeVar

from .parallel import Failed, map_ordered
from .parse import Bulletin, parse_source
from .inputs import count_units, expand_inputs, iter_sources
from .source import ReadOptions, Source, SourceError

T = TypeVar("T")


@dataclass
class Failures:
    items: list[tuple[str, str]] = field(default_factory=list)

    def add(self, path: str | Path, reason: str) -> None:
        self.items.append((str(path), reason))

    def report(self, stream=None) -> None:
        stream = stream or sys.stderr
        if self.items:
            print(f"{len(self.items)} file(s) failed:", file=stream)
            for path, reason in self.items:
                print(f"  {path}: {reason}", file=stream)

    def __bool__(self) -> bool:
        return bool(self.items)


def progress(items: Iterable[T], desc: str, unit: str = "file", total: int | None = None) -> Iterator[T]:
    """A tqdm bar on stderr when there is more than one item and stderr is a terminal."""
    n = total if total is not None else (len(items) if hasattr(items, "__len__") else None)  # type: ignore[arg-type]
    if (n is not None and n <= 1) or not sys.stderr.isatty():
        yield from items
        return
    from tqdm import tqdm
    yield from tqdm(items, desc=desc, unit=unit, total=n, file=sys.stderr)


def _note(key: str, notes: list[str]) -> None:
    for n in notes:
        print(f"note: {key}: {n}", file=sys.stderr)


def _parse_unit(item: tuple[str, Source | SourceError]) -> tuple[str, Bulletin | Failed]:
    """Parse one unit (in a worker process): the bulletin, or why it failed."""
    key, src = item
    if isinstance(src, SourceError):
        return key, Failed(str(src))
    try:
        return key, parse_source(src)
    except SourceError as exc:
        return key, Failed(str(exc))
    except Exception as exc:  # a parser bug must not stop a batch of thousands
        return key, Failed(f"internal error: {type(exc).__name__}: {exc}")


def iter_units(inputs: list[str | Path], failures: Failures, desc: str = "parsing",
               options: ReadOptions | None = None,
               skip: Callable[[str], bool] | None = None, jobs: int | None = 1) -> Iterator[tuple[str, Bulletin]]:
    """(key, parsed bulletin) for every bulletin the inputs hold, in input order; bad ones
    are printed at once and go to `failures`. `jobs` processes parse (None: all cores).

    `key` is the file path or `path#row` of a corpus row, stable across runs (for resuming).
    """
    options = options or ReadOptions()
    items = expand_inputs(inputs, options)
    total = count_units(items)
    parsed = map_ordered(_parse_unit, iter_sources(items, options, skip), jobs, total=total)
    for key, res in progress(parsed, desc, "bulletin", total):
        if isinstance(res, Failed):
            print(f"failed: {key}: {res.reason}", file=sys.stderr, flush=True)
            failures.add(key, res.reason)
            continue
        _note(key, res.warnings)
        yield key, res


def iter_parsed(inputs: list[str | Path], failures: Failures, desc: str = "parsing",
                skip: Callable[[str], bool] | None = None,
                options: ReadOptions | None = None, jobs: int | None = 1) -> Iterator[Bulletin]:
    """Parse every bulletin under `inputs` (in `jobs` processes), recording bad ones in `failures`."""
    for _key, bulletin in iter_units(inputs, failures, desc, options, skip, jobs):
        yield bulletin
