"""The peers on the same work: the same signed-in Flask route and document row, handing the same job to Celery or RQ.

`gunicorn bench.peers:app` serves the whole app plus `/bench/celery/route` and
`/bench/rq/route`; the workers (`celery -A bench.peers:celery_app worker`,
`rq worker-pool`) run `process`, which calls the very steps the Inngest function runs.
Redis is at BENCH_REDIS_URL.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

import redis
import rq
from celery import Celery
from flask import Blueprint, Flask, Response, current_app, jsonify
from flask_login import current_user

from app import create_app
from documents.events import DocumentUploaded
from documents.names import object_key_for, parse_document_name
from documents.service import _queue_document, describe_document, document_uploaded
from extensions import csrf, db
from http_plumbing.errors import ApiError
from http_plumbing.request_json import json_object
from inngest_functions.process_document import check_object, extract_and_store
from settings import get_app_settings

QUEUE = "documents"
TASK = "bench.peers.process"


def redis_url() -> str:
    return os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


celery_app = Celery("bench", broker=redis_url())
celery_app.conf.update(
    task_default_queue=QUEUE, broker_connection_retry_on_startup=True, worker_hijack_root_logger=False
)


@cache
def _worker_app() -> Flask:
    return create_app()


@celery_app.task(name=TASK)  # type: ignore[untyped-decorator]
def process(data: dict[str, Any]) -> dict[str, Any]:
    """The job both peers run: the process-document steps, in order, in one call."""
    with _worker_app().app_context():
        request = DocumentUploaded.model_validate(data)
        checked = check_object(request, "peer")
        if checked["unchanged"]:
            return checked
        return extract_and_store(request)


blueprint = Blueprint("peers", __name__, url_prefix="/bench")


def _accept(send: Any) -> Response:
    """POST /api/route's checks and document row, then `send(event data)` instead of the outbox and send_sync."""
    settings = get_app_settings()
    if settings.missing_s3_settings() or not settings.aws_s3_bucket or not settings.aws_s3_region:
        raise ApiError(500, "the server is not configured for S3")
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined,no-any-return]
    name = parse_document_name(
        json_object().get("documentName"), key_prefix=settings.s3_key_prefix, user_id=current_user.id
    )
    key = object_key_for(settings.s3_key_prefix, current_user.id, name)
    document = _queue_document(current_user, name, settings.aws_s3_bucket, key)
    db.session.commit()
    event = document_uploaded(document, current_user, settings)
    job_id = send(event.model_dump(mode="json", by_alias=True))
    return jsonify(status="ok", jobId=job_id, document=describe_document(document))


@cache
def _rq_queue() -> rq.Queue:
    return rq.Queue(QUEUE, connection=redis.Redis.from_url(redis_url()))


@blueprint.post("/celery/route")
def celery_route() -> Response:
    return _accept(lambda data: celery_app.send_task(TASK, args=[data]).id)


@blueprint.post("/rq/route")
def rq_route() -> Response:
    return _accept(lambda data: _rq_queue().enqueue(TASK, data).id)


def create_peer_app() -> Flask:
    application = create_app()
    application.register_blueprint(blueprint)
    csrf.exempt(blueprint)
    return application


def __getattr__(name: str) -> Flask:
    if name == "app":
        application = globals()["app"] = create_peer_app()
        return application
    raise AttributeError(name)
