"""manage.py export_ledger [--unit NAME] [--from DATE --to DATE] [--full-contact] --out FILE

Phones are masked unless --full-contact is given; every run is in the audit log."""

from django.core.management.base import BaseCommand, CommandError

from daiban.excel.ledger import ledger_cases, ledger_subtitle, write_ledger
from daiban.excel.ledger_import import parse_date
from daiban.masking import mask_phone
from daiban.services.audit import EXPORT_LEDGER, log_export

from ._results import find_unit


class Command(BaseCommand):
    help = "按附件4格式导出帮办代办工作登记台账（xlsx）。"

    def add_arguments(self, parser):
        parser.add_argument("--unit", help="受理单位名称（不填则导出全部）")
        parser.add_argument("--from", dest="start", help="受理日期起，例如 2026-10-01")
        parser.add_argument("--to", dest="end", help="受理日期止，例如 2026-10-31")
        parser.add_argument("--out", required=True, help="输出文件，例如 台账.xlsx")
        parser.add_argument(
            "--full-contact", action="store_true", help="导出完整联系电话（默认脱敏，仅供窗口办理需要时使用）"
        )

    def handle(self, *args, unit=None, start=None, end=None, out=None, full_contact=False, **options):
        unit = find_unit(unit) if unit else None
        try:
            start, end = parse_date(start), parse_date(end)
        except ValueError as exc:
            raise CommandError(str(exc))
        if start and end and end < start:
            raise CommandError("结束日期不能早于开始日期。")
        cases = ledger_cases(unit=unit, start=start, end=end)
        log_export(
            EXPORT_LEDGER,
            rows=cases.count(),
            filters={"unit": unit, "start": start, "end": end},
            masked=not full_contact,
            source="manage.py export_ledger",
        )
        masked = None if full_contact else (lambda case: mask_phone(case.contact_phone))
        write_ledger(cases, out, ledger_subtitle(unit, start, end), contact_phone=masked)
        self.stdout.write(self.style.SUCCESS(f"台账已导出到 {out}。"))
