"""The end of the flow (附件3 step 4–5): result to the applicant, evaluation, follow-up of bad ones, archive."""

from django.utils import timezone

from ..models import Delivery, Evaluation, EvaluationMethod, FollowUp, FollowUpStatus, Satisfaction
from ..permissions import can_supervise
from . import transitions
from .audit import record
from .base import Action, ActionError, CaseAction, lock_case, required
from .intake import deferred_hold
from .outbox import notify_applicant

__all__ = [
    "NotifyResultReady",
    "RecordPickup",
    "RecordCourier",
    "EvaluateOnline",
    "RecordEvaluation",
    "CheckFollowUp",
    "CallBackFollowUp",
    "CloseFollowUp",
    "ArchiveCase",
    "EvaluationExists",
    "notify_result_ready",
    "record_pickup",
    "record_courier",
    "evaluate_online",
    "record_evaluation",
    "check_follow_up",
    "call_back_follow_up",
    "close_follow_up",
    "archive_case",
]

APPLICANT = "申请人"
DISSATISFIED = {Satisfaction.DISSATISFIED, Satisfaction.VERY_DISSATISFIED}
WINDOW_ONLY = "只有本办件受理中心的帮办代办窗口可以执行此操作。"


class EvaluationExists(ActionError):
    pass


class NotifyResultReady(CaseAction):
    """The window tells the applicant, once, that the result is ready for pickup or about to be sent.

    Handling tells the window (not the applicant) when the results come back; this is the
    applicant's only "result ready" message for that return of results.
    """

    transition = "notify_result"
    denied = WINDOW_ONLY

    def check_state(self, case):
        if case.result_notified_at is not None:
            when = timezone.localtime(case.result_notified_at)
            raise ActionError(f"已于{when:%Y-%m-%d %H:%M}通知申请人领取结果，不再重复发送。")

    def perform(self, case):
        how = "请携带有效身份证件到帮办代办窗口领取" if case.delivery == Delivery.PICKUP else "窗口将尽快为您快递邮寄"
        notify_applicant(case, f"您的帮办代办件{case.number}已办结，结果已到帮办代办窗口，{how}。")
        self.move(case, label="已通知申请人领取结果", result_notified_at=timezone.now())
        return case


class _Deliver(CaseAction):
    transition = "deliver"
    denied = WINDOW_ONLY

    def check_state(self, case):
        deferred_hold(case)

    def deliver(self, case, *, label, message, **changes):
        now = timezone.now()
        self.move(case, label=label, delivered_at=now, completed_at=case.completed_at or now, **changes)
        notify_applicant(case, message)
        return case


class RecordPickup(_Deliver):
    """The applicant (or their agent) collected the result at the window after an identity check."""

    def clean(self, *, collected_by, identity_checked, result_note=""):
        collected_by = required(collected_by, "请填写领取人姓名。")
        if not identity_checked:
            raise ActionError("请先核验领取人身份证件，再登记领取。")
        return {"collected_by": collected_by, "result_note": (result_note or "").strip()}

    def perform(self, case, *, collected_by, result_note):
        return self.deliver(
            case,
            label=f"结果已由{collected_by}领取（已核验身份）",
            message=f"您的帮办代办件{case.number}的办理结果已领取。欢迎通过办件进度查询页面对本次服务进行评价。",
            delivery=Delivery.PICKUP,
            collected_by=collected_by,
            identity_checked=True,
            result_note=result_note,
        )


class RecordCourier(_Deliver):
    """The result was sent by courier; the tracking number goes to the applicant."""

    def clean(self, *, courier_company, tracking_number, result_note=""):
        return {
            "company": required(courier_company, "请填写快递公司。"),
            "number": required(tracking_number, "请填写快递单号。"),
            "result_note": (result_note or "").strip(),
        }

    def perform(self, case, *, company, number, result_note):
        return self.deliver(
            case,
            label=f"结果已快递邮寄（{company} {number}）",
            message=(
                f"您的帮办代办件{case.number}的办理结果已通过{company}寄出，快递单号{number}。"
                "欢迎通过办件进度查询页面对本次服务进行评价。"
            ),
            delivery=Delivery.COURIER,
            courier_company=company,
            tracking_number=number,
            result_note=result_note,
        )


class _Evaluate(CaseAction):
    """One evaluation per case, never overwritten; a 不满意 one opens a follow-up (差评整改)."""

    transition = "evaluate"
    method = None

    def check_state(self, case):
        existing = Evaluation.objects.filter(case=case).first()
        if existing is not None:
            raise EvaluationExists(
                f"该办件已有评价（{existing.get_method_display()}：{existing.get_level_display()}），不能重复评价或覆盖。"
            )

    def evaluate(self, case, *, level, method, comment, actor_label="", evaluated_at=None):
        if level not in Satisfaction.values:
            raise ActionError("请选择评价情况：非常满意、满意、基本满意、不满意或非常不满意。")
        evaluation = Evaluation.objects.create(
            case=case,
            level=level,
            method=method,
            comment=(comment or "").strip(),
            recorded_by=self.user,
            evaluated_at=evaluated_at or timezone.now(),
        )
        label = f"{evaluation.get_method_display()}：{evaluation.get_level_display()}"
        self.log(case, label, actor_label=actor_label, public=True, note=evaluation.comment)
        if level in DISSATISFIED:
            FollowUp.objects.create(evaluation=evaluation)
            record(case, "follow_up_open", "差评转入核查整改", user=self.user, actor_label=actor_label or "系统")
        return evaluation


class EvaluateOnline(_Evaluate):
    """网上好差评 by the applicant, who has been verified on the progress page."""

    def has_permission(self, case):
        return True

    def perform(self, case, *, level, comment=""):
        return self.evaluate(case, level=level, method=EvaluationMethod.ONLINE, comment=comment, actor_label=APPLICANT)


class RecordEvaluation(_Evaluate):
    """A phone callback (电话回访) or on-site evaluation (现场评价) recorded by the window."""

    denied = WINDOW_ONLY

    def clean(self, *, level, method, comment="", evaluated_at=None):
        if method not in (EvaluationMethod.PHONE, EvaluationMethod.ON_SITE):
            raise ActionError("工作人员只能登记电话回访或现场评价。")
        evaluated_at = evaluated_at or timezone.now()
        if evaluated_at > timezone.now():
            raise ActionError("回访时间不能晚于当前时间。")
        if evaluated_at.year < 2000:  # a typing error; the year 1 cannot even be stored in UTC
            raise ActionError("回访时间不正确，请填写实际回访的日期和时间。")
        return {"level": level, "method": method, "comment": comment, "evaluated_at": evaluated_at}

    def perform(self, case, *, level, method, comment, evaluated_at):
        # The form gives minutes: a callback in the minute of the delivery is not "before" it.
        if case.delivered_at and evaluated_at < case.delivered_at.replace(second=0, microsecond=0):
            raise ActionError("回访时间不能早于结果反馈时间。")
        return self.evaluate(case, level=level, method=method, comment=comment, evaluated_at=evaluated_at)


class ArchiveCase(CaseAction):
    """归档: afterwards nobody can change the case."""

    transition = "archive"
    denied = WINDOW_ONLY

    def check_state(self, case):
        deferred_hold(case)

    def perform(self, case):
        open_follow_up = FollowUp.objects.filter(evaluation__case=case).exclude(status=FollowUpStatus.CLOSED)
        if open_follow_up.exists():
            raise ActionError("该办件的差评整改尚未关闭，不能归档。")
        self.move(case, label="已归档", archived_at=timezone.now())
        return case


# 差评整改: the follow-up's own state machine, under the case's lock and version ----------------------


class FollowUpAction(Action):
    machine = transitions.FOLLOW_UP
    subject = "整改"
    denied = "只有本区域的督导人员可以处理差评整改。"

    def case_of(self, follow_up):
        return follow_up.evaluation.case

    def has_permission(self, follow_up):
        return can_supervise(self.user, follow_up.evaluation.case)

    def lock(self):
        case = lock_case(self.object.evaluation.case_id, self.version)
        follow_up = FollowUp.objects.select_for_update().select_related("evaluation").get(pk=self.object.pk)
        follow_up.evaluation.case = case
        return follow_up

    def move_follow_up(self, follow_up, label, note="", **changes):
        for field, value in changes.items():
            setattr(follow_up, field, value)
        follow_up.status = self.machine[self.transition][1]
        follow_up.save()
        self.log(follow_up.evaluation.case, label, note=note)
        return follow_up


class CheckFollowUp(FollowUpAction):
    """核查: what happened, what will be done, and by when."""

    transition = "follow_up_check"

    def clean(self, *, finding, rectification, rectify_by):
        finding = required(finding, "请填写核查情况。")
        rectification = required(rectification, "请填写整改措施。")
        if rectify_by is None or rectify_by < timezone.localdate():
            raise ActionError("请填写不早于今天的整改期限。")
        return {"finding": finding, "rectification": rectification, "rectify_by": rectify_by}

    def perform(self, follow_up, *, finding, rectification, rectify_by):
        label = f"差评已核查，限{rectify_by:%Y-%m-%d}前整改"
        return self.move_follow_up(
            follow_up, label, note=finding, finding=finding, rectification=rectification, rectify_by=rectify_by
        )


class CallBackFollowUp(FollowUpAction):
    """回访: the applicant is called back after the rectification."""

    transition = "follow_up_call_back"

    def clean(self, *, callback_note):
        return {"callback_note": required(callback_note, "请填写回访情况。")}

    def perform(self, follow_up, *, callback_note):
        return self.move_follow_up(follow_up, "整改后已回访申请人", note=callback_note, callback_note=callback_note)


class CloseFollowUp(FollowUpAction):
    transition = "follow_up_close"

    def perform(self, follow_up):
        return self.move_follow_up(follow_up, "差评整改已关闭")


notify_result_ready = NotifyResultReady.run
record_pickup = RecordPickup.run
record_courier = RecordCourier.run
evaluate_online = EvaluateOnline.run
record_evaluation = RecordEvaluation.run
archive_case = ArchiveCase.run
check_follow_up = CheckFollowUp.run
call_back_follow_up = CallBackFollowUp.run
close_follow_up = CloseFollowUp.run
