"""Send the reminders due on a date: the same service the daily beat task runs, in process.

    manage.py send_reminders --date 2026-12-03 --json
    {"sent": 3, "by_rule": {"children.roster_waiting": 2, "children.transfer_waiting": 1}}

Running the same date again sends nothing (each reminder goes once per rule, target,
recipient and period)."""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from huzhou_care.notify.services import reminders_send


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date 须为 YYYY-MM-DD 格式的日期，收到：{value!r}") from None


class Command(BaseCommand):
    help = "发送指定日期到期的提醒（与每日定时任务相同）；同一日期重复运行不会重复发送。"

    def add_arguments(self, parser):
        parser.add_argument("--date", type=_date, default=None, help="YYYY-MM-DD，默认今天")
        parser.add_argument("--json", action="store_true", help='输出 {"sent": n, "by_rule": {…}}')

    def handle(self, *args, **options):
        run_date = options["date"] or timezone.localdate()
        result = reminders_send(run_date)
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        self.stdout.write(f"{run_date.isoformat()}：共发送提醒 {result['sent']} 条")
        for rule, count in result["by_rule"].items():
            self.stdout.write(f"  {rule}: {count}")
