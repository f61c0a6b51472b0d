"""Each reader's MB/s on a generated file of its format, beside a baseline run alternately on the same file.

Ours is `read_blocks` as a run calls it (content sniffing, then every block consumed). The baseline is an
independent tool where one exists (poppler's `pdftotext` for PDF; lxml parsing every XML part of a zip-based
package; lxml.html for HTML), else the least any reader of the format must do (Python's email parser and
the body's decoding for .eml, striprtf alone for .rtf, csv.reader for .csv, decoding and splitting lines
for .txt and .md). A plain read of the file's bytes is given too, the floor under both, and the time content
sniffing alone takes (a part of ours).

.venv-bench/bin/python -m bench.reader_speed            # about 1 MB of text per format, 5 repetitions
.venv-bench/bin/python -m bench.reader_speed --quick    # 50 KB per format once: proves it works
"""

from __future__ import annotations

import argparse
import csv
import email
import gc
import json
import statistics
import subprocess
import time
import zipfile
from collections.abc import Callable
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import lxml.html
from lxml import etree
from striprtf.striprtf import rtf_to_text

from bench.formats import make_format_files
from bench.pdf_speed import pdftotext_binary
from documents.types import MEDIA_TYPES
from processing.readers import read_blocks
from processing.sniffing import check_content

RESULTS = Path(__file__).resolve().parent / "results"
CORPUS = Path(__file__).resolve().parent / ".corpus" / "formats"  # generated once, git-ignored
REPETITIONS = 5
CHARACTERS = 1_000_000
QUICK_CHARACTERS = 50_000
SETTLE_BYTES = 1 << 20
XML_PARTS = (".xml", ".xhtml", ".html", ".opf", ".ncx")


def ours(path: Path) -> int:
    """Our extraction as a run does it: every block of the file; the characters read."""
    return sum(len(block.text) for block in read_blocks(path, path.suffix))


def plain_read(path: Path) -> int:
    return len(path.read_bytes())


def sniff(path: Path) -> int:
    """Content sniffing alone, the part of ours that comes before the reader."""
    check_content(path, MEDIA_TYPES[path.suffix][0])
    return 0


def package_xml(path: Path) -> int:
    """Every XML part of the zip parsed by lxml and its text collected: what any reader of the format does."""
    characters = 0
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.endswith(XML_PARTS):
                root = etree.fromstring(archive.read(name), etree.XMLParser(huge_tree=True))
                characters += sum(len(text) for text in root.itertext())
    return characters


def html_text(path: Path) -> int:
    return len(lxml.html.fromstring(path.read_bytes()).text_content())


def email_body(path: Path) -> int:
    with path.open("rb") as file:
        message = email.message_from_binary_file(file, _class=EmailMessage, policy=policy.default)
    body = message.get_body(preferencelist=("plain", "html"))
    return len(str(body.get_content())) if body is not None else 0


def rtf_text(path: Path) -> int:
    return len(rtf_to_text(path.read_bytes().decode("cp1252", "replace")))


def csv_rows(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as file:
        return sum(len(cell) for row in csv.reader(file) for cell in row)


def decoded_lines(path: Path) -> int:
    return sum(len(line) for line in path.read_bytes().decode("utf-8").splitlines())


def pdftotext(path: Path) -> int:
    finished = subprocess.run(
        [pdftotext_binary(), "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, timeout=600
    )
    return len(finished.stdout)


# Each format's baseline: its name in the table, and the function that runs it.
BASELINES: dict[str, tuple[str, Callable[[Path], int]]] = {
    ".pdf": ("pdftotext (poppler)", pdftotext),
    ".docx": ("lxml over the zip's XML", package_xml),
    ".pptx": ("lxml over the zip's XML", package_xml),
    ".xlsx": ("lxml over the zip's XML", package_xml),
    ".odt": ("lxml over the zip's XML", package_xml),
    ".ods": ("lxml over the zip's XML", package_xml),
    ".odp": ("lxml over the zip's XML", package_xml),
    ".epub": ("lxml over the zip's XML", package_xml),
    ".html": ("lxml.html text_content", html_text),
    ".eml": ("email parser + body", email_body),
    ".rtf": ("striprtf alone", rtf_text),
    ".csv": ("csv.reader", csv_rows),
    ".txt": ("decode + splitlines", decoded_lines),
    ".md": ("decode + splitlines", decoded_lines),
}
TOOLS: dict[str, Callable[[Path], int]] = {"ours": ours, "read": plain_read, "sniff": sniff}


def measure(quick: bool) -> dict[str, Any]:
    files = make_format_files(CORPUS, QUICK_CHARACTERS if quick else CHARACTERS)
    repetitions = 1 if quick else REPETITIONS
    ours(files[".pdf"])  # PDFium's and libmagic's start-up, once per process, is no file's cost
    timings: dict[str, dict[str, list[float]]] = {
        kind: {"ours": [], "baseline": [], "read": [], "sniff": []} for kind in files
    }
    characters: dict[str, int] = {}
    for repetition in range(repetitions):
        for index, (kind, path) in enumerate(files.items()):
            # Ours and the baseline take turns going first: the machine's load falls on both alike.
            first_two = ("ours", "baseline") if (repetition + index) % 2 == 0 else ("baseline", "ours")
            for tool in (*first_two, "read", "sniff"):
                run = BASELINES[kind][1] if tool == "baseline" else TOOLS[tool]
                _settle()
                started = time.perf_counter()
                counted = run(path)
                timings[kind][tool].append(time.perf_counter() - started)
                if tool == "ours":
                    characters[kind] = counted
        print(f"reader speed: repetition {repetition + 1} of {repetitions} done")
    rows = [_row(kind, path, characters[kind], timings[kind]) for kind, path in files.items()]
    return {"reader_speed": rows, "reader_speed_repetitions": repetitions}


def _settle() -> None:
    """Collect the garbage the previous tool left and let the allocator hand its freed memory back, untimed:
    after a reader that built a large tree, the next allocation otherwise pays about 80 ms for that."""
    gc.collect()
    bytes(SETTLE_BYTES)


def _row(kind: str, path: Path, characters: int, timing: dict[str, list[float]]) -> dict[str, Any]:
    megabytes = path.stat().st_size / 1e6
    seconds = {tool: statistics.median(timing[tool]) for tool in timing}
    return {
        "format": kind,
        "MB": round(megabytes, 3),
        "text chars": characters,
        "ours s": round(seconds["ours"], 4),
        "ours MB/s": round(megabytes / seconds["ours"], 2),
        "ours text MB/s": round(characters / 1e6 / seconds["ours"], 2),
        "baseline": BASELINES[kind][0],
        "baseline MB/s": round(megabytes / seconds["baseline"], 2),
        "ours / baseline": round(seconds["ours"] / seconds["baseline"], 2),
        "plain read MB/s": round(megabytes / seconds["read"], 1),
        "sniff ms": round(seconds["sniff"] * 1000, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a tiny configuration: proves the bench works")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where reader-speed.json goes")
    arguments = parser.parse_args()
    results = measure(arguments.quick)
    arguments.results.mkdir(parents=True, exist_ok=True)
    name = "reader-speed-quick.json" if arguments.quick else "reader-speed.json"
    (arguments.results / name).write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results["reader_speed"], indent=1))


if __name__ == "__main__":
    main()
