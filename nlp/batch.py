"""Run a job over many bulletins: a progress bar, and bad files or rows reported, not fatal."""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, TypeVar

from .parse import Bulletin, parse_source
from .inputs import count_units, expand_inputs, iter_sources
from .source import ReadOptions, SourceError

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


def iter_units(inputs: list[str | Path], failures: Failures, desc: str = "parsing",
               options: ReadOptions | None = None,
               skip: Callable[[str], bool] | None = None) -> Iterator[tuple[str, Bulletin]]:
    """(key, parsed bulletin) for every bulletin the inputs hold; bad ones go to `failures`.

    `key` is the file path or `path#row` of a corpus row, stable across runs (for resuming).
    """
    options = options or ReadOptions()
    items = expand_inputs(inputs, options)
    for key, src in progress(iter_sources(items, options, skip), desc, "bulletin", count_units(items)):
        if isinstance(src, SourceError):
            failures.add(key, str(src))
            continue
        try:
            bulletin = parse_source(src)
        except SourceError as exc:
            failures.add(key, str(exc))
            continue
        except Exception as exc:  # a parser bug must not stop a batch of thousands
            failures.add(key, f"internal error: {type(exc).__name__}: {exc}")
            continue
        _note(key, bulletin.warnings)
        yield key, bulletin


def iter_parsed(inputs: list[str | Path], failures: Failures, desc: str = "parsing",
                skip: Callable[[str], bool] | None = None,
                options: ReadOptions | None = None) -> Iterator[Bulletin]:
    """Parse every bulletin under `inputs`, recording bad ones in `failures`."""
    for _key, bulletin in iter_units(inputs, failures, desc, options, skip):
        yield bulletin
