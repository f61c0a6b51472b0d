"""A function configuration the real server rejects fails the suite, in the server's own words."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import inngest
import inngest.flask
import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.e2e.conftest import sync
from tests.support.inngest_server import running_inngest_server, server_binary
from tests.support.local_http import in_a_thread


@contextmanager
def serving_functions(server_url: str, cron: str) -> Iterator[str]:
    """A Flask app serving one cron function, in a thread on a free port; yields its URL."""
    app = Flask(__name__)
    client = inngest.Inngest(app_id="rejected-config", is_production=False, api_base_url=server_url)

    @client.create_function(fn_id="tick", trigger=inngest.TriggerCron(cron=cron))
    def tick(ctx: inngest.ContextSync) -> None:
        return None

    inngest.flask.serve(app, client, [tick])
    try:
        with in_a_thread(make_server("127.0.0.1", 0, app, threaded=True)) as url:
            yield url
    finally:
        client._http_client._http_client_sync.close()  # the SDK keeps the connection it registered on


def test_a_configuration_the_server_rejects_fails_the_suite_with_the_servers_message(tmp_path):
    server = running_inngest_server(server_binary(), state_directory=tmp_path, log_name="inngest-rejected.log")
    with (
        server as running,
        serving_functions(running.url, "not a cron") as app_url,
        pytest.raises(pytest.fail.Exception) as failed,
    ):
        sync(app_url)
    message = str(failed.value)
    assert message.startswith("the Inngest server refused the app's function configuration: HTTP 200:")
    assert '"error": "At least one function is invalid"' in message


def test_a_configuration_the_server_accepts_syncs(tmp_path):
    with running_inngest_server(server_binary(), state_directory=tmp_path, log_name="inngest-accepted.log") as server:
        with serving_functions(server.url, "0 3 * * *") as app_url:
            sync(app_url)
        assert [app["functionCount"] for app in server.apps()] == [1]
