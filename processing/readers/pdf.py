"""PDF with PDFium (pypdfium2), page by page: text normalised (NFKC, so ligatures become letters), words
kept whole across line-end hyphens and raised or lowered glyphs, the outline as the section path."""

from __future__ import annotations

import ctypes
import itertools
import re
import threading
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdfium2
import pypdfium2.raw as pdfium_c

from processing.blocks import Block, BlockKind
from processing.errors import DocumentRefusedError, ScannedPageError
from processing.readers.long_text import cut_at_whitespace

PASSWORD_PROTECTED = "the PDF is password-protected; upload an unprotected copy"  # noqa: S105 (a message, not a password)
UNSUPPORTED_SECURITY = "the PDF is encrypted in a way we cannot read; upload an unprotected copy"
DAMAGED = "the PDF is damaged beyond repair or not a PDF"

# PDFium is not thread-safe and a worker runs steps in threads: every call into it holds this lock,
# never across a yield, so a reader paused by its consumer blocks no other.
PDFIUM = threading.Lock()

# An outline with more entries than this is read this far: its sections stay useful, its memory bounded.
MAX_OUTLINE_ENTRIES = 10_000

# PDFium keeps every object it has parsed (each page's dictionary and content stream) until the document
# is closed, so memory would grow with every page read (about 6 KB a page of the bench's generated PDFs).
# The document is opened again after this many pages, which bounds that to a batch of pages.
PAGES_PER_OPEN = 500

# A page with fewer visible characters than MIN_TEXT_CHARS, or than this many per square inch, has no usable
# text layer (`text_is_sparse`).
MIN_CHARS_PER_SQUARE_INCH = 0.25
MIN_TEXT_CHARS = 16

# PDFium marks a hyphen it took for a line-end hyphenation with U+FFFE (or U+0002 in older builds).
LINE_END_HYPHEN = re.compile(r"[\ufffe\x02](?:\r\n)?(\w?)")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
SPACES = re.compile(r"[ \t\u00a0]+")


def read_pdf(path: Path, *, stop_at_scanned_page: bool = False) -> Iterator[Block]:
    """One block per page (cut at whitespace when long), `page` the 1-based physical page, `section` the
    outline path of the last bookmark on or before the page. A page PDFium cannot load is skipped.

    With `stop_at_scanned_page`, ScannedPageError at the first page whose text layer is too sparse for it
    (`text_is_sparse`): the caller reads the document with OCR instead, having paid for one pass at most.
    """
    with PDFIUM:
        document = open_pdf(path)
    try:
        with PDFIUM:
            page_count = len(document)
            sections = _outline_sections(document, page_count)
        section: tuple[str, ...] = ()
        for index in range(page_count):
            section = sections.get(index, section)
            with PDFIUM:
                if index and index % PAGES_PER_OPEN == 0:
                    document.close()
                    document = open_pdf(path)
                text, sparse = _page_text(document, index)
            if sparse and stop_at_scanned_page:
                raise ScannedPageError(index + 1)
            for piece in cut_at_whitespace(text):
                yield Block(piece, BlockKind.PARAGRAPH, index + 1, section)
    finally:
        with PDFIUM:
            document.close()


def open_pdf(path: Path) -> Any:
    try:
        # An owner password alone (an empty user password) restricts editing, not reading: PDFium opens it.
        return pypdfium2.PdfDocument(path)
    except pypdfium2.PdfiumError as error:
        if error.err_code == pdfium_c.FPDF_ERR_PASSWORD:
            raise DocumentRefusedError(PASSWORD_PROTECTED) from error
        if error.err_code == pdfium_c.FPDF_ERR_SECURITY:
            raise DocumentRefusedError(UNSUPPORTED_SECURITY) from error
        raise DocumentRefusedError(DAMAGED) from error


def _outline_sections(document: Any, page_count: int) -> dict[int, tuple[str, ...]]:
    """The section path each page starts under, for pages where a bookmark points: the last bookmark (in
    outline order) on a page gives the path for that page and the pages after it."""
    by_page: dict[int, tuple[str, ...]] = {}
    path: list[str] = []
    try:
        bookmarks = list(itertools.islice(document.get_toc(), MAX_OUTLINE_ENTRIES))
    except pypdfium2.PdfiumError:
        return {}  # a damaged outline costs the sections, not the text
    for bookmark in bookmarks:
        title = " ".join(bookmark.get_title().split())
        del path[bookmark.level :]
        path.append(title)
        destination = bookmark.get_dest()
        page = destination.get_index() if destination is not None else None
        if page is not None and 0 <= page < page_count and title:
            by_page[page] = tuple(unicodedata.normalize("NFKC", part) for part in path if part)
    return dict(sorted(by_page.items()))


def _page_text(document: Any, index: int) -> tuple[str, bool]:
    """The page's normalised text, and whether it is too sparse for the page; ("", False) for a page PDFium
    cannot load (nor render), so one bad page spoils no other."""
    try:
        page = document[index]
    except pypdfium2.PdfiumError:
        return "", False
    try:
        width, height = page.get_size()
        textpage = page.get_textpage()
        try:
            text = _join_raised_glyphs(textpage, textpage.get_text_range())
        finally:
            textpage.close()
    except pypdfium2.PdfiumError:
        return "", False
    finally:
        page.close()
    text = normalise(text)
    return text, text_is_sparse(text, width, height)


def text_is_sparse(text: str, width: float, height: float) -> bool:
    """Whether `text` is far too little for a page of `width` by `height` points to be its text layer: a scan,
    perhaps with a stamped page number or a scanner's header line, that OCR should read."""
    visible = sum(not character.isspace() for character in text)
    square_inches = (width / 72) * (height / 72)
    return visible < max(MIN_TEXT_CHARS, MIN_CHARS_PER_SQUARE_INCH * square_inches)


def _join_raised_glyphs(textpage: Any, text: str) -> str:
    """PDFium starts a new line wherever the baseline moves, so `R²` comes out as `R\\r\\n2` and `x₁` as
    `x\\r\\n1`. Where the glyph after a break sits on the same line as the one before it (their boxes
    overlap vertically and it starts where the other ends), the break is no line end: it goes."""
    pieces: list[str] = []
    start = 0
    # Four doubles for every box of the page in turn, rather than four new ones for each box.
    edges = (ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double())
    for match in re.finditer("\r\n", text):
        before, after = match.start() - 1, match.end()
        if before < 0 or after >= len(text) or text[before].isspace() or text[after].isspace():
            continue
        left = _char_box(textpage, before, edges)
        right = _char_box(textpage, after, edges) if left is not None else None
        if left is None or right is None:
            continue
        height = max(left[3] - left[2], right[3] - right[2], 1.0)
        overlaps = min(left[3], right[3]) - max(left[2], right[2]) > 0
        gap = right[0] - left[1]
        # Only a raised glyph (an exponent, `Rⁿ`) joins the word before it, as poppler reads it too: an index
        # or a prime is a word of its own there, and a search for `R2` should find `R²`.
        raised = right[2] - left[2] > 0.45 * height
        if overlaps and raised and -0.1 * height <= gap < 0.1 * height:
            pieces.append(text[start : match.start()])
            start = match.end()
    pieces.append(text[start:])
    return "".join(pieces)


def _char_box(
    textpage: Any, text_index: int, edges: tuple[ctypes.c_double, ...]
) -> tuple[float, float, float, float] | None:
    """(left, right, bottom, top) of the character at `text_index` of the page's text, or None; `edges` are
    four doubles PDFium writes them into."""
    char_index = pdfium_c.FPDFText_GetCharIndexFromTextIndex(textpage, text_index)
    if char_index < 0:
        return None
    left, right, bottom, top = edges
    if not pdfium_c.FPDFText_GetCharBox(textpage, char_index, left, right, bottom, top):
        return None
    return left.value, right.value, bottom.value, top.value


def _line_end_hyphen(match: re.Match[str]) -> str:
    return match.group(1) if match.group(1).islower() else "-" + match.group(1)


def normalise(text: str) -> str:
    """A page's text as words a search finds: NFKC (ligatures become letters, `²` becomes `2`), line-end
    hyphenation undone where the word goes on in lower case (`Te-traeder`; `Gauß-Krümmung` keeps its
    hyphen), control characters from fonts without a text mapping dropped, lines stripped."""
    # The hyphen and space substitutions are skipped where a plain search (`in`) shows they would change
    # nothing: on a page without them it is many times faster than the regular expression finding that out.
    if "\ufffe" in text or "\x02" in text:
        text = LINE_END_HYPHEN.sub(_line_end_hyphen, text)
    # A soft hyphen marks where a word may break, and is no part of it.
    text = unicodedata.normalize("NFKC", text.replace("\r\n", "\n").replace("\u00ad", ""))
    text = CONTROL_CHARACTERS.sub(" ", text)
    # Runs of spaces never span a line end, so they are collapsed in the whole text at once.
    if "  " in text or "\t" in text or "\u00a0" in text:
        text = SPACES.sub(" ", text)
    return "\n".join(line for line in (line.strip() for line in text.split("\n")) if line)
