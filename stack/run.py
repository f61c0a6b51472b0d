"""`make run`: local S3 (moto), the Inngest dev server and the app, in the foreground, on SQLite.

One Ctrl-C (SIGINT or SIGTERM) stops every child's process group; if a child exits on its own,
the others are stopped and this exits 1.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import NoReturn

import httpx
from dotenv import dotenv_values

from inngest_functions.registration import registration_problem
from stack.databases import RedisServer
from stack.ports import ensure_ports_free
from stack.probes import responds
from stack.processes import READY_TIMEOUT_SECONDS, REPO_ROOT, StackError, Supervisor, run_in_foreground
from stack.services import (
    ensure_user,
    find_inngest_binary,
    migrate_database,
    start_gunicorn,
    start_local_s3,
    write_environment_file,
)

# The ports are fixed for people (the README names them); the stack's own tests move them.
APP_PORT = int(os.environ.get("MAKE_RUN_APP_PORT", "3000"))
DEV_SERVER_PORT = int(os.environ.get("MAKE_RUN_DEV_SERVER_PORT", "8288"))
LOCAL_S3_PORT = int(os.environ.get("MAKE_RUN_LOCAL_S3_PORT", "9000"))
REDIS_PORT = int(os.environ.get("MAKE_RUN_REDIS_PORT", "6380"))
# The dev server's connect gateway ports (8289, 50052, 50053 unless given as "a,b,c").
DEV_SERVER_CONNECT_PORTS = [port for port in os.environ.get("MAKE_RUN_CONNECT_PORTS", "").split(",") if port]
APP_URL = f"http://127.0.0.1:{APP_PORT}"
INNGEST_SERVE_URL = f"{APP_URL}/api/inngest"
DEV_SERVER_URL = f"http://127.0.0.1:{DEV_SERVER_PORT}"
INSTANCE_DIRECTORY = Path(os.environ.get("MAKE_RUN_INSTANCE_DIR", REPO_ROOT / "instance"))
CLI_ENVIRONMENT_FILE = INSTANCE_DIRECTORY / "local-stack.env"
# Where the app, the dev server and the local S3 listen. Development mode serves /api/inngest
# unsigned, so anyone who can reach the app can run its functions: loopback unless asked.
LOOPBACK = "127.0.0.1"
ALL_INTERFACES = "0.0.0.0"  # noqa: S104
# Development only (make run is always INNGEST_DEV=1): a known account to try the pages with.
DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo password"  # noqa: S105

SYNC_TIMEOUT_SECONDS = READY_TIMEOUT_SECONDS


def read_settings(repo_root: Path) -> dict[str, str]:
    """Settings as the app sees them: the environment first, then `.env`, which never overrides it."""
    from_file = {name: value for name, value in dotenv_values(repo_root / ".env").items() if value is not None}
    return {**from_file, **os.environ}


def find_dev_server_binary(supervisor: Supervisor) -> str | None:
    binary = find_inngest_binary(supervisor)
    if binary is None:
        supervisor.warn(
            "WARNING: no Inngest dev server, so uploaded documents will NOT be processed:\n"
            "  the app's events reach no server and no Inngest function runs (reasons above).\n"
            "  To fix it, export INNGEST_DEV_SERVER_BIN=/path/to/inngest (version 1.43.0, e.g. from\n"
            "  `npx inngest-cli@1.43.0` where the internet is reachable) and run `make run` again.\n"
            "  Continuing with the app alone."
        )
    return binary


def bind_address(settings: Mapping[str, str], supervisor: Supervisor) -> str:
    """BIND_ADDRESS: 127.0.0.1 (the default) or 0.0.0.0, with a warning, for every interface.

    The stack's pieces reach one another on 127.0.0.1, which both of these include.
    """
    address = settings.get("BIND_ADDRESS") or LOOPBACK
    if address not in (LOOPBACK, ALL_INTERFACES):
        raise StackError(f"BIND_ADDRESS={address!r}: use {LOOPBACK} (this machine only) or {ALL_INTERFACES}")
    if address == ALL_INTERFACES:
        supervisor.warn(
            f"WARNING: BIND_ADDRESS={ALL_INTERFACES}: the app, the Inngest dev server and the local S3 listen on\n"
            "  every interface. In development /api/inngest is unsigned: anyone who reaches it can run the\n"
            "  app's functions, and the dev server and S3 have no credentials worth the name."
        )
    return address


def start_dev_server(supervisor: Supervisor, binary: str, address: str) -> None:
    argv = [binary, "dev", "--no-discovery", "--no-poll", "-u", INNGEST_SERVE_URL, "--port", str(DEV_SERVER_PORT)]
    argv += ["--host", address]
    if DEV_SERVER_CONNECT_PORTS:
        gateway, gateway_grpc, executor_grpc = DEV_SERVER_CONNECT_PORTS
        argv += ["--connect-gateway-port", gateway, "--connect-gateway-grpc-port", gateway_grpc]
        argv += ["--connect-executor-grpc-port", executor_grpc]
    supervisor.start("Inngest dev server", argv, os.environ)
    supervisor.wait_until(lambda: responds(DEV_SERVER_URL), "the Inngest dev server", READY_TIMEOUT_SECONDS)


def stack_variables(s3_settings: Mapping[str, str], ratelimit_storage_uri: str | None) -> dict[str, str]:
    """What the app needs to know about this stack, on top of the user's own settings.

    INNGEST_SERVE_ORIGIN: a sync registers this URL, never the one a request's Host header names.
    """
    variables = {
        **s3_settings,
        "INNGEST_DEV": "1",
        "INNGEST_BASE_URL": DEV_SERVER_URL,
        "INNGEST_SERVE_ORIGIN": APP_URL,
    }
    if ratelimit_storage_uri is not None:
        variables["RATELIMIT_STORAGE_URI"] = ratelimit_storage_uri
    return variables


def start_throttle_store(supervisor: Supervisor) -> str:
    """A redis-server on loopback where every worker counts wrong passwords, so the limit is the documented one."""
    redis = RedisServer(supervisor, INSTANCE_DIRECTORY / "redis", REDIS_PORT)
    redis.start()
    supervisor.say(f"the sign-in throttle counts in Redis on 127.0.0.1:{REDIS_PORT}")
    return redis.url(0)


def request_sync() -> httpx.Response | str:
    """The app's answer to a sync request, or why it gave none."""
    try:
        return httpx.put(INNGEST_SERVE_URL, timeout=30.0)
    except httpx.HTTPError as error:
        return f"PUT {INNGEST_SERVE_URL} failed: {error}"


def sync_app(supervisor: Supervisor) -> bool:
    """Register the app's functions with the dev server; False (dev server stopped) if it refuses.

    Retries while the SDK cannot reach the dev server (no answer, or a 5xx from the SDK), since the
    dev server may need a moment; the dev server's own refusal comes back as a 2xx with an error.
    """
    supervisor.say(f"syncing the app with the Inngest dev server: PUT {INNGEST_SERVE_URL}")
    deadline = time.monotonic() + SYNC_TIMEOUT_SECONDS
    while True:
        result = request_sync()
        problem = result if isinstance(result, str) else registration_problem(result.status_code, result.text)
        if problem is None:
            supervisor.say("the app's functions are registered with the Inngest dev server")
            return True
        supervisor.ensure_running()
        retryable = isinstance(result, str) or result.status_code >= 500
        if not retryable or time.monotonic() > deadline:
            break
        time.sleep(1.0)
    supervisor.warn(
        f"WARNING: the app could not register its functions with the Inngest dev server:\n  {problem}\n"
        "  Stopping the dev server; uploaded documents will NOT be processed until this is fixed."
    )
    supervisor.stop("Inngest dev server")
    return False


def describe_s3(settings: Mapping[str, str], s3_settings: Mapping[str, str]) -> str:
    if s3_settings:
        endpoint, bucket = s3_settings["AWS_ENDPOINT_URL"], s3_settings["AWS_S3_BUCKET"]
        return f"{endpoint} (local moto, bucket {bucket!r}, data lost on stop)"
    endpoint = settings.get("AWS_ENDPOINT_URL") or "the AWS default endpoint"
    return f"bucket {settings['AWS_S3_BUCKET']!r} at {endpoint} (from your settings)"


def print_ready(
    supervisor: Supervisor, settings: Mapping[str, str], s3_settings: Mapping[str, str], dev_server_running: bool
) -> None:
    dev_server = f"http://localhost:{DEV_SERVER_PORT}" if dev_server_running else "NOT running (see the warning above)"
    supervisor.say(
        "ready\n"
        f"  app                 http://localhost:{APP_PORT}\n"
        f"  Inngest dev server  {dev_server}\n"
        f"  S3                  {describe_s3(settings, s3_settings)}\n"
        f"Open http://localhost:{APP_PORT} and sign in as {DEMO_EMAIL} / {DEMO_PASSWORD!r}.\n"
        "For the flask CLI against this stack: `source instance/local-stack.env` (see README.md).\n"
        "Press Ctrl-C to stop everything."
    )


def run(supervisor: Supervisor) -> NoReturn:
    settings = read_settings(REPO_ROOT)
    address = bind_address(settings, supervisor)
    dev_server_binary = find_dev_server_binary(supervisor)
    use_local_s3 = not settings.get("AWS_S3_BUCKET")
    # Two workers: with memory:// each would count wrong passwords on its own, doubling the limit.
    use_local_redis = (settings.get("RATELIMIT_STORAGE_URI") or "memory://").startswith("memory://")
    ports = {APP_PORT: "the app"}
    if dev_server_binary is not None:
        ports[DEV_SERVER_PORT] = "the Inngest dev server"
    if use_local_s3:
        ports[LOCAL_S3_PORT] = "local S3"
    if use_local_redis:
        ports[REDIS_PORT] = "Redis"
    ensure_ports_free(ports, "another `make run`")

    if use_local_s3:
        origins = [f"http://localhost:{APP_PORT}", f"http://127.0.0.1:{APP_PORT}"]
        s3_settings = start_local_s3(supervisor, LOCAL_S3_PORT, origins, bind_address=address)
    else:
        supervisor.say(f"AWS_S3_BUCKET is set, so using {describe_s3(settings, {})}")
        s3_settings = {}
    throttle_store = start_throttle_store(supervisor) if use_local_redis else None
    if dev_server_binary is not None:
        start_dev_server(supervisor, dev_server_binary, address)
    variables = stack_variables(s3_settings, throttle_store)
    app_env = {**os.environ, **variables}
    write_environment_file(CLI_ENVIRONMENT_FILE, variables, "make run")
    migrate_database(supervisor, app_env)
    ensure_user(supervisor, app_env, DEMO_EMAIL, DEMO_PASSWORD)
    start_gunicorn(supervisor, "app (gunicorn)", f"{address}:{APP_PORT}", app_env, workers=2, threads=4)
    dev_server_running = dev_server_binary is not None and sync_app(supervisor)
    print_ready(supervisor, settings, s3_settings, dev_server_running)
    supervisor.supervise()


def main() -> int:
    return run_in_foreground(Supervisor("make run"), run)


if __name__ == "__main__":
    sys.exit(main())
