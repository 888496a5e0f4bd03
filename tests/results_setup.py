"""Set-up shared by the results tests: a window, its staff and cases in the later states."""

import datetime

from django.utils import timezone

from daiban.models import CaseStatus, Evaluation, EvaluationMethod, FlowStatus, UnitFlow
from daiban.roles import CITY_GUIDANCE, COUNTY_BUREAU, WINDOW_STAFF
from tests.factories import CaseFactory, CentreFactory, UnitFactory, city, county, staff_user


def window(name="资中县行政审批局", region=None):
    """A unit running the 帮办代办 window of a centre."""
    region = region or county()
    unit = UnitFactory(name=name, region=region)
    centre = CentreFactory(region=region, window_unit=unit)
    unit.centres.add(centre)
    return unit, centre


def window_clerk(centre, **kwargs):
    return staff_user(WINDOW_STAFF, centre=centre, **kwargs)


def supervisor(region=None, **kwargs):
    return staff_user(COUNTY_BUREAU, region=region or county(), **kwargs)


def city_staff(**kwargs):
    return staff_user(CITY_GUIDANCE, region=city(), **kwargs)


def case_in(status, unit, centre, *, accepted_at=None, completed_at=None, phone="13800001234", **kwargs):
    """A case set up directly in a later state (the earlier steps belong to other capabilities)."""
    accepted_at = accepted_at or timezone.now() - datetime.timedelta(days=5)
    if completed_at is None and status in (CaseStatus.COMPLETED, CaseStatus.ARCHIVED, CaseStatus.RESULTS_RETURNED):
        completed_at = accepted_at + datetime.timedelta(days=2)
    case = CaseFactory(
        status=status,
        centre=centre,
        accepting_unit=unit,
        accepted_at=accepted_at,
        completed_at=completed_at,
        contact_phone=phone,
        **kwargs,
    )
    UnitFlow.objects.create(
        case=case,
        unit=unit,
        status=FlowStatus.COMPLETED if completed_at else FlowStatus.ACCEPTED,
        accepted_on=timezone.localtime(accepted_at).date(),
        completed_on=timezone.localtime(completed_at).date() if completed_at else None,
    )
    return case


def evaluate(case, level, method=EvaluationMethod.PHONE):
    return Evaluation.objects.create(case=case, level=level, method=method, evaluated_at=timezone.now())
