"""A flame graph of the app's workers (py-spy, sampling, attached from outside) while POST /api/route is under load."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

from bench.load import attack, post_targets
from bench.stack import Gunicorn


def profile_accept_path(
    app: Gunicorn, cookie: str, rate: float, duration: float, work: Path, results: Path
) -> dict[str, float]:
    """Record the workers while vegeta posts at `rate`: an SVG, the collapsed stacks, the top frames' share."""
    assert app.process is not None
    py_spy = str(Path(sys.executable).parent / "py-spy")
    collapsed = results / "accept-profile.txt"
    targets = post_targets(f"{app.url}/api/route", cookie, int(rate * duration) + 1, "profile")
    load = threading.Thread(target=attack, args=("profile", targets, rate, duration, work, {200, 202}))
    load.start()
    command = [py_spy, "record", "--pid", str(app.process.pid), "--subprocesses", "--duration", f"{duration:g}"]
    recorders = [
        subprocess.Popen(
            [*command, "--rate", "100", "--format", kind, "--output", str(path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for kind, path in (("flamegraph", results / "accept-flamegraph.svg"), ("raw", collapsed))
    ]
    for recorder in recorders:
        recorder.wait(duration + 60)
    load.join()
    return top_frames(collapsed)


# Where a sample of a worker goes, first match wins: the frame names py-spy records (function (file:line)).
BUCKETS = (
    ("outbox relay thread", ("(outbox/relay.py:1", "_run (outbox/relay.py")),
    ("logging", ("(logging/__init__.py",)),
    ("send_sync: the Event API round trip", ("send_sync (inngest/",)),
    ("database commit", ("commit (sqlalchemy/orm/session.py",)),
    ("session loading (flask-login user)", ("load_user (auth/login.py",)),
    ("document row: find + insert", ("_queue_document (documents/service.py",)),
    ("response: describe_document", ("describe_document (documents/service.py",)),
    ("the rest of the view", ("submit_document (documents/routes.py",)),
    ("Flask/werkzeug around the view", ("wsgi_app (flask/app.py",)),
    ("gunicorn: parse, write, accept", ("(gunicorn/",)),
)


def top_frames(collapsed: Path) -> dict[str, float]:
    """Share (%) of the workers' samples in each part of the accept path (see BUCKETS)."""
    shares: Counter[str] = Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        samples = int(count)
        if stack.endswith("_worker (concurrent/futures/thread.py:81)"):
            continue  # a gunicorn thread waiting for a request, which py-spy does not see as idle
        total += samples
        bucket = next((name for name, marks in BUCKETS if any(mark in stack for mark in marks)), "other")
        shares[bucket] += samples
    return {name: round(100 * samples / total, 1) for name, samples in shares.most_common()} if total else {}
