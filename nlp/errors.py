"""Every error a user can cause derives from one base, so the CLI catches it once.

Each subclass says where the problem lies; its message is one line a user can act on.
`exit_status` follows the README: 2 for an unusable argument, model, scheme or labelled
file; inputs that fail inside a batch are reported by the batch and give status 1.
"""
from __future__ import annotations


class BulletinError(Exception):
    """Base of the toolkit's user-facing errors; the message is one line."""

    exit_status = 2


class UsageError(BulletinError, ValueError):
    """An argument or option that cannot be used."""


class SourceError(BulletinError, ValueError):
    """A file that cannot be read as a bulletin (empty, binary, undecodable, too large)."""


class ModelError(BulletinError, ValueError):
    """A model that cannot be built, loaded or used."""


class SchemeError(BulletinError, ValueError):
    """A label scheme that cannot be used."""


class GoldError(BulletinError, ValueError):
    """A labelled file with a problem; the message names the file and line."""


class TrainError(BulletinError, ValueError):
    """Training cannot start or failed."""


class SheetError(BulletinError, ValueError):
    """An annotation sheet that cannot be read or imported."""


class SummaryError(BulletinError, ValueError):
    """A summary that cannot be made (e.g. an abstractive model that does not load)."""


class ThresholdError(BulletinError):
    """An evaluation below a floor given with --fail-under or --baseline (exit status 1)."""

    exit_status = 1
