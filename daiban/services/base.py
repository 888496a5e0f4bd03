"""What every case action shares: errors, locking, the transition table and the audit record.

Each action elsewhere in this package follows Wagtail's actions pattern:
check permission, change inside transaction.atomic, write the audit log.
"""

from django.db import transaction
from wagtail.log_actions import log

from ..models import Case, CaseEvent, CaseStatus

S = CaseStatus

# action → (statuses it may start from, status it leads to)
TRANSITIONS = {
    "reject": ({S.SUBMITTED}, S.REJECTED),
    "request_supplement": ({S.SUBMITTED}, S.PENDING_SUPPLEMENT),
    "supplement": ({S.PENDING_SUPPLEMENT}, S.SUBMITTED),
    "accept": ({S.SUBMITTED}, S.ACCEPTED),
    "route": ({S.ACCEPTED}, S.IN_PROGRESS),
    "return_results": ({S.IN_PROGRESS}, S.RESULTS_RETURNED),
    "reopen_flows": ({S.RESULTS_RETURNED}, S.IN_PROGRESS),
    "deliver": ({S.RESULTS_RETURNED}, S.COMPLETED),
    "archive": ({S.COMPLETED}, S.ARCHIVED),
    "withdraw": ({S.SUBMITTED, S.PENDING_SUPPLEMENT, S.ACCEPTED, S.IN_PROGRESS}, S.WITHDRAWN),
}


class ActionError(Exception):
    """A refused action; the message is Chinese and meant for the person."""


class ActionPermissionDenied(ActionError):
    pass


class InvalidTransition(ActionError):
    pass


class ConcurrentUpdate(ActionError):
    pass


class CaseArchived(ActionError):
    pass


def allowed_actions(case):
    return [name for name, (sources, _target) in TRANSITIONS.items() if case.status in sources]


def lock_case(case_or_pk, expected_version=None):
    """Re-read the case under a row lock; refuse if someone changed it since the person loaded it."""
    pk = getattr(case_or_pk, "pk", case_or_pk)
    case = Case.objects.select_for_update().get(pk=pk)
    if case.status == CaseStatus.ARCHIVED:
        raise CaseArchived("该办件已归档，归档后不能再修改。")
    if expected_version is not None and int(expected_version) != case.version:
        raise ConcurrentUpdate("该办件已被其他人修改，请刷新页面后查看最新情况再操作。您填写的内容未丢失。")
    return case


def record(case, action, label, *, user=None, actor_label="", note="", public=False, data=None, from_status=""):
    """Write the case history entry and Wagtail's audit log entry."""
    event = CaseEvent.objects.create(
        case=case,
        action=action,
        label=label,
        from_status=from_status,
        to_status=case.status if from_status else "",
        actor=user if getattr(user, "is_authenticated", False) else None,
        actor_label=actor_label,
        note=note,
        is_public=public,
        data=data or {},
    )
    log(
        instance=case,
        action=f"daiban.case.{action}",
        user=user if getattr(user, "is_authenticated", False) else None,
        data={"label": label, "note": note, **(data or {})},
    )
    return event


def transition(case, action, *, label, user=None, actor_label="", note="", public=True, data=None, **changes):
    """Move a locked case along the table, apply field changes, bump the version, record it."""
    sources, target = TRANSITIONS[action]
    if case.status not in sources:
        raise InvalidTransition(f"办件当前状态为“{case.get_status_display()}”，不能执行此操作。")
    from_status = case.status
    case.status = target
    for field, value in changes.items():
        setattr(case, field, value)
    case.version += 1
    case.save()
    return record(
        case,
        action,
        label,
        user=user,
        actor_label=actor_label,
        note=note,
        public=public,
        data=data,
        from_status=from_status,
    )


def touch(case):
    """Bump the version of a case changed without a status change (flows, handovers, notes)."""
    Case.objects.filter(pk=case.pk).update(version=case.version + 1)
    case.version += 1


atomic = transaction.atomic
