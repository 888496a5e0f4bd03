from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from daiban.tasks import ABANDONED_AFTER, remove_abandoned_uploads


class Command(BaseCommand):
    help = "删除超过一天未确认的待导入文件（含姓名、电话等个人信息）。每天由 cron 运行一次。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--hours",
            type=int,
            default=int(ABANDONED_AFTER.total_seconds() // 3600),
            help="删除多少小时以前上传的文件（默认 24）。",
        )

    def handle(self, *args, hours, **options):
        if hours < 1:  # a preview being confirmed right now must survive
            raise CommandError("--hours 至少为 1。")
        removed = remove_abandoned_uploads(max_age=timedelta(hours=hours))
        self.stdout.write(self.style.SUCCESS(f"已删除 {len(removed)} 个超过 {hours} 小时未确认的待导入文件。"))
