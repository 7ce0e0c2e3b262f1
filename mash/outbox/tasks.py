"""The outbox relay as a Celery task: asked for after each transaction that queues email, and run
by beat every minute (the "Outbox relay" periodic task) for whatever that missed."""

from celery import shared_task

from .services import relay

TASK_NAME = "mash.outbox.tasks.relay_outbox"


@shared_task(name=TASK_NAME)
def relay_outbox() -> dict:
    """Send the due emails; if time ran out with more due, ask for another relay."""
    result = relay()
    if result.more_due:
        from mash.tasks import enqueue

        enqueue(relay_outbox)
    return {"sent": result.sent, "retried": result.retried, "failed": result.failed}
