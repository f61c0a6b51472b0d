"""Drives /api/inngest the way the Inngest executor does, over HTTP: through the Flask test client, or an
httpx client against the app running under gunicorn.

Each request carries the event, the memoised step outputs so far (JSON round-tripped, as the
real executor stores them) and the attempt number; a 206 answer reports steps to memoise, a 200
the run's result, a 500 a failed attempt (with `X-Inngest-No-Retry: true` when it must not be retried).
A sleep ends at once: the test chooses the time it asks for (a purge now).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
from flask.testing import FlaskClient

APP_ID = "document-service"
PROCESS_DOCUMENT = f"{APP_ID}-process-document"
PROCESS_DOCUMENT_FAILURE = f"{PROCESS_DOCUMENT}-failure"
PURGE_DOCUMENT = f"{APP_ID}-purge-document"


@dataclass
class Run:
    run_id: str
    status: int = 0
    output: Any = None
    requests: int = 0
    attempts: int = 0
    no_retry: bool = False
    steps: dict[str, Any] = field(default_factory=dict)
    step_names: list[str] = field(default_factory=list)
    stack: list[str] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)


def execute(
    client: FlaskClient | httpx.Client,
    fn_id: str,
    event: dict[str, Any],
    *,
    max_attempts: int = 4,
    run: Run | None = None,
    stop_after_steps: int | None = None,
) -> Run:
    """Run the function to its end: memoise steps, retry failed attempts, stop on success or final failure.

    With `stop_after_steps`, return once that many steps are memoised (the executor between two
    requests); pass the returned `run` back in to carry on, as the executor does after a crash.
    """
    run = run or Run(run_id=f"run-{uuid.uuid4().hex}")
    stack = run.stack
    for _ in range(50):
        if stop_after_steps is not None and len(run.steps) >= stop_after_steps:
            return run
        body = {
            "ctx": {
                "attempt": run.attempts,
                "disable_immediate_execution": False,
                "run_id": run.run_id,
                "stack": {"stack": stack},
            },
            "event": event,
            "events": [event],
            "steps": json.loads(json.dumps(run.steps)),
            "use_api": False,
        }
        response = client.post(f"/api/inngest?fnId={fn_id}&stepId=step", json=body)
        run.requests += 1
        run.bodies.append(response.text if isinstance(response, httpx.Response) else response.get_data(as_text=True))
        run.status = response.status_code
        run.output = response.json() if isinstance(response, httpx.Response) else response.get_json()
        run.no_retry = response.headers.get("X-Inngest-No-Retry") == "true"
        if response.status_code == 206:
            for operation in run.output:
                if operation["op"] == "StepRun":
                    run.steps[operation["id"]] = {"data": operation.get("data")}
                    stack.append(operation["id"])
                    run.step_names.append(operation["displayName"])
                    run.attempts = 0
                elif operation["op"] == "Sleep":
                    # Slept at once: the executor here keeps no clock.
                    run.steps[operation["id"]] = {"data": None}
                    stack.append(operation["id"])
                    run.step_names.append(operation["displayName"])
                elif operation["op"] == "StepError":
                    if run.no_retry or run.attempts + 1 >= max_attempts:
                        run.steps[operation["id"]] = {"error": operation["error"]}
                        stack.append(operation["id"])
                    else:
                        run.attempts += 1
                else:
                    raise AssertionError(f"unexpected opcode {operation['op']}")
            continue
        if response.status_code == 500 and not run.no_retry and run.attempts + 1 < max_attempts:
            run.attempts += 1
            continue
        return run
    raise AssertionError("the run did not finish in 50 requests")


def failure_event(original: dict[str, Any], run: Run) -> dict[str, Any]:
    """The `inngest/function.failed` event the executor sends to the on_failure handler."""
    error = run.output if isinstance(run.output, dict) else {"name": "Error", "message": str(run.output)}
    return {
        "name": "inngest/function.failed",
        "data": {"error": error, "event": original, "function_id": PROCESS_DOCUMENT, "run_id": run.run_id},
        "id": f"failed-{run.run_id}",
        "ts": 0,
    }
