"""The cron job and the admin's retry button at the same moment: the message is sent once (row lock)."""

import time

from daiban.models import Notification, NotificationChannel, NotificationStatus
from daiban.services import outbox
from daiban.sms import MemorySmsBackend
from tests.threads import POSTGRES_THREADS, in_parallel

pytestmark = POSTGRES_THREADS


def test_two_senders_at_once_send_a_message_once(monkeypatch):
    message = Notification.objects.create(channel=NotificationChannel.SMS, recipient="13800000001", body="您好")
    slow_send = MemorySmsBackend.send

    def slowly(self, phone, text):
        time.sleep(0.3)  # the gateway is slow: the second sender arrives while the first still sends
        return slow_send(self, phone, text)

    monkeypatch.setattr(MemorySmsBackend, "send", slowly)

    results = in_parallel(lambda: outbox.deliver(message.pk), lambda: outbox.deliver(message.pk))

    assert sorted(results) == [False, True]
    assert len(MemorySmsBackend.outbox) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (NotificationStatus.SENT, 1)
