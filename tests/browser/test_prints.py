"""The printable forms printed to PDF by Chromium as the window prints them: 附件5 on two A4 pages, 附件6/7 on one."""

import re

import pytest

from daiban.models import CaseMaterial, CaseStatus, EvaluationMethod, HandoverParty, Satisfaction
from daiban.services import handovers, intake, results
from daiban.services.base import current_version
from tests.browser.conftest import ARTIFACTS, admin_login
from tests.factories import CaseFactory
from tests.results_setup import case_in, window, window_clerk

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.browser]

PASSWORD = "pass-word-123"
A4_POINTS = (595, 842)  # 210 × 297 mm


def pdf_pages(data):
    """[(width, height)] in points of each page's MediaBox in a PDF Chromium wrote."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    return [(round(float(x1) - float(x0)), round(float(y1) - float(y0))) for x0, y0, x1, y1 in boxes]


def print_pdf(page, url, name):
    response = page.goto(url)
    assert response.status == 200, url
    page.emulate_media(media="print")
    data = page.pdf(prefer_css_page_size=True, print_background=True)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"print-{name}.pdf").write_bytes(data)
    return data


def page_count(data):
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", data))


def test_prints_fit_their_a4_pages(page):
    unit, centre = window()
    clerk = window_clerk(centre, username="window_clerk", first_name="演示回访员")
    case = case_in(
        CaseStatus.COMPLETED,
        unit,
        centre,
        applicant_name="内江演示食品有限公司",
        contact_name="王演示",
        units_text="资中县市场监督管理局、资中县税务局",
        window_opinion="符合办理条件，予以受理。",
        delivery="courier",
        recipient_name="王演示",
        recipient_phone="13800001234",
        recipient_address="资中县演示路1号（演示地址）",
    )
    for n, name in enumerate(["营业执照申请书", "法定代表人身份证复印件", "公司章程", "住所使用证明", "股东会决议"]):
        CaseMaterial.objects.create(case=case, name=name, copies=n + 1)
    handover = handovers.create_handover(
        case,
        user=clerk,
        from_party=HandoverParty.WINDOW,
        to_party=HandoverParty.UNIT,
        to_unit=unit,
        items=[("营业执照申请书", 2), ("身份证复印件", 1), ("公司章程", 1)],
        version=current_version(case),
    )
    results.record_evaluation(
        case,
        user=clerk,
        level=Satisfaction.VERY_SATISFIED,
        method=EvaluationMethod.PHONE,
        comment="窗口服务耐心。",
        version=current_version(case),
    )
    admin_login(page, "window_clerk", PASSWORD)

    application = print_pdf(page, f"/admin/cases/{case.pk}/print/application/", "application")
    assert page_count(application) == 2
    assert all(size == A4_POINTS for size in pdf_pages(application))

    handover_pdf = print_pdf(page, f"/admin/handling/cases/{case.pk}/handovers/{handover.pk}/print/", "handover")
    assert page_count(handover_pdf) == 1
    assert len(pdf_pages(application)) == 2

    feedback = print_pdf(page, f"/admin/results/cases/{case.pk}/feedback/print/", "feedback")
    assert page_count(feedback) == 1
    assert all(size == A4_POINTS for size in pdf_pages(feedback))

    waiting = CaseFactory(centre=centre, applicant_name="李演示")
    items = [{"name": f"补正材料{n}", "problem": "missing", "requirement": "原件及复印件各一份"} for n in range(1, 9)]
    notice = intake.request_supplement(waiting, user=clerk, items=items, note="请一次性补齐。", version=waiting.version)
    notice_pdf = print_pdf(page, f"/admin/cases/{waiting.pk}/print/notice/{notice.pk}/", "notice")
    assert page_count(notice_pdf) == 1
