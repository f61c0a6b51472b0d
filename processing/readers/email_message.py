"""An email message (.eml): a header block (From, To, Cc, Subject, Date), the plain-text body (or the HTML one,
through the HTML reader, when there is no plain text), and the names of its attachments; the subject is the
section of every block."""

from __future__ import annotations

import email
import re
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage, MIMEPart
from pathlib import Path

from processing.blocks import Block, BlockKind
from processing.errors import DocumentRefusedError
from processing.readers.html_page import html_blocks
from processing.readers.long_text import MAX_BLOCK_CHARS, cut_at_whitespace

HEADERS = ("From", "To", "Cc", "Subject", "Date")
NOT_A_MESSAGE = "the .eml is not an email message (it has no From, To, Subject or Date header)"
BLANK_LINES = re.compile(r"\n\s*\n")


def read_eml(path: Path) -> Iterator[Block]:
    """Blocks of a message: the header block, the body's paragraphs (split on blank lines), then one block
    naming the attachments, if there are any."""
    with path.open("rb") as file:
        message = email.message_from_binary_file(file, _class=EmailMessage, policy=policy.default)
    headers = [(name, _header(message, name)) for name in HEADERS]
    if not any(value for name, value in headers if name != "Cc"):
        raise DocumentRefusedError(NOT_A_MESSAGE)
    subject = dict(headers)["Subject"]
    section = (subject,) if subject else ()
    yield from _blocks(
        "\n".join(f"{name}: {value}" for name, value in headers if value), BlockKind.HEADER_FOOTER, section
    )
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",)) if plain is None else None
    if plain is not None:
        for paragraph in BLANK_LINES.split(_text(plain).replace("\r\n", "\n").replace("\r", "\n")):
            yield from _blocks(paragraph.strip(), BlockKind.PARAGRAPH, section)
    elif html is not None:
        yield from html_blocks(_text(html), subject, title_heading=False)
    names = [part.get_filename() or f"({part.get_content_type()})" for part in message.iter_attachments()]
    if names:
        yield from _blocks(f"Attachments: {', '.join(names)}", BlockKind.HEADER_FOOTER, section)


def _header(message: EmailMessage, name: str) -> str:
    """A header's value, decoded, on one line ("" when the message has none)."""
    try:
        value = message.get(name)
    except (ValueError, IndexError, TypeError):
        # A header too malformed for the parser to make a value of: its raw text will do.
        value = next((raw for key, raw in message.raw_items() if key.lower() == name.lower()), None)
    return " ".join(str(value).split()) if value is not None else ""


def _text(part: MIMEPart) -> str:
    """The decoded text of a text part; bytes its declared charset cannot decode, or an unknown charset, as
    replacement characters rather than a refusal."""
    try:
        return str(part.get_content())
    except (LookupError, UnicodeError):
        payload = part.get_payload(decode=True)
        return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else str(payload)


def _blocks(text: str, kind: BlockKind, section: tuple[str, ...]) -> Iterator[Block]:
    for piece in cut_at_whitespace(text, MAX_BLOCK_CHARS):
        yield Block(piece, kind, None, section)
