"""`purge-document`: sleep out a trashed document's retention, then delete it for good, one idempotent step per store.

Triggered by DocumentDeleted and cancelled by DocumentRestored for the same document. The sleep ends at the
event's `purgeAt`; the steps themselves go by the row, so an event that says otherwise purges nothing early.
The owner's webhook is told `document.trashed` before the sleep and `document.purged` once the row is gone,
each in a step of its own: Inngest retries a delivery alone, and a dead receiver never re-runs the purge.
"""

from __future__ import annotations

import functools
from typing import Any

import inngest

from documents import purging
from documents.events import DocumentDeleted, DocumentRestored
from documents.trash import delete_closed_account_if_empty
from settings import AppSettings
from webhooks.service import notify_purged, notify_trashed

FUNCTION_ID = "purge-document"
SAME_DOCUMENT = "event.data.documentId == async.data.documentId"


def build_purge_document(client: inngest.Inngest, settings: AppSettings) -> inngest.Function[Any]:
    @client.create_function(
        fn_id=FUNCTION_ID,
        name="Purge document",
        trigger=inngest.TriggerEvent(event=DocumentDeleted.NAME),
        cancel=[inngest.Cancel(event=DocumentRestored.NAME, if_exp=SAME_DOCUMENT)],
        # A purge brought forward runs beside the sleeping one: one of them at a time deletes.
        concurrency=[inngest.Concurrency(limit=1, key=DocumentDeleted.expression_for("document_id"))],
        retries=settings.function_retries,
    )
    def purge_document(ctx: inngest.ContextSync) -> dict[str, Any]:
        deleted = DocumentDeleted.from_event(ctx.event)
        document_id, user_id = deleted.document_id, deleted.user_id
        # A failed delivery is raised for a retry, except on the last attempt: a dead receiver never fails the run.
        last_attempt = ctx.attempt >= settings.function_retries
        ctx.step.run(
            "notify-trashed",
            functools.partial(notify_trashed, last_attempt=last_attempt),
            document_id,
            user_id,
            ctx.attempt,
        )
        # Always slept, even when the time has passed (a purge now), so that every replay takes the same steps.
        ctx.step.sleep_until("wait-for-retention", deleted.purge_at)
        started = ctx.step.run("start-purge", lambda: purging.start_purge(document_id, user_id).value)
        if started != purging.PurgeStart.PURGING.value:
            return {"documentId": document_id, "purged": False, "reason": started}
        versions = ctx.step.run("delete-object", lambda: purging.delete_stored_object(document_id))
        chunks = ctx.step.run("delete-chunks", lambda: purging.delete_chunks(document_id))
        records = ctx.step.run("delete-records", lambda: purging.delete_records(document_id))
        ctx.step.run("delete-row", lambda: purging.delete_document_row(document_id))
        # Before the account may go: the webhook goes with it.
        ctx.step.run(
            "notify-purged",
            functools.partial(notify_purged, last_attempt=last_attempt),
            document_id,
            user_id,
            deleted.purge_at.isoformat(),
            ctx.attempt,
        )
        # When the owner deleted their account, the purge of its last document deletes the account too.
        ctx.step.run("delete-closed-account", lambda: delete_closed_account_if_empty(user_id))
        return {
            "documentId": document_id,
            "purged": True,
            "objectVersions": versions,
            "chunks": chunks,
            "records": records,
        }

    return purge_document
