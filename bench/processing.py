"""Sections 2 to 4: the corpus through Inngest, through the peers and in-process; latency to processed."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import boto3
import httpx
import numpy as np
import redis
from boto3.s3.transfer import TransferConfig

from bench.corpus import CorpusDocument
from bench.stack import Gunicorn
from documents.models import Document
from extensions import db
from inngest_functions.registration import registration_problem
from tests.conftest import REGION
from tests.support.app_server import environment_for
from tests.support.polling import wait_until

TERMINAL = {"processed", "unchanged", "failed"}
ROUTES = {"inngest": "/api/route", "celery": "/bench/celery/route", "rq": "/bench/rq/route"}


def sync(app: Gunicorn) -> None:
    """Register the app's functions with the Inngest server (the dev server takes an unsigned PUT)."""

    def attempt() -> bool:
        response = httpx.put(f"{app.url}/api/inngest", timeout=30)
        return registration_problem(response.status_code, response.text) is None

    wait_until(attempt, "the app to sync with the Inngest server", timeout=60, interval=1)


def upload(s3_endpoint: str, bucket: str, user_id: int, prefix: str, corpus: list[CorpusDocument]) -> None:
    s3 = boto3.client("s3", region_name=REGION, endpoint_url=s3_endpoint)
    # One PUT per object: moto gives a multipart upload a checksum that boto3's download then rejects.
    single_put = TransferConfig(multipart_threshold=2**31)
    for document in corpus:
        s3.upload_file(str(document.path), bucket, f"users/{user_id}/{prefix}/{document.name}", Config=single_put)
    s3.close()


def statuses(database_app: Any, names: list[str]) -> dict[str, Document]:
    with database_app.app_context():
        rows = db.session.scalars(db.select(Document).where(Document.name.in_(names))).all()
        db.session.expunge_all()
        return {row.name: row for row in rows}


def run_corpus(
    database_app: Any, app: Gunicorn, cookie: str, system: str, prefix: str, corpus: list[CorpusDocument]
) -> dict[str, Any]:
    """POST every document at once, then wait until each is processed: documents/s and MB/s, first POST to last."""
    names = [f"{prefix}/{document.name}" for document in corpus]
    started = time.time()
    with httpx.Client(base_url=app.url, headers={"Cookie": cookie}, timeout=60) as client:
        for name in names:
            response = client.post(ROUTES[system], json={"documentName": name})
            assert response.status_code in (200, 202), response.text

    def finished() -> dict[str, Document] | None:
        found = statuses(database_app, names)
        return found if len(found) == len(names) and all(row.status in TERMINAL for row in found.values()) else None

    rows = wait_until(finished, f"{len(names)} documents through {system}", timeout=3600, interval=0.5)
    ended = max(row.processed_at.timestamp() for row in rows.values() if row.processed_at) if rows else started
    failed = [f"{row.name}: {row.error}" for row in rows.values() if row.status == "failed"]
    return _throughput(system, corpus, ended - started, failed)


def _throughput(system: str, corpus: list[CorpusDocument], seconds: float, failed: list[str]) -> dict[str, Any]:
    megabytes = sum(document.size for document in corpus) / 1e6
    return {
        "system": system,
        "documents": len(corpus),
        "MB": round(megabytes, 1),
        "seconds": round(seconds, 2),
        "docs/s": round(len(corpus) / seconds, 2),
        "MB/s": round(megabytes / seconds, 2),
        "failed": len(failed),
        "first failure": failed[0][:120] if failed else "",
    }


@contextmanager
def peer_workers(system: str, settings: dict[str, Any], redis_url: str, pool: int) -> Iterator[None]:
    """A Celery or RQ worker pool of `pool` processes running bench.peers.process."""
    redis.Redis.from_url(redis_url).flushdb()  # jobs left by the accept ladder, whose documents do not exist
    binary = Path(sys.executable).parent
    if system == "celery":
        command = [str(binary / "celery"), "-A", "bench.peers:celery_app", "worker", f"--concurrency={pool}"]
        command += ["--pool=prefork", "--loglevel=WARNING", "-Q", "documents", "--without-gossip", "--without-mingle"]
    else:
        # SimpleWorker runs jobs in the worker process: RQ's default forks a child per job, which
        # would build the Flask app again for every job and measure that instead of the work.
        command = [str(binary / "rq"), "worker-pool", "-n", str(pool), "-w", "rq.worker.SimpleWorker"]
        command += ["--url", redis_url, "documents"]
    environment = environment_for({**settings, "BENCH_REDIS_URL": redis_url})
    process = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, start_new_session=True)
    try:
        yield
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


_in_process_app: Any = None


def _in_process_worker(settings: dict[str, Any]) -> None:
    global _in_process_app
    from app import create_app

    _in_process_app = create_app(settings, env_file=None)


def _in_process_one(request_data: dict[str, Any]) -> dict[str, float]:
    """The steps the function runs, called directly, each timed; plus extraction and chunking on their own."""
    from documents.events import DocumentUploaded
    from inngest_functions.process_document import check_object, extract_and_store

    with _in_process_app.app_context():
        request = DocumentUploaded.model_validate(request_data)
        timings = {}
        started = time.perf_counter()
        check_object(request, "in-process")
        timings["mark + look up"] = time.perf_counter() - started
        started = time.perf_counter()
        extract_and_store(request)
        timings["download + extract + chunk + store"] = time.perf_counter() - started
        return timings


def run_in_process(
    database_app: Any,
    settings: dict[str, Any],
    user: tuple[int, str],
    prefix: str,
    corpus: list[CorpusDocument],
    pool: int,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The same steps in `pool` plain processes, no queue and no server: the ceiling for the other rows."""
    from documents.events import DocumentUploaded

    user_id, _email = user
    requests = []
    with database_app.app_context():
        for document in corpus:
            name = f"{prefix}/{document.name}"
            row = Document(
                user_id=user_id, name=name, s3_bucket=settings["AWS_S3_BUCKET"], s3_key=f"users/{user_id}/{name}"
            )
            db.session.add(row)
            db.session.flush()
            requests.append(
                DocumentUploaded(
                    document_id=row.id,
                    document_name=name,
                    s3_bucket=row.s3_bucket,
                    s3_key=row.s3_key,
                    user_id=user_id,
                    max_document_bytes=52428800,
                    chunk_size=1000,
                    chunk_overlap=100,
                ).model_dump(mode="json", by_alias=True)
            )
        db.session.commit()
    with ProcessPoolExecutor(pool, initializer=_in_process_worker, initargs=(settings,)) as executor:
        list(executor.map(_in_process_worker_ready, range(pool)))
        started = time.time()
        timings = list(executor.map(_in_process_one, requests))
        seconds = time.time() - started
    rows = statuses(database_app, [request["documentName"] for request in requests])
    failed = [f"{row.name}: {row.error}" for row in rows.values() if row.status != "processed"]
    per_document = [
        {"name": document.name, "size": document.size, **{step: round(value, 4) for step, value in timing.items()}}
        for document, timing in zip(corpus, timings, strict=True)
    ]
    return _throughput("in-process", corpus, seconds, failed), per_document


def _in_process_worker_ready(_index: int) -> bool:
    return _in_process_app is not None


def extraction_steps(corpus: list[CorpusDocument]) -> list[dict[str, Any]]:
    """Extraction and chunking alone, per document type: seconds per MB."""
    from documents.types import document_type
    from processing.chunking import chunk_blocks
    from processing.readers import read_blocks

    by_type: dict[str, list[tuple[float, float, int]]] = {}
    for document in corpus:
        started = time.perf_counter()
        blocks = list(read_blocks(document.path, document_type(document.name)))
        extracted = time.perf_counter()
        list(chunk_blocks(blocks, chunk_size=1000, chunk_overlap=100))
        chunked = time.perf_counter()
        by_type.setdefault(document_type(document.name), []).append(
            (extracted - started, chunked - extracted, document.size)
        )
    rows = []
    for kind, measured in sorted(by_type.items()):
        megabytes = sum(size for _, _, size in measured) / 1e6
        rows.append(
            {
                "type": kind,
                "documents": len(measured),
                "MB": round(megabytes, 2),
                "extract s/MB": round(sum(e for e, _, _ in measured) / megabytes, 3),
                "chunk s/MB": round(sum(c for _, c, _ in measured) / megabytes, 3),
            }
        )
    return rows


def latency_to_processed(database_app: Any, app: Gunicorn, cookie: str, names: list[str]) -> dict[str, Any]:
    """POST each (distinct) 20 KB text document, one at a time, and wait until it is processed."""
    latencies = []
    with httpx.Client(base_url=app.url, headers={"Cookie": cookie}, timeout=60) as client:
        for name in names:
            started = time.perf_counter()
            response = client.post("/api/route", json={"documentName": name})
            assert response.status_code in (200, 202), response.text
            wait_until(partial(_terminal, database_app, name), f"{name} processed", timeout=120, interval=0.005)
            latencies.append((time.perf_counter() - started) * 1000)
            time.sleep(0.2)
    return {
        "document": "20 KB .txt",
        "runs": len(names),
        "p50 ms": round(statistics.median(latencies), 1),
        "p99 ms": round(float(np.percentile(latencies, 99)), 1),
        "max ms": round(max(latencies), 1),
    }


def _terminal(database_app: Any, name: str) -> bool:
    row = statuses(database_app, [name]).get(name)
    return row is not None and row.status in TERMINAL
