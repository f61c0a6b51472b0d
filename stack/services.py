"""The pieces both stacks start: local S3 (moto), the Inngest server binary, the database's
migrations and first user, and the app under gunicorn."""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import boto3

from stack.probes import responds
from stack.processes import READY_TIMEOUT_SECONDS, REPO_ROOT, StackError, Supervisor, venv_command

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import CORSRuleTypeDef

INNGEST_BINARY_SCRIPT = REPO_ROOT / "scripts" / "inngest-dev-server"

LOCAL_S3_BUCKET = "documents"
LOCAL_S3_REGION = "us-east-1"


def local_s3_settings(port: int) -> dict[str, str]:
    return {
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "AWS_S3_BUCKET": LOCAL_S3_BUCKET,
        "AWS_S3_REGION": LOCAL_S3_REGION,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
    }


def start_local_s3(
    supervisor: Supervisor,
    port: int,
    browser_origins: list[str],
    *,
    log: Path | None = None,
    bind_address: str = "127.0.0.1",
) -> dict[str, str]:
    """moto in server mode on `bind_address` with one bucket; browsers at `browser_origins` may upload to it (CORS)."""
    settings = local_s3_settings(port)
    argv = [sys.executable, "-m", "moto.server", "-H", bind_address, "-p", str(port)]
    supervisor.start("local S3 (moto)", argv, os.environ, log=log)
    supervisor.wait_until(lambda: responds(settings["AWS_ENDPOINT_URL"]), "local S3 (moto)", READY_TIMEOUT_SECONDS)
    s3 = s3_client(settings)
    # The browser uploads straight to the bucket with presigned URLs, so the bucket must allow the app's origin.
    rules: list[CORSRuleTypeDef] = [
        {
            "AllowedOrigins": browser_origins,
            "AllowedMethods": ["GET", "PUT", "POST", "HEAD"],
            "AllowedHeaders": ["*"],
            "ExposeHeaders": ["ETag"],
            "MaxAgeSeconds": 3000,
        }
    ]
    s3.create_bucket(Bucket=LOCAL_S3_BUCKET)
    s3.put_bucket_cors(Bucket=LOCAL_S3_BUCKET, CORSConfiguration={"CORSRules": rules})
    s3.close()
    supervisor.say(f"created the local bucket {LOCAL_S3_BUCKET!r} with CORS for the app's origins")
    return settings


def s3_client(settings: Mapping[str, str]) -> S3Client:
    """A boto3 client for the bucket `settings` (local_s3_settings) describe."""
    return boto3.client(
        "s3",
        endpoint_url=settings["AWS_ENDPOINT_URL"],
        region_name=settings["AWS_S3_REGION"],
        aws_access_key_id=settings["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=settings["AWS_SECRET_ACCESS_KEY"],
    )


def find_inngest_binary(supervisor: Supervisor) -> str | None:
    """The Inngest server binary's path (scripts/inngest-dev-server), or None with its reasons printed."""
    supervisor.say("looking for the Inngest server (scripts/inngest-dev-server)")
    code, stdout = supervisor.run_to_completion(
        "scripts/inngest-dev-server", [str(INNGEST_BINARY_SCRIPT)], os.environ, capture_stdout=True
    )
    binary = stdout.strip()
    return binary if code == 0 and binary else None


def migrate_database(supervisor: Supervisor, env: Mapping[str, str]) -> None:
    supervisor.say("applying database migrations: flask --app app db upgrade")
    argv = [venv_command("flask"), "--app", "app", "db", "upgrade"]
    code, _ = supervisor.run_to_completion("database migration", argv, env)
    if code != 0:
        raise StackError(f"`flask --app app db upgrade` failed with exit code {code}; see its output above")


def ensure_user(supervisor: Supervisor, env: Mapping[str, str], email: str, password: str) -> None:
    """A user to sign in with straight away; its password is printed and in the README."""
    flask = venv_command("flask")
    code, listing = supervisor.run_to_completion(
        "list users", [flask, "--app", "app", "users", "list"], env, capture_stdout=True
    )
    if code == 0 and f"\t{email}\t" in listing:
        return
    argv = [flask, "--app", "app", "users", "create", email, "--password", password]
    code, _ = supervisor.run_to_completion("create a user", argv, env, capture_stdout=True)
    if code != 0:
        raise StackError(f"creating the user {email} failed with exit code {code}; see its output above")
    supervisor.say(f"created the user {email}")


def start_gunicorn(
    supervisor: Supervisor,
    name: str,
    bind: str,
    env: Mapping[str, str],
    *,
    workers: int,
    threads: int,
    log: Path | None = None,
    health_headers: Mapping[str, str] | None = None,
) -> None:
    """The app under gunicorn on `bind` (host:port); returns once /healthz answers 200."""
    argv = [
        venv_command("gunicorn"),
        *("--bind", bind, "--workers", str(workers), "--threads", str(threads), "--access-logfile", "-"),
        # gunicorn's own refusals (a request line too long, say) in the app's JSON error shape.
        *("--worker-class", "gunicorn_json_errors.JsonErrorWorker"),
        # A step may take as long as a large document's extraction; the executor waits for it.
        *("--timeout", "120", "--graceful-timeout", "20"),
        "app:app",
    ]
    supervisor.start(name, argv, env, log=log)
    port = bind.rsplit(":", 1)[1]
    health = f"http://127.0.0.1:{port}/healthz"
    supervisor.wait_until(
        lambda: responds(health, require_ok=True, headers=health_headers),
        f"{name} at {health}",
        READY_TIMEOUT_SECONDS,
    )


def write_environment_file(path: Path, variables: Mapping[str, str], written_by: str) -> Path:
    """`variables` as a file to `source`, so `flask --app app ...` talks to the running stack."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"export {name}={shlex.quote(value)}" for name, value in variables.items()]
    path.write_text(
        f"# Written by `{written_by}`: source it to use the flask CLI against the running stack.\n"
        + "\n".join(lines)
        + "\n"
    )
    path.chmod(0o600)
    return path
