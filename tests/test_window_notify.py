"""A new online request reaches the window: its liaisons by SMS and mail, its staff by mail, after the commit."""

import pytest

from daiban.models import Liaison, Notification, NotificationChannel
from tests.intake_setup import World

pytestmark = pytest.mark.django_db


def test_online_request_notifies_the_window_staff_and_liaisons():
    world = World()
    Liaison.objects.create(
        region=world.zizhong, centre=world.centre, name="李窗口", phone="13900002222", user=world.window
    )
    case = world.online_case()
    to_window = Notification.objects.filter(case=case).exclude(recipient=case.contact_phone)
    assert set(to_window.values_list("channel", "recipient")) == {
        (NotificationChannel.SMS, "13900002222"),
        (NotificationChannel.EMAIL, world.window.email),
    }
    body = to_window.first().body
    assert case.number in body and "甄别" in body and "王建国" not in body
    # the other centre's window hears nothing
    assert not Notification.objects.filter(recipient=world.other_window.email).exists()
