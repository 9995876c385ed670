"""Paths of the shipped data and fixtures, for the tests (import as `from paths import ...`)."""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED = ROOT / "data" / "raw" / "000_f74bace5e6783c83.txt"
LAYOUTS = ROOT / "tests" / "fixtures" / "layouts"
STRESS = ROOT / "tests" / "fixtures" / "stress"
GOLD = ROOT / "data" / "gold" / "seed.jsonl"
SYNTHETIC = ROOT / "data" / "synthetic" / "measures.jsonl"
