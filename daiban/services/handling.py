"""Linked handling (联动办理): routing a case to units, each unit's flow, 督办.

Every action checks permission, changes inside transaction.atomic with the case
locked (lock order: case, then flow), and records a case event. Case actions
check the case's version; flow actions check the flow's version, so two units
working on their own flows never block each other.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from ..models import CaseStatus, FlowStatus, LiaisonPost, Route, SupervisionNote, TaskForceMember, UnitFlow
from ..permissions import can_handle_at_window, can_handle_flow, can_supervise
from ..workdays import add_working_days
from . import notify_staff
from .base import ActionError, ActionPermissionDenied, ConcurrentUpdate, InvalidTransition, lock_case, record, touch
from .base import transition as case_transition

__all__ = [
    "OPEN_FLOW_STATUSES",
    "assignee_for",
    "current_handler",
    "route_single",
    "route_bundle",
    "route_task_force",
    "add_co_handling_unit",
    "accept_flow",
    "request_more_materials",
    "resume_flow",
    "complete_flow",
    "send_back_results",
    "cancel_open_flows",
    "add_supervision_note",
    "can_add_co_handling_unit",
]

OPEN_FLOW_STATUSES = (FlowStatus.ASSIGNED, FlowStatus.ACCEPTED, FlowStatus.NEEDS_MATERIALS)


# Who handles a unit's flow (A岗/B岗)


def assignee_for(unit):
    """The unit's active A岗; its B岗 when the A岗 is away; None when the unit has neither."""
    liaisons = [liaison for liaison in unit.liaisons.all() if liaison.is_active]
    a_posts = [liaison for liaison in liaisons if liaison.post == LiaisonPost.A and not liaison.is_away]
    b_posts = [liaison for liaison in liaisons if liaison.post == LiaisonPost.B and not liaison.is_away]
    return (a_posts or b_posts or [None])[0]


def current_handler(flow):
    """Who answers for a flow today: its assignee, or the unit's B岗 if the assignee is now away."""
    assignee = flow.assignee
    if assignee is not None and assignee.is_active and not assignee.is_away:
        return assignee
    return assignee_for(flow.unit) or assignee


# Routing (by the window of the case's centre)


def route_single(case, unit, *, user, version, note=""):
    return _route(case, Route.SINGLE, [unit], lead_unit=None, user=user, version=version, note=note)


def route_bundle(case, lead_unit, co_units=(), *, user, version, note=""):
    units = [lead_unit, *[unit for unit in co_units if unit.pk != lead_unit.pk]]
    return _route(case, Route.BUNDLE, units, lead_unit=lead_unit, user=user, version=version, note=note)


def route_task_force(case, coordinator, members, *, user, version, lead_unit=None, note=""):
    """members: (liaison, role) pairs; every member's unit gets a flow, the lead unit's comes first."""
    if coordinator is None:
        raise ActionError("请指定专班负责人。")
    if not members:
        raise ActionError("请至少选择一名专班成员。")
    units = _distinct([liaison.unit for liaison, _role in members if liaison.unit_id])
    if lead_unit is not None:
        units = _distinct([lead_unit, *units])
    if not units:
        raise ActionError("专班成员须来自相关单位（部门）。")
    with transaction.atomic():
        case = _route(
            case,
            Route.TASK_FORCE,
            units,
            lead_unit=lead_unit,
            user=user,
            version=version,
            note=note,
            coordinator=coordinator,
        )
        TaskForceMember.objects.bulk_create(
            [TaskForceMember(case=case, liaison=liaison, role=role) for liaison, role in members]
        )
    notify_staff.task_force_coordinator(case, coordinator)
    return case


def _distinct(units):
    seen, result = set(), []
    for unit in units:
        if unit.pk not in seen:
            seen.add(unit.pk)
            result.append(unit)
    return result


def _route(case, route, units, *, lead_unit, user, version, note, coordinator=None):
    if not units:
        raise ActionError("请选择办理单位。")
    with transaction.atomic():
        case = lock_case(case, version)
        if not can_handle_at_window(user, case):
            raise ActionPermissionDenied("只有受理该件的帮办代办窗口可以转办。")
        names = "、".join(unit.name for unit in units)
        case_transition(
            case,
            "route",
            label=f"转办（{Route(route).label}）：{names}",
            user=user,
            note=note,
            route=route,
            lead_unit=lead_unit,
            coordinator=coordinator,
            data={"route": route, "units": [unit.pk for unit in units]},
        )
        for unit in units:
            _create_flow(case, unit, is_lead=lead_unit is not None and unit.pk == lead_unit.pk)
    return case


def _create_flow(case, unit, *, is_lead):
    assignee = assignee_for(unit)
    flow = UnitFlow.objects.create(case=case, unit=unit, is_lead=is_lead, assignee=assignee, due_date=case.due_date)
    notify_staff.new_flow(flow)
    return flow


def can_add_co_handling_unit(user, case):
    """The lead unit's staff, the 专班 coordinator and the window may bring in more units."""
    if case.status != CaseStatus.IN_PROGRESS:
        return False
    if can_handle_at_window(user, case) or case.coordinator_id == user.pk:
        return True
    lead = next((flow for flow in case.flows.all() if flow.is_lead), None)
    return lead is not None and can_handle_flow(user, lead)


def add_co_handling_unit(case, unit, *, user, version):
    with transaction.atomic():
        case = lock_case(case, version)
        if not can_add_co_handling_unit(user, case):
            raise ActionPermissionDenied("只有牵头单位、专班负责人或帮办代办窗口可以增加协办单位。")
        if case.flows.filter(unit=unit).exists():
            raise ActionError(f"“{unit.name}”已在办理单位中。")
        flow = _create_flow(case, unit, is_lead=False)
        record(case, "add_unit", f"增加协办单位：{unit.name}", user=user, data={"unit": unit.pk})
        touch(case)
    return flow


# A unit's flow


def _lock_flow(flow, version, user):
    """Lock the case, then the flow; refuse a stale form or a person outside the unit."""
    case = lock_case(flow.case_id)
    locked = UnitFlow.objects.select_for_update().select_related("unit").get(pk=flow.pk)
    if version is not None and int(version) != locked.version:
        raise ConcurrentUpdate("该单位流转已被其他人处理，请刷新页面查看最新情况。您填写的内容未丢失。")
    if not can_handle_flow(user, locked):
        raise ActionPermissionDenied("您不是该单位的帮办代办员，不能办理此流转。")
    if case.status != CaseStatus.IN_PROGRESS:
        raise InvalidTransition(f"办件当前状态为“{case.get_status_display()}”，不能办理。")
    locked.case = case
    return case, locked


def _require_status(flow, *statuses):
    if flow.status not in statuses:
        raise InvalidTransition(f"该流转当前状态为“{flow.get_status_display()}”，不能执行此操作。")


def _save_flow(flow, **changes):
    for field, value in changes.items():
        setattr(flow, field, value)
    flow.version += 1
    flow.save()


def accept_flow(flow, *, user, version, accepted_on=None, notice_no="", promised_days=None):
    """The unit accepts: acceptance date, 受理通知书 number for 承诺件, and its due date."""
    accepted_on = accepted_on or timezone.localdate()
    with transaction.atomic():
        case, flow = _lock_flow(flow, version, user)
        _require_status(flow, FlowStatus.ASSIGNED)
        days = _promised_days(case, promised_days)
        if days > 0 and not notice_no.strip():
            raise ActionError("承诺件须填写受理通知书编号。")
        if accepted_on > timezone.localdate():
            raise ActionError("受理日期不能晚于今天。")
        due = add_working_days(accepted_on, days)
        _save_flow(flow, status=FlowStatus.ACCEPTED, accepted_on=accepted_on, notice_no=notice_no.strip(), due_date=due)
        record(
            case,
            "accept_flow",
            f"{flow.unit.name}受理（承诺办结日期 {due:%Y-%m-%d}）",
            user=user,
            public=True,
            data={"flow": flow.pk, "notice_no": flow.notice_no},
        )
        touch(case)
    return flow


def _promised_days(case, promised_days):
    if promised_days is not None:
        return int(promised_days)
    return case.matter.promised_days if case.matter_id else 0


def request_more_materials(flow, *, user, version, items):
    """The unit needs more materials: back to the window, which contacts the applicant (一次性告知)."""
    items = (items or "").strip()
    if not items:
        raise ActionError("请写明需补充的材料及要求，便于窗口一次性告知申请人。")
    with transaction.atomic():
        case, flow = _lock_flow(flow, version, user)
        _require_status(flow, FlowStatus.ASSIGNED, FlowStatus.ACCEPTED)
        _save_flow(flow, status=FlowStatus.NEEDS_MATERIALS)
        record(
            case, "request_materials", f"{flow.unit.name}要求补充材料", user=user, note=items, data={"flow": flow.pk}
        )
        touch(case)
        notify_staff.materials_requested(flow, items)
    return flow


def resume_flow(flow, *, user, version):
    """The supplemented materials arrived: the unit carries on."""
    with transaction.atomic():
        case, flow = _lock_flow(flow, version, user)
        _require_status(flow, FlowStatus.NEEDS_MATERIALS)
        status = FlowStatus.ACCEPTED if flow.accepted_on else FlowStatus.ASSIGNED
        _save_flow(flow, status=status)
        record(case, "resume_flow", f"{flow.unit.name}已收到补充材料，继续办理", user=user, data={"flow": flow.pk})
        touch(case)
    return flow


def complete_flow(flow, *, user, version, result_note, completed_on=None):
    """The unit is done. When every flow is done the results are back at the window."""
    result_note = (result_note or "").strip()
    if not result_note:
        raise ActionError("请填写办理结果。")
    completed_on = completed_on or timezone.localdate()
    with transaction.atomic():
        case, flow = _lock_flow(flow, version, user)
        _require_status(flow, FlowStatus.ACCEPTED)
        _check_completion_date(flow, completed_on)
        others = list(case.flows.exclude(pk=flow.pk).exclude(status=FlowStatus.CANCELLED))
        if flow.is_lead and any(other.status != FlowStatus.COMPLETED for other in others):
            raise ActionError("协办单位尚未全部办结，牵头单位须收齐办理结果后再办结。")
        _save_flow(flow, status=FlowStatus.COMPLETED, completed_on=completed_on, result_note=result_note)
        record(case, "complete_flow", f"{flow.unit.name}办结", user=user, public=True, note=result_note)
        if all(other.status == FlowStatus.COMPLETED for other in others):
            _return_results(case, [flow, *others], user)
        else:
            touch(case)
    return flow


def _check_completion_date(flow, completed_on):
    if completed_on > timezone.localdate():
        raise ActionError("办结日期不能晚于今天。")
    if flow.accepted_on and completed_on < flow.accepted_on:
        raise ActionError("办结日期不能早于受理日期。")


def _return_results(case, flows, user):
    last = max(flow.completed_on for flow in flows)
    case_transition(
        case,
        "return_results",
        label="办理结果已返回帮办代办窗口",
        user=user,
        results_returned_at=timezone.now(),
        completed_at=_moment(last),
    )
    notify_staff.results_returned(case)


def send_back_results(case, flow, *, user, version, reason):
    """The window finds a unit's returned result incomplete and sends it back (reopen_flows).

    That unit's flow is open again, and so is the lead unit's, which collects the results once more.
    The case is back in 联动办理; its 办结 time is cleared until the results return again.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ActionError("请写明结果材料缺少或需完善的内容，便于单位一次补齐。")
    with transaction.atomic():
        case = lock_case(case, version)
        if not can_handle_at_window(user, case):
            raise ActionPermissionDenied("只有受理该件的帮办代办窗口可以退回办理结果。")
        flows = list(case.flows.select_related("unit", "assignee__user"))
        flow = next((f for f in flows if f.pk == getattr(flow, "pk", flow)), None)
        if flow is None:
            raise ActionError("没有找到该单位流转。")
        _require_status(flow, FlowStatus.COMPLETED)
        reopened = _distinct_flows([flow, *(f for f in flows if f.is_lead and f.status == FlowStatus.COMPLETED)])
        case_transition(
            case,
            "reopen_flows",
            label=f"办理结果需补充完善，已退回{flow.unit.name}",
            user=user,
            note=reason,
            data={"flows": [f.pk for f in reopened], "completed_on": [str(f.completed_on) for f in reopened]},
            results_returned_at=None,
            completed_at=None,
            result_notified_at=None,
        )
        for reopen in reopened:
            _save_flow(reopen, status=FlowStatus.ACCEPTED, completed_on=None)
            notify_staff.results_sent_back(reopen, reason)
    return flow


def _distinct_flows(flows):
    seen, result = set(), []
    for flow in flows:
        if flow.pk not in seen:
            seen.add(flow.pk)
            result.append(flow)
    return result


def cancel_open_flows(case, *, user=None, actor_label=""):
    """The case stopped (withdrawn): every open flow is cancelled and its unit told. The case must be locked."""
    flows = list(case.flows.filter(status__in=OPEN_FLOW_STATUSES).select_related("unit", "assignee__user"))
    if not flows:
        return []
    for flow in flows:
        _save_flow(flow, status=FlowStatus.CANCELLED)
        notify_staff.flow_cancelled(flow)
    names = "、".join(flow.unit.name for flow in flows)
    record(
        case,
        "cancel_flows",
        f"申请已撤回，已通知{names}停止办理",
        user=user,
        actor_label=actor_label,
        data={"flows": [flow.pk for flow in flows]},
    )
    return flows


def _moment(day):
    """The case's 办结 time: now when the last unit finished today, else that day's start."""
    if day == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# 督导 / 督办


def add_supervision_note(case, *, user, text, escalated=False):
    text = (text or "").strip()
    if not text:
        raise ActionError("请填写督办意见。")
    with transaction.atomic():
        case = lock_case(case)
        if not can_supervise(user, case):
            raise ActionPermissionDenied("您无权督办该件。")
        note = SupervisionNote.objects.create(case=case, author=user, text=text, escalated=escalated)
        label = "提级督办" if escalated else "督导意见"
        record(case, "supervise", label, user=user, note=text, data={"escalated": escalated})
        touch(case)
        notify_staff.supervision(case, note)
    return note
