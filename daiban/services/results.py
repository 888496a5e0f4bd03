"""The end of the flow (附件3 step 4–5): result to the applicant, evaluation, follow-up of bad ones, archive.

Every action checks permission, changes the case under lock_case inside a transaction and records it.
"""

from django.db import transaction
from django.utils import timezone

from ..models import CaseStatus, Delivery, Evaluation, EvaluationMethod, FollowUp, FollowUpStatus, Satisfaction
from ..notifications import notify_applicant
from ..permissions import can_handle_at_window, can_supervise
from .base import ActionError, ActionPermissionDenied, InvalidTransition, lock_case, record, touch, transition

__all__ = [
    "notify_result_ready",
    "record_pickup",
    "record_courier",
    "evaluate_online",
    "record_evaluation",
    "check_follow_up",
    "call_back_follow_up",
    "close_follow_up",
    "archive_case",
    "EvaluationExists",
]

APPLICANT = "申请人"
DISSATISFIED = {Satisfaction.DISSATISFIED, Satisfaction.VERY_DISSATISFIED}


class EvaluationExists(ActionError):
    pass


def _require_window(user, case):
    if not can_handle_at_window(user, case):
        raise ActionPermissionDenied("只有本办件受理中心的帮办代办窗口可以执行此操作。")


def _require_status(case, *statuses):
    if case.status not in statuses:
        raise InvalidTransition(f"办件当前状态为“{case.get_status_display()}”，不能执行此操作。")


def _required(value, message):
    value = (value or "").strip()
    if not value:
        raise ActionError(message)
    return value


def notify_result_ready(case, user, *, expected_version=None):
    """The window tells the applicant, once, that the result is ready for pickup or about to be sent.

    Handling tells the window (not the applicant) when the results come back; this is the
    applicant's only "result ready" message for that return of results.
    """
    _require_window(user, case)
    with transaction.atomic():
        case = lock_case(case, expected_version)
        _require_status(case, CaseStatus.RESULTS_RETURNED)
        if case.result_notified_at is not None:
            when = timezone.localtime(case.result_notified_at)
            raise ActionError(f"已于{when:%Y-%m-%d %H:%M}通知申请人领取结果，不再重复发送。")
        how = "请携带有效身份证件到帮办代办窗口领取" if case.delivery == Delivery.PICKUP else "窗口将尽快为您快递邮寄"
        notify_applicant(case, f"您的帮办代办件{case.number}已办结，结果已到帮办代办窗口，{how}。")
        case.result_notified_at = timezone.now()
        case.version += 1
        case.save(update_fields=["result_notified_at", "version"])
        record(case, "notify_result", "已通知申请人领取结果", user=user, public=True)
    return case


def record_pickup(case, user, *, collected_by, identity_checked, result_note="", expected_version=None):
    """The applicant (or their agent) collected the result at the window after an identity check."""
    _require_window(user, case)
    collected_by = _required(collected_by, "请填写领取人姓名。")
    if not identity_checked:
        raise ActionError("请先核验领取人身份证件，再登记领取。")
    return _deliver(
        case,
        user,
        expected_version,
        label=f"结果已由{collected_by}领取（已核验身份）",
        message="您的帮办代办件{number}的办理结果已领取。欢迎通过办件进度查询页面对本次服务进行评价。",
        delivery=Delivery.PICKUP,
        collected_by=collected_by,
        identity_checked=True,
        result_note=result_note.strip(),
    )


def record_courier(case, user, *, courier_company, tracking_number, result_note="", expected_version=None):
    """The result was sent by courier; the tracking number goes to the applicant."""
    _require_window(user, case)
    company = _required(courier_company, "请填写快递公司。")
    number = _required(tracking_number, "请填写快递单号。")
    return _deliver(
        case,
        user,
        expected_version,
        label=f"结果已快递邮寄（{company} {number}）",
        message=(
            f"您的帮办代办件{{number}}的办理结果已通过{company}寄出，快递单号{number}。"
            "欢迎通过办件进度查询页面对本次服务进行评价。"
        ),
        delivery=Delivery.COURIER,
        courier_company=company,
        tracking_number=number,
        result_note=result_note.strip(),
    )


def _deliver(case, user, expected_version, *, label, message, **changes):
    with transaction.atomic():
        case = lock_case(case, expected_version)
        now = timezone.now()
        transition(
            case,
            "deliver",
            label=label,
            user=user,
            delivered_at=now,
            completed_at=case.completed_at or now,
            **changes,
        )
        notify_applicant(case, message.format(number=case.number))
    return case


def evaluate_online(case, *, level, comment=""):
    """网上好差评 by the applicant, who has been verified on the progress page. Once per case."""
    with transaction.atomic():
        case = lock_case(case)
        return _evaluate(case, level=level, method=EvaluationMethod.ONLINE, comment=comment, actor_label=APPLICANT)


def record_evaluation(case, user, *, level, method, comment="", evaluated_at=None, expected_version=None):
    """A phone callback (电话回访) or on-site evaluation (现场评价) recorded by the window."""
    _require_window(user, case)
    if method not in (EvaluationMethod.PHONE, EvaluationMethod.ON_SITE):
        raise ActionError("工作人员只能登记电话回访或现场评价。")
    evaluated_at = evaluated_at or timezone.now()
    if evaluated_at > timezone.now():
        raise ActionError("回访时间不能晚于当前时间。")
    with transaction.atomic():
        case = lock_case(case, expected_version)
        # The form gives minutes: a callback in the minute of the delivery is not "before" it.
        if case.delivered_at and evaluated_at < case.delivered_at.replace(second=0, microsecond=0):
            raise ActionError("回访时间不能早于结果反馈时间。")
        return _evaluate(case, level=level, method=method, comment=comment, user=user, evaluated_at=evaluated_at)


def _evaluate(case, *, level, method, comment, user=None, actor_label="", evaluated_at=None):
    _require_status(case, CaseStatus.COMPLETED)
    if level not in Satisfaction.values:
        raise ActionError("请选择评价情况：非常满意、满意、基本满意、不满意或非常不满意。")
    existing = Evaluation.objects.filter(case=case).first()
    if existing is not None:
        raise EvaluationExists(
            f"该办件已有评价（{existing.get_method_display()}：{existing.get_level_display()}），不能重复评价或覆盖。"
        )
    evaluation = Evaluation.objects.create(
        case=case,
        level=level,
        method=method,
        comment=(comment or "").strip(),
        recorded_by=user,
        evaluated_at=evaluated_at or timezone.now(),
    )
    touch(case)
    label = f"{evaluation.get_method_display()}：{evaluation.get_level_display()}"
    record(case, "evaluate", label, user=user, actor_label=actor_label, public=True, note=evaluation.comment)
    if level in DISSATISFIED:
        FollowUp.objects.create(evaluation=evaluation)
        record(case, "follow_up_open", "差评转入核查整改", user=user, actor_label=actor_label or "系统")
    return evaluation


def _lock_follow_up(follow_up, user, expected_status):
    follow_up = FollowUp.objects.select_for_update().select_related("evaluation__case").get(pk=follow_up.pk)
    case = follow_up.evaluation.case
    if not can_supervise(user, case):
        raise ActionPermissionDenied("只有本区域的督导人员可以处理差评整改。")
    if follow_up.status != expected_status:
        raise InvalidTransition(f"整改当前状态为“{follow_up.get_status_display()}”，不能执行此操作。")
    return follow_up, lock_case(case)


def check_follow_up(follow_up, user, *, finding, rectification, rectify_by):
    """核查: what happened, what will be done, and by when."""
    finding = _required(finding, "请填写核查情况。")
    rectification = _required(rectification, "请填写整改措施。")
    if rectify_by is None or rectify_by < timezone.localdate():
        raise ActionError("请填写不早于今天的整改期限。")
    with transaction.atomic():
        follow_up, case = _lock_follow_up(follow_up, user, FollowUpStatus.OPEN)
        follow_up.finding, follow_up.rectification, follow_up.rectify_by = finding, rectification, rectify_by
        follow_up.status = FollowUpStatus.RECTIFYING
        follow_up.save()
        touch(case)
        record(case, "follow_up_check", f"差评已核查，限{rectify_by:%Y-%m-%d}前整改", user=user, note=finding)
    return follow_up


def call_back_follow_up(follow_up, user, *, callback_note):
    """回访: the applicant is called back after the rectification."""
    callback_note = _required(callback_note, "请填写回访情况。")
    with transaction.atomic():
        follow_up, case = _lock_follow_up(follow_up, user, FollowUpStatus.RECTIFYING)
        follow_up.callback_note = callback_note
        follow_up.status = FollowUpStatus.CALLED_BACK
        follow_up.save()
        touch(case)
        record(case, "follow_up_call_back", "整改后已回访申请人", user=user, note=callback_note)
    return follow_up


def close_follow_up(follow_up, user):
    with transaction.atomic():
        follow_up, case = _lock_follow_up(follow_up, user, FollowUpStatus.CALLED_BACK)
        follow_up.status = FollowUpStatus.CLOSED
        follow_up.save()
        touch(case)
        record(case, "follow_up_close", "差评整改已关闭", user=user)
    return follow_up


def archive_case(case, user, *, expected_version=None):
    """归档: afterwards nobody can change the case."""
    _require_window(user, case)
    with transaction.atomic():
        case = lock_case(case, expected_version)
        open_follow_up = FollowUp.objects.filter(evaluation__case=case).exclude(status=FollowUpStatus.CLOSED)
        if open_follow_up.exists():
            raise ActionError("该办件的差评整改尚未关闭，不能归档。")
        transition(case, "archive", label="已归档", user=user, archived_at=timezone.now())
    return case
