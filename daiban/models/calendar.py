"""The official work calendar: the days that differ from a Monday–Friday week.

A row is either a public holiday falling on a weekday (is_workday=False) or a
weekend day made into a working day (调休, is_workday=True). A year counts as
maintained once it has any row; see daiban.workdays for how dates are counted.
"""

from django.db import models
from wagtail.admin.panels import FieldPanel

__all__ = ["WorkCalendarDay"]


class WorkCalendarDay(models.Model):
    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("上班", default=False, help_text="勾选：周末调休上班；不勾选：法定节假日放假。")
    name = models.CharField("名称", max_length=50, blank=True, help_text="如“国庆节”“国庆节调休上班”。")
    source = models.CharField("来源", max_length=30, blank=True, help_text="chinesecalendar 或 管理员维护。")

    panels = [FieldPanel("date"), FieldPanel("is_workday"), FieldPanel("name")]

    class Meta:
        verbose_name = "工作日历"
        verbose_name_plural = "工作日历（节假日与调休）"
        ordering = ["-date"]

    def __str__(self):
        kind = "调休上班" if self.is_workday else "放假"
        return f"{self.date:%Y-%m-%d} {self.name or kind}"

    @property
    def kind_label(self):
        return "调休上班" if self.is_workday else "放假"
