"""The 办件统计表 (附件8) figures, by the rules in docs/domain.md ("Monthly statistics"), computed by the database.

For a unit and a period (Beijing time):

- 受理 = cases its 帮办代办 window accepted in the period (a case withdrawn by the end
  of the period is not counted: it was never going to be completed);
- 办结 = those of them completed (Case.completed_at) by the end of the period;
- 在办 = 受理 − 办结;
- 满意度 = (非常满意 + 满意 + 基本满意 among the completed) / 办结 × 100 %, None ("—") when 办结 = 0.
  A completed case without an evaluation counts in the denominator.

Every unit that must report has a row, zeros included (DESIGN.md; policy item 四 and 附件8 说明3):
each department stationed at the city's 政务服务中心, each county bureau (行政审批局 / 行政审批服务局)
and each unit running a centre's 帮办代办 window; a unit outside these that accepted cases in the
period has its row too, so no case is lost from the totals. Units roll up along the region tree
(village → town → county → city).

Every function here runs a constant number of queries, whatever the number of units or cases, and
reads only the cases accepted in the period asked (the period is in WHERE or in the join, where the
(accepting_unit, accepted_at) and accepted_at indexes serve it), so its cost follows the period, not
all history.
"""

import calendar
import datetime
import re
from dataclasses import dataclass, field

from django.db.models import Count, Exists, FilteredRelation, OuterRef, Q
from django.utils import timezone

from .models import Case, CaseStatus, CentreLevel, Region, RegionLevel, ServiceCentre, Unit
from .models.cases import SATISFIED_LEVELS
from .models.reports import satisfaction_rate

__all__ = [
    "Period",
    "Figures",
    "StatRow",
    "unit_figures",
    "statistics_table",
    "monthly_trend",
    "reporting_units",
    "format_rate",
]


def format_rate(rate):
    """The one 满意度 format of every page, print and export: "66.67%", "—" without a completed case."""
    return "—" if rate is None else f"{rate:.2f}%"


@dataclass(frozen=True)
class Period:
    """Whole days from `start` to `end` inclusive, in Beijing time."""

    start: datetime.date
    end: datetime.date

    @classmethod
    def month(cls, year, month):
        return cls(datetime.date(year, month, 1), datetime.date(year, month, calendar.monthrange(year, month)[1]))

    @classmethod
    def parse_month(cls, text):
        """'2026-10' → October 2026; ValueError with a Chinese message otherwise."""
        match = re.fullmatch(r"\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*", text or "")
        if not match or not 1 <= int(match[2]) <= 12:
            raise ValueError(f"月份“{text}”格式不正确，应为 YYYY-MM，例如 2026-10。")
        return cls.month(int(match[1]), int(match[2]))

    @classmethod
    def containing(cls, day):
        return cls.month(day.year, day.month)

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError("统计期间的结束日期不能早于开始日期。")

    @property
    def is_month(self):
        return self == Period.containing(self.start)

    @property
    def label(self):
        if self.is_month:
            return f"{self.start.year}年{self.start.month}月"
        return f"{self.start:%Y-%m-%d} 至 {self.end:%Y-%m-%d}"

    @property
    def start_at(self):
        return _local_midnight(self.start)

    @property
    def end_at(self):
        """The first instant after the period (exclusive bound)."""
        return _local_midnight(self.end + datetime.timedelta(days=1))

    def previous_months(self, count):
        """The `count` calendar months ending with the month of `end`, oldest first."""
        year, month = self.end.year, self.end.month
        months = []
        for _ in range(count):
            months.append(Period.month(year, month))
            year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        return months[::-1]


def _local_midnight(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min), timezone.get_default_timezone())


@dataclass
class Figures:
    accepted: int = 0
    completed: int = 0
    satisfied: int = 0

    @property
    def in_progress(self):
        return self.accepted - self.completed

    @property
    def satisfaction(self):
        return satisfaction_rate(self.satisfied, self.completed)

    @property
    def satisfaction_label(self):
        return format_rate(self.satisfaction)

    def add(self, other):
        self.accepted += other.accepted
        self.completed += other.completed
        self.satisfied += other.satisfied

    def as_dict(self):
        return {
            "accepted": self.accepted,
            "in_progress": self.in_progress,
            "completed": self.completed,
            "satisfied": self.satisfied,
        }


@dataclass
class StatRow:
    """A line of the table: a unit, or the roll-up of a region."""

    kind: str  # "unit" or "region"
    name: str
    depth: int
    figures: Figures = field(default_factory=Figures)
    unit: object = None
    region: object = None

    @property
    def is_region(self):
        return self.kind == "region"


def _case_filters(period, prefix=""):
    """(counted, completed, satisfied) Q objects for cases reached through `prefix`."""

    def q(**kwargs):
        return Q(**{f"{prefix}{key}": value for key, value in kwargs.items()})

    counted = (
        q(accepted_at__gte=period.start_at, accepted_at__lt=period.end_at)
        & ~q(status=CaseStatus.WITHDRAWN, closed_at__lt=period.end_at)
        & ~q(status=CaseStatus.REJECTED)
    )
    completed = counted & q(completed_at__lt=period.end_at)
    satisfied = completed & q(evaluation__level__in=SATISFIED_LEVELS)
    return counted, completed, satisfied


# County bureaus by their names: 行政审批局 in counties and districts, 行政审批服务局 in the development zones.
BUREAU_SUFFIXES = ("行政审批局", "行政审批服务局")


def must_report_q():
    """Units that must report monthly whether or not they had cases (policy item 四, 附件8 说明3)."""
    window_units = ServiceCentre.objects.filter(window_unit__isnull=False).values("window_unit")
    city_departments = Unit.centres.through.objects.filter(
        servicecentre__level=CentreLevel.GOV_CENTRE, servicecentre__region__level=RegionLevel.CITY
    ).values("unit")
    bureau = Q(region__level=RegionLevel.COUNTY) & Q(
        Q(name__endswith=BUREAU_SUFFIXES[0]) | Q(name__endswith=BUREAU_SUFFIXES[1])
    )
    return Q(is_active=True) & (Q(pk__in=window_units) | Q(pk__in=city_departments) | bureau)


def accepted_in(period):
    """Cases accepted in the period: a range on the accepted_at index."""
    return Case.objects.filter(accepted_at__gte=period.start_at, accepted_at__lt=period.end_at)


def reporting_units(region=None, period=None):
    """The units of `region` and below with a row in 附件8.

    Those that must report, and those that accepted cases in `period` (with no period: ever, probed
    per unit on the (accepting_unit, accepted_at) index).
    """
    if period is not None:
        with_cases = accepted_in(period).values("accepting_unit")
    else:
        with_cases = Unit.objects.filter(Exists(Case.objects.filter(accepting_unit=OuterRef("pk")))).values("pk")
    units = Unit.objects.filter(must_report_q() | Q(pk__in=with_cases))
    if region is not None:
        units = units.filter(region__path__startswith=region.path)
    return units


def unit_figures(period, region=None, units=None):
    """[(unit, Figures)] for every reporting unit, in one query.

    The unit's cases are joined with the period in the join condition, so only the period's cases are
    read; the case–evaluation join is one-to-one, so plain counts are exact.
    """
    units = reporting_units(region, period) if units is None else units
    counted, completed, satisfied = _case_filters(period, "period_cases__")
    rows = (
        Unit.objects.filter(pk__in=units.values("pk"))
        .select_related("region")
        .annotate(
            period_cases=FilteredRelation(
                "accepted_cases",
                condition=Q(
                    accepted_cases__accepted_at__gte=period.start_at, accepted_cases__accepted_at__lt=period.end_at
                ),
            ),
            n_accepted=Count("period_cases", filter=counted),
            n_completed=Count("period_cases", filter=completed),
            n_satisfied=Count("period_cases", filter=satisfied),
        )
        .order_by("region__path", "name")
    )
    return [(unit, Figures(unit.n_accepted, unit.n_completed, unit.n_satisfied)) for unit in rows]


def statistics_table(period, region=None):
    """Region roll-ups and their units in tree order: two queries."""
    per_unit = unit_figures(period, region)
    regions = Region.objects.order_by("path")
    if region is not None:
        regions = regions.filter(path__startswith=region.path)
    regions = list(regions)
    top_depth = regions[0].depth if regions else 1
    totals = {r.path: Figures() for r in regions}
    units_by_region = {}
    for unit, figures in per_unit:
        units_by_region.setdefault(unit.region.path, []).append((unit, figures))
        for end in range(Region.steplen, len(unit.region.path) + 1, Region.steplen):
            if unit.region.path[:end] in totals:
                totals[unit.region.path[:end]].add(figures)
    rows = []
    for r in regions:
        if not any(path.startswith(r.path) for path in units_by_region):
            continue
        depth = r.depth - top_depth
        rows.append(StatRow("region", f"{r.name}合计", depth, totals[r.path], region=r))
        for unit, figures in units_by_region.get(r.path, []):
            rows.append(StatRow("unit", unit.name, depth + 1, figures, unit=unit, region=r))
    return rows


def grand_total(rows):
    """The roll-up of the top region(s) of a table."""
    total = Figures()
    top = min((row.depth for row in rows if row.is_region), default=0)
    for row in rows:
        if row.is_region and row.depth == top:
            total.add(row.figures)
    return total


def monthly_trend(months, region=None):
    """[(Period, Figures)] for consecutive periods, by conditional aggregation in one query.

    Only the cases accepted within the months shown are read.
    """
    if not months:
        return []
    cases = accepted_in(Period(months[0].start, months[-1].end))
    if region is not None:
        cases = cases.filter(accepting_unit__region__path__startswith=region.path)
    else:
        cases = cases.filter(accepting_unit__isnull=False)
    aggregates = {}
    for i, period in enumerate(months):
        counted, completed, satisfied = _case_filters(period)
        aggregates[f"a{i}"] = Count("pk", filter=counted)
        aggregates[f"c{i}"] = Count("pk", filter=completed)
        aggregates[f"s{i}"] = Count("pk", filter=satisfied)
    values = cases.aggregate(**aggregates)
    return [(p, Figures(values[f"a{i}"], values[f"c{i}"], values[f"s{i}"])) for i, p in enumerate(months)]
