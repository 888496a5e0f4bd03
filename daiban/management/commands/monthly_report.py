"""manage.py monthly_report --month YYYY-MM [--region NAME] --out FILE"""

from django.core.management.base import BaseCommand, CommandError

from daiban.excel.monthly import write_monthly
from daiban.models import Region
from daiban.statistics import Period, statistics_table

from ._results import find_region


class Command(BaseCommand):
    help = "按附件8格式导出帮办代办服务事项办件统计表（xlsx）。"

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="统计月份，例如 2026-10")
        parser.add_argument("--region", help="区域名称（不填则为全市）")
        parser.add_argument("--out", required=True, help="输出文件，例如 统计表.xlsx")

    def handle(self, *args, month=None, region=None, out=None, **options):
        try:
            period = Period.parse_month(month)
        except ValueError as exc:
            raise CommandError(str(exc))
        region = find_region(region) if region else Region.get_first_root_node()
        rows = statistics_table(period, region)
        write_monthly(rows, out, period=period, scope_name=region.name if region else "全市")
        self.stdout.write(self.style.SUCCESS(f"{period.label}办件统计表已导出到 {out}。"))
