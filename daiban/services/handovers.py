"""材料交接 (附件6): every transfer of paper is a record; the receiving side confirms it."""

from django.utils import timezone

from ..models import Handover, HandoverItem, HandoverParty
from ..permissions import can_handle_at_window, can_handle_flow, can_sign_handover
from .base import ActionError, ActionPermissionDenied, CaseAction, lock_case

__all__ = ["CreateHandover", "ConfirmReceipt", "create_handover", "confirm_receipt"]

P = HandoverParty


class CreateHandover(CaseAction):
    """A handover of papers between the window, the applicant and the units. items: (name, copies) pairs.

    The window and the units with a flow on the case record handovers; each person signs only for
    their own side.
    """

    transition = "handover"
    denied = "您不能代表移交方登记材料交接。"

    def has_permission(self, case):
        return can_handle_at_window(self.user, case) or any(can_handle_flow(self.user, f) for f in case.flows.all())

    def clean(self, *, from_party, to_party, items, from_unit=None, to_unit=None, **rest):
        items = [(name.strip(), int(copies)) for name, copies in items if name and name.strip()]
        if not items:
            raise ActionError("请至少填写一项材料及份数。")
        if any(copies < 1 for _name, copies in items):
            raise ActionError("份数须为正整数。")
        for party, unit in ((from_party, from_unit), (to_party, to_unit)):
            if party == P.UNIT and unit is None:
                raise ActionError("移交或接收方为部门（单位）时，请选择单位。")
        if (from_party, getattr(from_unit, "pk", None)) == (to_party, getattr(to_unit, "pk", None)):
            raise ActionError("移交方和接收方不能相同。")
        if not can_sign_handover(self.user, self.object, from_party, from_unit):
            raise ActionPermissionDenied(self.denied)
        sides = {"from_party": from_party, "to_party": to_party, "from_unit": from_unit, "to_unit": to_unit}
        return {**sides, "items": items, **rest}

    def perform(
        self, case, *, from_party, to_party, items, from_unit, to_unit, flow=None, is_result=False, handed_over_label=""
    ):
        handover = Handover.objects.create(
            case=case,
            flow=flow,
            from_party=from_party,
            from_unit=from_unit,
            to_party=to_party,
            to_unit=to_unit,
            handed_over_by=self.user,
            handed_over_label=handed_over_label or _name(self.user),
            is_result=is_result,
        )
        HandoverItem.objects.bulk_create(
            [HandoverItem(handover=handover, name=name, copies=copies) for name, copies in items]
        )
        self.log(case, f"材料交接：{_side(from_party, from_unit)}→{_side(to_party, to_unit)}")
        return handover


class ConfirmReceipt(CaseAction):
    """The receiving side signs. A second confirmation is refused, naming who signed first."""

    transition = "handover_received"
    denied = "只有接收方可以确认接收。"

    def case_of(self, handover):
        return handover.case

    def stateful(self, handover):
        return handover.case

    def has_permission(self, handover):
        return can_sign_handover(self.user, handover.case, handover.to_party, handover.to_unit)

    def check_state(self, handover):
        if handover.received_at is not None:
            who = handover.received_label or "他人"
            raise ActionError(f"该交接已于{timezone.localtime(handover.received_at):%Y-%m-%d %H:%M}由{who}确认接收。")

    def lock(self):
        case = lock_case(self.object.case_id, self.version)
        handover = Handover.objects.select_for_update().get(pk=self.object.pk)
        handover.case = case
        return handover

    def perform(self, handover, *, received_label=""):
        handover.received_by = self.user
        handover.received_label = (received_label or "").strip() or _name(self.user)
        handover.received_at = timezone.now()
        handover.save(update_fields=["received_by", "received_label", "received_at"])
        self.log(handover.case, f"材料已接收：{handover.received_label}")
        return handover


def _side(party, unit):
    return unit.name if party == P.UNIT and unit is not None else P(party).label


def _name(user):
    return (user.get_full_name() or user.get_username()) if user is not None else ""


create_handover = CreateHandover.run
confirm_receipt = ConfirmReceipt.run
