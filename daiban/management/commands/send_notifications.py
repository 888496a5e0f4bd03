from django.core.management.base import BaseCommand

from daiban.services.outbox import deliver_due
from daiban.tasks import send_due_notifications


class Command(BaseCommand):
    help = "重试发送通知发件箱中待发送的短信和邮件（cron 每隔几分钟运行）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--queue",
            action="store_true",
            help="不在本进程发送，而是交给后台任务队列（由 db_worker 运行），适合多台服务器共用一个 cron。",
        )

    def handle(self, *args, **options):
        if options["queue"]:
            result = send_due_notifications.enqueue()
            self.stdout.write(f"已加入后台任务队列（任务编号 {result.id}），由 db_worker 发送。")
            return
        sent, failed = deliver_due()
        self.stdout.write(f"已发送 {sent} 条，仍失败 {failed} 条（失败的将按间隔自动重试）。")
