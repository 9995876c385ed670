"""Labelled measures: reading and validating gold files, grouped splits, `datasets` views.

Gold files are JSON Lines in the record format of LABELS.md. Splits keep all measures of
one bulletin (or, inside a single bulletin, of one problem) on the same side, so that no
text leaks between train and test.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .errors import GoldError  # noqa: F401
from .labels import LabelScheme
from .records import REQUIRED_FIELDS


def read_labelled(path: str | Path, scheme: LabelScheme, require_labels: bool = True) -> list[dict]:
    """Read one JSON Lines file of labelled measures, checking every line against the scheme."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        raise GoldError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise GoldError(f"{path}: not UTF-8 text") from None
    except IsADirectoryError:
        raise GoldError(f"{path}: is a folder; give a JSON Lines file") from None
    records = []
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            raise GoldError(f"{where}: not valid JSON") from None
        if not isinstance(rec, dict):
            raise GoldError(f"{where}: expected a JSON object")
        for f in REQUIRED_FIELDS:
            if f not in rec or rec[f] in (None, ""):
                raise GoldError(f"{where}: missing field '{f}'")
        if not isinstance(rec["text"], str):
            raise GoldError(f"{where}: 'text' must be a string")
        for f in ("issue_no", "measure_no"):
            v = rec[f]
            if isinstance(v, str) and v.strip().isdigit():
                v = int(v)
            elif isinstance(v, float) and v.is_integer():
                v = int(v)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise GoldError(f"{where}: '{f}' must be a whole number >= 1 (got {json.dumps(rec[f], ensure_ascii=False)})")
            rec[f] = v
        rec.setdefault("issue_title", "")
        if require_labels:
            for task in scheme.tasks.values():
                label = rec.get(task.name)
                if label in (None, ""):
                    raise GoldError(f"{where}: missing label '{task.name}'")
                if label not in task.labels:
                    raise GoldError(f"{where}: unknown {task.name} label '{label}' (known: {', '.join(task.labels)})")
        records.append(rec)
    if not records:
        raise GoldError(f"{path}: no records")
    return records


def load_labelled(paths: list[str | Path] | str | Path, scheme: LabelScheme, require_labels: bool = True) -> list[dict]:
    """Read several gold files; a measure (bulletin, issue, measure number) may appear once."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    out, seen = [], {}
    for p in paths:
        for rec in read_labelled(p, scheme, require_labels):
            key = measure_key(rec)
            if key in seen:
                raise GoldError(f"{p}: measure {key} appears twice (also in {seen[key]})")
            seen[key] = str(p)
            out.append(rec)
    return out


def measure_key(rec: dict) -> tuple[str, int, int]:
    return (str(rec["bulletin_id"]), int(rec["issue_no"]), int(rec["measure_no"]))


def records_hash(records: list[dict], fields: tuple[str, ...] | None = None) -> str:
    """A stable fingerprint of labelled data, for model cards."""
    h = hashlib.sha256()
    for r in records:
        keep = {k: r.get(k) for k in (fields or sorted(r))}
        h.update(json.dumps(keep, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    return h.hexdigest()[:16]


def group_level(records: list[dict]) -> str:
    """'bulletin' when the data spans several bulletins, else 'issue'."""
    return "bulletin" if len({r["bulletin_id"] for r in records}) > 1 else "issue"


def group_of(rec: dict, level: str) -> str:
    return str(rec["bulletin_id"]) if level == "bulletin" else f"{rec['bulletin_id']}#{rec['issue_no']}"


def _groups(records: list[dict], level: str) -> list[str]:
    return [group_of(r, level) for r in records]


def _strata(records: list[dict]) -> list[str] | None:
    """The label to stratify folds on: the progress task's ('status'), whose rare labels
    (planned) would otherwise land in one fold. None when records carry no such label."""
    for key in ("status", "progress"):
        if all(key in r for r in records):
            return [str(r[key]) for r in records]
    return None


def grouped_folds(records: list[dict], k: int, level: str | None = None, seed: int = 0) -> list[tuple[list[int], list[int]]]:
    """K folds (train indices, test indices) with whole groups on one side.

    scikit-learn's StratifiedGroupKFold (shuffled with `seed`), stratified by status so that
    rare labels spread over the folds; GroupKFold when records carry no status.
    """
    import warnings

    import numpy as np
    from sklearn.model_selection import GroupKFold, StratifiedGroupKFold

    level = level or group_level(records)
    groups = _groups(records, level)
    n_groups = len(set(groups))
    if k < 2:
        raise GoldError(f"cross-validation needs at least 2 folds (got {k})")
    if n_groups < k:
        raise GoldError(f"cannot make {k} folds from {n_groups} {level} group(s)")
    X = np.zeros((len(records), 1))
    y = _strata(records)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "least populated class has only n members"
        if y is not None:
            splits = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed).split(X, y, groups)
        else:
            splits = GroupKFold(n_splits=k, shuffle=True, random_state=seed).split(X, groups=groups)
        return [(sorted(map(int, tr)), sorted(map(int, te))) for tr, te in splits]


def leave_one_bulletin_out(records: list[dict]) -> list[tuple[str, list[int], list[int]]]:
    """(bulletin id, train indices, test indices) for each bulletin: scikit-learn's LeaveOneGroupOut."""
    import numpy as np
    from sklearn.model_selection import LeaveOneGroupOut

    groups = [str(r["bulletin_id"]) for r in records]
    if len(set(groups)) < 2:
        raise GoldError("leave-one-bulletin-out needs at least two bulletins")
    out = []
    for tr, te in LeaveOneGroupOut().split(np.zeros((len(records), 1)), groups=groups):
        out.append((groups[te[0]], sorted(map(int, tr)), sorted(map(int, te))))
    return out


def grouped_split(records: list[dict], test_size: float = 0.2, level: str | None = None,
                  seed: int = 0) -> tuple[list[int], list[int]]:
    """One train/test split by groups (scikit-learn's GroupShuffleSplit), about `test_size` in test."""
    import numpy as np
    from sklearn.model_selection import GroupShuffleSplit

    level = level or group_level(records)
    groups = _groups(records, level)
    if len(set(groups)) < 2:  # a single group: nothing would be left to train on
        raise GoldError("need at least two groups to split")
    tr, te = next(GroupShuffleSplit(n_splits=1, test_size=test_size, random_state=seed)
                  .split(np.zeros((len(records), 1)), groups=groups))
    return sorted(map(int, tr)), sorted(map(int, te))


def to_dataset_dict(records: list[dict], scheme: LabelScheme, test_size: float = 0.2,
                    level: str | None = None, seed: int = 0):
    """A `datasets.DatasetDict` (train/test) with one ClassLabel feature per task, split by group."""
    from datasets import ClassLabel, Dataset, DatasetDict, Features, Value

    feats = {"bulletin_id": Value("string"), "issue_no": Value("int32"), "measure_no": Value("int32"),
             "issue_title": Value("string"), "text": Value("string")}
    for t in scheme.tasks.values():
        feats[t.name] = ClassLabel(names=t.labels)
    features = Features(feats)

    def table(idx: list[int]) -> dict:
        cols: dict[str, list] = {k: [] for k in feats}
        for i in idx:
            r = records[i]
            for k in feats:
                v = r.get(k, "")
                cols[k].append(scheme.tasks[k].index(v) if k in scheme.tasks else v)
        return cols

    train_idx, test_idx = grouped_split(records, test_size, level, seed)
    return DatasetDict({"train": Dataset.from_dict(table(train_idx), features=features),
                        "test": Dataset.from_dict(table(test_idx), features=features)})


# --- stand-off gold: labels kept apart from texts that may not be committed ------------

# The informal unit names of the dev set's hand structures, in the metadata's unit types.
UNIT_TYPES_OF_DEV = {
    "civil_affairs": "department", "court": "court_or_procuratorate", "culture_tourism": "department",
    "dev_zone": "development_zone", "ecology_bureau": "department", "emergency_bureau": "department",
    "health_commission": "department", "hospital": "hospital", "medical_insurance": "department",
    "procuratorate": "court_or_procuratorate", "science_association": "mass_organisation", "soe_group": "soe",
    "street": "township_or_street", "town": "township_or_street", "transport_bureau": "department",
    "university": "school_or_university", "village": "village", "womens_federation": "mass_organisation",
}


def published_date(text: str) -> str | None:
    """The ISO date a bulletin gives in its first lines (发布日期/时间 or a date line), else None."""
    from .zh import first_date
    return first_date("\n".join(text.strip().splitlines()[:6]))


def load_standoff(structure_path: str | Path, text_path: str | Path, labels_path: str | Path | None,
                  scheme: LabelScheme | None = None, context: dict | None = None) -> list[dict]:
    """Measure records of a bulletin whose text may not be committed: spans from a stand-off
    structure file, text from the source file (checked against the structure's hashes),
    labels (if given) from a stand-off labels file keyed by bulletin, problem and measure."""
    structure = json.loads(Path(structure_path).read_text(encoding="utf-8"))
    try:
        text = Path(text_path).read_text(encoding="utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    except FileNotFoundError:
        raise GoldError(f"{text_path}: no such file (the stand-off text is read from there)") from None
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != structure["text_sha256"]:
        raise GoldError(f"{text_path}: not the text {structure_path} was made from (sha256 differs)")
    labels = {}
    if labels_path:
        for line in Path(labels_path).read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                labels[measure_key(r)] = r
    bid = structure["bulletin_id"]
    out = []
    for p in structure["problems"]:
        title = text[p["title_start"]:p["title_end"]]
        for m in p["measures"]:
            rec = {"bulletin_id": bid, "issue_no": p["issue_no"], "measure_no": m["measure_no"], "issue_title": title,
                   "text": text[m["start"]:m["end"]], "start": m["start"], "end": m["end"], **(context or {})}
            if labels_path:
                lab = labels.get(measure_key(rec))
                if lab is None:
                    raise GoldError(f"{labels_path}: no label for measure {measure_key(rec)}")
                for t in (scheme.tasks if scheme else ("domain", "status")):
                    rec[t] = lab[t]
            out.append(rec)
    return out
