"""`bulletin annotate` and `bulletin import-labels`: sheets round-trip the gold file; bad rows are caught."""
import csv
import json

import pytest

from nlp import cli
from nlp.annotate import row_sha1, sheet_columns, text_sha1
from nlp.labels import LabelScheme

from paths import GOLD, LAYOUTS, SEED

SCHEME = LabelScheme.load()
TASKS = SCHEME.task_names


@pytest.fixture
def bulletin():
    """Run `bulletin ARGS...` through nlp.cli.main."""
    return lambda *argv: cli.main([str(a) for a in argv])


RECORD_FIELDS = ("bulletin_id", "issue_no", "measure_no", "issue_title", "text", *TASKS)


def gold_records():
    """The gold records in LABELS.md's record format (the file also keeps bulletin context)."""
    return [{k: r[k] for k in RECORD_FIELDS} for r in map(json.loads, GOLD.read_text(encoding="utf-8").splitlines())]


def assert_same_gold(path):
    """The imported records equal the gold file's, on every field the sheet carries (the gold
    file also keeps each measure's bulletin context)."""
    imported = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    gold = gold_records()
    assert len(imported) == len(gold)
    assert all(rec == {k: g[k] for k in rec} for rec, g in zip(imported, gold))
    assert set(imported[0]) >= {"bulletin_id", "issue_no", "measure_no", "issue_title", "text", *TASKS}


def gold_labels():
    return {(r["bulletin_id"], r["issue_no"], r["measure_no"]): r for r in gold_records()}


# --- editing sheets the way a spreadsheet user would ----------------------------------

def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def write_csv(path, rows):
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def edit_sheet(path, edit):
    """Apply edit(rows) to the sheet's rows (dicts keyed by header), in a .csv or an .xlsx."""
    if str(path).endswith(".csv"):
        rows = read_csv(path)
        edit(rows)
        write_csv(path, rows)
        return
    from openpyxl import load_workbook
    wb = load_workbook(path)
    ws = wb["measures"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in r))) for r in ws.iter_rows(min_row=2)]
    edit(rows)
    for i, row in enumerate(rows, 2):
        for j, h in enumerate(header, 1):
            ws.cell(row=i, column=j, value=row[h])
    wb.save(path)


def fill_gold(rows):
    gold = gold_labels()
    for r in rows:
        g = gold[(r["bulletin_id"], int(r["issue_no"]), int(r["measure_no"]))]
        for t in TASKS:
            r[t] = g[t]


@pytest.fixture(scope="module")
def csv_sheet(tmp_path_factory):
    """The seed bulletin annotated with the rules model, through the library (made once, copied by tests)."""
    from nlp.annotate import annotation_rows, write_sheet
    from nlp.classifiers import load_model
    from nlp.parse import parse_file

    out = tmp_path_factory.mktemp("sheet") / "sheet.csv"
    model = load_model("rules")
    write_sheet(out, annotation_rows([parse_file(SEED)], model), model.scheme)
    return out


@pytest.fixture
def filled_csv(csv_sheet, tmp_path):
    path = tmp_path / "filled.csv"
    path.write_bytes(csv_sheet.read_bytes())
    edit_sheet(path, fill_gold)
    return path


# --- annotate --------------------------------------------------------------------------

def test_csv_sheet_has_context_suggestions_and_empty_gold_columns(csv_sheet):
    assert csv_sheet.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM, for spreadsheet programs
    rows = read_csv(csv_sheet)
    assert list(rows[0]) == sheet_columns(SCHEME)
    assert list(rows[0])[:6] == ["bulletin_id", "issue_no", "measure_no", "issue_group", "issue_title", "text"]
    assert len(rows) == len(gold_records())
    for r in rows:
        for t in TASKS:
            assert r[f"suggested_{t}"] in SCHEME.tasks[t].labels
            assert 0.0 <= float(r[f"suggested_{t}_score"]) <= 1.0
            assert r[t] == ""
        assert r["note"] == ""
        assert r["row_sha1"] == row_sha1(r["bulletin_id"], r["issue_no"], r["measure_no"], r["text"])


def test_xlsx_sheet_is_ready_to_annotate(bulletin, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "sheet.xlsx"
    assert bulletin("annotate", SEED, "--model", "rules", "--out", out) == 0
    wb = load_workbook(out)
    ws = wb["measures"]
    header = [c.value for c in ws[1]]
    assert header == sheet_columns(SCHEME)
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    col = {h: c.column_letter for h, c in zip(header, ws[1])}
    assert ws.column_dimensions[col["text"]].width >= 60
    assert ws[f"{col['text']}2"].alignment.wrap_text
    assert ws.column_dimensions[col["row_sha1"]].hidden
    assert ws.max_row == len(gold_records()) + 1
    assert isinstance(ws["B2"].value, int)  # issue_no stays a number
    # every gold column has a dropdown listing exactly the scheme's labels
    labels_ws = wb["labels"]
    for t in TASKS:
        dvs = [dv for dv in ws.data_validations.dataValidation if f"{col[t]}2" in dv.sqref]
        assert len(dvs) == 1 and dvs[0].type == "list"
        ref = dvs[0].formula1.split("!")[1].replace("$", "")
        listed = [c.value for row in labels_ws[ref] for c in row]
        assert listed == SCHEME.tasks[t].labels


def test_default_model_suggestions_match_classify(bulletin, tmp_path):
    from nlp.classifiers import load_model
    from nlp.classify import classify_bulletin
    from nlp.parse import parse_file

    out = tmp_path / "sheet.csv"
    assert bulletin("annotate", SEED, "--out", out) == 0
    expected = classify_bulletin(parse_file(SEED), load_model(None))
    rows = read_csv(out)
    assert [r["suggested_domain"] for r in rows] == [e["domain"] for e in expected]
    assert [r["suggested_status"] for r in rows] == [e["status"] for e in expected]


def test_annotate_skips_bad_files_and_fails(bulletin, tmp_path, capsys):
    out = tmp_path / "sheet.csv"
    assert bulletin("annotate", SEED, LAYOUTS / "not_a_bulletin.txt", "--model", "rules", "--out", out) == 1
    assert "not_a_bulletin.txt" in capsys.readouterr().err
    assert len(read_csv(out)) == len(gold_records())  # the good bulletin is still written


def test_annotate_rejects_other_suffix(bulletin, tmp_path, capsys):
    assert bulletin("annotate", SEED, "--model", "rules", "--out", tmp_path / "sheet.txt") == 2
    assert ".csv or .xlsx" in capsys.readouterr().err


# --- the round trip --------------------------------------------------------------------

@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_annotate_fill_import_round_trips_the_gold_file(bulletin, tmp_path, suffix):
    sheet = tmp_path / f"sheet{suffix}"
    assert bulletin("annotate", SEED, "--model", "rules", "--out", sheet) == 0
    edit_sheet(sheet, fill_gold)
    out = tmp_path / "gold.jsonl"
    assert bulletin("import-labels", sheet, "--out", out) == 0
    imported = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    gold = gold_records()  # the gold file also carries each measure's bulletin context
    assert len(imported) == len(gold)
    assert all(rec == {k: g[k] for k in rec} for rec, g in zip(imported, gold))
    assert set(imported[0]) >= {"bulletin_id", "issue_no", "measure_no", "issue_title", "text", *TASKS}


def test_round_trip_checked_against_source(bulletin, filled_csv, tmp_path):
    out = tmp_path / "gold.jsonl"
    assert bulletin("import-labels", filled_csv, "--out", out, "--source", SEED) == 0
    assert_same_gold(out)


def test_a_note_is_kept(bulletin, filled_csv, tmp_path):
    def note(rows):
        rows[0]["note"] = "unsure: also economy"
    edit_sheet(filled_csv, note)
    out = tmp_path / "gold.jsonl"
    assert bulletin("import-labels", filled_csv, "--out", out) == 0
    first = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert first["note"] == "unsure: also economy"


# --- bad rows --------------------------------------------------------------------------

def _unknown(rows):
    rows[2]["domain"] = "finance"


def _missing(rows):
    rows[2]["status"] = ""


def _text_changed(rows):
    rows[2]["text"] = rows[2]["text"].replace("。", "", 1) + "另加一句。"


def _duplicate(rows):
    rows[2]["issue_no"], rows[2]["measure_no"] = rows[1]["issue_no"], rows[1]["measure_no"]


def _malformed(rows):
    rows[2]["measure_no"] = "2a"


BAD = {
    "unknown label": (_unknown, "unknown domain label 'finance'"),
    "missing label": (_missing, "missing label: status"),
    "text changed": (_text_changed, "row changed"),
    "duplicate measure": (_duplicate, "duplicate measure"),
    "malformed number": (_malformed, "malformed measure_no '2a'"),
}


@pytest.mark.parametrize("kind", list(BAD))
def test_bad_row_is_named_and_nothing_is_written(bulletin, filled_csv, tmp_path, capsys, kind):
    edit, message = BAD[kind]
    edit_sheet(filled_csv, edit)
    out = tmp_path / "gold.jsonl"
    assert bulletin("import-labels", filled_csv, "--out", out) != 0
    err = capsys.readouterr().err
    row_lines = [ln for ln in err.splitlines() if ln.startswith("row ")]
    assert row_lines and all(ln.startswith("row 4: ") for ln in row_lines)  # data row 3 = sheet row 4
    assert message in row_lines[0]
    assert not out.exists()


@pytest.mark.parametrize("kind", list(BAD))
def test_skip_invalid_writes_the_valid_rows(bulletin, filled_csv, tmp_path, capsys, kind):
    edit, _ = BAD[kind]
    edit_sheet(filled_csv, edit)
    out = tmp_path / "gold.jsonl"
    assert bulletin("import-labels", filled_csv, "--out", out, "--skip-invalid") == 0
    assert "row 4: " in capsys.readouterr().err
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert written == gold_records()[:2] + gold_records()[3:]


def test_text_change_is_caught_against_source_too(bulletin, filled_csv, tmp_path, capsys):
    def edit(rows):
        _text_changed(rows)
        r = rows[2]
        r["row_sha1"] = row_sha1(r["bulletin_id"], r["issue_no"], r["measure_no"], r["text"])  # a careful forger
    edit_sheet(filled_csv, edit)
    out = tmp_path / "gold.jsonl"
    assert bulletin("import-labels", filled_csv, "--out", out, "--source", SEED) == 1
    assert "row 4: text changed" in capsys.readouterr().err
    assert not out.exists()


def test_bad_rows_in_xlsx_are_named(bulletin, tmp_path, capsys):
    sheet = tmp_path / "sheet.xlsx"
    assert bulletin("annotate", SEED, "--model", "rules", "--out", sheet) == 0

    def edit(rows):
        fill_gold(rows)
        rows[0]["domain"] = "Safety"
        rows[4]["issue_no"] = 2.5
    edit_sheet(sheet, edit)
    out = tmp_path / "gold.jsonl"
    assert bulletin("import-labels", sheet, "--out", out) == 1
    err = capsys.readouterr().err
    assert "row 2: unknown domain label 'Safety'" in err
    assert "row 6: malformed issue_no '2.5'" in err
    assert not out.exists()


def test_unlabelled_rows(bulletin, filled_csv, tmp_path, capsys):
    def clear(rows):
        for r in rows[5:]:
            for t in TASKS:
                r[t] = ""
    edit_sheet(filled_csv, clear)
    out = tmp_path / "gold.jsonl"
    assert bulletin("import-labels", filled_csv, "--out", out) == 1
    assert "row 7: missing label: domain, status" in capsys.readouterr().err
    assert not out.exists()
    assert bulletin("import-labels", filled_csv, "--out", out, "--skip-invalid") == 0
    assert "skipped 136 unlabelled row(s)" in capsys.readouterr().err
    assert [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()] == gold_records()[:5]


def test_sheet_without_a_gold_column_is_refused(bulletin, filled_csv, tmp_path, capsys):
    rows = read_csv(filled_csv)
    for r in rows:
        del r["status"]
    write_csv(filled_csv, rows)
    assert bulletin("import-labels", filled_csv, "--out", tmp_path / "gold.jsonl") == 2
    assert "missing column(s) status" in capsys.readouterr().err


def test_csv_not_in_utf8_is_refused_clearly(bulletin, filled_csv, tmp_path, capsys):
    filled_csv.write_bytes(filled_csv.read_text(encoding="utf-8-sig").encode("gb18030"))
    assert bulletin("import-labels", filled_csv, "--out", tmp_path / "gold.jsonl") == 2
    assert "not UTF-8" in capsys.readouterr().err


def test_imported_file_loads_as_gold(bulletin, filled_csv, tmp_path):
    from nlp.data import load_labelled
    out = tmp_path / "gold.jsonl"
    assert bulletin("import-labels", filled_csv, "--out", out) == 0
    assert load_labelled([out], SCHEME) == gold_records()


# --- spreadsheet safety, integrity and bounds (issue #12) -------------------------------

def _labelled(texts, bid="b1"):
    """Labelled measure rows as classify_bulletin gives them, for hand-made texts."""
    return [{"bulletin_id": bid, "issue_no": 1, "measure_no": i, "issue_group": None, "issue_title": "关于“X”问题",
             "text": t, "domain": "other", "domain_score": 0.9, "status": "done", "status_score": 0.8}
            for i, t in enumerate(texts, 1)]


HOSTILE = ['=HYPERLINK("http://evil","click")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "'=already quoted",
           "普通的整改措施"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_formula_cells_are_neutralised_and_import_restores_them(bulletin, tmp_path, suffix):
    from nlp.annotate import sheet_rows, write_sheet

    sheet = tmp_path / f"sheet{suffix}"
    write_sheet(sheet, sheet_rows(_labelled(HOSTILE), TASKS), SCHEME)
    if suffix == ".csv":
        with open(sheet, encoding="utf-8-sig", newline="") as f:
            cells = [c for row in csv.reader(f) for c in row]
    else:
        from openpyxl import load_workbook
        ws = load_workbook(sheet)["measures"]
        assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)  # no formula anywhere
        cells = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t")]
    assert "'=HYPERLINK(\"http://evil\",\"click\")" in cells and "''=already quoted" in cells

    def fill(rows):
        for r in rows:
            r["domain"], r["status"] = "other", "done"
    edit_sheet(sheet, fill)
    out = tmp_path / "gold.jsonl"
    assert bulletin("import-labels", sheet, "--out", out) == 0
    assert [json.loads(x)["text"] for x in out.read_text(encoding="utf-8").splitlines()] == HOSTILE


def test_control_characters_do_not_kill_the_xlsx_and_are_reported(bulletin, tmp_path):
    from nlp.annotate import sheet_rows, write_sheet

    texts = ["加强\x00学习", "整改\x07到位\x1b。", "普通"]
    sheet = tmp_path / "sheet.xlsx"
    write_sheet(sheet, sheet_rows(_labelled(texts), TASKS), SCHEME)
    from openpyxl import load_workbook
    ws = load_workbook(sheet)["measures"]
    col = [c.value for c in ws[1]].index("text")
    assert [r[col].value for r in ws.iter_rows(min_row=2)] == ["加强学习", "整改到位。", "普通"]

    def fill(rows):
        for r in rows:
            r["domain"], r["status"] = "other", "done"
    edit_sheet(sheet, fill)
    out = tmp_path / "gold.jsonl"
    assert bulletin("import-labels", sheet, "--out", out) == 0  # the row hash is of what the sheet holds


def test_the_cli_says_when_control_characters_were_removed(bulletin, tmp_path, capsys):
    text = (LAYOUTS / "zhendui.txt").read_text(encoding="utf-8").replace("一是开展低保", "一是开展\x07低保")
    src = tmp_path / "b.txt"
    src.write_text(text, encoding="utf-8")
    assert bulletin("annotate", src, "--model", "rules", "--out", tmp_path / "s.xlsx") == 0
    err = capsys.readouterr().err
    # either the reader already dropped the character, or the sheet writer says it did
    import openpyxl
    sheet = openpyxl.load_workbook(tmp_path / "s.xlsx", read_only=True).worksheets[0]
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert not any("\x07" in c for c in cells)
    assert "removed control characters" in err or any("开展低保" in c for c in cells)


def test_a_bulletin_id_that_lost_its_leading_zeros_is_caught(bulletin, tmp_path, capsys):
    from nlp.annotate import sheet_rows, write_sheet

    sheet = tmp_path / "sheet.csv"
    write_sheet(sheet, sheet_rows(_labelled(["加强学习", "完善制度"], bid="00123"), TASKS), SCHEME)

    def excel(rows):  # what Excel does to a CSV column of digits, then the annotator's labels
        for r in rows:
            r["bulletin_id"] = str(int(r["bulletin_id"]))
            r["domain"], r["status"] = "other", "done"
    edit_sheet(sheet, excel)
    out = tmp_path / "gold.jsonl"
    assert bulletin("import-labels", sheet, "--out", out) == 1
    err = capsys.readouterr().err
    assert "row 2: bulletin_id '123' lost its leading zeros (exported as '00123')" in err
    assert not out.exists()


def test_an_edited_bulletin_id_is_caught(bulletin, filled_csv, tmp_path, capsys):
    def rename(rows):
        rows[0]["bulletin_id"] = "another_bulletin"
    edit_sheet(filled_csv, rename)
    assert bulletin("import-labels", filled_csv, "--out", tmp_path / "gold.jsonl") == 1
    assert "row 2: row changed" in capsys.readouterr().err


def test_a_sheet_with_the_legacy_text_sha1_still_imports(bulletin, filled_csv, tmp_path):
    rows = read_csv(filled_csv)
    for r in rows:
        del r["row_sha1"]
        r["text_sha1"] = text_sha1(r["text"])
    write_csv(filled_csv, rows)
    out = tmp_path / "gold.jsonl"
    assert bulletin("import-labels", filled_csv, "--out", out) == 0
    assert_same_gold(out)


def test_import_labels_refuses_to_overwrite_its_sheet(bulletin, filled_csv, capsys):
    before = filled_csv.read_bytes()
    assert bulletin("import-labels", filled_csv, "--out", filled_csv) == 2
    err = capsys.readouterr().err.strip()
    assert "is one of the inputs" in err and len(err.splitlines()) == 1
    assert filled_csv.read_bytes() == before


def test_too_many_rows_is_refused(bulletin, filled_csv, tmp_path, capsys):
    assert bulletin("import-labels", filled_csv, "--out", tmp_path / "g.jsonl", "--max-rows", "100") == 2
    err = capsys.readouterr().err.strip()
    assert "more than 100 rows" in err and "--max-rows" in err and len(err.splitlines()) == 1
    assert bulletin("import-labels", filled_csv, "--out", tmp_path / "g.jsonl", "--max-rows", "141") == 0


def test_an_xlsx_zip_bomb_is_refused_before_it_is_unpacked(bulletin, tmp_path, capsys, monkeypatch):
    import zipfile

    import nlp.annotate
    monkeypatch.setattr(nlp.annotate, "MAX_XLSX_UNPACKED", 100_000_000)  # 1 GB in use; a smaller bomb here
    bomb = tmp_path / "bomb.xlsx"
    row = "<row>" + "<c t='inlineStr'><is><t>x</t></is></c>" * 20 + "</row>"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(b"<worksheet><sheetData>")
            chunk = (row * 2000).encode()
            for _ in range(100):  # ~110 MB unpacked, well under 1 MB packed
                f.write(chunk)
            f.write(b"</sheetData></worksheet>")
    assert bomb.stat().st_size < 2_000_000
    assert bulletin("import-labels", bomb, "--out", tmp_path / "g.jsonl") == 2
    err = capsys.readouterr().err.strip()
    assert "unpacks to" in err and "refused" in err and len(err.splitlines()) == 1


def test_a_sheet_that_cannot_be_read_is_one_line(bulletin, tmp_path, capsys):
    for name, data in (("bad.xlsx", b"PK\x03\x04 not really"), ("huge_cell.csv", b"a,b\n\"" + b"x" * 200_000 + b"\",1\n")):
        (tmp_path / name).write_bytes(data)
        assert bulletin("import-labels", tmp_path / name, "--out", tmp_path / "g.jsonl") == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "Traceback" not in err and name in err


def test_annotate_with_every_input_bad_leaves_an_earlier_sheet(bulletin, tmp_path, capsys):
    sheet = tmp_path / "sheet.csv"
    assert bulletin("annotate", SEED, "--model", "rules", "--out", sheet) == 0
    before = sheet.read_bytes()
    assert bulletin("annotate", LAYOUTS / "not_a_bulletin.txt", "--model", "rules", "--out", sheet) == 1
    assert "left as it was" in capsys.readouterr().err
    assert sheet.read_bytes() == before


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_annotate_jobs_do_not_change_the_sheet(bulletin, tmp_path, suffix):
    sheets = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"s{jobs}{suffix}"
        assert bulletin("annotate", SEED, LAYOUTS, "--model", "rules", "--out", out, "--jobs", jobs) == 1
        sheets[jobs] = out
    if suffix == ".csv":
        assert sheets["1"].read_bytes() == sheets["2"].read_bytes()
    else:
        from openpyxl import load_workbook
        vals = [[tuple(r) for r in load_workbook(s)["measures"].iter_rows(values_only=True)] for s in sheets.values()]
        assert vals[0] == vals[1] and len(vals[0]) > 141


def _xlsx_with_sheet_xml(path, sheet_xml: bytes):
    """A real sheet written by openpyxl, with its worksheet XML replaced."""
    import zipfile
    from openpyxl import Workbook
    wb = Workbook()
    wb.active.title = "measures"
    tmp = path.with_suffix(".orig.xlsx")
    wb.save(tmp)
    with zipfile.ZipFile(tmp) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info in zin.infolist():
            z.writestr(info, sheet_xml if info.filename.endswith("sheet1.xml") else zin.read(info.filename))


def test_a_sheet_of_millions_of_rows_without_a_dimension_stops_at_the_cap(bulletin, tmp_path, capsys):
    head = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    cells = "".join(f'<c t="inlineStr"><is><t>{h}</t></is></c>' for h in
                    ("bulletin_id", "issue_no", "measure_no", "text", "domain", "status")).encode()
    row = b'<row><c t="inlineStr"><is><t>a</t></is></c><c><v>1</v></c><c><v>1</v></c></row>'
    sheet = tmp_path / "rows.xlsx"
    _xlsx_with_sheet_xml(sheet, head + b"<row>" + cells + b"</row>" + row * 300_000 + b"</sheetData></worksheet>")
    assert bulletin("import-labels", sheet, "--out", tmp_path / "g.jsonl", "--max-rows", "1000") == 2
    err = capsys.readouterr().err.strip()
    assert "more than 1,000 rows" in err and len(err.splitlines()) == 1


def test_entity_expansion_in_a_sheet_is_refused(bulletin, tmp_path, capsys):
    lol = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lololololololololol">'
           + b"".join(f'<!ENTITY lol{i} "{"&lol%s;" % ("" if i == 1 else i - 1) * 10}">'.encode() for i in range(1, 10))
           + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
           b'<row><c t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>')
    sheet = tmp_path / "lol.xlsx"
    _xlsx_with_sheet_xml(sheet, lol)
    assert bulletin("import-labels", sheet, "--out", tmp_path / "g.jsonl") == 2
    err = capsys.readouterr().err.strip()
    assert "not a readable .xlsx" in err and len(err.splitlines()) == 1
