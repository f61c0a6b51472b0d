"""Latency to processed of a real multi-page PDF, through the Inngest server, against pdftotext on the same file.

Each run posts a new document holding the same PDF and waits for `processed`; between runs, in turn before
and after, pdftotext reads the file and our reader reads it in this process (what the run's extraction
alone costs), so the three are measured under the same load.
"""

from __future__ import annotations

import statistics
import time
from functools import partial
from pathlib import Path
from typing import Any

import httpx

from bench.pdf_speed import ours, pdftotext_binary, poppler
from bench.processing import TERMINAL, statuses
from bench.stack import Gunicorn
from tests.support.polling import wait_until


def against_pdftotext(database_app: Any, app: Gunicorn, cookie: str, names: list[str], path: Path) -> dict[str, Any]:
    """`names`: distinct documents already in S3, each a copy of the PDF at `path`."""
    binary = pdftotext_binary()
    end_to_end: list[float] = []
    poppler_seconds: list[float] = []
    ours_seconds: list[float] = []
    failed = []
    with httpx.Client(base_url=app.url, headers={"Cookie": cookie}, timeout=60) as client:
        for index, name in enumerate(names):
            if index % 2:
                _baselines(binary, path, poppler_seconds, ours_seconds)
            started = time.perf_counter()
            response = client.post("/api/route", json={"documentName": name})
            assert response.status_code in (200, 202), response.text
            wait_until(partial(_terminal, database_app, name), f"{name} processed", timeout=600, interval=0.005)
            end_to_end.append(time.perf_counter() - started)
            row = statuses(database_app, [name])[name]
            if row.status != "processed":
                failed.append(f"{name}: {row.status} {row.error}")
            if not index % 2:
                _baselines(binary, path, poppler_seconds, ours_seconds)
            time.sleep(0.2)
    end_to_end_p50 = statistics.median(end_to_end)
    poppler_p50 = statistics.median(poppler_seconds)
    # Each run against the pdftotext timed right beside it.
    paired = [run / baseline for run, baseline in zip(end_to_end, poppler_seconds, strict=True)]
    return {
        "document": path.name,
        "MB": round(path.stat().st_size / 1e6, 2),
        "chunks": row.chunk_count,
        "text chars": row.text_chars,
        "runs": len(names),
        "end to end p50 s": round(end_to_end_p50, 3),
        "end to end min-max s": f"{min(end_to_end):.2f}-{max(end_to_end):.2f}",
        "pdftotext p50 s": round(poppler_p50, 3),
        "our reader alone p50 s": round(statistics.median(ours_seconds), 3),
        "end to end / pdftotext": round(end_to_end_p50 / poppler_p50, 2),
        "per run: min-max": f"{min(paired):.2f}-{max(paired):.2f}",
        "failed": len(failed),
        "first failure": failed[0][:120] if failed else "",
    }


def _baselines(binary: str, path: Path, poppler_seconds: list[float], ours_seconds: list[float]) -> None:
    """pdftotext on the file, then our reader alone in this process, each timed."""
    started = time.perf_counter()
    poppler(binary, path)
    poppler_seconds.append(time.perf_counter() - started)
    started = time.perf_counter()
    ours(path)
    ours_seconds.append(time.perf_counter() - started)


def _terminal(database_app: Any, name: str) -> bool:
    row = statuses(database_app, [name]).get(name)
    return row is not None and row.status in TERMINAL
