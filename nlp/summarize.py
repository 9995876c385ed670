"""Extractive summaries of a bulletin at three levels (whole, per domain, per problem).

Sentences are ranked by TextRank over character-bigram cosine similarity, which needs
no model and no word segmentation, and the chosen ones are given back whole and in
source order, so a summary never puts words in the bulletin's mouth. An optional
seq2seq model can rewrite each extract (`--abstractive MODEL`).
"""
from __future__ import annotations

import json
import re
import sys
from collections import Counter
from dataclasses import asdict, dataclass

from .facts import LABEL_ZH, fact_sheet
from .sentences import Sentence, split_sentences

LEVELS = ("bulletin", "domain", "issue")
DEFAULT_SENTENCES = {"bulletin": 5, "domain": 3, "issue": 2}
ABSTRACTIVE_INPUT_CHARS = 1000  # extract first, then let the model rewrite this much


from .errors import SummaryError  # noqa: F401


@dataclass
class Length:
    """How long a summary may be: at most `sentences` sentences and/or `chars` characters."""

    sentences: int | None = None
    chars: int | None = None

    def for_level(self, level: str) -> "Length":
        if self.sentences is None and self.chars is None:
            return Length(DEFAULT_SENTENCES[level], None)
        return self


# --- source sentences ---------------------------------------------------------------

_HAN = re.compile(r"[\u4e00-\u9fff]")
_HEADING = re.compile(r"^[一二三四五六七八九十]+[、.．]|^(时间|发布时间|来源|日期)\s*[:：]")


def _is_prose(s: Sentence, strict: bool) -> bool:
    """A sentence worth extracting: not a heading, title or page furniture."""
    if len(_HAN.findall(s.text)) < 4 or _HEADING.match(s.text):
        return False
    # outside the measures, a line without closing punctuation is a title or heading
    return not strict or s.text[-1] in "。！？!?；;…”" or len(s.text) >= 40


def row_sentences(rows: list[dict]) -> list[Sentence]:
    """Sentences of measure rows, with offsets into the bulletin text."""
    return [s for r in rows for s in split_sentences(r["text"], offset=r["start"]) if _is_prose(s, False)]


def bulletin_sentences(bulletin, rows: list[dict]) -> list[Sentence]:
    """All prose of the bulletin in text order: opening, organisation, measures, next steps."""
    sents = [s for sec in bulletin.sections if sec.kind != "closing"
             for s in split_sentences(sec.text, offset=sec.start)
             if _is_prose(s, True) and s.text != bulletin.title]
    return sorted(sents + row_sentences(rows), key=lambda s: s.start)


def unit_sentences(bulletin, rows: list[dict], level: str, key: str | int | None = None) -> list[Sentence]:
    """The source of one summary: the whole bulletin, one domain's measures or one problem's."""
    if level == "bulletin":
        return bulletin_sentences(bulletin, rows)
    if level == "domain":
        return row_sentences([r for r in rows if r["domain"] == key])
    if level == "issue":
        return row_sentences([r for r in rows if r["issue_no"] == int(key)])
    raise ValueError(f"unknown summary level '{level}' (known: {', '.join(LEVELS)})")


# --- ranking and selection ----------------------------------------------------------

def _bigram_matrix(texts: list[str]):
    import numpy as np

    grams = [Counter(a + b for a, b in zip(t, t[1:]) if a.isalnum() and b.isalnum()) for t in texts]
    vocab = {g: i for i, g in enumerate(sorted({g for c in grams for g in c}))}
    m = np.zeros((len(texts), max(1, len(vocab))))
    for i, c in enumerate(grams):
        for g, n in c.items():
            m[i, vocab[g]] = n
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.where(norms == 0, 1, norms)


def similarity(texts: list[str]):
    """Cosine similarity of character-bigram counts; the diagonal is zero."""
    import numpy as np

    v = _bigram_matrix(texts)
    sim = v @ v.T
    np.fill_diagonal(sim, 0.0)
    return sim


def textrank(sim, damping: float = 0.85, iters: int = 100, tol: float = 1e-8, prior=None):
    """PageRank scores over a weighted sentence graph (Mihalcea & Tarau 2004).

    `prior` (optional, one weight per sentence) is where a random walk restarts: a biased
    TextRank that can favour some sentences before their similarity is considered.
    """
    import numpy as np

    n = sim.shape[0]
    if n == 0:
        return np.zeros(0)
    jump = np.full(n, 1.0 / n) if prior is None else np.asarray(prior, float) / np.sum(prior)
    out = sim.sum(axis=1, keepdims=True)
    trans = np.where(out > 0, sim / np.where(out == 0, 1, out), 1.0 / n)  # dangling: jump anywhere
    scores = np.full(n, 1.0 / n)
    for _ in range(iters):
        new = (1 - damping) * jump + damping * trans.T @ scores
        if np.abs(new - scores).sum() < tol:
            return new
        scores = new
    return scores


def _fits(chosen_len: int, s: Sentence, length: Length) -> bool:
    return length.chars is None or chosen_len + len(s.text) <= length.chars


def select(sentences: list[Sentence], length: Length, redundancy: float = 0.5,
           opening_bias: bool = True) -> list[Sentence]:
    """The top-ranked whole sentences within `length`, in source order.

    A sentence too similar (cosine > `redundancy`) to one already chosen is passed over
    while others remain, so a summary does not say the same thing twice.
    """
    if not sentences:
        return []
    sim = similarity([s.text for s in sentences])
    # a measure (or paragraph) states its action first, details and figures after
    prior = [1.0 / (1 + s.index) for s in sentences] if opening_bias else None
    scores = textrank(sim, prior=prior)
    order = sorted(range(len(sentences)), key=lambda i: (-scores[i], i))
    chosen: list[int] = []
    used = 0
    for strict in (True, False):
        for i in order:
            if length.sentences is not None and len(chosen) >= length.sentences:
                break
            if i in chosen or not _fits(used, sentences[i], length):
                continue
            if strict and any(sim[i, j] > redundancy for j in chosen):
                continue
            chosen.append(i)
            used += len(sentences[i].text)
    return [sentences[i] for i in sorted(chosen)]


def lead(sentences: list[Sentence], length: Length) -> list[Sentence]:
    """The baseline: the first sentences of the source that fit `length`."""
    out: list[Sentence] = []
    used = 0
    for s in sentences:
        if length.sentences is not None and len(out) >= length.sentences:
            break
        if _fits(used, s, length):
            out.append(s)
            used += len(s.text)
    return out


def join(sentences: list[Sentence]) -> str:
    """Chosen sentences as one text; a space where one lacks closing punctuation."""
    out = ""
    for s in sentences:
        if out and (out[-1].isalnum()):
            out += " "
        out += s.text
    return out


# --- optional abstractive backend ---------------------------------------------------

class Abstractive:
    """Any Hugging Face seq2seq checkpoint (name or path) that rewrites an extract."""

    def __init__(self, name_or_path: str, max_input_tokens: int = 512, max_new_tokens: int = 128):
        try:
            from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
        except ImportError as exc:
            raise SummaryError(f"--abstractive needs transformers and torch: {exc}") from None
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(name_or_path)
            self.model = AutoModelForSeq2SeqLM.from_pretrained(name_or_path)
        except (OSError, ValueError) as exc:
            raise SummaryError(f"cannot load seq2seq model '{name_or_path}': {str(exc).splitlines()[0]}") from None
        self.model.eval()
        self.name = str(name_or_path)
        self.max_input_tokens = max_input_tokens
        self.max_new_tokens = max_new_tokens

    def __call__(self, text: str) -> str:
        import torch

        limit = min(self.max_input_tokens, getattr(self.tokenizer, "model_max_length", 10**6) or 10**6)
        enc = self.tokenizer(text, return_tensors="pt", truncation=True, max_length=limit)
        enc.pop("token_type_ids", None)
        with torch.no_grad():
            ids = self.model.generate(**enc, max_new_tokens=self.max_new_tokens, num_beams=2)
        return self.tokenizer.decode(ids[0], skip_special_tokens=True).strip()


# --- the three levels ---------------------------------------------------------------

def _unit(sentences: list[Sentence], length: Length, abstractive: Abstractive | None) -> dict:
    chosen = select(sentences, length)
    out = {"summary": join(chosen), "chars": len(join(chosen)), "source_sentences": len(sentences),
           "sentences": [asdict(s) for s in chosen]}
    if abstractive is not None:
        out["abstractive"] = abstractive(join(select(sentences, Length(None, ABSTRACTIVE_INPUT_CHARS))))
    return out


def _majority(values: list[str]) -> str | None:
    return Counter(values).most_common(1)[0][0] if values else None


def summarize_bulletin(bulletin, rows: list[dict], length: Length | None = None,
                       levels: tuple[str, ...] = LEVELS, abstractive: Abstractive | None = None,
                       domains: list[str] | None = None, statuses: list[str] | None = None) -> dict:
    """Summaries and fact sheet of one bulletin; `rows` are its labelled measure rows.

    `domains`/`statuses` fix the order of labels (the model's scheme); by default the
    domains come most frequent first.
    """
    length = length or Length()
    counts = Counter(r["domain"] for r in rows)
    domains = domains or sorted(counts, key=lambda d: (-counts[d], d))
    out: dict = {"bulletin_id": bulletin.bulletin_id, "title": bulletin.title, "issuer": bulletin.issuer,
                 "length": {lv: asdict(length.for_level(lv)) for lv in levels}}
    if abstractive is not None:
        out["abstractive_model"] = abstractive.name
    if "bulletin" in levels:
        out["bulletin"] = _unit(unit_sentences(bulletin, rows, "bulletin"), length.for_level("bulletin"), abstractive)
    if "domain" in levels:
        out["domains"] = []
        for d in domains:
            drows = [r for r in rows if r["domain"] == d]
            if drows:
                done = sum(r["status"] == "done" for r in drows)
                out["domains"].append({"domain": d, "measures": len(drows), "share_done": round(done / len(drows), 4),
                                       **_unit(unit_sentences(bulletin, rows, "domain", d), length.for_level("domain"),
                                               abstractive)})
    if "issue" in levels:
        out["issues"] = []
        for issue in bulletin.issues:
            irows = [r for r in rows if r["issue_no"] == issue.no]
            out["issues"].append({"issue_no": issue.no, "title": issue.title, "measures": len(irows),
                                  "domain": _majority([r["domain"] for r in irows]),
                                  **_unit(unit_sentences(bulletin, rows, "issue", issue.no), length.for_level("issue"),
                                          abstractive)})
    out["facts"] = fact_sheet(bulletin, rows, domains, statuses)
    return out


# --- Markdown -----------------------------------------------------------------------

def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.0f}%"


def _zh(label: str) -> str:
    return f"{LABEL_ZH[label]} ({label})" if label in LABEL_ZH else label


def facts_markdown(facts: dict) -> str:
    """The fact sheet as Markdown tables and lists."""
    table = facts["by_domain_status"]
    statuses = list(next(iter(table.values()), {}).keys())
    out = ["| domain | " + " | ".join(statuses) + " | total | share done |",
           "|---|" + "---:|" * (len(statuses) + 2)]
    for d, c in table.items():
        out.append(f"| {_zh(d)} | " + " | ".join(str(c.get(s, 0)) for s in statuses)
                   + f" | {facts['measures_by_domain'][d]} | {_pct(facts['share_done_by_domain'][d])} |")
    out.append("| **all** | " + " | ".join(str(sum(c.get(s, 0) for c in table.values())) for s in statuses)
               + f" | {facts['measures']} | {_pct(facts['share_done'])} |")
    out += ["", f"### Figures ({len(facts['figures'])})", ""]
    out += [f"- {f['issue_no']}.{f['measure_no']} **{f['text']}** ({f['kind']}): {f['context']}" for f in facts["figures"]]
    out += ["", f"### Future dates and deadlines ({len(facts['deadlines'])}; as of {facts['reference_date'] or 'unknown'})", ""]
    for d in facts["deadlines"]:
        where = f"{d['issue_no']}.{d['measure_no']}" if d["issue_no"] is not None else d.get("section", "")
        due = f" (by {d['due']})" if d["due"] else ""
        out.append(f"- {where} **{d['text']}**{due}: {d['context']}")
    return "\n".join(out)


def to_markdown(result: dict) -> str:
    """One bulletin's summaries and fact sheet as a readable page."""
    out = [f"# {result['title'] or result['bulletin_id']}", ""]
    if "bulletin" in result:
        out += [result["bulletin"]["summary"], ""]
        if "abstractive" in result["bulletin"]:
            out += [f"*Abstractive ({result['abstractive_model']}):* {result['bulletin']['abstractive']}", ""]
    out += ["## Fact sheet", "", facts_markdown(result["facts"]), ""]
    if result.get("domains"):
        out += ["## By domain", ""]
        for d in result["domains"]:
            out += [f"### {_zh(d['domain'])}: {d['measures']} measures, {_pct(d['share_done'])} done", "", d["summary"], ""]
            if "abstractive" in d:
                out += [f"*Abstractive:* {d['abstractive']}", ""]
    if result.get("issues"):
        out += ["## By problem", ""]
        for i in result["issues"]:
            out += [f"### {i['issue_no']}. {i['title']}", "", i["summary"], ""]
            if "abstractive" in i:
                out += [f"*Abstractive:* {i['abstractive']}", ""]
    return "\n".join(out)


# --- many files -----------------------------------------------------------------------

def summarize_files(inputs: list, model, length: Length | None = None, levels: tuple[str, ...] = LEVELS,
                    abstractive: "Abstractive | None" = None, failures=None) -> list[dict]:
    """Label and summarise every bulletin under `inputs`; bad files go to `failures`."""
    from .batch import Failures, iter_parsed
    from .classify import classify_bulletin

    failures = failures if failures is not None else Failures()
    task = model.scheme.tasks
    if not {"domain", "status"} <= set(task):
        raise SummaryError("summaries need a model with 'domain' and 'status' tasks")
    results = []
    for b in iter_parsed(inputs, failures, desc="summarising"):
        rows = classify_bulletin(b, model)
        results.append(summarize_bulletin(b, rows, length, levels, abstractive,
                                          task["domain"].labels, task["status"].labels))
    return results
