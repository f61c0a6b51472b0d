"""`flask users tokens create|list|revoke`."""

from __future__ import annotations

from tests.conftest import create_user


def test_a_token_created_on_the_command_line_signs_in_until_revoked(app, runner, client):
    create_user(app, "bob@example.com")
    created = runner.invoke(args=["users", "tokens", "create", "bob@example.com", "--name", "deploy"])
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip()
    assert secret.startswith("dsk_")
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/documents", headers=headers).status_code == 200

    listed = runner.invoke(args=["users", "tokens", "list", "bob@example.com"])
    token_id, name = listed.output.split("\t")[:2]
    assert name == "deploy"
    assert secret not in listed.output

    revoked = runner.invoke(args=["users", "tokens", "revoke", "bob@example.com", token_id])
    assert revoked.exit_code == 0, revoked.output
    assert client.get("/api/documents", headers=headers).status_code == 401


def test_tokens_of_an_unknown_user_are_refused_by_name(runner):
    result = runner.invoke(args=["users", "tokens", "list", "nobody@example.com"])
    assert result.exit_code != 0
    assert "no user has the email nobody@example.com" in result.output


def test_a_lifetime_past_a_year_is_refused(app, runner):
    create_user(app, "bob@example.com")
    arguments = ["users", "tokens", "create", "bob@example.com", "--name", "x", "--expires-in-days", "400"]
    result = runner.invoke(args=arguments)
    assert result.exit_code != 0
    assert "--expires-in-days must be from 1 to 365" in result.output


def test_revoking_another_users_token_is_refused(app, runner):
    create_user(app, "bob@example.com")
    create_user(app, "eve@example.com")
    runner.invoke(args=["users", "tokens", "create", "bob@example.com", "--name", "deploy"])
    listed = runner.invoke(args=["users", "tokens", "list", "bob@example.com"])
    token_id = listed.output.split("\t")[0]
    result = runner.invoke(args=["users", "tokens", "revoke", "eve@example.com", token_id])
    assert result.exit_code != 0
    assert "has no token with id" in result.output
