"""`flask documents upload FILE --user EMAIL`: put a file where the user's documents live."""

from __future__ import annotations

from tests.conftest import create_user


def test_upload_puts_the_file_under_the_users_prefix(app, runner, s3, bucket, tmp_path):
    user_id = create_user(app, "alice@example.com")
    file = tmp_path / "report.txt"
    file.write_text("hello from the CLI")

    result = runner.invoke(args=["documents", "upload", str(file), "--user", "alice@example.com"])

    assert result.exit_code == 0, result.output
    key = f"users/{user_id}/report.txt"
    assert f"s3://{bucket}/{key}" in result.output
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"hello from the CLI"


def test_upload_under_another_name(app, runner, s3, bucket, tmp_path):
    user_id = create_user(app, "alice@example.com")
    file = tmp_path / "local.txt"
    file.write_text("x")
    result = runner.invoke(args=["documents", "upload", str(file), "--user", "alice@example.com", "--name", "a/b.txt"])
    assert result.exit_code == 0, result.output
    assert s3.head_object(Bucket=bucket, Key=f"users/{user_id}/a/b.txt")["ContentLength"] == 1


def test_upload_for_an_unknown_user_fails_with_advice(runner, tmp_path):
    file = tmp_path / "a.txt"
    file.write_text("x")
    result = runner.invoke(args=["documents", "upload", str(file), "--user", "nobody@example.com"])
    assert result.exit_code != 0
    assert "flask users create nobody@example.com" in result.output


def test_upload_refuses_an_unsafe_name(app, runner, tmp_path):
    create_user(app, "alice@example.com")
    file = tmp_path / "a.txt"
    file.write_text("x")
    result = runner.invoke(
        args=["documents", "upload", str(file), "--user", "alice@example.com", "--name", "../escape.txt"]
    )
    assert result.exit_code != 0
    assert "'..' path segments" in result.output
