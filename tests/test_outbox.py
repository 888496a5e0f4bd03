"""The durable outbox: a failing provider loses nothing; retries send later; failures are visible."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from daiban.models import CaseStatus, Notification, NotificationStatus
from daiban.services import handling
from daiban.services.outbox import deliver_due
from daiban.sms import MemorySmsBackend
from tests.factories import staff_user
from tests.handling_setup import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


@pytest.fixture
def route(django_capture_on_commit_callbacks):
    """Route a case the way a request does: messages are tried once the transaction commits."""

    def run(world):
        case = world.accepted_case()
        with django_capture_on_commit_callbacks(execute=True):
            return handling.route_single(case, unit=world.co.unit, user=world.window, version=case.version)

    return run


def test_routing_succeeds_with_the_sms_gateway_down_and_the_message_goes_out_later(world, route, sms_outbox):
    MemorySmsBackend.fail = True
    case = route(world)
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS
    pending = Notification.objects.get(recipient=world.co.a_post.phone)
    assert pending.status == NotificationStatus.PENDING and pending.attempts == 1
    assert "短信网关不可用" in pending.last_error
    assert sms_outbox == []

    MemorySmsBackend.fail = False
    sent, failed = deliver_due(now=timezone.now() + datetime.timedelta(hours=1))
    pending.refresh_from_db()
    assert pending.status == NotificationStatus.SENT and sent >= 1 and failed == 0
    assert sms_outbox[0][0] == world.co.a_post.phone and case.number in sms_outbox[0][1]


def test_mail_to_staff_is_sent_after_commit(world, route):
    route(world)
    assert any(world.co.staff.email in message.to for message in mail.outbox)


def test_send_notifications_command_retries(world, route, sms_outbox):
    MemorySmsBackend.fail = True
    route(world)
    Notification.objects.update(next_attempt_at=timezone.now() - datetime.timedelta(minutes=1))
    MemorySmsBackend.fail = False
    from io import StringIO

    out = StringIO()
    call_command("send_notifications", stdout=out)
    assert "仍失败 0 条" in out.getvalue()
    assert not Notification.objects.exclude(status=NotificationStatus.SENT).exists()


def test_outbox_admin_shows_failures_and_retries(client, world, route, sms_outbox):
    MemorySmsBackend.fail = True
    route(world)
    failed = Notification.objects.get(recipient=world.co.a_post.phone)
    Notification.objects.filter(pk=failed.pk).update(status=NotificationStatus.FAILED, attempts=8)
    admin = staff_user("市审批指导科")
    client.force_login(admin)
    html = client.get(reverse("outbox:index")).content.decode()
    assert "发送失败" in html and "短信网关不可用" in html and "重新发送" in html
    assert world.co.a_post.phone not in html  # recipients are masked

    MemorySmsBackend.fail = False
    response = client.post(reverse("outbox_retry", args=[failed.pk]))
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == NotificationStatus.SENT


def test_outbox_is_read_only_and_scoped(client, world, route):
    case = route(world)
    notification = Notification.objects.first()
    admin = staff_user("市审批指导科")
    client.force_login(admin)
    assert client.get(reverse("outbox:edit", args=[notification.pk])).status_code in (302, 403)
    assert client.post(reverse("outbox:delete", args=[notification.pk])).status_code in (302, 403)
    assert Notification.objects.filter(pk=notification.pk).exists()

    from tests.handling_setup import unit_with_staff

    outsider = unit_with_staff("县教育局")
    client.force_login(outsider.staff)
    html = client.get(reverse("outbox:index")).content.decode()
    assert case.number not in html
    assert client.post(reverse("outbox_retry", args=[notification.pk])).status_code in (403, 404)
