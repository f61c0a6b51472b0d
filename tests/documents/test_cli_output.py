"""`flask documents search/list/show` print what documents hold with control characters written out, so a
document cannot colour, retitle or rewrite the terminal it is read on (the CLI runner's output is a pipe)."""

from __future__ import annotations

import json
import unicodedata

import pytest

from documents.models import Chunk, Document
from extensions import db

HOSTILE = "\x1b]0;owned\x07\x1b[31mred\x1b[0m \x9b2J \u202eevil\u200b"


def raw_controls(output: str) -> list[str]:
    """Every control or formatting character in `output` but the tabs and newlines the CLI itself writes."""
    return [c for c in output if unicodedata.category(c) in {"Cc", "Cf", "Zl", "Zp"} and c not in "\t\n"]


@pytest.fixture
def hostile_document(app, auth):
    auth.login("alice@example.com")
    with app.app_context():
        key = f"users/{auth.user_id}/notes.txt"
        document = Document(user_id=auth.user_id, name="notes.txt", s3_bucket="b", s3_key=key,
                            status="failed", error=f"reason {HOSTILE}", chunk_count=1)  # fmt: skip
        db.session.add(document)
        db.session.flush()
        db.session.add(Chunk(document_id=document.id, position=0, text=f"zanzibar {HOSTILE} done"))
        db.session.commit()


def test_search_prints_a_documents_escape_sequences_written_out(runner, hostile_document):
    result = runner.invoke(args=["documents", "search", "zanzibar", "--user", "alice@example.com"])

    assert result.exit_code == 0, result.output
    assert raw_controls(result.stdout) == []
    assert r"\x1b]0;owned\x07\x1b[31mred\x1b[0m \x9b2J \u202eevil\u200b" in result.stdout


@pytest.mark.parametrize("command", [["list"], ["show", "notes.txt"]])
def test_list_and_show_print_json_without_raw_control_characters(runner, hostile_document, command):
    result = runner.invoke(args=["documents", *command, "--user", "alice@example.com"])

    assert result.exit_code == 0, result.output
    assert raw_controls(result.stdout) == []
    printed = json.loads(result.stdout)
    document = printed[0] if isinstance(printed, list) else printed
    assert document["error"] == f"reason {HOSTILE}"  # the same text, read back
