"""manage.py import_ledger FILE.xlsx --unit NAME [--dry-run]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from daiban.excel.ledger_import import LedgerImportError, import_ledger, preview_ledger

from ._results import find_unit


class Command(BaseCommand):
    help = "导入窗口自2022年起以Excel记录的历史帮办代办工作登记台账（附件4）。全部成功才写入。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="台账文件（.xlsx）")
        parser.add_argument("--unit", required=True, help="台账所属窗口单位（统计单位）名称")
        parser.add_argument("--dry-run", action="store_true", help="只检查并显示结果，不写入")

    def handle(self, *args, file=None, unit=None, dry_run=False, **options):
        unit = find_unit(unit)
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件“{file}”。")
        try:
            with path.open("rb") as handle:
                if dry_run:
                    result = preview_ledger(handle, unit)
                else:
                    result = import_ledger(handle, unit, user=None, source=path.name)
        except LedgerImportError as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(f"导入失败：发现{len(exc.errors)}处问题，未写入任何数据。")
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(warning))
        verb = "将导入" if dry_run else "已导入"
        self.stdout.write(
            self.style.SUCCESS(f"{verb}{len(result.new_rows)}件，已存在跳过{len(result.duplicate_rows)}件。")
        )
