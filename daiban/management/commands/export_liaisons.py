"""manage.py export_liaisons --out FILE.xlsx [--region NAME]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from daiban.excel.liaisons import export_liaisons
from daiban.models import Liaison
from daiban.services.liaisons import RegionDirectory


class Command(BaseCommand):
    help = "按附件2格式导出帮办代办窗口和进驻部门（单位）联络员登记表。"

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="输出文件（.xlsx）")
        parser.add_argument("--region", help="只导出该地区及其下级地区，如“资中县”或“内江市资中县水南镇”")

    def handle(self, *args, out=None, region=None, **options):
        liaisons = Liaison.objects.all()
        described = ""
        if region:
            directory = RegionDirectory()
            found, reason = directory.find(region)
            if reason:
                raise CommandError(reason)
            liaisons = liaisons.filter(region__path__startswith=found.path)
            described = f"地区：{directory.full_name(found)}（含下级地区）"
        path = Path(out)
        if not path.parent.is_dir():
            raise CommandError(f"目录“{path.parent}”不存在。")
        path.write_bytes(export_liaisons(liaisons, described))
        self.stdout.write(self.style.SUCCESS(f"已导出{liaisons.count()}人到 {path}。"))
