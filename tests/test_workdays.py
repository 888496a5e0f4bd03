"""Due dates on China's official calendar: holidays, 调休 working weekends, and years without data."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse

from daiban.models import WorkCalendarDay
from daiban.workdays import add_working_days, fallback_warning, is_working_day, working_days_between

pytestmark = pytest.mark.django_db

D = datetime.date


def test_same_day_for_immediate_matters():
    assert add_working_days(D(2026, 10, 1), 0) == D(2026, 10, 1)


def test_national_day_holiday_and_the_tiaoxiu_saturday():
    # chinesecalendar: 2026-10-01..07 off, Saturday 10-10 is a working day.
    assert not is_working_day(D(2026, 10, 7))
    assert is_working_day(D(2026, 10, 8))
    assert is_working_day(D(2026, 10, 10))
    # Accepted on Wednesday 09-30: 10-08, 10-09, 10-10 (Sat), 10-12, 10-13.
    assert add_working_days(D(2026, 9, 30), 5) == D(2026, 10, 13)
    assert add_working_days(D(2026, 9, 30), 3) == D(2026, 10, 10)


def test_tiaoxiu_sunday_before_national_day_counts():
    assert is_working_day(D(2026, 9, 20))  # a Sunday made a working day
    assert add_working_days(D(2026, 9, 18), 1) == D(2026, 9, 20)


def test_mid_autumn_friday_is_off():
    assert add_working_days(D(2026, 9, 24), 1) == D(2026, 9, 28)


def test_working_days_between_is_the_inverse():
    start = D(2026, 9, 18)
    for days in (0, 1, 5, 12):
        due = add_working_days(start, days)
        assert working_days_between(start, due) == days
    assert working_days_between(D(2026, 10, 13), D(2026, 9, 30)) == -5


def test_late_december_2026_gets_a_2027_due_date_without_error():
    # 2027 has no data: Monday–Friday. 12-30, 12-31, 2027-01-01 (Fri), 01-04, 01-05.
    assert add_working_days(D(2026, 12, 29), 5) == D(2027, 1, 5)
    assert "2027年尚未维护法定节假日和调休安排，按周一至周五计算" in fallback_warning([2026, 2027])
    assert fallback_warning([2026]) == ""


def test_an_administrator_maintained_2027_is_used():
    WorkCalendarDay.objects.create(date=D(2027, 1, 1), is_workday=False, name="元旦")
    assert add_working_days(D(2026, 12, 29), 5) == D(2027, 1, 6)
    assert fallback_warning([2027]) == ""


def test_stored_rows_win_over_the_library():
    WorkCalendarDay.objects.filter(date=D(2026, 10, 10)).delete()
    WorkCalendarDay.objects.create(date=D(2026, 10, 8), is_workday=False, name="国庆节")
    assert not is_working_day(D(2026, 10, 8))


def test_without_stored_rows_the_library_still_applies():
    WorkCalendarDay.objects.filter(date__year=2026).delete()
    assert add_working_days(D(2026, 9, 30), 5) == D(2026, 10, 13)


def test_seed_calendar_loads_a_year_and_warns_for_a_year_without_data(capsys):
    WorkCalendarDay.objects.filter(date__year=2026).delete()
    call_command("seed_calendar", "--year", "2026", "--year", "2027")
    out = capsys.readouterr().out
    assert "2027年：chinesecalendar 尚无数据" in out
    saturday = WorkCalendarDay.objects.get(date=D(2026, 10, 10))
    assert saturday.is_workday and saturday.name == "国庆节调休上班"
    assert WorkCalendarDay.objects.filter(date=D(2026, 10, 1), is_workday=False, name="国庆节").exists()
    assert not WorkCalendarDay.objects.filter(date__year=2027).exists()


def test_seed_calendar_keeps_what_an_administrator_changed():
    WorkCalendarDay.objects.filter(date=D(2026, 10, 7)).update(name="国庆节（已核对）", source="管理员维护")
    call_command("seed_calendar", "--year", "2026")
    assert WorkCalendarDay.objects.get(date=D(2026, 10, 7)).name == "国庆节（已核对）"


def test_calendar_admin_listing_warns_about_2027(client, django_user_model):
    admin = django_user_model.objects.create_superuser("calendar-admin", "a@example.com", "pass-word-123")
    client.force_login(admin)
    response = client.get(reverse("work_calendar:index"))
    assert response.status_code == 200
    assert "尚未维护法定节假日和调休安排，按周一至周五计算" in response.content.decode()


def test_calendar_admin_adds_a_2027_holiday(client, django_user_model):
    admin = django_user_model.objects.create_superuser("calendar-admin", "a@example.com", "pass-word-123")
    client.force_login(admin)
    response = client.post(reverse("work_calendar:add"), {"date": "2027-01-01", "is_workday": "", "name": "元旦"})
    assert response.status_code == 302
    assert WorkCalendarDay.objects.get(date=D(2027, 1, 1)).source == "管理员维护"
    assert add_working_days(D(2026, 12, 29), 5) == D(2027, 1, 6)


def test_staff_without_permission_cannot_edit_the_calendar(client):
    from daiban.roles import WINDOW_STAFF
    from tests.factories import staff_user

    user = staff_user(WINDOW_STAFF)
    client.force_login(user)
    response = client.post(reverse("work_calendar:add"), {"date": "2027-01-01", "name": "元旦"})
    assert response.status_code in (302, 403)
    assert not WorkCalendarDay.objects.filter(date=D(2027, 1, 1)).exists()


def test_dashboard_shows_the_calendar_warning(client, django_user_model):
    admin = django_user_model.objects.create_superuser("calendar-admin", "a@example.com", "pass-word-123")
    client.force_login(admin)
    response = client.get(reverse("wagtailadmin_home"))
    assert "尚未维护法定节假日和调休安排" in response.content.decode()
