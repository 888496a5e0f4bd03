"""Linked handling (联动办理): routing a case to units, each unit's flow, 督办.

Case actions lock the case and check its version; flow actions lock the case, then the
flow, and check the flow's version, so two units working on their own flows never block
each other for long. The flow's state machine is daiban.services.transitions.FLOW.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from ..assignment import assignee_for, units_without_login
from ..deadlines import case_committed_date
from ..models import (
    OPEN_FLOW_STATUSES,
    Case,
    CaseStatus,
    FlowStatus,
    Route,
    SupervisionNote,
    TaskForceMember,
    UnitFlow,
)
from ..permissions import can_add_co_handling_unit, can_change_liaison, can_handle_flow, can_supervise
from ..workdays import add_working_days
from . import notify_staff, transitions
from .audit import record
from .base import (
    Action,
    ActionError,
    CaseAction,
    ConcurrentUpdate,
    InvalidTransition,
    lock_case,
    required,
    touch,
    transition,
)

# A 承诺时限 of more than a year of working days is a typing error (and a far date the calendar cannot reach).
MAX_PROMISED_DAYS = 365

__all__ = [
    "RouteSingle",
    "RouteBundle",
    "RouteTaskForce",
    "AddCoHandlingUnit",
    "AcceptFlow",
    "RequestMaterials",
    "ResumeFlow",
    "CompleteFlow",
    "SendBackResults",
    "AddSupervisionNote",
    "HandOverFlows",
    "cancel_open_flows",
    "refuse_units_without_login",
    "route_single",
    "route_bundle",
    "route_task_force",
    "add_co_handling_unit",
    "accept_flow",
    "request_more_materials",
    "resume_flow",
    "complete_flow",
    "send_back_results",
    "add_supervision_note",
]

FLOW_STALE = "该单位流转已被其他人处理，请刷新页面查看最新情况。您填写的内容未丢失。"
NOBODY_CAN_LOG_IN = (
    "以下单位没有可登录系统的帮办代办员（在岗的A岗或B岗，且关联了有效的登录账号），不能{verb}：{names}。"
    "请先在“组织机构 → 帮办代办员及联络员”中为其A岗或B岗关联登录账号，或选择其他单位。"
)


def refuse_units_without_login(units, *, verb="转办"):
    """An ActionError naming every unit of `units` whose flow nobody could open (one query)."""
    missing = units_without_login(list(units))
    if missing:
        raise ActionError(NOBODY_CAN_LOG_IN.format(verb=verb, names="、".join(unit.name for unit in missing)))


# Routing (by the window of the case's centre) -----------------------------------------------------


class _Route(CaseAction):
    transition = "route"
    route = None
    denied = "只有受理该件的帮办代办窗口可以转办。"

    def route_to(self, case, units, *, lead_unit=None, coordinator=None, note=""):
        if not units:
            raise ActionError("请选择办理单位。")
        names = "、".join(unit.name for unit in units)
        self.move(
            case,
            label=f"转办（{Route(self.route).label}）：{names}",
            note=note,
            route=self.route,
            lead_unit=lead_unit,
            coordinator=coordinator,
            data={"route": self.route, "units": [unit.pk for unit in units]},
        )
        for unit in units:
            _create_flow(case, unit, is_lead=lead_unit is not None and unit.pk == lead_unit.pk)
        return case


class RouteSingle(_Route):
    """单部门事项: the window hands the case to one unit."""

    route = Route.SINGLE

    def clean(self, *, unit, note=""):
        if unit is None:
            raise ActionError("请选择办理单位。")
        refuse_units_without_login([unit])
        return {"unit": unit, "note": note}

    def perform(self, case, *, unit, note=""):
        return self.route_to(case, [unit], note=note)


class RouteBundle(_Route):
    """一件事一次办: a lead unit and its co-handling units."""

    route = Route.BUNDLE

    def clean(self, *, lead_unit, co_units=(), note=""):
        if lead_unit is None:
            raise ActionError("请选择牵头单位。")
        co_units = [unit for unit in _distinct(co_units) if unit.pk != lead_unit.pk]
        refuse_units_without_login([lead_unit, *co_units])
        return {"lead_unit": lead_unit, "co_units": co_units, "note": note}

    def perform(self, case, *, lead_unit, co_units=(), note=""):
        return self.route_to(case, [lead_unit, *co_units], lead_unit=lead_unit, note=note)


class RouteTaskForce(_Route):
    """专班: a coordinator and members; every member's unit gets a flow, the lead unit's first."""

    route = Route.TASK_FORCE

    def clean(self, *, coordinator, members, lead_unit=None, note=""):
        if coordinator is None:
            raise ActionError("请指定专班负责人。")
        if not members:
            raise ActionError("请至少选择一名专班成员。")
        units = _distinct([liaison.unit for liaison, _role in members if liaison.unit_id])
        if lead_unit is not None:
            units = _distinct([lead_unit, *units])
        if not units:
            raise ActionError("专班成员须来自相关单位（部门）。")
        refuse_units_without_login(units, verb="组建专班")
        return {"coordinator": coordinator, "members": members, "units": units, "lead_unit": lead_unit, "note": note}

    def perform(self, case, *, coordinator, members, units, lead_unit, note):
        self.route_to(case, units, lead_unit=lead_unit, coordinator=coordinator, note=note)
        TaskForceMember.objects.bulk_create(
            [TaskForceMember(case=case, liaison=liaison, role=role) for liaison, role in members]
        )
        notify_staff.task_force_coordinator(case, coordinator)
        return case


def _distinct(objects):
    seen, result = set(), []
    for obj in objects:
        if obj.pk not in seen:
            seen.add(obj.pk)
            result.append(obj)
    return result


def _create_flow(case, unit, *, is_lead):
    flow = UnitFlow.objects.create(
        case=case, unit=unit, is_lead=is_lead, assignee=assignee_for(unit), due_date=case.due_date
    )
    notify_staff.new_flow(flow)
    return flow


class AddCoHandlingUnit(CaseAction):
    """The lead unit's staff, the 专班 coordinator or the window bring in one more unit."""

    transition = "add_unit"
    denied = "只有牵头单位、专班负责人或帮办代办窗口可以增加协办单位。"

    def has_permission(self, case):
        return can_add_co_handling_unit(self.user, case)

    def clean(self, *, unit):
        if unit is None:
            raise ActionError("请选择协办单位。")
        refuse_units_without_login([unit], verb="增加为协办单位")
        return {"unit": unit}

    def perform(self, case, *, unit):
        if case.flows.filter(unit=unit).exists():
            raise ActionError(f"“{unit.name}”已在办理单位中。")
        flow = _create_flow(case, unit, is_lead=False)
        self.log(case, f"增加协办单位：{unit.name}", data={"unit": unit.pk})
        return flow


# A unit's flow ------------------------------------------------------------------------------------


class FlowAction(Action):
    """An action of a unit's 帮办代办员 on the unit's flow of a case in 联动办理."""

    machine = transitions.FLOW
    subject = "该流转"
    denied = "您不是该单位的帮办代办员，不能办理此流转。"

    def case_of(self, flow):
        return flow.case

    def version_of(self, flow):
        return flow.version

    def has_permission(self, flow):
        return can_handle_flow(self.user, flow)

    def check_state(self, flow):
        case = flow.case
        if case.status != CaseStatus.IN_PROGRESS:
            raise InvalidTransition(f"办件当前状态为“{case.get_status_display()}”，不能办理。")

    def lock(self):
        case = lock_case(self.object.case_id)
        flow = UnitFlow.objects.select_for_update().select_related("unit").get(pk=self.object.pk)
        if int(self.version) != flow.version:
            raise ConcurrentUpdate(FLOW_STALE)
        flow.case = case
        return flow

    def move_flow(self, flow, status=None, **changes):
        _save_flow(flow, status=status or self.target, **changes)


def keep_committed_date(case):
    """After a flow's due date changed: the case's committed date is the latest flow date (daiban.deadlines)."""
    committed = case_committed_date(case)
    if committed != case.due_date:
        Case.objects.filter(pk=case.pk).update(due_date=committed)
        case.due_date = committed


def _save_flow(flow, **changes):
    for field, value in changes.items():
        setattr(flow, field, value)
    flow.version += 1
    flow.save()


class AcceptFlow(FlowAction):
    """The unit accepts: acceptance date, 受理通知书 number for 承诺件, and its due date."""

    transition = "accept_flow"

    def clean(self, *, accepted_on=None, notice_no="", promised_days=None):
        accepted_on = accepted_on or timezone.localdate()
        if accepted_on > timezone.localdate():
            raise ActionError("受理日期不能晚于今天。")
        if promised_days is not None and not 0 <= int(promised_days) <= MAX_PROMISED_DAYS:
            raise ActionError(f"承诺时限应为0至{MAX_PROMISED_DAYS}个工作日。")
        return {"accepted_on": accepted_on, "notice_no": (notice_no or "").strip(), "promised_days": promised_days}

    def perform(self, flow, *, accepted_on, notice_no, promised_days):
        case = flow.case
        days = int(promised_days) if promised_days is not None else (case.matter.promised_days if case.matter_id else 0)
        if days > 0 and not notice_no:
            raise ActionError("承诺件须填写受理通知书编号。")
        due = add_working_days(accepted_on, days)
        self.move_flow(flow, accepted_on=accepted_on, notice_no=notice_no, due_date=due)
        keep_committed_date(flow.case)
        self.log(
            flow.case,
            f"{flow.unit.name}受理（承诺办结日期 {due:%Y-%m-%d}）",
            public=True,
            data={"flow": flow.pk, "notice_no": flow.notice_no},
        )
        return flow


class RequestMaterials(FlowAction):
    """The unit needs more materials: back to the window, which contacts the applicant (一次性告知)."""

    transition = "request_materials"

    def clean(self, *, items):
        return {"items": required(items, "请写明需补充的材料及要求，便于窗口一次性告知申请人。")}

    def perform(self, flow, *, items):
        self.move_flow(flow)
        self.log(flow.case, f"{flow.unit.name}要求补充材料", note=items, data={"flow": flow.pk})
        notify_staff.materials_requested(flow, items)
        return flow


class ResumeFlow(FlowAction):
    """The supplemented materials arrived: the unit carries on where it was."""

    transition = "resume_flow"

    def perform(self, flow):
        self.move_flow(flow, status=FlowStatus.ACCEPTED if flow.accepted_on else FlowStatus.ASSIGNED)
        self.log(flow.case, f"{flow.unit.name}已收到补充材料，继续办理", data={"flow": flow.pk})
        return flow


class CompleteFlow(FlowAction):
    """The unit is done. When every flow is done the results are back at the window."""

    transition = "complete_flow"

    def clean(self, *, result_note, completed_on=None):
        completed_on = completed_on or timezone.localdate()
        if completed_on > timezone.localdate():
            raise ActionError("办结日期不能晚于今天。")
        return {"result_note": required(result_note, "请填写办理结果。"), "completed_on": completed_on}

    def perform(self, flow, *, result_note, completed_on):
        case = flow.case
        if flow.accepted_on and completed_on < flow.accepted_on:
            raise ActionError("办结日期不能早于受理日期。")
        others = list(case.flows.exclude(pk=flow.pk).exclude(status=FlowStatus.CANCELLED))
        if flow.is_lead and any(other.status != FlowStatus.COMPLETED for other in others):
            raise ActionError("协办单位尚未全部办结，牵头单位须收齐办理结果后再办结。")
        self.move_flow(flow, completed_on=completed_on, result_note=result_note)
        record(case, self.transition, f"{flow.unit.name}办结", user=self.user, public=True, note=result_note)
        if all(other.status == FlowStatus.COMPLETED for other in others):
            last = max(f.completed_on for f in [flow, *others])
            transition(
                case,
                "return_results",
                label="办理结果已返回帮办代办窗口",
                user=self.user,
                results_returned_at=timezone.now(),
                completed_at=_moment(last),
            )
            notify_staff.results_returned(case)
        else:
            touch(case)
        return flow


def _moment(day):
    """The case's 办结 time: now when the last unit finished today, else that day's start."""
    if day == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class SendBackResults(CaseAction):
    """The window finds a unit's returned result incomplete and sends it back (reopen_flows).

    Bound to the unit's completed flow. That flow is open again, and so is the lead unit's, which
    collects the results once more. The case is back in 联动办理; its 办结 time is cleared until the
    results return again. The version is the case's.
    """

    transition = "reopen_flows"
    denied = "只有受理该件的帮办代办窗口可以退回办理结果。"

    def case_of(self, flow):
        return flow.case

    def stateful(self, flow):
        return flow.case

    def has_permission(self, flow):
        return super().has_permission(flow.case)

    def check_state(self, flow):
        sources, _target = transitions.FLOW["reopen_flow"]
        if flow.status not in sources:
            raise InvalidTransition(f"该流转当前状态为“{flow.get_status_display()}”，不能执行此操作。")

    def lock(self):
        case = lock_case(self.object.case_id, self.version)
        flow = UnitFlow.objects.select_for_update().select_related("unit").get(pk=self.object.pk)
        flow.case = case
        return flow

    def clean(self, *, reason):
        return {"reason": required(reason, "请写明结果材料缺少或需完善的内容，便于单位一次补齐。")}

    def perform(self, flow, *, reason):
        case = flow.case
        _sources, target = transitions.FLOW["reopen_flow"]
        leads = case.flows.filter(is_lead=True, status=FlowStatus.COMPLETED).select_related("unit", "assignee__user")
        reopened = _distinct([flow, *leads])
        self.move(
            case,
            label=f"办理结果需补充完善，已退回{flow.unit.name}",
            note=reason,
            data={"flows": [f.pk for f in reopened], "completed_on": [str(f.completed_on) for f in reopened]},
            results_returned_at=None,
            completed_at=None,
            result_notified_at=None,
        )
        for reopen in reopened:
            _save_flow(reopen, status=target, completed_on=None)
            notify_staff.results_sent_back(reopen, reason)
        return flow


def cancel_open_flows(case, *, user=None, actor_label=""):
    """The case stopped (withdrawn): every open flow is cancelled and its unit told. The case must be locked."""
    sources, target = transitions.FLOW["cancel_flow"]
    flows = list(case.flows.filter(status__in=sources).select_related("unit", "assignee__user"))
    if not flows:
        return []
    for flow in flows:
        _save_flow(flow, status=target)
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


# A post away: its open flows go to whoever answers for the unit now --------------------------------


class HandOverFlows(Action):
    """A liaison marked away (外出, 由B岗顶岗) or off duty: their open flows go to the unit's new receiver.

    Run by the liaison edit page after the change is saved (in the same transaction). Each flow
    is reassigned under the case's and the flow's locks, with an entry in the case history and
    the audit log, and the new receiver is told. The flow's version is kept: what the unit may do
    with the flow has not changed, so a form the B岗 already opened stays valid.
    """

    denied = "您无权修改该帮办代办员的岗位信息。"

    def case_of(self, liaison):
        return None

    def has_permission(self, liaison):
        return can_change_liaison(self.user, liaison)

    def check_state(self, liaison):
        if liaison.unit_id is None:
            raise ActionError("窗口人员没有单位流转。")
        if liaison.is_active and not liaison.is_away:
            raise ActionError("该帮办代办员在岗，其流转无需改派。")
        if self.open_flows(liaison).exists() and self.receiver(liaison) is None:
            raise ActionError(f"{liaison.unit.name}没有其他在岗的帮办代办员，流转无法改派。")

    @staticmethod
    def open_flows(liaison):
        return UnitFlow.objects.filter(assignee=liaison, status__in=OPEN_FLOW_STATUSES).exclude(
            case__status=CaseStatus.ARCHIVED
        )

    @classmethod
    def stranded(cls, liaison):
        """Away or off duty with open flows, and nobody else in the unit to take them."""
        away = liaison.is_away or not liaison.is_active
        return bool(liaison.unit_id and away and cls.open_flows(liaison).exists() and cls.receiver(liaison) is None)

    @staticmethod
    def receiver(liaison):
        receiver = assignee_for(liaison.unit)
        return None if receiver is None or receiver.pk == liaison.pk else receiver

    @classmethod
    def run(cls, liaison, *, user=None):
        return cls(liaison, user=user).execute()

    def execute(self):
        """The flows reassigned (a list, empty when there were none)."""
        liaison = self.object
        self.check(liaison)
        receiver = self.receiver(liaison)
        why = "外出" if liaison.is_away else "不在岗"
        moved = []
        with transaction.atomic():
            for flow_id, case_id in self.open_flows(liaison).order_by("case_id", "pk").values_list("pk", "case_id"):
                case = lock_case(case_id)
                flow = UnitFlow.objects.select_for_update().select_related("unit").get(pk=flow_id)
                if flow.assignee_id != liaison.pk or flow.status not in OPEN_FLOW_STATUSES:
                    continue
                UnitFlow.objects.filter(pk=flow.pk).update(assignee=receiver)
                flow.assignee, flow.case = receiver, case
                record(
                    case,
                    "reassign_flow",
                    f"{flow.unit.name}{liaison.get_post_display()}{liaison.name}{why}，"
                    f"流转改由{receiver.get_post_display()}{receiver.name}办理",
                    user=self.user,
                    data={"flow": flow.pk, "from": liaison.pk, "to": receiver.pk},
                )
                notify_staff.flow_reassigned(flow, liaison)
                moved.append(flow)
        return moved


# 督导 / 督办 ---------------------------------------------------------------------------------------


class AddSupervisionNote(CaseAction):
    """A supervisor's note or escalation (提级督办); the units still working on the case are told."""

    transition = "supervise"
    denied = "您无权督办该件。"

    def has_permission(self, case):
        return can_supervise(self.user, case)

    def clean(self, *, text, escalated=False):
        return {"text": required(text, "请填写督办意见。"), "escalated": bool(escalated)}

    def perform(self, case, *, text, escalated):
        note = SupervisionNote.objects.create(case=case, author=self.user, text=text, escalated=escalated)
        self.log(case, "提级督办" if escalated else "督导意见", note=text, data={"escalated": escalated})
        notify_staff.supervision(case, note)
        return note


route_single = RouteSingle.run
route_bundle = RouteBundle.run
route_task_force = RouteTaskForce.run
add_co_handling_unit = AddCoHandlingUnit.run
accept_flow = AcceptFlow.run
request_more_materials = RequestMaterials.run
resume_flow = ResumeFlow.run
complete_flow = CompleteFlow.run
send_back_results = SendBackResults.run
add_supervision_note = AddSupervisionNote.run
