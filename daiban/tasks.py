"""Background jobs, run by `manage.py db_worker` from the database queue (settings.TASKS).

Requests only queue work: the outbox queues `send_notification` after its transaction commits,
so a gateway that hangs holds up a worker, never a page. The periodic runs (cron, see the README's
部署 section) call the same functions through their management commands; these tasks let the web
start them as jobs too. Arguments and results are plain JSON values (ids, counts), as the
database backend stores them.
"""

import logging
import time
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django_tasks import task

from . import reminders
from .services import jobs, outbox

__all__ = [
    "send_notification",
    "send_due_notifications",
    "send_reminders",
    "purge_pending_uploads",
    "remove_abandoned_uploads",
    "ABANDONED_AFTER",
]

logger = logging.getLogger("daiban.tasks")

# An import preview not confirmed within a day is abandoned; its file holds names and phones.
ABANDONED_AFTER = timedelta(days=1)


@task()
def send_notification(notification_id):
    """Try one message once; a failure stays pending and `send_notifications` retries it with back-off."""
    return outbox.deliver(notification_id)


@task()
def send_due_notifications():
    sent, failed = outbox.deliver_due()
    return {"sent": sent, "failed": failed}


@task()
def send_reminders():
    """The day's 超时预警, as `manage.py send_reminders` sends them (never twice to one person a day)."""
    due = reminders.not_yet_sent(reminders.collect())
    return reminders.send(due) if due else 0


@task()
def purge_pending_uploads():
    return len(remove_abandoned_uploads())


def remove_abandoned_uploads(max_age=ABANDONED_AFTER, now=None):
    """Delete the files of the default storage under PENDING_UPLOADS_PREFIX (import previews, files kept
    on a rejected /apply/ form, job files) older than `max_age`, and mark the background jobs created
    before then that never finished as failed; returns the names removed under PENDING_UPLOADS_PREFIX."""
    moment = now if now is not None else time.time()
    cutoff = datetime.fromtimestamp(moment, tz=UTC) - max_age
    jobs.remove_old_job_files(cutoff)
    removed = []
    for name in _stored_files(settings.PENDING_UPLOADS_PREFIX):
        try:
            if default_storage.get_modified_time(name) < cutoff:
                default_storage.delete(name)
                removed.append(name)
        except FileNotFoundError:  # another machine's run removed it first
            continue
    if removed:
        logger.info("已删除 %s 个超过 %s 未确认的待导入文件。", len(removed), max_age)
    return removed


def _stored_files(folder):
    """Every file name below `folder` of the default storage (local disk or bucket alike)."""
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from _stored_files(f"{folder}/{sub}")
