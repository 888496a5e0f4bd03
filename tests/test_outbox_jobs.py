"""SMS and mail off the request path: /apply/ only writes to the outbox and queues a job; `db_worker` sends.

With a gateway that hangs, a submission is as quick as with a working one: the request never calls
the gateway. The messages wait in the outbox, each with a queued `send_notification` job, and one run
of the worker sends them once the gateway answers.

Transactional: the jobs are queued after commit and the worker runs in its own transactions.
"""

import threading
import time
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client, override_settings
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from daiban.models import Case, Notification, NotificationChannel, NotificationStatus
from daiban.sms import SmsBackend
from tests.intake_setup import World, apply_post
from tests.threads import ON_SQLITE

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

HANG = 8  # seconds a hanging gateway keeps the caller waiting
SUBMISSIONS = 20
SEND_TASK = "daiban.tasks.send_notification"

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


class HangingSmsBackend(SmsBackend):
    """A gateway that accepts the connection and never answers in time."""

    calls = 0

    def send(self, phone, text):
        HangingSmsBackend.calls += 1
        time.sleep(HANG)
        raise OSError("timed out")


@pytest.fixture
def hanging_gateway():
    HangingSmsBackend.calls = 0
    with override_settings(TASKS=DATABASE_QUEUE, SMS_BACKEND="tests.test_outbox_jobs.HangingSmsBackend"):
        yield


def submit(world, number):
    """One applicant from their own address (the per-address limit is not what is measured here)."""
    client = Client(REMOTE_ADDR=f"10.0.{number // 200}.{number % 200 + 1}")
    started = time.monotonic()
    response = client.post("/apply/", apply_post(world, contact_phone=f"139{number:08d}"))
    return response.status_code, time.monotonic() - started


def queued_sends():
    return DBTaskResult.objects.filter(task_path=SEND_TASK, status=TaskResultStatus.READY)


def assert_waiting_in_the_outbox():
    sms = Notification.objects.filter(channel=NotificationChannel.SMS)
    assert sms.count() == SUBMISSIONS
    assert set(sms.values_list("status", "attempts")) == {(NotificationStatus.PENDING, 0)}
    assert HangingSmsBackend.calls == 0  # no request ever waited for the gateway
    # One queued job per message, SMS and mail alike.
    queued = sorted(job.args_kwargs["args"][0] for job in queued_sends())
    assert queued == sorted(Notification.objects.values_list("pk", flat=True))
    assert mail.outbox == []


def run_worker_with_a_working_gateway(sms_outbox):
    out = StringIO()
    with override_settings(SMS_BACKEND="daiban.sms.MemorySmsBackend"):
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0", stdout=out)
    assert not queued_sends().exists()
    assert set(DBTaskResult.objects.filter(task_path=SEND_TASK).values_list("status", flat=True)) == {
        TaskResultStatus.SUCCESSFUL
    }
    assert set(Notification.objects.values_list("status", flat=True)) == {NotificationStatus.SENT}
    numbers = set(Case.objects.values_list("number", flat=True))
    assert len(sms_outbox) == SUBMISSIONS
    assert {number for _phone, text in sms_outbox for number in numbers if number in text} == numbers
    # Each applicant's own mail, and each request's mail to the window's staff (a new online request).
    to_applicants = [message for message in mail.outbox if message.to == ["wang@example.com"]]
    assert len(to_applicants) == SUBMISSIONS
    emails = Notification.objects.filter(channel=NotificationChannel.EMAIL)
    assert len(mail.outbox) == emails.count() > SUBMISSIONS


def test_apply_with_a_hanging_gateway_returns_at_once_and_the_worker_sends_later(hanging_gateway, sms_outbox):
    world = World()
    started = time.monotonic()
    outcomes = [submit(world, number) for number in range(SUBMISSIONS)]
    elapsed = time.monotonic() - started

    assert [status for status, _seconds in outcomes] == [302] * SUBMISSIONS
    slowest = max(seconds for _status, seconds in outcomes)
    # Sending inline would cost HANG seconds for every single request (160 s in all).
    assert slowest < HANG / 4, f"最慢的一次提交用了 {slowest:.1f} 秒"
    assert elapsed < HANG, f"{SUBMISSIONS} 次提交共用了 {elapsed:.1f} 秒"
    assert_waiting_in_the_outbox()

    run_worker_with_a_working_gateway(sms_outbox)


def test_a_hanging_gateway_costs_the_worker_a_try_not_the_message(hanging_gateway, sms_outbox, monkeypatch):
    """The worker's attempt fails after the gateway's time-out; the message stays pending for the retry run."""
    monkeypatch.setattr("tests.test_outbox_jobs.HANG", 0.1)
    world = World()
    assert submit(world, 1)[0] == 302
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0", stdout=StringIO())

    sms = Notification.objects.get(channel=NotificationChannel.SMS)
    assert (sms.status, sms.attempts, sms.last_error) == (NotificationStatus.PENDING, 1, "timed out")
    assert sms.next_attempt_at is not None
    assert HangingSmsBackend.calls == 1 and sms_outbox == []
    # The job itself finished: the retry belongs to the outbox's back-off, not to the queue.
    assert DBTaskResult.objects.get(task_path=SEND_TASK, args_kwargs__args=[sms.pk]).status == (
        TaskResultStatus.SUCCESSFUL
    )


@pytest.mark.postgres
@pytest.mark.skipif(ON_SQLITE, reason="需要 PostgreSQL（设置 DATABASE_URL 后运行）")
def test_twenty_concurrent_submissions_with_a_hanging_gateway(hanging_gateway, sms_outbox):
    world = World()
    barrier = threading.Barrier(SUBMISSIONS)
    outcomes = [None] * SUBMISSIONS

    def run(number):
        from django.db import connection

        try:
            barrier.wait()
            outcomes[number] = submit(world, number)
        except Exception as exc:  # collected for the assertion
            outcomes[number] = (exc, 0)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(number,)) for number in range(SUBMISSIONS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(HANG * SUBMISSIONS)
    elapsed = time.monotonic() - started

    assert [status for status, _seconds in outcomes] == [302] * SUBMISSIONS
    # Inline, two of them alone would take 2 × HANG; all twenty together finish well within one.
    assert elapsed < HANG, f"{SUBMISSIONS} 个并发提交共用了 {elapsed:.1f} 秒"
    assert_waiting_in_the_outbox()

    run_worker_with_a_working_gateway(sms_outbox)
