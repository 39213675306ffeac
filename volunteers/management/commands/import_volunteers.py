"""Import a team's volunteer roster (志愿者名册).

    python manage.py import_volunteers PATH --team CODE [--dry-run] [--json]

``--json`` prints one object: rows, created, updated, unchanged, rejected and errors
[{row, column, code, message}].
"""

from volunteers.importing.command import ImportCommand
from volunteers.importing.parse import VOLUNTEERS


class Command(ImportCommand):
    help = "导入志愿服务队的志愿者名册（.xlsx/.xls/.ods/.csv）。"
    requires_system_checks = []  # a data load: the checks belong to deployment (as import_roster)
    kind = VOLUNTEERS
