from django.core.management.base import BaseCommand, CommandError

from daiban.excel.common import ExcelFormatError
from daiban.excel.matters import MatterSheetError, read_matter_workbook
from daiban.services.catalogue import (
    CatalogueError,
    apply_matter_import,
    find_level,
    find_region,
    plan_matter_import,
)


class Command(BaseCommand):
    help = "导入附件1《帮办代办事项清单》（xlsx）。任何一行有误则不导入任何内容；重复导入同一文件只更新不重复。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="xlsx 文件")
        parser.add_argument("--region", required=True, help="清单所属区域名称，如 资中县（重名时写完整名称）")
        parser.add_argument("--level", required=True, help="清单层级：村级、镇级、县级或市级")
        parser.add_argument("--dry-run", action="store_true", help="只检查并列出将要进行的修改，不写入")
        parser.add_argument("--draft", action="store_true", help="保存为草稿，不发布")

    def handle(self, *args, file, region, level, dry_run, draft, **options):
        try:
            region = find_region(region)
            level = find_level(level)
            with open(file, "rb") as handle:
                rows = read_matter_workbook(handle)
        except OSError as error:
            raise CommandError(f"无法打开文件：{error}")
        except (CatalogueError, ExcelFormatError) as error:
            raise CommandError(str(error))
        except MatterSheetError as error:
            for message in error.messages():
                self.stderr.write(f"工作表“{error.sheet_name}” {message}")
            raise CommandError(f"发现 {len(error.errors)} 处错误，未导入任何内容。")
        plan = plan_matter_import(rows, region, level)
        self.report(plan)
        if dry_run:
            self.stdout.write("试运行：未写入任何内容。")
            return
        result = apply_matter_import(plan, publish=not draft)
        state = "已发布" if result.published else "已保存为草稿，待审核发布"
        self.stdout.write(self.style.SUCCESS(f"导入完成（{state}）：{result.list_page.title}"))

    def report(self, plan):
        self.stdout.write(f"{plan.region.name}{plan.level_label}清单：{plan.summary}")
        for item in plan.items:
            if item.action != "无变化":
                self.stdout.write(f"  第{item.row.sheet_row}行 {item.action}：{item.row.unit} {item.row.title}")
        for page in plan.not_in_file:
            self.stdout.write(f"  清单中有但文件中没有（未改动）：{page.unit.name} {page.title}")
