"""Section 5, memory: how much a worker's peak RSS grows while it processes one large PDF or text file.

Each document is processed by a fresh worker (its only one) that has first processed a 20 KB document of
the same type, so what a worker loads once (the S3 client, PDFium, the database connection) is measured
apart, as "first document". Two sizes of each type split the growth into a part per character of text
and a fixed part: growth = per_char * characters + fixed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import psutil

from bench.corpus import CorpusDocument, make_document
from bench.processing import TERMINAL, statuses, upload
from bench.stack import Gunicorn
from documents.models import Document
from tests.support.polling import wait_until

KINDS = (".pdf", ".txt")
WARM_UP_BYTES = 20_000
SEED = 50


def measure(
    app: Gunicorn,
    database_app: Any,
    cookie: str,
    storage: tuple[str, str, int],
    directory: Path,
    sizes: tuple[int, ...],
) -> dict[str, Any]:
    """Peak RSS growth for each type at each of `sizes` (bytes of file), and the fit of growth to text per type.

    `app` must run one worker; `storage` is the S3 endpoint, the bucket and the user's id.
    """
    assert app.workers == 1, "one worker, so the document goes to the worker that was measured"
    s3_endpoint, bucket, user_id = storage
    rows: list[dict[str, Any]] = []
    for kind in KINDS:
        warm_up = _document(directory, kind, WARM_UP_BYTES)
        for size in sizes:
            document = _document(directory, kind, size)
            prefix = f"memory-{len(rows)}"
            upload(s3_endpoint, bucket, user_id, prefix, [warm_up, document])
            app.restart_workers()
            first = peak_rss(app, database_app, cookie, f"{prefix}/{warm_up.name}")
            row = peak_rss(app, database_app, cookie, f"{prefix}/{document.name}")
            rows.append({**row, "first document: growth MB": first["growth MB"]})
            print(rows[-1])
    return {"memory": rows, "memory_fit": [_fit(kind, rows) for kind in KINDS]}


def _document(directory: Path, kind: str, size: int) -> CorpusDocument:
    path = directory / f"big-{size}{kind}"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(make_document(kind, size, SEED))
    return CorpusDocument(name=path.name, path=path, size=path.stat().st_size)


def peak_rss(app: Gunicorn, database_app: Any, cookie: str, name: str) -> dict[str, Any]:
    """Reset each worker's peak RSS, process the document, read the peaks back (VmHWM, Linux)."""
    workers = app.worker_pids()
    before = {pid: psutil.Process(pid).memory_info().rss for pid in workers}
    for pid in workers:
        Path(f"/proc/{pid}/clear_refs").write_text("5")  # resets VmHWM to the current RSS
    with httpx.Client(base_url=app.url, headers={"Cookie": cookie}, timeout=60) as client:
        response = client.post("/api/route", json={"documentName": name})
        assert response.status_code in (200, 202), response.text

    def done() -> Document | None:
        row = statuses(database_app, [name]).get(name)
        return row if row is not None and row.status in TERMINAL else None

    row = wait_until(done, f"{name} to be processed", timeout=1800, interval=0.5)
    peaks = {pid: _vm_hwm(pid) for pid in workers}
    worker = max(peaks, key=lambda pid: peaks[pid] - before[pid])
    # text_chars counts characters (Python's len of each block's text), not bytes: for this ASCII corpus
    # the two are the same, and "growth / text" is bytes of RSS per character.
    characters = (row.text_chars or 0) / 1e6
    base_mb = before[worker] / 1e6
    peak_mb = peaks[worker] / 1e6
    return {
        "document": name.rsplit("/", 1)[-1],
        "status": row.status,
        "file MB": round((row.size_bytes or 0) / 1e6, 1),
        "text M chars": round(characters, 2),
        "RSS before MB": round(base_mb, 1),
        "peak RSS MB": round(peak_mb, 1),
        "growth MB": round(peak_mb - base_mb, 1),
        "growth / text": round((peak_mb - base_mb) / characters, 2) if characters else None,
        "error": row.error or "",
    }


def _fit(kind: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The line through the smallest and the largest document of `kind`: growth = per_char * text + fixed."""
    mine = sorted((row for row in rows if row["document"].endswith(kind)), key=lambda row: row["text M chars"])
    small, large = mine[0], mine[-1]
    per_char = (large["growth MB"] - small["growth MB"]) / (large["text M chars"] - small["text M chars"])
    return {
        "type": kind,
        "text M chars": f"{small['text M chars']} → {large['text M chars']}",
        "growth MB": f"{small['growth MB']} → {large['growth MB']}",
        "growth per char (bytes)": round(per_char, 2),
        "fixed MB": round(large["growth MB"] - per_char * large["text M chars"], 1),
    }


def _vm_hwm(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmHWM for {pid}")
