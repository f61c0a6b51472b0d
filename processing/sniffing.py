"""Content sniffing: a document's bytes must be of the type its name says before any reader opens it.

The name picks the type; libmagic (through python-magic) and the structure of the file's first bytes confirm
it. A file that is plainly something else is refused here, naming what it looks like; a file that starts as
its type should but is broken further on is left to its reader, whose "damaged" refusal says more.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import magic

from processing.errors import ContentMismatchError

# libmagic needs no more to name any format we meet; the zip checks read the archive's directory instead.
HEAD_BYTES = 8192
# PDF readers (PDFium among them) accept a header anywhere in the first kilobyte.
PDF_HEADER = b"%PDF-"
PDF_HEADER_WITHIN = 1024
RTF_START = b"{\\rtf"
ZIP_START = b"PK\x03\x04"
# Office saves a password-protected .docx, .pptx or .xlsx as an "EncryptedPackage" stream in an OLE compound file.
COMPOUND_FILE = bytes.fromhex("d0cf11e0a1b11ae1")
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
# The few control characters real text holds: tab, line feed, vertical tab, form feed, carriage return, escape.
TEXT_CONTROLS = frozenset(b"\t\n\v\f\r\x1b")
CONTROL_BYTES = frozenset(range(0x20)) - TEXT_CONTROLS
# More stray control characters than this share of the head and the file is binary, whatever its name.
MAX_CONTROL_SHARE = 0.01
# Parts read to tell one zip-based format from another, read no further than this: [Content_Types].xml
# lists every part (about 1 MB for a deck of 5,000 slides), the others are a line.
MARKER_PART_BYTES = 4 * 1024 * 1024

WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
POWERPOINT = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
EXCEL = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OFFICE_OTHER = "application/x-office-open-xml"
# An Office package whose [Content_Types].xml is longer than we read and names no main part in what was read.
OFFICE_UNDECIDED = "application/x-office-open-xml-undecided"
OPEN_DOCUMENT = "application/vnd.oasis.opendocument"
OPEN_DOCUMENT_TEXT = f"{OPEN_DOCUMENT}.text"
OPEN_DOCUMENT_SPREADSHEET = f"{OPEN_DOCUMENT}.spreadsheet"
OPEN_DOCUMENT_PRESENTATION = f"{OPEN_DOCUMENT}.presentation"
EPUB = "application/epub+zip"
ZIP = "application/zip"

# The main part's content type in [Content_Types].xml says which Office application a package is for; the
# macro-enabled and template variants count as their family.
CONTENT_TYPE = re.compile(rb'ContentType="([^"]*)"')
MAIN_PART_SUFFIX = ".main+xml"
OFFICE_FAMILIES = (
    (("wordprocessingml.", "ms-word."), WORD),
    (("presentationml.", "ms-powerpoint."), POWERPOINT),
    (("spreadsheetml.", "ms-excel."), EXCEL),
)
MANIFEST_ROOT = re.compile(rb'<manifest:file-entry[^>]*?manifest:full-path="/"[^>]*>')
MANIFEST_MEDIA_TYPE = re.compile(rb'manifest:media-type="([^"]+)"')

BINARY_FORMATS = frozenset({"application/pdf", ZIP, "application/x-ole-storage", "application/CDFV2"})

# How the refusal names what the content looks like, by the media type the detector or the zip gave.
DESCRIPTIONS = {
    "application/pdf": "a PDF document",
    ZIP: "a ZIP archive",
    WORD: "a Word document",
    POWERPOINT: "a PowerPoint presentation",
    EXCEL: "an Excel workbook",
    OFFICE_OTHER: "an Office document of another kind",
    OFFICE_UNDECIDED: "an Office document",
    OPEN_DOCUMENT_TEXT: "an OpenDocument text",
    OPEN_DOCUMENT_SPREADSHEET: "an OpenDocument spreadsheet",
    OPEN_DOCUMENT_PRESENTATION: "an OpenDocument presentation",
    EPUB: "an EPUB book",
    "text/plain": "plain text",
    "text/html": "an HTML page",
    "text/csv": "CSV text",
    "text/markdown": "Markdown text",
    "text/xml": "an XML file",
    "application/xml": "an XML file",
    "application/json": "a JSON file",
    "text/rtf": "an RTF document",
    "application/rtf": "an RTF document",
    "message/rfc822": "an email message",
    "image/png": "a PNG image",
    "image/jpeg": "a JPEG image",
    "image/gif": "a GIF image",
    "image/tiff": "a TIFF image",
    "image/webp": "a WebP image",
    "application/msword": "a Word 97-2003 document",
    "application/vnd.ms-excel": "an Excel 97-2003 workbook",
    "application/vnd.ms-powerpoint": "a PowerPoint 97-2003 presentation",
    "application/encrypted": "a password-protected Office file",
    "application/gzip": "a gzip archive",
    "application/x-tar": "a tar archive",
    "application/x-7z-compressed": "a 7-Zip archive",
    "application/x-rar": "a RAR archive",
    "application/x-executable": "a program",
    "application/x-pie-executable": "a program",
    "application/x-sharedlib": "a program",
    "application/x-dosexec": "a program",
    "application/octet-stream": "binary data of no type we know",
    "application/x-empty": "an empty file",
    "inode/x-empty": "an empty file",
}


class Content:
    """What is known of a file's bytes: its head, and (each worked out once, when first asked) the media type
    libmagic gives the head and the type a zip package declares."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with path.open("rb") as file:
            self.head = file.read(HEAD_BYTES)

    @cached_property
    def detected(self) -> str:
        return str(magic.from_buffer(self.head, mime=True))

    @cached_property
    def package(self) -> str | None:
        """The media type the zip declares itself to be (ZIP when it declares none); None when the file is
        no zip at all, or one too broken to list or to read its marker parts (its reader says it is damaged)."""
        try:
            with zipfile.ZipFile(self.path) as archive:
                return _package_type(archive)
        except (zipfile.BadZipFile, ValueError, OSError, EOFError, RuntimeError, NotImplementedError, zlib.error):
            # RuntimeError: an encrypted member; NotImplementedError: a compression zipfile cannot undo.
            return None

    def describe(self) -> str:
        """What the content looks like, in words for the document's owner."""
        if self.package is not None:
            return DESCRIPTIONS.get(self.package, DESCRIPTIONS[ZIP])
        if self.head.startswith(ZIP_START):
            return DESCRIPTIONS[ZIP]
        if self.head.startswith(COMPOUND_FILE) and _is_encrypted_package(self.path, self.head):
            return DESCRIPTIONS["application/encrypted"]
        known = DESCRIPTIONS.get(self.detected)
        if known is not None:
            return known
        if self.detected.startswith("text/"):
            return "text"
        return f'"{str(magic.from_buffer(self.head)).split(",")[0]}"'


@dataclass(frozen=True)
class ContentRule:
    """What a type's content must be: `description` names it for the owner, `matches` tells whether a file's
    content is of the type (or starts as it and is left to its reader), `textual` that it is a kind of text."""

    description: str
    matches: Callable[[Content], bool]
    textual: bool = False


def is_text(content: Content) -> bool:
    """Text in any encoding: a UTF-16 byte order mark, or no NUL byte and hardly any other control character,
    and no format libmagic knows by a binary signature (a PDF, a zip, an image)."""
    head = content.head
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    if b"\x00" in head:
        return False
    controls = sum(1 for byte in head if byte in CONTROL_BYTES)
    if controls > MAX_CONTROL_SHARE * len(head):
        return False
    return not _signed_binary(content.detected)


def _signed_binary(media_type: str) -> bool:
    """A format libmagic knows by a binary signature, whose bytes may still pass for text: a PDF, say."""
    if media_type == "image/svg+xml":
        return False
    return media_type.startswith(("image/", "audio/", "video/")) or media_type in BINARY_FORMATS


def image_signature(*starts: bytes, at: int = 0, then: bytes = b"") -> Callable[[Content], bool]:
    """An image format known by its first bytes: one of `starts`, and `then` at byte `at` (WebP's RIFF form)."""

    def matches(content: Content) -> bool:
        return content.head.startswith(starts) and content.head[at : at + len(then)] == then

    return matches


def is_rtf(content: Content) -> bool:
    return content.head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(RTF_START)


def is_pdf(content: Content) -> bool:
    return PDF_HEADER in content.head[:PDF_HEADER_WITHIN]


def office_package(media_type: str) -> Callable[[Content], bool]:
    """An Office Open XML package of `media_type`'s family, or Office's password-protected wrapper of one (its
    reader says so), or a file that starts as a zip but cannot be listed (its reader says it is damaged)."""

    def matches(content: Content) -> bool:
        if content.head.startswith(COMPOUND_FILE):
            return _is_encrypted_package(content.path, content.head)
        if content.package is None:
            return content.head.startswith(ZIP_START)
        return content.package in (media_type, OFFICE_UNDECIDED)

    return matches


def open_document_package(media_type: str) -> Callable[[Content], bool]:
    """An OpenDocument package of `media_type` (its template too), or one with only a content.xml to go by."""

    def matches(content: Content) -> bool:
        if content.package is None:
            return content.head.startswith(ZIP_START)
        return content.package in (media_type, OPEN_DOCUMENT) or content.package.startswith(f"{media_type}-")

    return matches


def epub_package(content: Content) -> bool:
    if content.package is None:
        return content.head.startswith(ZIP_START)
    return content.package == EPUB


# What each supported media type's content must be, keyed by the usual media type of each extension in
# documents/types.py. A new format adds its row here.
CONTENT_RULES: dict[str, ContentRule] = {
    "text/plain": ContentRule("plain text", is_text, textual=True),
    "text/markdown": ContentRule("Markdown text", is_text, textual=True),
    "text/html": ContentRule("an HTML page", is_text, textual=True),
    "text/csv": ContentRule("CSV text", is_text, textual=True),
    "message/rfc822": ContentRule("an email message", is_text, textual=True),
    "application/rtf": ContentRule("an RTF document", is_rtf),
    "application/pdf": ContentRule("a PDF document", is_pdf),
    WORD: ContentRule("a Word document", office_package(WORD)),
    POWERPOINT: ContentRule("a PowerPoint presentation", office_package(POWERPOINT)),
    EXCEL: ContentRule("an Excel workbook", office_package(EXCEL)),
    OPEN_DOCUMENT_TEXT: ContentRule("an OpenDocument text", open_document_package(OPEN_DOCUMENT_TEXT)),
    OPEN_DOCUMENT_SPREADSHEET: ContentRule(
        "an OpenDocument spreadsheet", open_document_package(OPEN_DOCUMENT_SPREADSHEET)
    ),
    OPEN_DOCUMENT_PRESENTATION: ContentRule(
        "an OpenDocument presentation", open_document_package(OPEN_DOCUMENT_PRESENTATION)
    ),
    EPUB: ContentRule("an EPUB book", epub_package),
    "image/png": ContentRule("a PNG image", image_signature(b"\x89PNG\r\n\x1a\n")),
    "image/jpeg": ContentRule("a JPEG image", image_signature(b"\xff\xd8\xff")),
    # Little- and big-endian TIFF, and BigTIFF's two.
    "image/tiff": ContentRule("a TIFF image", image_signature(b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")),
    "image/webp": ContentRule("a WebP image", image_signature(b"RIFF", at=8, then=b"WEBP")),
}


def check_content(path: Path, media_type: str) -> None:
    """Refuse the file at `path` (ContentMismatchError) unless its content is of `media_type`, the usual media
    type of its extension; the message names what the content looks like instead."""
    rule = CONTENT_RULES[media_type]
    content = Content(path)
    if rule.matches(content):
        return
    if rule.textual:
        # Binary bytes libmagic still takes for text (a NUL among words) are named for what they are.
        looks_like = DESCRIPTIONS["application/octet-stream"] if content.detected.startswith("text/") else None
        raise ContentMismatchError(
            f"the file's content is binary, not text (it looks like {looks_like or content.describe()})"
        )
    raise ContentMismatchError(
        f"the file's content is not {rule.description} (it looks like {content.describe()}); "
        "check that this is the file you meant, and that its name ends with its real type"
    )


def _package_type(archive: zipfile.ZipFile) -> str:
    """The media type a zip package declares: an OpenDocument or EPUB `mimetype` entry, the main part of an
    Office package's [Content_Types].xml, an EPUB's container or an OpenDocument manifest; OPEN_DOCUMENT for
    a bare content.xml, ZIP for none. Only these small parts are read, never further than MARKER_PART_BYTES."""
    names = set(archive.namelist())
    if "mimetype" in names:
        declared = _read_part(archive, "mimetype").strip().decode("ascii", "replace")
        return declared or ZIP
    if "[Content_Types].xml" in names:
        return _office_type(_read_part(archive, "[Content_Types].xml"))
    if "META-INF/container.xml" in names:
        return EPUB
    if "META-INF/manifest.xml" in names:
        root = MANIFEST_ROOT.search(_read_part(archive, "META-INF/manifest.xml"))
        declared_type = MANIFEST_MEDIA_TYPE.search(root.group(0)) if root else None
        if declared_type:
            return declared_type.group(1).decode("ascii", "replace")
    if "content.xml" in names:
        return OPEN_DOCUMENT
    return ZIP


def _office_type(content_types: bytes) -> str:
    """The family of the main part [Content_Types].xml declares; OFFICE_UNDECIDED when it was read only in
    part and that part names none."""
    for content_type in CONTENT_TYPE.findall(content_types):
        declared = content_type.decode("ascii", "replace").lower()
        if not declared.endswith(MAIN_PART_SUFFIX):
            continue
        for markers, media_type in OFFICE_FAMILIES:
            if any(marker in declared for marker in markers):
                return media_type
    return OFFICE_UNDECIDED if len(content_types) > MARKER_PART_BYTES else OFFICE_OTHER


def _read_part(archive: zipfile.ZipFile, name: str) -> bytes:
    """The part's first MARKER_PART_BYTES, and one byte more when it is longer."""
    with archive.open(name) as part:
        return part.read(MARKER_PART_BYTES + 1)


def _is_encrypted_package(path: Path, head: bytes) -> bool:
    """True when the OLE compound file holds an EncryptedPackage stream: Office's password-protected
    .docx, .pptx or .xlsx, rather than a Word, Excel or PowerPoint 97-2003 file. The stream's name sits in
    the first sector of the file's directory, which the header points to."""
    if len(head) < 0x34:
        return False
    sector_size = 1 << int.from_bytes(head[0x1E:0x20], "little")
    directory_sector = int.from_bytes(head[0x30:0x34], "little")
    if not 128 <= sector_size <= 4096 or directory_sector >= 0xFFFFFFFA:
        return False
    with path.open("rb") as file:
        file.seek((directory_sector + 1) * sector_size)
        directory = file.read(sector_size)
    return ENCRYPTED_PACKAGE in directory
