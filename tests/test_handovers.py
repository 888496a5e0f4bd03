"""附件6 材料交接: records with items, confirmed by the receiving side, printable."""

import pytest
from django.urls import reverse

from daiban.models import CaseEvent, Handover, HandoverParty
from daiban.services import handling, handovers
from daiban.services.base import ActionError, ActionPermissionDenied, current_version
from tests.handling_setup import World

pytestmark = pytest.mark.django_db

P = HandoverParty


@pytest.fixture
def world():
    return World()


@pytest.fixture
def case(world):
    case = world.accepted_case()
    return handling.route_bundle(
        case, lead_unit=world.lead.unit, co_units=[world.co.unit], user=world.window, version=case.version
    )


def window_to_lead(world, case, **kwargs):
    return handovers.create_handover(
        case,
        user=world.window,
        from_party=P.WINDOW,
        to_party=P.UNIT,
        to_unit=world.lead.unit,
        items=[("营业执照申请书", 2), ("身份证复印件", 1), ("", 3)],
        **kwargs,
        version=current_version(case),
    )


def test_window_hands_materials_to_the_lead_unit_which_confirms(world, case):
    handover = window_to_lead(world, case)
    assert [(i.name, i.copies) for i in handover.items.all()] == [("营业执照申请书", 2), ("身份证复印件", 1)]
    assert handover.handed_over_by == world.window and handover.received_at is None
    handovers.confirm_receipt(handover, user=world.lead.staff, version=current_version(handover))
    handover.refresh_from_db()
    assert handover.received_by == world.lead.staff and handover.received_at is not None
    assert CaseEvent.objects.filter(case=case, action="handover_received").exists()


def test_only_the_receiving_side_confirms(world, case):
    handover = window_to_lead(world, case)
    with pytest.raises(ActionPermissionDenied):
        handovers.confirm_receipt(handover, user=world.co.staff, version=current_version(handover))
    with pytest.raises(ActionPermissionDenied):
        handovers.confirm_receipt(handover, user=world.window, version=current_version(handover))
    handover.refresh_from_db()
    assert handover.received_at is None


def test_a_second_confirmation_names_who_signed_first(world, case):
    handover = window_to_lead(world, case)
    handovers.confirm_receipt(
        handover, user=world.lead.staff, received_label="王接收", version=current_version(handover)
    )
    with pytest.raises(ActionError, match="王接收"):
        handovers.confirm_receipt(handover, user=world.lead.staff, version=current_version(handover))


def test_a_unit_cannot_sign_for_the_window(world, case):
    with pytest.raises(ActionPermissionDenied):
        handovers.create_handover(
            case,
            user=world.co.staff,
            from_party=P.WINDOW,
            to_party=P.UNIT,
            to_unit=world.co.unit,
            items=[("a", 1)],
            version=current_version(case),
        )
    assert not Handover.objects.exists()


def test_bad_handovers_are_refused_whole(world, case):
    with pytest.raises(ActionError, match="至少填写一项"):
        handovers.create_handover(
            case, user=world.window, from_party=P.WINDOW, to_party=P.APPLICANT, items=[], version=current_version(case)
        )
    with pytest.raises(ActionError, match="请选择单位"):
        handovers.create_handover(
            case,
            user=world.window,
            from_party=P.WINDOW,
            to_party=P.UNIT,
            items=[("a", 1)],
            version=current_version(case),
        )
    with pytest.raises(ActionError, match="不能相同"):
        handovers.create_handover(
            case,
            user=world.window,
            from_party=P.WINDOW,
            to_party=P.WINDOW,
            items=[("a", 1)],
            version=current_version(case),
        )
    assert not Handover.objects.exists()


def test_co_unit_hands_results_to_lead_and_window_gives_them_to_the_applicant(world, case):
    result = handovers.create_handover(
        case,
        user=world.co.staff,
        from_party=P.UNIT,
        from_unit=world.co.unit,
        to_party=P.UNIT,
        to_unit=world.lead.unit,
        items=[("税务登记结果", 1)],
        is_result=True,
        version=current_version(case),
    )
    handovers.confirm_receipt(result, user=world.lead.staff, version=current_version(result))
    to_applicant = handovers.create_handover(
        case,
        user=world.window,
        from_party=P.WINDOW,
        to_party=P.APPLICANT,
        items=[("营业执照正本", 1)],
        version=current_version(case),
    )
    handovers.confirm_receipt(
        to_applicant, user=world.window, received_label=case.applicant_name, version=current_version(to_applicant)
    )
    to_applicant.refresh_from_db()
    assert to_applicant.received_label == case.applicant_name


def test_handover_print_has_the_attachment_6_layout(client, world, case):
    handover = window_to_lead(world, case)
    client.force_login(world.lead.staff)
    response = client.get(reverse("handling:handover_print", args=[case.pk, handover.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    for text in ("附件6", "帮办代办事项所涉材料交接表", "材料清单及份数", "移交人签字", "接收人签字", "营业执照申请书"):
        assert text in html
    assert "10." in html and "138****0001" in html and "13800000001" not in html


def test_handover_print_is_404_outside_the_persons_scope(client, world, case):
    from tests.handling_setup import unit_with_staff

    outsider = unit_with_staff("县教育局")
    handover = window_to_lead(world, case)
    client.force_login(outsider.staff)
    response = client.get(reverse("handling:handover_print", args=[case.pk, handover.pk]))
    assert response.status_code == 404


def test_confirming_through_the_case_page(client, world, case):
    handover = window_to_lead(world, case)
    client.force_login(world.lead.staff)
    url = reverse("handling:case", args=[case.pk])
    data = {"action": "confirm", "handover": handover.pk, "received_label": "", "version": current_version(handover)}
    response = client.post(url, data)
    assert response.status_code == 302
    handover.refresh_from_db()
    assert handover.received_by == world.lead.staff


def test_registering_a_handover_through_the_case_page(client, world, case):
    client.force_login(world.co.staff)
    url = reverse("handling:case", args=[case.pk])
    data = {
        "action": "handover",
        "h-version": current_version(case),
        "h-from_side": f"unit:{world.co.unit.pk}",
        "h-to_side": f"unit:{world.lead.unit.pk}",
        "h-item_0": "税务登记结果",
        "h-copies_0": "2",
        "h-is_result": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    handover = Handover.objects.get()
    assert handover.from_unit == world.co.unit and handover.is_result
    assert [(i.name, i.copies) for i in handover.items.all()] == [("税务登记结果", 2)]


def test_a_refused_handover_keeps_what_was_typed(client, world, case):
    client.force_login(world.co.staff)
    url = reverse("handling:case", args=[case.pk])
    data = {
        "action": "handover",
        "h-version": case.version,
        "h-from_side": "window",
        "h-to_side": "applicant",
        "h-item_0": "我写的材料",
    }
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 403
    assert "您不能代表移交方登记材料交接" in html and 'value="我写的材料"' in html
    assert not Handover.objects.exists()
