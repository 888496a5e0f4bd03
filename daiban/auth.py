"""Login controls (等保2.0 level 2): the lockout backend, the password rule, and the audit of logins.

Lockout is django-axes (settings AXES_*): five failures of one account from one address lock that
pair for 30 minutes. Logins, logouts, failures and lockouts are written to Wagtail's audit log
(报表 → 站点历史).
"""

import ipaddress
import re

from axes.backends import AxesStandaloneBackend
from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.exceptions import ValidationError
from django.dispatch import receiver
from wagtail.log_actions import log

from .ratelimit import client_ip
from .services.audit import LOCKED_OUT, LOGIN, LOGIN_FAILED, LOGOUT, log_without_object


def axes_client_ip(request):
    """The address django-axes records (AXES_CLIENT_IP_CALLABLE): the rate limits' client_ip, or None
    when there is none (force_login in tests, scripts): axes stores it in an address column."""
    address = client_ip(request)
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return None
    return address


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' check, for logins that come with a request (every web login does).

    authenticate() without a request comes from server-side code (the test client, scripts), which
    has no address to lock; axes would raise there, so it is left to the next backend.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class ComplexPasswordValidator:
    """At least `min_length` characters with letters, digits and symbols."""

    def __init__(self, min_length=10):
        self.min_length = min_length

    def validate(self, password, user=None):
        problems = []
        if len(password) < self.min_length:
            problems.append(f"密码至少需要{self.min_length}个字符。")
        if not re.search(r"[A-Za-z]", password):
            problems.append("密码必须包含字母。")
        if not re.search(r"\d", password):
            problems.append("密码必须包含数字。")
        if not re.search(r"[^A-Za-z0-9]", password):
            problems.append("密码必须包含符号（如 ! @ # % & * 等）。")
        if problems:
            raise ValidationError([ValidationError(problem, code="password_too_simple") for problem in problems])

    def get_help_text(self):
        return f"密码至少{self.min_length}个字符，须同时包含字母、数字和符号。"


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' lockout page in Chinese, with the hotline (AXES_LOCKOUT_CALLABLE)."""
    from django.conf import settings
    from django.http import HttpResponse
    from django.template import loader

    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "hotline": getattr(settings, "SERVICE_HOTLINE", ""),
        "site_name": getattr(settings, "WAGTAIL_SITE_NAME", ""),
        "request_id": getattr(request, "request_id", ""),
    }
    html = loader.get_template("daiban/security/lockout.html").render(context)
    return HttpResponse(html, status=settings.AXES_HTTP_RESPONSE_CODE)


# Audit of logins --------------------------------------------------------------------------------


def _request_data(request):
    if request is None:
        return {}
    data = {"user_agent": request.META.get("HTTP_USER_AGENT", "")[:200]}
    address = client_ip(request)
    if address and address != "unknown":  # a test client or a proxy without an address
        data["ip"] = address
    return data


@receiver(user_logged_in, dispatch_uid="daiban_audit_login")
def audit_login(sender, request, user, **kwargs):
    log(instance=user, action=LOGIN, user=user, data=_request_data(request))


@receiver(user_logged_out, dispatch_uid="daiban_audit_logout")
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        log(instance=user, action=LOGOUT, user=user, data=_request_data(request))


@receiver(user_login_failed, dispatch_uid="daiban_audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    data = {**_request_data(request), "username": username}
    if getattr(request, "axes_locked_out", False):
        data["locked_out"] = True
    _log_for_username(username, LOGIN_FAILED, data)


@receiver(user_locked_out, dispatch_uid="daiban_audit_locked_out")
def audit_locked_out(sender, request, username=None, ip_address=None, **kwargs):
    username = str(username or "")[:150]
    _log_for_username(username, LOCKED_OUT, {**_request_data(request), "username": username})


def _log_for_username(username, action, data):
    """Against the account when it exists; an unknown name is recorded under the user model with its name."""
    User = get_user_model()
    account = User._default_manager.filter(**{User.USERNAME_FIELD: username}).first() if username else None
    if account is not None:
        log(instance=account, action=action, data=data)
        return
    log_without_object(action, data, label=f"{username or '（未填写账号）'}（不存在的账号）")
