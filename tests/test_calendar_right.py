"""The calendar warning shows only to those who may maintain the calendar: the city's 审批指导科."""

import pytest
from django.urls import reverse

from daiban.models import WorkCalendarDay
from daiban.roles import CITY_GUIDANCE, COUNTY_BUREAU, WINDOW_STAFF
from tests.factories import city, staff_user
from tests.intake_setup import grant_admin_access

pytestmark = pytest.mark.django_db

WARNING = "尚未维护法定节假日和调休安排"


def test_city_guidance_is_warned_and_may_maintain_the_calendar(client):
    grant_admin_access(CITY_GUIDANCE)
    client.force_login(staff_user(CITY_GUIDANCE, region=city()))
    assert WARNING in client.get(reverse("wagtailadmin_home")).content.decode()
    assert client.get(reverse("work_calendar:index")).status_code == 200
    response = client.post(reverse("work_calendar:add"), {"date": "2027-01-01", "is_workday": "", "name": "元旦"})
    assert response.status_code == 302
    assert WorkCalendarDay.objects.filter(date="2027-01-01").exists()


@pytest.mark.parametrize("role", [WINDOW_STAFF, COUNTY_BUREAU])
def test_other_roles_are_not_warned_and_cannot_open_it(client, role):
    grant_admin_access(role)
    client.force_login(staff_user(role))
    home = client.get(reverse("wagtailadmin_home"))
    assert home.status_code == 200
    assert WARNING not in home.content.decode()
    assert client.get(reverse("work_calendar:index")).status_code in (302, 403)
