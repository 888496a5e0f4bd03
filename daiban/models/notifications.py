"""The durable outbox: a message is stored with the change that causes it, then sent."""

from django.db import models

from .cases import Case
from .org import Liaison

__all__ = ["Notification", "NotificationChannel", "NotificationStatus", "SentReminder"]


class NotificationChannel(models.TextChoices):
    SMS = "sms", "短信"
    EMAIL = "email", "邮件"


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"


class Notification(models.Model):
    # Messages are history, never content: no reference-index job for each message queued.
    wagtail_reference_index_ignore = True

    channel = models.CharField("渠道", max_length=8, choices=NotificationChannel.choices)
    recipient = models.CharField("接收人", max_length=200)
    subject = models.CharField("标题", max_length=200, blank=True)
    body = models.TextField("内容")
    case = models.ForeignKey(
        Case, verbose_name="办件", on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications"
    )
    status = models.CharField(
        "状态", max_length=8, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_error = models.CharField("最近错误", max_length=300, blank=True)
    next_attempt_at = models.DateTimeField("下次尝试", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知发件箱"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.recipient}"


class SentReminder(models.Model):
    """One 超时预警 line told to one person on one day, so a second cron run that day tells nobody twice.

    `subject` names what the line is about: "flow:<pk>" for a unit's flow, "case:<pk>" for an unrouted case.
    """

    day = models.DateField("提醒日期")
    liaison = models.ForeignKey(Liaison, verbose_name="提醒对象", on_delete=models.CASCADE, related_name="+")
    subject = models.CharField("提醒事项", max_length=30)
    case = models.ForeignKey(Case, verbose_name="办件", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField("发送时间", auto_now_add=True)

    class Meta:
        verbose_name = "已发超时预警"
        verbose_name_plural = "已发超时预警"
        constraints = [
            models.UniqueConstraint(fields=["day", "liaison", "subject"], name="one_reminder_per_subject_and_day")
        ]
