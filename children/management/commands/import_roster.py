"""Import a school roster from the command line (operators, scripts).

    python manage.py import_roster PATH --school SCHOOL [--dry-run] [--json]

SCHOOL is the school code or its exact name. ``--dry-run`` checks and compares but writes
nothing. ``--json`` prints one JSON object with the counts and every rejected row.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from children.roster.parse import parse_roster
from children.roster.plan import roster_apply, roster_plan
from children.roster.reader import RosterFileError
from children.services import is_unique_race
from huzhou_care.audit.models import ChangeRecord
from huzhou_care.audit.services import ChangeSource
from huzhou_care.orgs.models import School


class Command(BaseCommand):
    help = "导入学校留守儿童名册（.xlsx/.xls/.ods/.csv）。"
    # A data load, run by operators and scripts: the system checks (every URLconf, model
    # and admin; about 0.4 s) belong to deployment (``check --deploy``), not to each run.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--school", required=True, help="学校标识码或学校全称")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, path: Path, school: str, dry_run: bool, **options):
        school_obj = School.objects.select_related("county", "township").filter(
            code=school
        ).first() or (
            School.objects.select_related("county", "township").filter(name=school).first()
        )
        if school_obj is None:
            raise CommandError(f"找不到学校：{school}（请填写学校标识码或学校全称）")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件 {path}：{exc.strerror}") from None
        today = timezone.localdate()
        try:
            parsed = parse_roster(data, path.name, today=today)
        except RosterFileError as exc:
            raise CommandError(f"{path.name}：{exc.message}") from None
        plan = roster_plan(parsed, school_obj, today=today)
        if plan.file_error:
            raise CommandError(f"{path.name}：{plan.file_error}")
        source = ChangeSource(None, ChangeRecord.Source.IMPORT, f"cli:{path.name}"[:64])
        try:
            summary = (
                plan.summary()
                if dry_run
                else roster_apply(plan, school=school_obj, source=source, today=today)
            )
        except Exception as exc:
            if not is_unique_race(exc):
                raise
            raise CommandError(
                f"{path.name}：导入未完成，信息库未作任何修改：就在刚才，其他名册同时导入了本名册中的"
                "部分儿童。请重新运行本命令，按最新的检查结果导入。"
            ) from None
        report = {
            **summary,
            "errors": [
                {"row": p.row.row_number, "column": e.column, "code": e.code, "message": e.message}
                for p in plan.rows
                for e in p.errors
            ],
            "warnings": [*parsed.warnings, *plan.notices],
        }
        if options["json"]:
            self.stdout.write(_json_dumps(report))
            return
        verb = "检查（未写入）" if dry_run else "导入"
        self.stdout.write(
            f"{path.name} → {school_obj.name}：{verb} {report['rows']} 行；新增 {report['created']}，更新 "
            f"{report['updated']}，无变化 {report['unchanged']}，不予导入 {report['rejected']}。"
        )
        for error in report["errors"]:
            self.stdout.write(f"  第 {error['row']} 行「{error['column']}」：{error['message']}")
        for warning in report["warnings"]:
            self.stdout.write(f"  提示：{warning}")


def _json_dumps(report) -> str:
    return json.dumps(report, ensure_ascii=False)
