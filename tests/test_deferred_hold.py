"""容缺 holds: no 办结 or 归档 while a deferred material is owed, unless received or waived with a reason."""

import datetime

import pytest
from django.utils import timezone
from wagtail.models import ModelLogEntry

from daiban.models import CaseStatus, DeferredMaterial
from daiban.roles import COUNTY_BUREAU, WINDOW_STAFF
from daiban.services import intake, results
from daiban.services.base import ActionError, ActionPermissionDenied, current_version
from tests.intake_setup import PASSWORD, grant_admin_access
from tests.results_setup import case_in, supervisor, window, window_clerk

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    grant_admin_access(WINDOW_STAFF, COUNTY_BUREAU)
    unit, centre = window()
    return unit, centre, window_clerk(centre, username="hold_clerk")


def owed(case, name="村委会证明", days=3):
    return DeferredMaterial.objects.create(
        case=case, name=name, due_date=timezone.localdate() + datetime.timedelta(days)
    )


def pickup(case, clerk):
    return results.record_pickup(
        case, user=clerk, collected_by="张三", identity_checked=True, version=current_version(case)
    )


def test_delivery_is_refused_naming_the_outstanding_material(desk):
    unit, centre, clerk = desk
    case = case_in(CaseStatus.RESULTS_RETURNED, unit, centre)
    owed(case)
    with pytest.raises(ActionError, match="村委会证明.*尚未补交"):
        pickup(case, clerk)
    case.refresh_from_db()
    assert case.status == CaseStatus.RESULTS_RETURNED
    assert not results.RecordPickup(case, user=clerk).is_possible()


def test_delivery_allowed_after_receipt(desk):
    unit, centre, clerk = desk
    case = case_in(CaseStatus.RESULTS_RETURNED, unit, centre)
    material = owed(case)
    intake.receive_deferred(case, user=clerk, material_id=material.pk, version=current_version(case))
    pickup(case, clerk)
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED


def test_waiver_needs_a_reason_is_recorded_and_releases_the_hold(desk):
    unit, centre, clerk = desk
    case = case_in(CaseStatus.RESULTS_RETURNED, unit, centre)
    material = owed(case)
    with pytest.raises(ActionError, match="原因"):
        intake.waive_deferred(case, user=clerk, material_id=material.pk, reason="  ", version=current_version(case))
    intake.waive_deferred(
        case, user=clerk, material_id=material.pk, reason="已在部门系统核验", version=current_version(case)
    )
    material.refresh_from_db()
    assert material.waived_by == clerk and material.waive_reason == "已在部门系统核验"
    event = case.events.get(action="waive_deferred")
    assert event.note == "已在部门系统核验" and event.actor == clerk
    assert ModelLogEntry.objects.filter(action="daiban.case.waive_deferred", object_id=str(case.pk)).exists()
    assert not DeferredMaterial.objects.filter(case=case).outstanding().exists()
    pickup(case, clerk)
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED


def test_archive_is_refused_while_owed(desk):
    unit, centre, clerk = desk
    case = case_in(CaseStatus.COMPLETED, unit, centre)
    owed(case, name="营业执照复印件")
    with pytest.raises(ActionError, match="营业执照复印件"):
        results.archive_case(case, user=clerk, version=current_version(case))
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED


def test_wrong_roles_cannot_waive(desk):
    unit, centre, clerk = desk
    case = case_in(CaseStatus.RESULTS_RETURNED, unit, centre)
    material = owed(case)
    _other_unit, other_centre = window(name="威远县行政审批局")
    for user in (window_clerk(other_centre, username="other_clerk"), supervisor(username="hold_bureau")):
        with pytest.raises(ActionPermissionDenied):
            intake.waive_deferred(case, user=user, material_id=material.pk, reason="x", version=current_version(case))
    material.refresh_from_db()
    assert material.is_outstanding


def test_case_page_offers_waiver_and_refuses_the_wrong_window(client, desk):
    unit, centre, clerk = desk
    case = case_in(CaseStatus.RESULTS_RETURNED, unit, centre)
    material = owed(case)
    client.login(username="hold_clerk", password=PASSWORD)
    page = client.get(f"/admin/cases/{case.pk}/").content.decode()
    assert "免于补交" in page
    _other_unit, other_centre = window(name="威远县行政审批局")
    window_clerk(other_centre, username="other_clerk")
    other = client.__class__()
    other.login(username="other_clerk", password=PASSWORD)
    post = {"version": current_version(case), "material_id": material.pk, "reason": "不再需要"}
    assert other.post(f"/admin/cases/{case.pk}/action/waive_deferred/", post).status_code in (403, 404)
    material.refresh_from_db()
    assert material.is_outstanding
    response = client.post(f"/admin/cases/{case.pk}/action/waive_deferred/", post)
    assert response.status_code == 302
    material.refresh_from_db()
    assert not material.is_outstanding


def test_progress_lists_only_what_is_still_owed(client, desk):
    unit, centre, clerk = desk
    case = case_in(CaseStatus.RESULTS_RETURNED, unit, centre)
    received = owed(case, name="村委会证明")
    owed(case, name="房产证复印件")
    intake.receive_deferred(case, user=clerk, material_id=received.pk, version=current_version(case))
    response = client.post("/progress/", {"number": case.number, "secret": case.contact_phone}, follow=True)
    html = response.content.decode()
    assert "房产证复印件" in html
    assert "村委会证明" not in html.split("需要稍后补交的材料")[-1].split("办理记录")[0]
