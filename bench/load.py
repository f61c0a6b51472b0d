"""Open-model load with vegeta: a constant arrival rate, whatever the server's latency.

vegeta sends request i at start + i/rate and starts another worker whenever every
worker is busy, so a slow answer never delays the next send (no coordinated omission).
Each result carries its send timestamp and latency; we read them all back (`vegeta encode`).
"""

from __future__ import annotations

import base64
import csv
import json
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parent
VEGETA = BENCH / ".bin" / "vegeta"


@dataclass(frozen=True)
class Step:
    """One constant rate held for `duration` seconds: what came back."""

    label: str
    rate: float
    duration: float
    sent: int
    ok: int
    codes: dict[int, int]
    latencies_ms: list[float]  # of the successful requests
    throughput: float  # successful answers per second, first send to last answer

    def percentile(self, p: float) -> float:
        return float(np.percentile(self.latencies_ms, p)) if self.latencies_ms else float("nan")

    @property
    def errors(self) -> int:
        return self.sent - self.ok

    def row(self) -> dict[str, float | str | int]:
        return {
            "label": self.label,
            "rate": self.rate,
            "sent": self.sent,
            "ok": self.ok,
            "errors": self.errors,
            "throughput": round(self.throughput, 1),
            "p50": round(self.percentile(50), 2),
            "p99": round(self.percentile(99), 2),
            "p999": round(self.percentile(99.9), 2),
        }


def post_targets(url: str, cookie: str, count: int, prefix: str) -> list[dict[str, object]]:
    """`count` authenticated POST /api/route, each for a new document name (a new document row each time)."""
    targets: list[dict[str, object]] = []
    for index in range(count):
        body = json.dumps({"documentName": f"{prefix}/{index}-{uuid.uuid4().hex[:8]}.txt"}).encode()
        targets.append(
            {
                "method": "POST",
                "url": url,
                "body": base64.b64encode(body).decode(),
                "header": {"Cookie": [cookie], "Content-Type": ["application/json"]},
            }
        )
    return targets


def get_targets(url: str, cookie: str) -> list[dict[str, object]]:
    target: dict[str, object] = {"method": "GET", "url": url, "header": {"Cookie": [cookie]}}
    return [target]


def attack(
    label: str, targets: list[dict[str, object]], rate: float, duration: float, work: Path, ok_codes: set[int]
) -> Step:
    """Send `targets` (cycled) at `rate` per second for `duration` seconds."""
    work.mkdir(parents=True, exist_ok=True)
    name = f"{label}-{rate:g}".replace("/", "_")
    targets_file = work / f"{name}.targets"
    targets_file.write_text("\n".join(json.dumps(target) for target in targets) + "\n")
    results_file = work / f"{name}.bin"
    subprocess.run(
        [
            str(VEGETA),
            "attack",
            "-format=json",
            f"-targets={targets_file}",
            f"-rate={rate:g}/s",
            f"-duration={duration:g}s",
            "-timeout=30s",
            f"-output={results_file}",
        ],
        check=True,
    )
    encoded = subprocess.run(
        [str(VEGETA), "encode", "--to=csv", str(results_file)], check=True, capture_output=True, text=True
    ).stdout
    return _step(label, rate, duration, encoded, ok_codes)


def _step(label: str, rate: float, duration: float, encoded: str, ok_codes: set[int]) -> Step:
    codes: dict[int, int] = {}
    latencies = []
    first_send = None
    last_answer = 0
    for row in csv.reader(encoded.splitlines()):
        # timestamp (ns since the epoch), code, latency (ns), bytes out, bytes in, error, body, ...
        sent_at, code, latency = int(row[0]), int(row[1]), int(row[2])
        codes[code] = codes.get(code, 0) + 1
        first_send = sent_at if first_send is None else min(first_send, sent_at)
        if code in ok_codes:
            latencies.append(latency / 1e6)
            last_answer = max(last_answer, sent_at + latency)
    ok = len(latencies)
    span = (last_answer - first_send) / 1e9 if ok and first_send is not None else 0
    return Step(
        label=label,
        rate=rate,
        duration=duration,
        sent=sum(codes.values()),
        ok=ok,
        codes=codes,
        latencies_ms=latencies,
        throughput=ok / span if span else 0.0,
    )


def past_the_knee(step: Step) -> bool:
    """The server no longer keeps up: errors, or answers falling behind the arrival rate."""
    return step.errors > step.sent * 0.01 or step.throughput < step.rate * 0.9 or step.percentile(99) > 2000
