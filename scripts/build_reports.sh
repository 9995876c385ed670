#!/usr/bin/env bash
# Regenerate eval/reports/: the cross-validated comparison of every model kind on the gold
# data (with the cross-unit dev set held out), the in-domain vs cross-unit table of the
# shipped default and its baselines, and ROUGE of the summariser against the references.
# (The option selection, eval/reports/selection.md, is slower: python scripts/select_default.py.)
# The transformer row uses the tiny randomly initialised test BERT (no hub here): it shows
# the fine-tuning path runs inside the harness, not what a pretrained Chinese model scores.
# With hub access, add e.g. transformer:hfl/chinese-roberta-wwm-ext+extra to --models.
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1
tiny=$(mktemp -d)/tiny-bert
python - "$tiny" <<'PY'
import sys
sys.path.insert(0, "tests")
from helpers.tiny_bert import build_tiny_bert
from nlp.data import load_labelled
from nlp.labels import LabelScheme
recs = load_labelled(["data/gold/seed.jsonl", "data/synthetic/measures.jsonl"], LabelScheme.load())
build_tiny_bert([r["issue_title"] + r["text"] for r in recs], sys.argv[1])
PY
bulletin eval --gold data/gold/seed.jsonl --extra data/synthetic/measures.jsonl data/synthetic/bulletin_measures.jsonl \
  --cv 5 --heldout data/dev/gold.jsonl \
  --models "rules,plain,plain+extra,tfidf,tfidf+extra,transformer:$tiny+extra" --report-name comparison
python scripts/eval_cross_unit.py
python -m nlp.summary_eval --refs data/gold/summaries.jsonl --out eval/reports/
