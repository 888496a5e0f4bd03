"""Public /progress/: number plus phone or query code, public timeline only, masked data, rate limit, withdrawal."""

import pytest

from daiban.models import CaseEvent, CaseStatus
from daiban.services import intake
from tests.intake_setup import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def look_up(client, number, secret, **extra):
    return client.post("/progress/", {"number": number, "secret": secret}, **extra)


def test_number_and_phone_show_the_public_timeline(client, world):
    case = world.case_in(CaseStatus.ACCEPTED)
    CaseEvent.objects.create(case=case, action="note", label="内部备注：请联系科长13900009999", is_public=False)
    response = look_up(client, case.number.lower(), "138 0000 1234")
    assert response.status_code == 302
    html = client.get("/progress/").content.decode()
    assert case.number in html and "已受理" in html and "提交网上申请" in html
    assert "内部备注" not in html and "13900009999" not in html
    assert "138****1234" in html and "13800001234" not in html
    assert "王建国" in html  # the applicant's own name, after the check
    assert 'aria-current="step"' in html


def test_query_code_works_too(client, world):
    case = world.online_case()
    assert look_up(client, case.number, case.query_code).status_code == 302


def test_rejection_reason_and_unit_are_shown_but_not_internal_notes(client, world):
    case = world.case_in(CaseStatus.REJECTED)
    look_up(client, case.number, "13800001234")
    html = client.get("/progress/").content.decode()
    assert "不予受理" in html and "请向县公安局申请办理" in html


def test_a_wrong_pair_gets_one_generic_message(client, world):
    case = world.online_case()
    wrong_phone = look_up(client, case.number, "13900000000").content.decode()
    wrong_number = look_up(client, "BD200001010001", "13800001234").content.decode()
    message = "办件编号与联系电话（或查询码）不匹配"
    assert message in wrong_phone and message in wrong_number
    assert case.applicant_name not in wrong_phone


def test_repeated_failures_are_rate_limited(client, world):
    case = world.online_case()
    for _ in range(10):
        assert look_up(client, case.number, "13900000000").status_code == 404
    response = look_up(client, case.number, "13800001234")
    assert response.status_code == 429
    assert "查询失败次数过多" in response.content.decode()


def test_failures_per_case_number_are_limited_across_addresses_but_not_for_the_applicant(client, world):
    case = world.online_case()
    for i in range(10):
        look_up(client, case.number, "13900000000", REMOTE_ADDR=f"10.0.0.{i}")
    assert look_up(client, case.number, "13900000001", REMOTE_ADDR="10.0.1.2").status_code == 429
    # Others' wrong guesses never lock out the applicant who holds the right phone or code.
    assert look_up(client, case.number, "13800001234", REMOTE_ADDR="10.0.1.1").status_code == 302


def test_the_session_remembers_the_case_and_can_forget_it(client, world):
    case = world.online_case()
    look_up(client, case.number, "13800001234")
    assert case.number in client.get("/progress/").content.decode()
    client.post("/progress/forget/")
    assert case.number not in client.get("/progress/").content.decode()


def test_progress_link_prefills_the_number(client, world):
    html = client.get("/progress/?number=BD202601010001").content.decode()
    assert 'value="BD202601010001"' in html


def test_applicant_withdraws_with_confirmation(client, world, sms_outbox):
    case = world.online_case()
    look_up(client, case.number, "13800001234")
    unconfirmed = client.post("/progress/withdraw/", {"version": case.version, "reason": "不需要了"})
    assert unconfirmed.status_code == 400 and "请勾选确认" in unconfirmed.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    response = client.post("/progress/withdraw/", {"version": case.version, "reason": "不需要了", "confirm": "on"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN and case.closed_at
    event = case.events.get(action="withdraw")
    assert event.actor_label == "申请人" and event.is_public
    html = client.get("/progress/").content.decode()
    assert "已撤回" in html and "撤回申请</button>" not in html


def test_withdraw_needs_a_verified_case(client, world):
    case = world.online_case()
    response = client.post("/progress/withdraw/", {"version": case.version, "confirm": "on"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


def test_completed_or_rejected_cases_cannot_be_withdrawn(client, world):
    case = world.case_in(CaseStatus.REJECTED)
    look_up(client, case.number, "13800001234")
    assert "撤回申请</button>" not in client.get("/progress/").content.decode()
    response = client.post("/progress/withdraw/", {"version": case.version, "confirm": "on"})
    assert response.status_code == 409 and "不能执行此操作" in response.content.decode()


def test_stale_withdrawal_is_refused(client, world):
    case = world.online_case()
    look_up(client, case.number, "13800001234")
    stale = case.version
    intake.request_supplement(case, user=world.window, items=[{"name": "户口簿"}], version=case.version)
    response = client.post("/progress/withdraw/", {"version": stale, "confirm": "on", "reason": "我的原因"})
    html = response.content.decode()
    assert response.status_code == 409 and "已被其他人修改" in html and "我的原因" in html
    case.refresh_from_db()
    assert case.status == CaseStatus.PENDING_SUPPLEMENT
