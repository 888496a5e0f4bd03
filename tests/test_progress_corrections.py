"""The correction loop online: /progress/ shows the 一次性告知 item by item and takes the corrected files."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from daiban.models import CaseAttachment, CaseStatus, Notification, OneTimeNotice
from daiban.services import intake
from daiban.services.base import ActionError
from daiban.services.outbox import SMS_MAX_CHARS, fit_sms
from tests.factories import LiaisonFactory
from tests.intake_setup import PASSWORD, PNG, World, pdf_upload

pytestmark = pytest.mark.django_db

ITEMS = [
    {"name": "居民身份证", "problem": "wrong", "requirement": "须在有效期内，正反两面"},
    {"name": "户口簿", "problem": "missing", "requirement": "户主页和本人页复印件"},
]


@pytest.fixture
def world():
    return World()


@pytest.fixture
def noticed(world):
    """A case sent a 一次性告知 with two items; the window's liaison is registered to be told."""
    LiaisonFactory(unit=None, centre=world.centre, region=world.zizhong, phone="13800009901")
    case = world.online_case()
    intake.request_supplement(case, user=world.window, items=ITEMS, note="请一次补齐", version=case.version)
    case.refresh_from_db()
    return case


def verified(client, case):
    client.post("/progress/", {"number": case.number, "secret": case.query_code})
    return client


def post_corrections(client, case, **files):
    notice = case.notices.get()
    items = {item.name: item.pk for item in notice.items.all()}
    data = {"version": case.version, "note": "已换新证"}
    for name, upload in files.items():
        data[f"item_{items[name]}"] = upload
    return client.post("/progress/corrections/", data)


def test_progress_lists_each_item_with_its_problem_and_requirement(client, noticed):
    html = verified(client, noticed).get("/progress/").content.decode()
    assert "需要补正的材料（一次性告知）" in html
    assert "居民身份证" in html and "不符合要求" in html and "须在有效期内，正反两面" in html
    assert "户口簿" in html and "缺少" in html and "户主页和本人页复印件" in html
    assert "请一次补齐" in html
    assert 'enctype="multipart/form-data"' in html and "上传“户口簿”" in html


def test_the_applicant_sees_their_own_names_unmasked_after_the_check(client, world):
    case = world.online_case(applicant_name="内江示例科技有限公司", is_company=True, contact_name="李示例")
    html = verified(client, case).get("/progress/").content.decode()
    assert "内江示例科技有限公司" in html and "李示例" in html
    assert "138****1234" in html  # the phone stays masked


def test_sending_corrections_moves_the_case_back_to_screening(client, noticed):
    verified(client, noticed)
    response = post_corrections(
        client,
        noticed,
        户口簿=pdf_upload("户口簿.pdf"),
        居民身份证=SimpleUploadedFile("新身份证.png", PNG, content_type="image/png"),
    )
    assert response.status_code == 302
    noticed.refresh_from_db()
    assert noticed.status == CaseStatus.SUBMITTED
    names = set(CaseAttachment.objects.filter(case=noticed).values_list("original_name", flat=True))
    assert names == {"户口簿.pdf", "新身份证.png"}
    assert OneTimeNotice.objects.get(case=noticed).supplemented_at is not None
    event = noticed.events.get(action="supplement_online")
    assert event.actor_label == "申请人" and event.is_public
    assert "户口簿：户口簿.pdf" in event.note and "居民身份证：新身份证.png" in event.note and "已换新证" in event.note
    from wagtail.models import ModelLogEntry

    assert ModelLogEntry.objects.filter(action="daiban.case.supplement_online", object_id=str(noticed.pk)).exists()
    # the window is told (no personal data), the applicant gets a receipt
    staff = Notification.objects.filter(case=noticed, recipient="13800009901", body__contains="补正").get()
    assert "网上提交补正材料" in staff.body and noticed.number in staff.body and "王建国" not in staff.body
    assert Notification.objects.filter(case=noticed, recipient="13800001234", body__contains="已收到您为").exists()
    html = client.get("/progress/").content.decode()
    assert "待甄别" in html and "提交补正材料</button>" not in html


def test_the_admin_timeline_shows_what_came_in(client, noticed, world):
    verified(client, noticed)
    post_corrections(client, noticed, 户口簿=pdf_upload("户口簿.pdf"))
    client.logout()
    client.login(username="zz_window", password=PASSWORD)
    html = client.get(f"/admin/cases/{noticed.pk}/").content.decode()
    assert "申请人在网上提交补正材料" in html and "户口簿：户口簿.pdf" in html


def test_files_get_the_apply_checks_and_nothing_changes_on_error(client, noticed):
    verified(client, noticed)
    fake = SimpleUploadedFile("户口簿.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = post_corrections(client, noticed, 户口簿=fake)
    assert response.status_code == 400
    assert "内容与扩展名不符" in response.content.decode()
    noticed.refresh_from_db()
    assert noticed.status == CaseStatus.PENDING_SUPPLEMENT
    assert not CaseAttachment.objects.filter(case=noticed).exists()


def test_at_least_one_file(client, noticed):
    verified(client, noticed)
    response = post_corrections(client, noticed)
    assert response.status_code == 400 and "请至少为一项需补正的材料选择文件" in response.content.decode()


def test_corrections_need_the_code_check(client, noticed):
    response = post_corrections(client, noticed, 户口簿=pdf_upload())
    assert response.status_code == 302
    noticed.refresh_from_db()
    assert noticed.status == CaseStatus.PENDING_SUPPLEMENT


def test_not_possible_when_no_correction_is_owed(client, world):
    case = world.case_in(CaseStatus.ACCEPTED)
    verified(client, case)
    assert "提交补正材料</button>" not in client.get("/progress/").content.decode()
    response = client.post("/progress/corrections/", {"version": case.version})
    assert response.status_code == 409
    with pytest.raises(ActionError):
        intake.supplement_online(case, files=[("户口簿", [pdf_upload()])], version=case.version)


def test_a_stale_form_is_refused(client, noticed, world):
    verified(client, noticed)
    stale = noticed.version
    intake.register_supplement(noticed, user=world.window, version=noticed.version)
    # the window registered the corrections meanwhile: nothing is owed any more
    response = client.post("/progress/corrections/", {"version": stale})
    assert response.status_code == 409


def test_corrections_are_rate_limited(client, world, settings):
    verified_client = client
    for _ in range(5):
        case = world.online_case()
        intake.request_supplement(case, user=world.window, items=ITEMS, version=case.version)
        case.refresh_from_db()
        verified(verified_client, case)
        assert post_corrections(verified_client, case, 户口簿=pdf_upload()).status_code == 302
    case = world.online_case()
    intake.request_supplement(case, user=world.window, items=ITEMS, version=case.version)
    case.refresh_from_db()
    verified(verified_client, case)
    assert post_corrections(verified_client, case, 户口簿=pdf_upload()).status_code == 429


def test_the_notice_sms_names_each_item_with_its_problem(noticed):
    text = Notification.objects.filter(case=noticed, recipient="13800001234", body__contains="需补正").get().body
    assert "1.居民身份证（不符合要求：须在有效期内，正反两面）" in text
    assert "2.户口簿（缺少：户主页和本人页复印件）" in text


def test_a_long_notice_sms_stays_within_the_limit(world):
    case = world.online_case()
    items = [{"name": f"材料第{n}项很长的名称", "problem": "wrong", "requirement": "要求" * 40} for n in range(12)]
    intake.request_supplement(case, user=world.window, items=items, version=case.version)
    body = Notification.objects.filter(case=case, body__contains="需补正").get().body
    assert len(body) <= SMS_MAX_CHARS
    assert "1.材料第0项很长的名称（不符合要求）" in body and "等共12项" in body


def test_fit_sms_keeps_full_texts_when_they_fit():
    assert fit_sms("头：", [("甲（缺少：复印件）", "甲（缺少）")], "。") == "头：1.甲（缺少：复印件）。"
    assert fit_sms("头：", [("甲" * 50, "乙")], "。", limit=10) == "头：1.乙。"
