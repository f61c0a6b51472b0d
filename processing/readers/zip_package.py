"""The checks every zip-based format (.docx, .pptx, .xlsx, OpenDocument, EPUB) passes before a parser opens it:
a password-protected Office file, a file that is no zip, and a zip that would inflate too far are refused."""

from __future__ import annotations

import zipfile
from pathlib import Path

from processing.errors import DocumentRefusedError

# Refuse archives that would inflate past this, whatever their compressed size (zip bombs). The sizes
# checked are the ones the archive declares; Python's zipfile and calamine's zip reader both refuse a
# member that inflates past its declared size, so the declaration binds.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024

# Office saves a password-protected .docx, .pptx or .xlsx as an encrypted package inside an OLE compound
# file, not a zip.
COMPOUND_FILE = bytes.fromhex("d0cf11e0a1b11ae1")


def check_zip_package(path: Path, kind: str, damaged: str) -> None:
    """Refuse the file at `path`, read as `kind` (".docx"), unless it is a zip that unpacks to at most
    MAX_UNPACKED_BYTES; `damaged` is the owner's message for a file that is no zip at all."""
    with path.open("rb") as file:
        if file.read(len(COMPOUND_FILE)) == COMPOUND_FILE:
            raise DocumentRefusedError(f"the {kind} is password-protected; upload an unprotected copy")
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as error:
        raise DocumentRefusedError(damaged) from error
    if unpacked > MAX_UNPACKED_BYTES:
        raise DocumentRefusedError(f"the {kind} unpacks to more than we accept (possible zip bomb)")
