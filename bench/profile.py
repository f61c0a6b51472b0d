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


def top_frames(collapsed: Path, limit: int = 15) -> dict[str, float]:
    """Share of the samples (%) in which each of our own functions (or the library call it makes) is on the stack."""
    total = 0
    inclusive: Counter[str] = Counter()
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        samples = int(count)
        total += samples
        frames = {frame.split(" (")[0] for frame in stack.split(";")}
        for frame in frames:
            inclusive[frame] += samples
    return {frame: round(100 * samples / total, 1) for frame, samples in inclusive.most_common(limit)} if total else {}
