"""Delete stored roster files that are no longer needed (also run by beat every few hours).

    python manage.py purge_roster_files [--keep-days N] [--json]

Files of uploads imported more than N days ago (default ``ROSTER_FILE_KEEP_DAYS``) and of
cancelled or failed uploads are deleted; the uploads' rows, counts and history stay.
``--json`` prints ``{"deleted": <number of files>, "keep_days": N}``.
"""

import json

from django.conf import settings
from django.core.management.base import BaseCommand

from children.services import roster_files_purge


class Command(BaseCommand):
    help = "删除已不再需要的名册上传文件（已导入超过保留期限的，以及已取消、检查未通过的）。"

    def add_arguments(self, parser):
        parser.add_argument("--keep-days", type=int, default=None, help="已导入文件的保留天数")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, keep_days, **options):
        keep = settings.ROSTER_FILE_KEEP_DAYS if keep_days is None else keep_days
        deleted = roster_files_purge(keep_days=keep)
        if options["json"]:
            self.stdout.write(json.dumps({"deleted": deleted, "keep_days": keep}))
        else:
            self.stdout.write(f"已删除 {deleted} 个名册文件（已导入文件保留 {keep} 天）。")
