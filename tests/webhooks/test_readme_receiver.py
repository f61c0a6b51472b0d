"""The README's ten-line receiver takes a webhook we sign and refuses one signed with another secret."""

from __future__ import annotations

import re
from pathlib import Path

from timestamps import utcnow
from webhooks.signing import new_secret, signature_headers

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_receiver(monkeypatch, secret):
    [code] = re.findall(r"```python\n(.*?from standardwebhooks import.*?)```", README.read_text(), flags=re.S)
    assert len(code.strip().splitlines()) <= 15
    monkeypatch.setenv("WEBHOOK_SECRET", secret)
    namespace: dict[str, object] = {"__name__": "readme_receiver"}
    exec(compile(code, "README receiver", "exec"), namespace)  # noqa: S102 (our own README's code)
    return namespace["app"].test_client()  # type: ignore[attr-defined]


def test_the_readme_receiver_verifies_our_signature(monkeypatch, capsys):
    secret = new_secret()
    client = readme_receiver(monkeypatch, secret)
    body = '{"type":"document.processed","document":{"name":"a.txt"}}'
    headers = signature_headers(secret, "msg_1", utcnow(), body)
    assert client.post("/hooks", data=body, headers=headers).status_code == 204
    assert "document.processed a.txt msg_1" in capsys.readouterr().out
    forged = signature_headers(new_secret(), "msg_2", utcnow(), body)
    assert client.post("/hooks", data=body, headers=forged).status_code == 400
