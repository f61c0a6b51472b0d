"""Which documentName values are safe, and the S3 key each maps to."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from documents.names import MAX_KEY_BYTES, InvalidDocumentNameError, object_key_for, parse_document_name

USER_ID = 42
PREFIX = "users"


def parse(raw: object) -> str:
    return parse_document_name(raw, key_prefix=PREFIX, user_id=USER_ID)


@pytest.mark.parametrize(
    "name",
    ["report.pdf", "a/b/c.txt", "%2e%2e/x.pdf", "...", "..a/b..", "résumé 2026.docx", "日本語.md", "a b  c.html"],
)
def test_safe_names_are_accepted_unchanged(name):
    assert parse(name) == name


def test_percent_encoding_is_not_decoded_so_it_stays_inside_the_user_folder():
    assert object_key_for(PREFIX, USER_ID, parse("%2e%2e/x")) == "users/42/%2e%2e/x"


def test_full_width_dots_fold_to_dots_and_are_refused():
    with pytest.raises(InvalidDocumentNameError, match=r"'\.\.' path segments"):
        parse("\uff0e\uff0e/secret.pdf")


def test_a_name_exactly_at_the_key_limit_is_accepted_and_one_byte_more_is_not():
    room = MAX_KEY_BYTES - len(f"{PREFIX}/{USER_ID}/".encode())
    assert parse("a" * room)
    with pytest.raises(InvalidDocumentNameError, match="too long"):
        parse("a" * (room + 1))


def test_a_multibyte_name_is_measured_in_utf8_bytes():
    room = MAX_KEY_BYTES - len(f"{PREFIX}/{USER_ID}/".encode())
    with pytest.raises(InvalidDocumentNameError, match="too long"):
        parse("é" * (room // 2 + 1))  # fewer characters than bytes allowed, more bytes


@given(st.text(max_size=1100))
def test_every_accepted_name_maps_to_a_safe_key_in_the_users_folder(raw):
    try:
        name = parse(raw)
    except InvalidDocumentNameError:
        return
    key = object_key_for(PREFIX, USER_ID, name)
    segments = key.split("/")
    assert key.startswith(f"{PREFIX}/{USER_ID}/")
    assert len(key.encode()) <= MAX_KEY_BYTES
    assert not {"", ".", ".."} & set(segments)
    assert "\\" not in key
    assert all(ord(character) >= 0x20 and not 0x7F <= ord(character) <= 0x9F for character in key)
    assert "\u202e" not in key


@given(st.lists(st.sampled_from(["..", ".", "", "a", "\uff0e\uff0e", "b.pdf"]), min_size=1, max_size=6))
def test_paths_built_from_dot_segments_never_escape(segments):
    raw = "/".join(segments)
    try:
        name = parse(raw)
    except InvalidDocumentNameError:
        return
    assert not {"", ".", ".."} & set(name.split("/"))


def test_a_key_of_exactly_1025_bytes_of_multibyte_characters_is_refused():
    prefix_bytes = len(f"{PREFIX}/{USER_ID}/".encode())
    name = "€" * ((1025 - prefix_bytes) // 3) + "a" * ((1025 - prefix_bytes) % 3)  # € is 3 bytes
    assert len(object_key_for(PREFIX, USER_ID, name).encode()) == 1025
    with pytest.raises(InvalidDocumentNameError, match="too long"):
        parse(name)
    assert parse(name[:-1])  # 1024 bytes: accepted


@pytest.mark.parametrize("raw", ["a\x00b", "x\u202egnp.exe", "a\u200bb", "line\u2028break", "\x7f"])
def test_invisible_and_control_characters_are_refused(raw):
    with pytest.raises(InvalidDocumentNameError, match="control or invisible"):
        parse(raw)


@pytest.mark.parametrize("raw", ["a\u2215b.txt", "a\u2044b.txt", "reports\u29f8q1.pdf", "a\u2216b.txt", "x\u0338y.md"])
def test_characters_that_look_like_a_slash_are_refused(raw):
    with pytest.raises(InvalidDocumentNameError, match="looks like a slash; use / between folders"):
        parse_document_name(raw, key_prefix="users", user_id=1)
