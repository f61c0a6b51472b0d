"""`flask users create` and `flask users list`."""

from __future__ import annotations

from auth.models import User
from extensions import db


def test_create_user_with_password_option_then_login(runner, client):
    result = runner.invoke(args=["users", "create", "Bob@Example.com", "--password", "a long password"])
    assert result.exit_code == 0, result.output
    assert "created user" in result.output
    response = client.post("/auth/login", json={"email": "bob@example.com", "password": "a long password"})
    assert response.status_code == 200


def test_create_user_reads_password_from_stdin(runner, app):
    result = runner.invoke(args=["users", "create", "carol@example.com", "--password-stdin"], input="from stdin 123\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(db.select(User.email)) == "carol@example.com"


def test_create_user_prompts_for_password(runner):
    result = runner.invoke(args=["users", "create", "dave@example.com"], input="prompted pw 1\nprompted pw 1\n")
    assert result.exit_code == 0, result.output


def test_duplicate_user_is_refused(runner):
    runner.invoke(args=["users", "create", "erin@example.com", "--password", "password one"])
    result = runner.invoke(args=["users", "create", "ERIN@example.com", "--password", "password two"])
    assert result.exit_code != 0
    assert "already exists" in result.output


def test_short_password_is_refused(runner):
    result = runner.invoke(args=["users", "create", "frank@example.com", "--password", "short"])
    assert result.exit_code != 0
    assert "at least 8" in result.output


def test_list_users_shows_every_user(runner):
    runner.invoke(args=["users", "create", "gina@example.com", "--password", "password one"])
    runner.invoke(args=["users", "create", "hank@example.com", "--password", "password two"])
    result = runner.invoke(args=["users", "list"])
    assert result.exit_code == 0
    assert "gina@example.com" in result.output
    assert "hank@example.com" in result.output
