"""CSV files from Apache Tika's and frictionless-py's test suites, measured against their own text."""

from __future__ import annotations

import pytest

from processing.errors import DocumentRefusedError
from processing.readers import read_blocks
from processing.readers.csv_table import read_csv
from tests.processing.conftest import CORPUS, recall, words

TABLES = CORPUS / "csv"
# How each file is encoded, as its source says (frictionless-py's file names tell).
ENCODINGS = {"latin1.csv": "cp1252", "bom.csv": "utf-8-sig"}


def rows(name):
    return [block.text for block in read_csv(TABLES / name)]


def rows_of(path):
    return [block.text for block in read_blocks(path, ".csv")]


@pytest.mark.parametrize("path", sorted(TABLES.glob("*.csv")), ids=lambda path: path.name)
def test_every_word_of_the_file_is_read(path):
    reference = words(path.read_bytes().decode(ENCODINGS.get(path.name, "utf-8")))
    assert recall(reference, words("\n".join(rows(path.name)))) == 1.0


def test_each_row_is_one_line_the_header_row_first():
    assert rows("foo.csv") == [
        "foo | bar | baz",
        "123 | abc def | -987",
        "456 | qwertyuiop | 98765",
        "789 | qawsedrft | 3.14159",
    ]


def test_a_semicolon_dialect_is_sniffed_and_quotes_are_taken_off():
    assert rows("issue-1138.csv")[:3] == [
        "Zeit [MEZ] | Wasserstand | Status",
        "09.07.2013 12:00:00 | 146 | nicht qualitätsgesichert",
        "10.07.2013 | 145 | qualitätsgesichert",
    ]


def test_empty_rows_are_skipped_and_empty_cells_kept_in_place_but_not_after_the_last_value():
    assert rows("testCSV.csv")[:3] == ["Sample CSV File - Numbers and their Squares", "| Number | Square", "| 1 | 1"]


@pytest.mark.parametrize(
    ("name", "last_row"), [("latin1.csv", "2 | ©"), ("bom.csv", "2 | 中国人")], ids=["cp1252", "utf-8-with-bom"]
)
def test_the_encoding_is_the_plain_text_readers(name, last_row):
    read = rows(name)
    assert (read[0], read[-1]) == ("id | name", last_row)


def test_a_quoted_field_spanning_lines_stays_in_its_row(tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text('name,note\r\nAda,"first line\r\nsecond line"\r\nGrace,short\r\n', newline="")
    assert rows_of(path) == ["name | note", "Ada | first line second line", "Grace | short"]


def test_a_file_the_sniffer_cannot_place_is_read_as_comma_separated(tmp_path):
    path = tmp_path / "names.csv"
    path.write_text("name\nAda Lovelace\nGrace Hopper\n")
    assert rows_of(path) == ["name", "Ada Lovelace", "Grace Hopper"]


def test_rows_past_the_cap_are_refused(tmp_path, monkeypatch):
    path = tmp_path / "long.csv"
    path.write_text("a,b\n1,2\n3,4\n")
    monkeypatch.setattr("processing.readers.csv_table.MAX_ROWS", 3)
    assert rows_of(path) == ["a | b", "1 | 2", "3 | 4"]
    path.write_text("a,b\n1,2\n3,4\n5,6\n")
    with pytest.raises(DocumentRefusedError) as refused:
        list(read_blocks(path, ".csv"))
    assert str(refused.value) == "the .csv has more than 3 rows, more than we read; split it into smaller files"


def test_a_binary_file_is_refused(tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes(b"a,b\n\x00\x01\x02")
    with pytest.raises(DocumentRefusedError, match="binary, not text"):
        list(read_blocks(path, ".csv"))
