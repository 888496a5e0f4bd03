"""附件8 figures by the rules of docs/domain.md, computed by the database in a constant number of queries."""

import datetime

import pytest
from django.utils import timezone

from daiban.models import CaseStatus, Evaluation, EvaluationMethod, RegionLevel, Satisfaction
from daiban.statistics import Period, format_rate, monthly_trend, statistics_table, unit_figures
from tests.factories import CaseFactory, CentreFactory, UnitFactory, city, county, make_region

pytestmark = pytest.mark.django_db

OCT = Period.month(2026, 10)


def at(day, hour=10, minute=0):
    """An aware datetime in Beijing time."""
    return timezone.make_aware(datetime.datetime(2026, *day, hour, minute))


def case_for(unit, accepted, completed=None, level=None, status=CaseStatus.IN_PROGRESS):
    centre = unit.window_centres.first() or CentreFactory(region=unit.region, window_unit=unit)
    case = CaseFactory(centre=centre, accepting_unit=unit, accepted_at=accepted, completed_at=completed, status=status)
    if level:
        Evaluation.objects.create(case=case, level=level, method=EvaluationMethod.PHONE, evaluated_at=completed)
    return case


def figures_of(unit, period=OCT):
    return dict((u.pk, f) for u, f in unit_figures(period))[unit.pk]


def test_accepted_completed_in_progress_and_satisfaction():
    unit = UnitFactory()
    case_for(unit, at((10, 3)), at((10, 8)), Satisfaction.VERY_SATISFIED, CaseStatus.COMPLETED)
    case_for(unit, at((10, 5)), at((10, 9)), Satisfaction.BASICALLY_SATISFIED, CaseStatus.COMPLETED)
    case_for(unit, at((10, 6)), at((10, 9)), Satisfaction.DISSATISFIED, CaseStatus.COMPLETED)
    case_for(unit, at((10, 20)))  # still in progress
    case_for(unit, at((9, 30)), at((10, 2)), Satisfaction.SATISFIED, CaseStatus.COMPLETED)  # accepted in September
    figures = figures_of(unit)
    assert (figures.accepted, figures.completed, figures.in_progress) == (4, 3, 1)
    assert figures.accepted == figures.in_progress + figures.completed
    assert figures.satisfaction == round(2 * 100 / 3, 2)
    assert figures.satisfaction_label == "66.67%"


def test_completed_by_another_unit_after_month_end_is_still_in_progress():
    """Unit A completed its part in October, unit B only in November: the case completes in November."""
    unit = UnitFactory()
    case_for(unit, at((10, 10)), at((11, 3)), Satisfaction.SATISFIED, CaseStatus.COMPLETED)
    october = figures_of(unit)
    assert (october.accepted, october.completed, october.in_progress) == (1, 0, 1)
    assert october.satisfaction is None and october.satisfaction_label == "—"
    # Over a longer period ending after the second completion it counts as completed.
    longer = figures_of(unit, Period(datetime.date(2026, 10, 1), datetime.date(2026, 11, 30)))
    assert (longer.accepted, longer.completed) == (1, 1)


def test_completed_case_without_evaluation_lowers_satisfaction():
    unit = UnitFactory()
    case_for(unit, at((10, 3)), at((10, 8)), Satisfaction.SATISFIED, CaseStatus.COMPLETED)
    assert figures_of(unit).satisfaction == 100
    case_for(unit, at((10, 4)), at((10, 8)), None, CaseStatus.COMPLETED)
    assert figures_of(unit).satisfaction == 50


def test_period_bounds_are_beijing_time():
    unit = UnitFactory()
    # 2026-10-31 23:30 in Beijing is still October (15:30 UTC).
    case_for(unit, at((10, 31), 23, 30), at((10, 31), 23, 50), None, CaseStatus.COMPLETED)
    # 2026-11-01 00:10 in Beijing is November although it is still October 31 in UTC.
    case_for(unit, at((11, 1), 0, 10))
    # Completed at 00:05 on November 1st (Beijing) is after the October period.
    case_for(unit, at((10, 30)), at((11, 1), 0, 5), None, CaseStatus.COMPLETED)
    figures = figures_of(unit)
    assert (figures.accepted, figures.completed) == (2, 1)


def test_withdrawn_and_never_accepted_cases_do_not_count():
    unit = UnitFactory()
    case = case_for(unit, at((10, 3)), status=CaseStatus.WITHDRAWN)
    case.closed_at = at((10, 5))
    case.save()
    case_for(unit, None, status=CaseStatus.SUBMITTED)
    assert figures_of(unit).accepted == 0


def test_no_completed_case_shows_dash_never_an_error():
    unit = UnitFactory()
    CentreFactory(region=unit.region, window_unit=unit)  # a window, no cases: reports zeros
    figures = figures_of(unit)
    assert (figures.accepted, figures.completed, figures.satisfaction) == (0, 0, None)
    assert format_rate(None) == "—"


def test_roll_up_along_the_region_tree():
    county_region = county("威远县")
    town = make_region("连界镇", RegionLevel.TOWN, parent=county_region)
    village = make_region("白塔村", RegionLevel.VILLAGE, parent=town)
    county_unit = UnitFactory(name="威远县行政审批局", region=county_region)
    town_unit = UnitFactory(name="连界镇便民服务中心", region=town)
    village_unit = UnitFactory(name="白塔村便民服务站", region=village)
    case_for(county_unit, at((10, 2)), at((10, 9)), Satisfaction.SATISFIED, CaseStatus.COMPLETED)
    case_for(town_unit, at((10, 2)), at((10, 9)), Satisfaction.VERY_DISSATISFIED, CaseStatus.COMPLETED)
    case_for(village_unit, at((10, 2)))
    case_for(village_unit, at((10, 5)), at((10, 6)), Satisfaction.BASICALLY_SATISFIED, CaseStatus.COMPLETED)

    rows = {row.name: row for row in statistics_table(OCT, city())}
    village_total = rows["白塔村合计"].figures
    town_total = rows["连界镇合计"].figures
    county_total = rows["威远县合计"].figures
    city_total = rows["内江市合计"].figures
    assert (village_total.accepted, village_total.completed, village_total.satisfied) == (2, 1, 1)
    assert (town_total.accepted, town_total.completed, town_total.satisfied) == (3, 2, 1)
    assert (county_total.accepted, county_total.completed, county_total.satisfied) == (4, 3, 2)
    assert city_total.accepted == 4
    assert county_total.satisfaction == round(200 / 3, 2)
    order = [row.name for row in statistics_table(OCT, city())]
    assert order.index("威远县合计") < order.index("威远县行政审批局") < order.index("连界镇合计")
    assert order.index("连界镇合计") < order.index("白塔村合计") < order.index("白塔村便民服务站")


def test_a_region_table_leaves_out_other_regions():
    here, there = UnitFactory(region=county("资中县")), UnitFactory(region=county("隆昌市"))
    case_for(here, at((10, 2)))
    case_for(there, at((10, 2)))
    names = [row.name for row in statistics_table(OCT, county("资中县"))]
    assert here.name in names and there.name not in names


def _populate(units, cases_per_unit):
    region = county("东兴区")
    for _i in range(units):
        unit = UnitFactory(region=region)
        for j in range(cases_per_unit):
            case_for(unit, at((10, 1 + j % 28)), at((10, 28)), Satisfaction.SATISFIED, CaseStatus.COMPLETED)


@pytest.mark.parametrize("units,cases", [(2, 1), (12, 4)])
def test_constant_number_of_queries(django_assert_num_queries, units, cases):
    _populate(units, cases)
    root = city()
    with django_assert_num_queries(2):
        rows = statistics_table(OCT, root)
    assert rows[0].figures.accepted == units * cases
    with django_assert_num_queries(1):
        unit_figures(OCT)
    with django_assert_num_queries(1):
        trend = monthly_trend(OCT.previous_months(6))
    assert [p.start.month for p, _ in trend] == [5, 6, 7, 8, 9, 10]
    assert trend[-1][1].accepted == units * cases and trend[0][1].accepted == 0


def test_period_parsing():
    assert Period.parse_month("2026-10") == OCT
    assert Period.parse_month("2026年2月").end == datetime.date(2026, 2, 28)
    assert OCT.label == "2026年10月"
    with pytest.raises(ValueError, match="格式不正确"):
        Period.parse_month("2026-13")
    with pytest.raises(ValueError, match="结束日期"):
        Period(datetime.date(2026, 10, 2), datetime.date(2026, 10, 1))
