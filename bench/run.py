"""`make bench`: start everything on free ports, measure every section, print the table, write results and charts.

.venv-bench/bin/python -m bench.run            # the full run (about 15 minutes on 2 cores)
.venv-bench/bin/python -m bench.run --quick    # a few seconds' worth of each, to prove it works
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import psutil

from bench import accept, chunking, memory, ocr_speed, outage, pdf_latency, pdf_speed, processing, reader_speed, report
from bench.corpus import CorpusDocument, make_corpus
from bench.profile import profile_accept_path
from bench.stack import EMAIL, Gunicorn, app_settings, gunicorn, local_s3, prepare_database, redis_server
from tests.support.inngest_server import InngestServer, server_binary

RESULTS = Path(__file__).resolve().parent / "results"
CORPUS = Path(__file__).resolve().parent / ".corpus"  # generated once, git-ignored
# The corpus's biggest real PDF: 117 pages of pdfTeX with an outline.
GEOTOPO = Path(__file__).resolve().parent.parent / "tests" / "corpus" / "pdf" / "GeoTopo-komprimiert.pdf"
POOL = 2  # worker processes for the peers and in-process: as many as gunicorn's workers
BUCKET = "bench-documents"


def machine() -> dict[str, Any]:
    return {
        "cpu": platform.processor() or platform.machine(),
        "cores": psutil.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "system": platform.platform(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def save(directory: Path, results: dict[str, Any]) -> None:
    """After each section, so a run that fails late keeps what it measured."""
    (directory / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n")


def database_user_id(database_app: Any) -> int:
    from auth.models import User
    from extensions import db

    with database_app.app_context():
        return int(db.session.scalar(db.select(User.id).where(User.email == EMAIL)))


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a tiny configuration: proves the bench works")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where results.json and the charts go")
    parser.add_argument("--rates", help="comma-separated arrival rates of the ladder (requests/s)")
    parser.add_argument("--duration", type=float, help="seconds at each rate")
    parser.add_argument(
        "--memory-mb", type=float, default=50.0, help="size of the memory section's large documents (and a tenth)"
    )
    parser.add_argument(
        "--sections",
        default="chunking,pdf-speed,reader-speed,ocr-speed,accept,peers,latency,latency-pdf,processing,memory,scale,profile,outage",
    )
    return parser.parse_args()


def main() -> None:
    arguments = parse_arguments()
    # The local S3 logs every request, and httpx every send of the baseline: keep the table readable.
    for name in ("werkzeug", "httpx"):
        logging.getLogger(name).setLevel(logging.WARNING)
    sections = set(arguments.sections.split(","))
    quick = arguments.quick
    rates = [10.0] if quick else [25.0, 50.0, 100.0, 150.0, 200.0, 300.0]
    duration = 1.0 if quick else 10.0
    if arguments.rates:
        rates = [float(rate) for rate in arguments.rates.split(",")]
    duration = arguments.duration or duration
    arguments.results.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"machine": machine(), "quick": quick, "rates": rates, "duration": duration}
    if "chunking" in sections:
        print("0. chunking alone: one-line against paragraphed text, the splitter alone against chunk_blocks")
        results.update(chunking.run(quick))
        save(arguments.results, results)
    if "pdf-speed" in sections:
        print("0b. PDF extraction: our reader against poppler's pdftotext on the same files, alternated")
        results.update(pdf_speed.measure(quick))
        save(arguments.results, results)
    if "reader-speed" in sections:
        print("0c. each reader's MB/s on a generated file of its format, against a baseline on the same file")
        results.update(reader_speed.measure(quick))
        save(arguments.results, results)
    if "ocr-speed" in sections:
        print("0d. OCR: seconds per page for tesserocr and pytesseract, and a 20-page scan read as the steps read it")
        results.update(ocr_speed.measure(quick))
        save(arguments.results, results)
    if not sections - {"chunking", "pdf-speed", "reader-speed", "ocr-speed"}:
        print(report.table(results))
        return
    with tempfile.TemporaryDirectory(prefix="bench-") as directory, ExitStack() as stack:
        work = Path(directory)
        s3_endpoint = stack.enter_context(local_s3(BUCKET))
        server = InngestServer(server_binary(), log_name="bench-inngest-server.log")
        server.start()
        stack.callback(server.stop)
        redis = stack.enter_context(redis_server(work))
        os.environ["BENCH_REDIS_URL"] = redis.url
        settings = app_settings(s3_endpoint, BUCKET, f"sqlite:///{work / 'app.db'}", server.url)
        database_app = prepare_database(settings)
        app: Gunicorn = stack.enter_context(gunicorn(settings, target="bench.peers:app"))
        cookie = app.session_cookie()
        print(f"bench: app {app.url}, Inngest server {server.url}, Redis {redis.url}")

        if "accept" in sections:
            print("1. accept path (no function registered: the server only stores the events)")
            systems = ("inngest", "me", "celery", "rq") if "peers" in sections else ("inngest", "me")
            steps = accept.ladder(app, cookie, rates, duration, work / "load", systems=systems)
            send_ms = accept.send_baseline(server.url, 50 if quick else 300)
            accepted = sum(step.ok for step in steps if step.label == "inngest")
            results["accept"] = {
                "steps": [step.row() for step in steps],
                "codes": [{"label": step.label, "rate": step.rate, "codes": step.codes} for step in steps],
                "ratio": accept.ratio(steps, send_ms),
                "events": accept.events_lost(database_app, server, accepted),
            }
            report.latency_chart(steps, arguments.results / "accept-latency.png")

        save(arguments.results, results)
        if "profile" in sections:
            print("profile: py-spy on the workers while POST /api/route takes 50/s")
            results["profile"] = profile_accept_path(
                app, cookie, 50.0, 3.0 if quick else 20.0, work / "load", arguments.results
            )
            print(json.dumps(results["profile"], indent=1))

        save(arguments.results, results)
        if "outage" in sections:
            print("2b. the broker killed mid-run and restarted: Redis for Celery and RQ, the Inngest server for us")
            rows = []
            for system in ("celery", "rq", "inngest"):
                broker = server if system == "inngest" else redis
                rows.append(
                    outage.broker_down(
                        system, app, cookie, broker, database_app, 10.0 if quick else 20.0, 3.0 if quick else 15.0, work
                    )
                )
                print(rows[-1])
            results["outage"] = rows

        if sections & {"latency", "latency-pdf", "latency-ocr", "processing", "memory"}:
            # A fresh server (the dev server keeps its state in memory): the events of the
            # ladder, stored while no function was registered, must not become runs now.
            server.stop()
            server.start()
            processing.sync(app)
        user = (database_user_id(database_app), EMAIL)

        save(arguments.results, results)
        if "latency" in sections:
            print("4. latency to processed: 20 KB text documents, one at a time")
            small = make_corpus(CORPUS / "latency", 1, 20_000, 20_001)
            names = [f"latency-{index}" for index in range(3 if quick else 30)]
            for prefix in names:
                processing.upload(s3_endpoint, BUCKET, user[0], prefix, small)
            results["latency"] = processing.latency_to_processed(
                database_app, app, cookie, [f"{prefix}/{small[0].name}" for prefix in names]
            )
            print(results["latency"])

        if "latency-ocr" in sections:
            pages = 2 if quick else ocr_speed.SCAN_PAGES
            print(f"4c. latency to processed: a {pages}-page scan at {ocr_speed.DPI} dpi, OCR four pages a step")
            scan_path = ocr_speed.write_scan(work / "scan.pdf", pages, ocr_speed.DPI)
            scan = CorpusDocument(name=scan_path.name, path=scan_path, size=scan_path.stat().st_size)
            processing.upload(s3_endpoint, BUCKET, user[0], "latency-ocr", [scan])
            results["latency_ocr"] = ocr_speed.end_to_end(
                database_app, app, cookie, f"latency-ocr/{scan.name}", scan_path, ocr_speed.DPI
            )
            print(results["latency_ocr"])

        if "latency-pdf" in sections:
            print(f"4b. latency to processed: {GEOTOPO.name}, one at a time, against pdftotext on the same file")
            pdf = CorpusDocument(name=GEOTOPO.name, path=GEOTOPO, size=GEOTOPO.stat().st_size)
            names = [f"latency-pdf-{index}" for index in range(1 if quick else 7)]
            for prefix in names:
                processing.upload(s3_endpoint, BUCKET, user[0], prefix, [pdf])
            results["latency_pdf"] = pdf_latency.against_pdftotext(
                database_app, app, cookie, [f"{prefix}/{pdf.name}" for prefix in names], GEOTOPO
            )
            print(results["latency_pdf"])

        if "processing" in sections:
            print("3. processing: the corpus through Inngest, Celery, RQ and in-process")
            corpus = make_corpus(CORPUS / "main", 5 if quick else 100, 10_000, 100_000 if quick else 5_000_000)
            large = [document for document in corpus if document.size > 1_000_000]
            rows = []
            for system in ("inngest", "celery", "rq", "in-process"):
                for label, documents in (("all", corpus), ("> 1 MB", large)):
                    if not documents:
                        continue
                    prefix = f"{system}-{label.replace(' ', '').replace('>', 'over')}"
                    processing.upload(s3_endpoint, BUCKET, user[0], prefix, documents)
                    if system == "in-process":
                        row, per_document = processing.run_in_process(
                            database_app, settings, user, prefix, documents, POOL
                        )
                        results.setdefault("in_process_documents", []).extend(per_document)
                    elif system == "inngest":
                        row = processing.run_corpus(database_app, app, cookie, system, prefix, documents)
                    else:
                        with processing.peer_workers(system, settings, redis.url, POOL):
                            row = processing.run_corpus(database_app, app, cookie, system, prefix, documents)
                    row["set"] = label
                    rows.append(row)
                    print(row)
            results["processing"] = rows
            results["steps"] = processing.extraction_steps(corpus)

        save(arguments.results, results)
        if "memory" in sections:
            big = int((1 if quick else arguments.memory_mb) * 1_000_000)
            print(f"5. memory: a fresh worker's peak RSS, a PDF and a text file of {big // 10:,} and {big:,} bytes")
            # Only the one-worker app is registered while it runs, then the usual one again.
            server.stop()
            server.start()
            with gunicorn(settings, workers=1) as single:
                processing.sync(single)
                storage = (s3_endpoint, BUCKET, user[0])
                results.update(
                    memory.measure(single, database_app, cookie, storage, CORPUS / "memory", (big // 10, big))
                )
            server.stop()
            server.start()
            processing.sync(app)

        save(arguments.results, results)
        if "scale" in sections:
            print("6. scale: the accept ladder and a corpus slice with 1, 2 and 4 app worker processes")
            app.stop()
            corpus = make_corpus(CORPUS / "main", 5 if quick else 100, 10_000, 100_000 if quick else 5_000_000)
            slice_ = corpus[: 5 if quick else 40]
            accept_rows, processing_rows = [], []
            for workers in (1, 2, 4):
                server.stop()  # no function registered while the ladder runs, as in section 1
                server.start()
                with gunicorn(settings, target="bench.peers:app", workers=workers) as scaled:
                    scaled_cookie = scaled.session_cookie()
                    steps = accept.ladder(
                        scaled, scaled_cookie, rates, duration, work / f"scale-{workers}", systems=("inngest",)
                    )
                    accept_rows += [{"workers": workers, **step.row()} for step in steps]
                    processing.sync(scaled)
                    prefix = f"scale-{workers}"
                    processing.upload(s3_endpoint, BUCKET, user[0], prefix, slice_)
                    row = processing.run_corpus(database_app, scaled, scaled_cookie, "inngest", prefix, slice_)
                    processing_rows.append({"workers": workers, **row})
                    print(processing_rows[-1])
            results["scale_accept"] = accept_rows
            results["scale_processing"] = processing_rows
            report.scale_chart(accept_rows, processing_rows, arguments.results / "scale.png")

    save(arguments.results, results)
    print(report.table(results))


if __name__ == "__main__":
    main()
