"""`python -m bench.chunking` still works: its tiny configuration measures every row in seconds.
Not a measurement: nothing about the timings is asserted, only that every figure is there."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support.inngest_server import REPOSITORY


def test_quick_chunking_bench_reports_both_chunkers_on_both_shapes_of_text(tmp_path: Path) -> None:
    finished = subprocess.run(
        [sys.executable, "-m", "bench.chunking", "--quick", "--results", str(tmp_path)],
        cwd=REPOSITORY, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert finished.returncode == 0, finished.stderr[-2000:]
    results = json.loads((tmp_path / "chunking-quick.json").read_text())
    measured = {(row["chunker"], row["text"]) for row in results["chunking"]}
    assert measured == {
        (chunker, text)
        for chunker in ("splitter alone (before)", "chunk_blocks (after)")
        for text in ("paragraphs", "one line")
    }
    assert all(row["chunks"] > 0 and row["s/MB"] > 0 for row in results["chunking"])
    assert {row["text"] for row in results["chunking_memory"]} == {"paragraphs", "one line"}
