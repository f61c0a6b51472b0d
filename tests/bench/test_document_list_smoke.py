"""`python -m bench.document_list` still works: its tiny configuration runs on SQLite and PostgreSQL in seconds.
Not a measurement: nothing about the timings is asserted, only that every figure is there."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support.inngest_server import REPOSITORY

FIGURES = ["first_page", "middle_page", "failed_filter", "folder", "poll_no_change", "whole_list"]


def test_quick_list_bench_reports_every_figure_on_both_databases(tmp_path: Path) -> None:
    finished = subprocess.run(
        [sys.executable, "-m", "bench.document_list", "--quick", "--results", str(tmp_path)],
        cwd=REPOSITORY, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert finished.returncode == 0, finished.stderr[-2000:]
    rows = json.loads((tmp_path / "document-list-quick.json").read_text())
    assert [row["database"] for row in rows] == ["sqlite", "postgresql"]
    for row in rows:
        assert row["documents"] == 500
        for figure in FIGURES:
            assert 0 < row[figure]["p50_ms"] <= row[figure]["p99_ms"], figure
        assert row["first_page"]["body_kb"] < row["whole_list"]["body_kb"]
