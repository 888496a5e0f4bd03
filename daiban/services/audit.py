"""The one registry of audit labels, and the records the portal leaves in Wagtail's audit log.

Every entry of a case's history (CaseEvent) is also an entry of Wagtail's audit log,
under "daiban.case.<action>"; other objects (monthly reports, the outbox) log under
their own prefix, and so do logins ("daiban.auth.*", written by daiban.auth) and export
downloads ("daiban.export.*", `log_export`). `register_log_actions` is the only hook that
names them for Wagtail (报表 → 站点历史).
"""

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from wagtail.log_actions import LogFormatter, log
from wagtail.models import ModelLogEntry

from ..models import CaseEvent
from ..ratelimit import client_ip

__all__ = ["LOG_ACTIONS", "record", "log_change", "log_export", "log_without_object", "register_log_actions"]

LOGIN = "daiban.auth.login"
LOGOUT = "daiban.auth.logout"
LOGIN_FAILED = "daiban.auth.login_failed"
LOCKED_OUT = "daiban.auth.locked_out"
EXPORT_LEDGER = "daiban.export.ledger"
EXPORT_LIAISONS = "daiban.export.liaisons"
EXPORT_STATISTICS = "daiban.export.statistics"
EXPORT_MATTERS = "daiban.export.matters"

LOG_ACTIONS = {
    # intake and screening
    "daiban.case.submit": "网上提交帮办代办申请",
    "daiban.case.register": "窗口登记帮办代办申请",
    "daiban.case.reject": "不予受理",
    "daiban.case.request_supplement": "一次性告知",
    "daiban.case.supplement": "登记补正材料",
    "daiban.case.supplement_online": "申请人网上提交补正材料",
    "daiban.case.accept": "受理",
    "daiban.case.receive_deferred": "登记容缺材料补交",
    "daiban.case.waive_deferred": "容缺材料免于补交",
    "daiban.case.withdraw": "撤回申请",
    # linked handling
    "daiban.case.route": "转办",
    "daiban.case.return_results": "结果返回窗口",
    "daiban.case.add_unit": "增加协办单位",
    "daiban.case.reassign_flow": "流转改派（A岗外出或不在岗）",
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
    # logins (等保2.0: every login, logout, failure and lockout)
    LOGIN: "登录",
    LOGOUT: "退出登录",
    LOGIN_FAILED: "登录失败",
    LOCKED_OUT: "登录锁定",
    # export downloads: who, which filter, how many rows
    EXPORT_LEDGER: "导出台账（附件4）",
    EXPORT_LIAISONS: "导出联络员登记表（附件2）",
    EXPORT_STATISTICS: "导出办件统计表（附件8）",
    EXPORT_MATTERS: "导出事项清单（附件1）",
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


def log_export(action, *, rows, filters=None, request=None, user=None, instance=None, **extra):
    """Record one download. `instance` is what was exported when there is one thing (a list page);
    otherwise the entry hangs on the person who downloaded it."""
    if request is not None and user is None:
        user = request.user if request.user.is_authenticated else None
    data = {
        "rows": rows,
        "filters": {name: _plain(value) for name, value in (filters or {}).items() if value not in (None, "")},
        **extra,
    }
    if request is not None:
        data["ip"] = client_ip(request)
    instance = instance if instance is not None else user
    if instance is not None:
        log_change(instance, action, user=user, data=data)
    else:  # a management command: no person, no single object
        log_without_object(action, data, label="系统（命令行）")


def log_without_object(action, data, *, label):
    """An entry about no existing object (a command run, a login with an unknown name), filed under the user model."""
    if action not in LOG_ACTIONS:
        raise KeyError(f"未登记的审计操作：{action}")
    ModelLogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(get_user_model(), for_concrete_model=False),
        label=label,
        action=action,
        data=data,
        timestamp=timezone.now(),
        object_id="0",  # no account has pk 0; the listing looks objects up by it
    )


def _plain(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _describe_export(label, data):
    filters = "，".join(f"{name}={value}" for name, value in data.get("filters", {}).items()) or "无"
    text = f"{label}：{data.get('rows', 0)}行；筛选：{filters}"
    if "masked" in data:
        text += "；个人信息" + ("已脱敏" if data["masked"] else "含完整联系方式")
    return text


def _describe_login(label, data):
    address = data.get("ip")
    return f"{label}（来自 {address}）" if address else label


# How the site history describes an entry, by the action's prefix; a plain label otherwise.
DESCRIPTIONS = {"daiban.export": _describe_export, "daiban.auth": _describe_login}


def register_log_actions(actions):
    for action, label in LOG_ACTIONS.items():
        describe = DESCRIPTIONS.get(action.rpartition(".")[0])
        if describe is None:
            actions.register_action(action, label, label)
            continue

        class Formatter(LogFormatter):
            def format_message(self, log_entry, label=label, describe=describe):
                return describe(label, log_entry.data or {})

        Formatter.label = label
        actions.register_action(action)(Formatter)
