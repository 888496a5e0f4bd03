"""The durable outbox: a message is stored with the change that causes it, then sent."""

from django.db import models

from .cases import Case

__all__ = ["Notification", "NotificationChannel", "NotificationStatus"]


class NotificationChannel(models.TextChoices):
    SMS = "sms", "短信"
    EMAIL = "email", "邮件"


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"


class Notification(models.Model):
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
