"""The .docx dossier of the applications the city recommends to the province (python-docx)."""

from __future__ import annotations

import io

from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from .models import PILOT_SECTIONS
from .selectors import pilot_score_summary


def _chinese_font(document, name: str = "宋体") -> None:
    style = document.styles["Normal"]
    style.font.name = name
    style.font.size = Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), name)


def build_dossier(year, applications) -> bytes:
    """One document: a cover list, then per application its unit, origin, the three
    materials, the reviewers' average scores, the consultation and the city's decision."""
    document = Document()
    _chinese_font(document)
    title = document.add_heading(
        f"{year.year}年“我们在一起”关爱农村留守儿童专项行动试点推荐材料", 0
    )
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(
        f"共青团湖州市委 · {timezone.localdate():%Y年%m月%d日} · 拟推荐 {len(applications)} 个试点"
    )
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells, ["序号", "申报单位", "试点项目", "申报形式"], strict=True
    ):
        cell.text = text
    for i, app in enumerate(applications, 1):
        row = table.add_row().cells
        row[0].text, row[1].text, row[2].text, row[3].text = (
            str(i),
            app.unit.name,
            app.title,
            app.get_origin_display(),
        )
    for i, app in enumerate(applications, 1):
        document.add_page_break()
        document.add_heading(f"{i}. {app.title}", 1)
        document.add_paragraph(f"申报单位：{app.unit.name}    申报形式：{app.get_origin_display()}")
        for key, label in PILOT_SECTIONS:
            document.add_heading(str(label), 2)
            for para in (getattr(app, key) or "（未填写）").split("\n"):
                document.add_paragraph(para)
            files = [a.file.original_name for a in app.attachments.all() if a.part == key]
            if files:
                document.add_paragraph("附件：" + "、".join(files))
        summary = pilot_score_summary(app)
        if summary["rows"]:
            document.add_heading("市级评审得分", 2)
            scores = document.add_table(rows=1, cols=3)
            scores.style = "Table Grid"
            for cell, text in zip(
                scores.rows[0].cells, ["评审标准", "平均得分", "评审人数"], strict=True
            ):
                cell.text = text
            for r in summary["rows"]:
                cells = scores.add_row().cells
                cells[0].text = f"{r['criterion'].name}（满分 {r['criterion'].max_score}）"
                cells[1].text = str(r["average"])
                cells[2].text = str(r["count"])
            document.add_paragraph(f"合计：{summary['total']}")
        document.add_heading("征求意见情况", 2)
        document.add_paragraph(app.consultation or "—")
        document.add_heading("市级意见", 2)
        document.add_paragraph(f"{app.get_status_display()}。{app.decision_note}")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
