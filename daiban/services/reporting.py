"""Confirming a month's 附件8 figures (the reporting duty, due by the 25th).

A confirmation is a locked snapshot (MonthlyReport). Confirming a month again is a
correction: it needs a note, creates a new snapshot, and the old one is kept and
points to the new one so the difference stays visible.
"""

from django.utils import timezone

from ..models import MonthlyReport, Unit
from ..permissions import can_confirm_report
from ..statistics import unit_figures
from .audit import log_change
from .base import Action, ActionError, ConcurrentUpdate

__all__ = ["ConfirmMonth", "confirm_month", "confirmations_seen"]


def confirmations_seen(unit, period):
    """ConfirmMonth's version: how many confirmations of the unit's month exist now."""
    return MonthlyReport.objects.filter(unit=unit, period=period.start).count()


class ConfirmMonth(Action):
    """Snapshot a unit's figures for a finished month; a second confirmation is a correction.

    The version is the number of confirmations of that unit and month the person saw
    (0 for none), so two people confirming at once cannot both write a first snapshot.
    """

    denied = "您不能确认该单位的办件统计表。"

    def __init__(self, unit, *, period, user=None, version=None):
        super().__init__(unit, user=user, version=version)
        self.period = period

    @classmethod
    def run(cls, unit, *, period, user=None, version, note=""):
        return cls(unit, period=period, user=user, version=version).execute(note=note)

    def version_of(self, unit):
        return confirmations_seen(unit, self.period)

    def case_of(self, unit):
        return None

    def has_permission(self, unit):
        return can_confirm_report(self.user, unit)

    def clean(self, *, note=""):
        period = self.period
        if not period.is_month:
            raise ActionError("只能按自然月确认办件统计表。")
        if period.end >= timezone.localdate():
            raise ActionError(f"{period.label}尚未结束，月末之后才能确认。")
        return {"period": period, "note": (note or "").strip()}

    def lock(self):
        return Unit.objects.select_for_update().get(pk=self.object.pk)

    def perform(self, unit, *, period, note):
        confirmations = MonthlyReport.objects.filter(unit=unit, period=period.start)
        current = confirmations.filter(is_current=True).first()
        if current is not None and not note:
            raise ActionError(
                f"{unit.name}{period.label}的统计表已于{timezone.localtime(current.confirmed_at):%Y-%m-%d}确认；"
                "更正时请填写更正说明。"
            )
        if int(self.version) != confirmations.count():
            raise ConcurrentUpdate("该单位本月的统计表刚被其他人确认或更正，请刷新页面查看后再操作。")
        [(_unit, figures)] = unit_figures(period, units=Unit.objects.filter(pk=unit.pk))
        if current is not None:
            current.is_current = False
            current.save(update_fields=["is_current"])
        report = MonthlyReport.objects.create(
            unit=unit,
            period=period.start,
            accepted=figures.accepted,
            in_progress=figures.in_progress,
            completed=figures.completed,
            satisfied=figures.satisfied,
            figures={**figures.as_dict(), "unit": unit.name},
            note=note,
            confirmed_by=self.user,
            confirmed_at=timezone.now(),
        )
        if current is not None:
            current.superseded_by = report
            current.save(update_fields=["superseded_by"])
        log_change(report, "daiban.report.confirm", user=self.user, data={"unit": unit.name, "period": period.label})
        return report


confirm_month = ConfirmMonth.run
