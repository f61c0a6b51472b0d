"""Worst-case searches at once: can one account's searches still stall the app for everyone?

The app under gunicorn as `make run` starts it (2 workers, 4 threads each) on a SQLite file: a heavy user
with many chunks sends the costliest searches it can, from 8 clients at once, while a probe asks
/healthz and a second user searches a rare word of their own. The heavy user's rate limit is lifted,
so what bounds the damage is the time budget per query and the per-user index, not the throttle.

.venv/bin/python -m bench.search_concurrency              # 30 k chunks, 30 s of load
.venv/bin/python -m bench.search_concurrency --quick      # 2 k chunks, 5 s
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from bench.search import fill_user
from tests.conftest import PASSWORD, build_app, create_user
from tests.support.app_server import app_server

RESULTS = Path(__file__).resolve().parent / "results"
# Five of the corpus's most common words: each matches most chunks, together they pass the time budget.
WORST_QUERY = "w0 w1 w2 w3 w4 " * 10
RARE_WORD = "zanzibarquux"
CLIENTS = 8


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def signed_in(url: str, email: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=60)
    answer = client.post("/auth/login", json={"email": email, "password": PASSWORD})
    answer.raise_for_status()
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    arguments = parser.parse_args()
    chunks, seconds = (2_000, 5.0) if arguments.quick else (30_000, 30.0)
    generator = random.Random(7)  # noqa: S311 - test data, not security

    with tempfile.TemporaryDirectory(prefix="search-concurrency-") as directory:
        settings = {
            "INNGEST_DEV": True,
            "SECRET_KEY": "bench",
            "DATABASE_URL": f"sqlite:///{Path(directory) / 'app.db'}",
            "OUTBOX_RELAY_ENABLED": False,
            # Lifted for everyone, so that the heavy user's searches all run: the worst case.
            "SEARCH_RATE_LIMIT": "100000 per second",
        }
        app = build_app(settings)
        create_user(app, "heavy@example.com")
        create_user(app, "other@example.com")
        started = time.monotonic()
        fill_user(app, "heavy@example.com", chunks, generator)
        fill_user(app, "other@example.com", 1_000, generator, extra_word=RARE_WORD)
        print(f"filled {chunks} + 1000 chunks in {time.monotonic() - started:.0f} s", flush=True)

        with app_server(settings, workers=2, threads=4) as server:
            result = measure(server.url, seconds)
    result.update(chunks=chunks, seconds=seconds, clients=CLIENTS, query=WORST_QUERY.strip()[:20] + "…")
    print(json.dumps(result, indent=2))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "search-concurrency.json").write_text(json.dumps(result, indent=2) + "\n")


def measure(url: str, seconds: float) -> dict[str, Any]:
    stop = threading.Event()
    heavy_statuses: list[int] = []
    heavy_times: list[float] = []
    health_times: list[float] = []
    other_times: list[float] = []
    other_failures: list[int] = []
    lock = threading.Lock()

    def heavy() -> None:
        client = signed_in(url, "heavy@example.com")
        while not stop.is_set():
            began = time.monotonic()
            status = client.get("/api/search", params={"q": WORST_QUERY}).status_code
            with lock:
                heavy_statuses.append(status)
                heavy_times.append(time.monotonic() - began)

    def probe(path: str, client: httpx.Client, times: list[float], pause: float) -> None:
        while not stop.is_set():
            began = time.monotonic()
            status = client.get(path).status_code
            times.append(time.monotonic() - began)
            if status != 200:
                other_failures.append(status)
            time.sleep(pause)

    quiet = signed_in(url, "other@example.com")
    baseline_health = [timed(lambda: httpx.get(f"{url}/healthz")) for _ in range(50)]
    baseline_other = [timed(lambda: quiet.get("/api/search", params={"q": RARE_WORD})) for _ in range(50)]

    threads = [threading.Thread(target=heavy) for _ in range(CLIENTS)]
    threads.append(threading.Thread(target=probe, args=("/healthz", httpx.Client(base_url=url), health_times, 0.05)))
    threads.append(threading.Thread(target=probe, args=(f"/api/search?q={RARE_WORD}", quiet, other_times, 0.1)))
    for thread in threads:
        thread.start()
    time.sleep(seconds)  # the length of the load, not a wait for anything
    stop.set()
    for thread in threads:
        thread.join(120)

    def summary(values: list[float]) -> dict[str, float]:
        return {
            "count": len(values),
            "p50_ms": round(statistics.median(values) * 1000, 1),
            "p99_ms": round(percentile(values, 0.99) * 1000, 1),
        }

    return {
        "healthz_alone": summary(baseline_health),
        "other_user_search_alone": summary(baseline_other),
        "healthz_under_load": summary(health_times),
        "other_user_search_under_load": summary(other_times),
        "other_user_failures": other_failures,
        "heavy_searches": summary(heavy_times),
        "heavy_statuses": {str(status): heavy_statuses.count(status) for status in sorted(set(heavy_statuses))},
    }


def timed(call: Any) -> float:
    began = time.monotonic()
    call()
    return time.monotonic() - began


if __name__ == "__main__":
    main()
