"""``manage.py seed_demo``: demo schools, organisations, accounts (the core), then each app's
demo data (``campaign/demo.py`` lists the builders)."""

import json
import unicodedata
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from campaign.demo import demo_seed
from huzhou_care.demo.services import DEFAULT_PASSWORD, DemoResult

COLUMNS = [
    ("用户名", "username"),
    ("角色", "role_label"),
    ("区县", "district"),
    ("学校", "school"),
    ("单位", "organization"),
]


class Command(BaseCommand):
    help = (
        "填充演示数据：各区县学校、结对单位、每个角色的演示账号和 N 名留守儿童。"
        "同一 --seed 可重复执行，不会产生重复；加大 --children 只补足差额。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--children", type=int, default=2000, help="儿童人数（默认 2000）")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=f"新建账号的密码（默认 {DEFAULT_PASSWORD}）",
        )
        parser.add_argument("--accounts-json", metavar="PATH", help="把演示账号写入 JSON 文件")

    def handle(self, *args, children, seed, password, accounts_json, **options):
        if children < 0:
            raise CommandError("--children 不能为负数")
        try:
            result = demo_seed(children=children, seed=seed, password=password, stdout=self.stdout)
        except ValidationError as exc:
            raise CommandError("密码不符合要求：" + "；".join(exc.messages)) from exc
        self._report(result)
        if accounts_json:
            Path(accounts_json).write_text(
                json.dumps([a.as_json() for a in result.accounts], ensure_ascii=False, indent=2),
                encoding="utf-8",
            )
            self.stdout.write(f"账号清单已写入 {accounts_json}")

    def _report(self, result: DemoResult) -> None:
        parts = "".join(
            f"，{p.label}新建 {p.created:,}（已存在 {p.existing:,}）" for p in result.parts
        )
        self.stdout.write(
            f"学校新建 {result.schools_created}，结对单位新建 {result.organizations_created}，"
            f"账号新建 {result.users_created}{parts}；年龄按 {result.anchor:%Y-%m-%d} 计算。"
        )
        rows = [[str(getattr(a, attr) or "—") for _, attr in COLUMNS] for a in result.accounts]
        widths = [
            max(_width(r[i]) for r in [[h for h, _ in COLUMNS], *rows]) for i in range(len(COLUMNS))
        ]
        self.stdout.write("")
        for row in [[h for h, _ in COLUMNS], ["-" * w for w in widths], *rows]:
            self.stdout.write(
                "  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip()
            )
        self.stdout.write("")
        self.stdout.write(f"新建账号的密码：{result.password}（已存在的账号密码未改动）")


def _width(text: str) -> int:
    """Columns the text takes in a terminal: CJK characters are two wide."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
