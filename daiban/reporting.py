"""The reporting duty: each reporting unit confirms its month's 附件8 figures by the 25th.

Every unit that must report (statistics.reporting_units: each city-centre department, each county
bureau, each centre's window unit, and any unit that accepted cases in the month) has the duty, with
zeros when it had no case.

A confirmation is a locked snapshot (MonthlyReport). Confirming a month again is a
correction: it needs a note, creates a new snapshot, and the old one is kept and
points to the new one so the difference stays visible.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .models import MonthlyReport
from .models.reports import report_due_date
from .roles import COUNTY_BUREAU, WINDOW_STAFF, Scope, has_role
from .services.base import ActionError, ActionPermissionDenied
from .statistics import Figures, Period, unit_figures

__all__ = ["can_confirm", "confirm_month", "ReportingStatus", "reporting_status"]


def can_confirm(user, unit):
    """The unit's own staff, the window staff of a centre the unit runs, or a county bureau above it."""
    scope = Scope.for_user(user)
    if scope.sees_all:
        return user.is_superuser  # the city sees who confirmed; it does not confirm for the units
    if scope.unit is not None and scope.unit.pk == unit.pk:
        return True
    centre = scope.centre
    if has_role(user, WINDOW_STAFF) and centre is not None and centre.window_unit_id == unit.pk:
        return True
    return has_role(user, COUNTY_BUREAU) and scope.region is not None and unit.region.path.startswith(scope.region.path)


def confirm_month(unit, period, user, *, note=""):
    """Snapshot the unit's figures for a finished month; a second confirmation is a correction."""
    if not can_confirm(user, unit):
        raise ActionPermissionDenied("您不能确认该单位的办件统计表。")
    if not period.is_month:
        raise ActionError("只能按自然月确认办件统计表。")
    if period.end >= timezone.localdate():
        raise ActionError(f"{period.label}尚未结束，月末之后才能确认。")
    note = (note or "").strip()
    with transaction.atomic():
        current = (
            MonthlyReport.objects.select_for_update().filter(unit=unit, period=period.start, is_current=True).first()
        )
        if current is not None and not note:
            raise ActionError(
                f"{unit.name}{period.label}的统计表已于{timezone.localtime(current.confirmed_at):%Y-%m-%d}确认；更正时请填写更正说明。"
            )
        [(_unit, figures)] = unit_figures(period, units=type(unit).objects.filter(pk=unit.pk))
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
            confirmed_by=user,
            confirmed_at=timezone.now(),
        )
        if current is not None:
            current.superseded_by = report
            current.save(update_fields=["superseded_by"])
    return report


@dataclass
class ReportingStatus:
    unit: object
    live: Figures
    report: MonthlyReport | None
    previous: MonthlyReport | None
    due: object
    today: object

    @property
    def confirmed(self):
        return self.report is not None

    @property
    def is_late(self):
        if self.report is None:
            return self.today > self.due
        return self.report.is_late

    @property
    def changed_since_confirmation(self):
        """The live figures no longer match the snapshot: a correction may be needed."""
        if self.report is None:
            return False
        snapshot = (self.report.accepted, self.report.completed, self.report.satisfied)
        return snapshot != (self.live.accepted, self.live.completed, self.live.satisfied)

    @property
    def differences(self):
        return self.report.differences(self.previous) if self.report and self.previous else []


def reporting_status(period, region=None):
    """Every reporting unit of `region` (zeros included) with its live figures and its confirmation: two queries."""
    today = timezone.localdate()
    due = report_due_date(period.start)
    figures = unit_figures(period, region)
    reports = MonthlyReport.objects.filter(period=period.start, unit__in=[unit for unit, _ in figures]).select_related(
        "confirmed_by", "superseded_by"
    )
    current, previous = {}, {}
    for report in reports.order_by("confirmed_at"):
        if report.is_current:
            current[report.unit_id] = report
        else:
            previous[report.superseded_by.unit_id] = report
    return [
        ReportingStatus(unit, live, current.get(unit.pk), previous.get(unit.pk), due, today) for unit, live in figures
    ]


def month_of(report):
    return Period.containing(report.period)
