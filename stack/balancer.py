"""HAProxy in front of the app instances: its configuration, written by `make cluster` on every start."""

from __future__ import annotations

import json

# The balancer's own answers when no instance can give one: JSON like the app's, never HAProxy's HTML.
BALANCER_ERRORS = {
    502: {"error": "no app instance could answer; try again shortly"},
    503: {"error": "no app instance is available; try again shortly"},
    504: {"error": "the app took too long to answer; try again shortly"},
}


def haproxy_configuration(balancer_port: int, app_ports: tuple[int, ...]) -> str:
    """Round robin over the instances, health-checked each second.

    A request whose instance dies before answering (no connection, or an empty response) is
    sent again to another one: safe for POST /api/route, which replays on its Idempotency-Key
    and re-sends the same document otherwise, and for /api/inngest, whose steps are idempotent.
    """
    errors = "\n".join(
        f"    http-error status {status} content-type application/json hdr Retry-After 2 string {haproxy_string(body)}"
        for status, body in BALANCER_ERRORS.items()
    )
    servers = "\n".join(
        f"    server app{index} 127.0.0.1:{port} check" for index, port in enumerate(app_ports, start=1)
    )
    return f"""# Written by `make cluster` on every start (stack/cluster.py).
global
    maxconn 4096
    log stdout format raw local0 info

defaults
    mode http
    log global
    option httplog
    option dontlog-normal
    option forwardfor
    # The whole request is read before it is sent on, so it can be sent again to another instance.
    option http-buffer-request
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response junk-response
    timeout connect 2s
    timeout client 130s
    timeout server 130s
    # A busy instance answers its health check slowly: slow is not dead (a dead one refuses at once).
    timeout check 5s
    # The balancer's own errors are JSON like the app's, with a Retry-After a client can follow.
{errors}

frontend web
    bind 127.0.0.1:{balancer_port}
    default_backend apps

backend apps
    balance roundrobin
    option httpchk
    http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host localhost
    default-server inter 1s fall 2 rise 2
{servers}
"""


def haproxy_string(body: dict[str, str]) -> str:
    escaped = json.dumps(body).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
