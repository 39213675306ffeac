"""``manage.py restore <folder>``: put a backup back and check it against its manifest."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from huzhou_care.ops.backup import BackupError, backup_read_manifest, backup_restore


class Command(BaseCommand):
    help = "用备份覆盖当前数据库和上传文件，然后核对每张表的行数和登记册校验和。"

    def add_arguments(self, parser):
        parser.add_argument("folder", help="备份目录，例如 var/backups/20261202-080000")
        parser.add_argument("--no-input", action="store_true", help="不询问，直接恢复")

    def handle(self, *args, folder, no_input, **options):
        try:
            manifest = backup_read_manifest(Path(folder))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        name = settings.DATABASES["default"]["NAME"]
        children = manifest["row_counts"].get("children_child", 0)
        if not no_input:
            answer = input(
                f"将用 {manifest['created']} 的备份（{children} 名儿童）覆盖数据库 {name} "
                f"和上传文件目录 {settings.MEDIA_ROOT}，现有数据将被替换。输入 yes 继续："
            )
            if answer.strip().lower() != "yes":
                raise CommandError("已取消，未作任何修改。")
        try:
            backup_restore(folder=Path(folder))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"恢复完成：{len(manifest['row_counts'])} 张表的行数与登记册校验和均与备份一致"
            f"（{children} 名儿童，{manifest['media_files']} 个上传文件）。"
        )
