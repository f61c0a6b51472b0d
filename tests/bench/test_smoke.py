"""`make bench` still works: its tiny configuration (`--quick`) runs the accept section end to end in seconds.

Not a measurement (no timing is asserted): it proves the load generator, the peers, the
real Inngest server's event count and the chart all still run. Needs the bench's own
virtualenv and vegeta, which `make test` builds (`make bench-setup`).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.support.inngest_server import REPOSITORY, server_binary

BENCH_PYTHON = REPOSITORY / ".venv-bench" / "bin" / "python"
VEGETA = REPOSITORY / "bench" / ".bin" / "vegeta"


@pytest.fixture
def bench_ready() -> None:
    missing = [str(path) for path in (BENCH_PYTHON, VEGETA) if not path.exists()]
    if missing and os.environ.get("CI") == "true":
        pytest.fail(f"the bench is not set up ({', '.join(missing)}): run `make bench-setup`", pytrace=False)
    if missing:
        pytest.skip(f"the bench is not set up ({', '.join(missing)}): run `make bench-setup`")


@pytest.mark.usefixtures("bench_ready")
def test_quick_bench_measures_every_system_and_loses_no_event(tmp_path: Path) -> None:
    environment = {**os.environ, "INNGEST_DEV_SERVER_BIN": server_binary()}
    finished = subprocess.run(
        [str(BENCH_PYTHON), "-m", "bench.run", "--quick", "--sections", "accept,peers", "--results", str(tmp_path)],
        cwd=REPOSITORY,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    results = json.loads((tmp_path / "results.json").read_text())
    steps = results["accept"]["steps"]
    assert {step["label"] for step in steps} == {"inngest", "me", "celery", "rq"}
    assert all(step["sent"] > 0 and step["errors"] == 0 for step in steps), steps
    assert results["accept"]["events"]["lost"] == 0
    assert results["accept"]["events"]["received by the server"] == results["accept"]["events"]["outbox rows"]
    assert (tmp_path / "accept-latency.png").stat().st_size > 0
    assert "POST p50 / (me p50 + send p50)" in finished.stdout
