"""Section 1 and 2: the accept path at a ladder of constant rates, ours beside GET /auth/me, send_sync and the peers."""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

import inngest
import numpy as np

from bench.load import Step, attack, get_targets, past_the_knee, post_targets
from bench.stack import Gunicorn
from documents.events import DocumentUploaded
from extensions import db
from inngest_functions.client import create_client
from outbox.models import DeliveryStatus, OutboxEvent
from settings import load_settings
from tests.support.inngest_server import InngestServer
from tests.support.polling import wait_until

ROUTES = {"inngest": "/api/route", "celery": "/bench/celery/route", "rq": "/bench/rq/route"}
OK_CODES = {"inngest": {200, 202}, "celery": {200}, "rq": {200}, "me": {200}}


def ladder(
    app: Gunicorn, cookie: str, rates: list[float], duration: float, work: Path, *, systems: tuple[str, ...]
) -> list[Step]:
    """Each rate in turn, every system at it back to back (so they share the machine's noise); stop past our knee."""
    for system in systems:  # warm up (imports, connection pools, caches); not measured
        targets = (
            get_targets(f"{app.url}/auth/me", cookie)
            if system == "me"
            else post_targets(f"{app.url}{ROUTES[system]}", cookie, 31, f"{system}-warm-up")
        )
        attack(f"{system}-warm-up", targets, 10, 3, work, OK_CODES[system])
    steps = []
    for rate in rates:
        count = int(rate * duration) + 1
        for system in systems:
            if system == "me":
                targets = get_targets(f"{app.url}/auth/me", cookie)
            else:
                targets = post_targets(f"{app.url}{ROUTES[system]}", cookie, count, f"{system}-{rate:g}")
            step = attack(system, targets, rate, duration, work, OK_CODES[system])
            steps.append(step)
            print(f"  {system:8} {rate:6g}/s  " + "  ".join(f"{k}={v}" for k, v in step.row().items() if k != "label"))
            time.sleep(1)
        ours = next(s for s in steps if s.label == systems[0] and s.rate == rate)
        if past_the_knee(ours):
            break
    return steps


def send_baseline(inngest_url: str, count: int) -> list[float]:
    """Milliseconds per raw `send_sync` of the same event, one process, one at a time."""
    client: inngest.Inngest = create_client(
        load_settings({"INNGEST_DEV": True, "INNGEST_BASE_URL": inngest_url}, env_file=None)
    )
    event = DocumentUploaded(
        document_id=1,
        document_name="baseline.txt",
        s3_bucket="documents",
        s3_key="users/1/baseline.txt",
        user_id=1,
        max_document_bytes=1,
        chunk_size=1000,
        chunk_overlap=100,
    )
    latencies = []
    for _ in range(count):
        started = time.perf_counter()
        client.send_sync(inngest.Event(name="bench/baseline", data=event.model_dump(mode="json", by_alias=True)))
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def outbox_drained(database_app: Any) -> bool:
    """Whether the relay has delivered every event the app accepted."""
    with database_app.app_context():
        pending = db.session.scalar(
            db.select(db.func.count())
            .select_from(OutboxEvent)
            .where(OutboxEvent.status == DeliveryStatus.PENDING.value)
        )
        return bool(pending == 0)


def events_lost(database_app: Any, server: InngestServer, accepted: int) -> dict[str, int]:
    """Documents we accepted vs distinct events the Inngest server received, once the outbox is drained."""
    wait_until(lambda: outbox_drained(database_app), "the outbox to drain", timeout=300, interval=1)
    with database_app.app_context():
        ours = set(db.session.scalars(db.select(OutboxEvent.event_id)))
    # The server stores what it received a moment after answering: give it up to a minute.
    deadline = time.monotonic() + 60
    while True:
        received = {event.get("id") for event in server.events(DocumentUploaded.NAME)}
        if not ours - received or time.monotonic() > deadline:
            break
        time.sleep(1)
    return {
        "accepted (2xx)": accepted,
        "outbox rows": len(ours),
        "received by the server": len(received & ours),
        "lost": len(ours - received),
    }


def ratio(steps: list[Step], send_ms: list[float]) -> dict[str, float]:
    """POST p50 / (GET /auth/me p50 + send_sync p50), at the lowest rate."""
    lowest = min(step.rate for step in steps)
    post = next(s for s in steps if s.label == "inngest" and s.rate == lowest).percentile(50)
    me = next(s for s in steps if s.label == "me" and s.rate == lowest).percentile(50)
    send = statistics.median(send_ms)
    return {
        "rate": lowest,
        "post_p50": round(post, 2),
        "me_p50": round(me, 2),
        "send_p50": round(send, 2),
        "send_p99": round(float(np.percentile(send_ms, 99)), 2),
        "ratio": round(post / (me + send), 2),
    }
