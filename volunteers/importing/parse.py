"""Parse a volunteer roster or a 志愿汇 service-hour export into rows with their reasons.

No database access. The file goes through the school roster's reader (type by content, size
cap, zip-bomb and cell-range guards, UTF-8/GB18030 CSV); the header row is found among the
first rows (title and "填报单位" rows above it are skipped), header names are compared in the
roster's normal form (NFKC, no whitespace, （）=()), and blank, totals and signature rows
below the data are neither rows nor errors.

Reason codes (``RowError.code``), see ``shared/fixtures/hours/README.md``:

volunteers  missing_name, missing_account, bad_account, bad_phone, dup_in_file, bad_enum,
            too_long
hours       missing_account, bad_account, dup_in_file, bad_hours, time_order, future,
            bad_date, missing_activity; ``unknown_account`` and ``name_mismatch`` need the
            team's volunteers and are decided by :mod:`.plan`.

A later row repeating an earlier one is the one refused. Every cell is cleaned of control,
bidi and zero-width characters by the roster normalisers (``huzhou_care.text``).
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.conf import settings

from children.roster import normalize as norm
from children.roster.headers import HEADER_SEARCH_ROWS, normalize_header
from children.roster.parse import (  # the roster's own line rules, shared
    _FOOTER,
    ParsedRow,
    RosterParse,
    RowError,
    _first_text,
    _is_empty,
    _is_skippable,
)
from children.roster.reader import RosterFileError, read_rows

from ..models import PoliticalStatus, Volunteer

VOLUNTEERS = "volunteers"
HOURS = "hours"

#: (canonical key, canonical header, other spellings), in template order.
HEADERS = {
    VOLUNTEERS: [
        ("name", "姓名", ("志愿者姓名",)),
        ("gender", "性别", ()),
        ("mobile", "手机号码", ("联系电话", "手机号", "手机")),
        ("account", "志愿汇账号", ("志愿汇ID", "用户ID", "志愿汇帐号")),
        ("unit", "所在单位", ("工作单位", "单位")),
        ("skills", "技能特长", ("特长",)),
        ("political_status", "政治面貌", ()),
    ],
    HOURS: [
        ("name", "姓名", ("志愿者", "志愿者姓名")),
        ("account", "志愿汇账号", ("用户ID", "志愿汇ID", "志愿汇帐号")),
        ("activity", "活动名称", ("活动", "项目名称")),
        ("signed_in", "签到时间", ()),
        ("service_date", "服务日期", ()),
        ("signed_out", "签退时间", ()),
        ("hours", "服务时长（小时）", ("时长(小时)", "志愿时长", "服务时长", "时长")),
    ],
}
REQUIRED = {VOLUNTEERS: ("name", "account"), HOURS: ("name", "account", "activity", "hours")}
KIND_LABEL = {VOLUNTEERS: "志愿者名册", HOURS: "志愿汇服务时长导出表"}

_LOOKUP = {
    kind: {
        normalize_header(text): key
        for key, label, variants in headers
        for text in (label, *variants)
    }
    for kind, headers in HEADERS.items()
}
_PARENTHESISED = re.compile(r"\([^()]*\)")


def _cell_text(value: Any) -> str:
    return norm.cell_text(value)


def match_header(kind: str, text: Any) -> str | None:
    key = normalize_header(text)
    if not key:
        return None
    found = _LOOKUP[kind].get(key)
    if found is None and "(" in key:
        found = _LOOKUP[kind].get(_PARENTHESISED.sub("", key))
    return found


def find_header(kind: str, rows: list[list[Any]]) -> tuple[int, dict[int, str]]:
    best_index, best = -1, {}
    for index in range(min(len(rows), HEADER_SEARCH_ROWS)):
        mapping: dict[int, str] = {}
        for col, value in enumerate(rows[index]):
            key = match_header(kind, value) if isinstance(value, str) else None
            if key is not None and key not in mapping.values():
                mapping[col] = key
        if len(mapping) > len(best):
            best_index, best = index, mapping
    present = set(best.values())
    missing = [key for key in REQUIRED[kind] if key not in present]
    if kind == HOURS and not present & {"signed_in", "service_date"}:
        missing.append("signed_in")
    if best_index < 0 or missing:
        labels = {key: label for key, label, _ in HEADERS[kind]}
        shown = "、".join(f"「{labels[key]}」" for key in missing)
        raise RosterFileError(
            f"未找到{KIND_LABEL[kind]}的表头：前 {HEADER_SEARCH_ROWS} 行中没有包含{shown}"
            f"的表头行。请检查是否选错了文件（{KIND_LABEL[kind]}），或把表头改成标准列名后再上传"
        )
    return best_index, best


# --------------------------------------------------------------------------- values

_ACCOUNT = re.compile(r"^[0-9A-Za-z_-]{1,32}$")
_MOBILE = re.compile(r"^1[0-9]{10}$")
_PHONE_SEPARATORS = re.compile(r"[\s\-—–]+")
_POLITICAL = {
    "中共党员": PoliticalStatus.PARTY,
    "党员": PoliticalStatus.PARTY,
    "中共预备党员": PoliticalStatus.PARTY,
    "预备党员": PoliticalStatus.PARTY,
    "共青团员": PoliticalStatus.LEAGUE,
    "团员": PoliticalStatus.LEAGUE,
    "群众": PoliticalStatus.MASSES,
}
_MAX_LENGTH = {
    key: Volunteer._meta.get_field(field).max_length
    for key, field in (("name", "name"), ("unit", "unit"), ("skills", "skills"))
}


def parse_account(value: Any) -> str:
    """志愿汇 ids stored by Excel as numbers (``837213360.0``) come back as their digits."""
    return "".join(_cell_text(value).split())


def _account_error(label: str, account: str) -> RowError:
    return RowError(
        label,
        "bad_account",
        f"「{label}」列的“{account}”不是有效的志愿汇账号：应为不超过32位的数字或字母，"
        "请在志愿汇“我的”页面核对后填写",
    )


class _Parser:
    def __init__(self, kind: str, mapping: dict[int, str], labels: dict[str, str], today):
        self.kind = kind
        self.col = {key: col for col, key in mapping.items()}
        self.labels = labels
        self.today = today
        self.seen: dict[Any, int] = {}
        self.tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)

    def cell(self, raw: list[Any], key: str) -> Any:
        col = self.col.get(key)
        if col is None or col >= len(raw):
            return ""
        return raw[col]

    def error(self, errors: list[RowError], key: str, code: str, text: str) -> None:
        label = self.labels[key]
        errors.append(RowError(label, code, f"「{label}」列{text}"))

    def duplicate(self, errors, key, identity, row_number, what) -> None:
        first = self.seen.setdefault(identity, row_number)
        if first != row_number:
            self.error(
                errors,
                key,
                "dup_in_file",
                f"与第{first}行重复（{what}）：同一条只填一行，请删除本行",
            )

    # --- volunteer roster
    def volunteer(self, row_number: int, raw: list[Any], account: str) -> ParsedRow:
        values: dict[str, object] = {"account": account}
        errors: list[RowError] = []
        if not _ACCOUNT.match(account):
            errors.append(_account_error(self.labels["account"], account))
        else:
            self.duplicate(errors, "account", account, row_number, "同一志愿汇账号")
        name = norm.parse_name(self.cell(raw, "name"))
        if not name:
            self.error(errors, "name", "missing_name", "为空：请填写志愿者姓名")
        values["name"] = name
        if "gender" in self.col:
            try:
                values["gender"] = norm.parse_gender(self.cell(raw, "gender")) or ""
            except norm.InvalidValue:
                self.error(
                    errors,
                    "gender",
                    "bad_enum",
                    f"的“{_cell_text(self.cell(raw, 'gender'))}”无法识别：请填写“男”或“女”",
                )
        if "mobile" in self.col:
            shown = _cell_text(self.cell(raw, "mobile"))
            mobile = _PHONE_SEPARATORS.sub("", shown)
            if mobile.startswith("+86"):
                mobile = mobile[3:]
            if mobile and not _MOBILE.match(mobile):
                self.error(
                    errors,
                    "mobile",
                    "bad_phone",
                    f"的“{shown}”不是有效的手机号码：应为以1开头的11位数字（空格和短横线可保留）",
                )
            else:
                values["mobile"] = mobile
        if "political_status" in self.col:
            shown = norm.squeeze(_cell_text(self.cell(raw, "political_status")))
            status = _POLITICAL.get(shown, "") if shown else ""
            if shown and not status:
                self.error(
                    errors,
                    "political_status",
                    "bad_enum",
                    f"的“{shown}”不在可选范围内：请填写“中共党员”“共青团员”或“群众”",
                )
            values["political_status"] = status
        for key in ("unit", "skills"):
            if key in self.col:
                values[key] = norm.parse_text(self.cell(raw, key))
        for key, limit in _MAX_LENGTH.items():
            if len(str(values.get(key) or "")) > limit:
                self.error(errors, key, "too_long", f"的内容超过{limit}个字：请精简后重新填写")
        return ParsedRow(row_number, values, errors, raw if errors else [])

    # --- 志愿汇 export
    def record(self, row_number: int, raw: list[Any], account: str) -> ParsedRow:
        values: dict[str, object] = {"account": account}
        errors: list[RowError] = []
        if not _ACCOUNT.match(account):
            errors.append(_account_error(self.labels["account"], account))
        values["name"] = norm.parse_name(self.cell(raw, "name"))
        activity = norm.parse_text(self.cell(raw, "activity"))
        if not activity:
            self.error(errors, "activity", "missing_activity", "为空：请填写活动名称")
        elif len(activity) > 100:
            self.error(errors, "activity", "too_long", "的内容超过100个字：请精简后重新填写")
        values["activity"] = activity

        signed_in = signed_out = None
        day = None
        if "signed_in" in self.col:
            before = len(errors)
            signed_in = self.moment(errors, "signed_in", self.cell(raw, "signed_in"))
            if signed_in is not None:
                day = signed_in.date()
            elif len(errors) == before:
                self.error(errors, "signed_in", "bad_date", "为空：请填写签到时间")
        else:
            day = self.date(errors, "service_date", self.cell(raw, "service_date"))
        if "signed_out" in self.col:
            signed_out = self.moment(errors, "signed_out", self.cell(raw, "signed_out"))
            if signed_in is not None and signed_out is not None and signed_out < signed_in:
                self.error(
                    errors,
                    "signed_out",
                    "time_order",
                    f"的{signed_out:%Y-%m-%d %H:%M}早于签到时间{signed_in:%Y-%m-%d %H:%M}："
                    "请核对签到、签退时间",
                )
        values["hours"] = self.hours(errors, self.cell(raw, "hours"))
        if day is not None:
            values["service_date"] = day
            if day > self.today:
                key = "signed_in" if signed_in is not None else "service_date"
                self.error(
                    errors,
                    key,
                    "future",
                    f"的{day:%Y-%m-%d}晚于今天：尚未发生的服务不能登记时长，请核对日期",
                )
        values["signed_in"] = signed_in
        values["signed_out"] = signed_out
        if day is not None and _ACCOUNT.match(account):
            if signed_in is not None:
                identity = (account, signed_in)
                what = "同一志愿汇账号、同一签到时间"
            else:
                identity = (account, day, activity)
                what = "同一志愿汇账号、同一服务日期和活动"
            self.duplicate(errors, "account", identity, row_number, what)
        return ParsedRow(row_number, values, errors, raw if errors else [])

    def moment(self, errors, key: str, value: Any) -> dt.datetime | None:
        if value.__class__ is dt.datetime:
            return value.replace(tzinfo=self.tz)
        if _is_empty(value):
            return None
        if (
            isinstance(value, float | int)
            and not isinstance(value, bool)
            and 20_000 < value < 80_000
        ):
            moment = dt.datetime(1899, 12, 30) + dt.timedelta(days=float(value))
            return moment.replace(second=0, microsecond=0, tzinfo=self.tz)
        text = _cell_text(value)
        found = _MOMENT.match(text)
        if found is not None:
            year, month, day, hour, minute, second = found.groups()
            try:
                return dt.datetime(
                    int(year),
                    int(month),
                    int(day),
                    int(hour),
                    int(minute),
                    int(second or 0),
                    tzinfo=self.tz,
                )
            except ValueError:
                pass
        self.error(
            errors,
            key,
            "bad_date",
            f"的“{text}”无法识别为时间：请写成 2026-10-09 18:05 这样的格式",
        )
        return None

    def date(self, errors, key: str, value: Any) -> dt.date | None:
        try:
            found = norm.parse_date(value)
        except norm.InvalidValue as exc:
            self.error(errors, key, "bad_date", exc.detail.replace("2012-05-03", "2026-10-09"))
            return None
        if found is None or found.month_only:
            shown = _cell_text(value)
            self.error(
                errors,
                key,
                "bad_date",
                f"的“{shown}”不是完整的日期：请写成 2026-10-09 或 2026年10月9日"
                if shown
                else "为空：请填写服务日期",
            )
            return None
        return found.date

    def hours(self, errors, value: Any) -> Decimal | None:
        if isinstance(value, float | int) and not isinstance(value, bool):
            number = Decimal(repr(float(value)))
        else:
            text = _cell_text(value).removesuffix("小时").removesuffix("h").strip()
            try:
                number = Decimal(text)
            except InvalidOperation:
                number = None
        if number is None or not number.is_finite() or number <= 0 or number > 24:
            shown = _cell_text(value)
            self.error(
                errors,
                "hours",
                "bad_hours",
                f"的“{shown}”不是有效的时长：应为大于0、不超过24的小时数，例如 2.5"
                if shown
                else "为空：请填写服务时长（小时）",
            )
            return None
        return number.quantize(_CENTS, rounding=ROUND_HALF_UP)


_CENTS = Decimal("0.01")
_MOMENT = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?\s*[T ]?\s*"
    r"(\d{1,2})\s*[:：时]\s*(\d{2})(?:\s*[:：分]\s*(\d{2}))?(?:\.\d+)?\s*秒?$"
)


def parse_file(kind: str, data: bytes, filename: str, *, today: dt.date) -> RosterParse:
    """Parse an uploaded roster (``kind='volunteers'``) or 志愿汇 export (``'hours'``).

    Raises ``RosterFileError`` (Chinese) when the file as a whole cannot be used."""
    sheet = read_rows(data, filename)
    rows = sheet.rows
    header_index, mapping = find_header(kind, rows)
    header = [_cell_text(cell) for cell in rows[header_index]]
    canonical = {key: label for key, label, _ in HEADERS[kind]}
    labels = {key: header[col] or canonical[key] for col, key in mapping.items()}
    parser = _Parser(kind, mapping, labels, today)
    check = parser.volunteer if kind == VOLUNTEERS else parser.record
    account_col, name_col = parser.col["account"], parser.col["name"]

    parsed: list[ParsedRow] = []
    skipped: list[int] = []
    for index in range(header_index + 1, len(rows)):
        raw = rows[index]
        account_raw = raw[account_col] if account_col < len(raw) else ""
        name_raw = raw[name_col] if name_col < len(raw) else ""
        lead = raw[0] if raw else ""
        numbered = lead.__class__ in (int, float) and lead.__class__ is not bool  # 序号 1, 2...
        if not numbered and _FOOTER.match(_first_text(raw)):  # totals, signature, notes
            skipped.append(index + 1)
            continue
        if _is_empty(account_raw):
            if _is_skippable(raw, name_raw):
                skipped.append(index + 1)
                continue
            errors: list[RowError] = []
            parser.error(
                errors, "account", "missing_account", "为空：请填写志愿者的志愿汇账号（用户ID）"
            )
            name = norm.parse_name(name_raw)
            parsed.append(ParsedRow(index + 1, {"name": name, "account": ""}, errors, raw))
            continue
        if match_header(kind, account_raw) == "account":  # a header repeated on a later page
            skipped.append(index + 1)
            continue
        parsed.append(check(index + 1, raw, parse_account(account_raw)))

    warnings = []
    ignored = [
        text
        for col, text in enumerate(header)
        if col not in mapping and text and normalize_header(text) not in {"序号", "编号", "备注"}
    ]
    if ignored:
        warnings.append("以下列不在模板中，已忽略：" + "、".join(f"「{t}」" for t in ignored[:10]))
    if not parsed:
        warnings.append("表头下方没有找到数据行：请检查是否选错了工作表或文件")
    return RosterParse(
        format=sheet.format,
        header_row_number=header_index + 1,
        columns={key: labels[key] for key in parser.col},
        rows=parsed,
        skipped=skipped,
        header=header,
        warnings=warnings,
    )
