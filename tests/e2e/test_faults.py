"""What the real Inngest server does when a piece fails: the Event API down while documents are posted,
the app killed in the middle of a step, and two runs for one document at once."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from extensions import db
from outbox import OutboxEvent
from outbox.delivery import send
from tests.e2e.conftest import running_stack
from tests.support.polling import stays_true, wait_until
from tests.support.s3_gate import gated_s3
from tests.support.sample_documents import SAMPLES, text_document
from timestamps import as_utc, utcnow

EVENT = "documents/document.uploaded"


def test_documents_posted_while_the_server_is_down_are_all_processed_when_it_returns(s3_endpoint, tmp_path):
    names = [f"outage-{number}.txt" for number in range(4)]
    # --persist: the server keeps the app's registration across the outage, as a deployed server does.
    with running_stack(s3_endpoint, tmp_path, persist=True) as stack:
        client = stack.user("outage@example.com")
        for name in names:
            stack.upload(client, name, SAMPLES["notes.txt"]())
        stack.server.stop()

        with ThreadPoolExecutor(len(names)) as pool:
            answers = list(pool.map(lambda name: client.post("/api/route", json={"documentName": name}), names))
        assert [answer.status_code for answer in answers] == [202] * len(names)
        assert {answer.json()["status"] for answer in answers} == {"queued"}

        stack.server.start()
        # The relay's backoff grew while the server was down: wait for the deliveries it has scheduled.
        scheduled = redelivery_due_in(stack) + 60
        wait_until(lambda: all_delivered(stack), "the relay to deliver every event", timeout=scheduled)
        documents = [stack.settled(client, name, "processed", timeout=90) for name in names]

        with stack.database_app.app_context():
            outbox = db.session.execute(db.select(OutboxEvent.event_id, OutboxEvent.status)).tuples().all()
        assert {status for _, status in outbox} == {"delivered"}
        received = Counter(event["id"] for event in stack.server.events(EVENT))
        # Events lost = 0, counted on the server's side: every accepted document's event, each once.
        assert received == Counter({event_id: 1 for event_id, _ in outbox})
        for name, document in zip(names, documents, strict=True):
            positions = [position for position, _ in stack.chunks(name)]
            assert positions == list(range(document["chunkCount"]))


def all_delivered(stack) -> bool:
    with stack.database_app.app_context():
        return set(db.session.scalars(db.select(OutboxEvent.status))) == {"delivered"}


def redelivery_due_in(stack) -> float:
    """Seconds until the last pending event's next scheduled delivery attempt."""
    with stack.database_app.app_context():
        due = db.session.scalar(db.select(db.func.max(OutboxEvent.next_attempt_at)))
    return max(0.0, (as_utc(due) - utcnow()).total_seconds()) if due else 0.0


def test_an_event_sent_again_with_its_id_starts_no_second_run(s3_endpoint, tmp_path):
    """What the outbox relies on when a send reached Inngest but its answer was lost: it resends the same id."""
    with running_stack(s3_endpoint, tmp_path) as stack:
        client = stack.user("resent@example.com")
        stack.upload(client, "notes.txt", SAMPLES["notes.txt"]())
        [first] = client.post("/api/route", json={"documentName": "notes.txt"}).json()["eventIds"]
        stack.settled(client, "notes.txt", "processed")
        [event] = stack.server.events(EVENT)

        with stack.database_app.app_context():
            outbox_event = db.session.scalar(db.select(OutboxEvent))
            assert outbox_event is not None
            client = stack.database_app.extensions["inngest"]
            [again] = send(client, outbox_event).inngest_ids
            client._http_client._http_client_sync.close()  # the SDK has no close() of its own

        resent = wait_until(lambda: [received["id"] for received in stack.server.events(EVENT)][1:], "the resend")
        assert resent == [event["id"]]
        assert stays_true(lambda: stack.server.runs_of(again) == [], seconds=3)
        assert len(stack.server.runs_of(first)) == 1


def big_text_document() -> bytes:
    """A few MB of text: extracting, chunking and storing it keeps the run busy while a second one is posted."""
    return text_document() * 3000


def test_a_step_interrupted_by_killing_the_app_is_retried_and_the_run_completes(s3_endpoint, tmp_path):
    # The object's download is held at the S3 edge, so the kill lands inside extract-and-store every time,
    # on a busy machine too, rather than wherever the run happens to be.
    with (
        gated_s3(s3_endpoint) as (gated_endpoint, gate),
        running_stack(s3_endpoint, tmp_path, overrides={"AWS_ENDPOINT_URL": gated_endpoint}) as stack,
    ):
        client = stack.user("killed@example.com")
        stack.upload(client, "report.txt", text_document())
        gate.hold(stack.bucket, stack.key_of(client, "report.txt"))
        [event_id] = client.post("/api/route", json={"documentName": "report.txt"}).json()["eventIds"]
        wait_until(lambda: gate.downloads_waiting == 1, "extract-and-store to start downloading the object")
        [run] = wait_until(lambda: stack.server.runs_of(event_id), "the server to list the run")
        wait_until(lambda: stack.server.call_in_flight(run["run_id"]), "the server's trace to show the call running")

        stack.app.kill()  # SIGKILL to gunicorn and every worker, mid-step
        gate.release()
        stack.app.start()

        document = stack.settled(client, "report.txt", "processed", timeout=120)
        run = stack.server.finished_run(event_id, timeout=120)
        assert run["output"]["status"] == "processed"
        # The server saw the call the kill cut off fail, and ran extract-and-store again.
        [step] = [step for step in stack.server.steps_of(run["run_id"]) if step["name"] == "extract-and-store"]
        assert step["attempts"] >= 1
        positions = [position for position, _ in stack.chunks("report.txt")]
        assert positions == list(range(document["chunkCount"])) != []


STEP_NAMES = {"check-object", "extract-and-store"}


def traced_steps(stack, run_id: str) -> list[dict[str, Any]]:
    return [step for step in stack.server.steps_of(run_id) if step["name"] in STEP_NAMES]


def step_intervals(steps: list[dict[str, Any]]) -> list[tuple[datetime, datetime]]:
    return [(datetime.fromisoformat(step["startedAt"]), datetime.fromisoformat(step["endedAt"])) for step in steps]


def steps_taken(run: dict[str, Any]) -> set[str]:
    """The steps a finished run took: check-object, then extract-and-store unless the chunks were current."""
    return {"check-object"} if run["output"].get("unchanged") is True else STEP_NAMES


def test_two_posts_for_one_document_never_run_their_steps_at_the_same_time(s3_endpoint, tmp_path):
    with running_stack(s3_endpoint, tmp_path) as stack:
        client = stack.user("twice-at-once@example.com")
        stack.upload(client, "big.txt", big_text_document())
        events = [client.post("/api/route", json={"documentName": "big.txt"}).json()["eventIds"][0] for _ in "ab"]
        runs = [stack.server.finished_run(event, timeout=120) for event in events]

        steps = [traced_steps(stack, run["run_id"]) for run in runs]
        # Every step each run took is in the server's trace, so the intervals below are all of them.
        assert [{step["name"] for step in taken} for taken in steps] == [steps_taken(run) for run in runs]
        first, second = (step_intervals(taken) for taken in steps)
        # The concurrency key (one run per document) as the server's own trace shows it.
        overlapping = [(a, b) for a in first for b in second if a[0] < b[1] and b[0] < a[1]]
        assert overlapping == []
        assert sorted(run["output"]["status"] for run in runs) in (["processed", "unchanged"], ["processed"] * 2)
        document = stack.settled(client, "big.txt", "processed", "unchanged")
        positions = [position for position, _ in stack.chunks("big.txt")]
        assert positions == list(range(document["chunkCount"]))
