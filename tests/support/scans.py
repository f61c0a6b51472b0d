"""Scans nobody here drew: a corpus PDF's page rasterised by poppler's pdftoppm, cut into strips of text lines
when a test needs many small pages, and wrapped as a PDF of images as a scanner would save them."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

from PIL import Image

CORPUS_PDF = Path(__file__).resolve().parent.parent / "corpus" / "pdf" / "pdflatex-4-pages.pdf"


def rasterised_page(dpi: int, page: int = 1) -> Image.Image:
    """`page` of the corpus PDF as poppler renders it at `dpi`, in greyscale."""
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm is missing: apt-get install poppler-utils (make test does)"
    with tempfile.TemporaryDirectory() as directory:
        prefix = Path(directory) / "page"
        subprocess.run(
            [pdftoppm, "-r", str(dpi), "-f", str(page), "-l", str(page), "-png", "-singlefile", "-gray",
             str(CORPUS_PDF), str(prefix)],
            check=True,
            timeout=120,
        )  # fmt: skip
        with Image.open(prefix.with_suffix(".png")) as image:
            return image.copy()


def strips(image: Image.Image, count: int) -> list[Image.Image]:
    """The text block of the page (its middle, between the margins) cut into `count` strips, top to bottom."""
    top, bottom = int(image.height * 0.12), int(image.height * 0.85)
    height = (bottom - top) // count
    return [image.crop((0, top + index * height, image.width, top + (index + 1) * height)) for index in range(count)]


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def scanned_pdf(pages: list[Image.Image], dpi: int) -> bytes:
    """The images as the pages of a PDF with no text layer, each page its image's size at `dpi`."""
    buffer = io.BytesIO()
    pages[0].save(buffer, "PDF", resolution=dpi, save_all=True, append_images=pages[1:])
    return buffer.getvalue()
