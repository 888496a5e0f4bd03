"""The reporting duty as it stands: each reporting unit, its live 附件8 figures and its confirmation.

Every unit that must report (statistics.reporting_units: each city-centre department, each county
bureau, each centre's window unit, and any unit that accepted cases in the month) has the duty, with
zeros when it had no case. Confirming is an action (daiban.services.reporting.ConfirmMonth); this
module only reads.
"""

from dataclasses import dataclass

from django.utils import timezone

from .models import MonthlyReport
from .models.reports import report_due_date
from .statistics import Figures, unit_figures

__all__ = ["ReportingStatus", "reporting_status"]


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
