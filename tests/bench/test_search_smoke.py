"""`python -m bench.search` still works: its tiny configuration runs on SQLite and PostgreSQL in seconds.
Not a measurement: nothing about the timings is asserted, only that every figure is there."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support.inngest_server import REPOSITORY


def test_quick_search_bench_reports_every_figure_on_both_databases(tmp_path: Path) -> None:
    finished = subprocess.run(
        [sys.executable, "-m", "bench.search", "--quick", "--results", str(tmp_path)],
        cwd=REPOSITORY, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert finished.returncode == 0, finished.stderr[-2000:]
    rows = json.loads((tmp_path / "search-quick.json").read_text())
    assert [row["database"] for row in rows] == ["sqlite", "postgresql"]
    for row in rows:
        assert row["chunks"] == 500
        assert 0 < row["p50_ms"] <= row["p99_ms"]
        assert row["store_2000_chunks_s"] > 0
        assert row["index_mb"] > 0
