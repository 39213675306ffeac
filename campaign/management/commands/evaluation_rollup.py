"""Run the December evaluation roll-up in process: the same service as the Celery task.

    manage.py evaluation_rollup --year 2026 --as-of 2026-12-10 --json
    {"snapshot": 7, "created": true, "districts": [{"district": "吴兴区", "score": 83.5,
     "grade": "良好", "indicators": {"registry": {"value": 97.2, "score": 9.69}, …}}, …]}

The same year and date again prints the stored snapshot ("created": false)."""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from campaign.evaluation.services import EvaluationError, rollup, rollup_json


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--as-of 须为 YYYY-MM-DD 格式的日期，收到：{value!r}") from None


class Command(BaseCommand):
    help = "计算指定年度、截至日期的考评快照（与定时任务相同）；同一年度和日期只生成一次。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="行动年度，如 2026")
        parser.add_argument("--as-of", type=_date, required=True, dest="as_of", help="YYYY-MM-DD")
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args, **options):
        year, as_of = options["year"], options["as_of"]
        if not 2000 <= year <= 2100:
            raise CommandError(f"--year 应为四位年份，收到：{year}")
        try:
            snapshot, created = rollup(year, as_of)
        except EvaluationError as exc:
            raise CommandError(str(exc)) from None
        data = rollup_json(snapshot, created)
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        state = "已生成" if created else "已存在（未重复生成）"
        self.stdout.write(f"{year} 年考评快照 #{snapshot.pk}（截至 {as_of}）{state}")
        for rank, d in enumerate(data["districts"], start=1):
            self.stdout.write(f"  {rank}. {d['district']}  {d['score']:.2f}  {d['grade']}")
