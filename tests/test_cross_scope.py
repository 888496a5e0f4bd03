"""Cross-scope attacks on every POST action of the back office, tried by URL with valid forms.

Two counties, each with its centre, window, a unit and a county bureau. Staff of 资中县 post
every action of linked handling, results, follow-up and monthly reporting against 东兴区's
cases, flows, handovers and reports; unit staff of one unit post the actions of another unit's
flow on a case both work on. Every attempt is refused (403/404, or Wagtail's redirect to the
dashboard for PermissionDenied) and nothing changes: case status and version, its history,
flows, handovers, evaluation, follow-up, reports, outbox.

The intake screening actions (不予受理, 一次性告知, 受理 …) by another centre are tried in
test_case_permissions.py, and a pickup by another centre in test_results_views.py.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from daiban.models import (
    Case,
    CaseEvent,
    CaseStatus,
    Evaluation,
    FollowUp,
    Handover,
    HandoverParty,
    MonthlyReport,
    Notification,
    Satisfaction,
    SupervisionNote,
    UnitFlow,
)
from daiban.services import handling, handovers, results
from daiban.services.base import current_version
from tests.factories import CaseFactory, county
from tests.handling_setup import unit_with_staff
from tests.results_setup import supervisor, window, window_clerk

pytestmark = pytest.mark.django_db


@dataclass
class County:
    region: object
    centre: object
    window_unit: object
    window: object
    unit: object  # handling_setup.Unit: unit, staff, a_post, b_post
    bureau: object


def make_county(name):
    region = county(name)
    window_unit, centre = window(f"{name}行政审批局", region=region)
    return County(
        region=region,
        centre=centre,
        window_unit=window_unit,
        window=window_clerk(centre),
        unit=unit_with_staff(f"{name}市场监督管理局", region=region),
        bureau=supervisor(region=region),
    )


class Scene:
    """东兴区's cases in every state an action applies to; 资中县's people attack them."""

    def __init__(self):
        self.zz = make_county("资中县")
        self.dx = make_county("东兴区")
        self.dx_tax = unit_with_staff("东兴区税务局", region=self.dx.region)
        dx, zz_unit = self.dx, self.zz.unit
        self.accepted = self.accepted_case()
        # 东兴区's unit leads, 资中县's unit co-handles: each unit's staff sees the case.
        self.assigned = self.bundle(dx.unit, zz_unit)
        self.in_hand = self.bundle(dx.unit, zz_unit)
        self.accept_flow(self.in_hand, dx.unit)
        self.accept_flow(self.in_hand, zz_unit)
        self.waiting = self.bundle(dx.unit, zz_unit)
        flow = self.flow(self.waiting, dx.unit)
        handling.request_more_materials(flow, user=dx.unit.staff, version=flow.version, items="营业执照副本")
        self.returned = self.bundle(dx.unit, zz_unit)
        for unit in (zz_unit, dx.unit):
            self.accept_flow(self.returned, unit)
            flow = self.flow(self.returned, unit)
            handling.complete_flow(flow, user=unit.staff, version=flow.version, result_note="已办结")
        self.pending_handover = handovers.create_handover(
            self.refreshed(self.assigned),
            user=dx.window,
            from_party=HandoverParty.WINDOW,
            to_party=HandoverParty.UNIT,
            to_unit=dx.unit.unit,
            items=[("申请书", 2)],
            version=current_version(self.refreshed(self.assigned)),
        )
        self.completed = self.completed_case(zz_unit)
        self.disliked = self.completed_case(zz_unit)
        results.record_evaluation(
            self.disliked,
            user=dx.window,
            level=Satisfaction.DISSATISFIED,
            method="phone",
            comment="等太久",
            version=current_version(self.disliked),
        )
        self.follow_up = FollowUp.objects.get(evaluation__case=self.disliked)

    def accepted_case(self):
        return CaseFactory(
            centre=self.dx.centre,
            status=CaseStatus.ACCEPTED,
            accepted_at=timezone.now(),
            accepting_unit=self.dx.window_unit,
            due_date=timezone.localdate() + datetime.timedelta(days=10),
            received_by=self.dx.window,
        )

    def bundle(self, lead, co):
        case = self.accepted_case()
        return handling.route_bundle(
            case, lead_unit=lead.unit, co_units=[co.unit], user=self.dx.window, version=case.version
        )

    def completed_case(self, co):
        """Delivered to the applicant; 资中县's unit took part, so its staff sees the case."""
        case = self.bundle(self.dx.unit, co)
        for unit in (co, self.dx.unit):
            self.accept_flow(case, unit)
            flow = self.flow(case, unit)
            handling.complete_flow(flow, user=unit.staff, version=flow.version, result_note="已办结")
        case = self.refreshed(case)
        return results.record_pickup(
            case, user=self.dx.window, collected_by="申请人", identity_checked=True, version=case.version
        )

    def accept_flow(self, case, unit):
        flow = self.flow(case, unit)
        handling.accept_flow(flow, user=unit.staff, version=flow.version, notice_no="受理-1")

    @staticmethod
    def flow(case, unit):
        return UnitFlow.objects.get(case=case, unit=unit.unit)

    @staticmethod
    def refreshed(case):
        return Case.objects.get(pk=case.pk)


def snapshot():
    """Everything an action could change."""
    return {
        "cases": list(Case.objects.order_by("pk").values_list("pk", "status", "version", "result_notified_at")),
        "events": CaseEvent.objects.count(),
        "flows": list(UnitFlow.objects.order_by("pk").values_list("pk", "status", "version", "completed_on")),
        "handovers": list(Handover.objects.order_by("pk").values_list("pk", "received_at")),
        "evaluations": Evaluation.objects.count(),
        "follow_ups": list(FollowUp.objects.values_list("pk", "status")),
        "notes": SupervisionNote.objects.count(),
        "reports": MonthlyReport.objects.count(),
        "outbox": Notification.objects.count(),
    }


# Attacks: (who, which case, url name, form data). Valid forms with the current versions, so that
# only the permission checks stand between the attacker and a change.


def handling_url(case):
    return reverse("handling:case", args=[case.pk])


def flow_post(scene, case, unit, action, **fields):
    flow = scene.flow(case, unit)
    data = {"action": action, "flow": flow.pk, f"f{flow.pk}-version": flow.version}
    data.update({f"f{flow.pk}-{name}": value for name, value in fields.items()})
    return handling_url(case), data


def results_post(case, action, **fields):
    case = Scene.refreshed(case)
    data = {"action": action, f"{action}-version": case.version}
    data.update({f"{action}-{name}": value for name, value in fields.items()})
    return reverse("results:case", args=[case.pk]), data


TODAY = timezone.localdate


def accept_data():
    return {"accepted_on": TODAY().isoformat(), "promised_days": 0, "notice_no": "受理-9"}


def complete_data():
    return {"completed_on": TODAY().isoformat(), "result_note": "越权办结"}


def evaluation_data():
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    return {"level": Satisfaction.VERY_SATISFIED, "method": "phone", "evaluated_at": now}


def unit_attacks(s, attacker, victim):
    """Unit staff of `attacker` act on `victim`'s flows of cases both work on."""
    return {
        "accept": flow_post(s, s.assigned, victim, "accept", **accept_data()),
        "request_materials": flow_post(s, s.assigned, victim, "request_materials", items="越权退回"),
        "complete": flow_post(s, s.in_hand, victim, "complete", **complete_data()),
    }


def attacks(s):
    zz, dx = s.zz, s.dx
    accepted, assigned, returned = s.accepted, s.refreshed(s.assigned), s.refreshed(s.returned)
    co_flow = s.flow(returned, zz.unit)
    # 资中县 staff co-handle 东兴区's cases: they see them, but may act only on their own flow.
    by_zz_unit = {f"zz_unit-{name}": (zz.unit.staff, *post) for name, post in unit_attacks(s, zz.unit, dx.unit).items()}
    by_dx_unit = {f"dx_unit-{name}": (dx.unit.staff, *post) for name, post in unit_attacks(s, dx.unit, zz.unit).items()}
    return {
        **by_zz_unit,
        **by_dx_unit,
        "zz_unit-resume": (zz.unit.staff, *flow_post(s, s.waiting, dx.unit, "resume")),
        "zz_unit-route": (
            zz.unit.staff,
            reverse("handling:route", args=[accepted.pk]),
            {"route": "single", "single-version": accepted.version, "single-unit": zz.unit.unit.pk},
        ),
        "zz_window-route": (
            zz.window,
            reverse("handling:route", args=[accepted.pk]),
            {"route": "single", "single-version": accepted.version, "single-unit": zz.unit.unit.pk},
        ),
        "zz_unit-add_unit": (
            zz.unit.staff,
            handling_url(assigned),
            {"action": "add_unit", "version": assigned.version, "unit": s.dx_tax.unit.pk},
        ),
        "zz_window-add_unit": (
            zz.window,
            handling_url(assigned),
            {"action": "add_unit", "version": assigned.version, "unit": s.dx_tax.unit.pk},
        ),
        "zz_unit-confirm_handover_to_dx_unit": (
            zz.unit.staff,
            handling_url(assigned),
            {"action": "confirm", "handover": s.pending_handover.pk, "received_label": "冒名"},
        ),
        "zz_window-confirm_handover": (
            zz.window,
            handling_url(assigned),
            {"action": "confirm", "handover": s.pending_handover.pk},
        ),
        "zz_unit-handover_as_dx_unit": (
            zz.unit.staff,
            handling_url(assigned),
            {
                "action": "handover",
                "h-version": assigned.version,
                "h-from_side": f"unit:{dx.unit.unit.pk}",
                "h-to_side": "window",
                "h-item_0": "申请书",
                "h-copies_0": 1,
            },
        ),
        "zz_unit-handover_as_window": (
            zz.unit.staff,
            handling_url(assigned),
            {
                "action": "handover",
                "h-version": assigned.version,
                "h-from_side": "window",
                "h-to_side": "applicant",
                "h-item_0": "结果",
                "h-copies_0": 1,
            },
        ),
        "zz_unit-supervise": (zz.unit.staff, handling_url(assigned), {"action": "supervise", "text": "越权督办"}),
        "zz_bureau-supervise": (zz.bureau, handling_url(assigned), {"action": "supervise", "text": "越权督办"}),
        "zz_unit-send_back": (
            zz.unit.staff,
            handling_url(returned),
            {
                "action": "send_back",
                "flow": co_flow.pk,
                f"s{co_flow.pk}-version": returned.version,
                f"s{co_flow.pk}-reason": "越权退回",
            },
        ),
        "zz_window-send_back": (
            zz.window,
            handling_url(returned),
            {
                "action": "send_back",
                "flow": co_flow.pk,
                f"s{co_flow.pk}-version": returned.version,
                f"s{co_flow.pk}-reason": "越权退回",
            },
        ),
        "zz_unit-notify": (zz.unit.staff, *results_post(returned, "notify")),
        "zz_window-notify": (zz.window, *results_post(returned, "notify")),
        "zz_unit-courier": (
            zz.unit.staff,
            *results_post(returned, "courier", courier_company="EMS", tracking_number="E1"),
        ),
        "zz_unit-pickup": (
            zz.unit.staff,
            *results_post(returned, "pickup", collected_by="冒领人", identity_checked="on"),
        ),
        "zz_unit-evaluate": (
            zz.unit.staff,
            *results_post(s.completed, "evaluate", **evaluation_data()),
        ),
        "zz_window-evaluate": (zz.window, *results_post(s.completed, "evaluate", **evaluation_data())),
        "zz_unit-archive": (zz.unit.staff, *results_post(s.completed, "archive")),
        "zz_window-archive": (zz.window, *results_post(s.completed, "archive")),
        "zz_bureau-archive": (zz.bureau, *results_post(s.completed, "archive")),
        "zz_unit-follow_up_check": (zz.unit.staff, *follow_up_check(s)),
        "zz_bureau-follow_up_check": (zz.bureau, *follow_up_check(s)),
        "zz_window-follow_up_check": (zz.window, *follow_up_check(s)),
        "zz_window-confirm_dx_report": (zz.window, *confirm_report(dx.window_unit)),
        "zz_bureau-confirm_dx_report": (zz.bureau, *confirm_report(dx.window_unit)),
        "zz_unit-confirm_dx_unit_report": (zz.unit.staff, *confirm_report(dx.unit.unit)),
    }


def follow_up_check(s):
    url = reverse("results:case", args=[s.disliked.pk])
    rectify_by = (TODAY() + datetime.timedelta(days=5)).isoformat()
    return url, {
        "action": "check",
        "check-finding": "越权核查",
        "check-rectification": "越权整改",
        "check-rectify_by": rectify_by,
    }


def last_month():
    return (TODAY().replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m")


def confirm_report(unit):
    month = last_month()
    url = f"{reverse('reports:confirmations')}?month={month}"
    return url, {"unit": unit.pk, f"u{unit.pk}-version": 0}


ATTACKS = [
    "zz_unit-accept",
    "zz_unit-request_materials",
    "zz_unit-complete",
    "dx_unit-accept",
    "dx_unit-request_materials",
    "dx_unit-complete",
    "zz_unit-resume",
    "zz_unit-route",
    "zz_window-route",
    "zz_unit-add_unit",
    "zz_window-add_unit",
    "zz_unit-confirm_handover_to_dx_unit",
    "zz_window-confirm_handover",
    "zz_unit-handover_as_dx_unit",
    "zz_unit-handover_as_window",
    "zz_unit-supervise",
    "zz_bureau-supervise",
    "zz_unit-send_back",
    "zz_window-send_back",
    "zz_unit-notify",
    "zz_window-notify",
    "zz_unit-courier",
    "zz_unit-pickup",
    "zz_unit-evaluate",
    "zz_window-evaluate",
    "zz_unit-archive",
    "zz_window-archive",
    "zz_bureau-archive",
    "zz_unit-follow_up_check",
    "zz_bureau-follow_up_check",
    "zz_window-follow_up_check",
    "zz_window-confirm_dx_report",
    "zz_bureau-confirm_dx_report",
    "zz_unit-confirm_dx_unit_report",
]


@pytest.fixture(scope="module")
def scene(django_db_setup, django_db_blocker):
    """Built once for the module (it takes seconds); each test's changes are rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield Scene()
        transaction.set_rollback(True)


def is_refused(response):
    if response.status_code in (403, 404):
        return True
    # Wagtail's admin answers PermissionDenied with a redirect to the dashboard and an error message.
    return response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")


@pytest.mark.parametrize("attack", ATTACKS)
def test_an_action_outside_the_persons_scope_is_refused_and_changes_nothing(client, scene, attack):
    user, url, data = attacks(scene)[attack]
    before = snapshot()
    client.force_login(user)

    response = client.post(url, data)

    assert is_refused(response), (attack, response.status_code, response.get("Location"))
    assert snapshot() == before


def test_every_attack_is_tried(scene):
    assert sorted(ATTACKS) == sorted(attacks(scene))


@pytest.mark.parametrize(
    "attack",
    ["zz_unit-accept", "dx_unit-complete", "zz_unit-send_back", "zz_unit-evaluate", "zz_unit-archive"],
)
def test_the_same_forms_work_for_the_rightful_person(client, scene, attack):
    """The attacks fail because of who sends them, not because the forms are wrong."""
    rightful = {
        "zz_unit-accept": scene.dx.unit.staff,
        "dx_unit-complete": scene.zz.unit.staff,
        "zz_unit-send_back": scene.dx.window,
        "zz_unit-evaluate": scene.dx.window,
        "zz_unit-archive": scene.dx.window,
    }[attack]
    _user, url, data = attacks(scene)[attack]
    before = snapshot()
    client.force_login(rightful)

    response = client.post(url, data)

    assert response.status_code == 302 and response["Location"] != reverse("wagtailadmin_home"), attack
    assert snapshot() != before
