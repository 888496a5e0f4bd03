"""Messages to staff through the outbox: new flows, requests, results, 督办, reminders.

Texts carry the case number and matter only, never the applicant's personal data.
"""

from django.contrib.auth import get_user_model

from ..assignment import current_handler
from ..models import OPEN_FLOW_STATUSES, Liaison
from ..roles import WINDOW_STAFF
from .outbox import queue_email, queue_sms

SUBJECT = "帮办代办工作提醒"


def tell_liaison(liaison, text, case=None):
    """SMS to the liaison's phone and mail to their login's address, when there is one."""
    if liaison is None:
        return
    queue_sms(liaison.phone, text, case=case)
    user = liaison.user
    if user is not None and user.email:
        queue_email(user.email, SUBJECT, text, case=case)


def tell_user(user, text, case=None):
    if user is not None and user.email:
        queue_email(user.email, SUBJECT, text, case=case)


def window_liaisons(case):
    return Liaison.objects.filter(centre_id=case.centre_id, unit__isnull=True, is_active=True).select_related("user")


def tell_window(case, text):
    """The window of the case's centre: its liaisons, and the person who received the case."""
    for liaison in window_liaisons(case):
        tell_liaison(liaison, text, case=case)
    tell_user(case.received_by, text, case=case)


def window_staff(case):
    """Active window staff of the case's centre (logins with the window role and that centre in their scope)."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=WINDOW_STAFF, staff_profile__centre_id=case.centre_id)
        .distinct()
    )


def new_online_request(case):
    """A request came in from /apply/: the window's liaisons (SMS and mail) and its staff (mail)."""
    text = f"新的网上帮办代办申请{case.number}（{case.matter_name}），请及时甄别。"
    told = set()
    for liaison in window_liaisons(case):
        tell_liaison(liaison, text, case=case)
        told.add(liaison.user_id)
    for user in window_staff(case):
        if user.pk not in told:
            tell_user(user, text, case=case)


def new_flow(flow):
    case = flow.case
    role = "牵头办理" if flow.is_lead else "办理"
    text = f"帮办代办件{case.number}（{case.matter_name}）已转至{flow.unit.name}{role}，请及时受理。"
    tell_liaison(flow.assignee, text, case=case)


def flow_reassigned(flow, previous):
    case = flow.case
    text = (
        f"帮办代办件{case.number}（{case.matter_name}）原由{previous.name}办理，"
        f"因其{'外出' if previous.is_away else '不在岗'}已改由您办理，请及时跟进。"
    )
    tell_liaison(flow.assignee, text, case=case)


def task_force_coordinator(case, coordinator):
    tell_user(coordinator, f"您已被指定为帮办代办件{case.number}（{case.matter_name}）的专班负责人。", case=case)


def materials_requested(flow, items):
    case = flow.case
    tell_window(case, f"帮办代办件{case.number}：{flow.unit.name}要求补充材料，请一次性告知申请人。需补充：{items}")


def results_returned(case):
    tell_window(case, f"帮办代办件{case.number}（{case.matter_name}）各单位已办结，请接收结果材料并通知申请人。")


def flow_cancelled(flow):
    case = flow.case
    text = (
        f"帮办代办件{case.number}（{case.matter_name}）申请人已撤回申请，{flow.unit.name}请停止办理，"
        "并将已收材料退回帮办代办窗口。"
    )
    tell_liaison(current_handler(flow), text, case=case)


def results_sent_back(flow, reason):
    case = flow.case
    text = f"帮办代办件{case.number}（{case.matter_name}）的办理结果需补充完善，窗口已退回{flow.unit.name}：{reason}"
    tell_liaison(current_handler(flow), text, case=case)


def supervision(case, note):
    kind = "提级督办" if note.escalated else "督导意见"
    text = f"帮办代办件{case.number}收到{kind}：{note.text[:60]}"
    for flow in case.flows.filter(status__in=OPEN_FLOW_STATUSES).select_related("assignee__user", "unit"):
        tell_liaison(current_handler(flow), text, case=case)


def corrections_received(case, file_count):
    """The applicant sent the corrections of a 一次性告知 online: the window screens the case again."""
    tell_window(
        case,
        f"帮办代办件{case.number}（{case.matter_name}）申请人已在网上提交补正材料（{file_count}个文件），"
        "办件已回到待甄别，请重新甄别。",
    )
