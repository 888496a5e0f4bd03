"""The admin case page: the screening actions as forms, window registration, printable forms, history."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from daiban.models import Case, CaseStatus, Channel, DeferredMaterial, OneTimeNotice
from daiban.services import intake
from tests.intake_setup import PASSWORD, World, apply_post, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


@pytest.fixture
def window_client(client, world):
    client.login(username="zz_window", password=PASSWORD)
    return client


def url(case, action=""):
    return f"/admin/cases/{case.pk}/action/{action}/" if action else f"/admin/cases/{case.pk}/"


def test_case_page_shows_the_request_and_the_allowed_actions(window_client, world):
    case = world.online_case(description="<script>x()</script>")
    html = window_client.get(url(case)).content.decode()
    assert case.number in html
    assert "13800001234" in html  # the window needs the phone to call the applicant
    for label in ("受理", "一次性告知", "不予受理", "登记撤回"):
        assert f">{label}</summary>" in html
    assert ">登记补正</summary>" not in html
    assert "&lt;script&gt;x()&lt;/script&gt;" in html
    assert "daiban/admin/case/_handling.html" not in html  # the partials render (empty)
    assert "提交网上申请" in html and "申请人" in html


def test_supervisor_sees_the_case_masked_and_without_actions(client, world):
    case = world.online_case()
    client.login(username="zz_bureau", password=PASSWORD)
    html = client.get(url(case)).content.decode()
    assert "138****1234" in html and "13800001234" not in html
    assert "<summary" not in html
    response = client.post(url(case, "reject"), {"version": case.version, "reason": "x", "redirect_unit": "y"})
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


def test_one_time_notice_then_supplement_then_acceptance(window_client, world, sms_outbox):
    case = world.online_case()
    materials = {m.name: m for m in world.matter.materials.all()}
    response = window_client.post(
        url(case, "request_supplement"),
        {
            "version": case.version,
            f"problem_{materials['户口簿'].pk}": "missing",
            f"problem_{materials['参保登记表'].pk}": "wrong",
            f"requirement_{materials['参保登记表'].pk}": "需本人签字",
            "extra_items": "村委会证明：加盖公章",
            "note": "",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.PENDING_SUPPLEMENT
    notice = OneTimeNotice.objects.get(case=case)
    assert [(i.name, i.problem, i.requirement) for i in notice.items.all()] == [
        ("户口簿", "missing", ""),
        ("参保登记表", "wrong", "需本人签字"),
        ("村委会证明", "missing", "加盖公章"),
    ]
    printed = window_client.get(f"/admin/cases/{case.pk}/print/notice/{notice.pk}/").content.decode()
    assert "一次性告知书" in printed and "村委会证明" in printed and "需本人签字" in printed

    response = window_client.post(
        url(case, "supplement"), {"version": case.version, "note": "已补交户口簿", "files": [pdf_upload()]}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    notice.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED and notice.supplemented_at is not None
    assert case.attachments.filter(uploaded_by_applicant=False).count() == 1

    due = timezone.localdate() + datetime.timedelta(days=7)
    response = window_client.post(
        url(case, "accept"),
        {
            "version": case.version,
            "window_opinion": "符合办理条件，予以受理。",
            "deferred-TOTAL_FORMS": "3",
            "deferred-INITIAL_FORMS": "0",
            "deferred-0-name": "村委会证明",
            "deferred-0-due_date": due.isoformat(),
            "deferred-1-name": "",
            "deferred-1-due_date": "",
            "deferred-2-name": "",
            "deferred-2-due_date": "",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    assert case.accepting_unit == world.bureau_unit
    assert case.received_by == world.window and case.due_date > timezone.localdate()
    assert list(case.deferred_materials.values_list("name", "due_date")) == [("村委会证明", due)]

    printed = window_client.get(f"/admin/cases/{case.pk}/print/application/").content.decode()
    assert printed.count("帮办代办服务申请表</h1>") == 2
    assert "申请人留存" in printed and "帮办代办窗口留存" in printed
    assert "符合办理条件，予以受理。" in printed and "签字" in printed

    actions = list(case.events.values_list("action", "actor__username"))
    assert actions == [
        ("submit", None),
        ("request_supplement", "zz_window"),
        ("supplement", "zz_window"),
        ("accept", "zz_window"),
    ]


def test_invalid_action_form_keeps_the_input(window_client, world):
    case = world.online_case()
    response = window_client.post(
        url(case, "reject"), {"version": case.version, "reason": "不在范围", "redirect_unit": ""}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "不在范围" in html and 'id="action-reject" open' in html
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


def test_stale_version_is_refused_and_the_input_kept(window_client, world):
    case = world.online_case()
    stale = case.version
    intake.request_supplement(case, user=world.window, items=[{"name": "户口簿"}], version=case.version)
    intake.register_supplement(case, user=world.window, version=case.version + 1)
    response = window_client.post(
        url(case, "reject"), {"version": stale, "reason": "我写的原因", "redirect_unit": "县公安局"}
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "已被其他人修改" in html and "我写的原因" in html
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


def test_transition_not_allowed_in_the_state_is_refused(window_client, world):
    case = world.case_in(CaseStatus.REJECTED)
    response = window_client.post(
        url(case, "accept"),
        {"version": case.version, "window_opinion": "x", "deferred-TOTAL_FORMS": "0", "deferred-INITIAL_FORMS": "0"},
    )
    assert response.status_code == 409
    assert "不能执行此操作" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.REJECTED


def test_overdue_deferred_materials_are_flagged_and_can_be_received(window_client, world):
    case = world.case_in(CaseStatus.ACCEPTED)
    late = DeferredMaterial.objects.create(
        case=case, name="村委会证明", due_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    html = window_client.get(url(case)).content.decode()
    assert "已逾期" in html
    response = window_client.post(url(case, "receive_deferred"), {"version": case.version, "material_id": late.pk})
    assert response.status_code == 302
    late.refresh_from_db()
    assert late.received_at is not None
    assert case.events.filter(action="receive_deferred", actor=world.window).exists()


def test_window_registration(window_client, world, sms_outbox):
    data = apply_post(world, channel=Channel.PHONE, applicant_name="内江某某食品有限公司", is_company="1")
    data.pop("website")
    response = window_client.post("/admin/cases/register/", data)
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == url(case)
    assert case.channel == Channel.PHONE and case.is_company and case.received_by == world.window
    assert case.centre == world.centre
    assert case.events.get().actor == world.window


def test_window_registration_is_only_at_the_own_centre(window_client, world):
    data = apply_post(world, channel=Channel.WINDOW, centre=str(world.other_centre.pk))
    response = window_client.post("/admin/cases/register/", data)
    assert response.status_code == 400
    assert Case.objects.count() == 0


def test_registration_errors_are_listed(window_client, world):
    response = window_client.post("/admin/cases/register/", apply_post(world, channel="window", contact_phone="abc"))
    html = response.content.decode()
    assert response.status_code == 400 and "请填写正确的手机号码" in html and 'value="abc"' in html


def test_attachment_download_needs_access(client, world):
    case = intake.submit_online(world.details(), files=[pdf_upload()])
    attachment = case.attachments.get()
    client.login(username="wy_window", password=PASSWORD)
    assert client.get(f"/admin/cases/{case.pk}/attachments/{attachment.pk}/").status_code == 404
    client.login(username="zz_window", password=PASSWORD)
    response = client.get(f"/admin/cases/{case.pk}/attachments/{attachment.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")


def test_case_page_query_count_is_constant(window_client, world):
    def queries(case):
        with CaptureQueriesContext(connection) as ctx:
            assert window_client.get(url(case)).status_code == 200
        return len(ctx)

    small = world.case_in(CaseStatus.ACCEPTED)
    big = world.case_in(CaseStatus.PENDING_SUPPLEMENT)
    for i in range(20):
        DeferredMaterial.objects.create(case=big, name=f"材料{i}", due_date=timezone.localdate())
        big.materials.create(name=f"材料{i}")
        big.events.create(action="note", label=f"记录{i}", actor=world.window)
    assert queries(big) <= queries(small) + 2
