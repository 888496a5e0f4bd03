"""材料交接 (附件6): every transfer of paper is a record; the receiving side confirms it."""

from django.db import transaction
from django.utils import timezone

from ..models import Handover, HandoverItem, HandoverParty
from ..permissions import can_handle_at_window
from ..roles import UNIT_STAFF, Scope, has_role
from .base import ActionError, ActionPermissionDenied, lock_case, record, touch

__all__ = ["create_handover", "confirm_receipt", "can_act_for", "can_confirm"]

P = HandoverParty


def can_act_for(user, case, party, unit):
    """May this person sign for the given side? The window signs for itself and for the applicant."""
    if party in (P.WINDOW, P.APPLICANT):
        return can_handle_at_window(user, case)
    scope = Scope.for_user(user)
    if scope.sees_all:
        return True
    return has_role(user, UNIT_STAFF) and unit is not None and scope.unit is not None and scope.unit.pk == unit.pk


def can_confirm(user, handover):
    return handover.received_at is None and can_act_for(user, handover.case, handover.to_party, handover.to_unit)


def create_handover(
    case,
    *,
    user,
    from_party,
    to_party,
    items,
    from_unit=None,
    to_unit=None,
    flow=None,
    is_result=False,
    handed_over_label="",
):
    """items: (name, copies) pairs. The person must belong to the handing-over side."""
    items = [(name.strip(), int(copies)) for name, copies in items if name and name.strip()]
    _validate(from_party, from_unit, to_party, to_unit, items)
    with transaction.atomic():
        case = lock_case(case)
        if not can_act_for(user, case, from_party, from_unit):
            raise ActionPermissionDenied("您不能代表移交方登记材料交接。")
        handover = Handover.objects.create(
            case=case,
            flow=flow,
            from_party=from_party,
            from_unit=from_unit,
            to_party=to_party,
            to_unit=to_unit,
            handed_over_by=user,
            handed_over_label=handed_over_label or _name(user),
            is_result=is_result,
        )
        HandoverItem.objects.bulk_create(
            [HandoverItem(handover=handover, name=name, copies=copies) for name, copies in items]
        )
        record(case, "handover", f"材料交接：{_side(from_party, from_unit)}→{_side(to_party, to_unit)}", user=user)
        touch(case)
    return handover


def _validate(from_party, from_unit, to_party, to_unit, items):
    if not items:
        raise ActionError("请至少填写一项材料及份数。")
    if any(copies < 1 for _name, copies in items):
        raise ActionError("份数须为正整数。")
    for party, unit in ((from_party, from_unit), (to_party, to_unit)):
        if party == P.UNIT and unit is None:
            raise ActionError("移交或接收方为部门（单位）时，请选择单位。")
    if (from_party, getattr(from_unit, "pk", None)) == (to_party, getattr(to_unit, "pk", None)):
        raise ActionError("移交方和接收方不能相同。")


def confirm_receipt(handover, *, user, received_label=""):
    """The receiving side signs. A second confirmation is refused, naming who signed first."""
    with transaction.atomic():
        case = lock_case(handover.case_id)
        handover = Handover.objects.select_for_update().get(pk=handover.pk)
        if handover.received_at is not None:
            who = handover.received_label or "他人"
            raise ActionError(f"该交接已于{timezone.localtime(handover.received_at):%Y-%m-%d %H:%M}由{who}确认接收。")
        if not can_act_for(user, case, handover.to_party, handover.to_unit):
            raise ActionPermissionDenied("只有接收方可以确认接收。")
        handover.received_by = user
        handover.received_label = received_label.strip() or _name(user)
        handover.received_at = timezone.now()
        handover.save(update_fields=["received_by", "received_label", "received_at"])
        record(case, "handover_received", f"材料已接收：{handover.received_label}", user=user)
        touch(case)
    return handover


def _side(party, unit):
    return unit.name if party == P.UNIT and unit is not None else P(party).label


def _name(user):
    return (user.get_full_name() or user.get_username()) if user is not None else ""
