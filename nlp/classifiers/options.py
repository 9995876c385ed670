"""Checks shared by the options dataclasses: every value in its range, or a clear error.

Options arrive from the command line and from model cards on disk, so a bad value
(`ngram_max: 1e8` in a hand-edited card) must stop with one line naming it, not hang.
"""
from __future__ import annotations

import math

from .base import ModelError


def check_int(name: str, value, lo: int, hi: int | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < lo or (hi is not None and value > hi):
        span = f"{lo}..{hi}" if hi is not None else f">= {lo}"
        raise ModelError(f"option {name} must be a whole number in {span}, not {value!r}")


def check_number(name: str, value, lo: float, hi: float | None = None, open_lo: bool = False) -> None:
    ok = (not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)
          and (value > lo if open_lo else value >= lo) and (hi is None or value <= hi))
    if not ok:
        span = f"{'>' if open_lo else '>='} {lo}" + (f" and <= {hi}" if hi is not None else "")
        raise ModelError(f"option {name} must be a number {span}, not {value!r}")


def check_choice(name: str, value, choices: tuple) -> None:
    if value not in choices:
        raise ModelError(f"option {name} must be one of {', '.join(map(repr, choices))}, not {value!r}")
