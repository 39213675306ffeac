"""The public showcase (allow-listed): only approved material, and only with consent for any
child shown. A leak test over a fixture with every combination."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from campaign import services
from campaign.models import Story, StoryPhoto
from tests.files import samples


def _story(year, user, city, *, title, shows=False, consent=False, step=None, photos=()):
    story = services.story_create(
        year=year,
        data={
            "title": title,
            "kind": "story",
            "body": f"正文-{title}",
            "shows_children": shows,
            "consent_recorded": consent,
        },
        user=user,
    )
    for caption, child, child_consent in photos:
        services.story_add_photo(
            story=story,
            uploaded=SimpleUploadedFile(f"{caption}.png", samples.png()),
            caption=caption,
            shows_child=child,
            consent=child_consent,
            user=user,
        )
    if step in ("submit", "approve", "reject", "withdraw"):
        services.story_move(story=story, action="submit", comment="", user=user)
    if step in ("approve", "withdraw"):
        services.story_move(story=story, action="approve", comment="", user=city)
    if step in ("reject", "withdraw"):
        services.story_move(story=story, action="reject", comment="", user=city)
    return story


@pytest.fixture
def material(year, units, carol, dave, city_admin):
    shown = [
        _story(
            year,
            carol,
            city_admin,
            title="公开-无儿童",
            step="approve",
            photos=[("公开照片-风景", False, False), ("隐藏照片-儿童未同意", True, False)],
        ),
        _story(
            year,
            dave,
            city_admin,
            title="公开-儿童已同意",
            shows=True,
            consent=True,
            step="approve",
            photos=[("公开照片-儿童已同意", True, True)],
        ),
    ]
    hidden = [
        _story(
            year, carol, city_admin, title="隐藏-草稿", photos=[("隐藏照片-草稿", False, False)]
        ),
        _story(
            year,
            carol,
            city_admin,
            title="隐藏-待审核",
            step="submit",
            photos=[("隐藏照片-待审核", False, False)],
        ),
        _story(year, dave, city_admin, title="隐藏-未采用", step="reject"),
        _story(year, dave, city_admin, title="隐藏-已撤下", step="withdraw"),
        _story(
            year,
            carol,
            city_admin,
            title="隐藏-儿童未同意",
            shows=True,
            consent=False,
            photos=[("隐藏照片-儿童故事", True, True)],
        ),
    ]
    noms = {}
    for name, steps in [
        ("公开推荐-通过", ("submit", "approve")),
        ("隐藏推荐-待评审", ("submit",)),
        ("隐藏推荐-未通过", ("submit", "reject")),
        ("隐藏推荐-草稿", ()),
    ]:
        n = services.nomination_create(
            year=year,
            data={"category": "brand", "name": name, "summary": f"事迹-{name}"},
            user=carol,
        )
        for step in steps:
            services.nomination_move(
                nomination=n,
                action=step,
                comment="",
                user=carol if step == "submit" else city_admin,
            )
        noms[name] = n
    return {"shown": shown, "hidden": hidden, "nominations": noms}


def test_the_public_page_shows_approved_consented_material_and_nothing_else(client, material):
    response = client.get("/campaign/showcase/")
    assert response.status_code == 200
    html = response.content.decode()
    for marker in [
        "公开-无儿童",
        "正文-公开-无儿童",
        "公开-儿童已同意",
        "公开推荐-通过",
        "公开照片-风景",
        "公开照片-儿童已同意",
    ]:
        assert marker in html, marker
    assert "隐藏" not in html
    # Nothing about who entered it or who reviewed it.
    for secret in ["蔡老师", "戴老师", "李书记", "carol", "dave", "admin_li"]:
        assert secret not in html


def test_only_public_photos_can_be_fetched_anonymously(client, material):
    allowed = set(
        StoryPhoto.objects.filter(caption__startswith="公开照片").values_list("pk", flat=True)
    )
    assert len(allowed) == 2
    for photo in StoryPhoto.objects.all():
        response = client.get(f"/campaign/showcase/photos/{photo.pk}/?size=thumb")
        assert response.status_code == (200 if photo.pk in allowed else 404), photo.caption
        if response.status_code == 200:
            assert response["Content-Type"] == "image/png"
            assert b"".join(response.streaming_content)[:4] == b"\x89PNG"


def test_withdrawing_a_story_takes_it_off_the_public_page(client, material, city_admin):
    story = material["shown"][0]
    services.story_move(story=story, action="reject", comment="撤下", user=city_admin)
    assert "公开-无儿童" not in client.get("/campaign/showcase/").content.decode()
    photo = StoryPhoto.objects.get(caption="公开照片-风景")
    assert client.get(f"/campaign/showcase/photos/{photo.pk}/").status_code == 404


def test_the_public_queryset_never_holds_a_child_without_consent(material):
    assert not Story.objects.public().filter(shows_children=True, consent_recorded=False).exists()


def test_city_officers_do_not_see_photos_of_children_without_consent(
    client, material, city_officer
):
    client.force_login(city_officer)
    for photo in StoryPhoto.objects.all():
        response = client.get(f"/campaign/photos/{photo.pk}/?size=thumb")
        hidden = photo.shows_child and not photo.consent_recorded
        assert response.status_code == (404 if hidden else 200), photo.caption
