"""Run the local stack in the foreground: local S3 (moto), the Inngest dev server and the app.

`make run` calls this from the repository root. One Ctrl-C (SIGINT or SIGTERM) stops every
child's process group; if a child exits on its own, the others are stopped and this exits 1.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, NoReturn

import boto3
import httpx
from dotenv import dotenv_values

if TYPE_CHECKING:
    from mypy_boto3_s3.type_defs import CORSRuleTypeDef

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # run as a script from scripts/: make the app's packages importable

from inngest_functions.registration import registration_problem  # noqa: E402

DEV_SERVER_SCRIPT = REPO_ROOT / "scripts" / "inngest-dev-server"

# The ports are fixed for people (the README names them); the stack's own tests move them.
APP_PORT = int(os.environ.get("MAKE_RUN_APP_PORT", "3000"))
DEV_SERVER_PORT = int(os.environ.get("MAKE_RUN_DEV_SERVER_PORT", "8288"))
LOCAL_S3_PORT = int(os.environ.get("MAKE_RUN_LOCAL_S3_PORT", "9000"))
# The dev server's connect gateway ports (8289, 50052, 50053 unless given as "a,b,c").
DEV_SERVER_CONNECT_PORTS = [port for port in os.environ.get("MAKE_RUN_CONNECT_PORTS", "").split(",") if port]
APP_URL = f"http://127.0.0.1:{APP_PORT}"
HEALTH_URL = f"{APP_URL}/healthz"
INNGEST_SERVE_URL = f"{APP_URL}/api/inngest"
DEV_SERVER_URL = f"http://127.0.0.1:{DEV_SERVER_PORT}"
LOCAL_S3_URL = f"http://127.0.0.1:{LOCAL_S3_PORT}"
CLI_ENVIRONMENT_FILE = Path(os.environ.get("MAKE_RUN_INSTANCE_DIR", REPO_ROOT / "instance")) / "local-stack.env"
# Development only (make run is always INNGEST_DEV=1): a known account to try the pages with.
DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo password"  # noqa: S105

LOCAL_S3_SETTINGS = {
    "AWS_ENDPOINT_URL": LOCAL_S3_URL,
    "AWS_S3_BUCKET": "documents",
    "AWS_S3_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
}
# The browser uploads straight to the bucket with presigned URLs, so the bucket must allow the app's origin.
LOCAL_S3_CORS_RULES: list[CORSRuleTypeDef] = [
    {
        "AllowedOrigins": [f"http://localhost:{APP_PORT}", f"http://127.0.0.1:{APP_PORT}"],
        "AllowedMethods": ["GET", "PUT", "POST", "HEAD"],
        "AllowedHeaders": ["*"],
        "ExposeHeaders": ["ETag"],
        "MaxAgeSeconds": 3000,
    }
]

STARTUP_TIMEOUT_SECONDS = 30.0
APP_STARTUP_TIMEOUT_SECONDS = 60.0
SYNC_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 10.0
POLL_INTERVAL_SECONDS = 0.2


class StackError(Exception):
    """A part of the stack could not start or stopped; the message says which and why."""


def say(message: str) -> None:
    print(f"[run_stack] {message}", flush=True)


def warn(message: str) -> None:
    print(f"[run_stack] {message}", file=sys.stderr, flush=True)


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]


@dataclass
class Stack:
    """The running children, each leading its own process group so it can be stopped whole."""

    children: list[Child] = field(default_factory=list)

    def start(self, name: str, argv: list[str], env: Mapping[str, str]) -> None:
        say(f"starting {name}: {' '.join(argv)}")
        process = subprocess.Popen(argv, cwd=REPO_ROOT, env=dict(env), stdin=subprocess.DEVNULL, process_group=0)
        self.children.append(Child(name, process))

    def ensure_running(self) -> None:
        for child in self.children:
            code = child.process.poll()
            if code is not None:
                raise StackError(f"{child.name} exited unexpectedly with code {code}")

    def stop(self, name: str) -> None:
        stopping = [child for child in self.children if child.name == name]
        self.children = [child for child in self.children if child.name != name]
        stop_children(stopping)

    def stop_all(self) -> None:
        running = [child.name for child in reversed(self.children) if child.process.poll() is None]
        if running:
            say(f"stopping {', '.join(running)}")
        stop_children(list(reversed(self.children)))
        self.children = []


def signal_group(process: subprocess.Popen[Any], signal_number: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal_number)


def reap_group(name: str, process: subprocess.Popen[Any], deadline: float) -> None:
    """Wait for a group already sent SIGTERM, then SIGKILL what is left of it, grandchildren included."""
    try:
        process.wait(timeout=max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        warn(f"{name} did not stop within {STOP_TIMEOUT_SECONDS:.0f}s; killing it")
    signal_group(process, signal.SIGKILL)
    process.wait()


def stop_children(children: list[Child]) -> None:
    for child in children:
        signal_group(child.process, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    for child in children:
        reap_group(child.name, child.process, deadline)


def run_to_completion(
    name: str, argv: list[str], env: Mapping[str, str], *, capture_stdout: bool = False
) -> tuple[int, str]:
    """Run a one-off command in its own process group; a stop request stops the whole group too.

    Returns the exit code and, if asked, the standard output; standard error goes to the terminal.
    """
    process = subprocess.Popen(
        argv,
        cwd=REPO_ROOT,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE if capture_stdout else None,
        text=True,
        process_group=0,
    )
    try:
        stdout, _ = process.communicate()
    except BaseException:
        signal_group(process, signal.SIGTERM)
        reap_group(name, process, time.monotonic() + STOP_TIMEOUT_SECONDS)
        raise
    return process.returncode, stdout or ""


def request_stop(signal_number: int, frame: FrameType | None) -> None:
    """Turn SIGTERM into what Ctrl-C already raises, so both stop the stack the same way.

    The first stop signal is the only one: from here on every SIGINT and SIGTERM is
    ignored, so a second one (make passes its own SIGTERM on, Ctrl-C pressed twice)
    cannot interrupt the cleanup and leave children running.
    """
    set_stop_signal_handlers(signal.SIG_IGN)
    raise KeyboardInterrupt(signal.Signals(signal_number).name)


def set_stop_signal_handlers(handler: Callable[[int, FrameType | None], None] | signal.Handlers) -> None:
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signal_number, handler)


def read_settings(repo_root: Path) -> dict[str, str]:
    """Settings as the app sees them: the environment first, then `.env`, which never overrides it."""
    from_file = {name: value for name, value in dotenv_values(repo_root / ".env").items() if value is not None}
    return {**from_file, **os.environ}


def ensure_ports_free(ports: Mapping[int, str]) -> None:
    for port, purpose in ports.items():
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.settimeout(1.0)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                raise StackError(f"port {port} ({purpose}) is already in use; is another `make run` still running?")


def responds(url: str, *, require_ok: bool = False) -> bool:
    try:
        response = httpx.get(url, timeout=2.0)
    except httpx.HTTPError:
        return False
    return response.status_code == 200 or not require_ok


def wait_until(ready: Callable[[], bool], what: str, stack: Stack, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        stack.ensure_running()
        if time.monotonic() > deadline:
            raise StackError(f"{what} did not answer within {timeout:.0f}s")
        time.sleep(POLL_INTERVAL_SECONDS)


def create_local_bucket() -> None:
    s3 = boto3.client(
        "s3",
        endpoint_url=LOCAL_S3_SETTINGS["AWS_ENDPOINT_URL"],
        region_name=LOCAL_S3_SETTINGS["AWS_S3_REGION"],
        aws_access_key_id=LOCAL_S3_SETTINGS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=LOCAL_S3_SETTINGS["AWS_SECRET_ACCESS_KEY"],
    )
    bucket = LOCAL_S3_SETTINGS["AWS_S3_BUCKET"]
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": LOCAL_S3_CORS_RULES})
    say(f"created the local bucket {bucket!r} with CORS for the app's origins")


def start_local_s3(stack: Stack) -> dict[str, str]:
    argv = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(LOCAL_S3_PORT)]
    stack.start("local S3 (moto)", argv, os.environ)
    wait_until(lambda: responds(LOCAL_S3_URL), "local S3 (moto)", stack, STARTUP_TIMEOUT_SECONDS)
    create_local_bucket()
    return dict(LOCAL_S3_SETTINGS)


def find_dev_server_binary() -> str | None:
    """The dev server binary's path, or None after explaining why there is none."""
    say("looking for the Inngest dev server (scripts/inngest-dev-server)")
    code, stdout = run_to_completion(
        "scripts/inngest-dev-server", [str(DEV_SERVER_SCRIPT)], os.environ, capture_stdout=True
    )
    binary = stdout.strip()
    if code == 0 and binary:
        return binary
    warn(
        "WARNING: no Inngest dev server, so uploaded documents will NOT be processed:\n"
        "  the app's events reach no server and no Inngest function runs (reasons above).\n"
        "  To fix it, export INNGEST_DEV_SERVER_BIN=/path/to/inngest (version 1.43.0, e.g. from\n"
        "  `npx inngest-cli@1.43.0` where the internet is reachable) and run `make run` again.\n"
        "  Continuing with the app alone."
    )
    return None


def start_dev_server(stack: Stack, binary: str) -> None:
    argv = [binary, "dev", "--no-discovery", "--no-poll", "-u", INNGEST_SERVE_URL, "--port", str(DEV_SERVER_PORT)]
    if DEV_SERVER_CONNECT_PORTS:
        gateway, gateway_grpc, executor_grpc = DEV_SERVER_CONNECT_PORTS
        argv += ["--connect-gateway-port", gateway, "--connect-gateway-grpc-port", gateway_grpc]
        argv += ["--connect-executor-grpc-port", executor_grpc]
    stack.start("Inngest dev server", argv, os.environ)
    wait_until(lambda: responds(DEV_SERVER_URL), "the Inngest dev server", stack, STARTUP_TIMEOUT_SECONDS)


def venv_command(name: str) -> str:
    path = Path(sys.executable).parent / name
    if not path.exists():
        raise StackError(f"{path} is missing; run this with the project's .venv/bin/python, as `make run` does")
    return str(path)


def stack_variables(s3_settings: Mapping[str, str]) -> dict[str, str]:
    """What the app needs to know about this stack, on top of the user's own settings."""
    return {**s3_settings, "INNGEST_DEV": "1", "INNGEST_BASE_URL": DEV_SERVER_URL}


def app_environment(s3_settings: Mapping[str, str]) -> dict[str, str]:
    return {**os.environ, **stack_variables(s3_settings)}


def write_cli_environment(s3_settings: Mapping[str, str]) -> Path:
    """The variables the app runs with, as a file to `source`, so `flask --app app ...` talks to this stack."""
    path = CLI_ENVIRONMENT_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"export {name}={shlex.quote(value)}" for name, value in stack_variables(s3_settings).items()]
    path.write_text(
        "# Written by `make run`: source it to use the flask CLI against the running stack.\n" + "\n".join(lines) + "\n"
    )
    return path


def migrate_database(env: Mapping[str, str]) -> None:
    say("applying database migrations: flask --app app db upgrade")
    argv = [venv_command("flask"), "--app", "app", "db", "upgrade"]
    code, _ = run_to_completion("database migration", argv, env)
    if code != 0:
        raise StackError(f"`flask --app app db upgrade` failed with exit code {code}; see its output above")


def ensure_demo_user(env: Mapping[str, str]) -> None:
    """A user to sign in with straight away; development only, its password is in the README."""
    flask = venv_command("flask")
    code, listing = run_to_completion("list users", [flask, "--app", "app", "users", "list"], env, capture_stdout=True)
    if code == 0 and f"\t{DEMO_EMAIL}\t" in listing:
        return
    argv = [flask, "--app", "app", "users", "create", DEMO_EMAIL, "--password", DEMO_PASSWORD]
    code, _ = run_to_completion("create the demo user", argv, env, capture_stdout=True)
    if code != 0:
        raise StackError(f"creating the demo user failed with exit code {code}; see its output above")
    say(f"created the demo user {DEMO_EMAIL}")


def start_app(stack: Stack, env: Mapping[str, str]) -> None:
    argv = [
        venv_command("gunicorn"),
        *("--bind", f"0.0.0.0:{APP_PORT}", "--workers", "2", "--threads", "4", "--access-logfile", "-"),
        "app:app",
    ]
    stack.start("app (gunicorn)", argv, env)
    wait_until(
        lambda: responds(HEALTH_URL, require_ok=True), f"the app at {HEALTH_URL}", stack, APP_STARTUP_TIMEOUT_SECONDS
    )


def request_sync() -> httpx.Response | str:
    """The app's answer to a sync request, or why it gave none."""
    try:
        return httpx.put(INNGEST_SERVE_URL, timeout=30.0)
    except httpx.HTTPError as error:
        return f"PUT {INNGEST_SERVE_URL} failed: {error}"


def sync_app(stack: Stack) -> bool:
    """Register the app's functions with the dev server; False (dev server stopped) if it refuses.

    Retries while the SDK cannot reach the dev server (no answer, or a 5xx from the SDK), since the
    dev server may need a moment; the dev server's own refusal comes back as a 2xx with an error.
    """
    say(f"syncing the app with the Inngest dev server: PUT {INNGEST_SERVE_URL}")
    deadline = time.monotonic() + SYNC_TIMEOUT_SECONDS
    while True:
        result = request_sync()
        problem = result if isinstance(result, str) else registration_problem(result.status_code, result.text)
        if problem is None:
            say("the app's functions are registered with the Inngest dev server")
            return True
        stack.ensure_running()
        retryable = isinstance(result, str) or result.status_code >= 500
        if not retryable or time.monotonic() > deadline:
            break
        time.sleep(1.0)
    warn(
        f"WARNING: the app could not register its functions with the Inngest dev server:\n  {problem}\n"
        "  Stopping the dev server; uploaded documents will NOT be processed until this is fixed."
    )
    stack.stop("Inngest dev server")
    return False


def describe_s3(settings: Mapping[str, str], s3_settings: Mapping[str, str]) -> str:
    if s3_settings:
        return f"{LOCAL_S3_URL} (local moto, bucket {s3_settings['AWS_S3_BUCKET']!r}, data lost on stop)"
    endpoint = settings.get("AWS_ENDPOINT_URL") or "the AWS default endpoint"
    return f"bucket {settings['AWS_S3_BUCKET']!r} at {endpoint} (from your settings)"


def print_ready(settings: Mapping[str, str], s3_settings: Mapping[str, str], dev_server_running: bool) -> None:
    dev_server = f"http://localhost:{DEV_SERVER_PORT}" if dev_server_running else "NOT running (see the warning above)"
    say(
        "ready\n"
        f"  app                 http://localhost:{APP_PORT}\n"
        f"  Inngest dev server  {dev_server}\n"
        f"  S3                  {describe_s3(settings, s3_settings)}\n"
        f"Open http://localhost:{APP_PORT} and sign in as {DEMO_EMAIL} / {DEMO_PASSWORD!r}.\n"
        "For the flask CLI against this stack: `source instance/local-stack.env` (see README.md).\n"
        "Press Ctrl-C to stop everything."
    )


def supervise(stack: Stack) -> NoReturn:
    """Return only by raising: StackError when a child exits, KeyboardInterrupt on a stop signal."""
    while True:
        stack.ensure_running()
        time.sleep(0.5)


def run(stack: Stack, settings: Mapping[str, str]) -> NoReturn:
    dev_server_binary = find_dev_server_binary()
    use_local_s3 = not settings.get("AWS_S3_BUCKET")
    ports = {APP_PORT: "the app"}
    if dev_server_binary is not None:
        ports[DEV_SERVER_PORT] = "the Inngest dev server"
    if use_local_s3:
        ports[LOCAL_S3_PORT] = "local S3"
    ensure_ports_free(ports)

    if use_local_s3:
        s3_settings = start_local_s3(stack)
    else:
        say(f"AWS_S3_BUCKET is set, so using {describe_s3(settings, {})}")
        s3_settings = {}
    if dev_server_binary is not None:
        start_dev_server(stack, dev_server_binary)
    app_env = app_environment(s3_settings)
    write_cli_environment(s3_settings)
    migrate_database(app_env)
    ensure_demo_user(app_env)
    start_app(stack, app_env)
    dev_server_running = dev_server_binary is not None and sync_app(stack)
    print_ready(settings, s3_settings, dev_server_running)
    supervise(stack)


def main() -> int:
    set_stop_signal_handlers(request_stop)
    stack = Stack()
    try:
        run(stack, read_settings(REPO_ROOT))
    except KeyboardInterrupt as stop:
        say(f"{stop} received")
        return 0
    except StackError as error:
        warn(f"error: {error}")
        return 1
    finally:
        # A second Ctrl-C must not interrupt the cleanup and leave children behind.
        set_stop_signal_handlers(signal.SIG_IGN)
        stack.stop_all()
        say("stopped")


if __name__ == "__main__":
    sys.exit(main())
