"""manage.py import_liaisons FILE.xlsx [--dry-run]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from daiban.excel.liaisons import import_liaisons


class Command(BaseCommand):
    help = "导入填好的附件2联络员登记表：按“地区+单位名称+姓名”新增或更新。有任何一行出错则不写入。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="附件2文件（.xlsx）")
        parser.add_argument("--dry-run", action="store_true", help="只检查并显示结果，不写入")

    def handle(self, *args, file=None, dry_run=False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件“{file}”。")
        with path.open("rb") as handle:
            result = import_liaisons(handle, dry_run=dry_run)
        if result.errors:
            for message in result.errors.messages():
                self.stderr.write(message)
            raise CommandError(f"导入失败：{result.summary}")
        for item in result.actions:
            self.stdout.write(f"第{item.row}行  {item.action}  {item.region} {item.organisation} {item.name}")
        self.stdout.write(self.style.SUCCESS(result.summary))
