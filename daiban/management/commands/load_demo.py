from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

from daiban.demo import STEPS


class Command(BaseCommand):
    help = "载入演示数据（可重复执行，不会重复创建）。"

    def handle(self, *args, **options):
        modules = [import_module(name) for name in STEPS]
        for module in modules:
            with transaction.atomic():
                module.load(self.stdout)
        self.stdout.write(self.style.SUCCESS("演示数据已就绪。"))
        # A step may print a summary (e.g. the demo logins) after everything else.
        for module in modules:
            if hasattr(module, "summary"):
                module.summary(self.stdout)
