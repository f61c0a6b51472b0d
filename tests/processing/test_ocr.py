"""OCR on scans we make of a corpus PDF's page with poppler's pdftoppm, measured against pdftotext's words on
the original page; mixed PDFs, rotated scans, multi-page TIFFs, and the images OCR refuses."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pypdfium2
import pytest
from PIL import Image

from processing.blocks import Block
from processing.errors import NO_TEXT_AFTER_OCR, DocumentRefusedError, ScannedPageError
from processing.ocr.engine import OcrOptions, page_reader
from processing.ocr.scan import page_images, plan_ocr
from processing.readers import read_blocks
from processing.readers.image import DAMAGED_IMAGE, MAX_IMAGE_PIXELS
from settings import DEBIAN_TESSDATA_DIR
from tests.processing.conftest import PDFS, pdftotext_pages, recall, words

SOURCE = PDFS / "pdflatex-4-pages.pdf"
SOURCE_PAGE = 1


def options(**changes: object) -> OcrOptions:
    values: dict[str, object] = {
        "languages": "eng",
        "tessdata_dir": DEBIAN_TESSDATA_DIR,
        "dpi": 200,
        "page_timeout_seconds": 120.0,
        "max_pages": 200,
    }
    values.update(changes)
    return OcrOptions(**values)  # type: ignore[arg-type]


def ocr_blocks(path: Path, kind: str, ocr_options: OcrOptions) -> list[Block]:
    """The document's blocks with every page OCR must read read, as a run's steps put them together."""
    plan = plan_ocr(path, kind, ocr_options.max_pages)
    with page_reader(ocr_options) as reader:
        texts = {page: reader.read(page, image).text for page, image in page_images(path, kind, plan.pages, 200)}
    return list(read_blocks(path, kind, texts))


@pytest.fixture(scope="module")
def pdftoppm() -> str:
    path = shutil.which("pdftoppm")
    if path is None:
        pytest.fail("pdftoppm is missing: apt-get install poppler-utils (make test does)", pytrace=False)
    return path


def rasterised(pdftoppm: str, directory: Path, dpi: int) -> Path:
    """The source page as poppler renders it at `dpi`: a scan nobody here drew."""
    prefix = directory / f"scan-{dpi}"
    subprocess.run(
        [
            pdftoppm,
            "-r",
            str(dpi),
            "-f",
            str(SOURCE_PAGE),
            "-l",
            str(SOURCE_PAGE),
            "-png",
            "-singlefile",
            str(SOURCE),
            str(prefix),
        ],
        check=True,
        timeout=120,
    )
    return prefix.with_suffix(".png")


@pytest.fixture(scope="module")
def reference(pdftotext: str):
    return words(pdftotext_pages(pdftotext, SOURCE)[SOURCE_PAGE - 1])


@pytest.fixture(scope="module")
def scan_at_200_dpi(pdftoppm, tmp_path_factory) -> Path:
    return rasterised(pdftoppm, tmp_path_factory.mktemp("scan"), 200)


def as_pdf(image_path: Path, target: Path, dpi: int) -> Path:
    with Image.open(image_path) as image:
        image.convert("L").save(target, "PDF", resolution=dpi)
    return target


def test_a_png_scan_at_300_dpi_recalls_nine_tenths_of_the_words_pdftotext_finds(pdftoppm, reference, tmp_path):
    scan = rasterised(pdftoppm, tmp_path, 300)
    blocks = ocr_blocks(scan, ".png", options(dpi=300))
    assert {block.page for block in blocks} == {1}
    assert all(block.ocr for block in blocks)
    assert recall(reference, words("\n".join(block.text for block in blocks))) >= 0.9


@pytest.mark.parametrize("turn", [90, 180])
def test_a_rotated_scan_is_set_upright_before_it_is_read(scan_at_200_dpi, reference, tmp_path, turn):
    rotated = tmp_path / f"rotated-{turn}.png"
    with Image.open(scan_at_200_dpi) as image:
        image.rotate(turn, expand=True).save(rotated)
    blocks = ocr_blocks(rotated, ".png", options())
    assert recall(reference, words("\n".join(block.text for block in blocks))) >= 0.9


def mixed_pdf(scan: Path, directory: Path) -> Path:
    """The source's second page (typed), then the scan of its first wrapped as a PDF page."""
    mixed = pypdfium2.PdfDocument.new()
    typed = pypdfium2.PdfDocument(SOURCE)
    scanned = pypdfium2.PdfDocument(as_pdf(scan, directory / "scan.pdf", 200))
    mixed.import_pages(typed, [1])
    mixed.import_pages(scanned, [0])
    path = directory / "mixed.pdf"
    mixed.save(path)
    for document in (mixed, typed, scanned):
        document.close()
    return path


def test_a_mixed_pdf_keeps_its_typed_page_and_reads_its_scanned_one(pdftotext, reference, scan_at_200_dpi, tmp_path):
    path = mixed_pdf(scan_at_200_dpi, tmp_path)
    assert plan_ocr(path, ".pdf", 200).pages == (2,)
    blocks = ocr_blocks(path, ".pdf", options())
    typed_blocks = [block for block in blocks if block.page == 1]
    scanned_blocks = [block for block in blocks if block.page == 2]
    assert typed_blocks
    assert not any(block.ocr for block in typed_blocks)
    assert scanned_blocks
    assert all(block.ocr for block in scanned_blocks)
    typed_reference = words(pdftotext_pages(pdftotext, SOURCE)[1])
    assert recall(typed_reference, words("\n".join(block.text for block in typed_blocks))) >= 0.99
    assert recall(reference, words("\n".join(block.text for block in scanned_blocks))) >= 0.9


def test_every_frame_of_a_tiff_is_a_page_and_more_than_the_limit_is_refused_naming_it(tmp_path):
    path = tmp_path / "two-frames.tiff"
    frames = [Image.new("L", (200, 100), 255) for _ in range(2)]
    frames[0].save(path, save_all=True, append_images=frames[1:])
    assert plan_ocr(path, ".tiff", 200).pages == (1, 2)
    with pytest.raises(DocumentRefusedError) as refused:
        plan_ocr(path, ".tiff", 1)
    assert "the limit is 1 (OCR_MAX_PAGES)" in str(refused.value)


def test_a_page_tesseract_cannot_read_in_time_fails_alone(scan_at_200_dpi):
    with page_reader(options(page_timeout_seconds=0.001)) as reader:
        ((page, image),) = page_images(scan_at_200_dpi, ".png", (1,), 200)
        reading = reader.read(page, image.crop((0, 0, image.width, image.height // 4)))
    assert reading.text == ""
    assert reading.failure == "Tesseract did not read it within 0.001 seconds"


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content",
    [b"<html>not an image</html>", png_bytes(Image.new("L", (300, 300), 128))[:120]],
    ids=["not-an-image", "truncated"],
)
def test_a_damaged_image_is_refused_with_the_reason(tmp_path, content):
    path = tmp_path / "damaged.png"
    path.write_bytes(content)
    with pytest.raises(DocumentRefusedError) as refused:
        list(page_images(path, ".png", (1,), 200))
    assert str(refused.value) == DAMAGED_IMAGE


def test_an_image_over_the_pixel_limit_is_refused_before_it_is_decoded(tmp_path):
    side = int((MAX_IMAGE_PIXELS * 1.1) ** 0.5)
    path = tmp_path / "bomb.png"
    Image.new("1", (side, side), 1).save(path)
    assert path.stat().st_size < 5_000_000
    with pytest.raises(DocumentRefusedError) as refused:
        list(read_blocks(path, ".png"))
    assert str(refused.value) == (
        f"the image is too large to read: {side} x {side} pixels, the limit is {MAX_IMAGE_PIXELS:,} pixels a page"
    )


def test_an_image_without_words_is_refused_as_having_no_text_after_ocr(tmp_path):
    path = tmp_path / "blank.png"
    Image.new("L", (120, 80), 255).save(path)
    with pytest.raises(DocumentRefusedError) as refused:
        ocr_blocks(path, ".png", options())
    assert str(refused.value) == NO_TEXT_AFTER_OCR


def test_a_text_read_that_meets_a_page_only_ocr_can_read_stops_there(scan_at_200_dpi, tmp_path):
    path = mixed_pdf(scan_at_200_dpi, tmp_path)
    with pytest.raises(ScannedPageError) as stopped:
        list(read_blocks(path, ".pdf", stop_at_scanned_page=True))
    assert stopped.value.page == 2


def test_a_typed_pdf_read_ready_to_stop_at_a_scanned_page_is_read_whole():
    assert list(read_blocks(SOURCE, ".pdf", stop_at_scanned_page=True)) == list(read_blocks(SOURCE, ".pdf"))


@pytest.mark.parametrize(("kind", "format_name"), [(".jpg", "JPEG"), (".webp", "WEBP"), (".tif", "TIFF")])
def test_each_image_type_is_read_by_ocr(scan_at_200_dpi, reference, tmp_path, kind, format_name):
    path = tmp_path / f"strip{kind}"
    with Image.open(scan_at_200_dpi) as image:
        strip = image.convert("L").crop((0, image.height // 6, image.width, image.height // 3))
        strip.save(path, format_name, **({} if format_name == "TIFF" else {"quality": 90}))
    found = words("\n".join(block.text for block in ocr_blocks(path, kind, options())))
    # A strip holds some of the page's lines: nearly every word read must be one of the page's.
    assert sum(found.values()) > 20
    assert sum(min(count, reference[word]) for word, count in found.items()) / sum(found.values()) >= 0.9
