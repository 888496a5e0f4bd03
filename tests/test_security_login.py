"""等保2.0 login and session controls, tried through the admin's login page."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.utils import timezone
from wagtail.models import ModelLogEntry

from daiban.services.audit import LOCKED_OUT, LOGIN, LOGIN_FAILED, LOGOUT
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pass-word-123"
GUESSER = "192.0.2.10"


def login(client, username, password, address=GUESSER):
    return client.post("/admin/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def actions(action, user=None):
    entries = ModelLogEntry.objects.filter(action=action)
    return entries.filter(object_id=str(user.pk)) if user else entries


def test_five_failures_lock_the_account_from_that_address_for_30_minutes(client):
    user = UserFactory(username="window1", is_staff=True)
    for _ in range(4):
        assert login(client, "window1", "wrong-password").status_code == 200
    locked = login(client, "window1", "wrong-password")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "已锁定30分钟" in html and "连续5次登录失败" in html

    # Even the right password is refused from that address while the lock lasts …
    assert login(client, "window1", PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session
    # … while the real user elsewhere still gets in.
    assert login(client, "window1", PASSWORD, address="192.0.2.99").status_code == 302

    assert actions(LOGIN_FAILED, user).count() == 6
    assert actions(LOCKED_OUT, user).exists()
    assert actions(LOGIN, user).count() == 1
    assert actions(LOGIN_FAILED, user).first().data["ip"] == GUESSER


def test_the_lock_ends_after_30_minutes(client):
    UserFactory(username="window2", is_staff=True)
    for _ in range(5):
        login(client, "window2", "wrong-password")
    assert login(client, "window2", PASSWORD).status_code == 429
    from axes.models import AccessAttempt

    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=31))
    assert login(client, "window2", PASSWORD).status_code == 302


def test_unknown_accounts_and_logouts_are_in_the_audit_log(client):
    user = UserFactory(username="auditor", is_staff=True, is_superuser=True)
    login(client, "nobody-here", "whatever-1!")
    entry = actions(LOGIN_FAILED).get()
    assert entry.data["username"] == "nobody-here" and "不存在的账号" in entry.label

    assert login(client, "auditor", PASSWORD).status_code == 302
    history = client.get("/admin/reports/site-history/").content.decode()
    assert "登录失败" in history and "登录" in history
    client.post("/admin/logout/")
    assert actions(LOGOUT, user).count() == 1


def test_sessions_expire_after_30_idle_minutes_and_at_browser_close(client):
    UserFactory(username="idle", is_staff=True, is_superuser=True)
    assert login(client, "idle", PASSWORD).status_code == 302
    assert client.session.get_expire_at_browser_close()
    cookie = client.cookies["sessionid"]
    assert not cookie["expires"] and not cookie["max-age"]

    # Each request moves the end of the session to 30 minutes from now.
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + datetime.timedelta(minutes=1))
    assert client.get("/admin/").status_code == 200
    remaining = Session.objects.get(session_key=key).expire_date - timezone.now()
    assert datetime.timedelta(minutes=29) < remaining <= datetime.timedelta(minutes=30)

    # Thirty minutes without a request: logged out.
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.parametrize("password", ["zizhong1", "neijiang2026", "Neijiang2026", "neijiang#long", "Ab1!"])
def test_weak_passwords_are_refused_in_chinese(password):
    with pytest.raises(ValidationError) as error:
        validate_password(password)
    assert any("密码" in message for message in error.value.messages)


def test_a_password_with_letters_digits_and_symbols_is_accepted():
    validate_password("Neijiang#2026")


def test_the_admin_refuses_a_weak_password_for_a_new_user(client):
    client.force_login(UserFactory(username="creator", is_staff=True, is_superuser=True))
    form = {"username": "newstaff", "email": "new@example.com", "first_name": "新", "last_name": "员"}
    weak = client.post("/admin/users/new/", {**form, "password1": "neijiang2026", "password2": "neijiang2026"})
    assert "密码必须包含符号" in weak.content.decode()
    assert not User.objects.filter(username="newstaff").exists()
    strong = client.post("/admin/users/new/", {**form, "password1": "Neijiang#2026", "password2": "Neijiang#2026"})
    assert strong.status_code == 302
    assert User.objects.filter(username="newstaff").exists()


def test_django_admin_is_gone(client):
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(user)
    assert client.get("/django-admin/").status_code == 404
