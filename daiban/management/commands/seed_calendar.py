from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from daiban.models import WorkCalendarDay
from daiban.workdays import library_exceptions


class Command(BaseCommand):
    help = "从 chinesecalendar 载入某年的法定节假日和调休安排（默认今年和明年）；已维护的日期不被覆盖。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, action="append", help="年份，可重复，如 --year 2026")
        parser.add_argument("--replace", action="store_true", help="先删除该年的全部记录再载入。")

    def handle(self, *args, **options):
        today = timezone.localdate()
        for year in options["year"] or [today.year, today.year + 1]:
            self.seed_year(year, options["replace"])

    def seed_year(self, year, replace):
        days = library_exceptions(year)
        if days is None:
            self.stdout.write(
                self.style.WARNING(
                    f"{year}年：chinesecalendar 尚无数据，未载入。请管理员在后台“工作日历”中录入；"
                    "在此之前按周一至周五计算工作日。"
                )
            )
            return
        with transaction.atomic():
            if replace:
                WorkCalendarDay.objects.filter(date__year=year).delete()
            existing = set(WorkCalendarDay.objects.filter(date__year=year).values_list("date", flat=True))
            rows = [
                WorkCalendarDay(date=day, is_workday=is_workday, name=name, source="chinesecalendar")
                for day, (is_workday, name) in sorted(days.items())
                if day not in existing
            ]
            WorkCalendarDay.objects.bulk_create(rows)
        self.stdout.write(self.style.SUCCESS(f"{year}年：载入 {len(rows)} 天（已有 {len(existing)} 天保留不变）。"))
