"""Map a function over many inputs in worker processes, results in input order.

A batch over thousands of bulletins is CPU-bound in parsing and labelling, one bulletin
at a time, so it spreads over cores by processes. `map_ordered` is a thin layer over
`concurrent.futures.ProcessPoolExecutor`: inputs go out in chunks, at most a few chunks
ahead of the consumer (memory stays flat however many inputs there are), and results come
back in input order, so the output of `--jobs N` is byte-identical to `--jobs 1`.

The function and the initializer must be module-level (they are sent to the workers);
per-run state such as a loaded model goes through `initializer`/`initargs`. Workers are
forked where the system allows it, so the model is inherited, not reloaded; elsewhere they
are spawned and the initializer's arguments are sent to them (in memory, never to disk).
With one job everything runs in this process: no worker, same results.
"""
from __future__ import annotations

import gc
import os
import signal
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from itertools import islice
from typing import Any, Callable, Iterable, Iterator

from .errors import BulletinError


class WorkerError(BulletinError):
    """A worker process died (killed, or out of memory). Finished units are kept."""

    exit_status = 1


@dataclass(frozen=True)
class Failed:
    """A per-input failure returned by a worker: the batch reports it and goes on."""

    reason: str


def available_cores() -> int:
    """Cores this process may run on (the default number of jobs)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _context():
    import multiprocessing as mp
    return mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")


def _worker_init(initializer: Callable | None, initargs: tuple) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is handled once, by the parent
    if initializer is not None:
        initializer(*initargs)


def _run_chunk(fn: Callable, chunk: list) -> list:
    return [fn(x) for x in chunk]


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    it = iter(items)
    while True:
        chunk = list(islice(it, size))
        if not chunk:
            return
        yield chunk


def map_ordered(fn: Callable[[Any], Any], items: Iterable, jobs: int | None = None, *,
                initializer: Callable | None = None, initargs: tuple = (),
                chunk_size: int | None = None, total: int | None = None) -> Iterator[Any]:
    """Yield fn(item) for every item, in the order of `items`, using up to `jobs` processes.

    `items` may be a lazy iterator: it is read only a few chunks ahead. `total`, when the
    number of items is known, sizes the chunks (small batches get chunks of one).
    Exceptions raised by `fn` propagate (a per-item problem should be returned as
    `Failed`); a worker that dies raises `WorkerError`.
    """
    jobs = available_cores() if jobs is None else max(1, jobs)
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    if total is not None:
        jobs = min(jobs, max(total, 1))
    if jobs == 1:
        if initializer is not None:
            initializer(*initargs)
        for item in items:
            yield fn(item)
        return
    if chunk_size is None:
        chunk_size = 4 if total is None else max(1, min(16, total // (jobs * 8)))
    window = jobs * 3
    ex = ProcessPoolExecutor(jobs, mp_context=_context(), initializer=_worker_init,
                             initargs=(initializer, initargs))
    chunks = _chunks(items, chunk_size)
    pending: deque = deque()
    ok = False
    try:
        # Forked workers share the parent's memory until they write to it; the garbage
        # collector's passes over inherited objects would copy every page they touch.
        gc.freeze()
        try:
            for chunk in islice(chunks, window):
                pending.append(ex.submit(_run_chunk, fn, chunk))
        finally:
            gc.unfreeze()
        while pending:
            results = pending.popleft().result()
            nxt = next(chunks, None)
            if nxt is not None:
                pending.append(ex.submit(_run_chunk, fn, nxt))
            yield from results
        ok = True
    except BrokenProcessPool:
        raise WorkerError("a worker process died (killed, or out of memory); what was finished is kept: "
                          "rerun with --resume, perhaps with fewer --jobs") from None
    finally:
        if ok:
            ex.shutdown(wait=True)
        else:  # interrupted, failed, or the consumer stopped early: do not wait for the rest
            ex.shutdown(wait=False, cancel_futures=True)
            for p in list((getattr(ex, "_processes", None) or {}).values()):
                if p.is_alive():
                    p.terminate()
