"""Statistics, ledger export and ledger listing over many cases."""

import datetime
import io
import random

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from daiban.excel.ledger import ledger_cases, write_ledger
from daiban.models import Case, CaseStatus, Evaluation, EvaluationMethod, Satisfaction, UnitFlow
from daiban.statistics import Period, statistics_table
from tests.factories import CentreFactory, UnitFactory, county

pytestmark = pytest.mark.django_db

CASES = 20_000


@pytest.fixture
def many_cases():
    rng = random.Random(7)
    units = [UnitFactory(region=county(name)) for name in ("资中县", "东兴区", "威远县", "隆昌市") for _ in range(5)]
    centres = {unit.region_id: CentreFactory(region=unit.region) for unit in units}
    start = timezone.make_aware(datetime.datetime(2026, 1, 5, 10))
    cases = []
    for n in range(CASES):
        unit = rng.choice(units)
        accepted = start + datetime.timedelta(hours=rng.randrange(0, 24 * 300))
        done = rng.random() < 0.7
        cases.append(
            Case(
                number=f"BB{n:010d}",
                query_code="000000",
                applicant_name=f"压测申请人{n}",
                contact_name=f"压测申请人{n}",
                contact_phone=f"138{n:08d}",
                matter_text="城镇职工基本养老保险关系转移接续",
                centre=centres[unit.region_id],
                region=unit.region,
                accepting_unit=unit,
                status=CaseStatus.COMPLETED if done else CaseStatus.IN_PROGRESS,
                accepted_at=accepted,
                completed_at=accepted + datetime.timedelta(days=rng.randrange(1, 20)) if done else None,
            )
        )
    Case.objects.bulk_create(cases, batch_size=2000)
    saved = list(Case.objects.values_list("pk", "accepting_unit_id", "completed_at"))
    UnitFlow.objects.bulk_create(
        [UnitFlow(case_id=pk, unit_id=unit_id, completed_on=done and done.date()) for pk, unit_id, done in saved],
        batch_size=2000,
    )
    levels = list(Satisfaction.values)
    Evaluation.objects.bulk_create(
        [
            Evaluation(case_id=pk, level=rng.choice(levels), method=EvaluationMethod.ONLINE, evaluated_at=done)
            for pk, _unit, done in saved
            if done and rng.random() < 0.8
        ],
        batch_size=2000,
    )
    return CASES


def test_monthly_statistics(bench, many_cases):
    with bench(f"附件8 statistics, one month, {many_cases} cases"):
        rows = statistics_table(Period.month(2026, 6))
    assert rows


def test_statistics_for_the_year(bench, many_cases):
    with bench(f"附件8 statistics, whole year, {many_cases} cases"):
        rows = statistics_table(Period(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)))
    assert rows


def test_ledger_export(bench, bench_memory, many_cases):
    target = io.BytesIO()
    with bench(f"附件4 ledger export, {many_cases} cases"):
        write_ledger(ledger_cases(), target)
    assert target.tell() > 0
    with bench_memory(f"附件4 ledger export, {many_cases} cases (memory)"):
        write_ledger(ledger_cases(), io.BytesIO())


def test_ledger_listing(bench, client, many_cases):
    client.force_login(User.objects.create_superuser("bench", "bench@example.com", "x"))
    url = "/admin/daiban/case/"
    client.get(url)  # warm caches (content types, menus)
    with bench(f"台账 listing page 1, {many_cases} cases"):
        response = client.get(url)
    assert response.status_code == 200
    with bench(f"台账 listing filtered + searched, {many_cases} cases"):
        response = client.get(url, {"q": "压测申请人1999", "status__exact": "completed"})
    assert response.status_code == 200
