"""Shared fixtures: paths to the shipped data and the hand-written layout bulletins."""
import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "raw" / "000_f74bace5e6783c83.txt"
LAYOUTS = ROOT / "tests" / "fixtures" / "layouts"
GOLD = ROOT / "data" / "gold" / "seed.jsonl"


@pytest.fixture(scope="session")
def seed_bulletin():
    from nlp.parse import parse_file
    return parse_file(SEED)
