"""Background work of the plumbing (django-tasks, database backend; `fangyi db_worker`)."""

from __future__ import annotations

from django_tasks import task

from fangyi.core import webhooks


@task()
def deliver_webhook(delivery_id: int) -> bool:
    """Post a webhook delivery; on failure queue itself again after the back-off, until
    the delivery runs out of attempts. True once delivered."""
    again = webhooks.attempt(delivery_id)
    if again is not None:
        deliver_webhook.using(run_after=again).enqueue(delivery_id)
        return False
    return True
