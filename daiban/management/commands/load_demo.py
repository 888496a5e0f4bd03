from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from daiban.demo import STEPS

# The demo's notifications are recorded in the outbox as sent, without printing every SMS and mail.
QUIET_SENDERS = {
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "SMS_BACKEND": "daiban.sms.MemorySmsBackend",
}


class Command(BaseCommand):
    help = "载入演示数据（可重复执行，不会重复创建）。"

    def handle(self, *args, **options):
        modules = [import_module(name) for name in STEPS]
        with override_settings(**QUIET_SENDERS):
            for module in modules:
                with transaction.atomic():
                    module.load(self.stdout)
        self.stdout.write(self.style.SUCCESS("演示数据已就绪。"))
        # A step may print a summary (e.g. the demo logins) after everything else.
        for module in modules:
            if hasattr(module, "summary"):
                module.summary(self.stdout)
