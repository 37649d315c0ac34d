"""Every kind of unusable file gets a clear IngestError, never a crash."""

from __future__ import annotations

import os
import tempfile

import pytest

from openborough.ingest import IngestError, IngestOptions, prepare

from .conftest import read_all


def error_of(path, options=None, **kw) -> IngestError:
    with pytest.raises(IngestError) as info:
        prepare(path, options, **kw)
    return info.value


def test_empty_file(write):
    e = error_of(write("empty.csv", b""))
    assert e.code == "empty"
    assert "empty" in e.message


def test_blank_file(write):
    assert error_of(write("blank.csv", "\r\n  \n")).code == "empty"


def test_header_only_is_an_error(write):
    e = error_of(write("header.csv", "a,b,c\n"))
    assert e.code == "no-rows"
    assert "no data rows" in e.message


def test_html_saved_as_csv(write):
    page = "<!DOCTYPE html>\n<html><head><title>Portal</title></head><body><table><tr><td>1</td></tr></table></body></html>"
    e = error_of(write("download.csv", page))
    assert e.code == "not-tabular"
    assert "HTML" in e.message


def test_binary_junk(write):
    e = error_of(write("junk.csv", bytes(range(256)) * 20))
    assert e.code == "not-tabular"


def test_pdf_named_csv(write):
    e = error_of(write("report.csv", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"))
    assert e.code == "not-tabular"
    assert "PDF" in e.message


def test_invalid_utf8_among_utf8(write):
    # valid UTF-8 (é) and then a byte that is not: no encoding fits both halves
    e = error_of(write("mixed.csv", b"name,town\nRen\xc3\xa9,Paris\nBad\xff,London\n"))
    assert e.code == "encoding"
    assert "line 3" in e.message


def test_over_max_bytes(write):
    path = write("big.csv", "a,b\n" + "1,2\n" * 100)
    e = error_of(path, IngestOptions(max_bytes=100))
    assert e.code == "too-large"
    assert "100 bytes" in e.message


def test_under_max_bytes_is_fine(write):
    p, t = read_all(write("small.csv", "a,b\n1,2\n"), IngestOptions(max_bytes=1000))
    assert p.row_count == 1


def test_missing_file(tmp_path):
    assert error_of(tmp_path / "nope.csv").code == "not-found"


def test_bad_options(write):
    path = write("x.csv", "a\n1\n")
    assert error_of(path, IngestOptions(on_bad="ignore")).code == "bad-option"
    assert error_of(path, IngestOptions(format="parquet")).code == "bad-option"
    assert error_of(path, IngestOptions(types={"a": "nonsense"})).code == "bad-option"
    assert error_of(path, IngestOptions(renames={"zz": "b"})).code == "bad-option"
    assert error_of(path, IngestOptions(renames={"a": "Not A Name"})).code == "bad-option"
    assert error_of(path, IngestOptions(point_from=("lat", "lon"))).code == "bad-option"


def test_json_that_is_not_a_list_of_objects(write):
    assert error_of(write("x.json", "[1, 2, 3]")).code == "bad-format"
    assert error_of(write("y.json", "{not json")).code == "bad-format"
    assert error_of(write("z.json", "[]")).code == "no-rows"


def test_broken_xlsx(write):
    assert error_of(write("x.xlsx", b"PK\x03\x04 this is no workbook")).code == "bad-format"


def test_duplicate_row_id(write):
    path = write("ids.csv", "id,v\n1,a\n2,b\n1,c\n3,d\n2,e\n")
    e = error_of(path, row_id="id")
    assert e.code == "duplicate-row-id"
    dup = next(f for f in e.report.problems if f.kind == "duplicate-row-id")
    assert dup.count == 2
    assert dup.rows == [1, 2, 3, 5]
    assert dup.examples[0].startswith("1 (rows 1, 3)")


def test_blank_row_id(write):
    e = error_of(write("ids.csv", "id,v\n1,a\n,b\n"), IngestOptions(row_id="id"))
    assert e.code == "duplicate-row-id"
    assert e.report.problems[0].kind == "null-row-id"
    assert e.report.problems[0].rows == [2]


def test_row_id_that_is_not_a_column(write):
    e = error_of(write("ids.csv", "id,v\n1,a\n"), row_id="nope")
    assert e.code == "duplicate-row-id"
    assert "not a column" in e.message


def test_unique_row_id_passes(write):
    p, t = read_all(write("ids.csv", "id,v\n1,a\n2,b\n"), row_id="id")
    assert p.row_count == 2


def _recording_mkdtemp(monkeypatch) -> list[str]:
    made: list[str] = []
    real = tempfile.mkdtemp

    def mkdtemp(*a, **kw):
        made.append(real(*a, **kw))
        return made[-1]

    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    return made


def test_temp_files_removed(write, monkeypatch):
    made = _recording_mkdtemp(monkeypatch)
    with prepare(write("x.csv", "a,b\n1,2\n")) as p:
        list(p.reader())
        assert made and os.path.isdir(made[0])
    assert not os.path.exists(made[0])


def test_temp_files_removed_after_error(write, monkeypatch):
    made = _recording_mkdtemp(monkeypatch)
    with pytest.raises(IngestError):
        prepare(write("h.csv", "a,b\n"))
    assert made and not os.path.exists(made[0])


def test_binary_junk_without_nul_bytes(write):
    import random

    rng = random.Random(7)
    junk = bytes(rng.choice([b for b in range(1, 256)]) for _ in range(4000))
    assert b"\x00" not in junk
    assert error_of(write("junk.csv", junk)).code == "not-tabular"
