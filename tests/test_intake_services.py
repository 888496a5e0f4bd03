"""The intake service layer: each screening action checks, changes atomically, records who and when, notifies."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import ModelLogEntry

from daiban.models import Case, CaseStatus, Channel, DeferredMaterial, Notification, OneTimeNotice
from daiban.services import intake
from daiban.services.base import ActionError, ConcurrentUpdate, InvalidTransition
from daiban.workdays import add_working_days
from tests.intake_setup import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def texts(case):
    return list(Notification.objects.filter(case=case, channel="sms").order_by("pk").values_list("body", flat=True))


def test_online_submission_numbers_and_notifies(world):
    case = world.online_case()
    today = timezone.localdate()
    assert case.number == f"BD{today:%Y%m%d}0001"
    assert len(case.query_code) == 6 and case.query_code.isdigit()
    assert world.online_case().number == f"BD{today:%Y%m%d}0002"
    assert case.number in texts(case)[0] and case.query_code in texts(case)[0]


def test_the_case_number_is_taken_last_and_a_failed_request_leaves_no_gap(world, monkeypatch):
    """The day's counter row is the city-wide lock: only the history and the SMS are written after it."""
    with CaptureQueriesContext(connection) as queries:
        case = world.online_case()
    statements = [q["sql"].lower() for q in queries.captured_queries]
    counter = max(i for i, sql in enumerate(statements) if "daiban_casenumbersequence" in sql and "update" in sql)
    after = [sql for sql in statements[counter + 1 :] if not sql.startswith(("savepoint", "release", "commit"))]
    # Only the history, the audit entry and the messages (applicant, window) come after the number.
    assert len(after) <= 10, after
    assert not [sql for sql in after if "daiban_casematerial" in sql or "daiban_caseattachment" in sql]
    assert Case.objects.get(pk=case.pk).number == case.number
    assert ModelLogEntry.objects.filter(object_id=str(case.pk), label__contains=case.number).exists()

    def broken(*args, **kwargs):
        raise RuntimeError("上传失败")

    monkeypatch.setattr(intake, "_add_papers", broken)
    with pytest.raises(RuntimeError):
        world.online_case()
    monkeypatch.undo()
    assert world.online_case().number == f"BD{timezone.localdate():%Y%m%d}0002"


def test_acceptance_sets_unit_date_and_due_date(world):
    case = world.online_case()
    intake.accept(case, user=world.window, window_opinion="符合条件", version=case.version)
    case.refresh_from_db()
    today = timezone.localdate()
    assert case.status == CaseStatus.ACCEPTED
    assert timezone.localdate(case.accepted_at) == today
    assert case.accepting_unit == world.bureau_unit
    assert case.due_date == add_working_days(today, 5)
    assert case.window_opinion == "符合条件" and case.received_by == world.window
    assert "已受理" in texts(case)[-1] and f"{case.due_date:%Y年%m月%d日}" in texts(case)[-1]


def test_acceptance_of_a_free_text_matter_has_no_due_date(world):
    case = world.online_case(matter=None, matter_text="清单外事项")
    intake.accept(case, user=world.window, window_opinion="同意", version=case.version)
    case.refresh_from_db()
    assert case.due_date is None and case.status == CaseStatus.ACCEPTED


def test_pre_review_acceptance_tracks_deferred_materials(world):
    case = world.online_case()
    due = timezone.localdate() + datetime.timedelta(days=5)
    intake.accept(
        case, user=world.window, window_opinion="预审通过", deferred=[("参保登记表", due)], version=case.version
    )
    assert list(DeferredMaterial.objects.values_list("name", "due_date", "received_at")) == [("参保登记表", due, None)]
    assert case.events.get(action="accept").label == "已受理（预审+容缺）"
    assert "参保登记表" in texts(case)[-1]


def test_deferred_deadline_in_the_past_is_refused(world):
    case = world.online_case()
    past = timezone.localdate() - datetime.timedelta(days=1)
    with pytest.raises(ActionError, match="补交期限不能早于今天"):
        intake.accept(case, user=world.window, window_opinion="x", deferred=[("证明", past)], version=case.version)
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED and not DeferredMaterial.objects.exists()


def test_rejection_records_reason_and_unit_and_tells_the_applicant(world):
    case = world.online_case()
    intake.reject(case, user=world.window, reason="属于司法事项", redirect_unit="县人民法院", version=case.version)
    case.refresh_from_db()
    assert case.status == CaseStatus.REJECTED and case.closed_at
    assert case.rejection_reason == "属于司法事项" and case.redirect_unit == "县人民法院"
    assert "县人民法院" in texts(case)[-1]


def test_rejection_needs_a_reason_and_a_unit(world):
    case = world.online_case()
    with pytest.raises(ActionError):
        intake.reject(case, user=world.window, reason=" ", redirect_unit="县法院", version=case.version)
    assert Case.objects.get().status == CaseStatus.SUBMITTED


def test_one_time_notice_needs_items_and_lists_them_all(world):
    case = world.online_case()
    with pytest.raises(ActionError):
        intake.request_supplement(case, user=world.window, items=[{"name": "  "}], version=case.version)
    assert not OneTimeNotice.objects.exists()
    intake.request_supplement(
        case, user=world.window, items=[{"name": "户口簿"}, {"name": "照片", "problem": "wrong"}], version=case.version
    )
    assert "1.户口簿（缺少）；2.照片（不符合要求）" in texts(case)[-1]
    assert Case.objects.get().status == CaseStatus.PENDING_SUPPLEMENT


def test_supplement_sends_the_case_back_to_screening(world):
    case = world.case_in(CaseStatus.PENDING_SUPPLEMENT)
    intake.register_supplement(case, user=world.window, note="补齐", version=case.version)
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert case.notices.get().supplemented_at is not None


def test_transitions_the_state_does_not_allow_are_refused(world):
    case = world.case_in(CaseStatus.ACCEPTED)
    with pytest.raises(InvalidTransition):
        intake.reject(case, user=world.window, reason="x", redirect_unit="y", version=case.version)
    with pytest.raises(InvalidTransition):
        intake.register_supplement(case, user=world.window, version=case.version)


def test_stale_version_is_refused(world):
    case = world.online_case()
    stale = case.version
    intake.request_supplement(case, user=world.window, items=[{"name": "户口簿"}], version=stale)
    with pytest.raises(ConcurrentUpdate):
        intake.register_supplement(case, user=world.window, version=stale)


def test_window_withdrawal_needs_a_reason(world):
    case = world.online_case()
    with pytest.raises(ActionError):
        intake.withdraw_at_window(case, user=world.window, reason="", version=case.version)
    intake.withdraw_at_window(case, user=world.window, reason="申请人来电撤回", version=case.version)
    assert Case.objects.get().status == CaseStatus.WITHDRAWN


def test_window_registration_channels(world):
    with pytest.raises(ActionError):
        intake.register_at_window(world.window, world.details(), channel=Channel.ONLINE)
    case = intake.register_at_window(world.window, world.details(), channel=Channel.HOME_VISIT)
    assert case.channel == Channel.HOME_VISIT and case.received_by == world.window


def test_every_action_is_in_the_history_with_who_and_when(world):
    case = world.online_case()
    intake.request_supplement(case, user=world.window, items=[{"name": "户口簿"}], version=case.version)
    intake.register_supplement(case, user=world.window, version=case.version + 1)
    due = timezone.localdate() + datetime.timedelta(days=3)
    intake.accept(case, user=world.window, window_opinion="同意", deferred=[("证明", due)], version=case.version + 2)
    material = DeferredMaterial.objects.get()
    intake.receive_deferred(case, user=world.window, material_id=material.pk, version=case.version + 3)
    intake.withdraw_by_applicant(case, reason="不办了", version=case.version + 4)
    events = list(case.events.order_by("pk"))
    assert [e.action for e in events] == [
        "submit",
        "request_supplement",
        "supplement",
        "accept",
        "receive_deferred",
        "withdraw",
    ]
    assert all(e.created_at for e in events)
    assert [e.actor.username if e.actor else e.actor_label for e in events] == [
        "申请人",
        "zz_window",
        "zz_window",
        "zz_window",
        "zz_window",
        "申请人",
    ]
    logged = ModelLogEntry.objects.filter(object_id=str(case.pk)).values_list("action", flat=True)
    assert sorted(logged) == sorted(f"daiban.case.{e.action}" for e in events)
