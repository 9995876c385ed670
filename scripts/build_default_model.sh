#!/usr/bin/env bash
# Rebuild the shipped default model: TF-IDF + cue, wording and bulletin-context features,
# trained on the seed's gold and all synthetic training measures, with the options chosen by
# leave-one-bulletin-out (scripts/select_default.py -> eval/reports/selection.json "chosen").
# The card records the harness's grouped cross-validation and what each piece adds (the selection).
# (Equivalent, once built: bulletin train --like models/default --out models/default)
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t OPTIONS < <(python - <<'PY'
import json
chosen = json.load(open("eval/reports/selection.json", encoding="utf-8"))["chosen"]
if not chosen or chosen["kind"] != "tfidf":
    raise SystemExit("eval/reports/selection.json chose no TF-IDF options: run scripts/select_default.py")
for key, value in chosen["options"].items():
    print("--option")
    print(f"{key}={json.dumps(value)}")
PY
)
bulletin train --kind tfidf --gold data/gold/seed.jsonl \
  --extra data/synthetic/measures.jsonl data/synthetic/bulletin_measures.jsonl \
  "${OPTIONS[@]}" --out models/default
python - <<'PY'
import json
from pathlib import Path
card_path = Path("models/default/model.json")
card = json.loads(card_path.read_text(encoding="utf-8"))
card["what_each_piece_adds"] = json.loads(Path("eval/reports/selection.json").read_text(encoding="utf-8"))
card_path.write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
PY
