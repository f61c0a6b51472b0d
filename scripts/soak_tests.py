"""`make test-soak RUNS=5`: the tests that drive real servers, run back to back while a CPU burner holds one core.

CI runs on a shared 2-core machine when it is busiest; a test that passes only on a quiet one is a red CI
waiting to happen. Every run goes on after a failure, so the summary says how many of RUNS passed, and
each run's pytest output is kept in test-artifacts/soak/.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
ARTIFACTS = REPOSITORY / "test-artifacts" / "soak"
# The folders whose tests start and stop the real Inngest server, gunicorn, PostgreSQL, Redis or Chromium.
REAL_SERVER_TESTS = ["tests/e2e", "tests/cluster", "tests/web"]
BURNER = "while True: pass"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--burners", type=int, default=1, help="busy loops to run beside the tests (cores held)")
    arguments = parser.parse_args()

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # Stopped by a signal, still stop the burners (the `finally` below): SIGTERM would skip it.
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))
    burners = [subprocess.Popen([sys.executable, "-c", BURNER]) for _ in range(arguments.burners)]
    results = []
    try:
        for run in range(1, arguments.runs + 1):
            results.append(run_once(run))
            print(f"[soak] run {run}/{arguments.runs}: {summary_line(results[-1])}", flush=True)
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()
    (ARTIFACTS / "summary.json").write_text(json.dumps(results, indent=2) + "\n")
    passed = sum(result["exit_code"] == 0 for result in results)
    print(f"[soak] {passed} of {len(results)} runs passed with {arguments.burners} core(s) busy", flush=True)
    for result in results:
        print(f"[soak]   run {result['run']}: {summary_line(result)}", flush=True)
    return 0 if passed == len(results) else 1


def run_once(run: int) -> dict[str, object]:
    log = ARTIFACTS / f"run-{run}.log"
    started = time.monotonic()
    with log.open("w") as output:
        finished = subprocess.run(
            [sys.executable, "-m", "pytest", *REAL_SERVER_TESTS, "-p", "no:cacheprovider"],
            cwd=REPOSITORY,
            stdout=output,
            stderr=subprocess.STDOUT,
            check=False,
        )
    lines = log.read_text(errors="replace").splitlines()
    failures = [line for line in lines if line.startswith(("FAILED ", "ERROR "))]
    return {
        "run": run,
        "exit_code": finished.returncode,
        "seconds": round(time.monotonic() - started, 1),
        "outcome": lines[-1].strip("= ") if lines else "",
        "failures": failures,
        "log": str(log.relative_to(REPOSITORY)),
    }


def summary_line(result: dict[str, object]) -> str:
    failures = result["failures"]
    listed = f"; {', '.join(map(str, failures))}" if isinstance(failures, list) and failures else ""
    return f"{result['outcome']} ({result['seconds']} s){listed}"


if __name__ == "__main__":
    sys.exit(main())
