"""Email messages from Apache Tika's test suite, measured against their own raw text."""

from __future__ import annotations

import base64
import re

import pytest

from processing.blocks import BlockKind
from processing.errors import DocumentRefusedError
from processing.readers import read_blocks
from processing.readers.email_message import read_eml
from tests.processing.conftest import CORPUS, recall, words

MESSAGES = CORPUS / "eml"


def blocks(name):
    return list(read_eml(MESSAGES / name))


def raw_body(name):
    """What follows the header of a single-part message, as it stands in the file (7 or 8 bit, unencoded)."""
    return (MESSAGES / name).read_bytes().decode("utf-8").replace("\r\n", "\n").split("\n\n", 1)[1]


@pytest.mark.parametrize("name", ["testThunderbirdEml.eml", "testRFC822_dkim.eml", "testRFC822_x-.eml"])
def test_every_word_of_a_plain_body_is_read_under_the_subject(name):
    read = blocks(name)
    body = [block for block in read if block.kind is BlockKind.PARAGRAPH]
    assert recall(words(raw_body(name)), words("\n".join(block.text for block in body))) == 1.0
    subject = re.search(r"^Subject: (.*)$", (MESSAGES / name).read_text(), re.MULTILINE)
    assert subject is not None
    assert {block.section for block in read} == {(subject[1].strip(),)}


def test_the_header_block_comes_first_with_from_to_subject_and_date():
    first = blocks("testThunderbirdEml.eml")[0]
    assert (first.kind, first.text) == (
        BlockKind.HEADER_FOOTER,
        'From: "Vladimir L." <vladimir_l@example.com>\n'
        "To: vladimir_l@something.com\n"
        "Subject: JUnit test message\n"
        "Date: Wed, 21 Nov 2012 21:11:32 +0100",
    )


def test_a_base64_plain_part_is_read_in_paragraphs_and_preferred_to_the_html_one():
    raw = (MESSAGES / "testRFC822_multipart_attachments.eml").read_text()
    encoded = re.search(r'text/plain; charset="utf-8"\nContent-Transfer-Encoding: base64\n\n(.*?)\n\n', raw, re.DOTALL)
    assert encoded is not None
    plain = base64.b64decode(encoded[1]).decode("utf-8")
    body = [block.text for block in blocks("testRFC822_multipart_attachments.eml") if block.kind is BlockKind.PARAGRAPH]
    assert body == [paragraph.strip() for paragraph in plain.replace("\r\n", "\n").split("\n\n")]
    assert "html body" not in " ".join(body)


def test_a_message_with_only_html_is_read_through_the_html_reader():
    read = blocks("testLotusEml.eml")
    assert [(block.kind, block.section, block.text) for block in read[1:]] == [
        (BlockKind.PARAGRAPH, (), "Message body")  # no subject, so no section
    ]


@pytest.mark.parametrize(
    ("name", "attachments"),
    [
        ("testRFC822_multipart_attachments.eml", "Attachments: Test TxtA.txt, Test TxtB.txt"),
        ("testGroupWiseEml.eml", "Attachments: test.eml, Neues Textdokument.txt"),  # a forwarded message too
    ],
)
def test_attachments_are_named_in_a_block_of_their_own_at_the_end(name, attachments):
    last = blocks(name)[-1]
    assert (last.kind, last.text) == (BlockKind.HEADER_FOOTER, attachments)


def test_a_text_with_no_message_header_is_refused(tmp_path):
    path = tmp_path / "not-mail.eml"
    path.write_bytes(b"just some words, no header at all\n")
    with pytest.raises(DocumentRefusedError) as refused:
        list(read_blocks(path, ".eml"))
    assert str(refused.value) == "the .eml is not an email message (it has no From, To, Subject or Date header)"


def test_a_body_in_an_unknown_charset_is_read_with_replacement_characters(tmp_path):
    path = tmp_path / "odd.eml"
    path.write_bytes(
        b"From: a@example.com\nSubject: Odd\nContent-Type: text/plain; charset=x-unknown\n\nCaf\xe9 open\n"
    )
    assert [block.text for block in read_blocks(path, ".eml")][-1] == "Caf\ufffd open"
