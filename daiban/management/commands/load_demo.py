from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

from daiban.demo import STEPS


class Command(BaseCommand):
    help = "载入演示数据（可重复执行，不会重复创建）。"

    def handle(self, *args, **options):
        for name in STEPS:
            module = import_module(name)
            with transaction.atomic():
                module.load(self.stdout)
        self.stdout.write(self.style.SUCCESS("演示数据已就绪。"))
