"""The shape of the package: no import cycles, the CLI on top, one registry of model kinds,
and schemes whose tasks and labels are not the default's names."""
import ast
import json
from pathlib import Path

import numpy as np
import pytest

from nlp.classifiers import REGISTRY, build, register
from nlp.classifiers.base import Classifier, read_card
from nlp.labels import LabelScheme

from paths import GOLD, ROOT, SEED

PACKAGE = ROOT / "nlp"


def _imports() -> dict[str, set[str]]:
    """module -> the nlp modules it imports (at any depth of the file, relative or absolute)."""
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        mod = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        pkg = mod if parts[-1] == "__init__" else mod.rpartition(".")[0]
        deps = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = pkg.split(".")
                    base = base[: len(base) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                names = [target] + [f"{target}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            deps.update(n for n in names if n.startswith("nlp"))
        graph[mod] = deps
    modules = set(graph)
    return {m: {d for d in deps if d in modules and d != m} for m, deps in graph.items()}


def test_no_library_module_imports_the_cli():
    graph = _imports()
    users = sorted(m for m, deps in graph.items() if "nlp.cli" in deps)
    assert users == [], f"library modules import the CLI: {users}"


def test_module_import_graph_has_no_cycle():
    graph = _imports()
    state: dict[str, int] = {}

    def visit(m, stack):
        state[m] = 1
        for d in graph[m]:
            if d.startswith(m + "."):
                continue  # a package importing its own submodule is not a cycle
            if state.get(d) == 1:
                raise AssertionError("import cycle: " + " -> ".join(stack + [d]))
            if d not in state:
                visit(d, stack + [d])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])


class MajorityClassifier(Classifier):
    """A toy kind: predicts each task's most frequent training label."""

    kind = "majority"

    def fit(self, records, extra=None):
        self.prior_ = {}
        for name, task in self.scheme.tasks.items():
            counts = np.array([sum(r[name] == lb for r in records) for lb in task.labels], dtype=float) + 0.1
            self.prior_[name] = counts / counts.sum()
        self.card = self.base_card({}, records, extra)
        self.card["prior"] = {t: p.tolist() for t, p in self.prior_.items()}
        return self

    def predict_proba(self, records):
        return {t: np.tile(p, (len(records), 1)) for t, p in self.prior_.items()}

    def save(self, path):
        self.write_card(Path(path))

    @classmethod
    def load(cls, path):
        card = read_card(path)
        model = cls(LabelScheme.from_dict(card["scheme"]))
        model.prior_ = {t: np.array(p) for t, p in card["prior"].items()}
        model.card = card
        return model


@pytest.fixture
def majority_kind():
    register("majority", MajorityClassifier, help="toy: the most frequent label")
    yield "majority"
    REGISTRY.pop("majority", None)


def test_a_new_kind_is_one_registry_entry(majority_kind, tmp_path, bulletin, capsys):
    assert bulletin("train", "--kind", majority_kind, "--gold", GOLD, "--out", tmp_path / "m", "--no-eval") == 0
    assert read_card(tmp_path / "m")["kind"] == "majority"
    capsys.readouterr()
    assert bulletin("eval", "--gold", GOLD, "--model", tmp_path / "m", "--bootstrap", "0") == 0
    assert "n = 141" in capsys.readouterr().out
    assert bulletin("eval", "--gold", GOLD, "--cv", "3", "--models", "majority,rules", "--bootstrap", "0",
                    "--report-dir", tmp_path / "rep") == 0
    comp = json.loads((tmp_path / "rep" / "comparison.json").read_text(encoding="utf-8"))
    assert set(comp["models"]) == {"majority", "rules"}
    out = tmp_path / "rows.jsonl"
    assert bulletin("classify", SEED, "--model", tmp_path / "m", "--out", out) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 141 and {r["status"] for r in rows} == {"ongoing"}  # the seed's majority status


def _renamed_scheme() -> tuple[LabelScheme, dict, dict]:
    d = LabelScheme.load().to_dict()
    topic_names = {lb: f"t_{lb}" for lb in d["tasks"]["domain"]["labels"]}
    progress_names = {"done": "finished", "ongoing": "running", "planned": "future"}
    topic, progress = d["tasks"]["domain"], d["tasks"]["status"]
    new = {"name": "renamed", "tasks": {
        "topic": {"role": "topic", "labels": [topic_names[x] for x in topic["labels"]],
                  "cues": {topic_names[k]: v for k, v in topic["cues"].items()}},
        "progress": {"role": "progress", "labels": [progress_names[x] for x in progress["labels"]],
                     "progress_labels": {"finished": "finished", "continuing": "running", "future": "future"},
                     "cues": {progress_names[k]: v for k, v in progress["cues"].items()}}}}
    return LabelScheme.from_dict(new), topic_names, progress_names


def test_a_scheme_with_renamed_tasks_and_labels_trains_evaluates_and_classifies(tmp_path, bulletin, capsys):
    scheme, topic_names, progress_names = _renamed_scheme()
    scheme_path = tmp_path / "scheme.json"
    scheme_path.write_text(json.dumps(scheme.to_dict(), ensure_ascii=False), encoding="utf-8")
    gold = tmp_path / "gold.jsonl"
    with gold.open("w", encoding="utf-8") as f:
        for line in GOLD.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            r["topic"], r["progress"] = topic_names[r.pop("domain")], progress_names[r.pop("status")]
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    for kind in ("rules", "tfidf"):
        model_dir = tmp_path / kind
        assert bulletin("train", "--kind", kind, "--gold", gold, "--scheme", scheme_path, "--out", model_dir,
                        "--no-eval") == 0
        capsys.readouterr()
        assert bulletin("eval", "--gold", gold, "--model", model_dir, "--bootstrap", "0") == 0
        report = capsys.readouterr().out
        assert "## topic" in report and "## progress" in report
        out = tmp_path / f"{kind}.jsonl"
        assert bulletin("classify", SEED, "--model", model_dir, "--out", out) == 0
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert {r["progress"] for r in rows} <= {"finished", "running", "future"}
        assert {r["topic"] for r in rows} <= set(topic_names.values())
        assert sum(r["progress"] == "running" for r in rows) > 40  # the seed is mostly ongoing work


def test_build_refuses_unknown_options_with_a_clear_error():
    from nlp.errors import ModelError
    with pytest.raises(ModelError, match="unknown option"):
        build("tfidf", LabelScheme.load(), {"no_such_option": 1})
    with pytest.raises(ModelError, match="unknown model kind"):
        build("nope", LabelScheme.load())
    assert build("plain", LabelScheme.load()).registry_kind == "plain"
