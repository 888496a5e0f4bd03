"""Scope: window staff see and act on their own centre's cases only; supervisors see their region. Tried by URL."""

import pytest

from daiban.models import CaseEvent, CaseStatus, OneTimeNotice
from daiban.services import intake
from daiban.services.base import ActionPermissionDenied
from tests.intake_setup import PASSWORD, World

pytestmark = pytest.mark.django_db

ACTION_POSTS = {
    "reject": {"reason": "不在范围", "redirect_unit": "县公安局"},
    "request_supplement": {"extra_items": "户口簿"},
    "supplement": {"note": "已补"},
    "accept": {"window_opinion": "同意", "deferred-TOTAL_FORMS": "0", "deferred-INITIAL_FORMS": "0"},
    "withdraw": {"reason": "申请人要求"},
    "receive_deferred": {"material_id": "1"},
    "waive_deferred": {"material_id": "1", "reason": "不再需要"},
}


@pytest.fixture
def world():
    return World()


@pytest.fixture
def case(world):
    case = world.online_case()
    intake.request_supplement(case, user=world.window, items=[{"name": "户口簿"}], version=case.version)
    case.refresh_from_db()
    return case


def snapshot(case):
    case.refresh_from_db()
    return case.status, case.version, CaseEvent.objects.filter(case=case).count()


@pytest.mark.parametrize("username", ["wy_window", "wy_bureau"])
def test_other_centre_cannot_open_or_act_on_the_case(client, world, case, username):
    notice = OneTimeNotice.objects.get(case=case)
    attachment_free_urls = [
        f"/admin/cases/{case.pk}/",
        f"/admin/cases/{case.pk}/print/application/",
        f"/admin/cases/{case.pk}/print/notice/{notice.pk}/",
    ]
    client.login(username=username, password=PASSWORD)
    before = snapshot(case)
    for url in attachment_free_urls:
        assert client.get(url).status_code == 404, url
    for action, data in ACTION_POSTS.items():
        response = client.post(f"/admin/cases/{case.pk}/action/{action}/", {"version": case.version, **data})
        assert response.status_code == 404, action
    assert snapshot(case) == before
    assert case.number not in client.get("/admin/daiban/case/").content.decode()


def test_supervisor_of_the_region_can_view_but_not_act(client, world, case):
    client.login(username="zz_bureau", password=PASSWORD)
    before = snapshot(case)
    assert client.get(f"/admin/cases/{case.pk}/").status_code == 200
    for action, data in ACTION_POSTS.items():
        response = client.post(f"/admin/cases/{case.pk}/action/{action}/", {"version": case.version, **data})
        assert response.status_code == 403, action
    assert snapshot(case) == before


def test_city_guidance_sees_every_case_but_does_not_act_as_a_window(client, world, case):
    """Seeing is not acting: the city supervises; the window of the case's centre screens it."""
    client.login(username="city_guidance", password=PASSWORD)
    page = client.get(f"/admin/cases/{case.pk}/")
    assert page.status_code == 200 and "登记补正" not in page.content.decode()
    before = snapshot(case)
    for action, data in ACTION_POSTS.items():
        response = client.post(f"/admin/cases/{case.pk}/action/{action}/", {"version": case.version, **data})
        assert response.status_code == 403, action
    assert snapshot(case) == before


def test_anonymous_is_sent_to_login(client, case):
    response = client.get(f"/admin/cases/{case.pk}/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    response = client.post(f"/admin/cases/{case.pk}/action/supplement/", {"version": case.version})
    assert response.status_code == 302
    assert snapshot(case)[0] == CaseStatus.PENDING_SUPPLEMENT


def test_services_refuse_other_centres_staff(world, case):
    with pytest.raises(ActionPermissionDenied):
        intake.register_supplement(case, user=world.other_window, version=case.version)
    with pytest.raises(ActionPermissionDenied):
        intake.register_at_window(world.other_window, world.details())
    assert snapshot(case)[0] == CaseStatus.PENDING_SUPPLEMENT


def test_supervisors_do_not_register_requests(client, world):
    client.login(username="zz_bureau", password=PASSWORD)
    assert client.get("/admin/cases/register/").status_code in (302, 403)
