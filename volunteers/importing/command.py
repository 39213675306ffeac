"""The shared body of ``import_volunteers`` and ``import_hours`` (operators, scripts)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from children.roster.reader import RosterFileError
from huzhou_care.audit.models import ChangeRecord
from huzhou_care.audit.services import ChangeSource

from ..models import Team
from .parse import KIND_LABEL, parse_file
from .plan import import_apply, import_plan


class ImportCommand(BaseCommand):
    kind = ""

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--team", required=True, help="志愿服务队编码")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, path: Path, team: str, dry_run: bool, **options):
        team_obj = Team.objects.filter(code=team).first()
        if team_obj is None:
            raise CommandError(f"找不到志愿服务队：{team}（请填写队伍编码）")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件 {path}：{exc.strerror}") from None
        today = timezone.localdate()
        try:
            parsed = parse_file(self.kind, data, path.name, today=today)
        except RosterFileError as exc:
            raise CommandError(f"{path.name}：{exc.message}") from None
        plan = import_plan(self.kind, parsed, team_obj)
        source = ChangeSource(None, ChangeRecord.Source.IMPORT, f"cli:{path.name}"[:64])
        summary = plan.summary() if dry_run else import_apply(plan, source=source, today=today)
        report = plan.report(summary)
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        verb = "检查（未写入）" if dry_run else "导入"
        self.stdout.write(
            f"{path.name}（{KIND_LABEL[self.kind]}）→ {team_obj.name}：{verb} {report['rows']} 行；"
            f"新增 {report['created']}，更新 {report['updated']}，无变化 {report['unchanged']}，"
            f"不予导入 {report['rejected']}。"
        )
        for error in report["errors"]:
            self.stdout.write(f"  第 {error['row']} 行「{error['column']}」：{error['message']}")
        for warning in parsed.warnings:
            self.stdout.write(f"  提示：{warning}")
