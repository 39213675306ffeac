"""The dossier for the province opens in python-docx and holds each recommended application's
title and its three sections; applications not recommended are not in it."""

import io

import pytest
from docx import Document

from campaign import services
from campaign.models import PilotCriterion


@pytest.fixture
def decided(year, units, alice, bob, city_admin):
    criterion = PilotCriterion.objects.create(year=year, name="方案可行", max_score=40)
    apps = {}
    for key, user, recommend in [("wx", alice, True), ("cx", bob, False)]:
        app = services.pilot_create(
            year=year,
            data={
                "title": f"{key}试点项目",
                "analysis": f"{key}留守儿童情况分析",
                "basics": f"{key}特色经验",
                "plan": f"{key}详细方案第一段\n{key}详细方案第二段",
            },
            user=user,
        )
        services.pilot_submit(app=app, user=user)
        services.pilot_score(app=app, scores={str(criterion.pk): 36}, comment="", user=city_admin)
        services.pilot_consult(app=app, consultation=f"{key}征求意见记录", user=city_admin)
        services.pilot_decide(app=app, recommend=recommend, note="", user=city_admin)
        apps[key] = app
    designated = services.pilot_create(
        year=year,
        unit=units["changxing_school"],
        data={
            "title": "指定试点",
            "analysis": "指定分析",
            "basics": "指定基础",
            "plan": "指定方案",
        },
        user=city_admin,
    )
    services.pilot_submit(app=designated, user=city_admin)
    services.pilot_score(
        app=designated, scores={str(criterion.pk): 30}, comment="", user=city_admin
    )
    services.pilot_consult(app=designated, consultation="同意", user=city_admin)
    services.pilot_decide(app=designated, recommend=True, note="", user=city_admin)
    apps["designated"] = designated
    return apps


def _text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_the_dossier_holds_each_recommended_application_and_its_sections(
    client, city_admin, decided
):
    client.force_login(city_admin)
    response = client.get("/campaign/pilots/dossier/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    document = Document(io.BytesIO(response.content))
    text = _text(document)
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "1. wx试点项目" in headings and "2. 指定试点" in headings
    for expected in [
        "wx留守儿童情况分析",
        "wx特色经验",
        "wx详细方案第一段",
        "wx详细方案第二段",
        "wx征求意见记录",
        "指定分析",
        "省级指定",
        "36.0",
    ]:
        assert expected in text, expected
    for section in [
        "本地留守儿童群体的情况分析报告",
        "工作基本情况和特色经验",
        "试点工作的详细方案",
    ]:
        assert headings.count(section) == 2
    assert "cx试点项目" not in text and "cx特色经验" not in text


def test_without_recommended_applications_the_city_is_told_so(client, city_admin, year):
    client.force_login(city_admin)
    response = client.get("/campaign/pilots/dossier/", follow=True)
    assert "还没有拟推荐上报的试点申报" in response.content.decode()
