"""Inputs researchers collect: Word and PDF attachments, Markdown copies, and crawl corpora
with one bulletin per row. The Word and PDF files are made here from the seed's text."""
import csv
import io
import json
import re
from pathlib import Path

import pytest

from nlp.cli import main
from nlp.corpus import safe_id
from nlp.parse import parse_file, parse_source
from nlp.inputs import iter_sources
from nlp.source import ReadOptions, SourceError, read_source

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "raw" / "000_f74bace5e6783c83.txt"
LAYOUTS = ROOT / "tests" / "fixtures" / "layouts"

FONT = ROOT / "nlp" / "fonts" / "wqy-microhei-cjk.ttf"
HEADER = "常熟经开区党工委文件"


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n") if p.strip()]


def make_docx(paragraphs: list[str], path, style: dict[int, str] | None = None, table=None) -> None:
    import docx

    d = docx.Document()
    for k, para in enumerate(paragraphs):
        d.add_paragraph(para, style=(style or {}).get(k))
    if table:
        t = d.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, cell in enumerate(row):
                t.cell(r, c).text = cell
    d.save(path)


def make_pdf(paragraphs: list[str], path, header: str | None = HEADER) -> None:
    """A PDF whose lines wrap at the page width, with a running header and `— N —` footers."""
    from fpdf import FPDF

    class Pdf(FPDF):
        def header(self):
            if header:
                self.set_font("cjk", size=9)
                self.cell(0, 8, header, align="C", new_x="LMARGIN", new_y="NEXT")
                self.ln(2)

        def footer(self):
            self.set_y(-15)
            self.set_font("cjk", size=10)
            self.cell(0, 10, f"— {self.page_no()} —", align="C")

    pdf = Pdf()
    pdf.add_font("cjk", fname=str(FONT))
    pdf.set_font("cjk", size=12)
    pdf.add_page()
    for para in paragraphs:
        pdf.multi_cell(0, 7, para, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))


@pytest.fixture(scope="module")
def seed_measures(seed_bulletin):
    return [m.text for i in seed_bulletin.issues for m in i.measures]


def _same_share(b, want: list[str]) -> float:
    got = {m.text for i in b.issues for m in i.measures}
    return sum(w in got for w in want) / len(want)


def test_seed_as_docx_parses_like_the_text(tmp_path, seed_measures):
    path = tmp_path / "seed.docx"
    make_docx(_paragraphs(SEED.read_text(encoding="utf-8")), path)
    b = parse_file(path)
    assert b.encoding == "docx" and len(b.issues) == 56
    assert _same_share(b, seed_measures) >= 0.95
    assert b.title == "常熟经济技术开发区党工委关于苏州市委巡察反馈意见集中整改情况的通报"


def test_seed_as_pdf_with_wrapped_lines_and_page_numbers(tmp_path, seed_measures):
    path = tmp_path / "seed.pdf"
    make_pdf(_paragraphs(SEED.read_text(encoding="utf-8")), path)
    src = read_source(path)
    assert src.kind == "pdf"
    assert not re.search(r"—\s*\d+\s*—", src.text) and HEADER not in src.text  # page furniture dropped
    b = parse_source(src)
    assert len(b.issues) == 56
    assert _same_share(b, seed_measures) >= 0.95
    assert b.issuer == "中共常熟经济技术开发区工作委员会"  # the signature survived the page breaks


def test_docx_automatic_numbering_is_written_out(tmp_path):
    paras = ["中共北湾县统计局党组关于县委巡察反馈意见整改情况的通报",
             "根据县委统一部署，县委第五巡察组对县统计局党组开展了常规巡察。现将整改情况公布如下。",
             "二、巡察反馈问题整改落实情况",
             "统计数据质量管控不严。",
             "（1）建立统计数据“三审三核”制度，对基层报表逐级审核。",
             "（2）对2023年以来的126家联网直报企业开展数据核查。",
             "统计执法检查力度不够。",
             "开展统计执法“双随机”检查，立案查处统计违法案件3件。"]
    path = tmp_path / "auto.docx"
    make_docx(paras, path, style={3: "List Number", 6: "List Number"})
    text = read_source(path).text
    assert "1.统计数据质量管控不严。" in text and "2.统计执法检查力度不够。" in text  # Word's numbers written out
    b = parse_file(path)
    assert [i.title for i in b.issues] == ["统计数据质量管控不严", "统计执法检查力度不够"]
    assert [len(i.measures) for i in b.issues] == [2, 1]


def test_docx_table_rows_become_tab_separated_lines(tmp_path):
    paras = ["中共北湾县统计局党组关于县委巡察反馈意见整改情况的通报",
             "根据县委统一部署，县委第五巡察组对县统计局党组开展了常规巡察。现将整改情况公布如下。",
             "二、巡察反馈问题整改落实情况"]
    table = [["序号", "反馈问题", "整改措施", "完成情况"],
             ["1", "统计人员业务能力不足", "一是举办统计业务培训班2期；二是选派4名干部赴市局跟班学习", "已完成"],
             ["2", "统计数据质量管控不严", "（1）建立“三审三核”制度；（2）开展联网直报数据核查", "持续推进"]]
    path = tmp_path / "table.docx"
    make_docx(paras, path, table=table)
    assert "1\t统计人员业务能力不足\t一是举办" in read_source(path).text
    b = parse_file(path)
    assert [i.title for i in b.issues] == ["统计人员业务能力不足", "统计数据质量管控不严"]
    assert [len(i.measures) for i in b.issues] == [2, 2]
    assert [i.reported_status for i in b.issues] == ["已完成", "持续推进"]


def test_scanned_pdf_names_ocr_as_the_missing_step(tmp_path):
    from fpdf import FPDF
    from PIL import Image

    img = io.BytesIO()
    Image.new("L", (200, 280), 255).save(img, format="PNG")
    pdf = FPDF()
    pdf.add_page()
    pdf.image(img, x=10, y=10, w=180)
    path = tmp_path / "scan.pdf"
    pdf.output(str(path))
    with pytest.raises(SourceError, match="OCR"):
        read_source(path)


def test_other_binary_documents_are_refused_by_name(tmp_path):
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    (tmp_path / "pack.zip").write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 not really a package")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4\n garbage")
    with pytest.raises(SourceError, match=r"\.doc"):
        read_source(tmp_path / "old.doc")
    with pytest.raises(SourceError, match="ZIP"):
        read_source(tmp_path / "pack.zip")
    with pytest.raises(SourceError, match="Word"):
        read_source(tmp_path / "broken.docx")
    with pytest.raises(SourceError, match="PDF"):
        read_source(tmp_path / "broken.pdf")


def test_markdown_markup_is_reduced_to_text():
    src = read_source(ROOT / "tests" / "fixtures" / "inputs" / "education_bureau.md")
    assert src.kind == "markdown"
    assert "**" not in src.text and "](" not in src.text and "---" not in src.text and "#" not in src.text
    assert src.text.splitlines()[1] == "中共云岭区教育局党组关于区委巡察反馈意见整改情况的通报"


# --- corpus files: one bulletin per row -----------------------------------------------

CORPUS_FILES = [SEED, LAYOUTS / "three_level.txt", LAYOUTS / "wenti_n.txt"]


def _url(path) -> str:
    return f"https://www.example.gov.cn/xxgk/2024/{path.stem}.html?from=crawl"


def _records():
    return [{"url": _url(p), "content": p.read_text(encoding="utf-8"), "site": "example"} for p in CORPUS_FILES]


def test_corpus_jsonl_classifies_in_one_command_with_the_rows_of_the_separate_files(tmp_path, capsys):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in _records()), encoding="utf-8")
    assert main(["classify", str(corpus), "--text-field", "content", "--id-field", "url",
                 "--out", str(tmp_path / "r.csv")]) == 0
    assert main(["classify", *map(str, CORPUS_FILES), "--out", str(tmp_path / "files.csv")]) == 0
    capsys.readouterr()

    def rows(name):
        with open(tmp_path / name, encoding="utf-8-sig", newline="") as f:
            return list(csv.DictReader(f))

    ids = {p.stem: safe_id(_url(p)) for p in CORPUS_FILES}
    from_files = [dict(r, bulletin_id=ids[r["bulletin_id"]]) for r in rows("files.csv")]
    from_corpus = rows("r.csv")
    assert len(from_corpus) == 141 + 15 + 15
    assert from_corpus == from_files
    assert from_corpus[0]["bulletin_id"] == "www.example.gov.cn_xxgk_2024_000_f74bace5e6783c83.html_from_crawl"


def test_csv_and_parquet_corpora_and_bad_rows(tmp_path, capsys):
    recs = _records()
    with open(tmp_path / "c.csv", "w", encoding="utf-8-sig", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["url", "content", "site"])
        w.writeheader()
        w.writerows(recs + [{"url": "https://x.cn/empty", "content": "", "site": "x"}])
    import pyarrow as pa
    import pyarrow.parquet as pq
    pq.write_table(pa.Table.from_pylist(recs), tmp_path / "c.parquet")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(recs[1], ensure_ascii=False) + "\n{not json\n\n"
                   + json.dumps({"content": "巡察整改"}, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "p.jsonl"
    rc = main(["parse", str(tmp_path / "c.csv"), str(tmp_path / "c.parquet"), str(bad),
               "--text-field", "content", "--format", "json", "--out", str(out)])
    err = capsys.readouterr().err
    assert rc == 1 and "Traceback" not in err
    assert "c.csv#4: row 4: empty text" in err and "bad.jsonl#2: row 2: not valid JSON" in err
    assert "bad.jsonl#3" in err  # a row that is no bulletin is reported by its row
    docs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [d["bulletin_id"] for d in docs] == ["c#1", "c#2", "c#3", "c.parquet#1", "c.parquet#2",
                                                "c.parquet#3", "bad#1"]  # ids unique within the run
    assert [len(d["issues"]) for d in docs] == [56, 5, 5, 56, 5, 5, 5]


def test_corpus_without_a_known_text_field_says_which_fields_it_has(tmp_path, capsys):
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"url": "u", "正文内容": "x"}, ensure_ascii=False) + "\n", encoding="utf-8")
    assert main(["parse", str(path)]) == 1
    assert "give --text-field" in capsys.readouterr().err


def test_folders_yield_corpus_files_only_when_a_text_field_is_named(tmp_path):
    (tmp_path / "results.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    keys = [k for k, _ in iter_sources([tmp_path])]
    assert keys == [str(tmp_path / "b.txt")]
    keys = [k for k, _ in iter_sources([tmp_path], ReadOptions(text_field="content"))]
    assert keys == [str(tmp_path / "b.txt"), str(tmp_path / "results.csv")]


def test_safe_ids():
    assert safe_id("https://news.example.edu.cn/ywsd/2022/04/16/030050937.shtml") == \
        "news.example.edu.cn_ywsd_2022_04_16_030050937.shtml"
    assert safe_id("../../etc/passwd\x00") == "etc_passwd"
    long = safe_id("x" * 500)
    assert len(long) == 100 and long.startswith("x" * 80)
    assert safe_id("南开大学 通报") == "南开大学_通报"
