"""The .xlsx files the roster pages hand out: the blank template, and the sheet of rejected
rows with a reason column that the clerk fixes and uploads again."""

from __future__ import annotations

import datetime as dt

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from huzhou_care.spreadsheets import StreamingSheet

from .. import choices as c
from ..identity import resident_id_build
from .headers import CANONICAL_HEADERS
from .plan import EXAMPLE_PREFIX
from .reader import read_rows

TEMPLATE_ROWS = 2000
YES_NO = ["是", "否"]
DROPDOWNS = {
    "gender": [str(label) for label in c.Gender.labels],
    "boarding": YES_NO,
    "left_behind_type": [str(label) for label in c.LeftBehindType.labels],
    "guardianship_type": [str(label) for label in c.GuardianshipType.labels],
    "guardianship_assessment": [str(label) for label in c.GuardianshipAssessment.labels],
    "health": [str(label) for label in c.Health.labels],
    "study_status": [str(label) for label in c.StudyStatus.labels],
    "living_status": [str(label) for label in c.LivingStatus.labels],
    "low_income": YES_NO,
    "in_difficulty": YES_NO,
}


def _example_row(school) -> dict:
    birth = dt.date(2016, 9, 1)
    return {
        "name": f"{EXAMPLE_PREFIX}张小明",
        "gender": "男",
        "ethnicity": "汉族",
        "id_number": resident_id_build(school.county.code[:6], birth, 11),
        "birth_date": "2016-09-01",
        "grade": "三年级",
        "class_name": "2班",
        "township": school.township.name,
        "village": "某某村",
        "current_address": f"{school.county.name}{school.township.name}某某村12号",
        "boarding": "否",
        "left_behind_type": "双亲外出务工",
        "guardianship_type": "祖辈监护",
        "guardianship_assessment": "较好",
        "guardian_name": "张爷爷",
        "guardian_relation": "祖父",
        "guardian_phone": "13800000000",
        "father_name": "张某",
        "father_work_place": "广东省深圳市",
        "father_phone": "13900000000",
        "mother_name": "李某",
        "mother_work_place": "上海市",
        "mother_phone": "13700000000",
        "health": "健康",
        "study_status": "良好",
        "living_status": "一般",
        "low_income": "否",
        "in_difficulty": "否",
        "notes": "示例行：导入时自动跳过，可删除",
    }


def roster_template(school) -> Workbook:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "留守儿童名册"
    keys = [key for key, _ in CANONICAL_HEADERS]
    sheet.append([label for _, label in CANONICAL_HEADERS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F2DCDB")
    example = _example_row(school)
    sheet.append([example.get(key, "") for key in keys])
    for cell in sheet[2]:
        cell.font = Font(color="808080", italic=True)
    sheet.freeze_panes = "A2"
    for index, key in enumerate(keys, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = (
            22 if key in ("id_number", "current_address") else 13
        )
        if key in ("id_number", "guardian_phone", "father_phone", "mother_phone", "birth_date"):
            # Text format: Excel must not turn an 18-digit ID into a number (digits are lost).
            for row in range(2, TEMPLATE_ROWS + 2):
                sheet.cell(row=row, column=index).number_format = "@"
        if key in DROPDOWNS:
            validation = DataValidation(
                type="list",
                formula1='"' + ",".join(DROPDOWNS[key]) + '"',
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="请从下拉列表中选择",
                error="请从下拉列表中选择规定的选项",
            )
            validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
            sheet.add_data_validation(validation)
    notes = workbook.create_sheet("填写说明")
    for line in (
        "1. 每名儿童一行，请勿修改第一行表头；灰色示例行导入时自动跳过。",
        "2. 身份证号列已设为文本格式，请直接填写18位号码（末位X大写或小写均可）。",
        "3. 带下拉箭头的列请从下拉列表中选择。出生日期可写成 2016-09-01。",
        "4. 留守儿童：不满十六周岁、农村户籍，父母双方外出务工或一方外出务工另一方无监护能力。",
        "5. 上传后系统先显示检查结果，确认后才写入信息库；有问题的行可下载修改后重新上传。",
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    return workbook


def error_sheet(upload, rows) -> StreamingSheet:
    """The rejected rows as they were in the file, plus the row number and the reason. The rows
    keep the file's own columns, so that the clerk fixes them in place and uploads this sheet
    again: the two leading columns (原行号, 未导入原因) are ignored on upload."""
    rows = list(rows)
    cells = _original_cells(upload, [row.row_number for row in rows])
    sheet = StreamingSheet("未导入的行")
    width = max([len(upload.header), *(len(raw) for raw in cells.values())])
    headers = [*upload.header, *[""] * (width - len(upload.header))]
    headers = [h or f"第{get_column_letter(i + 1)}列" for i, h in enumerate(headers)]
    sheet.header(["原行号", "未导入原因", *headers], [8, 60, *[14] * len(headers)])
    for row in rows:
        reasons = "；".join(e["message"] for e in row.errors)
        sheet.append([row.row_number, reasons, *cells[row.row_number]])
    return sheet


def _original_cells(upload, numbers: list[int]) -> dict[int, list]:
    """The rows' cells from the stored file (where identifiers are kept, never in the preview
    table); without the file, the sheet still gives each row number and reason."""
    try:
        with upload.file.open("rb") as fh:
            grid = read_rows(fh.read(), upload.original_name).rows
    except (OSError, ValueError):
        return {n: [] for n in numbers}
    return {n: list(grid[n - 1]) if n - 1 < len(grid) else [] for n in numbers}
