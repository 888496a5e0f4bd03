from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from daiban.excel.matters import write_matter_workbook
from daiban.models import MatterListPage
from daiban.services.catalogue import CatalogueError, export_rows, find_level, find_region


class Command(BaseCommand):
    help = "按附件1格式导出一个区域某一层级的帮办代办事项清单（已发布的事项）。"

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help="清单所属区域名称")
        parser.add_argument("--level", required=True, help="清单层级：村级、镇级、县级或市级")
        parser.add_argument("--out", required=True, help="输出的 xlsx 文件")

    def handle(self, *args, region, level, out, **options):
        try:
            region = find_region(region)
            level = find_level(level)
        except CatalogueError as error:
            raise CommandError(str(error))
        list_page = MatterListPage.objects.filter(region=region, level=level).first()
        if list_page is None:
            raise CommandError(f"{region.name}还没有{level.label}事项清单。")
        rows = export_rows(list_page)
        Path(out).write_bytes(write_matter_workbook(rows, scope=list_page.title))
        self.stdout.write(self.style.SUCCESS(f"已导出 {len(rows)} 项：{out}"))
