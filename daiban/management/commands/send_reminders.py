from django.core.management.base import BaseCommand

from daiban.masking import mask_phone
from daiban.reminders import collect, not_yet_sent, send
from daiban.tasks import send_reminders


class Command(BaseCommand):
    help = "发送超时预警提醒（临期、逾期）给责任帮办代办员及本单位联络员。每天由 cron 运行一次。"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只列出将通知谁，不发送。")
        parser.add_argument(
            "--queue",
            action="store_true",
            help="不在本进程发送，而是交给后台任务队列（由 db_worker 运行）；同一天重复运行不会重复提醒。",
        )

    def handle(self, *args, **options):
        if options["queue"] and not options["dry_run"]:
            result = send_reminders.enqueue()
            self.stdout.write(f"已加入后台任务队列（任务编号 {result.id}），由 db_worker 发送超时预警。")
            return
        reminders = collect()
        if not reminders:
            self.stdout.write("今天没有临期或逾期的办件。")
            return
        reminders = not_yet_sent(reminders)
        if not reminders:
            self.stdout.write("今天的超时预警已全部发送过，不再重复发送。")
            return
        for reminder in reminders.values():
            liaison = reminder.liaison
            self.stdout.write(
                f"{liaison.name}（{liaison.organisation_name}，{mask_phone(liaison.phone)}）："
                + "；".join(reminder.lines)
            )
        if options["dry_run"]:
            self.stdout.write(self.style.WARNING(f"试运行：将通知 {len(reminders)} 人，未发送。"))
            return
        told = send(reminders)
        self.stdout.write(self.style.SUCCESS(f"已为 {told} 人生成提醒，交由通知发件箱发送。"))
