"""Chunking alone, seconds per MB: one-line text against the same text in paragraphs, 1 to 50 MB; the splitter
given the whole text (how a run chunked before) against chunk_blocks given blocks.

.venv/bin/python -m bench.chunking            # the full run (a few minutes)
.venv/bin/python -m bench.chunking --quick    # a tiny run that proves it works
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from semantic_text_splitter import TextSplitter

from bench.corpus import WORDS
from processing.blocks import Block
from processing.chunking import chunk_blocks

RESULTS = Path(__file__).resolve().parent / "results"
CHUNK_SIZE, CHUNK_OVERLAP = 1000, 100  # the defaults of the settings
SIZES_MB = (1.0, 10.0, 50.0)
# The splitter alone is quadratic on one-line text (1.2 MB takes seconds, 50 MB would take hours): capped.
SPLITTER_ONE_LINE_MB = (0.3, 1.2)
SENTENCES_PER_PARAGRAPH = 5


def paragraphs(megabytes: float) -> list[str]:
    """Paragraphs of five sentences of twelve words, about `megabytes` in all, as the bench corpus writes them:
    in lower case, so Unicode sees no sentence end in them and the splitter alone falls back to words.

    A megabyte of them is made and repeated: the splitter's time depends on the shape of the text, not its words.
    """
    generator = random.Random(20)  # noqa: S311 - test data, not security
    unit: list[str] = []
    written = 0
    while written < min(megabytes, 1.0) * 1_000_000:
        sentences = [" ".join(generator.choice(WORDS) for _ in range(12)) + "." for _ in range(SENTENCES_PER_PARAGRAPH)]
        unit.append(" ".join(sentences))
        written += len(unit[-1]) + 2
    return unit * max(round(megabytes), 1)


def timed(chunk: Callable[[], int]) -> tuple[float, int]:
    started = time.perf_counter()
    count = chunk()
    return time.perf_counter() - started, count


def row(chunker: str, text: str, megabytes: float, seconds: float, chunks: int) -> dict[str, Any]:
    return {
        "chunker": chunker,
        "text": text,
        "MB": round(megabytes, 2),
        "seconds": round(seconds, 3),
        "s/MB": round(seconds / megabytes, 4),
        "chunks": chunks,
    }


def splitter_alone(text: str) -> int:
    """How a run chunked plain text before blocks: the splitter on the whole text, as `split_text` called it."""
    return len(TextSplitter(CHUNK_SIZE, overlap=CHUNK_OVERLAP, trim=True).chunks(text))


def blocks_chunked(blocks: list[Block]) -> int:
    return sum(1 for _ in chunk_blocks(blocks, chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP))


def measure(sizes: tuple[float, ...], splitter_one_line: tuple[float, ...]) -> list[dict[str, Any]]:
    rows = []
    for megabytes in sizes:
        parts = paragraphs(megabytes)
        one_line = " ".join(parts)
        size = len(one_line) / 1e6
        seconds, count = timed(lambda: splitter_alone("\n\n".join(parts)))  # noqa: B023 - called at once
        rows.append(row("splitter alone (before)", "paragraphs", size, seconds, count))
        seconds, count = timed(lambda: blocks_chunked([Block(part) for part in parts]))  # noqa: B023
        rows.append(row("chunk_blocks (after)", "paragraphs", size, seconds, count))
        seconds, count = timed(lambda: blocks_chunked([Block(one_line)]))  # noqa: B023
        rows.append(row("chunk_blocks (after)", "one line", size, seconds, count))
        print(rows[-3:])
    for megabytes in splitter_one_line:
        made = paragraphs(math.ceil(megabytes) if megabytes > 1 else megabytes)
        one_line = " ".join(made)[: int(megabytes * 1_000_000)]
        seconds, count = timed(lambda: splitter_alone(one_line))  # noqa: B023
        rows.append(row("splitter alone (before)", "one line", len(one_line) / 1e6, seconds, count))
        print(rows[-1])
    return rows


def peak_memory(megabytes: float) -> list[dict[str, Any]]:
    """Python's peak allocations while chunk_blocks runs over text already in memory, each chunk dropped as made:
    what chunking itself holds (the splitter's own buffers, in Rust, are not traced, and are a window long)."""
    parts = paragraphs(megabytes)
    rows = []
    for text, blocks in (("paragraphs", [Block(part) for part in parts]), ("one line", [Block(" ".join(parts))])):
        tracemalloc.start()
        blocks_chunked(blocks)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rows.append({"text": text, "MB": round(megabytes, 1), "peak traced MB while chunking": round(peak / 1e6, 2)})
        print(rows[-1])
    return rows


def run(quick: bool) -> dict[str, Any]:
    return {
        "chunking": measure((0.05, 0.1) if quick else SIZES_MB, (0.02, 0.05) if quick else SPLITTER_ONE_LINE_MB),
        "chunking_memory": peak_memory(0.1 if quick else 10.0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a tiny configuration: proves the bench works")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where chunking.json goes")
    arguments = parser.parse_args()
    results = run(arguments.quick)
    arguments.results.mkdir(parents=True, exist_ok=True)
    name = "chunking-quick.json" if arguments.quick else "chunking.json"
    (arguments.results / name).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
