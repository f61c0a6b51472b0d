"""`flask documents list/show --user EMAIL`: the same documents, in the same JSON, as the API shows."""

from __future__ import annotations

import json


def test_list_prints_what_the_api_lists(auth, client, runner, event_api):
    auth.login()
    for name in ["first.pdf", "second.pdf"]:
        client.post("/api/route", json={"documentName": name})
    result = runner.invoke(args=["documents", "list", "--user", "alice@example.com"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == client.get("/api/documents").get_json()["documents"]


def test_show_prints_what_the_api_shows(auth, client, runner, event_api):
    auth.login()
    client.post("/api/route", json={"documentName": "folder/report.pdf"})
    result = runner.invoke(args=["documents", "show", "folder/report.pdf", "--user", "alice@example.com"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == client.get("/api/documents/folder/report.pdf").get_json()["document"]


def test_show_of_a_document_the_user_does_not_have_fails_naming_it(auth, runner):
    auth.login()
    result = runner.invoke(args=["documents", "show", "missing.pdf", "--user", "alice@example.com"])
    assert result.exit_code != 0
    assert "alice@example.com has no document named 'missing.pdf'" in result.output
