"""Defences for browsers: cross-site writes are refused, and every response carries security headers."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from flask import Flask, Response, request

from http_plumbing.authorization import carries_bearer_token
from http_plumbing.errors import ApiError
from settings import AppSettings

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

logger = logging.getLogger(__name__)

STATE_CHANGING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

CROSS_SITE_MESSAGE = "cross-site requests may not change anything here; call the API from its own origin"

_DEFAULT_PORTS = {"http": 80, "https": 443}


def security_headers(*, production: bool) -> dict[str, str]:
    headers = {
        # Only JSON is served: a response may load, run or frame nothing.
        "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
    }
    if production:
        # Not in development, where it would pin http://localhost to HTTPS in the browser.
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return headers


def page_security_headers(*, upload_origin: str | None) -> dict[str, str]:
    """What an HTML page (the web blueprint) gets instead of the API's: our own files, plus uploads to S3.

    No 'unsafe-inline': scripts and styles come from /static only.
    """
    connect = "'self'" + (f" {upload_origin}" if upload_origin else "")
    return {
        "Content-Security-Policy": (
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            f"connect-src {connect}; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
        ),
        # Not no-referrer: with it, browsers send `Origin: null` on the pages' own POSTs,
        # which the same-origin check refuses, and Flask-WTF needs the Referer over HTTPS.
        "Referrer-Policy": "same-origin",
    }


def docs_page_security_headers() -> dict[str, str]:
    """What the API docs page (/api/docs) gets: Swagger UI's files and the description, all from this origin.

    Swagger UI's icons are data: images, and it sets styles through the DOM, which 'self' allows;
    no 'unsafe-inline' or 'unsafe-eval'.
    """
    return {
        "Content-Security-Policy": (
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
        ),
        "Referrer-Policy": "same-origin",
    }


def normalised_origin(value: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of `scheme://host[:port]`, or None for anything else ("null", a URL with a path)."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname or "@" in parts.netloc:
        return None
    if parts.path not in {"", "/"} or parts.query or parts.fragment:
        return None
    return scheme, parts.hostname, port or _DEFAULT_PORTS[scheme]


def is_cross_site(*, sec_fetch_site: str | None, origin: str | None, own_origin: str) -> bool:
    """Whether the browser says the request comes from another site. No headers at all (curl, servers) is not."""
    if sec_fetch_site is not None and sec_fetch_site.strip().lower() == "cross-site":
        return True
    if origin is None:
        return False
    theirs = normalised_origin(origin)
    return theirs is None or theirs != normalised_origin(own_origin)


def register_web_security(app: Flask, settings: AppSettings, browser_blueprints: frozenset[str]) -> None:
    """Same-origin writes for `browser_blueprints` (those a browser calls with the session cookie), headers for all.

    /api/inngest is not one of them: Inngest calls it server to server, and the SDK checks the signature.
    """
    headers = security_headers(production=not settings.inngest_dev)

    @app.before_request
    def refuse_cross_site_writes() -> None:
        # SameSite=Lax already keeps the cookie off most cross-site POSTs; this also covers
        # same-site attackers (a sibling subdomain) and browsers that ignore SameSite.
        if request.blueprint not in browser_blueprints or request.method not in STATE_CHANGING_METHODS:
            return
        if carries_bearer_token():
            return  # a token, not the cookie: nothing ambient for another site to ride on
        sec_fetch_site, origin = request.headers.get("Sec-Fetch-Site"), request.headers.get("Origin")
        if is_cross_site(
            sec_fetch_site=sec_fetch_site, origin=origin, own_origin=settings.app_origin or request.host_url
        ):
            logger.warning(
                "refused cross-site %s %s (Origin %r, Sec-Fetch-Site %r)",
                request.method,
                request.path,
                origin,
                sec_fetch_site,
            )
            raise ApiError(403, CROSS_SITE_MESSAGE)

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        if response.is_json:
            # Documents, names and errors are one user's: no shared cache or back button may keep them.
            response.headers.setdefault("Cache-Control", "no-store")
        return response


class CaseInsensitiveHost:
    """WSGI middleware: host names are case-insensitive (RFC 9110), Flask's TRUSTED_HOSTS check is not,
    so `Host: LOCALHOST` is lowered before the check instead of being refused."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if "HTTP_HOST" in environ:
            environ["HTTP_HOST"] = environ["HTTP_HOST"].lower()
        return self.app(environ, start_response)
