"""PDFs from several producers, read by PDFium, measured against poppler's pdftotext."""

from __future__ import annotations

import collections

import pytest
from fpdf import FPDF

from processing.blocks import BlockKind
from processing.errors import NO_TEXT, DocumentRefusedError
from processing.readers import pdf as pdf_reader
from processing.readers import read_blocks
from processing.readers.pdf import DAMAGED, PASSWORD_PROTECTED, normalise, read_pdf
from tests.processing.conftest import PDFS, pdftotext_pages, recall, words

# Each text PDF of the corpus and who made it.
TEXT_PDFS = {
    "pdflatex-4-pages.pdf": "pdfTeX, 4 pages",
    "pdflatex-outline.pdf": "pdfTeX, with an outline",
    "GeoTopo-komprimiert.pdf": "pdfTeX, 117 pages of German mathematics, with an outline",
    "multicolumn.pdf": "pdfTeX, two columns",
    "002-trivial-libre-office-writer.pdf": "LibreOffice Writer",
    "multilang.pdf": "LibreOffice Writer: Arabic, Russian, Chinese, Japanese",
    "google-doc-document.pdf": "Google Docs (Skia)",
    "crazyones-pdfa.pdf": "Ghostscript, PDF/A-1B, with ligatures",
    "r6-owner-password.pdf": "WPS Writer, AES-256 with an owner password only",
    "zen_of_python_corrupted.pdf": "Ghostscript, damaged (broken cross-reference table)",
}
# Multi-page PDFs whose pages do not all repeat the same words.
MULTI_PAGE = ["pdflatex-outline.pdf", "GeoTopo-komprimiert.pdf", "multicolumn.pdf"]


@pytest.mark.parametrize("name", sorted(TEXT_PDFS))
def test_text_pdf_recalls_the_words_pdftotext_finds(pdftotext, name):
    reference = words("\n".join(pdftotext_pages(pdftotext, PDFS / name)))
    found = words("\n".join(block.text for block in read_pdf(PDFS / name)))
    assert recall(reference, found) >= 0.97, TEXT_PDFS[name]


@pytest.mark.parametrize("name", MULTI_PAGE)
def test_a_word_on_one_page_only_comes_back_with_that_page(pdftotext, name):
    pages_of: dict[str, set[int]] = collections.defaultdict(set)
    for number, text in enumerate(pdftotext_pages(pdftotext, PDFS / name), start=1):
        for word in words(text):
            pages_of[word].add(number)
    ours: dict[str, set[int]] = collections.defaultdict(set)
    for block in read_pdf(PDFS / name):
        assert block.page is not None
        for word in words(block.text):
            ours[word].add(block.page)
    single = {word: pages.pop() for word, pages in pages_of.items() if len(pages) == 1}
    found = {word: page for word, page in single.items() if word in ours}
    assert len(found) >= 0.9 * len(single) > 0
    # Recall is measured above: here every such word we read must be on its page.
    assert [word for word, page in found.items() if page not in ours[word]] == []


def test_ligatures_become_letters_and_words_stay_whole():
    found = words("\n".join(block.text for block in read_pdf(PDFS / "crazyones-pdfa.pdf")))
    for word in ("misfits", "troublemakers", "differently", "rebels", "ones"):
        assert found[word] >= 1, word
    assert not any("\ufb01" in block.text for block in read_pdf(PDFS / "crazyones-pdfa.pdf"))


def test_pages_are_physical_and_one_based():
    blocks = list(read_pdf(PDFS / "GeoTopo-komprimiert.pdf"))
    assert blocks[0].page == 1
    assert max(block.page or 0 for block in blocks) == 117
    assert all(block.kind is BlockKind.PARAGRAPH for block in blocks)


def test_the_outline_gives_the_section_path():
    blocks = list(read_pdf(PDFS / "GeoTopo-komprimiert.pdf"))
    page_41 = [block for block in blocks if block.page == 41]
    assert "Spannbaum" in " ".join(block.text for block in page_41)
    assert {block.section for block in page_41} == {
        ("2 Mannigfaltigkeiten und Simplizialkomplexe", "2.3 Simplizialkomplex")
    }
    # Before the first bookmark's page there is no section.
    assert {block.section for block in blocks if block.page == 1} == {()}


def test_a_pdf_read_a_few_pages_per_open_gives_the_same_blocks(monkeypatch):
    # The document is opened again every PAGES_PER_OPEN pages, which must change nothing a reader sees:
    # the text, the pages and the outline's sections (read once, from the first open).
    whole = list(read_pdf(PDFS / "GeoTopo-komprimiert.pdf"))
    monkeypatch.setattr(pdf_reader, "PAGES_PER_OPEN", 7)
    assert list(read_pdf(PDFS / "GeoTopo-komprimiert.pdf")) == whole


def test_a_pdf_without_an_outline_has_no_sections():
    assert {block.section for block in read_pdf(PDFS / "multicolumn.pdf")} == {()}


def test_an_owner_password_alone_does_not_stop_reading():
    text = " ".join(block.text for block in read_pdf(PDFS / "r6-owner-password.pdf"))
    assert "pdf encryption test" in text


def test_a_pdf_that_needs_a_password_to_open_is_refused_with_advice():
    with pytest.raises(DocumentRefusedError) as refused:
        list(read_pdf(PDFS / "libreoffice-writer-password.pdf"))
    assert str(refused.value) == PASSWORD_PROTECTED == "the PDF is password-protected; upload an unprotected copy"


def test_a_damaged_pdf_pdfium_can_repair_is_read():
    text = " ".join(block.text for block in read_blocks(PDFS / "zen_of_python_corrupted.pdf", ".pdf"))
    assert "Beautiful is better than ugly." in text


def test_a_pdf_damaged_beyond_repair_is_refused_with_the_reason():
    with pytest.raises(DocumentRefusedError, match="damaged") as refused:
        list(read_blocks(PDFS / "bug_451830.pdf", ".pdf"))
    assert str(refused.value) == DAMAGED


def test_a_pdf_without_text_is_refused_as_needing_ocr(tmp_path):
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 50, 50)
    path = tmp_path / "scan.pdf"
    path.write_bytes(bytes(pdf.output()))
    with pytest.raises(DocumentRefusedError) as refused:
        list(read_blocks(path, ".pdf"))
    assert str(refused.value) == NO_TEXT


def test_a_file_that_is_no_pdf_at_all_is_refused(tmp_path):
    path = tmp_path / "notes.pdf"
    path.write_text("plain words, not a PDF")
    with pytest.raises(DocumentRefusedError, match="not a PDF"):
        list(read_pdf(path))


def test_two_pdfs_read_in_turns_on_one_thread_do_not_block_each_other():
    # PDFium is called under a lock that is never held across a yield: reading two documents in turns
    # (as a consumer pausing one reader may) would deadlock otherwise.
    first = read_pdf(PDFS / "pdflatex-4-pages.pdf")
    second = read_pdf(PDFS / "pdflatex-outline.pdf")
    pages = [(next(first).page, next(second).page) for _ in range(4)]
    assert pages == [(1, 1), (2, 2), (3, 3), (4, 4)]
    assert list(first) == list(second) == []


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("mis\ufb01ts and \ufb02ags", "misfits and flags"),
        ("Te\ufffetraeder", "Tetraeder"),
        ("Te\ufffe\r\ntraeder", "Tetraeder"),
        ("Gau\u00df\ufffe\r\nKr\u00fcmmung", "Gau\u00df-Kr\u00fcmmung"),
        ("hy\u00adphen", "hyphen"),
        ("R\u00b2 and x\x01y", "R2 and x y"),
        ("  one  \r\n\r\n two ", "one\ntwo"),
    ],
)
def test_page_text_is_normalised_for_search(raw, normalised):
    assert normalise(raw) == normalised
