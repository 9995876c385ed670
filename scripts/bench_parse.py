#!/usr/bin/env python
"""Parser throughput on one core, beside the floor any parser pays, and per input kind.

The corpus is the shipped bulletins and the hand-written layouts, repeated to reach --n
documents (the same corpus as earlier versions of this script, so figures compare).
Printed, in MB of UTF-8 text per second:
- floor: read the file, decode it, and one regex scan over the text (its paragraphs);
- parse: the parser on decoded text;
- read+parse: both, as `bulletin parse` does per file.
Then each input kind (text, Markdown, Word, PDF, a JSONL corpus, text without line
breaks) made from the seed, read and parsed.

Usage: python scripts/bench_parse.py [--n 400] [--kinds-n 20]
"""
import argparse
import json
import re
import tempfile
import time
from pathlib import Path

from nlp.parse import parse_source, parse_text
from nlp.inputs import iter_sources
from nlp.source import decode_bytes, read_source

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "raw" / "000_f74bace5e6783c83.txt"
_PARAGRAPH = re.compile(r"[^\n]+")


def _timed(fn) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process)."""
    w, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w, time.process_time() - c


def _line(name: str, n: int, mb: float, wall: float, cpu: float) -> None:
    print(f"{name:<22} {n:5d} docs  {mb:6.2f} MB  {wall:6.2f} s  {n / wall:8.1f} docs/s  "
          f"{mb / wall:6.2f} MB/s  ({mb / max(cpu, 1e-9):.2f} MB/s CPU)")


def corpus(n: int) -> list[Path]:
    files = sorted((ROOT / "data" / "raw").glob("*.txt")) + sorted(
        p for p in (ROOT / "tests" / "fixtures" / "layouts").glob("*.txt") if "not_a" not in p.name)
    return [files[i % len(files)] for i in range(n)]


def bench_corpus(n: int) -> None:
    paths = corpus(n)
    texts = [read_source(p).text for p in paths]
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    parse_text(texts[0])  # warm the regex caches

    def floor():
        for p in paths:
            text, _enc = decode_bytes(p.read_bytes())
            sum(1 for _ in _PARAGRAPH.finditer(text))

    def parse_only():
        for t in texts:
            parse_text(t)

    def read_and_parse():
        for p in paths:
            parse_source(read_source(p))

    print(f"corpus: {n} bulletins from data/raw and tests/fixtures/layouts, one core")
    _line("floor (read+decode+scan)", n, mb, *_timed(floor))
    _line("parse", n, mb, *_timed(parse_only))
    _line("read+parse", n, mb, *_timed(read_and_parse))


def _make_inputs(folder: Path) -> dict[str, Path]:
    """The seed as every input kind (Word and PDF need python-docx and fpdf2)."""
    text = SEED.read_text(encoding="utf-8")
    paras = [p.strip() for p in text.split("\n") if p.strip()]
    out = {"text": SEED}
    md = folder / "seed.md"
    md.write_text("# " + paras[0] + "\n\n" + "\n\n".join(f"**{p}**" if re.match(r"[一二三]、", p) else p
                                                        for p in paras[1:]), encoding="utf-8")
    out["markdown"] = md
    flat = folder / "seed_flat.txt"
    flat.write_text("".join(paras), encoding="utf-8")
    out["text without breaks"] = flat
    jl = folder / "corpus.jsonl"
    jl.write_text("".join(json.dumps({"url": f"u{i}", "content": text}, ensure_ascii=False) + "\n"
                          for i in range(10)), encoding="utf-8")
    out["jsonl corpus (10 rows)"] = jl
    try:
        import docx
        d = docx.Document()
        for p in paras:
            d.add_paragraph(p)
        d.save(folder / "seed.docx")
        out["docx"] = folder / "seed.docx"
    except ImportError:
        print("docx: python-docx not installed, skipped")
    try:
        from fpdf import FPDF
        pdf = FPDF()
        pdf.add_font("cjk", fname=str(ROOT / "nlp" / "fonts" / "wqy-microhei-cjk.ttf"))
        pdf.set_font("cjk", size=12)
        pdf.add_page()
        for p in paras:
            pdf.multi_cell(0, 7, p, new_x="LMARGIN", new_y="NEXT")
        pdf.output(str(folder / "seed.pdf"))
        out["pdf"] = folder / "seed.pdf"
    except ImportError:
        print("pdf: fpdf2 not installed, skipped")
    return out


def bench_kinds(n: int) -> None:
    from nlp.source import ReadOptions

    print(f"\ninput kinds: the seed as each kind, read and parsed ({n} times; PDF {max(1, n // 10)})")
    with tempfile.TemporaryDirectory() as tmp:
        for kind, path in _make_inputs(Path(tmp)).items():
            reps = max(1, n // 10) if kind == "pdf" else n
            opts = ReadOptions(text_field="content")
            docs: list = []

            def run():
                for _ in range(reps):
                    for _key, src in iter_sources([path], opts):
                        docs.append(parse_source(src))
            wall, cpu = _timed(run)
            mb = sum(len(b.text.encode("utf-8")) for b in docs) / 1e6
            problems = {len(b.issues) for b in docs}
            _line(f"{kind} [{'/'.join(map(str, sorted(problems)))} problems]", len(docs), mb, wall, cpu)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=400, help="number of bulletins to parse")
    ap.add_argument("--kinds-n", type=int, default=20, help="repetitions per input kind (0: skip)")
    args = ap.parse_args()
    bench_corpus(args.n)
    if args.kinds_n:
        bench_kinds(args.kinds_n)


if __name__ == "__main__":
    main()
