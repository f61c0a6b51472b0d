"""PDF extraction against poppler's pdftotext on the same files: our reader (`read_blocks`, every block
consumed, in this process) and `pdftotext` (a process per file, its text to a pipe) run alternately, the
median of several repetitions per file, and the ratio of the two.

.venv-bench/bin/python -m bench.pdf_speed            # the corpus PDFs and the generated ones (a few minutes)
.venv-bench/bin/python -m bench.pdf_speed --quick    # three small files once: proves it works
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import time
from pathlib import Path
from typing import Any

import pypdfium2

from bench.corpus import make_corpus
from processing.readers import read_blocks
from tests.processing.conftest import PDFS
from tests.processing.test_pdf_corpus import TEXT_PDFS

RESULTS = Path(__file__).resolve().parent / "results"
CORPUS = Path(__file__).resolve().parent / ".corpus"  # generated once, git-ignored
REPETITIONS = 5
QUICK_FILES = ("pdflatex-4-pages.pdf", "multicolumn.pdf")


def pdftotext_binary() -> str:
    found = shutil.which("pdftotext") or ("/usr/bin/pdftotext" if Path("/usr/bin/pdftotext").exists() else None)
    if not found:
        raise RuntimeError("pdftotext is missing: install Debian's poppler-utils")
    return found


def ours(path: Path) -> int:
    """Our extraction as a run does it: every block of the file; the characters read."""
    return sum(len(block.text) for block in read_blocks(path, ".pdf"))


def poppler(binary: str, path: Path) -> None:
    subprocess.run([binary, "-enc", "UTF-8", str(path), "-"], stdout=subprocess.DEVNULL, check=True, timeout=600)


def files(quick: bool) -> list[tuple[str, Path]]:
    """(where it comes from, path): the corpus PDFs with text, then the generated corpus's PDFs (fpdf2)."""
    real = [PDFS / name for name in sorted(TEXT_PDFS) if not quick or name in QUICK_FILES]
    # The same generated corpus as the processing section's, so its PDFs are made (and cached) once.
    generated = make_corpus(CORPUS / "main", 5 if quick else 100, 10_000, 100_000 if quick else 5_000_000)
    return [("corpus", path) for path in real] + [
        ("generated", document.path) for document in generated if document.path.suffix == ".pdf"
    ]


def measure(quick: bool) -> dict[str, Any]:
    binary = pdftotext_binary()
    measured = files(quick)
    repetitions = 1 if quick else REPETITIONS
    ours(measured[0][1])  # PDFium's own start-up, once per process, is no file's cost
    timings: dict[Path, dict[str, list[float]]] = {path: {"ours": [], "pdftotext": []} for _, path in measured}
    characters: dict[Path, int] = {}
    for repetition in range(repetitions):
        for index, (_, path) in enumerate(measured):
            # Each goes first in turn: whatever the machine's load does to one does it to the other too.
            order = ("ours", "pdftotext") if (repetition + index) % 2 == 0 else ("pdftotext", "ours")
            for tool in order:
                started = time.perf_counter()
                if tool == "ours":
                    characters[path] = ours(path)
                else:
                    poppler(binary, path)
                timings[path][tool].append(time.perf_counter() - started)
        print(f"pdf speed: repetition {repetition + 1} of {repetitions} done")
    rows = [_row(source, path, characters[path], timings[path]) for source, path in measured]
    overall = [
        _overall(label, [(path, timings[path]) for source, path in measured if label in ("all", source)], repetitions)
        for label in ("corpus", "generated", "all")
    ]
    return {"pdf_speed": rows, "pdf_speed_overall": overall, "pdf_speed_repetitions": repetitions}


def _pages(path: Path) -> int:
    document = pypdfium2.PdfDocument(path)
    try:
        return len(document)
    finally:
        document.close()


def _row(source: str, path: Path, characters: int, timing: dict[str, list[float]]) -> dict[str, Any]:
    megabytes = path.stat().st_size / 1e6
    ours_seconds = statistics.median(timing["ours"])
    poppler_seconds = statistics.median(timing["pdftotext"])
    return {
        "file": path.name,
        "source": source,
        "pages": _pages(path),
        "MB": round(megabytes, 3),
        "text chars": characters,
        "ours s": round(ours_seconds, 4),
        "pdftotext s": round(poppler_seconds, 4),
        "ours MB/s": round(megabytes / ours_seconds, 2),
        "pdftotext MB/s": round(megabytes / poppler_seconds, 2),
        "ours / pdftotext": round(ours_seconds / poppler_seconds, 2),
    }


def _overall(label: str, timed: list[tuple[Path, dict[str, list[float]]]], repetitions: int) -> dict[str, Any]:
    """All the files as one: the sum of the medians, and the spread of the ratio from one repetition to the next."""
    megabytes = sum(path.stat().st_size for path, _ in timed) / 1e6
    ours_seconds = sum(statistics.median(timing["ours"]) for _, timing in timed)
    poppler_seconds = sum(statistics.median(timing["pdftotext"]) for _, timing in timed)
    per_repetition = [
        sum(timing["ours"][index] for _, timing in timed) / sum(timing["pdftotext"][index] for _, timing in timed)
        for index in range(repetitions)
    ]
    return {
        "files": label,
        "count": len(timed),
        "MB": round(megabytes, 2),
        "ours s": round(ours_seconds, 3),
        "pdftotext s": round(poppler_seconds, 3),
        "ours MB/s": round(megabytes / ours_seconds, 2),
        "pdftotext MB/s": round(megabytes / poppler_seconds, 2),
        "ours / pdftotext": round(ours_seconds / poppler_seconds, 2),
        "per repetition: min-max": f"{min(per_repetition):.2f}-{max(per_repetition):.2f}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a tiny configuration: proves the bench works")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where pdf-speed.json goes")
    arguments = parser.parse_args()
    results = measure(arguments.quick)
    arguments.results.mkdir(parents=True, exist_ok=True)
    name = "pdf-speed-quick.json" if arguments.quick else "pdf-speed.json"
    (arguments.results / name).write_text(json.dumps(results, indent=2) + "\n")
    for key in ("pdf_speed", "pdf_speed_overall"):
        print(json.dumps(results[key], indent=1))


if __name__ == "__main__":
    main()
