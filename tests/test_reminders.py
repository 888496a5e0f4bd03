"""`manage.py send_reminders`: 临期 and 逾期 reach the responsible staff and their unit's 联络员."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from daiban.models import LiaisonPost, Notification
from daiban.services import handling
from tests.factories import LiaisonFactory
from tests.handling_setup import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def routed(world, due_date):
    case = world.accepted_case(due_date=due_date)
    return handling.route_single(case, unit=world.co.unit, user=world.window, version=case.version)


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


def test_dry_run_lists_who_would_be_told_and_sends_nothing(world):
    today = timezone.localdate()
    overdue = routed(world, today - datetime.timedelta(days=2))
    designated = LiaisonFactory(unit=world.co.unit, post=LiaisonPost.B, is_designated=True, name="联络员丙")
    Notification.objects.all().delete()
    out = run("--dry-run")
    assert world.co.a_post.name in out and "联络员丙" in out
    assert f"{overdue.number}{world.co.unit.name}逾期" in out
    assert world.co.a_post.phone not in out  # phones are masked
    assert "试运行：将通知 2 人，未发送" in out
    assert not Notification.objects.exists()
    assert designated.pk


def test_reminders_go_through_the_outbox(world, sms_outbox):
    today = timezone.localdate()
    soon = routed(world, today)
    Notification.objects.all().delete()
    sms_outbox.clear()
    run()
    told = Notification.objects.get(recipient=world.co.a_post.phone)
    assert soon.number in told.body and "临期" in told.body
    assert Notification.objects.filter(recipient=world.co.staff.email).exists()


def test_far_deadlines_and_other_units_are_not_reminded(world):
    routed(world, timezone.localdate() + datetime.timedelta(days=30))
    assert "今天没有临期或逾期的办件" in run("--dry-run")


def test_the_b_post_is_reminded_when_the_a_post_is_away(world):
    routed(world, timezone.localdate() - datetime.timedelta(days=1))
    world.co.a_post.is_away = True
    world.co.a_post.save()
    out = run("--dry-run")
    assert world.co.b_post.name in out


def test_an_unrouted_overdue_case_reminds_the_window(world):
    world.accepted_case(due_date=timezone.localdate() - datetime.timedelta(days=1))
    out = run("--dry-run")
    assert world.window_liaison.name in out
