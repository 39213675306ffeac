"""The campaign's default timeline, read from the notice (``campaign/data/notice-zh.txt``,
section 三、时间安排).

The notice names five stages, each in a paragraph ``（一）动员部署阶段。…``, and dates in
them: ``于4月3日前`` (by 3 April), ``4月初`` (early April), ``12月初`` (early December),
``12月20前`` (before 20 December). :func:`notice_stages` finds each stage's paragraph and the
dates in it; :func:`default_timeline` turns them into stages and deadlines for a year. What
the notice leaves open (when a stage ends, the staged reports of 全面推进, how long the
grace period is) is a stated default that the city administrator changes in the admin.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

NOTICE_PATH = Path(__file__).parent / "data" / "notice-zh.txt"

STAGE_NAMES = {
    "mobilise": "动员部署",
    "rollout": "全面推进",
    "pilot": "试点申报",
    "evaluate": "督促考评",
    "showcase": "总结展示",
}
#: "Early in the month" (…月初) is read as by the 10th; the 上旬 of Chinese office usage.
EARLY_MONTH_DAY = 10
DEFAULT_GRACE_DAYS = 3
DEFAULT_LOCK_DAYS = 14

_DATE = re.compile(r"(\d{1,2})月(?:(\d{1,2})日?(前)?|(初))")


@dataclass
class NoticeDate:
    month: int
    day: int
    text: str


@dataclass
class NoticeStage:
    kind: str
    name: str
    text: str
    dates: list[NoticeDate] = field(default_factory=list)


def notice_stages(text: str | None = None) -> list[NoticeStage]:
    text = text if text is not None else NOTICE_PATH.read_text(encoding="utf-8")
    start = text.index("时间安排")
    end = text.find("四、", start)
    section = text[start : end if end > 0 else None]
    stages = []
    for kind, name in STAGE_NAMES.items():
        m = re.search(rf"（[一二三四五]）{name}阶段。(.*)", section)
        if not m:
            raise ValueError(f"通知的时间安排中找不到“{name}阶段”")
        paragraph = m.group(1)
        dates = []
        for d in _DATE.finditer(paragraph):
            month = int(d.group(1))
            day = int(d.group(2)) if d.group(2) else EARLY_MONTH_DAY
            dates.append(NoticeDate(month, day, d.group(0)))
        stages.append(NoticeStage(kind, name, paragraph.strip(), dates))
    return stages


@dataclass
class DefaultDeadline:
    kind: str
    title: str
    due_on: dt.date
    source: str
    for_districts: bool = True
    for_organizations: bool = False
    for_schools: bool = False
    parts: list[tuple[str, str, str, bool]] = field(default_factory=list)


@dataclass
class DefaultStage:
    kind: str
    name: str
    starts_on: dt.date
    ends_on: dt.date
    description: str
    deadlines: list[DefaultDeadline]


_PLAN_PARTS = [
    ("summary", "活动方案概要", "text", True),
    ("projects", "拟开展的活动项目", "text", True),
    ("volunteers", "计划招募志愿者人数", "figure", True),
    ("plan_file", "活动方案（正式文件）", "file", True),
]
_WORK_PARTS = [
    ("progress", "工作进展", "text", True),
    ("activities", "开展活动次数", "figure", True),
    ("children_served", "服务留守儿童人次", "figure", True),
    ("volunteer_hours", "志愿服务时长（小时）", "figure", False),
    ("evidence", "佐证材料", "file", False),
]
_SELF_PARTS = [
    ("self_report", "自查报告", "text", True),
    ("self_score", "自评得分", "figure", True),
    ("self_file", "自查报告（盖章扫描件）", "file", True),
]


def default_timeline(year: int, text: str | None = None) -> list[DefaultStage]:
    """Stages and deadlines for ``year`` from the notice's dates (month and day kept)."""
    stages = {s.kind: s for s in notice_stages(text)}

    def date_of(kind: str, index: int = 0) -> tuple[dt.date, str]:
        d = stages[kind].dates[index]
        return dt.date(year, d.month, d.day), d.text

    plan_due, plan_src = date_of("mobilise")
    pilot_due, pilot_src = date_of("pilot")
    self_due, self_src = date_of("evaluate", 0)
    prov_due, prov_src = date_of("evaluate", 1)
    d = dt.date
    return [
        DefaultStage(
            "mobilise",
            "动员部署",
            d(year, 3, 20),
            plan_due,
            stages["mobilise"].text,
            [
                DefaultDeadline(
                    "plan",
                    "活动方案报送",
                    plan_due,
                    plan_src,
                    for_organizations=True,
                    parts=_PLAN_PARTS,
                )
            ],
        ),
        DefaultStage(
            "rollout",
            "全面推进",
            plan_due + dt.timedelta(days=1),
            d(year, 11, 30),
            stages["rollout"].text,
            [
                DefaultDeadline(
                    "stage_report",
                    "上半年工作情况报送",
                    d(year, 6, 30),
                    "分阶段上报（默认：上半年）",
                    for_schools=True,
                    parts=_WORK_PARTS,
                ),
                DefaultDeadline(
                    "stage_report",
                    "第三季度工作情况报送",
                    d(year, 9, 30),
                    "分阶段上报（默认：第三季度）",
                    for_schools=True,
                    parts=_WORK_PARTS,
                ),
            ],
        ),
        DefaultStage(
            "pilot",
            "试点申报",
            d(year, 4, 1),
            d(year, 4, 30),
            stages["pilot"].text,
            [
                DefaultDeadline(
                    "pilot",
                    "试点申报材料报送",
                    pilot_due,
                    pilot_src,
                    parts=[("intent", "申报意向说明", "text", True)],
                )
            ],
        ),
        DefaultStage(
            "evaluate",
            "督促考评",
            d(year, 12, 1),
            prov_due,
            stages["evaluate"].text,
            [
                DefaultDeadline(
                    "self_inspection",
                    "工作自查报告",
                    self_due,
                    self_src,
                    for_organizations=True,
                    parts=_SELF_PARTS,
                ),
                DefaultDeadline(
                    "provincial",
                    "省级考评材料",
                    prov_due,
                    prov_src,
                    parts=[("summary", "年度工作总结", "text", True)],
                ),
            ],
        ),
        DefaultStage(
            "showcase",
            "总结展示",
            d(year, 12, 1),
            d(year, 12, 31),
            stages["showcase"].text,
            [],
        ),
    ]
