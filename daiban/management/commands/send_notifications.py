from django.core.management.base import BaseCommand

from daiban.services.outbox import deliver_due


class Command(BaseCommand):
    help = "重试发送通知发件箱中待发送的短信和邮件（cron 每隔几分钟运行）。"

    def handle(self, *args, **options):
        sent, failed = deliver_due()
        self.stdout.write(f"已发送 {sent} 条，仍失败 {failed} 条（失败的将按间隔自动重试）。")
