"""Spreadsheet exports of the registry: the filtered list, and the national registration form
(民发〔2016〕42号 附件1) layout that districts submit upward. Masked unless asked otherwise."""

from __future__ import annotations

from django.utils import timezone

from huzhou_care.crypto.fields import Sealed
from huzhou_care.spreadsheets import StreamingSheet

from . import choices as c
from .models import Child
from .services import EDITABLE_FIELDS

CHUNK = 2000


def _label(choices_cls, value):
    return choices_cls(value).label if value else ""


def _grade(value):
    return c.GRADE_LABELS.get(value, "") if value else ""


def _masker(full: bool):
    """The rows already hold the masked forms or the full values (see ``_rows``)."""
    return (lambda v: v), (lambda v: v)


# (header, column width, function of a values() row and the two maskers)
LIST_COLUMNS = [
    ("姓名", 10, lambda r, mid, mph: r["name"]),
    ("性别", 6, lambda r, mid, mph: _label(c.Gender, r["gender"])),
    ("民族", 8, lambda r, mid, mph: r["ethnicity"]),
    ("身份证号", 22, lambda r, mid, mph: mid(r["id_number"])),
    ("出生日期", 12, lambda r, mid, mph: r["birth_date"]),
    ("区县", 10, lambda r, mid, mph: r["county__name"]),
    ("乡镇(街道)", 12, lambda r, mid, mph: r["township__name"]),
    ("村(社区)", 12, lambda r, mid, mph: r["village"]),
    ("学校", 20, lambda r, mid, mph: r["school__name"] or ""),
    ("年级", 10, lambda r, mid, mph: _grade(r["grade"])),
    ("班级", 8, lambda r, mid, mph: r["class_name"]),
    ("是否寄宿", 8, lambda r, mid, mph: r["boarding"]),
    ("留守类型", 20, lambda r, mid, mph: _label(c.LeftBehindType, r["left_behind_type"])),
    ("监护方式", 12, lambda r, mid, mph: _label(c.GuardianshipType, r["guardianship_type"])),
    (
        "监护情况",
        8,
        lambda r, mid, mph: _label(c.GuardianshipAssessment, r["guardianship_assessment"]),
    ),
    ("监护人姓名", 10, lambda r, mid, mph: r["guardian_name"]),
    ("监护人与儿童关系", 10, lambda r, mid, mph: r["guardian_relation"]),
    ("监护人电话", 15, lambda r, mid, mph: mph(r["guardian_phone"])),
    ("父亲姓名", 10, lambda r, mid, mph: r["father_name"]),
    ("父亲务工地点", 16, lambda r, mid, mph: r["father_work_place"]),
    ("父亲电话", 15, lambda r, mid, mph: mph(r["father_phone"])),
    ("母亲姓名", 10, lambda r, mid, mph: r["mother_name"]),
    ("母亲务工地点", 16, lambda r, mid, mph: r["mother_work_place"]),
    ("母亲电话", 15, lambda r, mid, mph: mph(r["mother_phone"])),
    ("身体状况", 8, lambda r, mid, mph: _label(c.Health, r["health"])),
    ("残疾类别", 12, lambda r, mid, mph: r["disability_category"]),
    ("学习状况", 8, lambda r, mid, mph: _label(c.StudyStatus, r["study_status"])),
    ("生活状况", 8, lambda r, mid, mph: _label(c.LivingStatus, r["living_status"])),
    ("是否低保", 8, lambda r, mid, mph: r["low_income"]),
    ("是否困境儿童", 10, lambda r, mid, mph: r["in_difficulty"]),
    ("状态", 8, lambda r, mid, mph: _label(c.ChildStatus, r["status"])),
    ("备注", 20, lambda r, mid, mph: r["notes"]),
]

# Every editable field, places by name, plus the status.
VALUE_FIELDS = (
    *(name for name in EDITABLE_FIELDS if name not in {"county", "township", "school"}),
    "county__name",
    "township__name",
    "school__name",
    "status",
)


PROTECTED = {f.name: f.masked for f in Child._meta.encrypted_fields}


def _rows(qs, full: bool):
    """values() rows keyed by field name. Masked: the protected fields hold their stored
    masked forms and no ciphertext is even read. Full: they are decrypted here."""
    if full:
        for row in qs.values(*VALUE_FIELDS).iterator(chunk_size=CHUNK):
            for name in PROTECTED:
                value = row[name]
                row[name] = value.reveal() if isinstance(value, Sealed) else (value or "")
            yield row
        return
    names = [PROTECTED.get(name, name) for name in VALUE_FIELDS]
    renamed = {masked: name for name, masked in PROTECTED.items()}
    for row in qs.values(*names).iterator(chunk_size=CHUNK):
        yield {renamed.get(key, key): value for key, value in row.items()}


def registry_export(qs, *, full: bool) -> StreamingSheet:
    mid, mph = _masker(full)
    sheet = StreamingSheet("留守儿童名单")
    sheet.header([h for h, _, _ in LIST_COLUMNS], [w for _, w, _ in LIST_COLUMNS])
    for row in _rows(qs, full):
        sheet.append(fn(row, mid, mph) for _, _, fn in LIST_COLUMNS)
    return sheet


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


NATIONAL_COLUMNS = [
    ("姓名", lambda r, mid, mph: r["name"]),
    ("性别", lambda r, mid, mph: _label(c.Gender, r["gender"])),
    ("民族", lambda r, mid, mph: r["ethnicity"]),
    ("出生日期", lambda r, mid, mph: r["birth_date"]),
    ("公民身份证号码", lambda r, mid, mph: mid(r["id_number"])),
    ("是否登记户口", lambda r, mid, mph: _yes(r["hukou_registered"])),
    ("户籍所在地", lambda r, mid, mph: r["hukou_address"]),
    (
        "现居住地",
        lambda r, mid, mph: r["current_address"] or f"{r['township__name']}{r['village']}",
    ),
    ("身体情况", lambda r, mid, mph: _label(c.Health, r["health"])),
    ("残疾类别及等级/患病类型", lambda r, mid, mph: r["disability_category"]),
    ("是否学校寄宿", lambda r, mid, mph: _yes(r["boarding"])),
    (
        "就学情况",
        lambda r, mid, mph: (
            _label(c.SchoolingStage, r["schooling"])
            or (
                "小学"
                if (r["grade"] or 0) in range(1, 7)
                else "初中"
                if (r["grade"] or 0) in range(7, 10)
                else ""
            )
        ),
    ),
    ("父亲姓名", lambda r, mid, mph: r["father_name"]),
    ("父亲当前务工地点", lambda r, mid, mph: r["father_work_place"]),
    ("父亲联系电话", lambda r, mid, mph: mph(r["father_phone"])),
    ("母亲姓名", lambda r, mid, mph: r["mother_name"]),
    ("母亲当前务工地点", lambda r, mid, mph: r["mother_work_place"]),
    ("母亲联系电话", lambda r, mid, mph: mph(r["mother_phone"])),
    (
        "父母双方同时外出",
        lambda r, mid, mph: _yes(r["left_behind_type"] == c.LeftBehindType.BOTH_AWAY),
    ),
    (
        "一方外出另一方无监护能力",
        lambda r, mid, mph: _yes(
            r["left_behind_type"] == c.LeftBehindType.ONE_AWAY_OTHER_INCAPABLE
        ),
    ),
    ("有无委托监护人", lambda r, mid, mph: "有" if r["guardian_name"] else "无"),
    ("委托监护人姓名", lambda r, mid, mph: r["guardian_name"]),
    ("委托监护人电话", lambda r, mid, mph: mph(r["guardian_phone"])),
    ("与被监护人关系", lambda r, mid, mph: r["guardian_relation"]),
    ("监护类型", lambda r, mid, mph: _national_guardianship(r)),
    (
        "监护情况评估",
        lambda r, mid, mph: _label(c.GuardianshipAssessment, r["guardianship_assessment"]),
    ),
    ("救助帮扶", lambda r, mid, mph: "低保" if r["low_income"] else ""),
    ("困境儿童", lambda r, mid, mph: _yes(r["in_difficulty"])),
]


def _national_guardianship(r) -> str:
    """The national form's 监护类型 vocabulary, derived from ours."""
    if r["guardianship_type"] == c.GuardianshipType.NONE:
        return "无人监护"
    if (
        r["left_behind_type"] == c.LeftBehindType.ONE_AWAY_OTHER_INCAPABLE
        and r["guardianship_type"] == c.GuardianshipType.ONE_PARENT
    ):
        return "父或母无监护能力"
    if r["guardianship_assessment"] == c.GuardianshipAssessment.POOR:
        return "受委托监护人监护能力不足"
    if r["guardianship_assessment"] == c.GuardianshipAssessment.GOOD:
        return "监护情况较好"
    return "监护情况一般"


def national_form_export(qs, *, full: bool, unit: str) -> StreamingSheet:
    mid, mph = _masker(full)
    sheet = StreamingSheet("农村留守儿童基本情况登记表")
    sheet.title_row("农村留守儿童基本情况登记表")
    sheet.plain_row(
        [f"填报单位：{unit}", None, None, None, f"填报日期：{timezone.localdate():%Y年%m月%d日}"]
    )
    sheet.header(["序号"] + [h for h, _ in NATIONAL_COLUMNS], [6] + [14] * len(NATIONAL_COLUMNS))
    for number, row in enumerate(_rows(qs, full), start=1):
        sheet.append([number] + [fn(row, mid, mph) for _, fn in NATIONAL_COLUMNS])
    sheet.plain_row([])
    sheet.plain_row(
        [
            "单位负责人：",
            None,
            None,
            "复核人：",
            None,
            None,
            "填表人：",
            None,
            None,
            "村(居)委会联系人：",
        ]
    )
    return sheet
