"""`send_reminders --queue` and `send_notifications --queue`: cron only queues, `db_worker` does the run;
without the flag the commands run in place as before (tests/test_reminders.py, tests/test_jobs.py)."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from daiban.models import LiaisonPost, Notification, NotificationChannel, NotificationStatus
from daiban.services import handling
from tests.factories import LiaisonFactory
from tests.test_outbox_jobs import DATABASE_QUEUE

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0", stdout=StringIO())


def test_send_notifications_queue_leaves_the_sending_to_the_worker(sms_outbox):
    message = Notification.objects.create(channel=NotificationChannel.SMS, recipient="13800000001", body="您好")
    out = StringIO()
    with override_settings(TASKS=DATABASE_QUEUE):
        call_command("send_notifications", "--queue", stdout=out)
        assert "已加入后台任务队列" in out.getvalue()
        assert DBTaskResult.objects.filter(task_path="daiban.tasks.send_due_notifications").count() == 1
        message.refresh_from_db()
        assert message.status == NotificationStatus.PENDING and sms_outbox == []
        run_worker()
    message.refresh_from_db()
    assert message.status == NotificationStatus.SENT and sms_outbox[0][0] == "13800000001"


def test_send_reminders_queue_leaves_the_run_to_the_worker_and_never_tells_anyone_twice(sms_outbox):
    from tests.handling_setup import World

    world = World()
    case = world.accepted_case(due_date=timezone.localdate() - datetime.timedelta(days=1))
    handling.route_single(case, unit=world.co.unit, user=world.window, version=case.version)
    LiaisonFactory(unit=world.co.unit, post=LiaisonPost.B, is_designated=True, name="联络员丙")
    Notification.objects.all().delete()
    with override_settings(TASKS=DATABASE_QUEUE):
        for _ in range(2):
            call_command("send_reminders", "--queue", stdout=StringIO())
        assert DBTaskResult.objects.filter(task_path="daiban.tasks.send_reminders").count() == 2
        assert not Notification.objects.exists()  # queued, not yet run
        run_worker()
    told = Notification.objects.filter(recipient=world.co.a_post.phone)
    assert told.count() == 1 and case.number in told.get().body and "逾期" in told.get().body
