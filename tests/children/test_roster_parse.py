"""The roster parsing pipeline (children/roster): file in, normalised rows with reasons out.

No database: these tests exercise pure parsing. The sample rosters and the expected outcome
per row live in tests/fixtures/rosters (see its README).
"""

from __future__ import annotations

import codecs
import datetime as dt
import functools
import io
import json
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest

from children import choices as c
from children.identity import resident_id_build
from children.roster import normalize as norm
from children.roster import reader
from children.roster.headers import (
    CANONICAL_HEADERS,
    column_labels,
    find_header,
    is_year_month_header,
    match_header,
)
from children.roster.normalize import InvalidValue
from children.roster.parse import ERROR_CODES, RosterParse, parse_roster
from children.roster.reader import RosterFileError, read_rows, sniff_format

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rosters"
EXPECTED: dict[str, dict] = json.loads((FIXTURES / "expected.json").read_text("utf-8"))
TODAY = dt.date(2026, 11, 28)

HEADER = "姓名,性别,身份证号,出生日期,监护方式,监护人电话"
# Valid IDs (check digits computed by python-stdnum), 吴兴区 330502.
BOY_2014 = "330502201407210614"  # born 2014-07-21, male
GIRL_2018 = "33050220180108058X"  # born 2018-01-08, female


def _fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@functools.cache
def _parsed(name: str) -> RosterParse:
    return parse_roster(_fixture(name), name, today=TODAY)


def _csv(*lines: str, encoding: str = "utf-8") -> bytes:
    return "\n".join(lines).encode(encoding)


def _parse_csv(*lines: str, today: dt.date = TODAY) -> RosterParse:
    return parse_roster(_csv(*lines), "roster.csv", today=today)


def _xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _id(division: str, birth: dt.date, order: int) -> str:
    return resident_id_build(division, birth, order)


# --------------------------------------------------------------------------- sample rosters


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_it_accepts_exactly_the_expected_children_of_each_sample_roster(name):
    accepted = [row.values["id_number"] for row in _parsed(name).accepted]

    assert sorted(accepted) == sorted(EXPECTED[name]["accept"])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_it_refuses_exactly_the_expected_rows_for_the_expected_reasons(name):
    refused = {str(row.row_number): row.errors[0].code for row in _parsed(name).rejected}

    assert refused == EXPECTED[name]["reject"]


def test_it_skips_title_blank_totals_and_signature_rows_without_reporting_them():
    result = _parsed("messy-a.xlsx")

    assert result.header_row_number == 3
    assert result.skipped == [21, 39, 57, 67, 68]
    assert not {21, 39, 57, 67, 68} & {row.row_number for row in result.rows}


def test_the_old_xls_file_reads_the_same_as_the_xlsx_file():
    xls, xlsx = _parsed("messy-a.xls"), _parsed("messy-a.xlsx")

    assert (xls.format, xlsx.format) == ("xls", "xlsx")
    assert [(r.row_number, r.values, r.codes) for r in xls.rows] == [
        (r.row_number, r.values, r.codes) for r in xlsx.rows
    ]


def test_it_rejects_an_id_stored_as_a_number():
    row = next(r for r in _parsed("messy-a.xlsx").rows if r.row_number == 4)

    assert row.codes == ["id_numeric"]
    assert row.errors[0].column == "公民身份号码"
    assert row.errors[0].message.startswith("「公民身份号码」列被 Excel 存成了数字")
    assert "文本" in row.errors[0].message


def test_it_rejects_the_later_of_two_rows_with_the_same_id_and_names_the_earlier_row():
    row = next(r for r in _parsed("messy-a.xlsx").rows if r.row_number == 20)

    assert row.codes[0] == "dup_in_file"
    assert "第9行" in row.errors[0].message


def test_it_normalises_ids_with_spaces_full_width_digits_and_a_lower_case_x():
    messy = {r.row_number: r for r in _parsed("messy-a.xlsx").rows}
    csv = {r.row_number: r for r in _parsed("messy-b-gb18030.csv").rows}

    assert messy[45].values["id_number"] == "330502201206125210"
    assert messy[66].values["id_number"] == "330502201611216511"
    assert csv[10].values["id_number"] == "33052220191120880X"


def test_it_maps_the_header_names_of_a_school_onto_the_canonical_columns():
    columns = _parsed("messy-a.xlsx").columns

    assert list(columns) == [key for key, _ in CANONICAL_HEADERS]
    assert columns["id_number"] == "公民身份号码"
    assert columns["guardian_relation"] == "与儿童关系"
    assert columns["township"] == "乡镇（街道）"


def test_row_values_hold_the_stored_codes_of_children_choices():
    row = next(r for r in _parsed("messy-a.xlsx").rows if r.row_number == 10)

    assert row.ok
    assert row.values == {
        "name": "蔡磊",
        "id_number": "330502202004154077",
        "birth_date": dt.date(2020, 4, 15),
        "gender": c.Gender.MALE,
        "ethnicity": "汉族",
        "grade": 1,
        "class_name": "3班",
        "township": "东林镇",
        "village": "杨家村",
        "current_address": "湖州市吴兴区程街27号",
        "boarding": False,
        "left_behind_type": c.LeftBehindType.ONE_AWAY_OTHER_INCAPABLE,
        "guardianship_type": c.GuardianshipType.GRANDPARENT,
        "guardianship_assessment": c.GuardianshipAssessment.GOOD,
        "guardian_name": "牛琴",
        "guardian_relation": "外祖父",
        "guardian_phone": "19386588957",
        "father_name": "蔡波",
        "father_work_place": "广东省深圳市",
        "father_phone": "15114136008",
        "mother_name": "罗博",
        "mother_work_place": "",
        "mother_phone": "18088123127",
        "health": c.Health.HEALTHY,
        "disability_category": "",
        "study_status": c.StudyStatus.GOOD,
        "living_status": c.LivingStatus.GOOD,
        "low_income": False,
        "in_difficulty": False,
        "notes": "",
    }


def test_the_gb18030_csv_reads_register_codes_and_short_grades():
    rows = {r.row_number: r for r in _parsed("messy-b-gb18030.csv").rows}

    assert rows[2].values["gender"] == c.Gender.MALE  # 1
    assert rows[2].values["grade"] == 6  # 小学六年级
    assert rows[2].values["study_status"] == c.StudyStatus.AVERAGE  # 中
    assert rows[3].values["low_income"] is True  # √
    assert rows[6].values["grade"] == 7  # 初一
    assert rows[2].values["left_behind_type"] == c.LeftBehindType.BOTH_AWAY  # 父母双方外出


def test_every_error_message_names_its_column_as_headed_in_the_file():
    for name in EXPECTED:
        for row in _parsed(name).rejected:
            for error in row.errors:
                assert error.code in ERROR_CODES
                assert error.message.startswith(f"「{error.column}」列")
                assert "：" in error.message  # what is wrong, then what to do


# --------------------------------------------------------------------------- row checks


def test_it_derives_birth_date_and_gender_from_the_id_when_those_cells_are_empty():
    result = _parse_csv(HEADER, f"杨明,,{BOY_2014},,祖辈监护,")

    assert result.rows[0].ok
    assert result.rows[0].values["birth_date"] == dt.date(2014, 7, 21)
    assert result.rows[0].values["gender"] == c.Gender.MALE


def test_it_derives_birth_date_and_gender_when_the_file_has_no_such_columns():
    result = _parse_csv("姓名,身份证号", f"郑玉梅,{GIRL_2018}")

    assert result.rows[0].values["birth_date"] == dt.date(2018, 1, 8)
    assert result.rows[0].values["gender"] == c.Gender.FEMALE
    assert any("根据身份证号推算" in warning for warning in result.warnings)


def test_it_compares_only_year_and_month_when_the_cell_gives_only_those():
    other = _id("330502", dt.date(2015, 4, 30), 22)
    result = _parse_csv(
        HEADER, f"杨明,男,{BOY_2014},2014.7,祖辈监护,", f"梁小红,女,{other},2015.04,祖辈监护,"
    )

    assert [row.codes for row in result.rows] == [[], []]
    assert result.rows[0].values["birth_date"] == dt.date(2014, 7, 21)  # the ID's exact date


def test_a_different_birth_month_is_a_dob_mismatch():
    result = _parse_csv(HEADER, f"杨明,男,{BOY_2014},2014.8,祖辈监护,")

    assert result.rows[0].codes == ["dob_mismatch"]
    assert "2014年8月" in result.rows[0].errors[0].message
    assert "2014年7月" in result.rows[0].errors[0].message


def test_a_date_cell_on_the_first_of_the_month_under_chu_sheng_nian_yue_means_that_month():
    row = ["杨明", "男", BOY_2014, dt.date(2014, 7, 1)]
    as_month = parse_roster(
        _xlsx([["姓名", "性别", "身份证号", "出生年月"], row]), "a.xlsx", today=TODAY
    )
    as_day = parse_roster(
        _xlsx([["姓名", "性别", "身份证号", "出生日期"], row]), "a.xlsx", today=TODAY
    )

    assert as_month.rows[0].ok
    assert as_day.rows[0].codes == ["dob_mismatch"]


def test_a_number_cell_2012_1_matches_an_october_birth_because_excel_dropped_the_zero():
    october = _id("330502", dt.date(2012, 10, 5), 11)
    data = _xlsx([["姓名", "身份证号", "出生年月"], ["李成", october, 2012.1]])

    assert parse_roster(data, "a.xlsx", today=TODAY).rows[0].ok


def test_a_gender_that_disagrees_with_the_17th_digit_is_refused():
    result = _parse_csv(HEADER, f"杨明,女,{BOY_2014},,祖辈监护,", f"杨明2,2,{GIRL_2018},,祖辈监护,")

    assert result.rows[0].codes == ["gender_mismatch"]
    assert "男性" in result.rows[0].errors[0].message
    assert result.rows[1].ok


@pytest.mark.parametrize(
    ("birth", "code"),
    [
        (dt.date(2010, 11, 28), ["too_old"]),  # sixteen today
        (dt.date(2010, 11, 29), []),  # sixteen tomorrow
        (dt.date(2008, 3, 14), ["too_old"]),
    ],
)
def test_a_child_aged_sixteen_or_more_on_the_day_is_outside_the_definition(birth, code):
    result = _parse_csv("姓名,身份证号", f"毕玲,{_id('330502', birth, 224)}")

    assert result.rows[0].codes == code
    if code:
        message = result.rows[0].errors[0].message
        age = 16 if birth.year == 2010 else 18
        # The child's age once, the rule once, in digits: never "18 … 十六".
        assert f"已满{age}周岁" in message and "不满16周岁" in message
        assert "十六" not in message and message.count("16") == (2 if age == 16 else 1)


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("", "missing_id"),
        ("3.30502201407210E+17", "id_numeric"),
        ("330502201407210000", "id_numeric"),  # a number cell saved to CSV in full
        ("33050220140721061", "id_invalid"),  # 17 characters
        ("330502201413210614", "id_invalid"),  # month 13
        (_id("990000", dt.date(2014, 7, 21), 61), "id_invalid"),  # no such division
        ("330502201407210615", "id_checksum"),
    ],
)
def test_each_kind_of_bad_id_gets_its_own_code(cell, code):
    result = _parse_csv("姓名,身份证号", f"杨明,{cell}")

    assert result.rows[0].codes == [code]


def test_a_row_without_a_name_is_refused():
    result = _parse_csv(HEADER, f",男,{BOY_2014},,祖辈监护,")

    assert result.rows[0].codes == ["missing_name"]


@pytest.mark.parametrize(
    ("column", "cell", "code"),
    [
        ("监护人电话", "1381234567", "bad_phone"),
        ("出生日期", "2014年13月", "bad_date"),
        ("监护方式", "不清楚", "bad_enum"),
        ("性别", "未知", "bad_enum"),
    ],
)
def test_an_unreadable_value_is_refused_with_the_column_and_what_to_write(column, cell, code):
    values = {
        "姓名": "杨明",
        "性别": "男",
        "身份证号": BOY_2014,
        "出生日期": "",
        "监护方式": "祖辈监护",
        "监护人电话": "",
    }
    values[column] = cell
    result = _parse_csv(HEADER, ",".join(values[h] for h in HEADER.split(",")))

    error = result.rows[0].errors[0]
    assert (error.code, error.column) == (code, column)
    assert error.message.startswith(f"「{column}」列的“{cell}”")


def test_the_bad_enum_message_lists_the_allowed_values_in_chinese():
    result = _parse_csv(HEADER, f"杨明,男,{BOY_2014},,不清楚,")

    assert "祖辈监护、亲友监护、父母一方监护、无人监护" in result.rows[0].errors[0].message


def test_notes_repeated_headers_and_stray_lines_are_skipped():
    result = _parse_csv(
        HEADER,
        f"杨明,男,{BOY_2014},,祖辈监护,",
        HEADER,  # printed rosters repeat the header on every page
        f"郑玉梅,女,{GIRL_2018},,祖辈监护,",
        "注：本表由学校填写,,,,,",
        ",,,,,",
        "第1页,,,,,",
        "总计：2人,,,,,",
        "审核人：张三,,,,联系电话：0572-2399921,",
    )

    assert [row.row_number for row in result.rows] == [2, 4]
    assert result.skipped == [3, 5, 6, 7, 8, 9]


def test_a_row_with_data_but_neither_name_nor_id_is_refused_not_skipped():
    result = _parse_csv(HEADER, ",男,,2014-07-21,祖辈监护,13812345678")

    assert result.rows[0].codes == ["missing_id", "missing_name"]


# --------------------------------------------------------------------------- headers


def test_canonical_headers_list_the_thirty_child_fields_in_template_order():
    assert [key for key, _ in CANONICAL_HEADERS] == [
        "name",
        "gender",
        "ethnicity",
        "id_number",
        "birth_date",
        "grade",
        "class_name",
        "township",
        "village",
        "current_address",
        "boarding",
        "left_behind_type",
        "guardianship_type",
        "guardianship_assessment",
        "guardian_name",
        "guardian_relation",
        "guardian_phone",
        "father_name",
        "father_work_place",
        "father_phone",
        "mother_name",
        "mother_work_place",
        "mother_phone",
        "health",
        "disability_category",
        "study_status",
        "living_status",
        "low_income",
        "in_difficulty",
        "notes",
    ]
    assert CANONICAL_HEADERS[7] == ("township", "乡镇(街道)")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("姓  名", "name"),
        ("性\u3000别", "gender"),
        ("乡镇（街道）", "township"),
        ("村（居）", "village"),
        ("公民身份证号码", "id_number"),
        ("身份证号(18位)", "id_number"),
        ("*姓名", "name"),
        ("出生年月日", "birth_date"),
        ("与被监护人关系", "guardian_relation"),
        ("监护人", "guardian_name"),
        ("父亲务工地址", "father_work_place"),
        ("低保户", "low_income"),
        ("序号", None),
        ("就学情况", None),
    ],
)
def test_header_matching_ignores_spaces_and_treats_full_width_parentheses_alike(text, key):
    assert match_header(text) == key


def test_a_birth_header_of_year_and_month_is_recognised():
    assert is_year_month_header("出生 年月")
    assert not is_year_month_header("出生日期")


def test_it_finds_the_header_below_title_rows():
    rows = [
        ["2026年某小学留守儿童花名册", "", ""],
        ["填报单位：（盖章）", "", ""],
        ["序号", "学生姓名", "身份证号码"],
    ]

    assert find_header(rows) == (2, {1: "name", 2: "id_number"})


def test_it_reads_a_two_row_header_with_parent_and_guardian_groups():
    rows = [
        ["姓名", "身份证号", "父亲情况", "", "", "监护人", "", "", "身体状况"],
        ["", "", "姓名", "务工地点", "联系电话", "姓名", "关系", "电话", ""],
        ["张三", BOY_2014, "张父", "杭州", "13812345678", "李四", "祖父", "13912345678", "健康"],
    ]
    index, columns = find_header(rows)

    assert index == 1
    assert columns == {
        0: "name",
        1: "id_number",
        2: "father_name",
        3: "father_work_place",
        4: "father_phone",
        5: "guardian_name",
        6: "guardian_relation",
        7: "guardian_phone",
        8: "health",
    }
    assert column_labels(rows, index, columns)[2] == "父亲情况 姓名"


def test_a_sheet_without_name_and_id_columns_is_refused_in_chinese():
    with pytest.raises(RosterFileError, match="需要包含「姓名」「身份证号」"):
        parse_roster(_csv("学生,号码", "张三,1"), "x.csv", today=TODAY)


# --------------------------------------------------------------------------- normalisers


def test_full_width_characters_become_half_width_and_spaces_go():
    assert norm.to_halfwidth("３３０５ＡＢ（２）\u3000") == "3305AB(2) "
    assert norm.squeeze(" 王\u3000 芳\n") == "王芳"
    assert norm.parse_name("欧阳 红梅") == "欧阳红梅"
    assert norm.parse_text("  湖州市  吴兴区 ") == "湖州市 吴兴区"


@pytest.mark.parametrize(
    ("cell", "number"),
    [
        ("33050220191120880x", "33050220191120880X"),
        (" 330502 201611216511 ", "330502201611216511"),
        ("３３０５０２２０１２０６１２５２１０", "330502201206125210"),
        ("'330502201407210614", "330502201407210614"),
    ],
)
def test_ids_are_normalised(cell, number):
    assert norm.normalize_id(cell) == number


@pytest.mark.parametrize("cell", [3.305022017072264e17, 330502201407210614, "3.30502201407210E+17"])
def test_an_id_that_excel_stored_as_a_number_is_id_numeric(cell):
    with pytest.raises(InvalidValue) as caught:
        norm.normalize_id(cell)
    assert caught.value.code == "id_numeric"


def test_a_valid_id_gives_its_birth_date_and_gender():
    assert norm.check_id(GIRL_2018) == norm.ResidentId(GIRL_2018, dt.date(2018, 1, 8), "F")


@pytest.mark.parametrize(
    ("cell", "day", "month_only"),
    [
        (dt.date(2012, 5, 3), dt.date(2012, 5, 3), False),
        (dt.datetime(2012, 5, 3, 0, 0), dt.date(2012, 5, 3), False),
        ("2012-05-03", dt.date(2012, 5, 3), False),
        ("2012/5/3", dt.date(2012, 5, 3), False),
        ("2012.5.3", dt.date(2012, 5, 3), False),
        ("2012年5月3日", dt.date(2012, 5, 3), False),
        ("20120503", dt.date(2012, 5, 3), False),
        (20120503, dt.date(2012, 5, 3), False),
        ("2012-05-03 00:00:00", dt.date(2012, 5, 3), False),
        (41032.0, dt.date(2012, 5, 3), False),  # an Excel serial that lost its date format
        ("2012.05", dt.date(2012, 5, 1), True),
        ("2012.5", dt.date(2012, 5, 1), True),
        (2012.05, dt.date(2012, 5, 1), True),
        ("2012年5月", dt.date(2012, 5, 1), True),
        ("201205", dt.date(2012, 5, 1), True),
    ],
)
def test_dates_are_read_in_the_ways_clerks_type_them(cell, day, month_only):
    assert norm.parse_date(cell) == norm.PartialDate(day, month_only)


@pytest.mark.parametrize("cell", ["2012.13", "2012.5.0", "明年", "2012-02-30"])
def test_an_impossible_date_is_bad_date(cell):
    with pytest.raises(InvalidValue) as caught:
        norm.parse_date(cell)
    assert caught.value.code == "bad_date"


@pytest.mark.parametrize(
    ("cell", "code"),
    [("男", "M"), ("女", "F"), (1, "M"), (2.0, "F"), ("2", "F"), ("男性", "M"), ("", None)],
)
def test_gender_accepts_words_and_register_codes(cell, code):
    assert norm.parse_gender(cell) == code


@pytest.mark.parametrize(
    ("cell", "grade"),
    [
        ("一年级", 1),
        ("九年级", 9),
        ("初一", 7),
        ("初三", 9),
        ("高一", 10),
        ("高三", 12),
        ("小学三年级", 3),
        ("3年级", 3),
        ("3", 3),
        (3.0, 3),
        ("七年级", 7),
        ("七年级(初一)", 7),
        ("初中二年级", 8),
        ("", None),
        ("幼儿园", None),
    ],
)
def test_grades_become_numbers_one_to_twelve(cell, grade):
    assert norm.parse_grade(cell) == grade


@pytest.mark.parametrize("cell", ["13", "初四", "一年级2班", "abc"])
def test_an_unknown_grade_is_bad_enum(cell):
    with pytest.raises(InvalidValue) as caught:
        norm.parse_grade(cell)
    assert caught.value.code == "bad_enum"


@pytest.mark.parametrize(
    ("cell", "name"),
    [
        ("2班", "2班"),
        ("(2)班", "2班"),
        ("（2）班", "2班"),
        ("2", "2班"),
        (2.0, "2班"),
        ("二班", "2班"),
        ("3(2)班", "2班"),
        ("火箭班", "火箭班"),
        ("", ""),
    ],
)
def test_classes_are_written_as_n_ban(cell, name):
    assert norm.parse_class(cell) == name


@pytest.mark.parametrize(
    ("cell", "answer"),
    [
        ("是", True),
        ("否", False),
        ("√", True),
        ("✓", True),
        ("", False),
        (None, False),
        (1, True),
        (0, False),
        ("Y", True),
        ("n", False),
        (True, True),
        ("住校", True),
        ("走读", False),
    ],
)
def test_yes_no_cells_become_booleans_and_empty_means_no(cell, answer):
    assert norm.parse_yes_no(cell) is answer


@pytest.mark.parametrize(
    ("field", "cell", "code"),
    [
        ("left_behind_type", "父母双方外出", c.LeftBehindType.BOTH_AWAY),
        ("left_behind_type", "一方外出另一方无监护能力", c.LeftBehindType.ONE_AWAY_OTHER_INCAPABLE),
        ("guardianship_type", "(外)祖父母监护", c.GuardianshipType.GRANDPARENT),
        ("guardianship_type", "（外）祖父母监护", c.GuardianshipType.GRANDPARENT),
        ("guardianship_type", "外祖父母监护", c.GuardianshipType.GRANDPARENT),
        ("guardianship_type", "亲戚朋友监护", c.GuardianshipType.RELATIVE),
        ("guardianship_type", "无人监护", c.GuardianshipType.NONE),
        ("guardianship_assessment", "较好", c.GuardianshipAssessment.GOOD),
        ("guardianship_assessment", "差", c.GuardianshipAssessment.POOR),
        ("health", "患病", c.Health.ILL),
        ("study_status", "优", c.StudyStatus.EXCELLENT),
        ("study_status", "良", c.StudyStatus.GOOD),
        ("study_status", "中", c.StudyStatus.AVERAGE),
        ("study_status", "差", c.StudyStatus.POOR),
        ("living_status", "困难", c.LivingStatus.HARD),
    ],
)
def test_enum_spellings_map_to_the_stored_codes(field, cell, code):
    assert norm.parse_enum(field, cell) == code


@pytest.mark.parametrize(
    ("field", "choices"),
    [
        ("gender", c.Gender),
        ("left_behind_type", c.LeftBehindType),
        ("guardianship_type", c.GuardianshipType),
        ("guardianship_assessment", c.GuardianshipAssessment),
        ("health", c.Health),
        ("study_status", c.StudyStatus),
        ("living_status", c.LivingStatus),
    ],
)
def test_every_stored_code_of_an_enum_can_be_reached(field, choices):
    table, _ = norm.ENUM_FIELDS[field]
    assert set(table.values()) == set(choices.values)


@pytest.mark.parametrize(
    ("cell", "phone"),
    [
        ("13812345678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        (13812345678.0, "13812345678"),
        ("0572-2399921", "0572-2399921"),
        ("(0572)2399921", "0572-2399921"),
        ("05722399921", "0572-2399921"),
        ("010-12345678", "010-12345678"),
        ("０５７２－２３９９９２１", "0572-2399921"),
        ("", ""),
    ],
)
def test_phones_are_normalised_and_landlines_keep_their_area_code(cell, phone):
    assert norm.parse_phone(cell) == phone


@pytest.mark.parametrize("cell", ["1381234567", "138123456789", "abc", "13812345678/13912345678"])
def test_a_phone_that_is_not_a_number_is_bad_phone(cell):
    with pytest.raises(InvalidValue) as caught:
        norm.parse_phone(cell)
    assert caught.value.code == "bad_phone"


# --------------------------------------------------------------------------- reading files


def test_an_xlsx_renamed_to_csv_is_still_read_as_xlsx():
    sheet = read_rows(_fixture("clean-200.xlsx"), "roster.csv")

    assert sheet.format == "xlsx"
    assert len(sheet.rows) == 201


def test_a_png_renamed_to_xlsx_is_refused():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256))

    with pytest.raises(RosterFileError, match="文件格式不对"):
        read_rows(png, "roster.xlsx")


@pytest.mark.parametrize(
    "data",
    [
        '[{"姓名": "张三", "身份证号": "330502201407210614"}]'.encode(),  # .json renamed
        b"<html><body><table><tr><td>a</td></tr></table></body></html>",  # HTML saved as .xls
        bytes((i * 97 + 31) % 127 + 129 for i in range(4000)),  # junk that decodes as GB18030
        "名单说明\n本文件仅供参考\n".encode(),  # text without any table
    ],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused_as_the_wrong_format(data):
    for check in (sniff_format, lambda d: read_rows(d, "名册.xlsx")):
        with pytest.raises(RosterFileError) as caught:
            check(data)
        assert caught.value.message.startswith("文件格式不对")
        assert all(ext in caught.value.message for ext in (".xlsx", ".xls", ".ods", ".csv"))


def test_a_word_document_is_refused_as_an_unknown_type():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")

    with pytest.raises(RosterFileError, match="文件格式不对"):
        sniff_format(out.getvalue())


def test_a_file_over_the_size_cap_is_refused_before_anything_else():
    with pytest.raises(RosterFileError, match="文件太大"):
        read_rows(b"x" * (reader.MAX_UPLOAD_BYTES + 1), "big.csv")


def test_an_empty_file_is_refused():
    with pytest.raises(RosterFileError, match="文件是空的"):
        read_rows(b"", "empty.xlsx")


def test_a_corrupt_xlsx_is_reported_in_chinese_not_as_a_traceback():
    data = _fixture("clean-200.xlsx")

    with pytest.raises(RosterFileError, match="文件已损坏"):
        read_rows(data[: len(data) // 2], "broken.xlsx")


def test_a_corrupt_xls_is_reported_in_chinese_not_as_a_traceback():
    with pytest.raises(RosterFileError, match="文件已损坏"):
        read_rows(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000, "broken.xls")


def test_a_password_protected_workbook_is_refused_with_advice():
    data = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600 + "EncryptedPackage".encode("utf-16-le")
    )

    with pytest.raises(RosterFileError, match="密码"):
        read_rows(data, "locked.xlsx")


def _fake_xlsx(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def test_a_zip_bomb_member_is_refused_before_parsing():
    data = _fake_xlsx({"xl/worksheets/sheet1.xml": b"\x00" * (10 * 1024 * 1024)})

    assert len(data) < 100_000
    with pytest.raises(RosterFileError, match="压缩比异常"):
        read_rows(data, "bomb.xlsx")


def test_a_zip_with_too_many_members_is_refused():
    data = _fake_xlsx({f"xl/media/{i}.xml": b"<x/>" for i in range(reader.MAX_ZIP_MEMBERS + 1)})

    with pytest.raises(RosterFileError, match="内部文件"):
        read_rows(data, "many.xlsx")


def test_a_zip_declaring_too_much_in_total_is_refused(monkeypatch):
    monkeypatch.setattr(reader, "MAX_UNCOMPRESSED_BYTES", 1000)
    data = _fake_xlsx(
        {"xl/a.xml": b"<a>" + b"x" * 600 + b"</a>", "xl/b.xml": b"<b>" + b"y" * 600 + b"</b>"}
    )

    with pytest.raises(RosterFileError, match="解压后超过"):
        read_rows(data, "big.xlsx")


def test_a_zip_member_that_lies_about_its_size_is_refused():
    content = b"<a>" + bytes(range(48, 58)) * 12_000 + b"</a>"
    data = bytearray(_fake_xlsx({"xl/a.xml": content}))
    local = data.index(b"xl/a.xml") - 30  # local file header: 30 bytes, then the name
    central = data.rindex(b"xl/a.xml") - 46  # central directory entry: 46 bytes, then the name
    assert data[local : local + 4] == b"PK\x03\x04" and data[central : central + 4] == b"PK\x01\x02"
    for offset in (local + 22, central + 24):  # "uncompressed size" in each header
        assert data[offset : offset + 4] == struct.pack("<I", len(content))
        data[offset : offset + 4] = struct.pack("<I", 1_000)

    with pytest.raises(RosterFileError):
        read_rows(bytes(data), "liar.xlsx")


def test_a_sheet_with_one_cell_in_the_far_corner_is_refused_instead_of_exhausting_memory():
    book = openpyxl.Workbook()
    book.active["A1"] = "姓名"
    book.active["XFD1048576"] = "x"  # calamine would allocate 17 billion cells and abort
    out = io.BytesIO()
    book.save(out)

    with pytest.raises(RosterFileError, match="数据范围过大"):
        read_rows(out.getvalue(), "far.xlsx")


_SHEET_XML = (
    '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
    '2006/main"><sheetData>{}</sheetData></worksheet>'
)


def test_far_cells_written_without_r_attributes_are_refused_too():
    cells = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c></row>'
        '<row r="1048576"><c r="XFC1048576" s="1"></c><c t="inlineStr"><is><t>x</t></is></c></row>'
    )
    data = _fake_xlsx({"xl/worksheets/sheet1.xml": _SHEET_XML.format(cells).encode()})

    with pytest.raises(RosterFileError, match="数据范围过大"):
        read_rows(data, "far.xlsx")


def test_empty_cells_closed_at_once_far_beyond_the_data_do_not_count():
    """openpyxl with lxml installed writes an empty formatted cell as <c ...></c>; calamine
    skips it, so the range guard must too."""
    cells = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c></row>'
        '<row r="1048576"><c r="XFD1048576" s="1" t="n"></c></row>'
    )
    data = _fake_xlsx({"xl/worksheets/sheet1.xml": _SHEET_XML.format(cells).encode()})

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        reader.guard_zip(archive, "xlsx")  # no RosterFileError: the range is A1 only
    far = _fake_xlsx(
        {
            "xl/worksheets/sheet1.xml": _SHEET_XML.format(
                cells.replace("></c>", "><v>1</v></c>")
            ).encode()
        }
    )
    with (
        zipfile.ZipFile(io.BytesIO(far)) as archive,
        pytest.raises(RosterFileError, match="数据范围过大"),
    ):
        reader.guard_zip(archive, "xlsx")


def test_empty_formatted_cells_far_beyond_the_data_do_not_count():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号"])
    sheet.append(["杨明", BOY_2014])
    sheet["XFD1048576"].number_format = "@"  # formatted, empty: written as <c r=".." s="1"/>
    out = io.BytesIO()
    book.save(out)

    result = parse_roster(out.getvalue(), "formatted.xlsx", today=TODAY)
    assert [row.values["id_number"] for row in result.accepted] == [BOY_2014]


def _ods(table_xml: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
            'opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry '
            'manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.'
            'spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" '
            'manifest:media-type="text/xml"/></manifest:manifest>',
        )
        archive.writestr(
            "content.xml",
            '<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:'
            'opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:'
            'table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
            'office:version="1.2"><office:body><office:spreadsheet><table:table table:name="S">'
            f"{table_xml}</table:table></office:spreadsheet></office:body></office:document-content>",
            zipfile.ZIP_DEFLATED,
        )
    return out.getvalue()


def _ods_row(*cells: str) -> str:
    return (
        "<table:table-row>"
        + "".join(
            f'<table:table-cell office:value-type="string"><text:p>{cell}</text:p></table:table-cell>'
            for cell in cells
        )
        + '<table:table-cell table:number-columns-repeated="1000"/></table:table-row>'
    )


def test_an_ods_file_is_read():
    data = _ods(
        _ods_row("姓名", "身份证号")
        + _ods_row("杨明", BOY_2014)
        + '<table:table-row table:number-rows-repeated="1048574">'
        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    )

    result = parse_roster(data, "roster.ods", today=TODAY)
    assert result.format == "ods"
    assert [row.values["id_number"] for row in result.accepted] == [BOY_2014]


def test_an_ods_with_a_value_repeated_across_a_million_rows_is_refused():
    data = _ods(
        _ods_row("姓名", "身份证号")
        + '<table:table-row table:number-rows-repeated="1000000"><table:table-cell '
        'office:value-type="string" table:number-columns-repeated="100"><text:p>x</text:p>'
        "</table:table-cell></table:table-row>"
    )

    with pytest.raises(RosterFileError, match="数据范围过大"):
        read_rows(data, "huge.ods")


def test_a_gb18030_csv_is_decoded():
    sheet = read_rows(_fixture("messy-b-gb18030.csv"), "roster.csv")

    assert sheet.format == "csv"
    assert sheet.rows[0][0] == "学生姓名"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "utf-16"])
def test_a_utf8_csv_with_or_without_bom_and_excel_unicode_text_read_like_the_gb18030_one(encoding):
    text = _fixture("messy-b-gb18030.csv").decode("gb18030")
    if encoding == "utf-16":  # Excel's "Unicode text": UTF-16 with BOM, tab-separated
        text = text.replace(",", "\t")
    data = text.encode(encoding)
    if encoding == "utf-16":
        assert data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))

    result = parse_roster(data, "roster.txt", today=TODAY)
    original = _parsed("messy-b-gb18030.csv")
    assert [(r.row_number, r.values, r.codes) for r in result.rows] == [
        (r.row_number, r.values, r.codes) for r in original.rows
    ]


def test_it_parses_fifty_thousand_rows(settings):
    settings.ROSTER_MAX_ROWS = 60_000  # above the default cap of a school's roster
    lines = [HEADER]
    start = dt.date(2011, 1, 1)
    for i in range(50_000):
        birth = start + dt.timedelta(days=i % 3600)
        lines.append(
            f"儿童{i},{'男' if i % 2 else '女'},{_id('330502', birth, i % 1000)},"
            f"{birth:%Y.%m},(外)祖父母监护,138-{i % 10_000:04d}-5678"
        )
    data = _csv(*lines)

    # How fast is measured by bench/import_bench.py, never by a timed assertion here.
    result = parse_roster(data, "big.csv", today=TODAY)

    assert len(result.rows) == 50_000


def test_an_xlsx_declaring_xml_entities_is_refused_before_parsing():
    import zipfile

    from children.roster.reader import MSG_XML_DOCTYPE

    source = (FIXTURES / "clean-200.xlsx").read_bytes()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(source)) as original,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as tampered,
    ):
        for info in original.infolist():
            data = original.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                doctype = b'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY lol "lol">]>'
                data = doctype + data.replace(b"<t>", b"<t>&xxe;&lol;", 1)
            tampered.writestr(info, data)
    with pytest.raises(RosterFileError) as exc:
        parse_roster(out.getvalue(), "名册.xlsx", today=TODAY)
    assert exc.value.message == MSG_XML_DOCTYPE
