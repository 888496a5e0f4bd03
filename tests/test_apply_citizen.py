"""/apply/ that fits people: 上门服务 needs an address and a time, files survive a rejected try, SMS needs a mobile."""

import re

import pytest
from django.core import signing

from daiban.forms.uploads import KEPT_SALT, kept_folder, kept_storage
from daiban.models import Case, CaseAttachment
from tests.intake_setup import World, apply_post, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # kept files: its pending-uploads/apply/
    return World()


def token_of(html):
    return re.search(r'name="kept_files" value="([^"]*)"', html).group(1)


def kept_ids(html):
    return re.findall(r'name="keep" value="([0-9a-f]{32})"[^>]*checked', html)


def test_home_visit_needs_the_address_and_a_time(client, world):
    response = client.post("/apply/", apply_post(world, service_form="home_visit"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "选择上门服务时，请填写上门服务地址。" in html and "选择上门服务时，请填写希望上门的时间。" in html
    assert 'href="#id_visit_address"' in html
    assert Case.objects.count() == 0
    response = client.post(
        "/apply/",
        apply_post(
            world, service_form="home_visit", visit_address="资中县水南镇示例村3组12号", visit_time="工作日上午"
        ),
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.visit_address == "资中县水南镇示例村3组12号" and case.visit_time == "工作日上午"


def test_the_form_has_the_home_visit_fields_and_their_script(client, world):
    html = client.get("/apply/").content.decode()
    assert 'id="home-visit-fields"' in html and 'for="id_visit_address"' in html and 'for="id_visit_time"' in html
    assert "daiban/js/apply" in html


def test_a_landline_is_refused_as_the_sms_number(client, world):
    response = client.post("/apply/", apply_post(world, contact_phone="0832-1234567"))
    assert response.status_code == 400
    assert "请填写11位手机号码" in response.content.decode()
    assert client.post("/apply/", apply_post(world, contact_phone="138 0000 1234")).status_code == 302
    assert Case.objects.get().contact_phone == "13800001234"


def test_files_survive_a_rejected_try_and_are_stored_with_the_case(client, world):
    first = client.post(
        "/apply/", apply_post(world, consent="", files=[pdf_upload("身份证.pdf"), pdf_upload("户口簿.pdf")])
    )
    html = first.content.decode()
    assert first.status_code == 400
    assert "2 个文件已保留，无需重新选择" in html and "身份证.pdf" in html and "户口簿.pdf" in html
    assert "已选择的文件没有保留" not in html
    token, ids = token_of(html), kept_ids(html)
    assert len(ids) == 2
    # a second rejected try keeps them again, without the files being sent again
    second = client.post("/apply/", apply_post(world, consent="", kept_files=token, keep=ids))
    assert len(kept_ids(second.content.decode())) == 2
    token = token_of(second.content.decode())
    # untick one, add a new one, and send
    response = client.post("/apply/", apply_post(world, kept_files=token, keep=ids[:1], files=[pdf_upload("照片.pdf")]))
    assert response.status_code == 302
    names = set(CaseAttachment.objects.values_list("original_name", flat=True))
    assert names == {"身份证.pdf", "照片.pdf"}
    attachment = CaseAttachment.objects.get(original_name="身份证.pdf")
    assert attachment.content_type == "application/pdf" and attachment.file.read().startswith(b"%PDF-")
    assert not any(kept_storage().listdir(kept_folder())[1])  # the kept copies are gone


def test_a_forged_token_brings_no_file(client, world):
    forged = signing.dumps([{"id": "0" * 32, "name": "x.pdf", "ext": ".pdf", "type": "application/pdf", "size": 1}])
    other_salt = client.post("/apply/", apply_post(world, kept_files=forged, keep=["0" * 32]))
    assert other_salt.status_code == 302  # the unknown file is simply not there
    assert CaseAttachment.objects.count() == 0
    traversal = signing.dumps(
        [{"id": "../../etc/passwd", "name": "x.pdf", "ext": ".pdf", "type": "", "size": 1}], salt=KEPT_SALT
    )
    client.post("/apply/", apply_post(world, kept_files=traversal, keep=["../../etc/passwd"]))
    assert CaseAttachment.objects.count() == 0


def test_kept_files_count_towards_the_limit(client, world):
    first = client.post("/apply/", apply_post(world, consent="", files=[pdf_upload(f"材料{i}.pdf") for i in range(4)]))
    html = first.content.decode()
    response = client.post(
        "/apply/",
        apply_post(
            world, kept_files=token_of(html), keep=kept_ids(html), files=[pdf_upload("a.pdf"), pdf_upload("b.pdf")]
        ),
    )
    assert response.status_code == 400 and "含已保留的文件" in response.content.decode()
