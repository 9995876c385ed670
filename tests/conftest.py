"""Shared fixtures. Paths of the shipped data live in tests/paths.py."""
import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).parent))

from paths import GOLD, SEED  # noqa: E402


@pytest.fixture(scope="session")
def seed_bulletin():
    from nlp.parse import parse_file
    return parse_file(SEED)


@pytest.fixture(scope="session")
def scheme():
    """The shipped label scheme."""
    from nlp.labels import LabelScheme
    return LabelScheme.load()


@pytest.fixture(scope="session")
def gold(scheme):
    """The seed's gold measures (read-only: tests copy what they change)."""
    from nlp.data import load_labelled
    return load_labelled(GOLD, scheme)


@pytest.fixture
def bulletin():
    """Run `bulletin ARGS...` in-process; returns the exit status."""
    from nlp.cli import main
    return lambda *argv: main([str(a) for a in argv])
