"""Routing reaches people: each unit shows who receives its flow, a unit nobody can log in for is refused,
an A岗 marked away hands new and open flows to the B岗, and the organisation admin lists the units
without a login (scoped to the person's county)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import ModelLogEntry

from daiban.models import CaseEvent, CaseStatus, Liaison, LiaisonPost, Notification, Unit, UnitFlow
from daiban.roles import COUNTY_BUREAU, UNIT_STAFF, WINDOW_STAFF
from daiban.services import handling
from daiban.services.base import ActionError, ActionPermissionDenied
from tests.factories import LiaisonFactory, UnitFactory, UserFactory, county, staff_user
from tests.handling_setup import World, bundle, unit_with_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def nobody_can_log_in(name, region=None):
    """A unit whose A岗 has no account and whose B岗's account is disabled."""
    unit = UnitFactory(name=name, **({"region": region} if region else {}))
    LiaisonFactory(unit=unit, post=LiaisonPost.A, name=f"{name}甲")
    LiaisonFactory(unit=unit, post=LiaisonPost.B, name=f"{name}乙", user=UserFactory(is_active=False))
    return unit


def route_url(case):
    return reverse("handling:route", args=[case.pk])


def unit_option(html, field, unit):
    """The text of the unit's <option> in the named select (or checkbox label)."""
    select = re.search(rf'name="{field}".*?(</select>|</fieldset>)', html, re.S).group(0)
    match = re.search(rf'value="{unit.pk}"[^>]*>\s*([^<]*)', select)
    return match.group(1).strip() if match else None


# Refusal ----------------------------------------------------------------------------------------------


def test_routing_to_a_unit_nobody_can_log_in_is_refused_naming_it_and_nothing_changes(world):
    finance = nobody_can_log_in("县财政局")
    case = world.accepted_case()
    with pytest.raises(ActionError) as error:
        handling.route_bundle(
            case, lead_unit=world.lead.unit, co_units=[finance], user=world.window, version=case.version
        )
    assert "县财政局" in str(error.value)
    assert "县市场监管局" not in str(error.value)
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    assert not UnitFlow.objects.filter(case=case).exists()
    assert not CaseEvent.objects.filter(case=case, action="route").exists()


def test_every_unit_without_a_login_is_named(world):
    finance = nobody_can_log_in("县财政局")
    water = nobody_can_log_in("县水务局")
    case = world.accepted_case()
    with pytest.raises(ActionError, match="县财政局、县水务局"):
        handling.route_bundle(case, lead_unit=finance, co_units=[water], user=world.window, version=case.version)


def test_a_unit_whose_only_login_is_a_b_post_can_be_routed_to_and_the_b_post_receives(world):
    unit = UnitFactory(name="县医保局")
    LiaisonFactory(unit=unit, post=LiaisonPost.A)
    b_post = LiaisonFactory(unit=unit, post=LiaisonPost.B, user=staff_user(UNIT_STAFF, unit=unit))
    case = world.accepted_case()
    handling.route_single(case, unit=unit, user=world.window, version=case.version)
    assert case.flows.get().assignee == b_post


def test_the_route_page_refuses_with_400_names_the_unit_and_keeps_the_input(client, world):
    finance = nobody_can_log_in("县财政局")
    case = world.accepted_case()
    client.force_login(world.window)
    data = {"route": "single", "single-version": case.version, "single-unit": finance.pk, "single-note": "请加急办理"}
    response = client.post(route_url(case), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "县财政局" in html and "不能转办" in html
    assert "请加急办理" in html
    assert re.search(rf'<option value="{finance.pk}"[^>]*selected', html)
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    assert not case.flows.exists()


def test_adding_a_co_handling_unit_nobody_can_log_in_for_is_refused(world):
    case = bundle(world)
    finance = nobody_can_log_in("县财政局")
    with pytest.raises(ActionError, match="县财政局"):
        handling.add_co_handling_unit(case, unit=finance, user=world.window, version=case.version)
    assert not case.flows.filter(unit=finance).exists()


def test_a_task_force_member_from_a_unit_nobody_can_log_in_for_is_refused(world):
    finance = nobody_can_log_in("县财政局")
    member = Liaison.objects.get(name="县财政局甲")
    case = world.accepted_case()
    with pytest.raises(ActionError, match="县财政局"):
        handling.route_task_force(
            case,
            coordinator=world.bureau,
            members=[(world.lead.a_post, ""), (member, "")],
            user=world.window,
            version=case.version,
        )
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    assert not case.flows.exists() and not case.task_force.exists()
    assert finance.pk  # the unit itself is untouched


# The receiver on the form -------------------------------------------------------------------------------


def test_the_route_form_shows_who_receives_each_units_flow(client, world):
    world.co.b_post.user = staff_user(UNIT_STAFF, unit=world.co.unit)
    world.co.b_post.save()
    world.co.a_post.is_away = True
    world.co.a_post.save()
    finance = nobody_can_log_in("县财政局", region=world.centre.region)
    case = world.accepted_case()
    client.force_login(world.window)
    html = client.get(route_url(case)).content.decode()
    assert unit_option(html, "single-unit", world.lead.unit) == (
        f"{world.lead.unit.name}（接收人：{world.lead.a_post.name}（A岗））"
    )
    assert unit_option(html, "single-unit", world.co.unit) == (
        f"{world.co.unit.name}（接收人：{world.co.b_post.name}（B岗，A岗外出顶岗））"
    )
    assert unit_option(html, "single-unit", finance) == "县财政局（无可登录的帮办代办员，不能转办）"
    assert "接收人" in unit_option(html, "bundle-co_units", world.lead.unit)


def test_the_route_form_reads_the_receivers_in_constant_queries(client, world):
    case = world.accepted_case()
    client.force_login(world.window)

    def queries_with(extra_units):
        for index in range(extra_units):
            unit_with_staff(f"县附加单位{Unit.objects.count()}-{index}")
        with CaptureQueriesContext(connection) as context:
            assert client.get(route_url(case)).status_code == 200
        return len(context)

    assert queries_with(1) == queries_with(6)


# The A post away ----------------------------------------------------------------------------------------


def edit_liaison(client, liaison, **changes):
    values = {
        "region": liaison.region_id,
        "unit": liaison.unit_id or "",
        "centre": liaison.centre_id or "",
        "name": liaison.name,
        "title": liaison.title,
        "phone": liaison.phone,
        "post": liaison.post,
        "is_designated": "on" if liaison.is_designated else "",
        "is_away": "on" if liaison.is_away else "",
        "is_active": "on" if liaison.is_active else "",
        "user": liaison.user_id or "",
        "note": liaison.note,
    }
    values.update(changes)
    data = {key: value for key, value in values.items() if value != ""}
    return client.post(reverse(Liaison.snippet_viewset.get_url_name("edit"), args=[liaison.pk]), data)


def test_marking_the_a_post_away_hands_open_flows_and_new_ones_to_the_b_post(client, world):
    b_staff = staff_user(UNIT_STAFF, unit=world.co.unit)
    world.co.b_post.user = b_staff
    world.co.b_post.save()
    open_case = bundle(world)
    done_case = bundle(world)
    done_flow = done_case.flows.get(unit=world.co.unit)
    UnitFlow.objects.filter(pk=done_flow.pk).update(status="completed")
    open_flow = open_case.flows.get(unit=world.co.unit)
    assert open_flow.assignee == world.co.a_post

    client.force_login(world.bureau)
    response = edit_liaison(client, world.co.a_post, is_away="on")
    assert response.status_code == 302
    world.co.a_post.refresh_from_db()
    assert world.co.a_post.is_away

    open_flow.refresh_from_db()
    done_flow.refresh_from_db()
    assert open_flow.assignee == world.co.b_post
    assert done_flow.assignee == world.co.a_post  # finished work stays with who did it
    event = CaseEvent.objects.get(case=open_case, action="reassign_flow")
    assert world.co.a_post.name in event.label and world.co.b_post.name in event.label
    assert event.actor == world.bureau
    assert not CaseEvent.objects.filter(case=done_case, action="reassign_flow").exists()
    assert ModelLogEntry.objects.filter(action="daiban.case.reassign_flow", object_id=str(open_case.pk)).exists()
    assert Notification.objects.filter(case=open_case, recipient=world.co.b_post.phone, body__contains="改由您办理")

    new_case = bundle(world)
    assert new_case.flows.get(unit=world.co.unit).assignee == world.co.b_post

    # Saving again changes nothing more.
    assert edit_liaison(client, world.co.a_post).status_code == 302
    assert CaseEvent.objects.filter(action="reassign_flow").count() == 1


def test_a_b_post_without_login_still_takes_over_by_sms(client, world):
    case = bundle(world)
    client.force_login(world.bureau)
    assert edit_liaison(client, world.co.a_post, is_away="on").status_code == 302
    assert case.flows.get(unit=world.co.unit).assignee == world.co.b_post


def test_only_someone_who_keeps_the_liaison_registry_may_hand_over_the_flows(world):
    bundle(world)
    world.co.a_post.is_away = True
    world.co.a_post.save()
    window = staff_user(WINDOW_STAFF, centre=world.centre)
    other_bureau = staff_user(COUNTY_BUREAU, region=county("东兴区"))
    a_post = Liaison.objects.select_related("region", "unit").get(pk=world.co.a_post.pk)  # regions renumbered
    for user in (window, other_bureau, world.co.staff):
        with pytest.raises(ActionPermissionDenied):
            handling.HandOverFlows.run(a_post, user=user)
    assert UnitFlow.objects.get(unit=world.co.unit).assignee == world.co.a_post
    bureau = type(world.bureau).objects.get(pk=world.bureau.pk)
    moved = handling.HandOverFlows.run(a_post, user=bureau)
    assert [flow.assignee for flow in moved] == [world.co.b_post]


def test_another_countys_bureau_cannot_edit_the_liaison(client, world):
    bundle(world)
    client.force_login(staff_user(COUNTY_BUREAU, region=county("东兴区")))
    assert edit_liaison(client, world.co.a_post, is_away="on").status_code == 404
    assert UnitFlow.objects.get(unit=world.co.unit).assignee == world.co.a_post


# The organisation listing -------------------------------------------------------------------------------


def unit_list(client, query=""):
    response = client.get(reverse(Unit.snippet_viewset.get_url_name("list")) + query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_unit_listing_filters_units_without_a_login_within_the_county(client):
    zizhong, dongxing = county("资中县"), county("东兴区")
    reachable = unit_with_staff("资中县税务局", region=zizhong).unit
    b_only = UnitFactory(name="资中县医保局", region=zizhong)
    LiaisonFactory(unit=b_only, post=LiaisonPost.B, user=staff_user(UNIT_STAFF, unit=b_only))
    no_account = nobody_can_log_in("资中县财政局", region=zizhong)
    off_duty = UnitFactory(name="资中县水务局", region=zizhong)
    LiaisonFactory(unit=off_duty, post=LiaisonPost.A, is_active=False, user=staff_user(UNIT_STAFF, unit=off_duty))
    empty = UnitFactory(name="资中县档案馆", region=zizhong)
    elsewhere = nobody_can_log_in("东兴区财政局", region=dongxing)
    client.force_login(staff_user(COUNTY_BUREAU, region=zizhong))

    listed = unit_list(client, "?without_login=true")
    for unit in (no_account, off_duty, empty):
        assert unit.name in listed
    for unit in (reachable, b_only, elsewhere):
        assert unit.name not in listed
    assert "无（不能转办）" in listed
    assert "无可登录的帮办代办员" in listed  # the filter's label

    with_login = unit_list(client, "?without_login=false")
    assert reachable.name in with_login and b_only.name in with_login
    assert no_account.name not in with_login and elsewhere.name not in with_login

    everything = unit_list(client)
    assert elsewhere.name not in everything
    by_login = unit_list(client, "?ordering=has_login")
    assert by_login.index(no_account.name) < by_login.index(reachable.name)
    row = re.search(rf"{no_account.name}.*?</tr>", everything, re.S).group(0)
    assert "无（不能转办）" in row


def test_an_a_post_away_with_nobody_to_take_over_keeps_the_flows_and_the_editor_is_warned(client, world):
    case = bundle(world)
    world.co.b_post.is_active = False
    world.co.b_post.save()
    client.force_login(world.bureau)
    response = edit_liaison(client, world.co.a_post, is_away="on")
    assert response.status_code == 302
    assert case.flows.get(unit=world.co.unit).assignee == world.co.a_post
    page = client.get(response.url).content.decode()
    assert "名下的在办流转未能改派" in page
    assert not CaseEvent.objects.filter(action="reassign_flow").exists()
