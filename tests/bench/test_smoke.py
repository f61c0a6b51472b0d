"""`make bench` still works: its tiny configuration (`--quick`) runs the accept section, both PDF sections
(our reader against pdftotext, and a real PDF end to end) in one run of about a minute.

Not a measurement (no timing is asserted): it proves the load generator, the peers, the
real Inngest server's event count, the chart and pdftotext's baselines all still run. Needs the bench's own
virtualenv and vegeta, which `make test` builds (`make bench-setup`).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.support.inngest_server import REPOSITORY, server_binary

BENCH_PYTHON = REPOSITORY / ".venv-bench" / "bin" / "python"
VEGETA = REPOSITORY / "bench" / ".bin" / "vegeta"


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str, Path]:
    """One quick run of the sections these tests read: its results, what it printed, where its charts are."""
    missing = [str(path) for path in (BENCH_PYTHON, VEGETA) if not path.exists()]
    if missing and os.environ.get("CI") == "true":
        pytest.fail(f"the bench is not set up ({', '.join(missing)}): run `make bench-setup`", pytrace=False)
    if missing:
        pytest.skip(f"the bench is not set up ({', '.join(missing)}): run `make bench-setup`")
    results_directory = tmp_path_factory.mktemp("bench")
    environment = {**os.environ, "INNGEST_DEV_SERVER_BIN": server_binary()}
    sections = "pdf-speed,accept,peers,latency-pdf"
    finished = subprocess.run(
        [str(BENCH_PYTHON), "-m", "bench.run", "--quick", "--sections", sections, "--results", str(results_directory)],
        cwd=REPOSITORY,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    return json.loads((results_directory / "results.json").read_text()), finished.stdout, results_directory


def test_quick_bench_measures_every_system_and_loses_no_event(quick_run: tuple[dict[str, Any], str, Path]) -> None:
    results, printed, results_directory = quick_run
    steps = results["accept"]["steps"]
    assert {step["label"] for step in steps} == {"inngest", "me", "celery", "rq"}
    assert all(step["sent"] > 0 and step["errors"] == 0 for step in steps), steps
    assert results["accept"]["events"]["lost"] == 0
    assert results["accept"]["events"]["received by the server"] == results["accept"]["events"]["outbox rows"]
    assert (results_directory / "accept-latency.png").stat().st_size > 0
    assert "POST p50 / (me p50 + send p50)" in printed


def test_quick_bench_times_our_pdf_reader_against_pdftotext_on_each_file(
    quick_run: tuple[dict[str, Any], str, Path],
) -> None:
    results, _, _ = quick_run
    rows = results["pdf_speed"]
    assert {row["source"] for row in rows} == {"corpus", "generated"}
    assert all(row["text chars"] > 0 and row["ours / pdftotext"] > 0 for row in rows), rows
    assert [row["files"] for row in results["pdf_speed_overall"]] == ["corpus", "generated", "all"]


def test_quick_bench_takes_a_real_pdf_end_to_end_against_pdftotext(
    quick_run: tuple[dict[str, Any], str, Path],
) -> None:
    results, _, _ = quick_run
    measured = results["latency_pdf"]
    assert measured["failed"] == 0, measured["first failure"]
    assert measured["chunks"] > 0, measured
    assert measured["end to end / pdftotext"] > 0, measured
