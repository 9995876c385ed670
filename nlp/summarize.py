"""Extractive summaries of a bulletin at three levels (whole, per topic label, per problem).

Sentences are ranked by where they stand and what they say (no model, no word
segmentation): the opening sentence of each measure, earlier measures first, sentences
with figures or documents above those without; boilerplate (成立领导小组, 召开专题会议,
深入学习…精神 with nothing concrete) and bare fragments (加强监管。) are passed over while
anything else remains, and no sentence is said twice. TextRank over character-bigram
cosine is an option (`ranker="textrank"`); it scored lower on the references.
The chosen ones are given back whole, in source order, with offsets into the bulletin,
so a summary never puts words in the bulletin's mouth; the one sentence that is not
extracted, the bulletin's `headline`, is built from its fact sheet and marked as such.

TextRank's similarity graph is sparse: up to DENSE_LIMIT sentences every pair is compared;
beyond that each sentence is compared with its WINDOW neighbours, so memory grows
linearly with the bulletin (a 10 MB bulletin: scripts/bench_summary_memory.py).
An optional seq2seq model can rewrite each extract (`--abstractive MODEL`).
"""
from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Iterator

from .errors import SummaryError
from .facts import fact_sheet
from .sentences import Sentence, split_sentences

LEVELS = ("bulletin", "topic", "issue")
LEVEL_ALIASES = {"domain": "topic"}  # reference files written before scheme roles
DEFAULT_SENTENCES = {"bulletin": 5, "topic": 3, "issue": 2}
ABSTRACTIVE_INPUT_CHARS = 1000  # extract first, then let the model rewrite this much
DENSE_LIMIT = 1500  # sentences compared pairwise; beyond, a window of neighbours
WINDOW = 100
MIN_HAN = 10  # fewer Chinese characters than this: a fragment, not a sentence worth extracting

__all__ = ["LEVELS", "Length", "SummaryError", "summarize_bulletin", "summarize_files", "to_markdown", "select",
           "lead", "join", "unit_sentences", "bulletin_sentences"]


@dataclass
class Length:
    """How long a summary may be: at most `sentences` sentences and/or `chars` characters."""

    sentences: int | None = None
    chars: int | None = None

    def for_level(self, level: str) -> "Length":
        if self.sentences is None and self.chars is None:
            return Length(DEFAULT_SENTENCES[LEVEL_ALIASES.get(level, level)], None)
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


def anchored_sentences(text: str, start: int, end: int, source: str | None) -> list[Sentence]:
    """Sentences of a measure's text with offsets into the bulletin text `source`.

    A measure's text may differ from source[start:end] (its label, joined paragraphs), so
    every sentence is looked up in the source from `start` on; one that cannot be found
    verbatim is left out rather than given a wrong offset.
    """
    sents = split_sentences(text, offset=start)
    if source is None or source[start:start + len(text)] == text:
        return sents
    out, cursor = [], start
    for k, s in enumerate(sents):
        at = source.find(s.text, cursor, max(end, cursor) + len(s.text) + 200)
        if at < 0:
            continue
        out.append(Sentence(s.text, at, at + len(s.text), s.index))
        cursor = at + len(s.text)
    return out


def row_sentences(rows: list[dict], source: str | None = None) -> list[Sentence]:
    """Sentences of measure rows, with offsets into the bulletin text."""
    return [s for r in rows for s in anchored_sentences(r["text"], r["start"], r.get("end", r["start"]), source)
            if _is_prose(s, False)]


def bulletin_sentences(bulletin, rows: list[dict]) -> list[Sentence]:
    """All prose of the bulletin in text order: opening, organisation, measures, next steps."""
    sents = [s for sec in bulletin.sections if sec.kind != "closing"
             for s in split_sentences(sec.text, offset=sec.start)
             if _is_prose(s, True) and s.text != bulletin.title]
    return sorted(sents + row_sentences(rows, bulletin.text), key=lambda s: s.start)


def unit_sentences(bulletin, rows: list[dict], level: str, key: str | int | None = None,
                   topic_task: str | None = None) -> list[Sentence]:
    """The source of one summary: the whole bulletin, one topic label's measures or one problem's."""
    level = LEVEL_ALIASES.get(level, level)
    if level == "bulletin":
        return bulletin_sentences(bulletin, rows)
    if level == "topic":
        task = topic_task or _topic_name(rows)
        return row_sentences([r for r in rows if r.get(task) == key], bulletin.text)
    if level == "issue":
        return row_sentences([r for r in rows if r["issue_no"] == int(key)], bulletin.text)
    raise SummaryError(f"unknown summary level '{level}' (known: {', '.join(LEVELS)})")


def with_display_names(scheme):
    """The scheme, with Chinese display names taken from the project's scheme for any task
    that lacks them but has the same name, role and labels (models trained before display
    names existed carry none in their card)."""
    import copy

    from .labels import default_scheme

    if all(t.display for t in scheme.tasks.values()):
        return scheme
    ref = default_scheme().tasks
    out = copy.deepcopy(scheme)
    for name, t in out.tasks.items():
        if not t.display and name in ref and ref[name].role == t.role and ref[name].labels == t.labels:
            t.display = copy.deepcopy(ref[name].display)
    return out


def _topic_name(rows: list[dict]) -> str:
    from .labels import default_scheme
    return default_scheme().topic.name


# --- what a sentence says -------------------------------------------------------------

# Phrases of the genre that say nothing about this bulletin: how seriously the rectification
# was taken, who chaired which meeting, what spirit was studied. A sentence made of them,
# without a figure or a concrete object, is boilerplate.
_BOILER = re.compile(
    r"高度重视|深入(学习|贯彻)|认真(学习|贯彻|落实)|贯彻落实|重要(论述|指示|讲话)|精神|政治(责任|任务)|主体责任|第一责任人|"
    r"领导小组|专题(会议|研究|部署)|召开|研究部署|听取|汇报|动员|部署要求|压紧压实|压实|层层|落细落实|落地见效|"
    r"举一反三|标本兼治|长效机制|常态长效|以.{1,6}促|转化为|持续(跟踪|推进|深化|巩固)|巩固.{0,4}成果|久久为功|"
    r"坚决|切实|扎实|全力|不断|进一步|始终|坚持|推动|确保|切实做到|一体|责任清单|任务清单|问题清单|倒排|挂图作战|"
    r"继续|下一步|将继续|决策部署|高质量发展|强大动力|政治站位|四个意识|两个维护|两个确立|"
    r"现将.{0,16}(予以公布|公布如下|通报如下)|有关(规定|要求)|全面落实|有力有序|落实落地|组织领导|总书记|重要论述|"
    r"成果运用|加强对|定期听取|照单全收|逐条认领")
_CONCRETE = re.compile(r"\d|[一二三四五六七八九十百千万]+(个|项|家|人|名|次|件|条|所|户|亩)|《|“")


def boilerplate(text: str) -> float:
    """0 (concrete) … 1 (all genre phrases): the share of the sentence its stock phrases cover,
    halved when it states a figure, a document or a quoted name."""
    han = len(_HAN.findall(text)) or 1
    covered = sum(len(m.group(0)) for m in _BOILER.finditer(text))
    score = min(1.0, 2.2 * covered / han)
    return score / 2 if _CONCRETE.search(text) else score


def is_fragment(text: str) -> bool:
    """A bare phrase (加强监管。) rather than a sentence that can stand alone."""
    return len(_HAN.findall(text)) < MIN_HAN


def _norm(text: str) -> str:
    return re.sub(r"[^\w]", "", text)


# --- ranking and selection ----------------------------------------------------------

def _bigrams(text: str) -> Counter:
    return Counter(a + b for a, b in zip(text, text[1:]) if a.isalnum() and b.isalnum())


def _bigram_vectors(texts: list[str]):
    """Unit-length character-bigram count vectors (scipy CSR, one row per text)."""
    import numpy as np
    from scipy.sparse import csr_matrix

    vocab: dict[str, int] = {}
    indptr, indices, values = [0], [], []
    for t in texts:
        c = _bigrams(t)
        for g, n in c.items():
            indices.append(vocab.setdefault(g, len(vocab)))
            values.append(float(n))
        indptr.append(len(indices))
    m = csr_matrix((np.array(values), np.array(indices, dtype=np.int64), np.array(indptr, dtype=np.int64)),
                   shape=(len(texts), max(1, len(vocab))))
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    from scipy.sparse import diags
    return diags(1.0 / norms) @ m


def similarity(texts: list[str], window: int | None = None):
    """Cosine similarity of character-bigram counts as a sparse matrix; the diagonal is zero.

    Up to DENSE_LIMIT texts every pair is compared; beyond that (or with `window`) only
    texts at most `window` positions apart, so memory grows linearly with the text.
    """
    from scipy.sparse import csr_matrix, vstack

    v = _bigram_vectors(texts)
    n = len(texts)
    if window is None and n <= DENSE_LIMIT:
        sim = (v @ v.T).tocsr()
    else:
        w = window or WINDOW
        blocks = []
        for lo in range(0, n, w):
            hi = min(n, lo + w)
            a, b = max(0, lo - w), min(n, hi + w)
            part = (v[lo:hi] @ v[a:b].T).tocoo()
            keep = abs((part.row + lo) - (part.col + a)) <= w
            blocks.append(csr_matrix((part.data[keep], (part.row[keep], part.col[keep] + a)), shape=(hi - lo, n)))
        sim = vstack(blocks).tocsr() if blocks else csr_matrix((0, 0))
    sim.setdiag(0.0)
    sim.eliminate_zeros()
    return sim


def textrank(sim, damping: float = 0.85, iters: int = 100, tol: float = 1e-8, prior=None):
    """PageRank scores over a weighted sentence graph (Mihalcea & Tarau 2004).

    `sim` may be dense or sparse. `prior` (optional, one weight per sentence) is where a
    random walk restarts: a biased TextRank that can favour some sentences before their
    similarity is considered.
    """
    import numpy as np
    from scipy.sparse import csr_matrix, diags

    sim = csr_matrix(sim)
    n = sim.shape[0]
    if n == 0:
        return np.zeros(0)
    jump = np.full(n, 1.0 / n) if prior is None else np.asarray(prior, float) / np.sum(prior)
    out = np.asarray(sim.sum(axis=1)).ravel()
    dangling = out == 0
    trans_t = (diags(np.where(dangling, 0.0, 1.0 / np.where(dangling, 1.0, out))) @ sim).T.tocsr()
    scores = np.full(n, 1.0 / n)
    for _ in range(iters):
        new = (1 - damping) * jump + damping * (trans_t @ scores + scores[dangling].sum() / n)
        if np.abs(new - scores).sum() < tol:
            return new
        scores = new
    return scores


def _fits(chosen_len: int, s: Sentence, length: Length) -> bool:
    return length.chars is None or chosen_len + len(s.text) <= length.chars


UNIT_DECAY = 2.0  # weight 1 / (1 + UNIT_DECAY · k) for the k-th measure or paragraph of the source
CONCRETE_BONUS = 1.6  # a sentence with a figure, a document title or a quoted name


def sentence_weights(sentences: list[Sentence], opening_bias: bool = True):
    """How much each sentence says, before any similarity: the first sentence of a measure
    or paragraph states its action, and earlier measures are the main ones (as in lead-N);
    a sentence that gives figures or names a document says something checkable;
    boilerplate and fragments say little."""
    import numpy as np

    w = np.ones(len(sentences))
    k = -1
    for i, s in enumerate(sentences):
        if s.index == 0:
            k += 1
        if opening_bias:
            w[i] /= (1 + s.index) * (1 + UNIT_DECAY * max(k, 0))
        w[i] *= (1 - 0.9 * boilerplate(s.text)) * (0.15 if is_fragment(s.text) else 1.0)
        if _CONCRETE.search(s.text):
            w[i] *= CONCRETE_BONUS
    return np.maximum(w, 1e-6)


RANKERS = ("weighted", "textrank")


def select(sentences: list[Sentence], length: Length, redundancy: float = 0.5,
           opening_bias: bool = True, ranker: str = "weighted") -> list[Sentence]:
    """The top-ranked whole sentences within `length`, in source order.

    `ranker` "weighted" (the default) ranks by `sentence_weights` alone; "textrank"
    multiplies them by biased TextRank centrality. On the hand-written references the
    weights alone do better at every level (eval/reports/summaries.md), so centrality is
    an option, not the default. Either way boilerplate and fragments are passed over
    while others remain, a sentence too similar (cosine > `redundancy`) to one already
    chosen is passed over too, and the same sentence is never chosen twice.
    """
    if ranker not in RANKERS:
        raise SummaryError(f"unknown ranker '{ranker}' (known: {', '.join(RANKERS)})")
    if not sentences:
        return []
    texts = [s.text for s in sentences]
    prior = sentence_weights(sentences, opening_bias)
    scores = textrank(similarity(texts), prior=prior) * prior if ranker == "textrank" else prior
    order = sorted(range(len(sentences)), key=lambda i: (-scores[i], i))
    grams: dict[int, tuple[Counter, float]] = {}

    def cosine(i: int, j: int) -> float:  # bigram cosine, computed only for the sentences compared
        for k in (i, j):
            if k not in grams:
                c = _bigrams(texts[k])
                grams[k] = (c, sum(v * v for v in c.values()) ** 0.5 or 1.0)
        (a, na), (b, nb) = grams[i], grams[j]
        return sum(v * b.get(g, 0) for g, v in a.items()) / (na * nb)

    chosen: list[int] = []
    seen: set[str] = set()
    used = 0
    weak = {i for i, t in enumerate(texts) if is_fragment(t) or boilerplate(t) >= 0.5}
    for strict in (True, False):
        for i in order:
            if length.sentences is not None and len(chosen) >= length.sentences:
                break
            if i in chosen or _norm(texts[i]) in seen or not _fits(used, sentences[i], length):
                continue
            overlap = max((cosine(i, j) for j in chosen), default=0.0)
            if overlap > (redundancy if strict else 0.8) or (strict and i in weak):
                continue
            chosen.append(i)
            seen.add(_norm(texts[i]))
            used += len(texts[i])
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


def headline(facts: dict) -> str:
    """One sentence from the fact sheet: who, when, how many problems and measures, how far."""
    who = re.sub(r"^中共", "", facts.get("issuer") or "") or (facts.get("title") or facts["bulletin_id"])
    when = (facts.get("dates") or {}).get("published")
    parts = [f"{who}{f'（{when}发布）' if when else ''}通报{facts['problems']}个问题、{facts['measures']}项整改措施"]
    if facts["measures"]:
        fin = facts["progress"]["labels"][facts["progress"]["finished"]]
        parts.append(f"标注为“{fin}”的措施{facts['measures_finished']}项（{_pct(facts['share_finished'])}）")
    if facts.get("stated_completion") is not None:
        parts.append(f"通报自述完成率{_pct(facts['stated_completion'])}")
    return "，".join(parts) + "。"


def summarize_bulletin(bulletin, rows: list[dict], length: Length | None = None,
                       levels: tuple[str, ...] = LEVELS, abstractive: Abstractive | None = None,
                       scheme=None) -> dict:
    """Summaries and fact sheet of one bulletin; `rows` are its labelled measure rows.

    `scheme` (default: the project's) says which row key is the topic and which the
    progress, and orders the topic labels.
    """
    from .labels import default_scheme

    scheme = with_display_names(scheme or default_scheme())
    topic, progress = scheme.require_roles("summaries")
    levels = tuple(LEVEL_ALIASES.get(lv, lv) for lv in levels)
    length = length or Length()
    facts = fact_sheet(bulletin, rows, scheme)
    out: dict = {"bulletin_id": bulletin.bulletin_id, "title": bulletin.title, "issuer": bulletin.issuer,
                 "length": {lv: asdict(length.for_level(lv)) for lv in levels}}
    if abstractive is not None:
        out["abstractive_model"] = abstractive.name
    # every measure's sentences are found once, then grouped (linear in the bulletin's size)
    per_row = [row_sentences([r], bulletin.text) for r in rows]
    by_issue: dict[int, list[int]] = {}
    by_topic: dict[str, list[int]] = {}
    for k, r in enumerate(rows):
        by_issue.setdefault(r["issue_no"], []).append(k)
        by_topic.setdefault(r[topic.name], []).append(k)
    if "bulletin" in levels:
        out["bulletin"] = {"headline": headline(facts),
                           **_unit(unit_sentences(bulletin, rows, "bulletin"), length.for_level("bulletin"),
                                   abstractive)}
    if "topic" in levels:
        out["topics"] = []
        for t in topic.labels:
            ks = by_topic.get(t, [])
            if ks:
                done = sum(rows[k][progress.name] == progress.finished for k in ks)
                out["topics"].append({"label": t, "name": topic.label_name(t), "measures": len(ks),
                                      "share_finished": round(done / len(ks), 4),
                                      **_unit([x for k in ks for x in per_row[k]], length.for_level("topic"),
                                              abstractive)})
    if "issue" in levels:
        out["issues"] = []
        for issue in bulletin.issues:
            ks = by_issue.get(issue.no, [])
            out["issues"].append({"issue_no": issue.no, "title": issue.title, "measures": len(ks),
                                  "topic": _majority([rows[k][topic.name] for k in ks]),
                                  **_unit([x for k in ks for x in per_row[k]], length.for_level("issue"), abstractive)})
    out["facts"] = facts
    return out


# --- Markdown -----------------------------------------------------------------------

def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.0f}%"


def md(text) -> str:
    """Bulletin text made safe for Markdown: HTML escaped (no <script> passes through), and
    the characters that would start emphasis, links or table cells backslash-escaped."""
    text = html.escape("" if text is None else str(text), quote=False)
    return re.sub(r"([\\`*_\[\]|#])", r"\\\1", text)


_DATE_ZH = {"inspection_start": "巡察开始", "inspection_end": "巡察结束", "feedback": "反馈", "published": "发布",
            "signed": "落款"}


def facts_markdown(facts: dict) -> str:
    """The fact sheet as Markdown: who and when, counts, the bulletin's claim beside the labels,
    then the table, figures and deadlines."""
    from .facts import STATED_ZH

    topic, progress = facts["topic"], facts["progress"]
    fin = progress["labels"][progress["finished"]]
    out = [f"- **发布单位：** {md(facts.get('issuer') or '未识别')}"]
    if facts.get("inspector"):
        out.append(f"- **巡视巡察组：** {md(facts['inspector'])}")
    dates = "，".join(f"{_DATE_ZH.get(k, k)} {v}" for k, v in (facts.get("dates") or {}).items() if v)
    out.append(f"- **日期：** {dates or '未写明'}")
    out.append(f"- **问题与措施：** {facts['problems']} 个问题，{facts['measures']} 项整改措施")
    stated = facts.get("stated") or {}
    if stated:
        out.append("- **通报自述：** " + "，".join(
            f"{STATED_ZH.get(k, k)} {_pct(v) if k == 'completion_rate' else v}" for k, v in stated.items()))
    line = (f"- **标注结果：** “{fin}”的措施 {facts['measures_finished']} 项（{_pct(facts['share_finished'])}），"
            f"全部措施均“{fin}”的问题 {facts['problems_finished']} 个（{_pct(facts['share_problems_finished'])}）")
    if facts.get("stated_completion") is not None:
        line += f"；自述完成率 {_pct(facts['stated_completion'])}"
    out.append(line)
    cov = facts.get("coverage") or {}
    if cov.get("problems_stated"):
        out.append(f"- **解析覆盖：** 解析到 {cov['problems_parsed']} 个问题，通报自述 {cov['problems_stated']} 个"
                   + ("（不足一半：标注结果只代表公布的部分）" if cov.get("flag") else ""))
    table = facts["by_topic_progress"]
    labels = list(progress["labels"])
    out += ["", f"| {md(topic['name'])} | " + " | ".join(md(progress["labels"][p]) for p in labels)
            + f" | 合计 | {md(fin)}占比 |", "|---|" + "---:|" * (len(labels) + 2)]
    for t, c in table.items():
        out.append(f"| {md(topic['labels'].get(t, t))} | " + " | ".join(str(c.get(p, 0)) for p in labels)
                   + f" | {facts['measures_by_topic'][t]} | {_pct(facts['share_finished_by_topic'][t])} |")
    out.append("| **合计** | " + " | ".join(str(sum(c.get(p, 0) for c in table.values())) for p in labels)
               + f" | {facts['measures']} | {_pct(facts['share_finished'])} |")
    out += ["", f"### 数字（{len(facts['figures'])}）", ""]
    out += [f"- {f['issue_no']}.{f['measure_no']} **{md(f['text'])}**：{md(f['context'])}" for f in facts["figures"]]
    ref = facts["reference_date"] or "未知"
    out += ["", f"### 其后的日期与时限（{len(facts['deadlines'])}；以 {ref} 为准）", ""]
    for d in facts["deadlines"]:
        where = f"{d['issue_no']}.{d['measure_no']}" if d["issue_no"] is not None else "下一步打算"
        due = f"（{d['due']} 前）" if d["due"] else ""
        out.append(f"- {where} **{md(d['text'])}**{due}：{md(d['context'])}")
    return "\n".join(out)


def to_markdown(result: dict) -> str:
    """One bulletin's summaries and fact sheet as a readable page (HTML in the text escaped)."""
    out = [f"# {md(result['title'] or result['bulletin_id'])}", ""]
    if "bulletin" in result:
        out += ["## 摘要", "", f"*{md(result['bulletin']['headline'])}*（据事实表生成）", "",
                md(result["bulletin"]["summary"]), ""]
        if "abstractive" in result["bulletin"]:
            out += [f"*Abstractive ({md(result['abstractive_model'])}):* {md(result['bulletin']['abstractive'])}", ""]
    out += ["## 事实", "", facts_markdown(result["facts"]), ""]
    if result.get("topics"):
        out += [f"## 按{md(result['facts']['topic']['name'])}", ""]
        fin = result["facts"]["progress"]["labels"][result["facts"]["progress"]["finished"]]
        for t in result["topics"]:
            out += [f"### {md(t['name'])}：{t['measures']} 项措施，{md(fin)} {_pct(t['share_finished'])}", "",
                    md(t["summary"]), ""]
            if "abstractive" in t:
                out += [f"*Abstractive:* {md(t['abstractive'])}", ""]
    if result.get("issues"):
        out += ["## 按问题", ""]
        for i in result["issues"]:
            out += [f"### {i['issue_no']}. {md(i['title'])}", "", md(i["summary"]), ""]
            if "abstractive" in i:
                out += [f"*Abstractive:* {md(i['abstractive'])}", ""]
    return "\n".join(out)


# --- many files -----------------------------------------------------------------------

def summarize_files(inputs: list, model, length: Length | None = None, levels: tuple[str, ...] = LEVELS,
                    abstractive: "Abstractive | None" = None, failures=None, options=None,
                    jobs: int | None = None) -> Iterator[dict]:
    """Label and summarise every bulletin under `inputs`, one result at a time (memory does not
    grow with the number of bulletins); bad files go to `failures`."""
    from .batch import Failures, iter_parsed
    from .classify import classify_bulletin

    failures = failures if failures is not None else Failures()
    model.scheme.require_roles("summaries")
    for b in iter_parsed(inputs, failures, desc="summarising", options=options, jobs=jobs):
        rows = classify_bulletin(b, model)
        yield summarize_bulletin(b, rows, length, levels, abstractive, model.scheme)

