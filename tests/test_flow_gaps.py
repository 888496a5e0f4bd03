"""Gaps between the capabilities, closed in the review round.

- a withdrawn case cancels its units' open flows and tells them;
- the window sends an incomplete result back to its unit (the reopen_flows transition);
- the route form puts the case's centre and region first;
- reminders are sent once per person, subject and day, however often cron runs;
- the applicant hears "result ready" once, from the window, never from the units' completion;
- the ledger's overdue filter uses the deadlines module's one definition of an open case.
"""

import datetime
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from daiban import deadlines
from daiban.models import Case, CaseEvent, CaseStatus, FlowStatus, Notification, SentReminder
from daiban.roles import UNIT_STAFF
from daiban.services import handling, intake, results
from daiban.services.base import ActionError, ActionPermissionDenied, InvalidTransition
from tests.factories import CentreFactory, LiaisonFactory, UnitFactory, county, staff_user
from tests.handling_setup import World, bundle

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def flow(case, unit):
    return case.flows.get(unit=unit.unit)


def complete(case, unit, note="已办结"):
    current = flow(case, unit)
    if current.status == FlowStatus.ASSIGNED:
        current = handling.accept_flow(current, user=unit.staff, version=current.version, notice_no="通知-1")
    return handling.complete_flow(current, user=unit.staff, version=current.version, result_note=note)


def returned(world):
    """A 一件事一次办 case whose two units have finished: the results are back at the window."""
    case = bundle(world)
    complete(case, world.co, "营业执照已核发")
    complete(case, world.lead, "结果已汇总")
    case.refresh_from_db()
    assert case.status == CaseStatus.RESULTS_RETURNED
    return case


def texts_to(recipient):
    return list(Notification.objects.filter(recipient=recipient).values_list("body", flat=True))


# Withdrawal cancels the open flows -----------------------------------------------------------------


def test_withdrawing_an_in_progress_case_cancels_its_open_flows_and_tells_the_units(world):
    case = bundle(world)
    lead = flow(case, world.lead)
    handling.accept_flow(lead, user=world.lead.staff, version=lead.version, notice_no="通知-1")
    Notification.objects.all().delete()
    case.refresh_from_db()

    intake.withdraw_at_window(case, user=world.window, reason="申请人来电撤回", version=case.version)

    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN
    assert set(case.flows.values_list("status", flat=True)) == {FlowStatus.CANCELLED}
    for unit in (world.lead, world.co):
        assert any("停止办理" in text and case.number in text for text in texts_to(unit.a_post.phone))
    event = case.events.get(action="cancel_flows")
    assert world.lead.unit.name in event.label and world.co.unit.name in event.label
    assert event.actor == world.window
    assert deadlines.warning_flows_for(world.lead.staff).count() == 0


def test_the_applicants_withdrawal_leaves_completed_flows_alone(world):
    case = bundle(world)
    complete(case, world.co)
    case.refresh_from_db()

    intake.withdraw_by_applicant(case, reason="不再需要", version=case.version)

    assert flow(case, world.co).status == FlowStatus.COMPLETED
    assert flow(case, world.lead).status == FlowStatus.CANCELLED
    assert case.events.get(action="cancel_flows").actor_label == "申请人"


def test_withdrawing_before_routing_records_no_cancellation(world):
    case = world.accepted_case()
    intake.withdraw_at_window(case, user=world.window, reason="申请人撤回", version=case.version)
    assert not CaseEvent.objects.filter(case=case, action="cancel_flows").exists()


# The window sends an incomplete result back (reopen_flows) ------------------------------------------


def test_window_sends_an_incomplete_result_back_and_the_case_returns_to_handling(world):
    case = returned(world)
    co = flow(case, world.co)
    Notification.objects.all().delete()

    handling.send_back_results(co, user=world.window, version=case.version, reason="缺少营业执照副本")

    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS
    assert case.completed_at is None and case.results_returned_at is None
    co.refresh_from_db()
    assert co.status == FlowStatus.ACCEPTED and co.completed_on is None
    # The lead unit collects the results again before they go back to the window.
    assert flow(case, world.lead).status == FlowStatus.ACCEPTED
    assert any("缺少营业执照副本" in text for text in texts_to(world.co.a_post.phone))
    event = case.events.get(action="reopen_flows")
    assert event.from_status == CaseStatus.RESULTS_RETURNED and event.to_status == CaseStatus.IN_PROGRESS
    assert event.actor == world.window and event.note == "缺少营业执照副本"

    complete(case, world.co, "已补齐副本")
    complete(case, world.lead, "重新汇总")
    case.refresh_from_db()
    assert case.status == CaseStatus.RESULTS_RETURNED and case.completed_at is not None


@pytest.mark.parametrize("who", ["unit", "other_window", "supervisor"])
def test_only_the_cases_window_sends_results_back(world, who):
    case = returned(world)
    other_window = staff_user("帮办代办窗口人员", centre=CentreFactory())
    user = {"unit": world.co.staff, "other_window": other_window, "supervisor": world.bureau}[who]
    with pytest.raises(ActionPermissionDenied):
        handling.send_back_results(flow(case, world.co), user=user, version=case.version, reason="不全")
    case.refresh_from_db()
    assert case.status == CaseStatus.RESULTS_RETURNED


def test_results_are_sent_back_only_while_they_wait_at_the_window(world):
    case = bundle(world)
    complete(case, world.co)
    case.refresh_from_db()
    with pytest.raises(InvalidTransition):
        handling.send_back_results(flow(case, world.co), user=world.window, version=case.version, reason="不全")
    case = returned(world)
    with pytest.raises(ActionError):
        handling.send_back_results(flow(case, world.co), user=world.window, version=case.version, reason=" ")


def test_sending_back_through_the_handling_page(client, world):
    case = returned(world)
    co = flow(case, world.co)
    url = reverse("handling:case", args=[case.pk])
    client.force_login(world.co.staff)
    assert "退回单位补充完善" not in client.get(url).content.decode()
    response = client.post(
        url, {"action": "send_back", "flow": co.pk, f"s{co.pk}-version": case.version, f"s{co.pk}-reason": "不全"}
    )
    assert response.status_code == 403
    client.force_login(world.window)
    assert "退回单位补充完善" in client.get(url).content.decode()
    response = client.post(url, {"action": "send_back", "flow": co.pk, f"s{co.pk}-version": case.version})
    assert response.status_code == 400 and "需补充完善的内容" in response.content.decode()
    data = {"action": "send_back", "flow": co.pk, f"s{co.pk}-version": case.version, f"s{co.pk}-reason": "缺副本"}
    assert client.post(url, data).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS


# The route form puts the case's own centre and region first ------------------------------------------


def test_route_form_groups_units_with_the_cases_centre_and_region_first(client, world):
    stationed = UnitFactory(name="本中心进驻单位甲", region=world.centre.region)
    stationed.centres.add(world.centre)
    elsewhere = UnitFactory(name="外县单位乙", region=county("威远县"))
    LiaisonFactory(unit=elsewhere, region=elsewhere.region, user=staff_user(UNIT_STAFF, unit=elsewhere))
    inactive = UnitFactory(name="已撤销单位丙", region=world.centre.region, is_active=False)
    case = world.accepted_case()
    client.force_login(world.window)

    body = client.get(reverse("handling:route", args=[case.pk])).content.decode()

    single = re.search(r'<select name="single-unit".*?</select>', body, re.S).group(0)
    groups = re.findall(r'<optgroup label="([^"]*)"', single)
    assert groups[0] == f"{world.centre.name}进驻单位"
    assert groups[1] == f"{world.centre.region.name}（本区域）单位"
    assert "威远县单位" in groups[2:]
    names = [label.split("（")[0] for label in re.findall(r"<option value=\"\d+\"[^>]*>([^<]*)</option>", single)]
    assert names.index(stationed.name) < names.index(world.lead.unit.name) < names.index(elsewhere.name)
    assert inactive.name not in single
    # Grouped choices still route.
    data = {"route": "single", "single-version": case.version, "single-unit": elsewhere.pk}
    assert client.post(reverse("handling:route", args=[case.pk]), data).status_code == 302


# Reminders once a day ------------------------------------------------------------------------------------


def send_reminders(*args):
    out = StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


def test_a_second_cron_run_the_same_day_sends_no_reminder_twice(world):
    overdue = world.accepted_case(due_date=timezone.localdate() - datetime.timedelta(days=1))
    handling.route_single(overdue, unit=world.co.unit, user=world.window, version=overdue.version)
    Notification.objects.all().delete()

    send_reminders()
    first = texts_to(world.co.a_post.phone)
    assert len(first) == 1 and overdue.number in first[0]

    out = send_reminders()
    assert "不再重复发送" in out
    assert texts_to(world.co.a_post.phone) == first

    later = world.accepted_case(due_date=timezone.localdate())
    handling.route_single(later, unit=world.co.unit, user=world.window, version=later.version)
    Notification.objects.all().delete()
    send_reminders()
    third = texts_to(world.co.a_post.phone)
    assert len(third) == 1 and later.number in third[0] and overdue.number not in third[0]


def test_dry_run_lists_only_what_is_still_to_send_today_and_records_nothing(world):
    overdue = world.accepted_case(due_date=timezone.localdate() - datetime.timedelta(days=1))
    handling.route_single(overdue, unit=world.co.unit, user=world.window, version=overdue.version)
    assert overdue.number in send_reminders("--dry-run")
    assert not SentReminder.objects.exists()
    send_reminders()
    assert SentReminder.objects.filter(day=timezone.localdate(), case=overdue).exists()
    assert "不再重复发送" in send_reminders("--dry-run")


def test_yesterdays_reminders_do_not_silence_today(world):
    overdue = world.accepted_case(due_date=timezone.localdate() - datetime.timedelta(days=1))
    handling.route_single(overdue, unit=world.co.unit, user=world.window, version=overdue.version)
    send_reminders()
    SentReminder.objects.update(day=timezone.localdate() - datetime.timedelta(days=1))
    Notification.objects.all().delete()
    send_reminders()
    assert len(texts_to(world.co.a_post.phone)) == 1


# "Result ready": the window is told by handling, the applicant once by the window --------------------------


def test_units_finishing_tell_the_window_not_the_applicant(world):
    case = bundle(world)
    Notification.objects.all().delete()
    complete(case, world.co)
    complete(case, world.lead)
    assert texts_to(case.contact_phone) == []
    assert any("请接收结果材料并通知申请人" in text for text in texts_to(world.window_liaison.phone))


def test_the_applicant_is_told_result_ready_once(world):
    case = returned(world)
    Notification.objects.all().delete()
    results.notify_result_ready(case, user=world.window, version=case.version)
    case.refresh_from_db()
    with pytest.raises(ActionError, match="不再重复发送"):
        results.notify_result_ready(case, user=world.window, version=case.version)
    told = texts_to(case.contact_phone)
    assert len(told) == 1 and "领取" in told[0]
    assert case.events.filter(action="notify_result").count() == 1


def test_results_page_offers_the_notice_until_it_is_sent(client, world):
    case = returned(world)
    url = reverse("results:case", args=[case.pk])
    client.force_login(world.window)
    assert "通知申请人领取结果</button>" in client.get(url).content.decode()
    response = client.post(url, {"action": "notify", "notify-version": case.version})
    assert response.status_code == 302
    body = client.get(url).content.decode()
    assert "通知申请人领取结果</button>" not in body and "每次结果返回只通知一次" in body
    case.refresh_from_db()
    response = client.post(url, {"action": "notify", "notify-version": case.version})
    assert "不再重复发送" in response.content.decode()
    assert len(texts_to(case.contact_phone)) == 1


def test_results_sent_back_and_returned_again_may_be_announced_again(world):
    case = returned(world)
    results.notify_result_ready(case, user=world.window, version=case.version)
    case.refresh_from_db()
    handling.send_back_results(flow(case, world.co), user=world.window, version=case.version, reason="缺副本")
    complete(case, world.co)
    complete(case, world.lead)
    case.refresh_from_db()
    assert case.result_notified_at is None
    results.notify_result_ready(case, user=world.window, version=case.version)
    assert case.events.filter(action="notify_result").count() == 2


# One definition of overdue ---------------------------------------------------------------------------------


def test_ledger_overdue_filter_follows_the_deadlines_module(client, world):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    late = world.accepted_case(due_date=yesterday)
    waiting = returned(world)
    Case.objects.filter(pk=waiting.pk).update(due_date=yesterday)
    client.force_login(world.window)

    body = client.get("/admin/daiban/case/?overdue=case").content.decode()

    expected = set(deadlines.cases_overdue(Case.objects.filter(centre=world.centre)).values_list("number", flat=True))
    assert expected == {late.number}
    assert late.number in body and waiting.number not in body
    listing = client.get("/admin/daiban/case/").content.decode()
    row = re.search(rf"{waiting.number}.*?</tr>", listing, re.S).group(0)
    assert "已超期" not in row


# The case page says what to do next, and masks what is not needed ---------------------------------------


def case_page(client, user, case):
    client.force_login(user)
    return client.get(reverse("daiban_case_detail", args=[case.pk])).content.decode()


def test_the_case_page_tells_the_window_the_next_step(client, world):
    case = world.accepted_case()
    page = case_page(client, world.window, case)
    assert "下一步：" in page and reverse("handling:route", args=[case.pk]) in page
    assert "撤回申请" in page and "甄别与受理" not in page
    case = returned(world)
    page = case_page(client, world.window, case)
    assert "通知申请人与登记领取" in page and reverse("results:case", args=[case.pk]) in page


def test_unit_staff_are_sent_to_their_flow_and_see_masked_contacts(client, world):
    case = bundle(world, world.accepted_case(contact_phone="13912345678"))
    co = flow(case, world.co)
    page = case_page(client, world.co.staff, case)
    assert f"{reverse('handling:case', args=[case.pk])}#flow-{co.pk}" in page and "请受理" in page
    assert "13912345678" not in page and "139****5678" in page
    printed = client.get(reverse("daiban_case_print_application", args=[case.pk])).content.decode()
    assert "13912345678" not in printed and "139****5678" in printed
    assert "13912345678" in case_page(client, world.window, case)


def test_supervisors_get_no_next_step(client, world):
    case = bundle(world)
    assert "下一步：" not in case_page(client, world.bureau, case)


def test_an_archived_case_masks_the_applicants_phone_even_for_its_window(client, world):
    case = returned(world)
    case = results.record_pickup(
        case, user=world.window, collected_by="申请人", identity_checked=True, version=case.version
    )
    assert case.contact_phone in case_page(client, world.window, case)
    results_page = client.get(reverse("results:case", args=[case.pk])).content.decode()
    assert case.contact_phone in results_page  # the window calls back for the evaluation
    results.archive_case(case, user=world.window, version=case.version)
    assert case.contact_phone not in case_page(client, world.window, case)
    assert case.contact_phone not in client.get(reverse("results:case", args=[case.pk])).content.decode()
