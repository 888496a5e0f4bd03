"""Pluggable SMS sending. A real gateway is a settings change (SMS_BACKEND)."""

import logging
from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("daiban.sms")


class SmsError(Exception):
    pass


class SmsBackend:
    def send(self, phone: str, text: str) -> None:
        raise NotImplementedError


class ConsoleSmsBackend(SmsBackend):
    """Writes messages to the log: for development and demos."""

    def send(self, phone, text):
        logger.info("短信 → %s：%s", phone, text)


class MemorySmsBackend(SmsBackend):
    """Keeps messages in memory: for tests. `outbox` is shared like Django's mail.outbox."""

    outbox: list = []
    fail = False

    def send(self, phone, text):
        if MemorySmsBackend.fail:
            raise SmsError("短信网关不可用")
        MemorySmsBackend.outbox.append((phone, text))


class HttpSmsBackend(SmsBackend):
    """Posts to a JSON gateway at SMS_GATEWAY_URL with SMS_GATEWAY_KEY.

    A gateway that does not answer costs at most SMS_GATEWAY_TIMEOUT seconds of the worker's time
    (never a request's: the outbox sends from a background job) and the message is retried later.
    """

    def send(self, phone, text):
        import json
        import urllib.request

        body = json.dumps({"phone": phone, "text": text, "sign": settings.SMS_SIGN_NAME}).encode()
        request = urllib.request.Request(
            settings.SMS_GATEWAY_URL,
            data=body,
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {settings.SMS_GATEWAY_KEY}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=getattr(settings, "SMS_GATEWAY_TIMEOUT", 10)) as response:
                if response.status >= 300:
                    raise SmsError(f"短信网关返回 {response.status}")
        except OSError as exc:
            raise SmsError(str(exc)) from exc


@lru_cache
def _backend_class(path):
    return import_string(path)


def get_backend() -> SmsBackend:
    return _backend_class(settings.SMS_BACKEND)()
