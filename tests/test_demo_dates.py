"""`load_demo`'s backdated cases carry numbers and dates of their own days."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from daiban.models import Case

pytestmark = pytest.mark.django_db


def local_day(moment):
    return timezone.localtime(moment).date()


def test_demo_cases_are_numbered_on_the_day_they_were_submitted_and_due_after_it():
    call_command("load_demo", stdout=io.StringIO())
    cases = list(Case.objects.exclude(import_key="").filter(import_key__startswith="demo"))
    assert len(cases) > 30
    today = timezone.localdate()
    backdated = [case for case in cases if local_day(case.submitted_at) < today]
    assert len(backdated) > 20  # the six months of results, the handling and intake cases
    numbers = [case.number for case in cases]
    assert len(set(numbers)) == len(numbers)
    for case in cases:
        submitted = local_day(case.submitted_at)
        assert case.number.startswith(f"BD{submitted:%Y%m%d}"), (case.import_key, case.number, submitted)
        assert len(case.number) == 14 and case.number[10:].isdigit()
        if case.accepted_at:
            assert local_day(case.accepted_at) >= submitted, case.import_key
        if case.due_date and case.accepted_at:
            assert case.due_date >= local_day(case.accepted_at), case.import_key
        if case.completed_at:
            assert local_day(case.completed_at) >= local_day(case.accepted_at), case.import_key
    completed = [case for case in cases if case.completed_at and case.due_date]
    assert completed
    # No case carries a due date of today's making after a completion months ago.
    assert all((case.due_date - local_day(case.completed_at)).days < 60 for case in completed)


def test_a_second_run_keeps_the_numbers():
    call_command("load_demo", stdout=io.StringIO())
    first = dict(Case.objects.values_list("import_key", "number"))
    call_command("load_demo", stdout=io.StringIO())
    assert dict(Case.objects.values_list("import_key", "number")) == first
