"""The outbox: messages are queued inside the caller's transaction and sent by a background job.

After commit each message becomes a `daiban.tasks.send_notification` job that `manage.py db_worker`
runs, so no request waits for the SMS gateway or the mail server. A failing provider never loses
a message: it stays in the outbox and `manage.py send_notifications` (cron, every few minutes)
retries with back-off.
Sending takes the message's row lock (skipping a row someone else is sending), so the
cron job and the admin's retry button never send the same message twice.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from ..models import Notification, NotificationChannel, NotificationStatus
from ..permissions import notifications_visible_to
from ..sms import get_backend
from .audit import log_change
from .base import Action, ActionError

__all__ = [
    "MAX_ATTEMPTS",
    "queue_sms",
    "queue_email",
    "notify_applicant",
    "SMS_MAX_CHARS",
    "fit_sms",
    "deliver",
    "deliver_due",
    "RetryNotification",
]

logger = logging.getLogger("daiban.notifications")

MAX_ATTEMPTS = 8

# A text message is 70 characters, each part of a long one 67; gateways join up to a few parts. The body is
# kept to SMS_MAX_CHARS (the gateway's 【签名】 comes on top), so a long 一次性告知 still arrives as one message.
SMS_MAX_CHARS = 300


def fit_sms(head, entries, tail, *, limit=SMS_MAX_CHARS, sep="；"):
    """head + the listing of `entries` + tail, within `limit` characters.

    `entries` are (full, short) texts of one item each, in order. All full texts when they fit; else the
    short ones; else as many short ones as fit, then "等共N项" so the reader knows there are more.
    """
    entries = list(entries)
    for texts in ([full for full, _short in entries], [short for _full, short in entries]):
        listing = sep.join(f"{n}.{text}" for n, text in enumerate(texts, start=1))
        if len(head) + len(listing) + len(tail) <= limit:
            return head + listing + tail
    kept = []
    for n, (_full, short) in enumerate(entries, start=1):
        more = f"等共{len(entries)}项"
        candidate = sep.join([*kept, f"{n}.{short}"])
        if len(head) + len(candidate) + len(more) + len(tail) > limit:
            break
        kept.append(f"{n}.{short}")
    listing = sep.join(kept) + f"等共{len(entries)}项"
    return (head + listing + tail)[:limit]


def queue_sms(phone, text, case=None):
    if not phone:
        return None
    return _queue(Notification(channel=NotificationChannel.SMS, recipient=phone, body=text, case=case))


def queue_email(address, subject, text, case=None):
    if not address:
        return None
    return _queue(
        Notification(channel=NotificationChannel.EMAIL, recipient=address, subject=subject, body=text, case=case)
    )


def notify_applicant(case, text, subject="帮办代办办件通知"):
    """SMS to the contact phone, and mail when the applicant gave an address."""
    queue_sms(case.contact_phone, text, case=case)
    if case.email:
        queue_email(case.email, subject, text, case=case)


def _queue(notification):
    notification.save()
    transaction.on_commit(lambda: _enqueue_send(notification.pk))
    return notification


def _enqueue_send(notification_id):
    """Hand the message to the background worker: the request never waits for a gateway.

    If even queueing fails, the message is still in the outbox and `send_notifications` sends it.
    """
    from ..tasks import send_notification  # daiban.tasks imports this module

    try:
        send_notification.enqueue(notification_id)
    except Exception:  # the outbox row is the durable record; cron picks it up
        logger.exception("通知 %s 未能加入发送队列，将由定时任务补发。", notification_id)


def deliver(notification_id):
    """Try to send one message; record the outcome. Never raises.

    False when it failed, was sent already, or is being sent by someone else right now.
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=notification_id)
            .exclude(status=NotificationStatus.SENT)
            .first()
        )
        if notification is None:
            return False
        return _send(notification)


def _send(notification):
    notification.attempts += 1
    try:
        if notification.channel == NotificationChannel.SMS:
            get_backend().send(notification.recipient, f"【{settings.SMS_SIGN_NAME}】{notification.body}")
        else:
            send_mail(notification.subject, notification.body, settings.DEFAULT_FROM_EMAIL, [notification.recipient])
    except Exception as exc:  # any provider failure is kept for the retry
        logger.warning("通知发送失败（第%s次）：%s", notification.attempts, exc)
        notification.last_error = str(exc)[:300]
        notification.status = (
            NotificationStatus.FAILED if notification.attempts >= MAX_ATTEMPTS else NotificationStatus.PENDING
        )
        notification.next_attempt_at = timezone.now() + timedelta(minutes=2**notification.attempts)
        notification.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
        return False
    notification.status = NotificationStatus.SENT
    notification.sent_at = timezone.now()
    notification.last_error = ""
    notification.save(update_fields=["attempts", "last_error", "status", "sent_at"])
    return True


def deliver_due(now=None):
    """Send every pending message whose retry time has come. Returns (sent, failed)."""
    now = now or timezone.now()
    due = Notification.objects.filter(status=NotificationStatus.PENDING).exclude(next_attempt_at__gt=now)
    sent = failed = 0
    for pk in due.values_list("pk", flat=True).iterator():
        if deliver(pk):
            sent += 1
        else:
            failed += 1
    return sent, failed


class RetryNotification(Action):
    """Send a message again now; a FAILED one gets a fresh set of attempts. Staff who see its case may."""

    denied = "您无权重发该通知。"

    def case_of(self, notification):
        return None

    def has_permission(self, notification):
        return notifications_visible_to(self.user).filter(pk=notification.pk).exists()

    @staticmethod
    def is_retryable(notification):
        """For listings that are already scoped to the person: the state rule alone."""
        return notification.status != NotificationStatus.SENT

    def check_state(self, notification):
        if not self.is_retryable(notification):
            raise ActionError("该通知已发送。")

    def lock(self):
        notification = Notification.objects.select_for_update(skip_locked=True).filter(pk=self.object.pk).first()
        if notification is None:
            raise ActionError("该通知正在发送，请稍后刷新查看结果。")
        return notification

    def execute(self):
        # A message has no version: its status is what the person saw, and check() re-reads it under lock.
        self.check_rights(self.object)
        with transaction.atomic():
            notification = self.lock()
            self.check(notification)
            notification.status = NotificationStatus.PENDING
            notification.next_attempt_at = timezone.now()
            notification.attempts = 0
            log_change(notification, "daiban.notification.retry", user=self.user)
            return _send(notification)
