"""Roster parsing: an uploaded school roster (bytes) in, normalised rows with per-row errors out.

No database access happens here. The pipeline is:

* :mod:`.reader` sniffs the file type by content, guards against oversized files, zip bombs
  and sheets whose cell range would not fit in memory, and returns the raw cell grid;
* :mod:`.headers` finds the header row and maps the header names schools use onto the
  canonical ``Child`` field names;
* :mod:`.normalize` turns the spellings seen in the wild into stored values and codes;
* :mod:`.parse` validates each row (ID number, duplicates, consistency with the ID, age)
  and reports problems in Chinese, per row and column.

Only :func:`parse_roster` and its result types are needed by callers; the rest is importable
for the template writer (``CANONICAL_HEADERS``) and for tests.
"""

from .headers import CANONICAL_HEADERS
from .parse import ParsedRow, RosterParse, RowError, parse_roster
from .reader import MAX_UPLOAD_BYTES, RosterFileError, Sheet, read_rows

__all__ = [
    "CANONICAL_HEADERS",
    "MAX_UPLOAD_BYTES",
    "ParsedRow",
    "RosterFileError",
    "RosterParse",
    "RowError",
    "Sheet",
    "parse_roster",
    "read_rows",
]
