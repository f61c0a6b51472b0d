"""Text extraction by type, and chunking."""

from __future__ import annotations

import io
import zipfile

import pytest

from documents.types import UnsupportedDocumentError
from inngest_functions.chunking import split_text
from inngest_functions.extraction import extract_text
from tests.support.sample_documents import MARKER, SAMPLES


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_supported_type_yields_its_text(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(SAMPLES[name]())
    assert MARKER in extract_text(path, name)


def test_extension_decides_the_type_case_insensitively(tmp_path):
    path = tmp_path / "upper"
    path.write_bytes(SAMPLES["notes.pdf"]())
    assert MARKER in extract_text(path, "REPORT.PDF")


def test_utf16_text_with_a_byte_order_mark_is_decoded(tmp_path):
    path = tmp_path / "wide.txt"
    path.write_bytes("\ufeffZebra quartz marker in UTF-16".encode("utf-16-le"))
    assert MARKER in extract_text(path, "wide.txt")


def test_binary_file_named_txt_is_refused(tmp_path):
    path = tmp_path / "binary.txt"
    path.write_bytes(b"\x7fELF\x02\x01\x00\x00")
    with pytest.raises(UnsupportedDocumentError, match="binary"):
        extract_text(path, "binary.txt")


def test_latin1_text_is_decoded(tmp_path):
    path = tmp_path / "old.txt"
    path.write_bytes("Café crème, déjà vu, naïve façade; résumé of the meeting notes.".encode("latin-1"))
    assert "Café crème" in extract_text(path, "old.txt")


def test_docx_that_unpacks_too_large_is_refused_before_parsing(tmp_path, monkeypatch):
    monkeypatch.setattr("inngest_functions.extraction.MAX_DOCX_UNPACKED_BYTES", 10_000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "a" * 50_000)  # compresses to a few hundred bytes
    path = tmp_path / "bomb.docx"
    path.write_bytes(buffer.getvalue())
    assert path.stat().st_size < 10_000
    with pytest.raises(UnsupportedDocumentError, match="zip bomb"):
        extract_text(path, "bomb.docx")


def test_encrypted_pdf_is_refused_with_advice(tmp_path):
    from pypdf import PdfReader, PdfWriter

    source = tmp_path / "plain.pdf"
    source.write_bytes(SAMPLES["notes.pdf"]())
    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt("secret")
    encrypted = tmp_path / "locked.pdf"
    with encrypted.open("wb") as file:
        writer.write(file)
    with pytest.raises(UnsupportedDocumentError, match="encrypted"):
        extract_text(encrypted, "locked.pdf")


def test_chunks_respect_size_and_cover_the_text():
    text = " ".join(f"Sentence number {index} is here." for index in range(200))
    chunks = split_text(text, ".txt", chunk_size=300, chunk_overlap=30)
    assert len(chunks) > 10
    assert all(len(chunk) <= 300 for chunk in chunks)
    assert "Sentence number 0 is here." in chunks[0]
    assert "Sentence number 199 is here." in chunks[-1]


def test_markdown_is_split_along_its_headings():
    text = "# One\n\n" + "alpha " * 40 + "\n\n# Two\n\n" + "beta " * 40
    chunks = split_text(text, ".md", chunk_size=260, chunk_overlap=0)
    assert chunks[0].startswith("# One")
    assert any(chunk.startswith("# Two") for chunk in chunks)
