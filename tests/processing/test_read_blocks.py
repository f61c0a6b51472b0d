"""Every supported type read through the one entry the run calls, and the refusals a run reports to the owner."""

from __future__ import annotations

import pytest
from pypdf import PdfReader, PdfWriter

from documents.types import document_type
from processing.errors import DocumentRefusedError
from processing.readers import read_blocks
from tests.support.sample_documents import MARKER, SAMPLES


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_supported_type_yields_its_text(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(SAMPLES[name]())
    assert MARKER in "\n".join(block.text for block in read_blocks(path, document_type(name)))


def test_a_pdf_encrypted_with_a_user_password_is_refused_with_advice(tmp_path):
    source = tmp_path / "plain.pdf"
    source.write_bytes(SAMPLES["notes.pdf"]())
    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt("secret")
    encrypted = tmp_path / "locked.pdf"
    with encrypted.open("wb") as file:
        writer.write(file)
    with pytest.raises(DocumentRefusedError, match="password-protected; upload an unprotected copy"):
        list(read_blocks(encrypted, ".pdf"))
