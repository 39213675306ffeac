from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from huzhou_care.orgs.divisions import DIVISIONS_CSV, load_divisions, read_divisions
from huzhou_care.orgs.models import OrgUnit


class Command(BaseCommand):
    help = "载入（或更新）湖州市行政区划：市、区县、乡镇(街道)。可重复执行。"

    def add_arguments(self, parser):
        parser.add_argument(
            "path", nargs="?", default=str(DIVISIONS_CSV), help="CSV：code,name,level,parent_code"
        )

    def handle(self, *args, path, **options):
        with transaction.atomic():
            created, updated = load_divisions(OrgUnit, read_divisions(Path(path)))
        self.stdout.write(
            f"行政区划：新增 {created}，更新 {updated}，共 {OrgUnit.objects.count()} 个。"
        )
