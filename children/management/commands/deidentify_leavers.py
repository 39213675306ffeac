"""De-identify the records of children who left the registry more than
``CHILD_RETENTION_YEARS`` ago (also run nightly by beat; see ``children/retention.py``).

    python manage.py deidentify_leavers [--date YYYY-MM-DD] [--dry-run] [--json]

``--date``: the day the retention period is counted back from (default today).
``--dry-run``: count the children due, change nothing.
``--json`` prints ``{"children": N}`` (de-identified, or due with ``--dry-run``).
"""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from children.retention import leavers_deidentify, retention_cutoff, retention_years


class Command(BaseCommand):
    help = (
        "对退出信息库已超过保存期限的儿童信息去标识化（姓名只留姓氏，清除证件号、电话、住址等）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", default=None, help="以该日期（YYYY-MM-DD）计算保存期限")
        parser.add_argument("--dry-run", action="store_true", help="只统计，不作修改")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, date, dry_run, **options):
        try:
            day = dt.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError:
            raise CommandError("--date 应为 YYYY-MM-DD 格式的日期。") from None
        count = leavers_deidentify(on=day, dry_run=dry_run)
        if options["json"]:
            self.stdout.write(json.dumps({"children": count}))
            return
        cutoff, years = retention_cutoff(day), retention_years()
        verb = "待去标识化" if dry_run else "已去标识化"
        self.stdout.write(
            f"{cutoff:%Y-%m-%d} 前退出信息库（满 {years} 年）的儿童：{verb} {count} 名"
            + ("（试运行，未作修改）。" if dry_run else "。")
        )
