"""`make bench`: start everything on free ports, measure every section, print the table, write results and charts.

.venv-bench/bin/python -m bench.run            # the full run (about 15 minutes on 2 cores)
.venv-bench/bin/python -m bench.run --quick    # a few seconds' worth of each, to prove it works
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import psutil

from bench import accept, report
from bench.profile import profile_accept_path
from bench.stack import Gunicorn, app_settings, gunicorn, local_s3, prepare_database, redis_server
from tests.support.inngest_server import InngestServer, server_binary

RESULTS = Path(__file__).resolve().parent / "results"
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


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a tiny configuration: proves the bench works")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where results.json and the charts go")
    parser.add_argument("--rates", help="comma-separated arrival rates of the ladder (requests/s)")
    parser.add_argument("--duration", type=float, help="seconds at each rate")
    parser.add_argument("--sections", default="accept,peers,latency,processing,memory,scale,profile,outage")
    return parser.parse_args()


def main() -> None:
    arguments = parse_arguments()
    sections = set(arguments.sections.split(","))
    quick = arguments.quick
    rates = [10.0] if quick else [25.0, 50.0, 100.0, 150.0, 200.0, 300.0]
    duration = 1.0 if quick else 10.0
    if arguments.rates:
        rates = [float(rate) for rate in arguments.rates.split(",")]
    duration = arguments.duration or duration
    arguments.results.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"machine": machine(), "quick": quick, "rates": rates, "duration": duration}
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

        if "profile" in sections:
            print("profile: py-spy on the workers while POST /api/route takes 50/s")
            results["profile"] = profile_accept_path(
                app, cookie, 50.0, 3.0 if quick else 20.0, work / "load", arguments.results
            )
            print(json.dumps(results["profile"], indent=1))

    (arguments.results / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(report.table(results))


if __name__ == "__main__":
    main()
