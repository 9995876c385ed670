#!/usr/bin/env bash
# Rebuild the shipped default model: TF-IDF + cue features, trained on all gold data and the
# synthetic training measures, with the harness's grouped cross-validation in its card.
# (Equivalent: bulletin train --like models/default --out models/default)
set -euo pipefail
cd "$(dirname "$0")/.."
bulletin train --kind tfidf --gold data/gold/seed.jsonl --extra data/synthetic/measures.jsonl --out models/default
