"""`python -m bench.reader_speed` still works: its tiny configuration times every reader and its baseline on a
generated file of each format in seconds. Not a measurement: nothing about the timings is asserted, only that
every figure is there."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.reader_speed import BASELINES
from tests.support.inngest_server import REPOSITORY


def test_quick_reader_speed_bench_reports_every_format_against_its_baseline(tmp_path: Path) -> None:
    finished = subprocess.run(
        [sys.executable, "-m", "bench.reader_speed", "--quick", "--results", str(tmp_path)],
        cwd=REPOSITORY, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert finished.returncode == 0, finished.stderr[-2000:]
    rows = json.loads((tmp_path / "reader-speed-quick.json").read_text())["reader_speed"]
    assert sorted(row["format"] for row in rows) == sorted(BASELINES)
    assert all(row["text chars"] > 0 and row["ours MB/s"] > 0 and row["ours / baseline"] > 0 for row in rows), rows
