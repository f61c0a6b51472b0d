"""RTF files from Apache Tika's test suite, held to what Tika's own RTFParserTest expects of them."""

from __future__ import annotations

import pytest

from processing.blocks import BlockKind
from processing.readers.rich_text import read_rtf
from tests.processing.conftest import CORPUS

DOCUMENTS = CORPUS / "rtf"

# The text Tika's RTFParserTest asserts each file contains (its headers, footers and footnotes left out:
# striprtf drops them). Whitespace runs count as one space, as Tika's test compares them.
TIKA_EXPECTS = {
    "testRTF.rtf": ["Test", "indexation Word"],
    "testRTFVarious.rtf": [
        "Footnote appears here", "Here is a text box", "Bold", "italic", "underline", "superscript", "subscript",
        "Here is a citation:", "Figure 1 This is a caption for Figure 1", "(Kramer)",
        "Row 1 Col 1 Row 1 Col 2 Row 1 Col 3 Row 2 Col 1 Row 2 Col 2 Row 2 Col 3",
        "Row 1 column 1 Row 2 column 1 Row 1 column 2 Row 2 column 2", "This is a hyperlink",
        "Here is a list:", "Bullet 1", "Bullet 2", "Bullet 3", "Here is a numbered list:", "Number bullet 1",
        "Number bullet 2", "Number bullet 3", "Keyword1 Keyword2", "Subject is here", "Suddenly some Japanese text:",
        "\uff08\uff27\uff28\uff31\uff09", "\u30be\u30eb\u30b2\u3068\u5c3e\u5d0e\u3001\u6de1\u3005\u3068\u6700\u671f",
        "And then some Gothic text:", "\U00010332\U0001033f\U00010344\U00010339\U00010343\U0001033a",
    ],
    "testRTFJapanese.rtf": ["\uff08\uff27\uff28\uff31\uff09", "\u6771\u4eac\u90fd\u4e09\u9df9\u5e02"],
    "testRTFTableCellSeparation.rtf": ["a b c d \u00e4 \u00eb \u00f6 \u00fc"],
    "testRTFWindowsCodepage1250.rtf": [
        "za\u017c\u00f3\u0142\u0107 g\u0119\u015bl\u0105 ja\u017a\u0144",
        "ZA\u017b\u00d3\u0141\u0106 G\u0118\u015aL\u0104 JA\u0179\u0143",
    ],
    "testRTFUmlautSpaces.rtf": ["\u00dcbersicht"],
}  # fmt: skip
# Tika reads text boxes; striprtf does not.
NOT_READ = {"Here is a text box"}


def blocks(name):
    return list(read_rtf(DOCUMENTS / name))


@pytest.mark.parametrize("name", sorted(TIKA_EXPECTS))
def test_the_text_tika_finds_is_read(name):
    text = " ".join(" ".join(block.text.replace("|", " ").split()) for block in blocks(name))
    missing = [expected for expected in TIKA_EXPECTS[name] if expected not in text]
    assert set(missing) <= NOT_READ


def test_each_paragraph_is_a_block():
    assert [block.text for block in blocks("testRTFWindowsCodepage1250.rtf")] == [
        "za\u017c\u00f3\u0142\u0107 g\u0119\u015bl\u0105 ja\u017a\u0144",
        "ZA\u017b\u00d3\u0141\u0106 G\u0118\u015aL\u0104 JA\u0179\u0143",
    ]


def test_a_table_row_stays_on_one_line():
    read = blocks("testRTFVarious.rtf")
    assert [block.text for block in read if block.kind is BlockKind.TABLE] == [
        "Row 1 Col 1 | Row 1 Col 2 | Row 1 Col 3",
        "Row 2 Col 1 | Row 2 Col 2 | Row 2 Col 3",
    ]


def test_bulleted_and_numbered_lines_are_list_items_without_their_markers():
    items = [block.text for block in blocks("testRTFVarious.rtf") if block.kind is BlockKind.LIST_ITEM]
    assert items == ["Bullet 1", "Bullet 2", "Bullet 3", "Number bullet 1", "Number bullet 2", "Number bullet 3"]


def test_characters_beyond_the_basic_plane_are_whole():
    assert "\U00010332\U0001033f\U00010344\U00010339\U00010343\U0001033a" in [
        block.text for block in blocks("testRTFVarious.rtf")
    ]
