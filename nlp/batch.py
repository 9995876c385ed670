"""Run a job over many bulletin files: a progress bar, and bad files reported, not fatal."""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, TypeVar

from .parse import Bulletin, parse_file
from .source import SourceError, iter_bulletin_files

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


def progress(items: list[T], desc: str, unit: str = "file") -> Iterator[T]:
    """A tqdm bar on stderr when there is more than one item and stderr is a terminal."""
    if len(items) <= 1 or not sys.stderr.isatty():
        yield from items
        return
    from tqdm import tqdm
    yield from tqdm(items, desc=desc, unit=unit, file=sys.stderr)


def iter_parsed(inputs: list[str | Path], failures: Failures, desc: str = "parsing",
                skip: Callable[[Path], bool] | None = None) -> Iterator[Bulletin]:
    """Parse every bulletin file under `inputs`, recording bad ones in `failures`."""
    files = iter_bulletin_files(inputs)
    for path in progress(files, desc):
        if skip and skip(path):
            continue
        try:
            yield parse_file(path)
        except SourceError as exc:
            failures.add(path, str(exc))
        except Exception as exc:  # a parser bug must not stop a batch of thousands
            failures.add(path, f"internal error: {type(exc).__name__}: {exc}")
