"""The monthly 办件统计表 (附件8) as confirmed, locked snapshots.

A unit confirms its month by the 25th of the following month. A confirmed report
is never edited: a later correction is a new confirmation that supersedes the old
one, and the difference between the two stays visible.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .org import Unit

__all__ = ["MonthlyReport", "REPORT_DUE_DAY", "report_due_date", "satisfaction_rate"]

REPORT_DUE_DAY = 25
FIGURES = ("accepted", "in_progress", "completed", "satisfied")


def report_due_date(period):
    """The 25th of the month after `period` (any date inside the reported month)."""
    year, month = (period.year + 1, 1) if period.month == 12 else (period.year, period.month + 1)
    return datetime.date(year, month, REPORT_DUE_DAY)


class MonthlyReport(models.Model):
    unit = models.ForeignKey(Unit, verbose_name="报送单位", on_delete=models.PROTECT, related_name="monthly_reports")
    period = models.DateField("统计月份", help_text="该月第一天。", db_index=True)
    accepted = models.PositiveIntegerField("受理数量")
    in_progress = models.PositiveIntegerField("在办数量")
    completed = models.PositiveIntegerField("办结数量")
    satisfied = models.PositiveIntegerField("满意件数", help_text="非常满意、满意、基本满意件数之和。")
    figures = models.JSONField("统计明细", default=dict, blank=True)
    note = models.TextField("更正说明", blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="确认人", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    confirmed_at = models.DateTimeField("确认时间")
    superseded_by = models.OneToOneField(
        "self",
        verbose_name="被更正为",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supersedes",
    )
    is_current = models.BooleanField("当前有效", default=True)

    class Meta:
        verbose_name = "办件统计月报"
        verbose_name_plural = "办件统计月报"
        ordering = ["-period", "unit__name", "-confirmed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "period"], condition=Q(is_current=True), name="one_current_report_per_month"
            )
        ]

    def __str__(self):
        return f"{self.unit} {self.period:%Y年%m月}"

    @property
    def due_date(self):
        return report_due_date(self.period)

    @property
    def is_late(self):
        return timezone.localtime(self.confirmed_at).date() > self.due_date

    @property
    def satisfaction(self):
        return satisfaction_rate(self.satisfied, self.completed)

    def differences(self, previous):
        """[(label, old, new)] for every figure that changed since `previous`."""
        return [
            (self._meta.get_field(name).verbose_name, getattr(previous, name), getattr(self, name))
            for name in FIGURES
            if getattr(previous, name) != getattr(self, name)
        ]


def satisfaction_rate(satisfied, completed):
    """满意度 in percent, or None when nothing is completed (shown as "—")."""
    if not completed:
        return None
    return round(satisfied * 100 / completed, 2)
