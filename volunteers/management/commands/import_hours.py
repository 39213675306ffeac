"""Import a 志愿汇 service-hour export into a team.

    python manage.py import_hours PATH --team CODE [--dry-run] [--json]

Rows match the team's volunteers by 志愿汇 account; a re-import changes nothing. ``--json``
prints one object: rows, created, updated, unchanged, rejected and errors
[{row, column, code, message}].
"""

from volunteers.importing.command import ImportCommand
from volunteers.importing.parse import HOURS


class Command(ImportCommand):
    help = "导入志愿汇导出的服务时长记录（.xlsx/.xls/.ods/.csv）。"
    requires_system_checks = []  # a data load: the checks belong to deployment (as import_roster)
    kind = HOURS
