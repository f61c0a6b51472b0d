"""The one way processing says no for good: a document it will never read, with why, in words for its owner."""

from __future__ import annotations


class DocumentRefusedError(Exception):
    """The document cannot be turned into text, and trying again will not change that.

    The message is written for the document's owner: what is wrong and, where there is one, what to do.
    """


NO_TEXT = "no text could be extracted (a scanned PDF needs OCR first)"
NO_TEXT_AFTER_OCR = "no text could be extracted: OCR found no words on its pages"


class ScannedPageError(Exception):
    """A page that only OCR can read, met by a reader asked to stop there (`page`, 1-based)."""

    def __init__(self, page: int) -> None:
        super().__init__(f"page {page} has no usable text layer")
        self.page = page


class ContentMismatchError(DocumentRefusedError):
    """The document's bytes are not of the type its name says: a `.pdf` that is a zip, a `.txt` that is binary."""
