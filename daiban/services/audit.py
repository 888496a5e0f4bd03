"""The one registry of audit labels, and the record every change to a case leaves.

Every entry of a case's history (CaseEvent) is also an entry of Wagtail's audit log,
under "daiban.case.<action>"; other objects (monthly reports, the outbox) log under
their own prefix. `register_log_actions` is the only hook that names them for Wagtail.
"""

from wagtail.log_actions import log

from ..models import CaseEvent

__all__ = ["LOG_ACTIONS", "record", "log_change", "register_log_actions"]

LOG_ACTIONS = {
    # intake and screening
    "daiban.case.submit": "网上提交帮办代办申请",
    "daiban.case.register": "窗口登记帮办代办申请",
    "daiban.case.reject": "不予受理",
    "daiban.case.request_supplement": "一次性告知",
    "daiban.case.supplement": "登记补正材料",
    "daiban.case.accept": "受理",
    "daiban.case.receive_deferred": "登记容缺材料补交",
    "daiban.case.withdraw": "撤回申请",
    # linked handling
    "daiban.case.route": "转办",
    "daiban.case.return_results": "结果返回窗口",
    "daiban.case.add_unit": "增加协办单位",
    "daiban.case.accept_flow": "单位受理",
    "daiban.case.request_materials": "单位要求补充材料",
    "daiban.case.resume_flow": "单位恢复办理",
    "daiban.case.complete_flow": "单位办结",
    "daiban.case.reopen_flows": "退回单位补充办理结果",
    "daiban.case.cancel_flows": "撤回后取消单位流转",
    "daiban.case.handover": "材料交接",
    "daiban.case.handover_received": "确认接收材料",
    "daiban.case.supervise": "督办",
    # result, evaluation, follow-up, archive
    "daiban.case.notify_result": "通知申请人领取结果",
    "daiban.case.deliver": "反馈结果",
    "daiban.case.evaluate": "评价",
    "daiban.case.follow_up_open": "差评转入整改",
    "daiban.case.follow_up_check": "差评核查",
    "daiban.case.follow_up_call_back": "整改回访",
    "daiban.case.follow_up_close": "关闭差评整改",
    "daiban.case.archive": "归档",
    "daiban.case.import": "历史台账导入",
    # other objects
    "daiban.report.confirm": "确认月度办件统计表",
    "daiban.notification.retry": "重新发送通知",
}


def _person(user):
    return user if getattr(user, "is_authenticated", False) else None


def log_change(instance, action, *, user=None, data=None):
    """Wagtail's audit entry for a registered action on any object."""
    if action not in LOG_ACTIONS:
        raise KeyError(f"未登记的审计操作：{action}")
    log(instance=instance, action=action, user=_person(user), data=data or {})


def record(case, action, label, *, user=None, actor_label="", note="", public=False, data=None, from_status=""):
    """Write the case history entry and Wagtail's audit log entry for `daiban.case.<action>`."""
    event = CaseEvent.objects.create(
        case=case,
        action=action,
        label=label,
        from_status=from_status,
        to_status=case.status if from_status else "",
        actor=_person(user),
        actor_label=actor_label,
        note=note,
        is_public=public,
        data=data or {},
    )
    log_change(case, f"daiban.case.{action}", user=user, data={"label": label, "note": note, **(data or {})})
    return event


def register_log_actions(actions):
    for action, label in LOG_ACTIONS.items():
        actions.register_action(action, label, label)
