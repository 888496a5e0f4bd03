"""Result delivery, evaluation, follow-up and archive: the services and their refusals."""

import datetime

import pytest
from django.utils import timezone

from daiban.models import (
    CaseEvent,
    CaseStatus,
    Delivery,
    Evaluation,
    EvaluationMethod,
    FollowUp,
    FollowUpStatus,
    Notification,
    Satisfaction,
)
from daiban.services import results
from daiban.services.base import (
    ActionError,
    ActionPermissionDenied,
    CaseArchived,
    ConcurrentUpdate,
    current_version,
    lock_case,
)
from tests.results_setup import case_in, city_staff, supervisor, window, window_clerk

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    unit, centre = window()
    return unit, centre, window_clerk(centre)


def test_pickup_needs_identity_check_and_completes_the_case(desk):
    unit, centre, clerk = desk
    case = case_in(CaseStatus.RESULTS_RETURNED, unit, centre)
    with pytest.raises(ActionError, match="核验"):
        results.record_pickup(
            case, user=clerk, collected_by="张三", identity_checked=False, version=current_version(case)
        )
    with pytest.raises(ActionError, match="领取人"):
        results.record_pickup(case, user=clerk, collected_by=" ", identity_checked=True, version=current_version(case))
    case.refresh_from_db()
    assert case.status == CaseStatus.RESULTS_RETURNED

    results.record_pickup(case, user=clerk, collected_by="张三", identity_checked=True, version=case.version)
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED
    assert (case.collected_by, case.identity_checked, case.delivery) == ("张三", True, Delivery.PICKUP)
    assert case.delivered_at is not None
    event = case.events.get(action="deliver")
    assert event.actor == clerk and event.to_status == CaseStatus.COMPLETED
    assert Notification.objects.filter(case=case, body__contains="已领取").exists()


def test_courier_records_company_and_tracking_number(desk, sms_outbox):
    unit, centre, clerk = desk
    case = case_in(CaseStatus.RESULTS_RETURNED, unit, centre)
    with pytest.raises(ActionError, match="快递单号"):
        results.record_courier(
            case, user=clerk, courier_company="中国邮政", tracking_number="", version=current_version(case)
        )
    results.record_courier(
        case, user=clerk, courier_company="中国邮政", tracking_number="EMS1234567890", version=current_version(case)
    )
    case.refresh_from_db()
    assert (case.status, case.delivery, case.tracking_number) == (
        CaseStatus.COMPLETED,
        Delivery.COURIER,
        "EMS1234567890",
    )
    assert Notification.objects.filter(case=case, body__contains="EMS1234567890").exists()


def test_courier_details_with_braces_reach_the_applicant_as_typed(desk):
    """A company or tracking number with { or } is text, not a format field (it crashed with a 500)."""
    unit, centre, clerk = desk
    case = case_in(CaseStatus.RESULTS_RETURNED, unit, centre)
    results.record_courier(
        case, user=clerk, courier_company="顺丰{同城}", tracking_number="SF{0}123}", version=current_version(case)
    )
    case.refresh_from_db()
    assert (case.status, case.courier_company, case.tracking_number) == (
        CaseStatus.COMPLETED,
        "顺丰{同城}",
        "SF{0}123}",
    )
    assert Notification.objects.filter(case=case, body__contains="顺丰{同城}寄出，快递单号SF{0}123}").exists()


def test_notify_result_ready(desk):
    unit, centre, clerk = desk
    case = case_in(CaseStatus.RESULTS_RETURNED, unit, centre)
    results.notify_result_ready(case, user=clerk, version=current_version(case))
    assert Notification.objects.filter(case=case, body__contains="结果已到帮办代办窗口").exists()
    assert case.events.filter(action="notify_result", is_public=True).exists()


def test_other_centres_staff_cannot_deliver(desk):
    unit, centre, _clerk = desk
    _other_unit, other_centre = window("隆昌市行政审批局")
    stranger = window_clerk(other_centre)
    case = case_in(CaseStatus.RESULTS_RETURNED, unit, centre)
    with pytest.raises(ActionPermissionDenied):
        results.record_pickup(
            case, user=stranger, collected_by="张三", identity_checked=True, version=current_version(case)
        )
    case.refresh_from_db()
    assert case.status == CaseStatus.RESULTS_RETURNED


def test_stale_form_is_refused(desk):
    unit, centre, clerk = desk
    case = case_in(CaseStatus.RESULTS_RETURNED, unit, centre)
    stale = case.version
    results.notify_result_ready(case, user=clerk, version=current_version(case))
    with pytest.raises(ConcurrentUpdate):
        results.record_pickup(case, user=clerk, collected_by="张三", identity_checked=True, version=stale)


def test_delivery_only_after_results_returned(desk):
    unit, centre, clerk = desk
    case = case_in(CaseStatus.IN_PROGRESS, unit, centre)
    with pytest.raises(ActionError, match="联动办理中"):
        results.record_pickup(
            case, user=clerk, collected_by="张三", identity_checked=True, version=current_version(case)
        )


def test_staff_evaluation_once_and_never_over_the_applicants(desk):
    unit, centre, clerk = desk
    case = case_in(CaseStatus.COMPLETED, unit, centre)
    results.evaluate_online(case, level=Satisfaction.SATISFIED, comment="很好", version=current_version(case))
    with pytest.raises(results.EvaluationExists, match="网上好差评"):
        results.record_evaluation(
            case,
            user=clerk,
            level=Satisfaction.VERY_SATISFIED,
            method=EvaluationMethod.PHONE,
            version=current_version(case),
        )
    case.refresh_from_db()
    assert case.evaluation.level == Satisfaction.SATISFIED
    assert case.evaluation.method == EvaluationMethod.ONLINE


def test_staff_record_phone_callback(desk):
    unit, centre, clerk = desk
    case = case_in(CaseStatus.COMPLETED, unit, centre)
    when = timezone.now() - datetime.timedelta(hours=1)
    results.record_evaluation(
        case,
        user=clerk,
        level=Satisfaction.BASICALLY_SATISFIED,
        method=EvaluationMethod.PHONE,
        evaluated_at=when,
        version=current_version(case),
    )
    case.refresh_from_db()
    assert case.evaluation.recorded_by == clerk and case.evaluation.evaluated_at == when
    with pytest.raises(ActionError, match="电话回访或现场评价"):
        results.record_evaluation(
            case,
            user=clerk,
            level=Satisfaction.SATISFIED,
            method=EvaluationMethod.ONLINE,
            version=current_version(case),
        )
    with pytest.raises(ActionError, match="晚于当前时间"):
        results.record_evaluation(
            case,
            user=clerk,
            level=Satisfaction.SATISFIED,
            method=EvaluationMethod.ON_SITE,
            evaluated_at=timezone.now() + datetime.timedelta(days=1),
            version=current_version(case),
        )


def test_evaluation_only_for_completed_cases(desk):
    unit, centre, _clerk = desk
    case = case_in(CaseStatus.IN_PROGRESS, unit, centre)
    with pytest.raises(ActionError, match="不能执行此操作"):
        results.evaluate_online(case, level=Satisfaction.SATISFIED, version=current_version(case))


def test_dissatisfied_opens_a_follow_up_that_goes_check_rectify_call_back_close(desk):
    unit, centre, clerk = desk
    boss = supervisor(region=unit.region)
    case = case_in(CaseStatus.COMPLETED, unit, centre)
    evaluation = results.evaluate_online(
        case, level=Satisfaction.VERY_DISSATISFIED, comment="等太久", version=current_version(case)
    )
    follow_up = FollowUp.objects.get(evaluation=evaluation)
    assert follow_up.status == FollowUpStatus.OPEN

    with pytest.raises(ActionPermissionDenied):
        results.check_follow_up(
            follow_up,
            user=clerk,
            finding="x",
            rectification="y",
            rectify_by=timezone.localdate(),
            version=current_version(follow_up),
        )
    with pytest.raises(ActionError, match="状态"):
        results.close_follow_up(follow_up, user=boss, version=current_version(follow_up))
    with pytest.raises(ActionError, match="整改期限"):
        results.check_follow_up(
            follow_up,
            user=boss,
            finding="x",
            rectification="y",
            rectify_by=timezone.localdate() - datetime.timedelta(1),
            version=current_version(follow_up),
        )
    with pytest.raises(ActionError, match="差评整改尚未关闭"):
        results.archive_case(case, user=clerk, version=current_version(case))

    deadline = timezone.localdate() + datetime.timedelta(days=7)
    results.check_follow_up(
        follow_up,
        user=boss,
        finding="窗口排队",
        rectification="增开窗口",
        rectify_by=deadline,
        version=current_version(follow_up),
    )
    results.call_back_follow_up(
        follow_up, user=boss, callback_note="申请人表示认可", version=current_version(follow_up)
    )
    results.close_follow_up(follow_up, user=boss, version=current_version(follow_up))
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.rectify_by) == (FollowUpStatus.CLOSED, deadline)
    actions = list(case.events.values_list("action", flat=True))
    assert actions[-5:] == ["evaluate", "follow_up_open", "follow_up_check", "follow_up_call_back", "follow_up_close"]
    results.archive_case(case, user=clerk, version=current_version(case))


def test_satisfied_evaluation_opens_no_follow_up(desk):
    unit, centre, _clerk = desk
    case = case_in(CaseStatus.COMPLETED, unit, centre)
    results.evaluate_online(case, level=Satisfaction.BASICALLY_SATISFIED, version=current_version(case))
    assert not FollowUp.objects.exists()


def test_archived_case_is_read_only_for_everyone(desk):
    unit, centre, clerk = desk
    case = case_in(CaseStatus.COMPLETED, unit, centre)
    results.archive_case(case, user=clerk, version=current_version(case))
    case.refresh_from_db()
    assert case.status == CaseStatus.ARCHIVED and case.archived_at is not None
    events_before = CaseEvent.objects.filter(case=case).count()
    for user in (clerk, city_staff()):
        with pytest.raises(CaseArchived, match="已归档"):
            results.record_evaluation(
                case,
                user=user,
                level=Satisfaction.SATISFIED,
                method=EvaluationMethod.PHONE,
                version=current_version(case),
            )
    with pytest.raises(CaseArchived):
        results.evaluate_online(case, level=Satisfaction.SATISFIED, version=current_version(case))
    with pytest.raises(CaseArchived):
        lock_case(case)
    assert CaseEvent.objects.filter(case=case).count() == events_before
    assert not Evaluation.objects.filter(case=case).exists()
