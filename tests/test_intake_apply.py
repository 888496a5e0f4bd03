"""The public /apply/ form: a valid request, bad input, uploads checked by content, abuse protection."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from daiban.models import Case, CaseAttachment, CaseEvent, CaseMaterial, Channel
from tests.intake_setup import PDF, PNG, World, apply_post, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def test_form_is_prefilled_from_a_guide(client, world):
    response = client.get(f"/apply/?matter={world.matter.pk}")
    html = response.content.decode()
    assert response.status_code == 200
    # The matter picker shows the guide's matter chosen, by its full label (name, unit, list).
    assert f'name="matter" value="{world.matter.pk}" id="id_matter_chosen" checked' in html
    assert "已选择：城乡居民基本养老保险参保登记（资中县社会保险事业管理局，资中县·县级清单）" in html
    assert f'<option value="{world.centre.pk}" selected>' in html
    assert "您正在申请办理" in html


@pytest.mark.parametrize("matter", ["²", "١", "１", "99999999999999999999", "-1", "abc"])
def test_a_matter_in_the_address_that_is_no_number_opens_an_empty_form(client, world, matter):
    # "²" passed str.isdigit() and then crashed the query (found by tests/test_properties_apply.py).
    response = client.get("/apply/", {"matter": matter})
    assert response.status_code == 200
    assert "您正在申请办理" not in response.content.decode()


@pytest.mark.parametrize("matter", ["²", "١", "99999999999999999999", "-1"])
def test_a_posted_matter_that_is_no_number_is_refused_with_the_input_kept(client, world, matter):
    # The picker's chosen id and the form's check once crashed on these (found by the property tests).
    response = client.post("/apply/", apply_post(world, matter=matter))
    assert response.status_code == 400
    html = response.content.decode()
    assert "所选事项不存在或已下线，请重新选择。" in html and "王建国" in html
    assert not Case.objects.exists()


def test_valid_request_creates_the_case_and_shows_the_receipt(
    client, world, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/apply/", apply_post(world, files=[pdf_upload()]))
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/apply/receipt/{case.number}/"
    assert case.channel == Channel.ONLINE
    assert case.matter == world.matter and case.matter_text == world.matter.title
    assert case.region == world.zizhong
    assert case.consent_at is not None
    assert case.number.startswith("BD") and len(case.number) == 14
    assert list(case.materials.values_list("name", "copies", "form")) == [("居民身份证", 1, "copy")]
    attachment = case.attachments.get()
    assert attachment.content_type == "application/pdf" and attachment.size == len(PDF)
    assert case.events.get().is_public

    receipt = client.get(response["Location"])
    html = receipt.content.decode()
    assert case.number in html and case.query_code in html
    assert "<svg" in html and 'aria-label="查询办件' in html
    assert "138****1234" in html and "13800001234" not in html
    assert sms_outbox[0][0] == "13800001234" and case.number in sms_outbox[0][1]
    assert mail.outbox[0].to == ["wang@example.com"]


def test_receipt_is_only_shown_to_the_submitting_session(client, world):
    client.post("/apply/", apply_post(world))
    case = Case.objects.get()
    other = client.__class__()
    assert other.get(f"/apply/receipt/{case.number}/").status_code == 404


def test_free_text_matter_is_accepted(client, world):
    response = client.post("/apply/", apply_post(world, matter="", matter_text="清单外的某个事项"))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.matter is None and case.matter_text == "清单外的某个事项"


def test_bad_submission_keeps_the_input_and_stores_nothing(client, world):
    data = apply_post(
        world,
        contact_phone="12345",
        applicant_name="<script>alert(1)</script>王",
        delivery="courier",
        consent="",
    )
    response = client.post("/apply/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert Case.objects.count() == 0 and CaseMaterial.objects.count() == 0
    assert "请填写11位手机号码" in html
    assert "选择快递邮寄时，请填写收件人" in html
    assert "请阅读并同意个人信息处理说明后再提交" in html
    assert 'href="#id_contact_phone"' in html  # the summary links to the field
    assert 'aria-invalid="true"' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;王" in html and "<script>alert(1)" not in html
    assert 'value="居民身份证"' in html


def test_markup_is_stored_as_text_and_shown_escaped(client, world):
    client.post("/apply/", apply_post(world, applicant_name="<b>李四</b>", matter="", matter_text="<img src=x>"))
    case = Case.objects.get()
    assert case.applicant_name == "<b>李四</b>"
    html = client.get("/progress/").content.decode()
    assert "&lt;img src=x&gt;" in html and "<img src=x>" not in html


def test_neither_matter_nor_name_is_refused(client, world):
    response = client.post("/apply/", apply_post(world, matter="", matter_text=""))
    assert "请从清单中选择事项，或填写事项名称" in response.content.decode()
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("病毒.pdf", b"MZ\x90\x00exe", content_type="application/pdf"), "内容与扩展名不符"),
        (SimpleUploadedFile("照片.jpg", PNG, content_type="image/jpeg"), "内容与扩展名不符"),
        (SimpleUploadedFile("脚本.html", b"<html>", content_type="text/html"), "不是 PDF、JPG 或 PNG 文件"),
        (SimpleUploadedFile("空.pdf", b"", content_type="application/pdf"), "是空文件"),
        (SimpleUploadedFile("大.pdf", PDF + b"0" * (10 * 1024 * 1024), content_type="application/pdf"), "超过了"),
    ],
)
def test_bad_uploads_are_refused_with_a_clear_message(client, world, upload, message):
    response = client.post("/apply/", apply_post(world, files=[pdf_upload(), upload]))
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert "个文件已保留，无需重新选择" in html  # the good one; the bad one is named in the error
    assert Case.objects.count() == 0 and CaseAttachment.objects.count() == 0


def test_at_most_five_files(client, world):
    files = [pdf_upload(f"材料{i}.pdf") for i in range(6)]
    response = client.post("/apply/", apply_post(world, files=files))
    assert "最多上传 5 个文件" in response.content.decode()
    assert Case.objects.count() == 0


def test_honeypot_stores_nothing(client, world):
    response = client.post("/apply/", apply_post(world, website="http://spam.example"))
    assert response.status_code == 400
    assert Case.objects.count() == 0


def test_rate_limit_per_address(client, world):
    for _ in range(5):
        assert client.post("/apply/", apply_post(world)).status_code == 302
    response = client.post("/apply/", apply_post(world, applicant_name="第六次"))
    html = response.content.decode()
    assert response.status_code == 429
    assert "一小时内最多可提交5次申请" in html
    assert 'value="第六次"' in html  # the input is kept
    assert Case.objects.count() == 5
    other_address = client.post("/apply/", apply_post(world), REMOTE_ADDR="10.0.0.9")
    assert other_address.status_code == 302


def test_invalid_id_number_is_refused(client, world):
    response = client.post("/apply/", apply_post(world, id_number="510123199001011235"))
    assert "校验位不正确" in response.content.decode()


def test_submission_is_recorded_in_history(client, world):
    client.post("/apply/", apply_post(world))
    event = CaseEvent.objects.get()
    assert event.action == "submit" and event.actor_label == "申请人" and event.created_at
