"""Build roster workbooks of any size for tests and benchmarks."""

import datetime as dt
import io
import random

from django.utils import timezone
from openpyxl import Workbook

from children.identity import resident_id_build
from children.roster.headers import CANONICAL_HEADERS

from ..factories import GIVEN, SURNAMES


def roster_xlsx(
    *,
    rows: int,
    division: str,
    township: str | list[str],
    seed: int = 1,
    today: dt.date | None = None,
) -> bytes:
    """Children aged 6 to 15 on ``today`` (by default the date the portal sees, so that the
    roster stays valid whatever the real date: a fixed date would age the eldest out)."""
    today = today or timezone.localdate()
    rnd = random.Random(seed)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("名册")
    sheet.append([label for _, label in CANONICAL_HEADERS])
    used = set()
    for n in range(rows):
        while True:
            birth = today - dt.timedelta(days=rnd.randint(6 * 365, 15 * 365))
            number = resident_id_build(division, birth, rnd.randint(0, 999))
            if number not in used:
                used.add(number)
                break
        male = int(number[16]) % 2 == 1
        values = {
            "name": rnd.choice(SURNAMES) + rnd.choice(GIVEN),
            "gender": "男" if male else "女",
            "ethnicity": "汉族",
            "id_number": number,
            "birth_date": birth.isoformat(),
            "grade": f"{rnd.randint(1, 9)}年级",
            "class_name": f"{rnd.randint(1, 4)}班",
            "township": township if isinstance(township, str) else township[n % len(township)],
            "village": "新村",
            "left_behind_type": "双亲外出务工",
            "guardianship_type": "祖辈监护",
            "guardianship_assessment": "较好",
            "guardian_name": "王奶奶",
            "guardian_relation": "祖母",
            "guardian_phone": f"138{n:08d}",
            "father_name": "王爸爸",
            "father_work_place": "广东省深圳市",
            "mother_name": "李妈妈",
            "mother_work_place": "上海市",
            "health": "健康",
            "study_status": "良好",
            "living_status": "一般",
        }
        sheet.append([values.get(key, "") for key, _ in CANONICAL_HEADERS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
