"""``manage.py backup``: pg_dump (custom format) + media files + manifest (`make backup`)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from huzhou_care.ops.backup import MANIFEST, BackupError, backup_create


class Command(BaseCommand):
    help = "备份数据库（pg_dump 自定义格式）和上传文件，写入 <目录>/<时间>/，附行数与校验和清单。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir", default="var/backups", help="备份目录（默认 var/backups）"
        )

    def handle(self, *args, output_dir, **options):
        try:
            folder = backup_create(output_dir=Path(output_dir))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"备份完成：{folder}（清单 {folder / MANIFEST}）")
        self.stdout.write(f"恢复：make restore FROM={folder}")
