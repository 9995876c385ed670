"""The inputs of a run: files, folders and corpus rows, each read into a `Source`.

Files are read by nlp.source, corpus rows by nlp.corpus; this module walks what the user
named, gives every bulletin an id unique within the run, and reports what cannot be read.
"""
from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from .corpus import iter_rows, safe_id
from .source import (BULLETIN_SUFFIXES, CORPUS_SUFFIXES, ReadOptions, Source, SourceError, _kind_of_mode,
                     read_source, source_from_text)


# --- inputs: files, folders and corpus rows --------------------------------------

@dataclass
class InputFile:
    """A file to read (or a folder entry that cannot be read, with its error)."""

    path: Path
    base_id: str  # file stem, or path relative to the folder given, without suffix
    error: str | None = None
    alternative: str | None = None  # the id to use when base_id is taken (default: with the suffix)


_DOC_NAME = re.compile(r"(readme|changelog|license|licence|contributing)\b", re.I)  # a folder's own notes


def _folder_inputs(folder: Path, options: ReadOptions) -> list[InputFile]:
    suffixes = BULLETIN_SUFFIXES + (CORPUS_SUFFIXES if options.text_field else ())
    found: list[InputFile] = []

    def unreadable(exc: OSError) -> None:
        found.append(InputFile(Path(exc.filename or folder), "", f"cannot read folder: {exc.strerror or exc}"))

    for dirpath, dirnames, filenames in os.walk(folder, onerror=unreadable):
        dirnames.sort()
        for name in filenames:
            p = Path(dirpath) / name
            try:
                mode = os.stat(p).st_mode
            except OSError as exc:
                if p.suffix.lower() in suffixes:
                    found.append(InputFile(p, "", exc.strerror or str(exc)))
                continue
            rel = p.relative_to(folder).with_suffix("").as_posix()
            if not stat.S_ISREG(mode):
                found.append(InputFile(p, rel, f"not a regular file ({_kind_of_mode(mode)}): not read"))
            elif p.suffix.lower() in suffixes and not _DOC_NAME.match(name):
                found.append(InputFile(p, rel))
    return sorted(found, key=lambda i: i.path)


def expand_inputs(inputs: list[str | Path] | list[InputFile],
                  options: ReadOptions | None = None) -> list[InputFile]:
    """Files given, and the bulletin files found in folders given, in a stable order.

    Raises SourceError when there is nothing to read."""
    options = options or ReadOptions()
    if inputs and all(isinstance(i, InputFile) for i in inputs):
        return list(inputs)  # type: ignore[arg-type]
    out: list[InputFile] = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            out.extend(_folder_inputs(p, options))
        else:
            out.append(InputFile(p, p.stem, alternative=p.with_suffix("").as_posix()))
    if not out:
        kinds = ", ".join(BULLETIN_SUFFIXES + (CORPUS_SUFFIXES if options.text_field else ()))
        raise SourceError(f"no bulletin files ({kinds}) in " + ", ".join(str(i) for i in inputs))
    return out


def iter_bulletin_files(inputs: list[str | Path], options: ReadOptions | None = None) -> list[Path]:
    """Expand files and folders into the sorted list of bulletin files they hold."""
    return [i.path for i in expand_inputs(inputs, options) if i.error is None]


class _Ids:
    """Keeps bulletin ids unique within a run: a clash gets the suffix, then #2, #3…"""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def take(self, base: str, alternative: str | None = None) -> str:
        for cand in (base, alternative):
            if cand and cand not in self.used:
                self.used.add(cand)
                return cand
        n = 2
        while f"{base}#{n}" in self.used:
            n += 1
        self.used.add(f"{base}#{n}")
        return f"{base}#{n}"


def is_corpus(path: Path) -> bool:
    return path.suffix.lower() in CORPUS_SUFFIXES


def count_units(inputs: list[InputFile]) -> int | None:
    """Number of bulletins the inputs hold, or None when a corpus file makes it unknown."""
    return None if any(is_corpus(i.path) for i in inputs) else len(inputs)


def iter_sources(inputs: list[str | Path] | list[InputFile], options: ReadOptions | None = None,
                 skip: Callable[[str], bool] | None = None) -> Iterator[tuple[str, Source | SourceError]]:
    """Yield (key, Source or SourceError) for every bulletin the inputs hold.

    `key` names the unit for messages and resuming: the file path, or `path#row` for a row
    of a corpus file. Units for which `skip(key)` is true are not read. Bulletin ids are
    unique within the run: a file given directly keeps its stem, a file found in a folder
    gets its path relative to that folder, a corpus row its --id-field value (made safe)
    or `file#row`.
    """
    options = options or ReadOptions()
    items = expand_inputs(inputs, options)
    ids = _Ids()
    for item in items:
        key = str(item.path)
        if item.error:
            yield key, SourceError(item.error)
            continue
        if is_corpus(item.path):
            yield from _corpus_sources(item, options, ids, skip)
            continue
        if skip and skip(key):
            continue
        bid = ids.take(item.base_id, item.alternative or item.base_id + item.path.suffix.lower())
        try:
            yield key, read_source(item.path, bid, options)
        except SourceError as exc:
            yield key, exc


def _corpus_sources(item: InputFile, options: ReadOptions, ids: _Ids,
                    skip: Callable[[str], bool] | None) -> Iterator[tuple[str, Source | SourceError]]:

    try:
        for row in iter_rows(item.path, options):
            key = f"{item.path}#{row.no}"
            if skip and skip(key):
                continue
            if row.error:
                yield key, SourceError(row.error)
                continue
            base = safe_id(row.id) if row.id is not None else ""
            bid = ids.take(base or f"{item.base_id}#{row.no}",
                           f"{base}#{row.no}" if base else f"{item.base_id}{item.path.suffix.lower()}#{row.no}")
            try:
                yield key, source_from_text(row.text, bid, key, "utf-8", row.kind)
            except SourceError as exc:
                yield key, exc
    except SourceError as exc:
        yield str(item.path), exc
