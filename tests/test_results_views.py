"""The applicant's online evaluation from /progress/, and the window's 反馈与评价 page in the admin."""

import pytest
from django.urls import reverse

from daiban.models import CaseStatus, Evaluation, EvaluationMethod, FollowUp, Satisfaction
from daiban.services import results
from daiban.services.base import current_version
from tests.results_setup import case_in, supervisor, window, window_clerk

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    unit, centre = window()
    return unit, centre, window_clerk(centre)


def open_progress(client, case):
    response = client.post(reverse("daiban:progress"), {"number": case.number, "secret": case.contact_phone})
    assert response.status_code == 302


def evaluate(client, case, level=Satisfaction.SATISFIED, comment=""):
    return client.post(
        reverse("daiban:progress_evaluate"),
        {"case": case.pk, "level": level, "comment": comment, "version": current_version(case)},
    )


# Online evaluation -------------------------------------------------------------------------------


def test_applicant_evaluates_their_completed_case_once(client, desk):
    unit, centre, _clerk = desk
    case = case_in(CaseStatus.COMPLETED, unit, centre)
    open_progress(client, case)
    page = client.get(reverse("daiban:progress")).content.decode()
    assert "服务评价" in page and "提交评价" in page

    evaluate(client, case, Satisfaction.VERY_SATISFIED, "服务周到")
    evaluation = Evaluation.objects.get(case=case)
    assert (evaluation.level, evaluation.method, evaluation.comment) == (
        Satisfaction.VERY_SATISFIED,
        EvaluationMethod.ONLINE,
        "服务周到",
    )
    page = client.get(reverse("daiban:progress")).content.decode()
    assert "您已于" in page and "非常满意" in page and "提交评价" not in page

    evaluate(client, case, Satisfaction.VERY_DISSATISFIED, "改成差评")
    evaluation.refresh_from_db()
    assert evaluation.level == Satisfaction.VERY_SATISFIED and Evaluation.objects.count() == 1


def test_applicant_cannot_evaluate_someone_elses_case(client, desk):
    unit, centre, _clerk = desk
    mine = case_in(CaseStatus.COMPLETED, unit, centre, phone="13800001111")
    theirs = case_in(CaseStatus.COMPLETED, unit, centre, phone="13900002222")
    open_progress(client, mine)
    response = evaluate(client, theirs)
    assert response.status_code == 302
    assert not Evaluation.objects.filter(case=theirs).exists()


def test_evaluation_needs_a_verified_progress_session(client, desk):
    unit, centre, _clerk = desk
    case = case_in(CaseStatus.COMPLETED, unit, centre)
    evaluate(client, case)
    assert not Evaluation.objects.exists()


def test_a_case_not_yet_completed_cannot_be_evaluated(client, desk):
    unit, centre, _clerk = desk
    case = case_in(CaseStatus.IN_PROGRESS, unit, centre)
    open_progress(client, case)
    assert "提交评价" not in client.get(reverse("daiban:progress")).content.decode()
    evaluate(client, case)
    assert not Evaluation.objects.exists()


def test_missing_level_keeps_the_comment(client, desk):
    unit, centre, _clerk = desk
    case = case_in(CaseStatus.COMPLETED, unit, centre)
    open_progress(client, case)
    client.post(
        reverse("daiban:progress_evaluate"),
        {"case": case.pk, "level": "", "comment": "我写的意见", "version": case.version},
    )
    page = client.get(reverse("daiban:progress")).content.decode()
    assert "请选择评价等级" in page and "我写的意见" in page
    assert not Evaluation.objects.exists()


def test_online_bad_evaluation_opens_a_follow_up_supervisors_see(client, desk):
    unit, centre, _clerk = desk
    case = case_in(CaseStatus.COMPLETED, unit, centre)
    open_progress(client, case)
    evaluate(client, case, Satisfaction.DISSATISFIED, "太慢")
    assert FollowUp.objects.filter(evaluation__case=case).exists()
    client.force_login(supervisor(region=unit.region))
    assert case.number in client.get(reverse("results:follow_ups")).content.decode()


# The admin page ----------------------------------------------------------------------------------


def test_window_records_pickup_through_the_page(client, desk):
    unit, centre, clerk = desk
    case = case_in(CaseStatus.RESULTS_RETURNED, unit, centre)
    client.force_login(clerk)
    url = reverse("results:case", args=[case.pk])
    assert "登记自行领取" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "action": "pickup",
            "pickup-version": case.version,
            "pickup-collected_by": "张三",
            "pickup-identity_checked": "on",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED and case.collected_by == "张三"


def test_stale_form_keeps_what_was_typed(client, desk):
    unit, centre, clerk = desk
    case = case_in(CaseStatus.RESULTS_RETURNED, unit, centre)
    stale = case.version
    results.notify_result_ready(case, user=clerk, version=current_version(case))
    client.force_login(clerk)
    response = client.post(
        reverse("results:case", args=[case.pk]),
        {
            "action": "courier",
            "courier-version": stale,
            "courier-courier_company": "中国邮政",
            "courier-tracking_number": "EMS998877",
        },
    )
    page = response.content.decode()
    assert response.status_code == 409 and "已被其他人修改" in page and "EMS998877" in page
    case.refresh_from_db()
    assert case.status == CaseStatus.RESULTS_RETURNED


def test_other_centre_gets_404_and_nothing_changes(client, desk):
    unit, centre, _clerk = desk
    _other_unit, other_centre = window("隆昌市行政审批局")
    case = case_in(CaseStatus.RESULTS_RETURNED, unit, centre)
    client.force_login(window_clerk(other_centre))
    url = reverse("results:case", args=[case.pk])
    assert client.get(url).status_code == 404
    response = client.post(url, {"action": "pickup", "pickup-version": case.version, "pickup-collected_by": "x"})
    assert response.status_code == 404
    assert client.get(reverse("results:feedback_print", args=[case.pk])).status_code == 404
    case.refresh_from_db()
    assert case.status == CaseStatus.RESULTS_RETURNED


def test_staff_evaluation_and_archive_then_read_only(client, desk):
    unit, centre, clerk = desk
    case = case_in(CaseStatus.COMPLETED, unit, centre)
    client.force_login(clerk)
    url = reverse("results:case", args=[case.pk])
    client.post(
        url,
        {
            "action": "evaluate",
            "evaluate-version": case.version,
            "evaluate-method": "phone",
            "evaluate-level": "satisfied",
            "evaluate-comment": "电话回访满意",
            "evaluate-evaluated_at": "2026-01-01T10:00",
        },
    )
    assert Evaluation.objects.get(case=case).recorded_by == clerk
    case.refresh_from_db()
    client.post(url, {"action": "archive", "archive-version": case.version})
    case.refresh_from_db()
    assert case.status == CaseStatus.ARCHIVED
    page = client.get(url).content.decode()
    assert "所有内容只读" in page and 'value="archive"' not in page
    response = client.post(url, {"action": "archive", "archive-version": case.version})
    assert response.status_code == 409 and "已归档" in response.content.decode()


def test_feedback_form_prints(client, desk):
    unit, centre, clerk = desk
    case = case_in(CaseStatus.COMPLETED, unit, centre)
    results.record_evaluation(
        case,
        user=clerk,
        level=Satisfaction.BASICALLY_SATISFIED,
        method=EvaluationMethod.PHONE,
        version=current_version(case),
    )
    client.force_login(clerk)
    page = client.get(reverse("results:feedback_print", args=[case.pk])).content.decode()
    assert "帮办代办服务事项反馈情况表" in page and "附件7" in page
    assert "☑ 基本满意" in page and "☑ 电话回访" in page
    assert "13800001234" in page and "138****1234" not in page  # the window's own copy (issue 14)


@pytest.mark.parametrize("evaluated_at", ["0001-01-01T00:00", "1999-12-31T23:59"])
def test_a_callback_dated_in_another_century_is_refused(client, desk, evaluated_at):
    # Year 1 crashed the database write with a 500 (found by tests/test_properties_handling_admin.py).
    unit, centre, clerk = desk
    case = case_in(CaseStatus.COMPLETED, unit, centre)
    client.force_login(clerk)
    response = client.post(
        reverse("results:case", args=[case.pk]),
        {
            "action": "evaluate",
            "evaluate-version": current_version(case),
            "evaluate-method": "phone",
            "evaluate-level": "satisfied",
            "evaluate-comment": "回访记录",
            "evaluate-evaluated_at": evaluated_at,
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "回访时间不正确" in html and "回访记录" in html
    assert not Evaluation.objects.filter(case=case).exists()
