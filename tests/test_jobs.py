"""The background jobs of daiban/tasks.py and `manage.py purge_pending_uploads`.

The test settings run jobs as soon as they are queued (the immediate backend), so each job's
outcome is read straight from its result; tests/test_outbox_jobs.py covers the database queue.
"""

import datetime
import os
import time
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import DatabaseError
from django.test import override_settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.backends.base import BaseTaskBackend

from daiban import tasks
from daiban.models import LiaisonPost, Notification, NotificationChannel, NotificationStatus
from daiban.services import handling, outbox
from daiban.sms import MemorySmsBackend
from tests.factories import LiaisonFactory


@pytest.fixture
def pending_uploads(settings, tmp_path):
    """In the default storage: an abandoned preview (two days old), one in progress (a minute old) and an
    old one in a sub-folder (a file kept from a rejected /apply/ form)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    two_days_ago = time.time() - 2 * 24 * 3600

    def stored(name, moment):
        name = default_storage.save(f"{settings.PENDING_UPLOADS_PREFIX}/{name}", ContentFile(b"names and phones"))
        os.utime(default_storage.path(name), (moment, moment))
        return name

    old = [stored("abandoned.xlsx", two_days_ago), stored("apply/abandoned.pdf", two_days_ago)]
    return {"old": old, "fresh": stored("in-progress.xlsx", time.time() - 60)}


@pytest.mark.django_db  # the purge also removes old background-job files
def test_purge_command_deletes_uploads_older_than_a_day_and_keeps_the_rest(pending_uploads):
    out = StringIO()
    call_command("purge_pending_uploads", stdout=out)
    assert "已删除 2 个超过 24 小时未确认的待导入文件" in out.getvalue()
    assert not any(default_storage.exists(name) for name in pending_uploads["old"])
    assert default_storage.exists(pending_uploads["fresh"])


@pytest.mark.django_db  # the purge also removes old background-job files
def test_purge_command_refuses_to_delete_previews_in_progress(pending_uploads):
    with pytest.raises(CommandError, match="至少为 1"):
        call_command("purge_pending_uploads", "--hours", "0", stdout=StringIO())
    assert all(default_storage.exists(name) for name in [pending_uploads["fresh"], *pending_uploads["old"]])


@pytest.mark.django_db  # the purge also removes old background-job files
def test_purge_job(pending_uploads):
    result = tasks.purge_pending_uploads.enqueue()
    assert (result.status, result.return_value) == (TaskResultStatus.SUCCESSFUL, 2)
    assert default_storage.exists(pending_uploads["fresh"])


@pytest.mark.django_db  # the purge also removes old background-job files
def test_purge_without_the_folder_does_nothing(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "missing"
    assert tasks.purge_pending_uploads.enqueue().return_value == 0


@pytest.mark.django_db
def test_due_notifications_job_sends_what_is_pending(sms_outbox):
    message = Notification.objects.create(channel=NotificationChannel.SMS, recipient="13800000001", body="您好")
    MemorySmsBackend.fail = True
    assert tasks.send_due_notifications.enqueue().return_value == {"sent": 0, "failed": 1}
    Notification.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    MemorySmsBackend.fail = False
    assert tasks.send_due_notifications.enqueue().return_value == {"sent": 1, "failed": 0}
    message.refresh_from_db()
    assert message.status == NotificationStatus.SENT and sms_outbox[0][0] == "13800000001"


@pytest.mark.django_db
def test_reminders_job_queues_each_reminder_once_a_day():
    from tests.handling_setup import World

    world = World()
    case = world.accepted_case(due_date=timezone.localdate() - datetime.timedelta(days=1))
    handling.route_single(case, unit=world.co.unit, user=world.window, version=case.version)
    LiaisonFactory(unit=world.co.unit, post=LiaisonPost.B, is_designated=True, name="联络员丙")
    Notification.objects.all().delete()

    assert tasks.send_reminders.enqueue().return_value == 2
    told = Notification.objects.get(recipient=world.co.a_post.phone)
    assert case.number in told.body and "逾期" in told.body
    assert tasks.send_reminders.enqueue().return_value == 0  # the same day again: nobody twice


class UnreachableQueue(BaseTaskBackend):
    def enqueue(self, task, args, kwargs):
        raise DatabaseError("任务队列不可用")


@pytest.mark.django_db
def test_a_message_that_cannot_be_queued_stays_in_the_outbox_for_the_cron_run(
    sms_outbox, django_capture_on_commit_callbacks
):
    with override_settings(TASKS={"default": {"BACKEND": "tests.test_jobs.UnreachableQueue"}}):
        with django_capture_on_commit_callbacks(execute=True):
            message = outbox.queue_sms("13800000002", "您好")
    message.refresh_from_db()
    assert (message.status, message.attempts) == (NotificationStatus.PENDING, 0)
    assert sms_outbox == []

    call_command("send_notifications", stdout=StringIO())
    message.refresh_from_db()
    assert message.status == NotificationStatus.SENT and sms_outbox == [("13800000002", "【内江政务服务】您好")]
