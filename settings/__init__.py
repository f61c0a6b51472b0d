"""Typed application settings: the one place that reads the environment and `.env`.

`load_settings()` builds them at start-up; `get_app_settings()` returns the ones
the running app was built with, from any request, step or command.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dotenv import load_dotenv
from flask import current_app
from limits import parse_many
from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Used only in development mode, so that `make run` works with no set-up and
# sessions survive a restart. Production refuses to start without SECRET_KEY.
DEVELOPMENT_SECRET_KEY = "development-only-secret-key-do-not-use-in-production"  # noqa: S105

DEFAULT_DATABASE_PATH = Path(__file__).resolve().parent.parent / "instance" / "app.db"
DEBIAN_TESSDATA_DIR = Path("/usr/share/tesseract-ocr/5/tessdata")


class SettingsError(RuntimeError):
    """The environment describes an app that cannot start; the message names the variable."""


class S3NotConfiguredError(SettingsError):
    """S3 is needed and not configured; answered as a 500 naming the missing variables (never their values)."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(f"the server is not configured for S3: set {' and '.join(missing)}")
        self.missing = missing


@dataclass(frozen=True)
class S3Settings:
    """Where users' documents live, once S3 is known to be configured (`AppSettings.require_s3()`)."""

    region: str
    bucket: str
    key_prefix: str
    endpoint_url: str | None


class AppSettings(BaseSettings):
    """Every setting the service reads. Field names are the variables, lower-cased."""

    # Empty variables count as unset, so a copied .env.example with blanks works.
    model_config = SettingsConfigDict(extra="ignore", case_sensitive=False, env_ignore_empty=True)

    # Mode, read as the Inngest SDK reads it: INNGEST_DEV=1/true is development (the dev server,
    # no signing key); INNGEST_DEV=<dev server URL> is development too, with that URL as the
    # server's address unless INNGEST_BASE_URL names another. 0/false or unset: production.
    inngest_dev: bool = False
    secret_key: str | None = None

    database_url: str = f"sqlite:///{DEFAULT_DATABASE_PATH}"

    # S3. Region and bucket may be absent at start-up: POST /api/route reports it.
    aws_s3_region: str | None = None
    aws_s3_bucket: str | None = None
    aws_endpoint_url: str | None = None
    s3_key_prefix: str = Field(default="users", pattern=r"^[A-Za-z0-9_\-]+(/[A-Za-z0-9_\-]+)*$")

    # Inngest.
    inngest_app_id: str = Field(default="document-service", min_length=1)
    inngest_signing_key: str | None = None
    # The previous signing key, accepted alongside the current one while keys rotate.
    inngest_signing_key_fallback: str | None = None
    inngest_event_key: str | None = None
    inngest_env: str | None = None
    inngest_base_url: str | None = None
    inngest_serve_origin: str | None = None
    # Production: let unsigned PUTs to /api/inngest sync the app (needs INNGEST_SERVE_ORIGIN).
    inngest_enable_unauthed_sync: bool = False
    inngest_send_timeout_seconds: float = Field(default=2.0, gt=0, le=30)
    # The largest body /api/inngest reads. Inngest caps a run's state (its events and every
    # step's output) at 32 MB, and the executor sends that state with each call; 1 MiB more
    # for the request's envelope. Refused with 413 before it is read in full.
    inngest_max_request_bytes: int = Field(default=33 * 1024 * 1024, ge=64 * 1024)

    # Processing.
    max_document_bytes: int = Field(default=50 * 1024 * 1024, gt=0)
    chunk_size: int = Field(default=1000, ge=50)
    chunk_overlap: int = Field(default=100, ge=0)
    per_user_concurrency: int = Field(default=5, ge=1)
    function_retries: int = Field(default=3, ge=0, le=20)

    # OCR with Tesseract (processing/ocr/): images, and PDF pages without a usable text layer.
    ocr_enabled: bool = True
    # Tesseract's language codes joined with "+", each needing Debian's tesseract-ocr-<code> package.
    ocr_languages: str = Field(default="eng", pattern=r"^[a-z_]+(\+[a-z_]+)*$")
    # A scan (or image) with more pages than this fails at once.
    ocr_max_pages: int = Field(default=200, ge=1, le=10_000)
    # The resolution a PDF page without text is rendered at before it is read.
    ocr_dpi: int = Field(default=300, ge=72, le=600)
    # A page Tesseract has not read in this long fails alone; the rest of the document is kept.
    ocr_page_timeout_seconds: float = Field(default=120.0, gt=0, le=3600)
    # Where Tesseract's language data is: Debian's tesseract-ocr-* packages install it here.
    ocr_tessdata_dir: Path = DEBIAN_TESSDATA_DIR

    # Trash: how long a deleted document can be restored before purge-document deletes it for good.
    # Fractional days are allowed (0.0001 is about 9 seconds); 0 purges at once.
    trash_retention_days: float = Field(default=30.0, ge=0, le=3650)

    # Outbox relay: delivers events the request could not (see outbox/).
    outbox_relay_enabled: bool = True
    outbox_relay_interval_seconds: float = Field(default=5.0, gt=0)
    # How long a sender owns an event it is sending; a crashed sender's events wait this long.
    outbox_claim_seconds: float = Field(default=120.0, gt=0)
    # A delivered event with no run on the server this long after is sent again (outbox/confirmation.py).
    outbox_confirm_after_seconds: float = Field(default=60.0, gt=0)

    # Idempotency-Key: a key still "in flight" this long after its request began is taken to have died
    # with its process (killed, or its release failed with the database) and is free again.
    idempotency_abandoned_after_seconds: float = Field(default=120.0, gt=0)

    # Search (documents/search.py). Per signed-in user, over GET /api/search and the /search page
    # together, counted where RATELIMIT_STORAGE_URI says; Flask-Limiter's notation, ";" between limits.
    search_rate_limit: str = Field(default="5 per second;60 per minute", min_length=1)
    # How long one query may run before it is stopped and answered 400 "add a rarer word".
    search_time_budget_ms: int = Field(default=1000, ge=10, le=60_000)
    # Distinct words a query may have (repeats count once).
    search_max_words: int = Field(default=10, ge=1, le=50)

    # Webhooks (webhooks/). Private, loopback, link-local and metadata addresses are refused unless
    # this is set: for development and tests, where the receiver runs on this machine.
    webhook_allow_private: bool = False
    # How long one delivery may take, connect to answer; a slow receiver is retried by Inngest.
    webhook_timeout_seconds: float = Field(default=5.0, gt=0, le=30)

    # HTTP.
    max_content_length: int = Field(default=64 * 1024, ge=1024)
    # The origin browsers call us from (scheme://host[:port]); unset: this request's own.
    app_origin: str | None = Field(default=None, pattern=r"^https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?$")
    # How many proxies in front of the app set X-Forwarded-For; 0: the header is ignored.
    proxy_fix_x_for: int = Field(default=0, ge=0, le=10)

    # Where login throttling counts failures. memory:// is per process, for development.
    ratelimit_storage_uri: str = Field(default="memory://", min_length=1)
    # Comma-separated host names the app answers to (Flask's TRUSTED_HOSTS); empty: any.
    trusted_hosts: str = ""

    @field_validator("search_rate_limit")
    @classmethod
    def _a_rate_limit(cls, value: str) -> str:
        try:
            parse_many(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a rate limit like '5 per second;60 per minute'") from None
        return value

    @field_validator("trusted_hosts")
    @classmethod
    def _host_names_only(cls, value: str) -> str:
        for name in _comma_separated(value):
            if not _HOST_NAME.fullmatch(name):
                raise ValueError(f"{name!r} is not a host name like docs.example.com (no scheme, no port)")
        return value

    @model_validator(mode="before")
    @classmethod
    def _dev_server_url_in_inngest_dev(cls, values: Any) -> Any:
        if not isinstance(values, dict) or not isinstance(values.get("inngest_dev"), str):
            return values
        raw = values["inngest_dev"].strip()
        if raw.lower() in _BOOLEAN_WORDS:
            return values
        url = dev_server_url(raw)
        if url is None:
            raise ValueError(
                f"INNGEST_DEV={raw!r} is neither 1, 0, true, false nor a URL such as http://localhost:8288"
            )
        return {**values, "inngest_dev": True, "inngest_base_url": values.get("inngest_base_url") or url}

    @model_validator(mode="after")
    def _overlap_smaller_than_chunk(self) -> AppSettings:
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError("CHUNK_OVERLAP must be smaller than CHUNK_SIZE")
        return self

    @model_validator(mode="after")
    def _ocr_languages_installed(self) -> AppSettings:
        if not self.ocr_enabled:
            return self
        missing = [
            language
            # osd tells which way up a scan is.
            for language in [*self.ocr_language_codes, "osd"]
            if not (self.ocr_tessdata_dir / f"{language}.traineddata").is_file()
        ]
        if missing:
            packages = " ".join(tesseract_package(language) for language in missing)
            raise ValueError(
                f"OCR_LANGUAGES names {', '.join(missing)}, not installed in {self.ocr_tessdata_dir}: "
                f"install {packages} (apt-get install {packages}), or set OCR_ENABLED=0"
            )
        return self

    @model_validator(mode="after")
    def _abandoned_keys_outlive_a_send(self) -> AppSettings:
        # Shorter than the longest request, a slow but living request's key would be taken from it.
        if self.idempotency_abandoned_after_seconds <= self.longest_send_seconds:
            raise ValueError(
                "IDEMPOTENCY_ABANDONED_AFTER_SECONDS must be longer than the longest event send "
                f"(5 attempts of INNGEST_SEND_TIMEOUT_SECONDS plus 3.5 s of backoff: {self.longest_send_seconds:g} s)"
            )
        return self

    @model_validator(mode="after")
    def _production_needs_secrets(self) -> AppSettings:
        if self.inngest_dev:
            return self
        missing = [
            name
            for name, value in (
                ("SECRET_KEY", self.secret_key),
                ("INNGEST_SIGNING_KEY", self.inngest_signing_key),
            )
            if not value
        ]
        if missing:
            raise ValueError(
                f"production mode needs {' and '.join(missing)}; set them, or set INNGEST_DEV=1 for local development"
            )
        return self

    @model_validator(mode="after")
    def _unauthed_sync_needs_a_fixed_origin(self) -> AppSettings:
        # An unsigned sync registers the URL the request's Host header names, so
        # anyone could point Inngest's calls (and their events) at their own server.
        if not self.inngest_dev and self.inngest_enable_unauthed_sync and not self.inngest_serve_origin:
            raise ValueError("INNGEST_ENABLE_UNAUTHED_SYNC needs INNGEST_SERVE_ORIGIN, the URL Inngest should call")
        return self

    @property
    def longest_send_seconds(self) -> float:
        """The longest one `send_sync` can take: the SDK's 5 attempts and its 3.5 s of backoff between them."""
        return 5 * self.inngest_send_timeout_seconds + 3.5

    @property
    def ocr_language_codes(self) -> list[str]:
        return self.ocr_languages.split("+")

    @property
    def session_secret(self) -> str:
        return self.secret_key or DEVELOPMENT_SECRET_KEY

    @property
    def trusted_host_names(self) -> list[str]:
        return [name.lower() for name in _comma_separated(self.trusted_hosts)]

    def missing_s3_settings(self) -> list[str]:
        """Names (never values) of the S3 variables the route needs but lacks."""
        return [
            name
            for name, value in (
                ("AWS_S3_REGION", self.aws_s3_region),
                ("AWS_S3_BUCKET", self.aws_s3_bucket),
            )
            if not value
        ]

    def require_s3(self) -> S3Settings:
        """The S3 settings, or S3NotConfiguredError naming what is missing."""
        region, bucket = self.aws_s3_region, self.aws_s3_bucket
        if not region or not bucket:
            raise S3NotConfiguredError(self.missing_s3_settings())
        return S3Settings(
            region=region, bucket=bucket, key_prefix=self.s3_key_prefix, endpoint_url=self.aws_endpoint_url
        )


def tesseract_package(language: str) -> str:
    """Debian's package of Tesseract's data for `language` (`chi_sim` is in tesseract-ocr-chi-sim)."""
    return "tesseract-ocr-" + language.replace("_", "-")


_BOOLEAN_WORDS = {"1", "0", "true", "false", "yes", "no", "on", "off", "t", "f", "y", "n"}


def dev_server_url(value: str) -> str | None:
    """`value` as an http(s) URL with a host, the way the SDK reads INNGEST_DEV (scheme optional), or None."""
    url = value if value.startswith(("http://", "https://")) else f"http://{value}"
    parsed = urlsplit(url)
    try:
        parsed.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return None
    if not parsed.hostname or ("." not in parsed.hostname and parsed.port is None and parsed.hostname != "localhost"):
        return None
    return url.rstrip("/")


# A DNS name or IPv4 address; a leading dot also trusts every subdomain (Werkzeug's rule).
_HOST_NAME = re.compile(r"\.?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*")


def _comma_separated(value: str) -> list[str]:
    return [name.strip() for name in value.split(",") if name.strip()]


def load_settings(overrides: dict[str, Any] | None = None, *, env_file: str | None = ".env") -> AppSettings:
    """Read `env_file` (never overriding real variables) and the environment, apply `overrides`, validate.

    Overrides use the variable names (`{"AWS_S3_BUCKET": "docs"}`) and win over
    the environment. A bad value raises SettingsError naming the variable.
    """
    if env_file:
        # Into os.environ on purpose: boto3 and the Inngest SDK read a few
        # variables of their own (AWS credentials, INNGEST_STREAMING and the like).
        # gunicorn does not load .env the way `flask` does, so we do.
        load_dotenv(env_file, override=False)
    values = {key.lower(): value for key, value in (overrides or {}).items()}
    try:
        return AppSettings(**values)
    except ValidationError as error:
        raise SettingsError(_describe(error)) from None


def _describe(error: ValidationError) -> str:
    problems = []
    for item in error.errors():
        location = ".".join(str(part) for part in item["loc"]).upper()
        message = item["msg"].removeprefix("Value error, ")
        problems.append(f"{location}: {message}" if location else message)
    return "invalid settings: " + "; ".join(problems)


def get_app_settings() -> AppSettings:
    """The settings the current app was built with (kept in `app.extensions`)."""
    settings: AppSettings = current_app.extensions["settings"]
    return settings
